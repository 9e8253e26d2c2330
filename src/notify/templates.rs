//! Message templates from config/templates/{en,es}/, loaded and checked at
//! start-up: a missing or broken template stops the service from starting.
//! See config/templates/README.md for the layout.

use super::context::MessageContext;
use crate::domain::language::Language;
use crate::domain::message::{Audience, MessageKind};
use crate::domain::sms;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use std::path::Path;

const LANGUAGES: [Language; 2] = [Language::En, Language::Es];

include!(concat!(env!("OUT_DIR"), "/templates.rs"));

/// One message, rendered for every channel it can go by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line; typographic punctuation made plain, letters as written.
    pub sms: String,
    pub subject: String,
    pub text: String,
    /// Customer emails only.
    pub html: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("message templates in {dir}: {problem}")]
    Load { dir: String, problem: String },
    #[error("template {name}: {source}")]
    Render {
        name: String,
        #[source]
        source: minijinja::Error,
    },
}

pub struct Templates {
    env: Environment<'static>,
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html.j2") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.add_filter("clip", |text: String, max: usize| sms::clip(&text, max));
    env.add_filter("plural", |n: usize, one: String, many: String| {
        plural(n, &one, &many)
    });
    env
}

impl Templates {
    /// The templates compiled into the binary (config/templates at build
    /// time), checked like any others.
    pub fn embedded() -> Result<Self, TemplateError> {
        let load_error = |problem: String| TemplateError::Load {
            dir: "(built in)".into(),
            problem,
        };
        let mut env = environment();
        for (name, source) in EMBEDDED {
            env.add_template(name, source)
                .map_err(|e| load_error(format!("{name}: {e}")))?;
        }
        let templates = Self { env };
        templates.check().map_err(|e| load_error(e.to_string()))?;
        Ok(templates)
    }

    /// The built-in templates, or those under `dir` when one is configured.
    pub fn configured(dir: &str) -> Result<Self, TemplateError> {
        if dir.is_empty() {
            Self::embedded()
        } else {
            Self::load(Path::new(dir))
        }
    }

    /// Loads every template under `dir` and renders each message once with
    /// sample data, so a typo fails here rather than at 2 a.m.
    pub fn load(dir: &Path) -> Result<Self, TemplateError> {
        let load_error = |problem: String| TemplateError::Load {
            dir: dir.display().to_string(),
            problem,
        };
        let mut env = environment();
        let folders = LANGUAGES.iter().map(|l| l.code()).chain(["desk"]);
        for code in folders {
            let folder = dir.join(code);
            let entries = std::fs::read_dir(&folder)
                .map_err(|e| load_error(format!("cannot read {}: {e}", folder.display())))?;
            for entry in entries {
                let path = entry.map_err(|e| load_error(e.to_string()))?.path();
                let Some(file) = path.file_name().and_then(|f| f.to_str()) else {
                    continue;
                };
                if !file.ends_with(".j2") {
                    continue;
                }
                let source = std::fs::read_to_string(&path)
                    .map_err(|e| load_error(format!("cannot read {}: {e}", path.display())))?;
                env.add_template_owned(format!("{}/{file}", code), source)
                    .map_err(|e| load_error(format!("{file} ({}): {e}", code)))?;
            }
        }
        let templates = Self { env };
        templates.check().map_err(|e| load_error(e.to_string()))?;
        Ok(templates)
    }

