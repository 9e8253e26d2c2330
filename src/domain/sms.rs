//! Text messages are billed and split by segment. A message made only of
//! GSM-7 characters fits 160 per segment (153 each once split, because of
//! the concatenation header); one character outside it makes the whole
//! message UCS-2: 70 per segment, 67 when split. The extension characters
//! (`^{}\[~]|€` and form feed) take two GSM-7 positions.

/// The GSM 03.38 basic character set.
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table: each costs an escape plus itself.
const GSM_EXTENDED: &str = "^{}\\[~]|€\u{000C}";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments {
    pub encoding: Encoding,
    /// GSM-7 septets or UTF-16 code units.
    pub units: usize,
    pub count: usize,
}

pub fn segments(text: &str) -> Segments {
    let gsm_units: Option<usize> = text
        .chars()
        .map(|c| {
            if GSM_BASIC.contains(c) {
                Some(1)
            } else if GSM_EXTENDED.contains(c) {
                Some(2)
            } else {
                None
            }
        })
        .sum();
    let (encoding, units, single, multi) = match gsm_units {
        Some(units) => (Encoding::Gsm7, units, 160, 153),
        None => (Encoding::Ucs2, text.encode_utf16().count(), 70, 67),
    };
    let count = if units <= single {
        1
    } else {
        units.div_ceil(multi)
    };
    Segments {
        encoding,
        units,
        count,
    }
}

/// Replaces characters outside GSM-7 with the nearest ones inside it, so a
/// Spanish message stays at 160 characters a segment instead of 70 (carriers
/// and handsets routinely drop the acute accents in SMS). Characters with no
/// sensible substitute are kept, and the message goes as UCS-2.
pub fn to_gsm(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'á' | 'â' | 'ã' => 'a',
            'Á' | 'À' | 'Â' | 'Ã' => 'A',
            'í' | 'î' | 'ï' => 'i',
            'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
            'ó' | 'ô' | 'õ' => 'o',
            'Ó' | 'Ò' | 'Ô' | 'Õ' => 'O',
            'ú' | 'û' => 'u',
            'Ú' | 'Ù' | 'Û' => 'U',
            'ê' | 'ë' => 'e',
            'È' | 'Ê' | 'Ë' => 'E',
            'ç' => 'c',
            'ý' | 'ÿ' => 'y',
            '‘' | '’' | '´' | '`' => '\'',
            '“' | '”' => '"',
            '–' | '—' => '-',
            '\u{00A0}' => ' ',
            other => other,
        })
        .collect::<String>()
        .replace('…', "...")
}

/// At most `max` characters, ending in "..." when cut, so free text typed by
/// people cannot push a message past its segment budget.
pub fn clip(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max.saturating_sub(3)).collect();
    format!("{}...", kept.trim_end())
}

/// What an inbound text asks for, by the carrier-standard keywords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    /// Stop texting me.
    Stop,
    /// Start again.
    Start,
    /// Who are you?
    Help,
    /// A message for a person.
    None,
}

const STOP_WORDS: [&str; 8] = [
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
];
const START_WORDS: [&str; 3] = ["START", "YES", "UNSTOP"];
const HELP_WORDS: [&str; 2] = ["HELP", "INFO"];
const STOP_PHRASES: [&str; 8] = [
    "do not text",
    "don't text",
    "dont text",
    "stop texting",
    "stop sending",
    "stop messaging",
    "no more texts",
    "no mas mensajes",
];

/// Keywords count only as the whole message (one word, any case, stray
/// punctuation ignored); the stop phrases count anywhere in it.
pub fn keyword(body: &str) -> Keyword {
    let word: String = body
        .trim()
        .trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
        .to_uppercase();
    if !word.contains(char::is_whitespace) {
        if STOP_WORDS.contains(&word.as_str()) {
            return Keyword::Stop;
        }
        if START_WORDS.contains(&word.as_str()) {
            return Keyword::Start;
        }
        if HELP_WORDS.contains(&word.as_str()) {
            return Keyword::Help;
        }
    }
    let lower = body.to_lowercase().replace(['’', '‘'], "'");
    if STOP_PHRASES.iter().any(|p| lower.contains(p)) {
        return Keyword::Stop;
    }
    Keyword::None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gsm7_counts_160_then_153() {
        assert_eq!(segments("").count, 1);
        assert_eq!(
            segments(&"a".repeat(160)),
            Segments {
                encoding: Encoding::Gsm7,
                units: 160,
                count: 1
            }
        );
        assert_eq!(segments(&"a".repeat(161)).count, 2);
        assert_eq!(segments(&"a".repeat(306)).count, 2);
        assert_eq!(segments(&"a".repeat(307)).count, 3);
    }

    #[test]
    fn extension_characters_cost_two() {
        let s = segments(&format!("{}€", "a".repeat(158)));
        assert_eq!((s.encoding, s.units, s.count), (Encoding::Gsm7, 160, 1));
        assert_eq!(segments(&format!("{}[", "a".repeat(159))).count, 2);
    }

    #[test]
    fn one_character_outside_gsm_makes_it_ucs2() {
        let s = segments(&format!("{}á", "a".repeat(69)));
        assert_eq!((s.encoding, s.units, s.count), (Encoding::Ucs2, 70, 1));
        assert_eq!(segments(&"á".repeat(71)).count, 2);
        assert_eq!(segments(&"á".repeat(134)).count, 2);
        assert_eq!(segments(&"á".repeat(135)).count, 3);
        // An emoji is two UTF-16 units.
        assert_eq!(segments("🚗").units, 2);
        // Spanish letters that ARE in GSM-7.
        assert_eq!(segments("¿Señor Muñoz? ¡Sí! é ü").encoding, Encoding::Ucs2); // í is not
        assert_eq!(segments("¿Señor Muñoz? ¡Si! é ü").encoding, Encoding::Gsm7);
    }

    #[test]
    fn spanish_accents_are_folded_for_sms() {
        let s = to_gsm("Su vehículo está listo. Próxima revisión: “mañana”… — Ángel");
        assert_eq!(
            s,
            "Su vehiculo esta listo. Proxima revision: \"mañana\"... - Angel"
        );
        assert_eq!(segments(&s).encoding, Encoding::Gsm7);
    }

    #[test]
    fn keywords() {
        for stop in [
            "STOP",
            "stop",
            " Stop. ",
            "stopall",
            "Unsubscribe",
            "cancel",
            "END",
            "quit",
            "revoke",
            "OPTOUT",
        ] {
            assert_eq!(keyword(stop), Keyword::Stop, "{stop}");
        }
        for stop in [
            "Please do not text me again",
            "STOP TEXTING ME",
            "Don’t text this number",
        ] {
            assert_eq!(keyword(stop), Keyword::Stop, "{stop}");
        }
        assert_eq!(keyword("start"), Keyword::Start);
        assert_eq!(keyword("Yes"), Keyword::Start);
        assert_eq!(keyword("UNSTOP"), Keyword::Start);
        assert_eq!(keyword("help"), Keyword::Help);
        assert_eq!(keyword("Info?"), Keyword::Help);
        // Keywords inside a sentence are a message for a person.
        for msg in [
            "Can you stop by the house?",
            "yes please do the brakes",
            "When will it end?",
            "help! is it ready",
        ] {
            assert_eq!(keyword(msg), Keyword::None, "{msg}");
        }
    }

    #[test]
    fn clipping() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("a very long reason indeed", 10), "a very...");
        assert_eq!(clip("ñandú ñandú ñandú", 8).chars().count(), 8);
    }
}
