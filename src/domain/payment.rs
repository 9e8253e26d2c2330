//! How customers pay.

use super::validation::string_enum;

string_enum!(
    /// How the customer paid. Never a card number: card payments go
    /// through the terminal, and only the method is recorded here.
    PaymentMethod {
        CardPresent => "card_present",
        Cash => "cash",
        Check => "check",
        Online => "online",
        Account => "account",
    }
);

string_enum!(
    /// Where a Stripe Checkout Session stands for us.
    CheckoutState {
        /// Stripe may still take the payment on it.
        Open => "open",
        /// Paid: the payment is recorded.
        Completed => "completed",
        /// Ended unpaid, or expired by us when the balance changed.
        Expired => "expired",
    }
);

string_enum!(
    /// Where a refund stands. Online money goes back through Stripe, sent by
    /// the worker (`pending` → `sending` → `refunded`); money taken at the
    /// counter is paid back by the cashier, who confirms it (`with_cashier`
    /// → `refunded`). An online refund Stripe refuses for good goes to the
    /// cashier too, so no refund is ever dropped.
    RefundState {
        Pending => "pending",
        Sending => "sending",
        WithCashier => "with_cashier",
        Refunded => "refunded",
    }
);

impl PaymentMethod {
    /// Whether money taken this way goes back without anyone at the counter.
    pub fn refunds_online(self) -> bool {
        match self {
            Self::Online => true,
            Self::CardPresent | Self::Cash | Self::Check | Self::Account => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods() {
        assert_eq!(
            PaymentMethod::parse("card_present").unwrap(),
            PaymentMethod::CardPresent
        );
        assert!(PaymentMethod::parse("card_number").is_err());
        assert_eq!(PaymentMethod::ALL.len(), 5);
    }
}