    /// Renders every message in every language it is written in: customer
    /// messages need a text and an HTML template per language, staff
    /// messages an English text.
    fn check(&self) -> Result<(), TemplateError> {
        for kind in MessageKind::ALL.iter().copied() {
            let languages: &[Language] = match kind.audience() {
                Audience::Customer | Audience::TextOnly => &LANGUAGES,
                Audience::Staff => &[Language::En],
            };
            for lang in languages.iter().copied() {
                let rendered = self.render(lang, kind, &MessageContext::sample_long_in(lang))?;
                if kind.audience() == Audience::Customer && rendered.html.is_none() {
                    return Err(TemplateError::Render {
                        name: format!("{}/{kind}.html.j2", lang.code()),
                        source: minijinja::Error::new(
                            minijinja::ErrorKind::TemplateNotFound,
                            "missing",
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// Renders `kind` in `lang` (staff messages: English when the language
    /// has none of its own).
    pub fn render(
        &self,
        lang: Language,
        kind: MessageKind,
        ctx: &MessageContext,
    ) -> Result<Rendered, TemplateError> {
        let (lang, kind) = self.language_for(lang, kind);
        let [sms, subject, text] = self.blocks(lang, kind, ctx, ["sms", "subject", "text"])?;
        let html = if self.has(lang, kind, "html") {
            Some(self.render_named(&format!("{}/{kind}.html.j2", lang.code()), ctx)?)
        } else {
            None
        };
        Ok(Rendered {
            sms: sms_line(&sms),
            subject: collapse_spaces(&subject),
            text: text.trim().to_owned(),
            html,
        })
    }

    /// The text's one line alone, as [`Templates::render`] makes it: a
    /// message that goes by text only needs no subject, body or HTML.
    pub fn render_sms(
        &self,
        lang: Language,
        kind: MessageKind,
        ctx: &MessageContext,
    ) -> Result<String, TemplateError> {
        let (lang, kind) = self.language_for(lang, kind);
        let [sms] = self.blocks(lang, kind, ctx, ["sms"])?;
        Ok(sms_line(&sms))
    }

    fn language_for(&self, lang: Language, kind: MessageKind) -> (Language, &'static str) {
        let kind = kind.as_str();
        if kind.starts_with("staff_") && !self.has(lang, kind, "txt") {
            (Language::En, kind)
        } else {
            (lang, kind)
        }
    }

    fn blocks<const N: usize>(
        &self,
        lang: Language,
        kind: &str,
        ctx: &MessageContext,
        names: [&str; N],
    ) -> Result<[String; N], TemplateError> {
        let txt_name = format!("{}/{kind}.txt.j2", lang.code());
        let txt = self.env.get_template(&txt_name).map_err(err(&txt_name))?;
        let mut captured = txt.render_captured(ctx).map_err(err(&txt_name))?;
        captured
            .with_state_mut(|state| -> Result<_, minijinja::Error> {
                let mut out: [String; N] = std::array::from_fn(|_| String::new());
                for (slot, name) in out.iter_mut().zip(names) {
                    *slot = state.render_block(name)?;
                }
                Ok(out)
            })
            .map_err(err(&txt_name))
    }

    /// A page (the status page, its expired variant) in `lang`.
    pub fn render_page<S: serde::Serialize>(
        &self,
        lang: Language,
        page: &str,
        ctx: &S,
    ) -> Result<String, TemplateError> {
        self.render_named(&format!("{}/{page}.html.j2", lang.code()), ctx)
    }

    /// A page of the staff desk (config/templates/desk, English).
    pub fn render_desk<S: serde::Serialize>(
        &self,
        page: &str,
        ctx: &S,
    ) -> Result<String, TemplateError> {
        self.render_named(&format!("desk/{page}.html.j2"), ctx)
    }

    fn render_named<S: serde::Serialize>(
        &self,
        name: &str,
        ctx: &S,
    ) -> Result<String, TemplateError> {
        self.env
            .get_template(name)
            .map_err(err(name))?
            .render(ctx)
            .map_err(err(name))
    }

    fn has(&self, lang: Language, kind: &str, ext: &str) -> bool {
        self.env
            .get_template(&format!("{}/{kind}.{ext}.j2", lang.code()))
            .is_ok()
    }
}

/// A text's one line: spaces collapsed, typographic punctuation made plain.
fn sms_line(raw: &str) -> String {
    sms::plain_punctuation(&collapse_spaces(raw))
}

fn err(name: &str) -> impl FnOnce(minijinja::Error) -> TemplateError {
    let name = name.to_owned();
    move |source| TemplateError::Render { name, source }
}

/// "1 job", "2 jobs": the count and the word that goes with it.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One line, single spaces: a text message has no layout.
fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
