//! The run, part by part (numbered as in BENCHMARKS.md), each figure beside
//! its baseline. Results are written to `out` after every part, so a run that
//! fails late still leaves what it measured.

use crate::delivery::{self, Peers};
use crate::seed::{self, Db, Ro};
use crate::service::{ServiceSpec, memory_kib};
use crate::{baseline, board, crash, load};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

pub struct Settings {
    pub quick: bool,
    pub bin: String,
    pub pg_url: String,
    pub pg_bin: String,
    pub pg_data: String,
    pub as_postgres: bool,
    pub work: String,
    pub out: String,
    pub peers: Peers,
    pub status_change_sql: String,
    /// `--only 2,4`: just these parts (for working on one); the seeding
    /// parts 2–5 need always runs.
    pub only: Option<Vec<String>>,
}

impl Settings {
    fn wants(&self, part: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|o| o.iter().any(|p| p == part))
    }
}

struct Sizes {
    ros: i64,
    scale_ros: i64,
    seconds: f64,
    latency_seconds: u64,
    drain: u64,
    crash_changes: usize,
    crash_load_seconds: u64,
    kill_every: Duration,
    board_requests: usize,
}

const CONCURRENCY: [usize; 2] = [8, 32];
const RATE: u64 = 200;
/// Part 2's busy orders: this many ROs take every change.
const HOT_ROS: usize = 50;
const DRAIN_CONCURRENCY: u32 = 32;
const MOCK_0: &str = "http://127.0.0.1:18100";
const MOCK_50: &str = "http://127.0.0.1:18101";

impl Sizes {
    fn new(quick: bool) -> Self {
        if quick {
            Sizes {
                ros: 2_000,
                scale_ros: 20_000,
                seconds: 1.5,
                latency_seconds: 2,
                drain: 1_000,
                crash_changes: 600,
                crash_load_seconds: 9,
                kill_every: Duration::from_secs(3),
                board_requests: 30,
            }
        } else {
            Sizes {
                ros: 10_000,
                scale_ros: 1_000_000,
                seconds: 10.0,
                latency_seconds: 30,
                drain: 20_000,
                crash_changes: 10_000,
                crash_load_seconds: 60,
                kill_every: Duration::from_secs(10),
                board_requests: 300,
            }
        }
    }
}

struct Run {
    s: Settings,
    http: reqwest::Client,
    report: Value,
}

impl Run {
    fn save(&self) -> anyhow::Result<()> {
        std::fs::write(&self.s.out, serde_json::to_string_pretty(&self.report)?)?;
        Ok(())
    }

    fn spec(&self, db_url: &str, port: u16, worker: bool, mock: &str) -> ServiceSpec {
        ServiceSpec {
            bin: self.s.bin.clone(),
            db_url: db_url.to_owned(),
            port,
            mock_url: mock.to_owned(),
            worker,
            worker_concurrency: DRAIN_CONCURRENCY,
            lease_seconds: 60,
            pool_size: 8,
            command: "serve",
            log: format!("{}/service-{port}.log", self.s.work),
        }
    }

    async fn reset(&self, mock: &str) -> anyhow::Result<()> {
        self.http.post(format!("{mock}/_reset")).send().await?;
        Ok(())
    }

    /// Part 2: at each concurrency the service, then right after it its
    /// baseline (the service idles meanwhile), so each ratio compares runs
    /// seconds apart on a machine whose speed drifts; the rows go under
    /// `key` ("throughput", or "hot" for the few busy ROs).
    #[allow(clippy::too_many_arguments)]
    async fn status_changes(
        &mut self,
        key: &str,
        store: &str,
        db_url: &str,
        ros: Arc<Vec<Ro>>,
        token: &str,
        port: u16,
        secs: f64,
    ) -> anyhow::Result<u64> {
        let mut svc = self.spec(db_url, port, false, MOCK_0).start()?;
        svc.ready(&self.http).await?;
        let api = svc.spec.url();
        for c in CONCURRENCY {
            let ours = load::throughput(
                &self.http,
                &api,
                token,
                ros.clone(),
                c,
                secs,
                crate::cpu::Watch {
                    service: Some(svc.pid()),
                    pg_data: (store == "postgres").then_some(self.s.pg_data.as_str()),
                    pg_url: (store == "postgres").then_some(db_url),
                },
            )
            .await;
            eprintln!(
                "  {store} {} ROs, {c} clients: {:.0}/s ({} errors)",
                ros.len(),
                ours.per_second,
                ours.errors
            );
            let base = baseline::of_store(&self.s, store, db_url, &ros, c, secs).await?;
            eprintln!("  {}: {:.0}/s", base.tool, base.per_second);
            let ratio = ours.per_second / base.per_second;
            push(
                &mut self.report,
                key,
                json!({"store": store, "ros": ros.len(), "concurrency": c, "handover": ours, "baseline": base, "ratio": ratio}),
            );
        }
        let peak = memory_kib(svc.pid()).1;
        svc.stop();
        self.save()?;
        Ok(peak)
    }

