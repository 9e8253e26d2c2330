//! The store under the service, and the demo it can seed.

use crate::helpers::*;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use handover::app::admin::demo::DemoTokens;

#[tokio::test]
async fn the_demo_can_be_seeded_twice_without_harm() {
    let app = spawn_app().await;
    let first = app.app.seed_demo(DemoTokens::Keep).await.unwrap();
    assert!(first.created);
    assert_eq!(first.logins.len(), 4);
    let after_first = app.fingerprint().await;
    let list = app
        .get("/api/v1/repair-orders", &first.logins[0].token)
        .await;
    let ros = list.ok(200)["items"].as_array().unwrap().clone();
    assert_eq!(ros.len(), 2);
    assert!(ros.iter().any(|r| r["status"] == "in_progress"));
    // Again, as `serve` does: nothing changes, and no token is shown.
    let second = app.app.seed_demo(DemoTokens::Keep).await.unwrap();
    assert!(!second.created);
    assert!(second.logins.is_empty());
    assert_eq!(after_first, app.fingerprint().await);
    // Again, as `handover demo` does: fresh tokens, still one demo, old ones retired.
    let third = app.app.seed_demo(DemoTokens::Fresh).await.unwrap();
    assert_eq!(third.dealership_id, first.dealership_id);
    assert_ne!(third.logins[0].token, first.logins[0].token);
    app.get("/api/v1/me", &third.logins[0].token).await.ok(200);
    app.get("/api/v1/me", &first.logins[0].token)
        .await
        .problem(401, "unauthenticated");
    let list = app
        .get("/api/v1/repair-orders", &third.logins[0].token)
        .await;
    assert_eq!(list.ok(200)["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn sqlite_runs_in_wal_with_foreign_keys_and_full_sync() {
    let app = spawn_app().await;
    if app.app.db.backend() != handover::store::Backend::Sqlite {
        return; // PostgreSQL run: nothing SQLite-specific to check.
    }
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }
    #[derive(QueryableByName)]
    struct Flag {
        #[diesel(sql_type = BigInt)]
        value: i64,
    }
    let db = app.app.db.clone();
    let (mode, fk, sync, busy) = tokio::task::spawn_blocking(move || {
        let mut conn = db.get().unwrap();
        let mode: Mode = diesel::sql_query("PRAGMA journal_mode")
            .get_result(&mut **conn)
            .unwrap();
        let flag = |conn: &mut handover::store::DbConn, sql: &str| -> i64 {
            diesel::sql_query(sql)
                .get_result::<Flag>(conn)
                .unwrap()
                .value
        };
        (
            mode.journal_mode,
            flag(
                &mut conn,
                "SELECT foreign_keys AS value FROM pragma_foreign_keys",
            ),
            flag(
                &mut conn,
                "SELECT synchronous AS value FROM pragma_synchronous",
            ),
            flag(
                &mut conn,
                "SELECT timeout AS value FROM pragma_busy_timeout",
            ),
        )
    })
    .await
    .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(fk, 1);
    assert_eq!(sync, 2, "FULL");
    assert_eq!(busy, 5000);
}

#[tokio::test]
async fn readiness_reports_an_unreachable_database() {
    // Open and migrate, then break the store underneath the running service.
    let app = spawn_app().await;
    if app.app.db.backend() != handover::store::Backend::Sqlite {
        return;
    }
    let r = app.req(reqwest::Method::GET, "/readyz", None).send().await;
    r.ok(200);
    let db = app.app.db.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = db.get().unwrap();
        diesel::sql_query("DELETE FROM __diesel_schema_migrations")
            .execute(&mut **conn)
            .unwrap();
    })
    .await
    .unwrap();
    let r = app.req(reqwest::Method::GET, "/readyz", None).send().await;
    assert_eq!(r.status, 503);
    assert!(r.text.contains("migrations are pending"), "{}", r.text);
}
