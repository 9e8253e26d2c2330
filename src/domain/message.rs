//! What the outbox and the conversation store about a message: which
//! message it is, by which channel, to whom, and which way it went.

use super::validation::string_enum;

string_enum!(
    /// How a text or email leaves: the outbox's channels.
    Channel { Sms => "sms", Email => "email" }
);

string_enum!(
    /// Who an outbox message is for.
    RecipientKind { Customer => "customer", Staff => "staff" }
);

string_enum!(
    /// Which message it is: names its templates (config/templates/{lang}/{kind}.*.j2).
    MessageKind {
        CheckedIn => "checked_in",
        Estimate => "estimate",
        PromisedChanged => "promised_changed",
        WaitingParts => "waiting_parts",
        Progress => "progress",
        Ready => "ready",
        PickedUp => "picked_up",
        Reply => "reply",
        HandoverChanged => "handover_changed",
        PickupLater => "pickup_later",
        /// The receipt for a payment made from the phone.
        PaidOnline => "paid_online",
        /// Money owed back: how much, why, and how it comes back.
        Credit => "credit",
        /// The answer to HELP, sent in the webhook's reply, never stored.
        Help => "help",
        /// The confirmation of a stop the carrier did not see (Spanish
        /// words, a phrase), sent in the webhook's reply, never stored.
        OptedOut => "opted_out",
        StaffCustomerMessage => "staff_customer_message",
        StaffDecision => "staff_decision",
        StaffCashierReady => "staff_cashier_ready",
        StaffEscalation => "staff_escalation",
        StaffDeliveryFailed => "staff_delivery_failed",
        StaffCustomerArrived => "staff_customer_arrived",
        /// A new account's link to set a desk password.
        StaffInvitation => "staff_invitation",
        /// A customer paid from their phone (and whether it matched).
        StaffPaidOnline => "staff_paid_online",
        /// Money to hand back at the counter.
        StaffRefund => "staff_refund",
        /// A colleague's request, for the person who has it.
        StaffRequest => "staff_request",
        /// The answer, for the person who asked.
        StaffRequestAnswered => "staff_request_answered",
        /// A request nobody answered in time, for the managers.
        StaffRequestEscalated => "staff_request_escalated",
        /// The same, for the person who asked.
        StaffRequestLate => "staff_request_late",
    }
);

/// Who reads a kind of message, which decides the templates it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Texts and multipart emails, in every language.
    Customer,
    /// Texts and plain emails, in English.
    Staff,
    /// A text only (HELP).
    TextOnly,
}

impl MessageKind {
    pub fn audience(self) -> Audience {
        use MessageKind::*;
        match self {
            CheckedIn | Estimate | PromisedChanged | WaitingParts | Progress | Ready | PickedUp
            | Reply | HandoverChanged | PickupLater | PaidOnline | Credit => Audience::Customer,
            Help | OptedOut => Audience::TextOnly,
            StaffCustomerMessage
            | StaffDecision
            | StaffCashierReady
            | StaffEscalation
            | StaffDeliveryFailed
            | StaffCustomerArrived
            | StaffInvitation
            | StaffPaidOnline
            | StaffRefund
            | StaffRequest
            | StaffRequestAnswered
            | StaffRequestEscalated
            | StaffRequestLate => Audience::Staff,
        }
    }
}

string_enum!(
    /// Which way a conversation message went.
    Direction { Inbound => "inbound", Outbound => "outbound" }
);

string_enum!(
    /// Where a conversation message was written.
    ConversationChannel {
        /// A text from the customer's phone.
        Sms => "sms",
        /// The customer's status page.
        StatusPage => "status_page",
        /// Staff, through the API (sent to the customer by text or email).
        Staff => "staff",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_kinds_are_the_staff_templates() {
        for kind in MessageKind::ALL {
            assert_eq!(
                kind.as_str().starts_with("staff_"),
                kind.audience() == Audience::Staff,
                "{kind}"
            );
        }
    }
}
