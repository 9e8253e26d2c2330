//! Desk passwords, hashed with argon2id (the crate's defaults: 19 MiB, two
//! passes, OWASP's recommendation) in PHC strings. Hashing is slow on
//! purpose, so it runs on the blocking pool, never on the async executor.

use crate::app::AppError;
use crate::domain::password::NewPassword;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use secrecy::{ExposeSecret, SecretString};

/// A hash of a password nobody has: checked when the account does not
/// exist, so a wrong email takes as long as a wrong password.
const NOBODY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$7Oa1hUyfBBcqTc2kZ7VfgnVQIBOmXsPjCuRyXg2AC3U";

pub(crate) async fn hash(password: NewPassword) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.expose().as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing task: {e}")))?
}

/// Whether `password` is the one `stored` was made from (`None`: no such
/// account, checked against a dummy for even timing).
pub(crate) async fn verify(
    password: SecretString,
    stored: Option<String>,
) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let real = stored.is_some();
        let hash = stored.unwrap_or_else(|| NOBODY.to_owned());
        let ok = Argon2::default()
            .verify_password(password.expose_secret().as_bytes(), hash.as_str())
            .is_ok();
        real && ok
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("verifying task: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_no_other() {
        let p = NewPassword::parse("brake pads and coffee", "Ana Lopez", "ana@x.example").unwrap();
        let stored = hash(p).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        let right = SecretString::from("brake pads and coffee".to_owned());
        let wrong = SecretString::from("brake pads and tea".to_owned());
        assert!(verify(right.clone(), Some(stored.clone())).await.unwrap());
        assert!(!verify(wrong, Some(stored)).await.unwrap());
        assert!(!verify(right, None).await.unwrap(), "no account, no entry");
    }
}
