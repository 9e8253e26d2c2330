//! Twilio's Programmable Messaging API, as documented: form-encoded POST to
//! /2010-04-01/Accounts/{AccountSid}/Messages.json with HTTP Basic auth, and
//! the X-Twilio-Signature scheme for its webhooks.

use super::Envelope;
use super::SendOutcome;
use crate::config::TwilioSettings;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit, Mac};
use secrecy::ExposeSecret;
use serde::Deserialize;
use sha1::Sha1;

/// Twilio error codes that mean "do not try again".
const OPTED_OUT: i64 = 21610;

pub struct Twilio {
    client: reqwest::Client,
    api_base: String,
    account_sid: String,
    auth_token: secrecy::SecretString,
    from: String,
    messaging_service_sid: String,
    status_callback: String,
}

#[derive(Deserialize)]
struct Created {
    sid: String,
    status: Option<String>,
}

#[derive(Deserialize)]
struct ApiError {
    code: Option<i64>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct MessageList {
    messages: Vec<ListedMessage>,
}

#[derive(Deserialize)]
struct ListedMessage {
    sid: String,
    body: Option<String>,
    status: Option<String>,
    date_created: Option<String>,
}

impl Twilio {
    pub fn new(settings: &TwilioSettings, public_base_url: &str) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(
                settings.timeout_seconds.max(1),
            ))
            .build()?;
        Ok(Self {
            client,
            api_base: settings.api_base.trim_end_matches('/').to_owned(),
            account_sid: settings.account_sid.clone(),
            auth_token: settings.auth_token.clone(),
            from: settings.from.clone(),
            messaging_service_sid: settings.messaging_service_sid.clone(),
            status_callback: format!(
                "{}/webhooks/twilio/status",
                public_base_url.trim_end_matches('/')
            ),
        })
    }

    fn messages_url(&self) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.api_base, self.account_sid
        )
    }

    pub async fn send(&self, n: &Envelope) -> SendOutcome {
        let mut form: Vec<(&str, &str)> = vec![("To", &n.to_address), ("Body", &n.body_text)];
        // The dealership's own number; else a Messaging Service; else the default number.
        match n.from_address.as_deref().filter(|f| !f.is_empty()) {
            Some(from) => form.push(("From", from)),
            None if !self.messaging_service_sid.is_empty() => {
                form.push(("MessagingServiceSid", &self.messaging_service_sid))
            }
            None => form.push(("From", &self.from)),
        }
        form.push(("StatusCallback", &self.status_callback));
        let response = self
            .client
            .post(self.messages_url())
            .basic_auth(&self.account_sid, Some(self.auth_token.expose_secret()))
            .form(&form)
            .send()
            .await;
        let response = match response {
            Ok(r) => r,
            Err(e) => {
                return SendOutcome::Transient {
                    error: if e.is_timeout() {
                        "Twilio did not answer in time".into()
                    } else {
                        format!("could not reach Twilio: {e}")
                    },
                    retry_after: None,
                };
            }
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok())
            .map(Duration::seconds);
        let body = response.text().await.unwrap_or_default();
        if status.is_success() {
            return match serde_json::from_str::<Created>(&body) {
                Ok(created) => SendOutcome::Accepted {
                    provider_id: created.sid,
                    status: created.status.unwrap_or_else(|| "queued".into()),
                    delivered: false,
                },
                // Twilio said yes but the answer is unreadable: without a sid
                // we cannot match callbacks, but resending would duplicate.
                Err(e) => SendOutcome::Accepted {
                    provider_id: format!("unknown-{}", n.id),
                    status: format!("accepted (unreadable answer: {e})"),
                    delivered: false,
                },
            };
        }
        let api: Option<ApiError> = serde_json::from_str(&body).ok();
        let code = api.as_ref().and_then(|a| a.code);
        let message = api
            .and_then(|a| a.message)
            .unwrap_or_else(|| body.chars().take(200).collect());
        let error = match code {
            Some(c) => format!("Twilio {c}: {message}"),
            None => format!("Twilio HTTP {}: {message}", status.as_u16()),
        };
        if status.as_u16() == 429 || status.is_server_error() {
            SendOutcome::Transient { error, retry_after }
        } else {
            SendOutcome::Permanent {
                error,
                opted_out: code == Some(OPTED_OUT),
            }
        }
    }

    /// Messages Twilio has to `n.to_address` created since `since` whose body
    /// is this message's: the answer to "did my send go through before I died?".
    pub async fn find_sent(
        &self,
        n: &Envelope,
        since: DateTime<Utc>,
    ) -> Result<Option<(String, String)>, String> {
        let mut url = reqwest::Url::parse(&self.messages_url()).map_err(|e| e.to_string())?;
        url.query_pairs_mut()
            .append_pair("To", &n.to_address)
            .append_pair("DateSent>", &since.format("%Y-%m-%d").to_string())
            .append_pair("PageSize", "50");
        let response = self
            .client
            .get(url)
            .basic_auth(&self.account_sid, Some(self.auth_token.expose_secret()))
            .send()
            .await
            .map_err(|e| format!("could not ask Twilio: {e}"))?;
        if !response.status().is_success() {
            return Err(format!(
                "Twilio answered {} to the lookup",
                response.status().as_u16()
            ));
        }
        let list: MessageList = response
            .json()
            .await
            .map_err(|e| format!("unreadable lookup answer: {e}"))?;
        Ok(list
            .messages
            .into_iter()
            .filter(|m| m.body.as_deref() == Some(n.body_text.as_str()))
            .filter(|m| {
                m.date_created
                    .as_deref()
                    .and_then(|d| DateTime::parse_from_rfc2822(d).ok())
                    .is_none_or(|d| d.with_timezone(&Utc) >= since - Duration::minutes(1))
            })
            .map(|m| (m.sid, m.status.unwrap_or_else(|| "sent".into())))
            .next())
    }
}

