//! Bearer tokens. Staff tokens are 256 random bits, shown once, stored as a
//! SHA-256 digest (the token has full entropy, so a fast hash is the right
//! tool: nothing to brute-force). The admin token comes from configuration.

use crate::app::{Actor, App, AppError, Caller};
use crate::db;
use crate::db::token_check::{self, PendingToken, TokenHolder};
use base64::Engine;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use subtle::ConstantTimeEq;

/// Staff tokens recognised lately: digest → who holds it. A hit is not a
/// yes: it is confirmed by the request's first database use, on that use's
/// own connection (`db::token_check`), which saves the separate lookup's
/// checkout and trip to the blocking pool.
#[derive(Debug, Default)]
pub struct TokenCache {
    holders: Mutex<HashMap<String, TokenHolder>>,
}

/// Tokens remembered at most; past this the cache starts again empty (a
/// dealer group has hundreds of staff, not thousands).
const REMEMBERED: usize = 10_000;

impl TokenCache {
    fn get(&self, hash: &str) -> Option<TokenHolder> {
        self.holders.lock().ok()?.get(hash).cloned()
    }

    fn remember(&self, hash: String, holder: TokenHolder) {
        if let Ok(mut holders) = self.holders.lock() {
            if holders.len() >= REMEMBERED {
                holders.clear();
            }
            holders.insert(hash, holder);
        }
    }

    /// Forgets a token whose confirmation said no.
    pub fn forget(&self, hash: &str) {
        if let Ok(mut holders) = self.holders.lock() {
            holders.remove(hash);
        }
    }
}

impl From<TokenHolder> for Actor {
    fn from(h: TokenHolder) -> Self {
        Actor {
            staff_id: h.staff_id,
            dealership_id: h.dealership_id,
            role: h.role,
            name: h.name,
        }
    }
}

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
        if let Some(holder) = self.tokens.get(&hash) {
            let pending = PendingToken {
                hash: hash.clone(),
                holder: holder.clone(),
            };
            if token_check::defer(pending) {
                return Ok(Caller::Staff(holder.into()));
            }
        }
        let lookup = hash.clone();
        let row = self
            .db
            .run(move |conn| db::staff::find_by_token_hash(conn, &lookup).map_err(AppError::from))
            .await?
            .filter(|row| row.active)
            .ok_or(AppError::Unauthenticated("the token is not valid"))?;
        let holder = TokenHolder {
            staff_id: row.id,
            dealership_id: row.dealership_id,
            role: row.role,
            name: row.name,
        };
        self.tokens.remember(hash, holder.clone());
        Ok(Caller::Staff(holder.into()))
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
