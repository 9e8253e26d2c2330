use super::*;
use crate::domain::availability::{Leave, Live, WeeklyShift};
use chrono::{NaiveTime, TimeZone, Weekday};

const TZ: Tz = chrono_tz::America::Chicago;

/// Monday 2 March 2026, 10:00 in Chicago.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 16, 0, 0).unwrap()
}

fn weekdays_nine_to_five() -> Vec<WeeklyShift> {
    [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ]
    .into_iter()
    .map(|weekday| WeeklyShift {
        weekday,
        start: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        end: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
    })
    .collect()
}

fn person(name: &str, role: Role, live: Live) -> Colleague {
    Colleague {
        staff_id: StaffId::generate(),
        name: name.into(),
        role,
        active: true,
        schedule: Schedule {
            live,
            shifts: weekdays_nine_to_five(),
            leave: vec![],
        },
        delegates: vec![],
    }
}

fn off() -> Live {
    Live::Off { since: None }
}

#[test]
fn a_question_for_someone_at_their_desk_goes_straight_to_them() {
    let ana = person("Ana Lopez", Role::Advisor, Live::OnDuty);
    let r = route(
        Addressee::Person(ana.staff_id),
        std::slice::from_ref(&ana),
        now(),
        TZ,
    )
    .unwrap();
    assert_eq!(r.routed_to, ana.staff_id);
    assert!(!r.waiting && r.skipped.is_empty());
}

#[test]
fn the_advisor_on_a_break_is_covered_by_the_first_delegate_who_is_here() {
    let mut ana = person(
        "Ana Lopez",
        Role::Advisor,
        Live::OnBreak {
            until: now() + Duration::minutes(20),
        },
    );
    let ben = person("Ben Ortiz", Role::Advisor, off());
    let cy = person("Cy Park", Role::Manager, Live::OnDuty);
    ana.delegates = vec![ben.staff_id, cy.staff_id];
    let staff = [ana.clone(), ben.clone(), cy.clone()];
    let r = route(Addressee::Person(ana.staff_id), &staff, now(), TZ).unwrap();
    assert_eq!(r.routed_to, cy.staff_id);
    assert_eq!(r.role, Role::Manager);
    let why: Vec<(&str, &str)> = r
        .skipped
        .iter()
        .map(|s| (s.name.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        why,
        [
            ("Ana Lopez", "on break until 10:20"),
            ("Ben Ortiz", "not clocked in")
        ]
    );
}

#[test]
fn with_nobody_here_it_waits_for_the_addressee_and_says_when_they_are_due_back() {
    let ana = person("Ana Lopez", Role::Advisor, off());
    let r = route(
        Addressee::Person(ana.staff_id),
        std::slice::from_ref(&ana),
        now(),
        TZ,
    )
    .unwrap();
    assert_eq!(r.routed_to, ana.staff_id);
    assert!(r.waiting);
    assert_eq!(r.skipped.len(), 1);
    // Off and not clocked in: expected at the next shift's start.
    assert!(r.expected_at.is_some_and(|t| t > now()), "{r:?}");
}

#[test]
fn time_off_is_a_reason_to_pass_someone_over() {
    let mut ana = person("Ana Lopez", Role::Advisor, Live::OnDuty);
    ana.schedule.leave = vec![Leave {
        from: now() - Duration::hours(1),
        to: now() + Duration::days(2),
    }];
    let ben = person("Ben Ortiz", Role::Advisor, Live::OnDuty);
    ana.delegates = vec![ben.staff_id];
    let r = route(
        Addressee::Person(ana.staff_id),
        &[ana, ben.clone()],
        now(),
        TZ,
    )
    .unwrap();
    assert_eq!(r.routed_to, ben.staff_id);
    assert!(r.skipped[0].reason.starts_with("on leave until"), "{r:?}");
}

#[test]
fn a_question_for_the_cashiers_goes_to_the_first_one_on_duty() {
    let rosa = person("Rosa Vega", Role::Cashier, off());
    let sam = person("Sam Lee", Role::Cashier, Live::OnDuty);
    let ana = person("Ana Lopez", Role::Advisor, Live::OnDuty);
    let staff = [ana, rosa.clone(), sam.clone()];
    let r = route(Addressee::Role(Role::Cashier), &staff, now(), TZ).unwrap();
    assert_eq!(r.routed_to, sam.staff_id);
    assert_eq!(r.skipped.len(), 1);
    assert_eq!(r.skipped[0].staff_id, rosa.staff_id);
}

#[test]
fn a_role_with_nobody_on_duty_waits_for_whoever_is_back_first() {
    let rosa = person("Rosa Vega", Role::Cashier, off());
    let sam = person(
        "Sam Lee",
        Role::Cashier,
        Live::OnBreak {
            until: now() + Duration::minutes(15),
        },
    );
    let r = route(
        Addressee::Role(Role::Cashier),
        &[rosa, sam.clone()],
        now(),
        TZ,
    )
    .unwrap();
    assert_eq!(r.routed_to, sam.staff_id, "back from the break first");
    assert!(r.waiting);
    assert_eq!(r.expected_at, Some(now() + Duration::minutes(15)));
}

#[test]
fn someone_who_left_is_passed_over_for_their_delegate() {
    let mut ana = person("Ana Lopez", Role::Advisor, Live::OnDuty);
    ana.active = false;
    let ben = person("Ben Ortiz", Role::Advisor, off());
    ana.delegates = vec![ben.staff_id];
    let r = route(
        Addressee::Person(ana.staff_id),
        &[ana, ben.clone()],
        now(),
        TZ,
    )
    .unwrap();
    assert_eq!(r.skipped[0].reason, "no longer works here");
    assert_eq!(
        r.routed_to, ben.staff_id,
        "waits for the delegate, not the departed"
    );
    assert!(r.waiting);
}

#[test]
fn nobody_to_ask_is_said_plainly() {
    let ana = person("Ana Lopez", Role::Advisor, Live::OnDuty);
    assert_eq!(
        route(
            Addressee::Role(Role::Technician),
            std::slice::from_ref(&ana),
            now(),
            TZ
        ),
        Err(Unroutable::NobodyInRole(Role::Technician))
    );
    assert_eq!(
        route(Addressee::Person(StaffId::generate()), &[ana], now(), TZ),
        Err(Unroutable::UnknownPerson)
    );
}
