//! Email addresses: the practical subset of RFC 5321 that mail servers accept
//! and people actually use. Quoted local parts and IP-literal domains are
//! refused on purpose; a customer's address never needs them.

use super::validation::Invalid;
use serde::{Serialize, Serializer};
use std::fmt;

#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim();
        let bad = || Invalid::new(format!("{value:?} is not a valid email address"));
        if value.is_empty() {
            return Err(Invalid::new("must not be empty"));
        }
        if value.len() > 254 {
            return Err(Invalid::new("must be at most 254 characters"));
        }
        let (local, domain) = value.rsplit_once('@').ok_or_else(bad)?;
        if !valid_local(local) || !valid_domain(domain) {
            return Err(bad());
        }
        // Domains are case-insensitive; the local part is kept as written.
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn valid_local(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~.";
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
}

impl std::str::FromStr for EmailAddress {
    type Err = Invalid;

    fn from_str(raw: &str) -> Result<Self, Invalid> {
        Self::parse(raw)
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for EmailAddress {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for raw in [
            "ana@example.com",
            "ana.lopez+cars@mail.Example.COM",
            "o'brien@dealer.co.uk",
            "x@a-b.io",
        ] {
            assert!(EmailAddress::parse(raw).is_ok(), "{raw}");
        }
        assert_eq!(
            EmailAddress::parse(" Ana@Example.COM ").unwrap().as_str(),
            "Ana@example.com"
        );
    }

    #[test]
    fn refuses_what_mail_servers_refuse() {
        for raw in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "ana@@example.com",
            "ana..lopez@example.com",
            ".ana@example.com",
            "ana@-example.com",
            "ana@example.c",
            "ana@exa mple.com",
            "ana lopez@example.com",
            "ana@example.123",
        ] {
            assert!(EmailAddress::parse(raw).is_err(), "{raw}");
        }
        let long = format!("{}@example.com", "a".repeat(65));
        assert!(EmailAddress::parse(&long).is_err());
    }
}
