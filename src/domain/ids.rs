//! Identifiers. Each kind of record has its own type, so a staff id cannot be
//! passed where an RO id is meant. All are UUIDv7 (ordered by creation time)
//! and stored as text, the one portable type across both stores.

use super::validation::Invalid;

macro_rules! id_type {
    ($($(#[$m:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$m])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[serde(transparent)]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// A fresh id, ordered after every id made before it.
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7())
            }

            pub fn uuid(self) -> uuid::Uuid {
                self.0
            }
        }

        impl From<uuid::Uuid> for $name {
            fn from(id: uuid::Uuid) -> Self {
                Self(id)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = Invalid;

            fn from_str(raw: &str) -> Result<Self, Invalid> {
                uuid::Uuid::parse_str(raw)
                    .map(Self)
                    .map_err(|e| Invalid::new(format!("{raw:?} is not an id: {e}")))
            }
        }
    )+};
}

id_type!(
    DealershipId,
    StaffId,
    CustomerId,
    /// A repair order.
    RoId,
    ConcernId,
    /// A job (operation) on an estimate: lines approved or declined together.
    RepairJobId,
    LineId,
    PaymentId,
    /// Money owed back to a customer: a billing mistake put right.
    CreditId,
    /// One payment's share of a credit, paid back the way that money came.
    RefundId,
    /// An entry on an RO's timeline.
    EventId,
    /// A text or email in the outbox.
    NotificationId,
    /// A message in the conversation with a customer.
    MessageId,
    JobId,
    /// A question one colleague asks another.
    RequestId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_as_text_and_order_by_creation() {
        let a = RoId::generate();
        let b = RoId::generate();
        assert!(a < b);
        assert_eq!(a.to_string().parse::<RoId>().unwrap(), a);
        assert!("not-an-id".parse::<RoId>().is_err());
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            format!("\"{a}\""),
            "serialized as the bare UUID"
        );
    }
}
