//! Schedules, time off, breaks, delegates: what they accept, and the
//! availability they add up to (also across daylight-saving switches).

use crate::handover_story::set_schedule;
use crate::helpers::*;
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

#[tokio::test]
async fn schedules_refuse_bad_shifts() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let other = app.shop_named("Other").await;
    let path = format!("/api/v1/staff/{}/schedule", shop.advisor.id);
    let before = app.fingerprint().await;
    let cases: Vec<(Value, &str)> = vec![
        (
            json!([{"weekday": "mon", "start": "17:00", "end": "08:00"}]),
            "weekly[0].end",
        ),
        (
            json!([{"weekday": "mon", "start": "08:00", "end": "08:00"}]),
            "weekly[0].end",
        ),
        (
            json!([{"weekday": "mon", "start": "08:00", "end": "12:00"}, {"weekday": "mon", "start": "11:00", "end": "15:00"}]),
            "weekly[1].start",
        ),
        (
            json!([{"weekday": "monday", "start": "08:00", "end": "12:00"}]),
            "weekly[0].weekday",
        ),
        (
            json!([{"weekday": "mon", "start": "8am", "end": "12:00"}]),
            "weekly[0].start",
        ),
        (
            json!([{"weekday": "mon", "start": "08:00", "end": "25:00"}]),
            "weekly[0].end",
        ),
    ];
    for (weekly, field) in cases {
        let r = app
            .put(&path, &shop.advisor.token, &json!({"weekly": weekly}))
            .await;
        r.problem(422, "validation");
        assert_eq!(r.fields(), vec![field], "{weekly}");
    }
    app.put(
        &path,
        &shop.advisor.token,
        &json!({"weekly": [{"weekday": "mon", "start": "08:00"}]}),
    )
    .await
    .problem(422, "invalid-body");
    app.put(&path, &shop.technician.token, &json!({"weekly": []}))
        .await
        .problem(403, "forbidden");
    app.put(&path, &other.manager.token, &json!({"weekly": []}))
        .await
        .problem(404, "not-found");
    app.put(
        &format!("/api/v1/staff/{}/schedule", uuid::Uuid::now_v7()),
        &shop.manager.token,
        &json!({"weekly": []}),
    )
    .await
    .problem(404, "not-found");
    assert_eq!(before, app.fingerprint().await);
    // Two shifts a day are fine.
    let r = app
        .put(&path, &shop.advisor.token, &json!({"weekly": [{"weekday": "mon", "start": "08:00", "end": "12:00"}, {"weekday": "mon", "start": "13:00", "end": "17:00"}]}))
        .await;
    assert_eq!(r.ok(200)["weekly"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn delegates_must_be_colleagues_who_can_explain_the_work() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let other = app.shop_named("Other").await;
    let luis = app
        .create_staff(&shop.dealership_id, "Luis Ortega", "advisor")
        .await;
    let path = format!("/api/v1/staff/{}/delegates", shop.advisor.id);
    let before = app.fingerprint().await;
    for (ids, field, words) in [
        (
            json!([uuid::Uuid::now_v7()]),
            "delegate_ids[0]",
            "not a staff member",
        ),
        (
            json!([other.advisor.id]),
            "delegate_ids[0]",
            "not a staff member",
        ),
        (json!([shop.cashier.id]), "delegate_ids[0]", "cashier"),
        (json!([shop.technician.id]), "delegate_ids[0]", "technician"),
        (json!([shop.advisor.id]), "delegate_ids[0]", "their own"),
        (json!([luis.id, luis.id]), "delegate_ids[1]", "twice"),
    ] {
        let r = app
            .put(&path, &shop.advisor.token, &json!({"delegate_ids": ids}))
            .await;
        r.problem(422, "validation");
        assert_eq!(r.fields(), vec![field]);
        assert!(r.text.contains(words), "{}", r.text);
    }
    app.put(
        &path,
        &shop.advisor.token,
        &json!({"delegate_ids": ["not-a-uuid"]}),
    )
    .await
    .problem(422, "invalid-body");
    app.put(&path, &shop.technician.token, &json!({"delegate_ids": []}))
        .await
        .problem(403, "forbidden");
    assert_eq!(before, app.fingerprint().await);
    let r = app
        .put(
            &path,
            &shop.advisor.token,
            &json!({"delegate_ids": [luis.id, shop.manager.id]}),
        )
        .await;
    assert_eq!(r.ok(200)["delegate_ids"], json!([luis.id, shop.manager.id]));
    // An RO's own delegates: the advisor or a manager sets them.
    let ro = app.check_in(&shop).await;
    let ro_path = format!(
        "/api/v1/repair-orders/{}/delegates",
        ro["id"].as_str().unwrap()
    );
    app.put(
        &ro_path,
        &shop.manager.token,
        &json!({"delegate_ids": [luis.id]}),
    )
    .await
    .ok(200);
    let timeline = app
        .get(
            &format!(
                "/api/v1/repair-orders/{}/timeline",
                ro["id"].as_str().unwrap()
            ),
            &shop.advisor.token,
        )
        .await;
    let set = timeline.ok(200)["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "delegates_set")
        .cloned()
        .expect("the change is on the timeline");
    assert_eq!(set["detail"]["delegate_ids"], json!([luis.id]));
    assert_eq!(set["actor_id"], json!(shop.manager.id));
    app.put(
        &ro_path,
        &shop.technician.token,
        &json!({"delegate_ids": [luis.id]}),
    )
    .await
    .problem(403, "forbidden");
    app.put(
        &ro_path,
        &shop.advisor.token,
        &json!({"delegate_ids": [shop.cashier.id]}),
    )
    .await
    .problem(422, "validation");
}

#[tokio::test]
async fn time_off_and_breaks() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ana = &shop.advisor;
    let path = format!("/api/v1/staff/{}/time-off", ana.id);
    let now = app.now();
    let at = |h: i64| (now + chrono::Duration::hours(h)).to_rfc3339();
    for (body, field) in [
        (json!({"starts_at": at(5), "ends_at": at(2)}), "ends_at"),
        (json!({"starts_at": at(-5), "ends_at": at(-2)}), "ends_at"),
        (
            json!({"starts_at": at(1), "ends_at": at(24 * 200)}),
            "ends_at",
        ),
    ] {
        let r = app.post(&path, &ana.token, &body).await;
        assert_eq!(r.problem(422, "validation")["errors"][0]["field"], field);
    }
    app.post(
        &path,
        &ana.token,
        &json!({"starts_at": "soon", "ends_at": at(2)}),
    )
    .await
    .problem(422, "invalid-body");
    app.post(
        &path,
        &shop.technician.token,
        &json!({"starts_at": at(1), "ends_at": at(2)}),
    )
    .await
    .problem(403, "forbidden");
    // A ready car depends on Ana; time off starting now is refused...
    let ro = app.ready(&shop).await;
    let r = app
        .post(
            &path,
            &ana.token,
            &json!({"starts_at": at(0), "ends_at": at(48), "reason": "Sick"}),
        )
        .await;
    r.problem(409, "handover-coverage");
    // ... a break too ...
    let brk = format!("/api/v1/staff/{}/break", ana.id);
    app.post(&brk, &ana.token, &json!({"until": at(1)}))
        .await
        .problem(409, "handover-coverage");
    app.post(&brk, &ana.token, &json!({"until": at(9)}))
        .await
        .problem(422, "validation");
    // ... unless a manager forces it: the car goes back to waiting.
    app.post(
        &path,
        &ana.token,
        &json!({"starts_at": at(0), "ends_at": at(48), "force": true}),
    )
    .await
    .problem(403, "forbidden");
    let r = app
        .post(
            &path,
            &shop.manager.token,
            &json!({"starts_at": at(0), "ends_at": at(48), "reason": "Sick", "force": true}),
        )
        .await;
    r.ok(201);
    let got = app
        .get(
            &format!("/api/v1/repair-orders/{}", ro["id"].as_str().unwrap()),
            &ana.token,
        )
        .await;
    assert_eq!(got.ok(200)["status"], "work_complete");
    let avail = app
        .get(
            &format!("/api/v1/staff/{}/availability", ana.id),
            &shop.cashier.token,
        )
        .await;
    let a = avail.ok(200);
    assert_eq!(a["available"], false);
    assert!(
        a["reason"].as_str().unwrap().starts_with("on leave until"),
        "{a}"
    );
    assert_eq!(a["time_off"][0]["reason"], "Sick");
}

#[tokio::test]
async fn availability_across_the_daylight_saving_switches() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ana = &shop.advisor;
    set_schedule(
        &app,
        ana,
        &ana.token,
        json!([{"weekday": "sun", "start": "00:00", "end": "08:00"}]),
    )
    .await;
    let url = format!("/api/v1/staff/{}/availability", ana.id);
    // Sunday 8 March 2026, 01:30 CST: the shift ends at 08:00 CDT (13:00Z), a seven-hour night.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 8, 7, 30, 0).unwrap());
    app.clock_in(ana).await.ok(200);
    let a = app.get(&url, &ana.token).await.ok(200).clone();
    assert_eq!(a["available"], true);
    assert_eq!(a["until"], "2026-03-08T13:00:00Z");
    // Asking past the end of the shift: not available for that long.
    let a = app
        .get(&format!("{url}?until=2026-03-08T13:30:00Z"), &ana.token)
        .await
        .ok(200)
        .clone();
    assert_eq!(a["available"], false);
    assert_eq!(
        a["next_available_at"], "2026-03-15T05:00:00Z",
        "next Sunday 00:00 CDT"
    );
    // Sunday 1 November 2026, 01:30 CDT (the first one): ends 08:00 CST (14:00Z).
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 1, 6, 30, 0).unwrap());
    let a = app.get(&url, &ana.token).await.ok(200).clone();
    assert_eq!(a["until"], "2026-11-01T14:00:00Z", "a nine-hour night");
    app.get(&format!("{url}?until=2020-01-01T00:00:00Z"), &ana.token)
        .await
        .problem(422, "validation");
    app.get(&format!("{url}?until=tomorrow"), &ana.token)
        .await
        .problem(422, "validation");
}
