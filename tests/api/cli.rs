//! The command line: help and version everywhere, and nothing runs on them.

use std::process::Command;

fn handover(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_handover"))
        .args(args)
        .current_dir(dir)
        // Settings that would make a real command work here, so only --help
        // stands between it and running.
        .env("HANDOVER__SERVER__BIND", "127.0.0.1:0")
        .output()
        .expect("the binary runs")
}

#[test]
fn help_and_version_run_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["--help"],
        vec!["-h"],
        vec!["help"],
        vec!["serve", "--help"],
        vec!["worker", "--help"],
        vec!["migrate", "--help"],
        vec!["demo", "--help"],
        vec!["backup", "--help"],
        vec!["healthcheck", "--help"],
    ] {
        let out = handover(dir.path(), &args);
        assert!(out.status.success(), "{args:?}: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Usage: handover"), "{args:?}: {text}");
        assert!(!text.contains("export "), "{args:?} printed tokens: {text}");
    }
    let out = handover(dir.path(), &["--version"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("handover {}", env!("CARGO_PKG_VERSION"))
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "--help created files (a database?)"
    );
    let out = handover(dir.path(), &["serve", "--bogus"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown option is a usage error"
    );
    let out = handover(dir.path(), &["backup"]);
    assert_eq!(out.status.code(), Some(2), "backup needs a path");
}

#[test]
fn demo_prints_fresh_tokens_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let first = handover(dir.path(), &["demo"]);
    assert!(first.status.success(), "{first:?}");
    let first = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(first.contains("export MANAGER_TOKEN=hov_"), "{first}");
    let second = String::from_utf8_lossy(&handover(dir.path(), &["demo"]).stdout).to_string();
    let token = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("export MANAGER_TOKEN="))
            .map(str::to_owned)
    };
    assert_ne!(
        token(&first),
        token(&second),
        "each run prints fresh tokens"
    );
    let files: Vec<String> = walk(dir.path());
    assert!(
        files.iter().all(|f| f.contains("handover.db")),
        "only the database is written: {files:?}"
    );
}

#[test]
fn backup_copies_a_sqlite_database_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    assert!(handover(dir.path(), &["demo"]).status.success());
    let out = handover(dir.path(), &["backup", "copy.db"]);
    assert!(out.status.success(), "{out:?}");
    let copy = dir.path().join("copy.db");
    let mut conn =
        <diesel::SqliteConnection as diesel::Connection>::establish(&copy.display().to_string())
            .unwrap();
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let ros: N = diesel::RunQueryDsl::get_result(
        diesel::sql_query("SELECT COUNT(*) AS n FROM repair_orders"),
        &mut conn,
    )
    .unwrap();
    assert_eq!(ros.n, 2, "the demo's two cars are in the copy");
    let again = handover(dir.path(), &["backup", "copy.db"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists"));
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path.display().to_string());
        }
    }
    out
}
