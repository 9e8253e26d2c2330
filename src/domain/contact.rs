//! How a customer wants to be told, and which channels that leaves once
//! consent and opt-outs are taken into account.

use super::validation::{Invalid, string_enum};

string_enum!(
    NotifyBy { Sms => "sms", Email => "email", Both => "both" }
);

impl NotifyBy {
    /// The customer's stated preference, checked against what we have; with
    /// none stated, texts when they consented to them, otherwise email.
    pub fn choose(stated: Option<&str>, can_text: bool, has_email: bool) -> Result<Self, Invalid> {
        let Some(raw) = stated else {
            return Ok(if can_text || !has_email {
                Self::Sms
            } else {
                Self::Email
            });
        };
        let wanted = Self::parse(raw)?;
        match wanted {
            Self::Sms | Self::Both if !can_text => Err(Invalid::new(
                "texts need a phone number and the customer's consent to texts",
            )),
            Self::Email | Self::Both if !has_email => {
                Err(Invalid::new("email needs an email address"))
            }
            ok => Ok(ok),
        }
    }
}

/// Where a message to the customer can go right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    pub sms: bool,
    pub email: bool,
}

/// Picks the channels for a message: the preferred ones that are open, or
/// the other one when the preferred is closed (no consent, opted out).
pub fn channels(preference: NotifyBy, sms_open: bool, has_email: bool) -> Reach {
    match preference {
        NotifyBy::Both => Reach {
            sms: sms_open,
            email: has_email,
        },
        NotifyBy::Sms if sms_open => Reach {
            sms: true,
            email: false,
        },
        NotifyBy::Email if has_email => Reach {
            sms: false,
            email: true,
        },
        // The preferred channel is closed: fall back to the other.
        NotifyBy::Sms => Reach {
            sms: false,
            email: has_email,
        },
        NotifyBy::Email => Reach {
            sms: sms_open,
            email: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_consent() {
        assert_eq!(NotifyBy::choose(None, true, true).unwrap(), NotifyBy::Sms);
        assert_eq!(
            NotifyBy::choose(None, false, true).unwrap(),
            NotifyBy::Email
        );
        assert_eq!(NotifyBy::choose(None, false, false).unwrap(), NotifyBy::Sms);
        assert!(NotifyBy::choose(Some("sms"), false, true).is_err());
        assert!(NotifyBy::choose(Some("both"), true, false).is_err());
        assert!(NotifyBy::choose(Some("fax"), true, true).is_err());
        assert_eq!(
            NotifyBy::choose(Some("email"), true, true).unwrap(),
            NotifyBy::Email
        );
    }

    #[test]
    fn closed_channels_fall_back() {
        assert_eq!(
            channels(NotifyBy::Sms, true, true),
            Reach {
                sms: true,
                email: false
            }
        );
        assert_eq!(
            channels(NotifyBy::Sms, false, true),
            Reach {
                sms: false,
                email: true
            }
        );
        assert_eq!(
            channels(NotifyBy::Sms, false, false),
            Reach {
                sms: false,
                email: false
            }
        );
        assert_eq!(
            channels(NotifyBy::Both, false, true),
            Reach {
                sms: false,
                email: true
            }
        );
        assert_eq!(
            channels(NotifyBy::Email, true, false),
            Reach {
                sms: true,
                email: false
            }
        );
    }
}
