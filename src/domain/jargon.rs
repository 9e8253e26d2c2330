//! Shop jargon in what staff write for customers ("R&R front pads w/ OEM
//! assy"), found so the advisor can say it in plain words. It warns; it
//! never blocks: the advisor knows the customer, the glossary does not.
//!
//! The glossary for each language lives in config/glossary/{en,es}.txt (one
//! `term = suggestion` per line), built into the binary; a dealership adds
//! its own words on top.

use super::language::Language;
use super::validation::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

const BUILT_IN_EN: &str = include_str!("../../config/glossary/en.txt");
const BUILT_IN_ES: &str = include_str!("../../config/glossary/es.txt");

/// Most words a dealership may add.
const MAX_OWN_ENTRIES: usize = 200;

/// One shop word and what to say instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GlossaryEntry {
    #[schema(value_type = String, example = "en")]
    pub language: Language,
    #[schema(example = "CEL")]
    pub term: String,
    #[schema(example = "check-engine light")]
    pub suggestion: String,
}

/// The words a dealership added to the built-in glossary. Stored as JSON.
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub struct OwnWords(pub Vec<GlossaryEntry>);

impl OwnWords {
    /// Checks entries an administrator sent: short one-word-ish terms, plain
    /// suggestions, no duplicates.
    pub fn parse(entries: Vec<GlossaryEntry>) -> Result<Self, Invalid> {
        if entries.len() > MAX_OWN_ENTRIES {
            return Err(Invalid::new(format!(
                "holds at most {MAX_OWN_ENTRIES} words"
            )));
        }
        let mut clean: Vec<GlossaryEntry> = Vec::with_capacity(entries.len());
        for e in entries {
            let term = super::text::line(&e.term, 30)
                .map_err(|m| Invalid::new(format!("term {:?} {m}", e.term)))?;
            let suggestion = super::text::line(&e.suggestion, 80)
                .map_err(|m| Invalid::new(format!("suggestion for {term:?} {m}")))?;
            if clean
                .iter()
                .any(|c| c.language == e.language && same_word(&c.term, &term))
            {
                return Err(Invalid::new(format!("{term:?} appears twice")));
            }
            clean.push(GlossaryEntry {
                language: e.language,
                term,
                suggestion,
            });
        }
        Ok(Self(clean))
    }
}

impl fmt::Display for OwnWords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let json = serde_json::to_string(&self.0).map_err(|_| fmt::Error)?;
        f.write_str(&json)
    }
}

impl FromStr for OwnWords {
    type Err = Invalid;

    fn from_str(raw: &str) -> Result<Self, Invalid> {
        serde_json::from_str(raw)
            .map(Self)
            .map_err(|e| Invalid::new(format!("glossary: {e}")))
    }
}

fn same_word(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// Jargon found in one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct JargonFlag {
    /// The request field, as a path (`jobs[0].lines[1].description`).
    #[schema(example = "jobs[0].title")]
    pub field: String,
    /// The word as written.
    #[schema(example = "R&R")]
    pub term: String,
    /// What a customer would understand.
    #[schema(example = "replace")]
    pub suggestion: String,
}

/// The words to look for in one language.
#[derive(Debug, Clone, Default)]
pub struct Glossary {
    /// (term as chars, lowercased; suggestion), longest first so "w/o" wins
    /// over "w/".
    terms: Vec<(Vec<char>, String)>,
}

