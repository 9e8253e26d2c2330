//! The password a staff member chooses for the desk: long enough, and not
//! one that every guesser tries first. Hashing (argon2id) is done where the
//! password is stored; this only decides what may be chosen.

use super::validation::Invalid;
use secrecy::{ExposeSecret, SecretString};

/// Fewer characters than this are refused (NIST SP 800-63B asks for 8 at
/// least; a shared desk in a public showroom warrants more).
pub const MIN_CHARS: usize = 12;
/// More than this is refused, so hashing stays bounded.
pub const MAX_CHARS: usize = 128;

/// Passwords of 12 characters or more that lists of leaked passwords show
/// people choose most, and the patterns behind them. Compared without case.
const COMMON: &str = include_str!("../../config/common-passwords.txt");

/// A password that may be set. Kept secret: Debug prints it redacted.
#[derive(Debug)]
pub struct NewPassword(SecretString);

impl NewPassword {
    /// Checks `raw` for a person whose name and email are given (a password
    /// made of them is the first thing a colleague would try).
    pub fn parse(raw: &str, name: &str, email: &str) -> Result<Self, Invalid> {
        let chars = raw.chars().count();
        if chars < MIN_CHARS {
            return Err(Invalid::new(format!(
                "must be at least {MIN_CHARS} characters; a few words in a row are easy to remember"
            )));
        }
        if chars > MAX_CHARS {
            return Err(Invalid::new(format!(
                "must be at most {MAX_CHARS} characters"
            )));
        }
        let lower = raw.to_lowercase();
        if is_common(&lower) {
            return Err(Invalid::new(
                "is one of the passwords people choose most; choose one nobody would guess",
            ));
        }
        if one_character_or_a_run(&lower) {
            return Err(Invalid::new(
                "is a single character or a run of keys; choose words instead",
            ));
        }
        let personal = std::iter::once(email.split('@').next().unwrap_or(email))
            .chain(name.split_whitespace())
            .map(str::to_lowercase)
            .filter(|p| p.chars().count() >= 4);
        for part in personal {
            if lower.replace(|c: char| !c.is_alphanumeric(), "")
                == part.replace(|c: char| !c.is_alphanumeric(), "")
                || lower.starts_with(&part)
                    && lower[part.len()..].chars().all(|c| c.is_ascii_digit())
            {
                return Err(Invalid::new("must not be your name or email"));
            }
        }
        Ok(Self(SecretString::from(raw.to_owned())))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

fn is_common(lower: &str) -> bool {
    COMMON
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l == lower)
}

/// "aaaaaaaaaaaa", "123456789012", "abcdefghijkl": one character repeated,
/// or each character one more (or less) than the last.
fn one_character_or_a_run(lower: &str) -> bool {
    let codes: Vec<u32> = lower.chars().map(u32::from).collect();
    let steps: Vec<i64> = codes
        .windows(2)
        .map(|w| i64::from(w[1]) - i64::from(w[0]))
        .collect();
    steps.iter().all(|s| *s == 0)
        || steps.iter().all(|s| *s == 1 || *s == -9)
        || steps.iter().all(|s| *s == -1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str) -> Result<NewPassword, Invalid> {
        NewPassword::parse(raw, "Ana Lopez", "ana.lopez@lakeside.example")
    }

    #[test]
    fn a_few_words_in_a_row_are_fine() {
        assert!(check("brake pads and coffee").is_ok());
        assert!(check("Correct-Horse-Battery").is_ok());
        assert_eq!(
            check("brake pads and coffee").unwrap().expose(),
            "brake pads and coffee"
        );
    }

    #[test]
    fn short_long_common_and_personal_ones_are_refused() {
        for bad in [
            "short",
            "elevenchars",
            "password1234",
            "PASSWORD1234",
            "qwertyuiop12",
            "123456789012",
            "aaaaaaaaaaaa",
            "abcdefghijkl",
            "ana.lopez1234",
            "lopezlopez",
            "Lopez2026202",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
        assert!(check(&"x".repeat(129)).is_err());
    }

    #[test]
    fn the_password_is_never_printed() {
        let p = check("brake pads and coffee").unwrap();
        assert!(!format!("{p:?}").contains("coffee"));
    }
}
