//! Where messages leave the building: Twilio for texts, SMTP for email, or
//! the local log when nothing is configured (nothing leaves the machine).

mod smtp;
mod twilio;

pub use smtp::Smtp;
pub use twilio::{Twilio, signature, signature_matches};

use crate::config::{EmailTransport, Settings, SmsTransport};
use crate::domain::ids::NotificationId;
use crate::domain::message::{Channel, MessageKind};
use chrono::{DateTime, Duration, Utc};

/// A message as its provider needs it: where it goes, from whom, and what
/// it says.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub id: NotificationId,
    pub kind: MessageKind,
    pub channel: Channel,
    pub to_address: String,
    pub from_address: Option<String>,
    pub reply_to: Option<String>,
    pub subject: Option<String>,
    pub body_text: String,
    pub body_html: Option<String>,
}

/// What happened when a message was handed to its provider.
#[derive(Debug, Clone, PartialEq)]
pub enum SendOutcome {
    /// Taken. `delivered`: nothing further will be heard (the log transport).
    Accepted {
        provider_id: String,
        status: String,
        delivered: bool,
    },
    /// Worth trying again: a timeout, a 5xx, a 429.
    Transient {
        error: String,
        retry_after: Option<Duration>,
    },
    /// Trying again will not help: a bad number, an opted-out recipient.
    Permanent { error: String, opted_out: bool },
}

pub enum SmsSender {
    Log,
    Twilio(Twilio),
}

pub enum EmailSender {
    Log,
    Smtp(Smtp),
}

pub struct Transports {
    pub sms: SmsSender,
    pub email: EmailSender,
}

impl Transports {
    /// Builds the configured transports. Call inside the Tokio runtime (the
    /// SMTP pool needs it).
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let sms = match settings.sms.transport {
            SmsTransport::Log => SmsSender::Log,
            SmsTransport::Twilio => SmsSender::Twilio(Twilio::new(
                &settings.sms.twilio,
                &settings.public_base_url,
            )?),
        };
        let email = match settings.email.transport {
            EmailTransport::Log => EmailSender::Log,
            EmailTransport::Smtp => EmailSender::Smtp(Smtp::new(&settings.email)?),
        };
        Ok(Self { sms, email })
    }

    /// True when neither texts nor emails leave this machine.
    pub fn all_local(&self) -> bool {
        matches!((&self.sms, &self.email), (SmsSender::Log, EmailSender::Log))
    }

    pub async fn send(&self, n: &Envelope) -> SendOutcome {
        match (n.channel, &self.sms, &self.email) {
            (Channel::Sms, SmsSender::Twilio(t), _) => t.send(n).await,
            (Channel::Email, _, EmailSender::Smtp(s)) => s.send(n).await,
            (Channel::Sms, SmsSender::Log, _) | (Channel::Email, _, EmailSender::Log) => log(n),
        }
    }

    /// After a crash between the claim and the provider's answer: did the
    /// provider already take this message since `since`? Texts are looked up
    /// at Twilio (same recipient, same body). Emails cannot be looked up; they
    /// carry a Message-ID made from the notification id, so a resend is
    /// recognisable as the same message by the receiving system.
    pub async fn find_sent(
        &self,
        n: &Envelope,
        since: DateTime<Utc>,
    ) -> Result<Option<(String, String)>, String> {
        match (n.channel, &self.sms) {
            (Channel::Sms, SmsSender::Twilio(t)) => t.find_sent(n, since).await,
            (Channel::Sms, SmsSender::Log) | (Channel::Email, _) => Ok(None),
        }
    }
}

/// The log transport: the message stays on this machine, counts as
/// delivered, and /dev/outbox lists it. The log says that it went and to
/// whom (masked); the text itself only at debug: logs travel further than
/// the database, and customers' words and links do not belong in them.
fn log(n: &Envelope) -> SendOutcome {
    let to = mask_address(&n.to_address);
    tracing::info!(target: "handover::outbox", %to, kind = %n.kind, channel = %n.channel, "kept on this machine (log transport)");
    tracing::debug!(target: "handover::outbox", %to, subject = n.subject.as_deref().unwrap_or(""), body = %n.body_text, "message text");
    SendOutcome::Accepted {
        provider_id: format!("log-{}", n.id),
        status: "delivered".into(),
        delivered: true,
    }
}

/// Enough of an address to tell messages apart in a log, not enough to
/// reach anyone: `+1•••••••0142`, `s•••@example.com`.
pub fn mask_address(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => {
            let chars: Vec<char> = address.chars().collect();
            let keep = chars.len().min(4);
            let (head, tail) = chars.split_at(chars.len() - keep);
            let prefix: String = head.iter().take(2).collect();
            let hidden = "•".repeat(head.len().saturating_sub(2));
            format!("{prefix}{hidden}{}", tail.iter().collect::<String>())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::mask_address;

    #[test]
    fn addresses_are_masked_in_logs() {
        assert_eq!(mask_address("+13125550142"), "+1••••••0142");
        assert_eq!(mask_address("sam@example.com"), "s•••@example.com");
        assert_eq!(mask_address(""), "");
        assert_eq!(mask_address("123"), "123");
    }
}
