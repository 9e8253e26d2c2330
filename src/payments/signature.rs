//! Stripe's webhook signature: `Stripe-Signature: t=<unix time>,v1=<hex>`,
//! where v1 is HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint's
//! signing secret. Several v1 values may come at once while a secret is
//! being rolled; any one matching is enough. A timestamp further than the
//! tolerance from now is refused, so a captured request cannot be replayed
//! later. Compared in constant time.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Stripe's own libraries default to five minutes.
pub const TOLERANCE_SECONDS: i64 = 300;

/// Why a signature was refused (said to the caller as one 400).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No `t=` or no `v1=` in the header.
    Malformed,
    /// Signed too long ago (or too far ahead).
    Stale,
    /// No v1 matches.
    Mismatch,
}

impl Refused {
    pub fn words(self) -> &'static str {
        match self {
            Refused::Malformed => "the Stripe-Signature header needs t= and v1=",
            Refused::Stale => "the signature's timestamp is outside the tolerance",
            Refused::Mismatch => "no signature matches the payload",
        }
    }
}

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

/// The header Stripe would send for `body` at `timestamp` (tests, fakes).
pub fn header(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let t = timestamp.to_string();
    let v1 = mac(secret, &t, body)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default();
    format!("t={t},v1={v1}")
}

/// Checks `header` over `body` against any of `secrets` at `now` (unix s).
pub fn verify(header: &str, body: &[u8], secrets: &[&str], now: i64) -> Result<(), Refused> {
    let mut timestamp: Option<&str> = None;
    let mut signatures: Vec<Vec<u8>> = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = Some(t),
            Some(("v1", v)) => signatures.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let t = timestamp.ok_or(Refused::Malformed)?;
    let at: i64 = t.parse().map_err(|_| Refused::Malformed)?;
    if signatures.is_empty() {
        return Err(Refused::Malformed);
    }
    if (now - at).abs() > TOLERANCE_SECONDS {
        return Err(Refused::Stale);
    }
    let matched = secrets.iter().any(|secret| {
        signatures
            .iter()
            .any(|sig| mac(secret, t, body).is_some_and(|m| m.verify_slice(sig).is_ok()))
    });
    if matched {
        Ok(())
    } else {
        Err(Refused::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret_for_handover";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;
    const AT: i64 = 1_700_000_000;
    /// Made by stripe-python 16.1.0:
    /// `WebhookSignature._compute_signature(f"{t}.{payload}", secret)`, and
    /// accepted by its `Webhook.construct_event`.
    const STRIPES: &str =
        "t=1700000000,v1=732704823ba61abeb231bab3a5d683c157ad7d146b775a95fcd7bb2893cc00de";

    #[test]
    fn a_signature_made_by_stripes_library_is_accepted() {
        assert_eq!(verify(STRIPES, BODY, &[SECRET], AT + 10), Ok(()));
        assert_eq!(header(SECRET, AT, BODY), STRIPES);
    }

    #[test]
    fn a_changed_body_or_another_secret_is_refused() {
        let other = br#"{"id":"evt_1","type":"checkout.session.expired"}"#;
        assert_eq!(
            verify(STRIPES, other, &[SECRET], AT),
            Err(Refused::Mismatch)
        );
        assert_eq!(
            verify(STRIPES, BODY, &["whsec_other"], AT),
            Err(Refused::Mismatch)
        );
    }

    #[test]
    fn an_old_or_future_timestamp_is_refused_even_when_signed() {
        assert_eq!(
            verify(STRIPES, BODY, &[SECRET], AT + 301),
            Err(Refused::Stale)
        );
        assert_eq!(
            verify(STRIPES, BODY, &[SECRET], AT - 301),
            Err(Refused::Stale)
        );
        assert_eq!(verify(STRIPES, BODY, &[SECRET], AT + 300), Ok(()));
    }

    #[test]
    fn during_a_secret_roll_any_v1_under_any_secret_counts() {
        let old = header("whsec_old", AT, BODY);
        let new = header("whsec_new", AT, BODY);
        let both = format!(
            "{new},v1={},v0=ignored",
            old.split("v1=").nth(1).unwrap_or("")
        );
        assert_eq!(verify(&both, BODY, &["whsec_old"], AT), Ok(()));
        assert_eq!(verify(&both, BODY, &["whsec_new"], AT), Ok(()));
        assert_eq!(verify(&old, BODY, &["whsec_new", "whsec_old"], AT), Ok(()));
    }

    #[test]
    fn a_header_without_t_or_v1_is_malformed() {
        for bad in [
            "",
            "v1=abcd",
            "t=1700000000",
            "t=soon,v1=abcd",
            "t=1700000000,v1=zz",
        ] {
            assert_eq!(
                verify(bad, BODY, &[SECRET], AT),
                Err(Refused::Malformed),
                "{bad}"
            );
        }
    }
}
