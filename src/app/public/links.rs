//! The customer's status link. Its token is HMAC-SHA256(secret, RO id and
//! link version) cut to 128 bits: unguessable, unrelated to any id, and
//! reproducible, so every message can carry the link although the database
//! stores only the token's SHA-256. A new link version retires the old link.

use crate::app::AppError;
use crate::db::{self, DbConn};
use crate::domain::ids::RoId;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use sha2::{Digest, Sha256};

pub struct Links {
    /// Keyed once: each token clones this instead of re-keying.
    mac: Hmac<Sha256>,
    base: String,
}

impl Links {
    pub fn new(secret: &SecretSlice<u8>, public_base_url: &str) -> Result<Self, AppError> {
        let mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("status-link secret: {e}")))?;
        Ok(Self {
            mac,
            base: public_base_url.trim_end_matches('/').to_owned(),
        })
    }

    /// The token in the link of `ro_id` at `version`.
    pub fn token(&self, ro_id: RoId, version: i32) -> String {
        let mut mac = self.mac.clone();
        mac.update(format!("status-link:v{version}:{ro_id}").as_bytes());
        let digest = mac.finalize().into_bytes();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
    }

    pub fn url(&self, ro_id: RoId, version: i32) -> String {
        format!("{}/s/{}", self.base, self.token(ro_id, version))
    }

    /// The value a status-page form must carry for the browser holding the
    /// CSRF cookie `cookie` on the page of `token`: HMAC(secret, both), so a
    /// pair a client makes up without the secret never matches, and a pair
    /// from one page does not fit another.
    pub fn form_token(&self, cookie: &str, token: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(format!("status-form:{token}:{cookie}").as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Whether `sent` is the form token for `cookie` on `token`'s page
    /// (compared in constant time).
    pub fn form_token_matches(&self, sent: &str, cookie: &str, token: &str) -> bool {
        let Ok(sent) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sent) else {
            return false;
        };
        let mut mac = self.mac.clone();
        mac.update(format!("status-form:{token}:{cookie}").as_bytes());
        mac.verify_slice(&sent).is_ok()
    }

    /// What the database keeps of a token.
    pub fn hash(token: &str) -> String {
        hex::encode(Sha256::digest(token.as_bytes()))
    }

    /// The secret from configuration, or, when none is set, the one this
    /// installation made for itself on first start (kept in the database).
    pub fn secret(
        tx: &mut DbConn,
        configured: &str,
        now: chrono::NaiveDateTime,
    ) -> Result<SecretSlice<u8>, AppError> {
        if !configured.is_empty() {
            return Ok(configured.as_bytes().to_vec().into());
        }
        if let Some(stored) = db::secrets::find(tx, "status_links")? {
            return Ok(stored.into_bytes().into());
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
        let value = hex::encode(bytes);
        db::secrets::insert(tx, "status_links", &value, now)?;
        Ok(value.into_bytes().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_128_bit_stable_and_change_with_version_and_secret() {
        let secret = |s: &[u8]| SecretSlice::from(s.to_vec());
        let links = Links::new(&secret(b"secret-one"), "https://service.example/").unwrap();
        let (ro, other) = (RoId::generate(), RoId::generate());
        let t = links.token(ro, 1);
        assert_eq!(t.len(), 22, "16 bytes in base64url");
        assert_eq!(t, links.token(ro, 1));
        assert_ne!(t, links.token(ro, 2));
        assert_ne!(t, links.token(other, 1));
        let two = Links::new(&secret(b"secret-two"), "x").unwrap();
        assert_ne!(t, two.token(ro, 1));
        assert_eq!(links.url(ro, 1), format!("https://service.example/s/{t}"));
        assert_eq!(Links::hash(&t).len(), 64);
    }
}