    /// Part 3: a steady rate through a service with its worker on.
    async fn latency(
        &mut self,
        db_url: &str,
        ros: &[Ro],
        token: &str,
        port: u16,
        secs: u64,
    ) -> anyhow::Result<(u64, u64)> {
        seed::clear_backlog(&mut Db::open(db_url)?)?;
        let mut svc = self.spec(db_url, port, true, MOCK_0).start()?;
        svc.ready(&self.http).await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let idle = memory_kib(svc.pid()).0;
        self.reset(MOCK_0).await?;
        let lat =
            load::latency(&self.http, &svc.spec.url(), MOCK_0, token, ros, RATE, secs).await?;
        let peak = memory_kib(svc.pid()).1;
        svc.stop();
        eprintln!(
            "  {} ROs: p50 {:.1} ms, p99 {:.1} ms",
            ros.len(),
            lat.commit_to_provider.p50_ms,
            lat.commit_to_provider.p99_ms
        );
        push(
            &mut self.report,
            "latency",
            json!({"ros": ros.len(), "result": lat}),
        );
        self.save()?;
        Ok((idle, peak))
    }
}

impl Run {
    /// Part 8: the board with 80 open orders among `stored`.
    async fn board(
        &mut self,
        db: &mut Db,
        db_url: &str,
        stored: i64,
        port: u16,
        n: usize,
    ) -> anyhow::Result<()> {
        let cookie = board::prepare(db)?;
        let mut svc = self.spec(db_url, port, false, MOCK_0).start()?;
        svc.ready(&self.http).await?;
        let b = board::measure(&self.http, &svc.spec.url(), &cookie, stored, n).await;
        svc.stop();
        let b = b?;
        eprintln!(
            "  board, {stored} stored: p50 {:.1} ms, p99 {:.1} ms (healthz p99 {:.2} ms)",
            b.board.p50_ms, b.board.p99_ms, b.healthz.p99_ms
        );
        push(&mut self.report, "board", serde_json::to_value(b)?);
        self.save()
    }
}

fn push(report: &mut Value, key: &str, v: Value) {
    if let Some(list) = report[key].as_array_mut() {
        list.push(v);
    } else {
        report[key] = json!([v]);
    }
}

fn spawn_mock(port: u16, delay: u64) -> anyhow::Result<Child> {
    Ok(Command::new(std::env::current_exe()?)
        .args([
            "mock",
            "--port",
            &port.to_string(),
            "--delay-ms",
            &delay.to_string(),
        ])
        .stdout(Stdio::null())
        .spawn()?)
}

