//! Vehicle identification numbers (ISO 3779). Seventeen characters, never
//! I, O or Q; vehicles for the US and Canada carry a check digit in position
//! nine (49 CFR 565), which catches most typos made at the service drive.

use super::phone::Country;
use super::validation::Invalid;
use serde::{Serialize, Serializer};
use std::fmt;

#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vin(String);

const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

impl Vin {
    /// `country` is the dealership's: a US or Canadian dealership checks the
    /// check digit.
    pub fn parse(raw: &str, country: Country) -> Result<Self, Invalid> {
        let vin: String = raw
            .trim()
            .chars()
            .filter(|c| *c != ' ' && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if vin.chars().count() != 17 {
            return Err(Invalid::new(format!(
                "must be 17 characters, got {}",
                vin.chars().count()
            )));
        }
        if let Some(c) = vin.chars().find(|c| matches!(c, 'I' | 'O' | 'Q')) {
            return Err(Invalid::new(format!(
                "must not contain the letter {c} (VINs never use I, O or Q)"
            )));
        }
        if let Some(c) = vin.chars().find(|c| !c.is_ascii_alphanumeric()) {
            return Err(Invalid::new(format!("must not contain {c:?}")));
        }
        if country.requires_vin_check_digit() {
            let expected = check_digit(&vin);
            let actual = vin.as_bytes()[8] as char;
            if expected != actual {
                return Err(Invalid::new(format!(
                    "check digit (9th character) is {actual} but should be {expected}: please re-read the VIN"
                )));
            }
        }
        Ok(Self(vin))
    }

    /// Reads back a stored VIN: 17 characters, digits and capitals. (The
    /// check digit was checked when it was written, against the dealership's
    /// country.)
    pub fn from_stored(raw: &str) -> Result<Self, Invalid> {
        let ok = raw.len() == 17
            && raw
                .bytes()
                .all(|b| b.is_ascii_digit() || (b.is_ascii_uppercase() && !b"IOQ".contains(&b)));
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Invalid::new(format!("{raw:?} is not a stored VIN")))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The check digit a valid VIN carries in position nine.
pub fn check_digit(vin: &str) -> char {
    let sum: u32 = vin
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| transliterate(c) * w)
        .sum();
    match sum % 11 {
        10 => 'X',
        n => char::from_digit(n, 10).unwrap_or('X'),
    }
}

fn transliterate(c: char) -> u32 {
    match c {
        '0'..='9' => c as u32 - '0' as u32,
        'A' | 'J' => 1,
        'B' | 'K' | 'S' => 2,
        'C' | 'L' | 'T' => 3,
        'D' | 'M' | 'U' => 4,
        'E' | 'N' | 'V' => 5,
        'F' | 'W' => 6,
        'G' | 'P' | 'X' => 7,
        'H' | 'Y' => 8,
        'R' | 'Z' => 9,
        _ => 0,
    }
}

impl std::str::FromStr for Vin {
    type Err = Invalid;

    fn from_str(raw: &str) -> Result<Self, Invalid> {
        Self::from_stored(raw)
    }
}

impl fmt::Display for Vin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Vin {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us() -> Country {
        Country::parse("US").unwrap()
    }

    #[test]
    fn accepts_real_vins() {
        for raw in [
            "1HGCM82633A004352",
            "1M8GDM9AXKP042788",
            "5YJ3E1EA2KF317000",
        ] {
            assert_eq!(Vin::parse(raw, us()).unwrap().as_str(), raw);
        }
        assert_eq!(
            Vin::parse(" 1hgcm82633a004352 ", us()).unwrap().as_str(),
            "1HGCM82633A004352"
        );
    }

    #[test]
    fn check_digit_catches_typos_in_north_america_only() {
        let typo = "1HGCM82633A004353";
        let err = Vin::parse(typo, us()).unwrap_err();
        assert!(err.0.contains("check digit"), "{err}");
        assert!(Vin::parse(typo, Country::parse("CA").unwrap()).is_err());
        assert!(Vin::parse(typo, Country::parse("DE").unwrap()).is_ok());
    }

    #[test]
    fn refuses_wrong_length_and_letters() {
        assert!(Vin::parse("1HGCM82633A00435", us()).is_err());
        assert!(Vin::parse("1HGCM82633A0043521", us()).is_err());
        let err = Vin::parse("1HGCM82633AO04352", us()).unwrap_err();
        assert!(err.0.contains('O'));
        assert!(Vin::parse("1HGCM82633A00435!", Country::parse("DE").unwrap()).is_err());
    }

    #[test]
    fn check_digit_x() {
        assert_eq!(check_digit("1M8GDM9AXKP042788"), 'X');
    }
}
