//! Phone numbers, always stored and sent in E.164 (`+13125550142`).

use super::validation::Invalid;
use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An ISO 3166-1 alpha-2 country code that the phone library knows.
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country(phonenumber::country::Id);

impl Country {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let code = raw.trim().to_ascii_uppercase();
        if code.len() != 2 {
            return Err(Invalid::new(
                "must be a two-letter ISO 3166 country code such as US",
            ));
        }
        phonenumber::country::Id::from_str(&code)
            .map(Self)
            .map_err(|_| Invalid::new(format!("{code} is not a country code we know")))
    }

    pub fn code(&self) -> &str {
        self.0.as_ref()
    }

    /// Vehicles built for the North American market carry a VIN check digit.
    pub fn requires_vin_check_digit(&self) -> bool {
        matches!(self.code(), "US" | "CA")
    }
}

/// A valid phone number in E.164 form.
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses what a person typed. Numbers without a `+` country prefix are
    /// read as local numbers of `default_region` (the dealership's country).
    pub fn parse(raw: &str, default_region: Country) -> Result<Self, Invalid> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(Invalid::new("must not be empty"));
        }
        if trimmed.len() > 32 {
            return Err(Invalid::new("is too long to be a phone number"));
        }
        // The phone library reads letters as keypad digits (1-800-FLOWERS),
        // so a mistyped O becomes a 6 and texts go to a stranger.
        if let Some(c) = trimmed.chars().find(|c| c.is_alphabetic()) {
            return Err(Invalid::new(format!(
                "must be digits: {c:?} is a letter (a typed O is not a 0)"
            )));
        }
        let number = phonenumber::parse(Some(default_region.0), trimmed)
            .map_err(|_| Invalid::new(format!("{trimmed:?} is not a phone number")))?;
        if !phonenumber::is_valid(&number) {
            return Err(Invalid::new(format!(
                "{trimmed:?} is not a valid phone number for {}",
                number.country().id().map_or_else(
                    || default_region.code().to_owned(),
                    |c| c.as_ref().to_owned()
                )
            )));
        }
        Ok(Self(
            number.format().mode(phonenumber::Mode::E164).to_string(),
        ))
    }

    /// Reads a number back in the E.164 form it is stored and sent in:
    /// `+` and 8 to 15 digits. Anything else was not written by this service.
    pub fn from_e164(raw: &str) -> Result<Self, Invalid> {
        let digits = raw.strip_prefix('+').unwrap_or_default();
        if (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Invalid::new(format!(
                "{raw:?} is not an E.164 phone number"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for PhoneNumber {
    type Err = Invalid;

    /// The stored form only; what people type goes through [`PhoneNumber::parse`].
    fn from_str(raw: &str) -> Result<Self, Invalid> {
        Self::from_e164(raw)
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Country {
    type Err = Invalid;

    fn from_str(raw: &str) -> Result<Self, Invalid> {
        Self::parse(raw)
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for PhoneNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us() -> Country {
        Country::parse("us").unwrap()
    }

    #[test]
    fn letters_are_refused_not_read_as_keypad_digits() {
        assert!(PhoneNumber::parse("+1415555O123", us()).is_err());
        assert!(PhoneNumber::parse("1-800-FLOWERS", us()).is_err());
        assert!(PhoneNumber::parse("(312) 555-0142 ext 4", us()).is_err());
    }

    #[test]
    fn local_numbers_use_the_dealership_country() {
        assert_eq!(
            PhoneNumber::parse("(312) 555-0142", us()).unwrap().as_str(),
            "+13125550142"
        );
        let mx = Country::parse("MX").unwrap();
        assert_eq!(
            PhoneNumber::parse("55 1234 5678", mx).unwrap().as_str(),
            "+525512345678"
        );
    }

    #[test]
    fn international_numbers_keep_their_country() {
        assert_eq!(
            PhoneNumber::parse("+44 20 7946 0958", us())
                .unwrap()
                .as_str(),
            "+442079460958"
        );
    }

    #[test]
    fn rejects_garbage_and_impossible_numbers() {
        for raw in [
            "",
            "hello",
            "123",
            "+1 555",
            "555-0000-0000-0000-0000-0000-0000-00",
        ] {
            assert!(PhoneNumber::parse(raw, us()).is_err(), "{raw}");
        }
    }

    #[test]
    fn countries() {
        assert_eq!(Country::parse(" ca ").unwrap().code(), "CA");
        assert!(Country::parse("USA").is_err());
        assert!(Country::parse("ZZ").is_err());
        assert!(Country::parse("CA").unwrap().requires_vin_check_digit());
        assert!(!Country::parse("DE").unwrap().requires_vin_check_digit());
    }
}
