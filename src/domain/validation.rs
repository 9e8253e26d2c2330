//! Collecting every problem with an input at once, so a client learns all of
//! them from one answer instead of fixing them one round-trip at a time.

use serde::Serialize;
use std::fmt;

/// One thing wrong with one field of a request. `field` is a dotted path as
/// the client wrote it (`customer.phone`, `lines[2].quantity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Why a value could not be parsed into a domain type. The message is written
/// for the person filling in the form, not for a developer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

impl Invalid {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Invalid {}

/// Accumulates field errors while a request is parsed.
#[derive(Debug, Default)]
pub struct Violations(Vec<FieldError>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the parsed value, or records why it failed under `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(Invalid(message)) => {
                self.0.push(FieldError::new(field, message));
                None
            }
        }
    }

    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was recorded, otherwise every recorded error.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// A closed set of values written as snake_case strings in JSON and in the
/// database, with a parser whose error lists what is accepted. The type is a
/// diesel `Text` expression: rows hold the enum, and `db::sql_types` reads it
/// back through `FromStr`, so a value this list does not know fails the load.
macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            pub fn parse(raw: &str) -> Result<Self, $crate::domain::validation::Invalid> {
                match raw {
                    $($text => Ok(Self::$variant),)+
                    other => Err($crate::domain::validation::Invalid::new(format!(
                        "{other:?} is not one of: {}",
                        [$($text),+].join(", ")
                    ))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::validation::Invalid;

            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Self::parse(raw)
            }
        }
    };
}
pub(crate) use string_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_error_in_order() {
        let mut v = Violations::new();
        assert_eq!(v.check("a", Ok::<_, Invalid>(1)), Some(1));
        assert_eq!(v.check::<u8>("b", Err(Invalid::new("bad b"))), None);
        v.push("c", "bad c");
        let errors = v.finish().unwrap_err();
        assert_eq!(
            errors,
            vec![FieldError::new("b", "bad b"), FieldError::new("c", "bad c")]
        );
    }

    #[test]
    fn empty_is_ok() {
        assert!(Violations::new().finish().is_ok());
    }
}
