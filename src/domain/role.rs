//! Who may do what. One table, so a reader can check it against the HTTP
//! contract in one look.

use super::validation::string_enum;

string_enum!(
    Role {
        Advisor => "advisor",
        Technician => "technician",
        Cashier => "cashier",
        Manager => "manager",
    }
);

/// Things staff do. Whether the person may do it to *this* RO (their own
/// dealership, their own handover) is checked where the RO is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    CreateStaff,
    ChangeSettings,
    ManageOthersPresence,
    CheckIn,
    WriteEstimate,
    RecordApproval,
    ChangePromisedTime,
    MoveWork,
    MarkReady,
    RecordHandover,
    Cancel,
    RecordPayment,
    ConfirmPickup,
    /// Credit a billing mistake and confirm a refund paid at the counter.
    IssueCredit,
    ViewRepairOrders,
}

impl Role {
    /// Managers can stand in for advisors (the service manager often writes
    /// ROs on a busy morning) but not for cashiers: money is handled by the
    /// people who count the drawer.
    pub fn may(self, permission: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match permission {
            CreateStaff | ChangeSettings | ManageOthersPresence => self == Manager,
            CheckIn | WriteEstimate | RecordApproval | ChangePromisedTime | MarkReady
            | RecordHandover | Cancel => matches!(self, Advisor | Manager),
            MoveWork => matches!(self, Advisor | Technician | Manager),
            RecordPayment | ConfirmPickup => self == Cashier,
            // Putting a bill right is the cashier's or the manager's call.
            IssueCredit => matches!(self, Cashier | Manager),
            ViewRepairOrders => true,
        }
    }

    /// Who can explain the work to a customer at pickup.
    pub fn can_hand_over(self) -> bool {
        matches!(self, Role::Advisor | Role::Manager)
    }
}

#[cfg(test)]
mod tests {
    use super::Permission::*;
    use super::Role::*;

    #[test]
    fn contract_permissions() {
        assert!(Advisor.may(CheckIn));
        assert!(!Technician.may(CheckIn));
        assert!(!Cashier.may(CheckIn));
        assert!(Technician.may(MoveWork));
        assert!(!Cashier.may(MoveWork));
        assert!(Cashier.may(RecordPayment) && Cashier.may(ConfirmPickup));
        assert!(!Advisor.may(RecordPayment) && !Manager.may(ConfirmPickup));
        assert!(Manager.may(CreateStaff) && !Advisor.may(CreateStaff));
        assert!(!Technician.may(MarkReady));
        for r in super::Role::ALL {
            assert!(r.may(ViewRepairOrders));
        }
        assert!(Advisor.can_hand_over() && !Cashier.can_hand_over());
    }
}
