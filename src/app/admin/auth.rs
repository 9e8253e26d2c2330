//! Bearer tokens. Staff tokens are 256 random bits, shown once, stored as a
//! SHA-256 digest (the token has full entropy, so a fast hash is the right
//! tool: nothing to brute-force). The admin token comes from configuration.

use crate::app::{Actor, App, AppError, Caller};
use crate::db;
use base64::Engine;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A fresh staff token: `hov_` and 43 characters of base64url (256 bits).
pub fn generate_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("no randomness available: {e}")))?;
    Ok(format!(
        "hov_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl App {
    /// Who owns this bearer token.
    pub async fn authenticate(&self, token: &str) -> Result<Caller, AppError> {
        let admin = self.settings.admin_token.expose_secret();
        // Digests of equal length, compared in constant time: how long the
        // comparison takes says nothing about the admin token.
        let is_admin: bool = Sha256::digest(admin.as_bytes())
            .ct_eq(&Sha256::digest(token.as_bytes()))
            .into();
        if !admin.is_empty() && is_admin {
            return Ok(Caller::Admin);
        }
        if !token.starts_with("hov_") || token.len() > 128 {
            return Err(AppError::Unauthenticated("the token is not valid"));
        }
        let hash = hash_token(token);
        let row = self
            .db
            .run(move |conn| db::staff::find_by_token_hash(conn, &hash).map_err(AppError::from))
            .await?
            .filter(|row| row.active)
            .ok_or(AppError::Unauthenticated("the token is not valid"))?;
        Ok(Caller::Staff(Actor {
            staff_id: row.id,
            dealership_id: row.dealership_id,
            role: row.role,
            name: row.name,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hash_stably() {
        let a = generate_token().unwrap();
        let b = generate_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 43);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_eq!(hash_token(&a).len(), 64);
    }
}
