//! The languages customers are written to in.

use super::validation::Invalid;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Es,
}

impl Language {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "en" => Ok(Self::En),
            "es" => Ok(Self::Es),
            other => Err(Invalid::new(format!(
                "{other:?} is not supported; use \"en\" or \"es\""
            ))),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Es => "es",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_supported_codes() {
        assert_eq!(Language::parse("EN").unwrap(), Language::En);
        assert_eq!(Language::parse(" es ").unwrap(), Language::Es);
        assert!(Language::parse("fr").is_err());
        assert_eq!(Language::Es.code(), "es");
    }
}
