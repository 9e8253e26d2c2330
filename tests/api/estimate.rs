use crate::helpers::*;
use serde_json::{Value, json};

fn approvals(id: &str) -> String {
    format!("/api/v1/repair-orders/{id}/approvals")
}

fn decide(job: &Value, decision: &str) -> Value {
    json!({"channel": "phone", "decisions": [{"job_id": job["id"], "decision": decision}]})
}

#[tokio::test]
async fn an_estimate_is_jobs_with_their_lines_and_exact_totals() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let ro = app.estimate(&shop, &ro).await;
    assert_eq!(ro["status"], "awaiting_approval");
    assert_eq!(ro["estimate_version"], 1);
    assert_eq!(ro["version"], 2);
    let brakes = &ro["jobs"][0];
    assert_eq!(brakes["title"], "Replace the front brake pads");
    assert_eq!(brakes["pay_type"], "customer");
    assert_eq!(brakes["approval"], "pending");
    assert_eq!(brakes["concern_id"], ro["concerns"][0]["id"]);
    assert_eq!(brakes["lines"][0]["kind"], "labor");
    assert_eq!(brakes["lines"][0]["quantity"], 1.5);
    assert_eq!(brakes["lines"][0]["amount_cents"], 27_000);
    assert_eq!(brakes["lines"][1]["amount_cents"], 15_950);
    assert_eq!(brakes["subtotal_cents"], 42_950);
    assert_eq!(ro["jobs"][1]["approval"], "not_required");
    assert!(ro.get("lines").is_none(), "lines live in their jobs");
    // If everything is approved:
    assert_eq!(ro["subtotal_cents"], 42_950);
    assert_eq!(ro["taxable_cents"], 42_950);
    assert_eq!(ro["tax_cents"], 3_543); // 8.25 % of 429.50 = 35.43375
    assert_eq!(ro["total_cents"], 46_493);
    // Nothing is approved yet: nothing is owed.
    assert_eq!(ro["approved"]["total_cents"], 0);
    assert_eq!(ro["balance_due_cents"], 0);
    assert_eq!(ro["warranty_cents"], 22_000);
    assert_eq!(ro["tax_rules"]["tax_rate_bp"], 825);
    assert_eq!(
        ro["tax_rules"]["taxable_kinds"],
        json!(["labor", "part", "fee", "sublet"])
    );
    assert_eq!(ro["jargon"], json!([]));
    let ro = app.approve_all(&shop, &ro).await;
    assert_eq!(ro["approved"]["total_cents"], 46_493);
    assert_eq!(ro["balance_due_cents"], 46_493);
}

