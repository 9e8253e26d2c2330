//! Card numbers must never be stored. People still type them into notes and
//! text messages; anything that looks like one (13–19 digits, optionally
//! separated by single spaces or dashes, passing the Luhn check) is masked to
//! its last four digits before it is written anywhere.

/// Masks every Luhn-valid run of 13–19 digits in `text`, keeping the
/// separators and the last four digits.
pub fn mask_card_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit()
            && (i == 0 || !chars[i - 1].is_ascii_digit())
            && let Some(end) = card_run_end(&chars, i)
        {
            out.push_str(&mask_run(&chars[i..end]));
            i = end;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// The end (exclusive) of the longest card-like run starting at `start`.
fn card_run_end(chars: &[char], start: usize) -> Option<usize> {
    // Walk the run of digits joined by single separators, remembering where
    // each digit ends so the longest Luhn-valid prefix of 13–19 digits wins.
    let mut digits = Vec::new();
    let mut ends = Vec::new();
    let mut j = start;
    while j < chars.len() && digits.len() < 19 {
        let c = chars[j];
        if c.is_ascii_digit() {
            digits.push(c as u8 - b'0');
            ends.push(j + 1);
            j += 1;
        } else if (c == ' ' || c == '-')
            && j + 1 < chars.len()
            && chars[j + 1].is_ascii_digit()
            && !digits.is_empty()
        {
            j += 1;
        } else {
            break;
        }
    }
    // A longer digit string glued to the run is not a card number.
    if digits.len() == 19 && j < chars.len() && chars[j].is_ascii_digit() {
        return None;
    }
    (13..=digits.len())
        .rev()
        .find(|&n| {
            luhn_valid(&digits[..n]) && (n == digits.len() || !is_digit_at(chars, ends[n - 1]))
        })
        .map(|n| ends[n - 1])
}

fn is_digit_at(chars: &[char], idx: usize) -> bool {
    chars.get(idx).is_some_and(char::is_ascii_digit)
}

fn mask_run(run: &[char]) -> String {
    let total = run.iter().filter(|c| c.is_ascii_digit()).count();
    let mut seen = 0;
    run.iter()
        .map(|&c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen > total - 4 { c } else { '*' }
            } else {
                c
            }
        })
        .collect()
}

/// The Luhn checksum used by every card network.
pub fn luhn_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    !digits.is_empty() && sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_plain_and_separated_numbers() {
        assert_eq!(mask_card_numbers("4111111111111111"), "************1111");
        assert_eq!(
            mask_card_numbers("card 5500-0000-0000-0004 thanks"),
            "card ****-****-****-0004 thanks"
        );
        assert_eq!(
            mask_card_numbers("amex 378282246310005."),
            "amex ***********0005."
        );
    }

    #[test]
    fn leaves_other_numbers_alone() {
        // Phone numbers, VIN-like strings, RO numbers and non-Luhn runs stay.
        for text in [
            "call me at 312 555 0142",
            "RO 100234 is done",
            "4111111111111112",
            "mileage 123456",
            "1HGCM82633A004352",
        ] {
            assert_eq!(mask_card_numbers(text), text, "{text}");
        }
    }

    #[test]
    fn luhn() {
        assert!(luhn_valid(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 3]));
        assert!(!luhn_valid(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 4]));
        assert!(!luhn_valid(&[]));
    }
}