impl Glossary {
    /// Reads `term = suggestion` lines; `#` starts a comment.
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let mut g = Self::default();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (term, suggestion) = line.split_once(" = ").ok_or_else(|| {
                Invalid::new(format!("line {}: write `term = suggestion`", n + 1))
            })?;
            g.add(term.trim(), suggestion.trim());
        }
        g.sort();
        Ok(g)
    }

    /// The built-in glossary of `language` with a dealership's own words.
    pub fn for_language(language: Language, own: &OwnWords) -> Result<Self, Invalid> {
        let mut g = Self::parse(match language {
            Language::En => BUILT_IN_EN,
            Language::Es => BUILT_IN_ES,
        })?;
        for e in own.0.iter().filter(|e| e.language == language) {
            g.terms
                .retain(|(t, _)| !same_word(&t.iter().collect::<String>(), &e.term));
            g.add(&e.term, &e.suggestion);
        }
        g.sort();
        Ok(g)
    }

    fn add(&mut self, term: &str, suggestion: &str) {
        let lowered: Vec<char> = term.chars().flat_map(char::to_lowercase).collect();
        self.terms.push((lowered, suggestion.to_owned()));
    }

    fn sort(&mut self) {
        self.terms.sort_by_key(|t| std::cmp::Reverse(t.0.len()));
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Every glossary word in `text`, as written, once each.
    pub fn find(&self, field: &str, text: &str) -> Vec<JargonFlag> {
        let chars: Vec<char> = text.chars().collect();
        let lowered: Vec<char> = chars
            .iter()
            .map(|c| c.to_lowercase().next().unwrap_or(*c))
            .collect();
        let mut found: Vec<JargonFlag> = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let starts_word = i == 0 || !chars[i - 1].is_alphanumeric();
            let hit = starts_word
                .then(|| self.match_at(&chars, &lowered, i))
                .flatten();
            match hit {
                Some((len, suggestion)) => {
                    let term: String = chars[i..i + len].iter().collect();
                    if !found.iter().any(|f| same_word(&f.term, &term)) {
                        found.push(JargonFlag {
                            field: field.to_owned(),
                            term,
                            suggestion: suggestion.to_owned(),
                        });
                    }
                    i += len;
                }
                None => i += 1,
            }
        }
        found
    }

    /// The longest term that stands as a whole word at `i`.
    fn match_at(&self, chars: &[char], lowered: &[char], i: usize) -> Option<(usize, &str)> {
        self.terms.iter().find_map(|(term, suggestion)| {
            let end = i + term.len();
            if end > lowered.len() || lowered[i..end] != term[..] {
                return None;
            }
            let ends_in_letter = term.last().is_some_and(|c| c.is_alphanumeric());
            let ends_word = end == chars.len() || !chars[end].is_alphanumeric();
            (ends_word || !ends_in_letter).then_some((term.len(), suggestion.as_str()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en() -> Glossary {
        Glossary::for_language(Language::En, &OwnWords::default()).unwrap()
    }

    fn terms(flags: &[JargonFlag]) -> Vec<(&str, &str)> {
        flags
            .iter()
            .map(|f| (f.term.as_str(), f.suggestion.as_str()))
            .collect()
    }

    #[test]
    fn the_built_in_glossaries_load() {
        assert!(en().len() > 20);
        let es = Glossary::for_language(Language::Es, &OwnWords::default()).unwrap();
        assert!(es.len() > 20);
    }

    #[test]
    fn an_advisor_writing_shop_talk_is_told_the_plain_words() {
        let flags = en().find("jobs[0].title", "R&R front pads w/ OEM brake assy per TSB");
        assert_eq!(
            terms(&flags),
            vec![
                ("R&R", "replace"),
                ("w/", "with"),
                ("OEM", "factory part"),
                ("assy", "assembly"),
                ("TSB", "manufacturer service bulletin"),
            ]
        );
        assert!(flags.iter().all(|f| f.field == "jobs[0].title"));
    }

    #[test]
    fn only_whole_words_count() {
        assert!(
            en().find("t", "Diagnosis of the cvt and the Oembed")
                .is_empty()
        );
        assert_eq!(
            terms(&en().find("t", "diag, CEL on")),
            vec![("diag", "diagnosis"), ("CEL", "check-engine light")]
        );
        assert_eq!(
            terms(&en().find("t", "ran w/o coolant")),
            vec![("w/o", "without")]
        );
        assert_eq!(
            terms(&en().find("t", "mpi; mpi again")),
            vec![("mpi", "inspection")]
        );
    }

    #[test]
    fn plain_words_pass() {
        assert!(
            en().find("t", "Replace front brake pads and resurface rotors")
                .is_empty()
        );
        let es = Glossary::for_language(Language::Es, &OwnWords::default()).unwrap();
        assert!(
            es.find("t", "Cambiar pastillas de freno delanteras")
                .is_empty()
        );
        assert_eq!(
            terms(&es.find("t", "Cambio de aceite c/ filtro")),
            vec![("c/", "con")]
        );
    }

    #[test]
    fn a_dealership_adds_and_overrides_words() {
        let own = OwnWords::parse(vec![
            GlossaryEntry {
                language: Language::En,
                term: "PDR".into(),
                suggestion: "paintless dent repair".into(),
            },
            GlossaryEntry {
                language: Language::En,
                term: "mpi".into(),
                suggestion: "multi-point inspection".into(),
            },
        ])
        .unwrap();
        let g = Glossary::for_language(Language::En, &own).unwrap();
        assert_eq!(
            terms(&g.find("t", "PDR and MPI")),
            vec![
                ("PDR", "paintless dent repair"),
                ("MPI", "multi-point inspection")
            ]
        );
        let stored = own.to_string();
        assert_eq!(stored.parse::<OwnWords>().unwrap(), own);
    }

    #[test]
    fn own_words_are_checked() {
        let entry = |term: &str| GlossaryEntry {
            language: Language::En,
            term: term.into(),
            suggestion: "x".into(),
        };
        assert!(OwnWords::parse(vec![entry("PDR"), entry("pdr")]).is_err());
        assert!(OwnWords::parse(vec![entry("a\nb")]).is_err());
        assert!(OwnWords::parse(vec![entry("  ")]).is_err());
    }
}
