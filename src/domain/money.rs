//! Money is integer cents, always. Quantities are integer hundredths (1.5
//! hours of labor is 150). Tax rates are basis points (8.25 % is 825).
//!
//! One rounding rule, used everywhere: a line's amount is quantity × unit
//! price rounded to the nearest cent, halves away from zero; tax is computed
//! once per repair order on the sum of the customer-pay line amounts (not per
//! line) and rounded the same way.

use super::validation::Invalid;
use serde::Serialize;
use std::iter::Sum;
use std::ops::{Add, Sub};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
pub struct Cents(pub i64);

impl Cents {
    pub const ZERO: Self = Self(0);

    /// "$1,234.50" — for people, never for arithmetic.
    pub fn display_usd(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let dollars = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in dollars.chars().enumerate() {
            if i > 0 && (dollars.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}${grouped}.{:02}", abs % 100)
    }

    /// As `display_usd`, or "" for zero: a bill leaves out a fee or a
    /// discount that is not there.
    pub fn display_usd_unless_zero(self) -> String {
        if self.0 == 0 {
            String::new()
        } else {
            self.display_usd()
        }
    }
}

impl Add for Cents {
    type Output = Self;
    fn add(self, rhs: Self) -> Self {
        Self(self.0 + rhs.0)
    }
}

impl Sub for Cents {
    type Output = Self;
    fn sub(self, rhs: Self) -> Self {
        Self(self.0 - rhs.0)
    }
}

impl Sum for Cents {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        Self(iter.map(|c| c.0).sum())
    }
}

/// The currency a dealership bills in, as ISO 4217 in lowercase (`usd`),
/// the way payment processors name it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub struct Currency([u8; 3]);

