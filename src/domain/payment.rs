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