#[tokio::test]
async fn a_job_is_approved_or_declined_whole() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let id = ro["id"].as_str().unwrap().to_owned();
    let ro = app
        .post(
            &format!("/api/v1/repair-orders/{id}/estimate"),
            &shop.advisor.token,
            &json!({"jobs": [
                {"title": "Replace the front brake pads", "pay_type": "customer", "lines": [
                    {"kind": "labor", "description": "Front brake pad replacement", "quantity": 1.5, "unit_price_cents": 18000},
                    {"kind": "part", "description": "Brake pads (set)", "quantity": 1, "unit_price_cents": 15950}
                ]},
                {"title": "Replace the cabin air filter", "pay_type": "customer", "lines": [
                    {"kind": "part", "description": "Cabin air filter", "quantity": 1, "unit_price_cents": 3999}
                ]}
            ]}),
        )
        .await
        .ok(200)
        .clone();
    let r = app
        .set_status(&shop.technician.token, &id, "in_progress")
        .await;
    let p = r.problem(409, "transition-blocked");
    assert_eq!(p["current_status"], "awaiting_approval");
    // Naming a line is not an answer: jobs are decided whole.
    let by_line = json!({"channel": "phone", "decisions": [{"line_id": ro["jobs"][0]["lines"][1]["id"], "decision": "declined"}]});
    let before = app.fingerprint().await;
    app.post(&approvals(&id), &shop.advisor.token, &by_line)
        .await
        .problem(422, "invalid-body");
    assert_eq!(before, app.fingerprint().await);
    let both = json!({"channel": "phone", "decisions": [
        {"job_id": ro["jobs"][0]["id"], "decision": "approved"},
        {"job_id": ro["jobs"][1]["id"], "decision": "declined"},
    ]});
    let ro = app
        .post(&approvals(&id), &shop.advisor.token, &both)
        .await
        .ok(200)
        .clone();
    assert_eq!(ro["jobs"][0]["approval"], "approved");
    assert_eq!(ro["jobs"][0]["decided_via"], "phone");
    assert_eq!(ro["jobs"][1]["approval"], "declined");
    assert_eq!(ro["subtotal_cents"], 42_950);
    assert_eq!(ro["declined_cents"], 3_999);
    assert_eq!(ro["approved"]["total_cents"], 46_493);
    app.set_status(&shop.technician.token, &id, "in_progress")
        .await
        .ok(200);
    // The customer changes their mind about the filter.
    let r = app
        .post(
            &approvals(&id),
            &shop.advisor.token,
            &json!({"channel": "in_person", "decisions": [{"job_id": ro["jobs"][1]["id"], "decision": "approved"}]}),
        )
        .await;
    assert_eq!(r.ok(200)["approved"]["subtotal_cents"], 46_949);
    // But approved work is not undone, and every bad decision is named.
    let r = app
        .post(
            &approvals(&id),
            &shop.advisor.token,
            &json!({"channel": "fax", "decisions": [
                {"job_id": ro["jobs"][0]["id"], "decision": "declined"},
                {"job_id": ro["jobs"][0]["lines"][0]["id"], "decision": "approved"},
                {"job_id": ro["jobs"][1]["id"], "decision": "maybe"},
            ]}),
        )
        .await;
    r.problem(422, "validation");
    assert_eq!(
        r.fields(),
        vec![
            "channel",
            "decisions[0].job_id",
            "decisions[1].job_id",
            "decisions[2].decision",
        ]
    );
    let r = app
        .post(
            &approvals(&id),
            &shop.advisor.token,
            &decide(&ro["jobs"][0], "declined"),
        )
        .await;
    assert_eq!(
        r.problem(422, "validation")["errors"][0]["field"],
        "decisions[0].job_id"
    );
}

#[tokio::test]
async fn a_supplement_goes_back_to_the_customer() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app
        .approve_all(
            &shop,
            &app.estimate(&shop, &app.check_in(&shop).await).await,
        )
        .await;
    let id = ro["id"].as_str().unwrap();
    app.set_status(&shop.technician.token, id, "in_progress")
        .await
        .ok(200);
    let r = app
        .post(
            &format!("/api/v1/repair-orders/{id}/estimate"),
            &shop.advisor.token,
            &json!({"jobs": [{"title": "Replace the cabin air filter", "pay_type": "customer", "lines": [
                {"kind": "part", "description": "Cabin air filter", "quantity": 1, "unit_price_cents": 3999}
            ]}]}),
        )
        .await;
    let ro = r.ok(200);
    assert_eq!(ro["status"], "awaiting_approval");
    assert_eq!(ro["estimate_version"], 2);
    assert_eq!(ro["jobs"][2]["estimate_version"], 2);
    // What was approved is still what is owed; the supplement waits.
    assert_eq!(ro["approved"]["total_cents"], 46_493);
    // Internal-only additions need nobody's approval and change no status.
    let r = app
        .post(
            &format!("/api/v1/repair-orders/{id}/estimate"),
            &shop.advisor.token,
            &json!({"jobs": [{"title": "Courtesy wash", "pay_type": "internal", "lines": [
                {"kind": "fee", "description": "Wash", "quantity": 1, "unit_price_cents": 0}
            ]}]}),
        )
        .await;
    assert_eq!(r.ok(200)["status"], "awaiting_approval");
}

