//! Handover's benchmark harness; bench/run.sh builds and runs it.
//!
//!   bench mock --port P --delay-ms D      a mock of Twilio's Messages endpoint
//!   bench all  [--quick] [--only 2,4,8] --out FILE …   every part (or some), figures as JSON
//!
//! Each figure is taken beside a baseline measured in the same run (pgbench,
//! a plain SQLite loop, graphile-worker, pgqueuer), because these machines are
//! shared and noisy: absolute figures drift, ratios hold.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod baseline;
mod board;
mod cpu;
mod crash;
mod delivery;
mod load;
mod mock;
mod parts;
mod seed;
mod service;
mod statements;

use std::collections::HashMap;

fn args() -> (String, HashMap<String, String>) {
    let mut it = std::env::args().skip(1);
    let command = it.next().unwrap_or_default();
    let mut flags = HashMap::new();
    let mut key: Option<String> = None;
    for a in it {
        if let Some(k) = a.strip_prefix("--") {
            if let Some(k) = key.replace(k.to_owned()) {
                flags.insert(k, "true".into());
            }
        } else if let Some(k) = key.take() {
            flags.insert(k, a);
        }
    }
    if let Some(k) = key {
        flags.insert(k, "true".into());
    }
    (command, flags)
}

fn main() -> anyhow::Result<()> {
    let (command, flags) = args();
    let flag = |k: &str| {
        flags
            .get(k)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("--{k} is required"))
    };
    match command.as_str() {
        "mock" => mock::serve(flag("port")?.parse()?, flag("delay-ms")?.parse()?),
        "all" => {
            let settings = parts::Settings {
                quick: flags.contains_key("quick"),
                bin: flag("bin")?,
                pg_url: flag("pg-url")?,
                pg_bin: flag("pg-bin")?,
                pg_data: flag("pg-data")?,
                as_postgres: flags.contains_key("as-postgres"),
                work: flag("work")?,
                out: flag("out")?,
                peers: delivery::Peers {
                    node_modules: flag("node-modules")?,
                    python: flag("python")?,
                    scripts: flag("peer-scripts")?,
                    logs: flag("work")?,
                },
                status_change_sql: flag("status-change-sql")?,
                only: flags
                    .get("only")
                    .map(|o| o.split(',').map(str::to_owned).collect()),
            };
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?
                .block_on(parts::all(settings))
        }
        other => anyhow::bail!("unknown command {other:?}: use `mock` or `all` (see bench/run.sh)"),
    }
}
