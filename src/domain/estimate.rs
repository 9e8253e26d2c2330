//! Estimate lines and the totals the customer sees and pays.
//!
//! Warranty and internal lines are shown on the estimate (the customer likes
//! to know what the manufacturer covered) but are never the customer's to
//! pay and never taxed. Declined lines count for nothing. Every customer-pay
//! line needs the customer's approval before work on it starts.

use super::money::{Cents, TaxRate};
use super::validation::Invalid;

use super::validation::string_enum;

string_enum!(
    /// What a line charges for.
    LineKind { Labor => "labor", Part => "part", Fee => "fee" }
);

string_enum!(
    /// Who pays for a line.
    PayType { Customer => "customer", Warranty => "warranty", Internal => "internal" }
);

string_enum!(
    /// The customer's decision on a line.
    Approval {
        NotRequired => "not_required",
        Pending => "pending",
        Approved => "approved",
        Declined => "declined",
    }
);

string_enum!(
    /// A decision the customer can make on a pending or declined line.
    Decision { Approved => "approved", Declined => "declined" }
);

string_enum!(
    /// How the customer's decision reached us.
    DecisionChannel {
        Phone => "phone",
        InPerson => "in_person",
        Sms => "sms",
        Email => "email",
        StatusPage => "status_page",
    }
);

impl PayType {
    /// Only what the customer pays needs the customer's yes.
    pub fn initial_approval(self) -> Approval {
        match self {
            Self::Customer => Approval::Pending,
            Self::Warranty | Self::Internal => Approval::NotRequired,
        }
    }
}

impl Approval {
    /// Whether `decision` may be recorded now. Declined work can be approved
    /// later (the customer changed their mind); approved work is not undone
    /// here, because the technician may already have done it.
    pub fn can_become(self, decision: Decision) -> Result<Approval, Invalid> {
        match (self, decision) {
            (Self::Pending, Decision::Approved) | (Self::Declined, Decision::Approved) => {
                Ok(Self::Approved)
            }
            (Self::Pending, Decision::Declined) => Ok(Self::Declined),
            (Self::Declined, Decision::Declined) => Ok(Self::Declined),
            (Self::Approved, _) => Err(Invalid::new("this line is already approved")),
            (Self::NotRequired, _) => Err(Invalid::new(
                "this line is not paid by the customer and needs no approval",
            )),
        }
    }
}

/// What the totals need to know about a line.
#[derive(Debug, Clone, Copy)]
pub struct PricedLine {
    pub pay_type: PayType,
    pub approval: Approval,
    pub amount: Cents,
}

/// Every figure on the bill, computed in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// Customer-pay lines that are approved, pending or need no approval.
    pub subtotal: Cents,
    /// Tax on `subtotal`, rounded once.
    pub tax: Cents,
    /// What the customer pays in all: `subtotal + tax`.
    pub total: Cents,
    /// What warranty covers (shown, never billed).
    pub warranty: Cents,
    /// What the dealership absorbs (shown, never billed).
    pub internal: Cents,
    /// Customer-pay lines the customer declined.
    pub declined: Cents,
    pub paid: Cents,
    /// `total - paid`, never below zero.
    pub balance_due: Cents,
}

pub fn totals(lines: &[PricedLine], rate: TaxRate, paid: Cents) -> Totals {
    let counted = |pay: PayType| -> Cents {
        lines
            .iter()
            .filter(|l| l.pay_type == pay && l.approval != Approval::Declined)
            .map(|l| l.amount)
            .sum()
    };
    let subtotal = counted(PayType::Customer);
    let tax = rate.tax_on(subtotal);
    let total = subtotal + tax;
    Totals {
        subtotal,
        tax,
        total,
        warranty: counted(PayType::Warranty),
        internal: counted(PayType::Internal),
        declined: lines
            .iter()
            .filter(|l| l.approval == Approval::Declined)
            .map(|l| l.amount)
            .sum(),
        paid,
        balance_due: Cents((total - paid).0.max(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(pay_type: PayType, approval: Approval, cents: i64) -> PricedLine {
        PricedLine {
            pay_type,
            approval,
            amount: Cents(cents),
        }
    }

    #[test]
    fn warranty_internal_and_declined_are_not_billed() {
        let lines = [
            line(PayType::Customer, Approval::Approved, 27_000),
            line(PayType::Customer, Approval::Pending, 15_950),
            line(PayType::Customer, Approval::Declined, 9_999),
            line(PayType::Warranty, Approval::NotRequired, 50_000),
            line(PayType::Internal, Approval::NotRequired, 1_500),
        ];
        let t = totals(&lines, TaxRate::parse(825).unwrap(), Cents(10_000));
        assert_eq!(t.subtotal, Cents(42_950));
        assert_eq!(t.tax, Cents(3_543));
        assert_eq!(t.total, Cents(46_493));
        assert_eq!(t.warranty, Cents(50_000));
        assert_eq!(t.internal, Cents(1_500));
        assert_eq!(t.declined, Cents(9_999));
        assert_eq!(t.balance_due, Cents(36_493));
    }

    #[test]
    fn tax_is_on_the_sum_not_per_line() {
        // Per line: 0.4125 + 0.4125 would round to 0 + 0; on the sum 0.825 → 1.
        let lines = [
            line(PayType::Customer, Approval::Approved, 5),
            line(PayType::Customer, Approval::Approved, 5),
        ];
        let t = totals(&lines, TaxRate::parse(825).unwrap(), Cents::ZERO);
        assert_eq!(t.tax, Cents(1));
    }

    #[test]
    fn balance_never_negative() {
        let t = totals(&[], TaxRate::parse(0).unwrap(), Cents(100));
        assert_eq!(t.balance_due, Cents(0));
    }

    #[test]
    fn approvals() {
        assert_eq!(PayType::Customer.initial_approval(), Approval::Pending);
        assert_eq!(PayType::Warranty.initial_approval(), Approval::NotRequired);
        assert_eq!(
            Approval::Declined.can_become(Decision::Approved).unwrap(),
            Approval::Approved
        );
        assert!(Approval::Approved.can_become(Decision::Declined).is_err());
        assert!(
            Approval::NotRequired
                .can_become(Decision::Approved)
                .is_err()
        );
    }

    #[test]
    fn string_enums_round_trip() {
        for k in LineKind::ALL {
            assert_eq!(LineKind::parse(k.as_str()).unwrap(), *k);
        }
        assert!(PayType::parse("Customer").is_err());
        assert!(
            DecisionChannel::parse("fax")
                .unwrap_err()
                .0
                .contains("phone")
        );
    }
}