fn fresh_database(server: &str, name: &str) -> anyhow::Result<String> {
    let mut db = Db::open(&format!("{server}/postgres"))?;
    db.exec(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
    db.exec(&format!("CREATE DATABASE {name}"))?;
    Ok(format!("{server}/{name}"))
}

pub async fn all(s: Settings) -> anyhow::Result<()> {
    let z = Sizes::new(s.quick);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        .build()?;
    let report = json!({"date": chrono::Utc::now().to_rfc3339(), "quick": s.quick, "machine": crate::service::machine(&s.pg_bin)});
    let mut run = Run { s, http, report };
    let mut mocks = vec![spawn_mock(18100, 0)?, spawn_mock(18101, 50)?];
    let result = parts(&mut run, &z).await;
    for m in &mut mocks {
        let _ = m.kill();
        let _ = m.wait();
    }
    run.save()?;
    result
}

async fn parts(run: &mut Run, z: &Sizes) -> anyhow::Result<()> {
    for mock in [MOCK_0, MOCK_50] {
        for _ in 0..100 {
            if run.reset(mock).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let pg = fresh_database(&run.s.pg_url, "bench")?;

    eprintln!("part 2: status changes, PostgreSQL, {} ROs", z.ros);
    let mut setup = run.spec(&pg, 18199, false, MOCK_0).start()?;
    setup.ready(&run.http).await?;
    let shop = seed::shop(&run.http, &setup.spec.url()).await?;
    setup.stop();
    let mut db = Db::open(&pg)?;
    seed::grow(&mut db, &shop.template_ro, z.ros)?;
    let ros = Arc::new(db.ros()?);
    let mut peak_part2 = 0;
    if run.s.wants("2") {
        peak_part2 = run
            .status_changes(
                "throughput",
                "postgres",
                &pg,
                ros.clone(),
                &shop.advisor_token,
                18200,
                z.seconds,
            )
            .await?;
        // Monday morning: many changes to the same few orders, so each
        // waits for the one before it to let go of the order's lock.
        let hot = Arc::new(ros.iter().take(HOT_ROS).cloned().collect::<Vec<_>>());
        eprintln!("part 2: status changes on {} busy ROs", hot.len());
        let peak = run
            .status_changes(
                "hot",
                "postgres",
                &pg,
                hot,
                &shop.advisor_token,
                18208,
                z.seconds,
            )
            .await?;
        peak_part2 = peak_part2.max(peak);
    }
    if run.s.wants("3") {
        eprintln!("part 3: commit → provider at {RATE}/s");
        let (idle, peak_part3) = run
            .latency(&pg, &ros, &shop.advisor_token, 18201, z.latency_seconds)
            .await?;
        run.report["memory"] =
            json!({"idle_kib": idle, "peak_part2_kib": peak_part2, "peak_part3_kib": peak_part3});
        run.save()?;
    }

    for (mock, delay) in [(MOCK_0, 0), (MOCK_50, 50)] {
        if !run.s.wants("4") {
            break;
        }
        eprintln!(
            "part 4: delivery of {} texts, provider answering after {delay} ms",
            z.drain
        );
        seed::clear_backlog(&mut db)?;
        run.reset(mock).await?;
        let mut spec = run.spec(&pg, 18202, true, mock);
        spec.command = "worker";
        let ours = delivery::ours(&run.http, &mut db, &spec, z.drain, delay).await?;
        eprintln!("  handover, {delay} ms: {:.0}/s", ours.per_second);
        push(&mut run.report, "delivery", serde_json::to_value(ours)?);
        for system in ["graphile-worker", "pgqueuer"] {
            run.reset(mock).await?;
            let d = delivery::peer(
                &run.http,
                &run.s.peers,
                system,
                &pg,
                mock,
                z.drain,
                DRAIN_CONCURRENCY,
                delay,
            )
            .await?;
            eprintln!("  {system}, {delay} ms: {:.0}/s", d.per_second);
            push(&mut run.report, "delivery", serde_json::to_value(d)?);
        }
        run.save()?;
    }

    if run.s.wants("2") {
        sqlite_status_changes(run, z).await?;
    }
    if run.s.wants("8") {
        eprintln!(
            "part 8: the desk's board, {} open of {} ROs",
            board::OPEN,
            z.ros
        );
        run.board(&mut db, &pg, z.ros, 18206, z.board_requests)
            .await?;
        board::restore(&mut db)?;
    }
    if run.s.wants("5") || run.s.wants("8") {
        eprintln!("part 5: scale, {} ROs", z.scale_ros);
        seed::grow(&mut db, &shop.template_ro, z.scale_ros)?;
    }
    if run.s.wants("5") {
        let big = Arc::new(db.ros()?);
        run.status_changes(
            "throughput",
            "postgres",
            &pg,
            big.clone(),
            &shop.advisor_token,
            18204,
            z.seconds,
        )
        .await?;
        run.latency(&pg, &big, &shop.advisor_token, 18205, z.latency_seconds)
            .await?;
    }
    if run.s.wants("8") {
        eprintln!(
            "part 8: the desk's board, {} open of {} ROs",
            board::OPEN,
            z.scale_ros
        );
        run.board(&mut db, &pg, z.scale_ros, 18207, z.board_requests)
            .await?;
    }
    drop(db);
    if run.s.wants("7") {
        crash_run(run, z).await?;
    }
    Ok(())
}

/// Part 2 on SQLite: its own database file, seeded the same way.
async fn sqlite_status_changes(run: &mut Run, z: &Sizes) -> anyhow::Result<()> {
    eprintln!("part 2 on SQLite, {} ROs", z.ros);
    let dir = format!("{}/sqlite", run.s.work);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let lite = format!("sqlite://{dir}/handover.db");
    let mut setup = run.spec(&lite, 18198, false, MOCK_0).start()?;
    setup.ready(&run.http).await?;
    let lite_shop = seed::shop(&run.http, &setup.spec.url()).await?;
    setup.stop();
    let mut ldb = Db::open(&lite)?;
    seed::grow(&mut ldb, &lite_shop.template_ro, z.ros)?;
    let lite_ros = Arc::new(ldb.ros()?);
    drop(ldb);
    run.status_changes(
        "throughput",
        "sqlite",
        &lite,
        lite_ros,
        &lite_shop.advisor_token,
        18203,
        z.seconds,
    )
    .await?;
    Ok(())
}

/// Part 7: two instances, killed in turn, PostgreSQL crashed once.
async fn crash_run(run: &mut Run, z: &Sizes) -> anyhow::Result<()> {
    eprintln!("part 7: crash run, {} changes", z.crash_changes);
    let crash_db = fresh_database(&run.s.pg_url, "bench_crash")?;
    let mut spec = run.spec(&crash_db, 18210, true, MOCK_0);
    spec.lease_seconds = 10;
    let faults = crash::Faults {
        pg_ctl: format!("{}/pg_ctl", run.s.pg_bin),
        pg_data: run.s.pg_data.clone(),
        as_postgres: run.s.as_postgres,
        kill_every: z.kill_every,
    };
    let c = crash::run(
        &run.http,
        &spec,
        &crash_db,
        faults,
        z.crash_changes,
        z.crash_load_seconds,
        MOCK_0,
    )
    .await?;
    eprintln!(
        "  lost {}, duplicated {}, drained {:.1} s after the last fault",
        c.lost, c.duplicated, c.drained_after_last_fault_s
    );
    run.report["crash"] = serde_json::to_value(c)?;
    run.save()?;
    Ok(())
}
