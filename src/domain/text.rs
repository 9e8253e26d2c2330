//! Free text typed by people: one-line values (names, makes, titles) and
//! notes (concerns, messages). Trimmed, bounded, and free of characters that
//! would garble an SMS or a log line, or make text read other than it is.

use super::card::mask_card_numbers;
use super::validation::Invalid;

/// A one-line value (a name, a make, a title): trimmed, between 1 and `max`
/// characters, with no line breaks, control characters, or invisible and
/// direction-changing characters (which could make a name read as something
/// else on a phone, or hide text in a log line).
pub fn line(raw: &str, max: usize) -> Result<String, Invalid> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(Invalid::new("must not be empty"));
    }
    if value.chars().any(char::is_control) {
        return Err(Invalid::new("must be one line, without control characters"));
    }
    checked(value, max)
}

/// Like [`line`] but an absent or blank value is `None`.
pub fn optional_line(raw: Option<&str>, max: usize) -> Result<Option<String>, Invalid> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => line(value, max).map(Some),
    }
}

/// Free text that may run over several lines and may be shown to customers
/// and kept forever: newlines and tabs are allowed, other control and
/// invisible characters are not, and card numbers typed into it by mistake
/// are masked before anything stores it.
pub fn note(raw: &str, max: usize) -> Result<String, Invalid> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(Invalid::new("must not be empty"));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(Invalid::new("must not contain control characters"));
    }
    checked(value, max).map(|s| mask_card_numbers(&s))
}

/// Like [`note`] but an absent or blank value is `None`.
pub fn optional_note(raw: Option<&str>, max: usize) -> Result<Option<String>, Invalid> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => note(value, max).map(Some),
    }
}

/// Characters that show nothing or turn the direction of the text around:
/// zero-width spaces and joiners, the byte-order mark, and the bidirectional
/// embeddings, overrides, isolates and marks.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{FEFF}'
    )
}

fn checked(value: &str, max: usize) -> Result<String, Invalid> {
    if value.chars().count() > max {
        return Err(Invalid::new(format!("must be at most {max} characters")));
    }
    if value.chars().any(is_invisible) {
        return Err(Invalid::new(
            "must not contain invisible or direction-changing characters",
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(line("  Brakes squeal ", 50).unwrap(), "Brakes squeal");
        assert!(line("   ", 50).is_err());
        assert!(line("abcdef", 5).is_err());
        assert!(line("a\u{0007}b", 5).is_err());
        assert_eq!(note("a\nb", 5).unwrap(), "a\nb");
    }

    #[test]
    fn one_line_values_refuse_breaks_and_tricks() {
        for bad in [
            "Ana\nLopez",
            "Ana\tLopez",
            "Ana\u{202E}zepoL",
            "Ana\u{200B}Lopez",
            "\u{FEFF}Ana",
            "Ana\u{2066}x\u{2069}",
        ] {
            assert!(line(bad, 50).is_err(), "{bad:?}");
        }
        assert!(note("two\nlines", 50).is_ok());
        assert!(note("hidden\u{200D}join", 50).is_err());
        assert_eq!(
            line("José Muñoz-O'Brien", 50).unwrap(),
            "José Muñoz-O'Brien"
        );
    }

    #[test]
    fn optional_blank_is_none() {
        assert_eq!(optional_line(None, 5).unwrap(), None);
        assert_eq!(optional_line(Some("  "), 5).unwrap(), None);
        assert_eq!(optional_line(Some(" x "), 5).unwrap(), Some("x".into()));
        assert_eq!(optional_note(Some(" x "), 5).unwrap(), Some("x".into()));
    }

    #[test]
    fn notes_mask_card_numbers() {
        assert_eq!(
            note("paid with 4111 1111 1111 1111 ok", 100).unwrap(),
            "paid with **** **** **** 1111 ok"
        );
    }
}
