//! Starting and stopping the service under test: the release binary with its
//! configuration in HANDOVER__ variables, as an operator would run it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ADMIN_TOKEN: &str = "bench-admin-token-0123456789abcdefghijklmnop";
pub const ACCOUNT_SID: &str = "AC00000000000000000000000000000001";
pub const AUTH_TOKEN: &str = "bench-auth-token";

#[derive(Clone)]
pub struct ServiceSpec {
    pub bin: String,
    pub db_url: String,
    pub port: u16,
    pub mock_url: String,
    pub worker: bool,
    pub worker_concurrency: u32,
    pub lease_seconds: u32,
    pub pool_size: u32,
    /// `serve` or `worker`.
    pub command: &'static str,
    pub log: String,
}

pub struct Service {
    pub spec: ServiceSpec,
    pub child: Child,
}

impl ServiceSpec {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn start(&self) -> anyhow::Result<Service> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let url = self.url();
        let child = Command::new(&self.bin)
            .arg(self.command)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HANDOVER__ADMIN_TOKEN", ADMIN_TOKEN)
            .env("HANDOVER__PUBLIC_BASE_URL", &url)
            .env("HANDOVER__SERVER__BIND", format!("127.0.0.1:{}", self.port))
            .env("HANDOVER__DATABASE__URL", &self.db_url)
            .env("HANDOVER__DATABASE__POOL_SIZE", self.pool_size.to_string())
            .env("HANDOVER__DEMO__SEED_ON_START", "false")
            .env("HANDOVER__LOG__LEVEL", "warn")
            .env("HANDOVER__NOTIFY__DEV_OUTBOX", "false")
            .env("HANDOVER__SMS__TRANSPORT", "twilio")
            .env("HANDOVER__SMS__TWILIO__ACCOUNT_SID", ACCOUNT_SID)
            .env("HANDOVER__SMS__TWILIO__AUTH_TOKEN", AUTH_TOKEN)
            .env("HANDOVER__SMS__TWILIO__FROM", "+13125550100")
            .env("HANDOVER__SMS__TWILIO__API_BASE", &self.mock_url)
            .env("HANDOVER__SMS__TWILIO__TIMEOUT_SECONDS", "5")
            .env("HANDOVER__EMAIL__TRANSPORT", "log")
            .env("HANDOVER__WORKER__ENABLED", self.worker.to_string())
            .env(
                "HANDOVER__WORKER__CONCURRENCY",
                self.worker_concurrency.to_string(),
            )
            .env(
                "HANDOVER__WORKER__LEASE_SECONDS",
                self.lease_seconds.to_string(),
            )
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()?;
        Ok(Service {
            spec: self.clone(),
            child,
        })
    }
}

impl Service {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until /readyz answers 200 (database reachable, migrations done).
    pub async fn ready(&mut self, http: &reqwest::Client) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                anyhow::bail!(
                    "service exited during start-up ({status}); see {}",
                    self.spec.log
                );
            }
            if let Ok(r) = http.get(format!("{}/readyz", self.spec.url())).send().await
                && r.status().is_success()
            {
                return Ok(());
            }
            if started.elapsed() > Duration::from_secs(60) {
                anyhow::bail!("service not ready after 60 s; see {}", self.spec.log);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL: no drain, no goodbye.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM and wait: the graceful path.
    pub fn stop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status();
        let _ = self.child.wait();
    }
}

/// Resident and peak resident memory of a process, in KiB (VmRSS, VmHWM).
pub fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// What the figures were measured on.
pub fn machine(pg_bin: &str) -> serde_json::Value {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpu = read("/proc/cpuinfo")
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("")
        .trim()
        .to_owned();
    let mem_kib: u64 = read("/proc/meminfo")
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let version = |cmd: &str, arg: &str| {
        Command::new(cmd)
            .arg(arg)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    serde_json::json!({
        "cpu": cpu,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "memory_gib": (mem_kib as f64 / 1024.0 / 1024.0).round(),
        "kernel": version("uname", "-r"),
        "postgres": version(&format!("{pg_bin}/postgres"), "--version"),
        "rustc": version("rustc", "--version"),
        "node": version("node", "--version"),
    })
}
