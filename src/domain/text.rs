//! Free text typed by people: names, concerns, notes. Trimmed, bounded, and
//! free of control characters that would garble an SMS or a log line.

use super::card::mask_card_numbers;
use super::validation::Invalid;

/// Trims `raw` and checks it is between 1 and `max` characters with no
/// control characters other than newlines and tabs.
pub fn required(raw: &str, max: usize) -> Result<String, Invalid> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(Invalid::new("must not be empty"));
    }
    bounded(value, max)
}

/// Like [`required`] but an absent or blank value is `None`.
pub fn optional(raw: Option<&str>, max: usize) -> Result<Option<String>, Invalid> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => bounded(value, max).map(Some),
    }
}

/// A note that may be shown to customers and kept forever: card numbers typed
/// into it by mistake are masked before anything stores it.
pub fn note(raw: &str, max: usize) -> Result<String, Invalid> {
    required(raw, max).map(|s| mask_card_numbers(&s))
}

fn bounded(value: &str, max: usize) -> Result<String, Invalid> {
    if value.chars().count() > max {
        return Err(Invalid::new(format!("must be at most {max} characters")));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Invalid::new("must not contain control characters"));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(required("  Brakes squeal ", 50).unwrap(), "Brakes squeal");
        assert!(required("   ", 50).is_err());
        assert!(required("abcdef", 5).is_err());
        assert!(required("a\u{0007}b", 5).is_err());
        assert_eq!(required("a\nb", 5).unwrap(), "a\nb");
    }

    #[test]
    fn optional_blank_is_none() {
        assert_eq!(optional(None, 5).unwrap(), None);
        assert_eq!(optional(Some("  "), 5).unwrap(), None);
        assert_eq!(optional(Some(" x "), 5).unwrap(), Some("x".into()));
    }

    #[test]
    fn notes_mask_card_numbers() {
        assert_eq!(
            note("paid with 4111 1111 1111 1111 ok", 100).unwrap(),
            "paid with **** **** **** 1111 ok"
        );
    }
}
