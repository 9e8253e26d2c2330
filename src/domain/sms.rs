//! Text messages are billed and split by segment. A message made only of
//! GSM-7 characters fits 160 per segment (153 each once split, because of
//! the concatenation header); one character outside it makes the whole
//! message UCS-2: 70 per segment, 67 when split. The extension characters
//! (`^{}\[~]|€` and form feed) take two GSM-7 positions.
//!
//! Also here: reading what a customer texts back (STOP and its kin, in
//! English and Spanish).

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

/// Replaces typographic punctuation outside GSM-7 (curly quotes, dashes,
/// the ellipsis, a non-breaking space) with the plain marks inside it: they
/// read the same and keep an English text at 160 characters a segment.
/// Letters are never changed: "Pagó" is not "Pago", and a Spanish text with
/// á, í, ó or ú goes as UCS-2 (70 a segment), spelled right.
pub fn plain_punctuation(text: &str) -> String {
    text.chars()
        .map(|c| match c {
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

/// What an inbound text asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    /// Stop texting me.
    Stop(StopWords),
    /// Start again.
    Start,
    /// Who are you?
    Help,
    /// A message for a person.
    None,
}

/// How the customer said stop, which decides who confirms it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopWords {
    /// A carrier keyword alone (STOP, UNSUBSCRIBE, …): the carrier opts the
    /// number out and sends its own confirmation; ours would be refused.
    Carrier,
    /// Other words (PARAR, "no me escriban", "stop please"): only we know
    /// it was a stop, so we confirm it, in the customer's language.
    Own,
}

/// The keywords carriers and Twilio act on by themselves.
const CARRIER_STOP: [&str; 8] = [
    "stop",
    "stopall",
    "unsubscribe",
    "cancel",
    "end",
    "quit",
    "revoke",
    "optout",
];
/// Words that mean stop when they open a short message, in English and
/// Spanish (accents and case ignored).
const STOP_OPENERS: [&str; 15] = [
    "stop",
    "stopall",
    "unsubscribe",
    "cancel",
    "quit",
    "revoke",
    "optout",
    "opt out",
    "parar",
    "para",
    "alto",
    "baja",
    "cancelar",
    "no mas",
    "basta",
];
/// What may follow a stop word in a short message without making it a
/// message for a person ("STOP please", "Baja por favor", "no más, gracias").
const COURTESY: [&str; 26] = [
    "please", "pls", "plz", "thanks", "thank", "you", "thx", "now", "me", "all", "texts", "text",
    "messages", "sms", "this", "number", "por", "favor", "gracias", "ya", "ahora", "todo",
    "mensajes", "de", "a", "esto",
];
/// Phrases that mean stop anywhere in a short message.
const STOP_PHRASES: [&str; 16] = [
    "do not text",
    "dont text",
    "don t text",
    "stop texting",
    "stop sending",
    "stop messaging",
    "no more texts",
    "no more messages",
    "opt me out",
    "no mas mensajes",
    "no me escriban",
    "no me escribas",
    "no me manden",
    "no me envien",
    "dejen de escribir",
    "dejen de mandar",
];
/// Longer than this, a message is for a person even if it says "stop".
const SHORT_MESSAGE_WORDS: usize = 8;
const START_WORDS: [&str; 3] = ["start", "yes", "unstop"];
const HELP_WORDS: [&str; 3] = ["help", "info", "ayuda"];

/// Lowercase words without accents or punctuation: "¡NO MÁS!" → ["no", "mas"].
fn words(body: &str) -> Vec<String> {
    let folded: String = body
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    folded.split_whitespace().map(str::to_owned).collect()
}

fn starts_with(words: &[String], phrase: &str) -> Option<usize> {
    let parts: Vec<&str> = phrase.split(' ').collect();
    (words.len() >= parts.len() && words.iter().zip(&parts).all(|(w, p)| w == p))
        .then_some(parts.len())
}

fn contains(words: &[String], phrase: &str) -> bool {
    (0..words.len()).any(|i| starts_with(&words[i..], phrase).is_some())
}

/// Reads an inbound text. A carrier keyword, START or HELP counts only as
/// the whole message; a stop word in either language counts alone or
/// followed by courtesy words; a stop phrase counts anywhere in a short
/// message. Anything else is a message for a person.
pub fn keyword(body: &str) -> Keyword {
    let w = words(body);
    let whole = w.join(" ");
    if CARRIER_STOP.contains(&whole.as_str()) {
        return Keyword::Stop(StopWords::Carrier);
    }
    if START_WORDS.contains(&whole.as_str()) {
        return Keyword::Start;
    }
    if HELP_WORDS.contains(&whole.as_str()) {
        return Keyword::Help;
    }
    if w.is_empty() || w.len() > SHORT_MESSAGE_WORDS {
        return Keyword::None;
    }
    let opener = STOP_OPENERS.iter().find_map(|o| starts_with(&w, o));
    if let Some(n) = opener
        && w[n..].iter().all(|x| COURTESY.contains(&x.as_str()))
    {
        return Keyword::Stop(StopWords::Own);
    }
    if STOP_PHRASES.iter().any(|p| contains(&w, p)) {
        return Keyword::Stop(StopWords::Own);
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
    fn punctuation_is_made_plain_and_letters_are_kept() {
        let s = plain_punctuation("Su vehículo está listo. “Pagó”… — Ángel");
        assert_eq!(s, "Su vehículo está listo. \"Pagó\"... - Ángel");
        assert_eq!(segments(&s).encoding, Encoding::Ucs2);
        let en = plain_punctuation("It’s ready — “today”…");
        assert_eq!(en, "It's ready - \"today\"...");
        assert_eq!(segments(&en).encoding, Encoding::Gsm7);
    }

    #[test]
    fn carrier_keywords_alone_are_left_to_the_carrier() {
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
            assert_eq!(keyword(stop), Keyword::Stop(StopWords::Carrier), "{stop}");
        }
    }

    #[test]
    fn stop_in_the_customers_own_words_is_honoured() {
        for stop in [
            "OPT OUT",
            "opt-out",
            "STOP please",
            "Stop texting me",
            "Please do not text me again",
            "Don’t text this number",
            "PARAR",
            "parar",
            "Alto",
            "BAJA",
            "baja por favor",
            "Cancelar",
            "CANCELAR, gracias",
            "no más",
            "No mas",
            "¡NO MÁS!",
            "no más mensajes por favor",
            "Por favor no me escriban",
            "no me escriban más",
            "Basta ya",
        ] {
            assert_eq!(keyword(stop), Keyword::Stop(StopWords::Own), "{stop}");
        }
    }

    #[test]
    fn start_and_help_are_exact() {
        assert_eq!(keyword("start"), Keyword::Start);
        assert_eq!(keyword("Yes"), Keyword::Start);
        assert_eq!(keyword("UNSTOP"), Keyword::Start);
        assert_eq!(keyword("help"), Keyword::Help);
        assert_eq!(keyword("Info?"), Keyword::Help);
        assert_eq!(keyword("AYUDA"), Keyword::Help);
        assert_eq!(keyword("start the work please"), Keyword::None);
    }

    #[test]
    fn stop_words_inside_a_real_message_are_for_a_person() {
        for msg in [
            "Can you stop by the house?",
            "yes please do the brakes",
            "When will it end?",
            "help! is it ready",
            "La ventana baja sola",
            "El ruido es muy alto",
            "Para cuándo estará listo?",
            "no más ruido, gracias por arreglarlo",
            "Cancel the tire rotation but do the brakes",
            "Please stop the work until I call you back this afternoon about the price",
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
