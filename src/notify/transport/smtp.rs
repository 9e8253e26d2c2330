//! Email over SMTP with lettre: multipart (plain text and HTML), Reply-To the
//! advisor, and a Message-ID made from the notification id so that a resend
//! after a crash is the same message to the receiving system. From carries
//! the dealership's name (written by the outbox); every message says it was
//! sent by a machine (`Auto-Submitted`).

use super::Envelope;
use super::SendOutcome;
use crate::config::{EmailSettings, SmtpTls};
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

/// `Auto-Submitted: auto-generated` (RFC 3834): mail systems send no
/// vacation replies to it and people's filters can tell it from a person's.
#[derive(Debug, Clone, Copy)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        match s.trim() {
            "auto-generated" => Ok(Self),
            other => Err(format!("Auto-Submitted {other:?} is not ours").into()),
        }
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    default_from: Mailbox,
}

impl Smtp {
    pub fn new(settings: &EmailSettings) -> anyhow::Result<Self> {
        let s = &settings.smtp;
        let mut builder = match s.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host)?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host)?,
        }
        .port(s.port)
        .timeout(Some(std::time::Duration::from_secs(
            s.timeout_seconds.max(1),
        )));
        if !s.username.is_empty() {
            builder = builder.credentials(Credentials::new(
                s.username.clone(),
                s.password.expose_secret().to_owned(),
            ));
        }
        Ok(Self {
            transport: builder.build(),
            default_from: settings.from.parse()?,
        })
    }

    fn message(&self, n: &Envelope) -> Result<Message, String> {
        let from: Mailbox = match n.from_address.as_deref().filter(|f| !f.is_empty()) {
            Some(f) => f.parse().map_err(|e| format!("bad From {f:?}: {e}"))?,
            None => self.default_from.clone(),
        };
        let to: Mailbox = n
            .to_address
            .parse()
            .map_err(|e| format!("bad To {:?}: {e}", n.to_address))?;
        let domain = from.email.domain().to_owned();
        let subject = n.subject.clone().ok_or("an email without a subject")?;
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .header(AutoSubmitted)
            .message_id(Some(format!("<{}@{domain}>", n.id)));
        if let Some(reply_to) = &n.reply_to {
            let mailbox: Mailbox = reply_to
                .parse()
                .map_err(|e| format!("bad Reply-To {reply_to:?}: {e}"))?;
            builder = builder.reply_to(mailbox);
        }
        let built = match &n.body_html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                n.body_text.clone(),
                html.clone(),
            )),
            None => builder.singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(n.body_text.clone()),
            ),
        };
        built.map_err(|e| format!("cannot build the email: {e}"))
    }

    pub async fn send(&self, n: &Envelope) -> SendOutcome {
        let message = match self.message(n) {
            Ok(m) => m,
            Err(error) => {
                return SendOutcome::Permanent {
                    error,
                    opted_out: false,
                };
            }
        };
        match self.transport.send(message).await {
            Ok(response) => SendOutcome::Accepted {
                provider_id: format!("smtp-{}", n.id),
                status: format!("sent ({})", response.code()),
                delivered: false,
            },
            Err(e) if e.is_permanent() => SendOutcome::Permanent {
                error: format!("the mail server refused it: {e}"),
                opted_out: false,
            },
            Err(e) => SendOutcome::Transient {
                error: format!("mail server: {e}"),
                retry_after: None,
            },
        }
    }
}
