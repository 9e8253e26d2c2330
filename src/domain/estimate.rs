//! The estimate's vocabulary: jobs (operations) approved or declined as a
//! whole, and the kinds of line they hold.
//!
//! Warranty and internal jobs are shown on the estimate (the customer likes
//! to know what the manufacturer covered) but are never the customer's to
//! pay and never taxed. Declined jobs count for nothing. Every customer-pay
//! job needs the customer's approval before work on it starts. The bill
//! itself is computed in `bill`.

use super::validation::Invalid;

use super::validation::string_enum;

string_enum!(
    /// What a line charges for.
    LineKind { Labor => "labor", Part => "part", Fee => "fee", Sublet => "sublet" }
);

string_enum!(
    /// Who pays for a job.
    PayType { Customer => "customer", Warranty => "warranty", Internal => "internal" }
);

string_enum!(
    /// The customer's decision on a job.
    Approval {
        NotRequired => "not_required",
        Pending => "pending",
        Approved => "approved",
        Declined => "declined",
    }
);

string_enum!(
    /// A decision the customer can make on a pending or declined job.
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
            (Self::Approved, _) => Err(Invalid::new("this job is already approved")),
            (Self::NotRequired, _) => Err(Invalid::new(
                "this job is not paid by the customer and needs no approval",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
