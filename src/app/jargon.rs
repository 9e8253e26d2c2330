//! Checking what staff write for a customer against the glossary of the
//! customer's language (see `domain::jargon`). Write answers carry what was
//! found as `jargon`; nothing is refused for it.

use crate::app::AppError;
use crate::db::models::DealershipRow;
use crate::domain::jargon::{Glossary, JargonFlag};
use crate::domain::language::Language;

pub(crate) struct JargonCheck {
    glossary: Glossary,
    flags: Vec<JargonFlag>,
}

impl JargonCheck {
    /// For text a customer who reads `language` will get from `dealership`.
    pub fn new(dealership: &DealershipRow, language: Language) -> Result<Self, AppError> {
        let glossary = Glossary::for_language(language, &dealership.glossary)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("glossary: {e}")))?;
        Ok(Self {
            glossary,
            flags: Vec::new(),
        })
    }

    pub fn check(&mut self, field: &str, text: &str) {
        self.flags.extend(self.glossary.find(field, text));
    }

    pub fn flags(self) -> Vec<JargonFlag> {
        self.flags
    }
}
