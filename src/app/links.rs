//! The customer's status link. Its token is HMAC-SHA256(secret, RO id and
//! link version) cut to 128 bits: unguessable, unrelated to any id, and
//! reproducible, so every message can carry the link although the database
//! stores only the token's SHA-256. A new link version retires the old link.

use super::AppError;
use crate::db::{self, DbConn};
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

pub struct Links {
    secret: Vec<u8>,
    base: String,
}

impl Links {
    pub fn new(secret: &[u8], public_base_url: &str) -> Self {
        Self {
            secret: secret.to_vec(),
            base: public_base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The token in the link of `ro_id` at `version`.
    pub fn token(&self, ro_id: &str, version: i32) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.secret) else {
            return String::new();
        };
        mac.update(format!("status-link:v{version}:{ro_id}").as_bytes());
        let digest = mac.finalize().into_bytes();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
    }

    pub fn url(&self, ro_id: &str, version: i32) -> String {
        format!("{}/s/{}", self.base, self.token(ro_id, version))
    }

    /// What the database keeps of a token.
    pub fn hash(token: &str) -> String {
        Sha256::digest(token.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The secret from configuration, or, when none is set, the one this
    /// installation made for itself on first start (kept in the database).
    pub fn secret(
        tx: &mut DbConn,
        configured: &str,
        now: chrono::NaiveDateTime,
    ) -> Result<Vec<u8>, AppError> {
        if !configured.is_empty() {
            return Ok(configured.as_bytes().to_vec());
        }
        if let Some(stored) = db::secrets::find(tx, "status_links")? {
            return Ok(stored.into_bytes());
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
        let value: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        db::secrets::insert(tx, "status_links", &value, now)?;
        Ok(value.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_128_bit_stable_and_change_with_version_and_secret() {
        let links = Links::new(b"secret-one", "https://service.example/");
        let t = links.token("01a2-ro", 1);
        assert_eq!(t.len(), 22, "16 bytes in base64url");
        assert_eq!(t, links.token("01a2-ro", 1));
        assert_ne!(t, links.token("01a2-ro", 2));
        assert_ne!(t, links.token("01a2-other", 1));
        assert_ne!(t, Links::new(b"secret-two", "x").token("01a2-ro", 1));
        assert_eq!(
            links.url("01a2-ro", 1),
            format!("https://service.example/s/{t}")
        );
        assert_eq!(Links::hash(&t).len(), 64);
    }
}
