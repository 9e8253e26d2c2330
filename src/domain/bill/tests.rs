use super::*;
use proptest::prelude::*;

fn rules(rate_bp: i64, taxable: &[LineKind], supplies_bp: i64, cap: i64) -> TaxRules {
    TaxRules {
        rate: TaxRate::parse(rate_bp).unwrap(),
        taxable: TaxableKinds::from_kinds(taxable),
        shop_supplies: ShopSupplies::parse(supplies_bp, cap).unwrap(),
    }
}

fn job(pay_type: PayType, approval: Approval, lines: &[(LineKind, i64)]) -> PricedJob {
    PricedJob {
        pay_type,
        approval,
        discount: Cents::ZERO,
        lines: lines
            .iter()
            .map(|(kind, cents)| PricedLine {
                kind: *kind,
                amount: Cents(*cents),
            })
            .collect(),
    }
}

use LineKind::{Fee, Labor, Part, Sublet};

/// A state that taxes labor and parts alike, 8.25 %: front brakes (1.5 h at
/// $180 and a $159.50 pad set) for the customer, an oxygen sensor under
/// warranty. Tax on $429.50 = $35.43375 → $35.43; the customer pays $464.93.
#[test]
fn worked_example_a_state_that_taxes_labor() {
    let jobs = [
        job(
            PayType::Customer,
            Approval::Approved,
            &[(Labor, 27_000), (Part, 15_950)],
        ),
        job(PayType::Warranty, Approval::NotRequired, &[(Labor, 22_000)]),
    ];
    let t = totals(
        &jobs,
        &rules(825, &[Labor, Part, Fee, Sublet], 0, 0),
        Cents::ZERO,
        Cents::ZERO,
    );
    assert_eq!(t.proposed.subtotal, Cents(42_950));
    assert_eq!(t.proposed.tax, Cents(3_543));
    assert_eq!(t.proposed.total, Cents(46_493));
    assert_eq!(t.warranty, Cents(22_000));
    assert_eq!(t.balance_due, Cents(46_493));
}

/// Chicago, 10.25 %, where labor stated apart from parts is not taxed: the
/// same brakes, with a shop-supplies fee of 5 % of labor capped at $35
/// ($13.50, taxed like the parts). Tax on $159.50 + $13.50 = $173.00 is
/// $17.7325 → $17.73; the customer pays $270 + $159.50 + $13.50 + $17.73.
#[test]
fn worked_example_a_state_that_does_not_tax_labor() {
    let jobs = [job(
        PayType::Customer,
        Approval::Approved,
        &[(Labor, 27_000), (Part, 15_950)],
    )];
    let t = totals(
        &jobs,
        &rules(1_025, &[Part, Fee], 500, 3_500),
        Cents::ZERO,
        Cents::ZERO,
    );
    assert_eq!(t.proposed.shop_supplies, Cents(1_350));
    assert_eq!(t.proposed.taxable, Cents(17_300));
    assert_eq!(t.proposed.tax, Cents(1_773));
    assert_eq!(t.proposed.total, Cents(46_073));
}

#[test]
fn the_shop_supplies_fee_stops_at_its_cap() {
    let jobs = [job(
        PayType::Customer,
        Approval::Approved,
        &[(Labor, 200_000)],
    )];
    let t = totals(
        &jobs,
        &rules(0, &[], 1_000, 3_500),
        Cents::ZERO,
        Cents::ZERO,
    );
    assert_eq!(t.proposed.shop_supplies, Cents(3_500));
}

#[test]
fn discounts_never_go_below_zero_and_take_their_share_of_the_tax() {
    let mut brakes = job(
        PayType::Customer,
        Approval::Approved,
        &[(Labor, 10_000), (Part, 10_000)],
    );
    brakes.discount = Cents(50_000);
    assert_eq!(brakes.subtotal(), Cents::ZERO);
    brakes.discount = Cents(2_000);
    // Only parts are taxed: the $20 discount takes $10 off the taxable $100.
    let t = totals(
        &[brakes],
        &rules(1_000, &[Part], 0, 0),
        Cents(100_000),
        Cents::ZERO,
    );
    assert_eq!(
        t.proposed.ro_discount,
        Cents(18_000),
        "the RO's discount stops at zero"
    );
    assert_eq!(t.proposed.subtotal, Cents::ZERO);
    assert_eq!(t.proposed.tax, Cents::ZERO);
}

#[test]
fn what_is_owed_is_what_was_approved() {
    let jobs = [
        job(PayType::Customer, Approval::Approved, &[(Labor, 10_000)]),
        job(PayType::Customer, Approval::Pending, &[(Part, 5_000)]),
        job(PayType::Customer, Approval::Declined, &[(Part, 7_000)]),
        job(PayType::Internal, Approval::NotRequired, &[(Labor, 3_000)]),
    ];
    let t = totals(&jobs, &rules(0, &[], 0, 0), Cents::ZERO, Cents(4_000));
    assert_eq!(
        t.proposed.total,
        Cents(15_000),
        "if everything pending is approved"
    );
    assert_eq!(t.approved.total, Cents(10_000));
    assert_eq!(t.balance_due, Cents(6_000));
    assert_eq!(t.declined, Cents(7_000));
    assert_eq!(t.internal, Cents(3_000));
}

