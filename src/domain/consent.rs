//! Consent to receive text messages: no SMS is ever sent without a record of
//! when and how the customer agreed (TCPA in the US, CASL in Canada).

use super::validation::Invalid;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// How the customer agreed to receive texts.
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMethod {
    /// Asked at the service drive and said yes.
    InPerson,
    /// Signed a form (the RO or a consent card).
    Written,
    /// Ticked a box online (scheduling site, status page).
    Web,
    /// Replied START or YES to a text.
    Sms,
}

impl ConsentMethod {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw {
            "in_person" => Ok(Self::InPerson),
            "written" => Ok(Self::Written),
            "web" => Ok(Self::Web),
            "sms" => Ok(Self::Sms),
            other => Err(Invalid::new(format!(
                "{other:?} is not a consent method; use in_person, written, web or sms"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InPerson => "in_person",
            Self::Written => "written",
            Self::Web => "web",
            Self::Sms => "sms",
        }
    }
}

impl std::fmt::Display for ConsentMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ConsentMethod {
    type Err = Invalid;

    fn from_str(raw: &str) -> Result<Self, Invalid> {
        Self::parse(raw)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SmsConsent {
    pub given_at: DateTime<Utc>,
    pub method: ConsentMethod,
}

impl SmsConsent {
    /// Consent recorded at `now` unless the client says it was given earlier;
    /// consent from the future is a mistake.
    pub fn parse(
        method: ConsentMethod,
        given_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Self, Invalid> {
        let given_at = given_at.unwrap_or(now);
        if given_at > now + chrono::Duration::minutes(5) {
            return Err(Invalid::new("consent cannot have been given in the future"));
        }
        Ok(Self { given_at, method })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn defaults_to_now_and_refuses_the_future() {
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap();
        let c = SmsConsent::parse(ConsentMethod::InPerson, None, now).unwrap();
        assert_eq!(c.given_at, now);
        let later = now + chrono::Duration::hours(1);
        assert!(SmsConsent::parse(ConsentMethod::Web, Some(later), now).is_err());
        assert!(ConsentMethod::parse("carrier pigeon").is_err());
        assert_eq!(ConsentMethod::parse("sms").unwrap().as_str(), "sms");
    }
}