impl Currency {
    pub const USD: Self = Self(*b"usd");

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let code = raw.trim().to_ascii_lowercase();
        match <[u8; 3]>::try_from(code.as_bytes()) {
            Ok(bytes) if bytes.iter().all(u8::is_ascii_lowercase) => Ok(Self(bytes)),
            _ => Err(Invalid::new(format!(
                "{raw:?} is not a three-letter currency code such as usd"
            ))),
        }
    }

    pub fn as_str(&self) -> &str {
        // Three ASCII letters, checked when made.
        std::str::from_utf8(&self.0).unwrap_or("usd")
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Currency {
    type Err = Invalid;

    fn from_str(raw: &str) -> Result<Self, Invalid> {
        Self::parse(raw)
    }
}

/// Divides and rounds to the nearest integer, halves away from zero.
pub fn div_round_half_away(numerator: i128, denominator: i128) -> i64 {
    debug_assert!(denominator > 0);
    let half = denominator / 2;
    let rounded = if numerator >= 0 {
        (numerator + half) / denominator
    } else {
        (numerator - half) / denominator
    };
    i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
}

/// The most a single unit may cost: $100,000.00. Anything above is a typo
/// (an extra zero or a price typed in cents twice).
pub const MAX_UNIT_PRICE_CENTS: i64 = 10_000_000;
/// The most of anything on one line: 1,000 units or hours.
pub const MAX_QUANTITY_HUNDREDTHS: i64 = 100_000;

/// A unit price on an estimate line: zero (a free inspection) up to
/// [`MAX_UNIT_PRICE_CENTS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitPrice(Cents);

impl UnitPrice {
    pub fn parse(cents: i64) -> Result<Self, Invalid> {
        if cents < 0 {
            return Err(Invalid::new("must not be negative"));
        }
        if cents > MAX_UNIT_PRICE_CENTS {
            return Err(Invalid::new(format!(
                "must be at most {} cents ({})",
                MAX_UNIT_PRICE_CENTS,
                Cents(MAX_UNIT_PRICE_CENTS).display_usd()
            )));
        }
        Ok(Self(Cents(cents)))
    }

    pub fn cents(self) -> Cents {
        self.0
    }
}

/// A positive quantity with at most two decimals (hours of labor, parts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity(i64);

impl Quantity {
    pub fn parse(value: f64) -> Result<Self, Invalid> {
        if !value.is_finite() {
            return Err(Invalid::new("must be a number"));
        }
        if value <= 0.0 {
            return Err(Invalid::new("must be greater than zero"));
        }
        let hundredths = (value * 100.0).round();
        if (value * 100.0 - hundredths).abs() > 1e-6 {
            return Err(Invalid::new("must have at most two decimals"));
        }
        if hundredths > MAX_QUANTITY_HUNDREDTHS as f64 {
            return Err(Invalid::new("must be at most 1000"));
        }
        if hundredths < 1.0 {
            return Err(Invalid::new("must be at least 0.01"));
        }
        Ok(Self(hundredths as i64))
    }

    pub fn from_hundredths(h: i64) -> Self {
        Self(h)
    }

    pub fn hundredths(self) -> i64 {
        self.0
    }

    /// For JSON: 150 → 1.5 (exact for every value with two decimals).
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

/// quantity × unit price, rounded once.
pub fn line_amount(quantity: Quantity, unit_price: Cents) -> Cents {
    Cents(div_round_half_away(
        i128::from(quantity.0) * i128::from(unit_price.0),
        100,
    ))
}

/// A sales tax rate in basis points, 0 to 50 %.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Integer)]
pub struct TaxRate(u32);

impl TryFrom<i32> for TaxRate {
    type Error = Invalid;

    fn try_from(stored: i32) -> Result<Self, Invalid> {
        Self::parse(i64::from(stored))
    }
}

impl TaxRate {
    pub fn parse(basis_points: i64) -> Result<Self, Invalid> {
        if !(0..=5_000).contains(&basis_points) {
            return Err(Invalid::new(
                "must be between 0 and 5000 basis points (0 % to 50 %)",
            ));
        }
        Ok(Self(basis_points as u32))
    }

    /// The rate as stored (basis points).
    pub fn stored(self) -> i32 {
        self.0 as i32
    }

    pub fn basis_points(self) -> u32 {
        self.0
    }

    pub fn tax_on(self, taxable: Cents) -> Cents {
        Cents(div_round_half_away(
            i128::from(taxable.0) * i128::from(self.0),
            10_000,
        ))
    }
}

/// As printed on a bill: "8.25%", "10%", "7.5%".
impl std::fmt::Display for TaxRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let whole = self.0 / 100;
        match self.0 % 100 {
            0 => write!(f, "{whole}%"),
            h if h % 10 == 0 => write!(f, "{whole}.{}%", h / 10),
            h => write!(f, "{whole}.{h:02}%"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_print_as_on_a_bill() {
        let p = |bp| TaxRate::parse(bp).unwrap().to_string();
        assert_eq!(p(825), "8.25%");
        assert_eq!(p(1025), "10.25%");
        assert_eq!(p(1000), "10%");
        assert_eq!(p(750), "7.5%");
        assert_eq!(p(5), "0.05%");
        assert_eq!(p(0), "0%");
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(div_round_half_away(5, 10), 1);
        assert_eq!(div_round_half_away(4, 10), 0);
        assert_eq!(div_round_half_away(-5, 10), -1);
        assert_eq!(div_round_half_away(15, 10), 2);
        assert_eq!(div_round_half_away(25, 10), 3);
    }

    #[test]
    fn line_amounts() {
        let q = Quantity::parse(1.5).unwrap();
        assert_eq!(q.hundredths(), 150);
        assert_eq!(line_amount(q, Cents(12_999)), Cents(19_499)); // 19498.5 → 19499
        let q = Quantity::parse(0.33).unwrap();
        assert_eq!(line_amount(q, Cents(1_001)), Cents(330)); // 330.33 → 330
        assert_eq!(
            line_amount(Quantity::parse(2.0).unwrap(), Cents(0)),
            Cents(0)
        );
    }

    #[test]
    fn tax_is_rounded_once() {
        let rate = TaxRate::parse(825).unwrap();
        assert_eq!(rate.tax_on(Cents(42_950)), Cents(3_543)); // 3543.375
        assert_eq!(rate.tax_on(Cents(200)), Cents(17)); // 16.5 → 17
        assert_eq!(TaxRate::parse(0).unwrap().tax_on(Cents(999)), Cents(0));
        assert!(TaxRate::parse(-1).is_err());
        assert!(TaxRate::parse(5_001).is_err());
    }

    #[test]
    fn quantities() {
        assert!(Quantity::parse(0.0).is_err());
        assert!(Quantity::parse(-1.0).is_err());
        assert!(Quantity::parse(0.005).is_err());
        assert!(Quantity::parse(1.234).is_err());
        assert!(Quantity::parse(1000.01).is_err());
        assert!(Quantity::parse(f64::NAN).is_err());
        assert_eq!(Quantity::parse(0.1).unwrap().hundredths(), 10);
        assert_eq!(Quantity::parse(1000.0).unwrap().hundredths(), 100_000);
        assert_eq!(Quantity::from_hundredths(150).as_f64(), 1.5);
    }

    #[test]
    fn unit_prices() {
        assert!(UnitPrice::parse(-1).is_err());
        assert!(UnitPrice::parse(MAX_UNIT_PRICE_CENTS + 1).is_err());
        assert_eq!(UnitPrice::parse(0).unwrap().cents(), Cents(0));
    }

    #[test]
    fn displays_dollars() {
        assert_eq!(Cents(46_493).display_usd(), "$464.93");
        assert_eq!(Cents(123_456_789).display_usd(), "$1,234,567.89");
        assert_eq!(Cents(5).display_usd(), "$0.05");
        assert_eq!(Cents(-250).display_usd(), "-$2.50");
    }
}