#[tokio::test]
async fn bad_jobs_are_refused_by_field_path_and_nothing_is_added() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let other = app.shop_named("Other").await;
    let ro = app.check_in(&shop).await;
    let foreign_ro = app.check_in(&other).await;
    let id = ro["id"].as_str().unwrap();
    let path = format!("/api/v1/repair-orders/{id}/estimate");
    let good_line = json!({"kind": "labor", "description": "Oil change", "quantity": 1, "unit_price_cents": 4999});
    let good_job = json!({"title": "Change the oil", "pay_type": "customer", "lines": [good_line]});
    let before = app.fingerprint().await;
    let line_cases: Vec<(&str, Value)> = vec![
        ("quantity", json!(0)),
        ("quantity", json!(-1)),
        ("quantity", json!(1.234)),
        ("quantity", json!(1_000_000)),
        ("unit_price_cents", json!(-100)),
        ("unit_price_cents", json!(999_999_999_999i64)),
        ("kind", json!("magic")),
        ("description", json!("")),
        ("description", json!("Pads\nand rotors")),
        ("description", json!("Pads\u{202E}srotor")),
    ];
    for (field, value) in line_cases {
        let mut job = good_job.clone();
        job["lines"][0][field] = value.clone();
        let body = json!({"jobs": [good_job, job]});
        let r = app.post(&path, &shop.advisor.token, &body).await;
        r.problem(422, "validation");
        assert_eq!(
            r.fields(),
            vec![format!("jobs[1].lines[0].{field}")],
            "{field}={value}"
        );
    }
    let job_cases: Vec<(&str, Value)> = vec![
        ("pay_type", json!("insurance")),
        ("title", json!(" ")),
        ("title", json!("Brakes\u{200B}")),
        ("concern_id", foreign_ro["concerns"][0]["id"].clone()),
        ("discount_cents", json!(-5)),
        ("discount_cents", json!(5_000)),
        ("lines", json!([])),
    ];
    for (field, value) in job_cases {
        let mut job = good_job.clone();
        job[field] = value.clone();
        let r = app
            .post(&path, &shop.advisor.token, &json!({"jobs": [job]}))
            .await;
        r.problem(422, "validation");
        assert_eq!(
            r.fields(),
            vec![format!("jobs[0].{field}")],
            "{field}={value}"
        );
    }
    // Every bad field of the request at once.
    let r = app
        .post(
            &path,
            &shop.advisor.token,
            &json!({"discount_cents": -1, "jobs": [
                {"title": "", "pay_type": "gift", "lines": [{"kind": "labor", "description": "x", "quantity": 0, "unit_price_cents": 1}]},
                {"title": "Wipers", "pay_type": "customer", "lines": [good_line, {"kind": "part", "description": "", "quantity": 1, "unit_price_cents": -1}]}
            ]}),
        )
        .await;
    r.problem(422, "validation");
    assert_eq!(
        r.fields(),
        vec![
            "discount_cents",
            "jobs[0].title",
            "jobs[0].pay_type",
            "jobs[0].lines[0].quantity",
            "jobs[1].lines[1].description",
            "jobs[1].lines[1].unit_price_cents",
        ]
    );
    app.post(&path, &shop.advisor.token, &json!({"jobs": []}))
        .await
        .problem(422, "validation");
    let mut job = good_job.clone();
    job["lines"][0]["unit_price_cents"] = json!(49.99);
    app.post(&path, &shop.advisor.token, &json!({"jobs": [job]}))
        .await
        .problem(422, "invalid-body");
    // Lines carry no pay type of their own: the job's applies to all.
    let mut job = good_job.clone();
    job["lines"][0]["pay_type"] = json!("warranty");
    app.post(&path, &shop.advisor.token, &json!({"jobs": [job]}))
        .await
        .problem(422, "invalid-body");
    // Technicians and cashiers do not write estimates.
    app.post(&path, &shop.technician.token, &json!({"jobs": [good_job]}))
        .await
        .problem(403, "forbidden");
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn no_estimate_once_work_is_complete() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.work_complete(&shop).await;
    let id = ro["id"].as_str().unwrap();
    let before = app.fingerprint().await;
    let r = app
        .post(
            &format!("/api/v1/repair-orders/{id}/estimate"),
            &shop.advisor.token,
            &json!({"jobs": [{"title": "Wipers", "pay_type": "customer", "lines": [
                {"kind": "part", "description": "Wiper blades", "quantity": 1, "unit_price_cents": 2500}
            ]}]}),
        )
        .await;
    r.problem(409, "estimate-closed");
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn the_advisor_hears_of_decisions_someone_else_recorded() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let id = ro["id"].as_str().unwrap().to_owned();
    let ro = app
        .post(
            &format!("/api/v1/repair-orders/{id}/estimate"),
            &shop.advisor.token,
            &json!({"jobs": [
                {"title": "Replace the front brake pads", "pay_type": "customer", "lines": [
                    {"kind": "part", "description": "Brake pads (set)", "quantity": 1, "unit_price_cents": 15950}]},
                {"title": "Replace the wiper blades", "pay_type": "customer", "lines": [
                    {"kind": "part", "description": "Wiper blades", "quantity": 2, "unit_price_cents": 1500}]}
            ]}),
        )
        .await
        .ok(200)
        .clone();
    app.post(
        &approvals(&id),
        &shop.advisor.token,
        &decide(&ro["jobs"][0], "approved"),
    )
    .await
    .ok(200);
    app.post(
        &approvals(&id),
        &shop.manager.token,
        &decide(&ro["jobs"][1], "declined"),
    )
    .await
    .ok(200);
    let timeline = app
        .get(
            &format!("/api/v1/repair-orders/{id}/timeline"),
            &shop.advisor.token,
        )
        .await;
    let told: Vec<&Value> = timeline.body["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "staff_decision")
        .collect();
    assert_eq!(told.len(), 1, "only for the manager's decision");
    let body = told[0]["body"].as_str().unwrap();
    assert!(body.contains("declined 1 job on the estimate"), "{body}");
    assert!(body.contains("Every job is answered"), "{body}");
}

