//! Which store `database.url` names, and how it may be shown.

use super::conn::Backend;
use super::pool::DbSetupError;
use std::path::PathBuf;

/// Which store `database.url` names. Chosen from the scheme alone: diesel's
/// own `MultiConnection::establish` tries every backend and discards the
/// errors, which would hide why PostgreSQL was unreachable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Sqlite { path: PathBuf },
    Postgres { url: String },
}

impl DatabaseTarget {
    pub fn parse(url: &str) -> Result<Self, DbSetupError> {
        let url = url.trim();
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(DbSetupError::BadUrl(
                    "SQLite URL has no file path; write sqlite://data/handover.db".into(),
                ));
            }
            return Ok(Self::Sqlite {
                path: PathBuf::from(path),
            });
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres {
                url: url.to_owned(),
            });
        }
        let shown = if url.is_empty() {
            "an empty string".to_owned()
        } else {
            format!("{:?}", redact(url))
        };
        Err(DbSetupError::BadUrl(format!(
            "database.url is {shown}; it must start with sqlite:// or postgres://"
        )))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite { .. } => Backend::Sqlite,
            Self::Postgres { .. } => Backend::Postgres,
        }
    }

    /// The URL with any password replaced, safe for logs and error messages.
    pub fn display(&self) -> String {
        match self {
            Self::Sqlite { path } => format!("sqlite://{}", path.display()),
            Self::Postgres { url } => redact(url),
        }
    }
}

/// Replaces the password in `scheme://user:password@host/…` with `***`. A
/// URL that cannot be read but might hold credentials is not shown at all.
fn redact(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut parsed) => {
            if parsed.password().is_some() && parsed.set_password(Some("***")).is_err() {
                return "[a URL with a password]".to_owned();
            }
            parsed.to_string()
        }
        Err(_) if raw.contains('@') => "[an unreadable URL]".to_owned(),
        Err(_) => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend() {
        assert_eq!(
            DatabaseTarget::parse("sqlite://data/handover.db").unwrap(),
            DatabaseTarget::Sqlite {
                path: "data/handover.db".into()
            }
        );
        assert_eq!(
            DatabaseTarget::parse("postgresql://u@h/db")
                .unwrap()
                .backend(),
            Backend::Postgres
        );
        for bad in ["", "sqlite://", "mysql://x", "data/handover.db"] {
            assert!(
                matches!(DatabaseTarget::parse(bad), Err(DbSetupError::BadUrl(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn passwords_never_shown() {
        let t = DatabaseTarget::parse("postgres://app:s3cret@db:5432/handover").unwrap();
        assert_eq!(t.display(), "postgres://app:***@db:5432/handover");
        assert_eq!(redact("postgres://app@db/h"), "postgres://app@db/h");
        let err = DatabaseTarget::parse("mysql://root:hunter2@x/y")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2"), "{err}");
    }
}