/// X-Twilio-Signature: base64(HMAC-SHA1(auth token, the full URL Twilio
/// called followed by every distinct POST parameter sorted by name and
/// value, name then value, no separators)). A parameter sent twice with the
/// same value counts once, as in Twilio's own RequestValidator.
fn signature_mac(auth_token: &str, url: &str, params: &[(String, String)]) -> Option<Hmac<Sha1>> {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut mac = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).ok()?;
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    Some(mac)
}

/// The signature Twilio sends for this request.
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    signature_mac(auth_token, url, params)
        .map(|mac| base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
        .unwrap_or_default()
}

/// Whether `given` (the X-Twilio-Signature header) is Twilio's signature of
/// this request, compared in constant time.
pub fn signature_matches(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    given: &str,
) -> bool {
    let Ok(given) = base64::engine::general_purpose::STANDARD.decode(given.trim()) else {
        return false;
    };
    signature_mac(auth_token, url, params).is_some_and(|mac| mac.verify_slice(&given).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twilio's documented example.
    #[test]
    fn signature_matches_twilios_documented_vector() {
        let params: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            signature(
                "12345",
                "https://mycompany.com/myapp.php?foo=1&bar=2",
                &params
            ),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
        // Order of the parameters as received does not matter.
        let mut reversed = params.clone();
        reversed.reverse();
        assert_eq!(
            signature(
                "12345",
                "https://mycompany.com/myapp.php?foo=1&bar=2",
                &reversed
            ),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
        assert_ne!(
            signature(
                "wrong",
                "https://mycompany.com/myapp.php?foo=1&bar=2",
                &params
            ),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert!(signature_matches(
            "12345",
            url,
            &params,
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
        assert!(!signature_matches(
            "12345",
            url,
            &params,
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ"
        ));
        assert!(!signature_matches("12345", url, &params, "not base64!"));
    }

    /// Signatures made by Twilio's own RequestValidator (the `twilio` package;
    /// scripts/twilio_signatures.py makes and checks the file) are accepted.
    #[test]
    fn signatures_made_by_twilios_library_are_accepted() {
        let file: serde_json::Value = serde_json::from_str(include_str!(
            "../../../tests/vectors/twilio_signatures.json"
        ))
        .unwrap();
        let token = file["token"].as_str().unwrap();
        let vectors = file["vectors"].as_array().unwrap();
        assert!(vectors.len() >= 5);
        for v in vectors {
            let url = v["url"].as_str().unwrap();
            let params: Vec<(String, String)> = v["params"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_str().unwrap().into(), p[1].as_str().unwrap().into()))
                .collect();
            let given = v["signature"].as_str().unwrap();
            assert!(
                signature_matches(token, url, &params, given),
                "{url} {params:?}"
            );
            assert_eq!(signature(token, url, &params), given);
        }
    }

    /// Twilio's validator signs each distinct (name, value) once: a media
    /// URL repeated in the form does not change the signature.
    #[test]
    fn repeated_identical_parameters_count_once() {
        let once = vec![("MediaUrl0".to_owned(), "https://a.example/x".to_owned())];
        let twice = vec![once[0].clone(), once[0].clone()];
        let url = "https://service.example/webhooks/twilio/inbound";
        assert_eq!(signature("t", url, &once), signature("t", url, &twice));
    }
}