#[tokio::test]
async fn shop_jargon_is_flagged_but_the_estimate_is_written() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let id = ro["id"].as_str().unwrap();
    let r = app
        .post(
            &format!("/api/v1/repair-orders/{id}/estimate"),
            &shop.advisor.token,
            &json!({"jobs": [{"title": "R&R front pads per TSB", "pay_type": "customer", "lines": [
                {"kind": "labor", "description": "Pads w/ OEM hardware", "quantity": 1, "unit_price_cents": 9000}
            ]}]}),
        )
        .await;
    let ro = r.ok(200);
    assert_eq!(ro["jobs"][0]["title"], "R&R front pads per TSB");
    // The customer reads Spanish: the suggestions are in Spanish.
    assert_eq!(
        ro["jargon"],
        json!([
            {"field": "jobs[0].title", "term": "R&R", "suggestion": "reemplazar"},
            {"field": "jobs[0].title", "term": "TSB", "suggestion": "boletín de servicio del fabricante"},
            {"field": "jobs[0].lines[0].description", "term": "w/", "suggestion": "con"},
            {"field": "jobs[0].lines[0].description", "term": "OEM", "suggestion": "pieza original de fábrica"},
        ])
    );
    // Reads carry no warnings: they are about what a request wrote.
    let got = app
        .get(&format!("/api/v1/repair-orders/{id}"), &shop.advisor.token)
        .await;
    assert_eq!(got.ok(200)["jargon"], json!([]));
}

#[tokio::test]
async fn every_text_staff_write_for_the_customer_is_checked_for_jargon() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let id = ro["id"].as_str().unwrap();
    let promised = app.now() + chrono::Duration::hours(30);
    let r = app
        .put(
            &format!("/api/v1/repair-orders/{id}/promised-at"),
            &shop.advisor.token,
            &json!({"promised_at": promised.to_rfc3339(), "reason": "Esperamos la pieza OEM del TSB"}),
        )
        .await;
    let terms: Vec<&str> = r.ok(200)["jargon"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["term"].as_str().unwrap())
        .collect();
    assert_eq!(terms, vec!["OEM", "TSB"]);
    let r = app
        .post(
            &format!("/api/v1/repair-orders/{id}/messages"),
            &shop.advisor.token,
            &json!({"body": "Hicimos el diag: hay un DTC del sensor."}),
        )
        .await;
    let body = r.ok(201);
    assert_eq!(
        body["body"], "Hicimos el diag: hay un DTC del sensor.",
        "sent as written"
    );
    assert_eq!(
        body["jargon"],
        json!([
            {"field": "body", "term": "diag", "suggestion": "diagnóstico"},
            {"field": "body", "term": "DTC", "suggestion": "código de falla"},
        ])
    );
}