#[test]
fn tax_is_on_the_sum_not_per_line() {
    // Per line: 0.4125 + 0.4125 would round to 0 + 0; on the sum 0.825 → 1.
    let jobs = [job(
        PayType::Customer,
        Approval::Approved,
        &[(Labor, 5), (Labor, 5)],
    )];
    let t = totals(&jobs, &rules(825, &[Labor], 0, 0), Cents::ZERO, Cents::ZERO);
    assert_eq!(t.proposed.tax, Cents(1));
}

#[test]
fn taxable_kinds_read_and_write_their_names() {
    let k: TaxableKinds = "part, fee".parse().unwrap();
    assert!(k.contains(Part) && k.contains(Fee) && !k.contains(Labor));
    assert_eq!(k.to_string(), "part,fee");
    assert_eq!("".parse::<TaxableKinds>().unwrap().to_string(), "");
    assert!("parts".parse::<TaxableKinds>().is_err());
    assert_eq!(TaxableKinds::default().to_string(), "labor,part,fee,sublet");
}

fn any_job() -> impl Strategy<Value = PricedJob> {
    let kind = prop_oneof![Just(Labor), Just(Part), Just(Fee), Just(Sublet)];
    let pay = prop_oneof![
        4 => Just(PayType::Customer),
        1 => Just(PayType::Warranty),
        1 => Just(PayType::Internal)
    ];
    let approval = prop_oneof![
        Just(Approval::Pending),
        Just(Approval::Approved),
        Just(Approval::Declined)
    ];
    (
        pay,
        approval,
        0i64..60_000,
        prop::collection::vec((kind, 0i64..500_000), 1..6),
    )
        .prop_map(|(pay_type, approval, discount, lines)| PricedJob {
            approval: if pay_type == PayType::Customer {
                approval
            } else {
                Approval::NotRequired
            },
            pay_type,
            discount: Cents(discount),
            lines: lines
                .into_iter()
                .map(|(kind, cents)| PricedLine {
                    kind,
                    amount: Cents(cents),
                })
                .collect(),
        })
}

fn any_rules() -> impl Strategy<Value = TaxRules> {
    (0i64..=5_000, 0u8..16, 0i64..=2_000, 1i64..=50_000).prop_map(|(rate, bits, bp, cap)| {
        TaxRules {
            rate: TaxRate::parse(rate).unwrap(),
            taxable: TaxableKinds(bits),
            shop_supplies: ShopSupplies::parse(bp, cap).unwrap(),
        }
    })
}

proptest! {
    /// Every total shown equals the sum of the parts shown beside it, to the
    /// cent; nothing is negative; what is owed never exceeds the proposal.
    #[test]
    fn every_total_is_the_sum_of_its_parts(
        jobs in prop::collection::vec(any_job(), 0..8),
        rules in any_rules(),
        ro_discount in 0i64..300_000,
        paid in 0i64..2_000_000,
    ) {
        let t = totals(&jobs, &rules, Cents(ro_discount), Cents(paid));
        for j in &jobs {
            let lines: Cents = j.lines.iter().map(|l| l.amount).sum();
            prop_assert_eq!(j.subtotal() + j.discount_applied(), lines);
            prop_assert!(j.subtotal() >= Cents::ZERO);
        }
        for (scope, keep) in [
            (t.proposed, (|a: Approval| a != Approval::Declined) as fn(Approval) -> bool),
            (t.approved, |a: Approval| a == Approval::Approved),
        ] {
            let jobs_sum: Cents = jobs
                .iter()
                .filter(|j| j.pay_type == PayType::Customer && keep(j.approval))
                .map(PricedJob::subtotal)
                .sum();
            prop_assert_eq!(scope.subtotal, jobs_sum + scope.shop_supplies - scope.ro_discount);
            prop_assert_eq!(scope.total, scope.subtotal + scope.tax);
            prop_assert_eq!(scope.tax, rules.rate.tax_on(scope.taxable));
            prop_assert!(scope.subtotal >= Cents::ZERO && scope.tax >= Cents::ZERO);
            prop_assert!(scope.taxable >= Cents::ZERO && scope.taxable <= scope.subtotal);
            prop_assert!(scope.shop_supplies <= rules.shop_supplies.cap);
        }
        prop_assert!(t.approved.total <= t.proposed.total);
        prop_assert_eq!(t.balance_due, Cents((t.approved.total - t.paid).0.max(0)));
        let covered: Cents = jobs
            .iter()
            .filter(|j| j.pay_type == PayType::Warranty)
            .map(PricedJob::subtotal)
            .sum();
        prop_assert_eq!(t.warranty, covered);
    }
}
