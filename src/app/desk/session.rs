//! Signing in to the desk: email and password, sessions kept in the
//! database (the cookie holds a random id; the table its hash), an idle
//! timeout, and a limit on failed attempts per account and per address.
//! Taking up an invitation sets the password and signs in.

use super::passwords;
use crate::app::admin::accounts::invitation_expired;
use crate::app::admin::auth::{generate_token, hash_token};
use crate::app::time::{stored, utc};
use crate::app::{Actor, App, AppError};
use crate::db::models::{SessionRow, StaffRow};
use crate::db::{self, DbConn};
use crate::domain::email::EmailAddress;
use crate::domain::password::NewPassword;
use crate::domain::validation::{FieldError, Violations};
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;

/// A signed-in person, as each desk request sees them.
#[derive(Debug, Clone)]
pub struct DeskSession {
    pub actor: Actor,
    /// Every form of this session carries it.
    pub csrf: String,
}

/// What a sign-in attempt came to.
#[derive(Debug)]
pub enum SignIn {
    /// In: the cookie to set (shown once; the database keeps its hash).
    Welcome {
        cookie: String,
        session: DeskSession,
    },
    /// Wrong email or password (which one is not said).
    Refused,
    /// Too many failures lately: try again after this many seconds.
    Throttled { retry_after: i64 },
}

/// What taking up an invitation came to.
#[derive(Debug)]
pub enum Invitation {
    Welcome {
        cookie: String,
        session: DeskSession,
    },
    /// The form's fields, each with what is wrong.
    Invalid(Vec<FieldError>),
    /// Used, replaced by a newer one, run out, or never issued.
    Expired,
}

fn actor(staff: &StaffRow) -> Actor {
    Actor {
        staff_id: staff.id,
        dealership_id: staff.dealership_id,
        role: staff.role,
        name: staff.name.clone(),
    }
}

/// A new session for `staff` (any other cookie the browser had is not
/// reused: a new id at every sign-in).
fn open(
    tx: &mut DbConn,
    staff: &StaffRow,
    now: DateTime<Utc>,
) -> Result<(String, DeskSession), AppError> {
    // 256 random bits each, as API tokens are.
    let cookie = generate_token()?;
    let csrf = generate_token()?;
    db::accounts::open_session(
        tx,
        &SessionRow {
            id_hash: hash_token(&cookie),
            staff_id: staff.id,
            csrf_token: csrf.clone(),
            created_at: stored(now),
            last_seen_at: stored(now),
        },
    )?;
    Ok((
        cookie,
        DeskSession {
            actor: actor(staff),
            csrf,
        },
    ))
}

fn account_key(email: &str) -> String {
    format!("account:{}", email.to_lowercase())
}

fn address_key(address: &str) -> String {
    format!("address:{address}")
}

impl App {
    /// Seconds until `key` may try again, if it failed too often lately.
    fn throttled(
        &self,
        tx: &mut DbConn,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, AppError> {
        let window = Duration::minutes(self.settings.desk.failed_sign_in_window_minutes);
        let (count, oldest) = db::accounts::failures_since(tx, key, stored(now - window))?;
        if count < self.settings.desk.max_failed_sign_ins {
            return Ok(None);
        }
        let free_at = oldest.map_or(now + window, |o| utc(o) + window);
        Ok(Some((free_at - now).num_seconds().max(1)))
    }

    pub async fn sign_in(
        &self,
        email: String,
        password: SecretString,
        address: Option<String>,
    ) -> Result<SignIn, AppError> {
        let now = self.clock.now();
        let keys: Vec<String> = [
            Some(account_key(email.trim())),
            address.as_deref().map(address_key),
        ]
        .into_iter()
        .flatten()
        .collect();
        let app = self.clone();
        let (keys2, email2) = (keys.clone(), email.clone());
        let found = self
            .db
            .run(move |conn| {
                for key in &keys2 {
                    if let Some(retry_after) = app.throttled(conn, key, now)? {
                        return Ok::<_, AppError>(Err(retry_after));
                    }
                }
                let staff = match EmailAddress::parse(email2.trim()) {
                    Ok(e) => db::staff::find_by_email(conn, &e)?,
                    Err(_) => None,
                };
                Ok(Ok(staff.filter(|s| s.active)))
            })
            .await?;
        let staff = match found {
            Err(retry_after) => return Ok(SignIn::Throttled { retry_after }),
            Ok(staff) => staff,
        };
        let stored_hash = staff.as_ref().and_then(|s| s.password_hash.clone());
        let ok = passwords::verify(password, stored_hash).await?;
        self.db
            .write(move |tx| match (ok, staff) {
                (true, Some(staff)) => {
                    db::accounts::clear_failures(tx, &keys[0])?;
                    let (cookie, session) = open(tx, &staff, now)?;
                    Ok(SignIn::Welcome { cookie, session })
                }
                _ => {
                    for key in &keys {
                        db::accounts::record_failure(tx, key, stored(now))?;
                    }
                    Ok(SignIn::Refused)
                }
            })
            .await
    }

    /// The session behind a cookie, if it is still good: the account
    /// active, and used within the idle timeout (each use extends it).
    pub async fn desk_session(&self, cookie: String) -> Result<Option<DeskSession>, AppError> {
        let now = self.clock.now();
        let idle = Duration::hours(self.settings.desk.session_idle_hours);
        self.db
            .write(move |tx| {
                let id_hash = hash_token(&cookie);
                let Some(row) = db::accounts::session(tx, &id_hash)? else {
                    return Ok(None);
                };
                let staff = db::staff::find_any(tx, row.staff_id)?.filter(|s| s.active);
                let Some(staff) = staff.filter(|_| utc(row.last_seen_at) + idle > now) else {
                    db::accounts::close_session(tx, &id_hash)?;
                    return Ok(None);
                };
                // Written at most once a minute: a page and its refreshes
                // do not each cost a write.
                if utc(row.last_seen_at) + Duration::minutes(1) <= now {
                    db::accounts::touch_session(tx, &id_hash, stored(now))?;
                }
                Ok(Some(DeskSession {
                    actor: actor(&staff),
                    csrf: row.csrf_token,
                }))
            })
            .await
    }

    pub async fn sign_out(&self, cookie: String) -> Result<(), AppError> {
        self.db
            .write(move |tx| Ok(db::accounts::close_session(tx, &hash_token(&cookie))?))
            .await
    }

    /// Who an invitation is for, while it works: (name, email).
    pub async fn invitation_for(
        &self,
        token: String,
    ) -> Result<Option<(String, Option<String>)>, AppError> {
        let now = self.clock.now();
        self.db
            .run(move |conn| {
                let Some(row) = db::accounts::invitation(conn, &hash_token(&token))? else {
                    return Ok(None);
                };
                if invitation_expired(&row, now) {
                    return Ok(None);
                }
                let staff = db::staff::find_any(conn, row.staff_id)?.filter(|s| s.active);
                Ok(staff.map(|s| (s.name, s.email.map(|e| e.to_string()))))
            })
            .await
    }

    /// Sets the password an invitation asks for and signs in; every other
    /// session of the account ends (the link is also the reset).
    pub async fn accept_invitation(
        &self,
        token: String,
        password: SecretString,
        confirm: SecretString,
    ) -> Result<Invitation, AppError> {
        use secrecy::ExposeSecret;
        let Some((name, email)) = self.invitation_for(token.clone()).await? else {
            return Ok(Invitation::Expired);
        };
        let mut v = Violations::new();
        let parsed = v.check(
            "password",
            NewPassword::parse(
                password.expose_secret(),
                &name,
                email.as_deref().unwrap_or(""),
            ),
        );
        if parsed.is_some() && password.expose_secret() != confirm.expose_secret() {
            v.push("confirm", "does not match the password");
        }
        if let Err(errors) = v.finish() {
            return Ok(Invitation::Invalid(errors));
        }
        let Some(parsed) = parsed else {
            return Ok(Invitation::Expired);
        };
        let hash = passwords::hash(parsed).await?;
        let now = self.clock.now();
        self.db
            .write(move |tx| {
                let token_hash = hash_token(&token);
                let Some(row) = db::accounts::invitation(tx, &token_hash)? else {
                    return Ok(Invitation::Expired);
                };
                if invitation_expired(&row, now)
                    || !db::accounts::use_invitation(tx, &token_hash, stored(now))?
                {
                    return Ok(Invitation::Expired);
                }
                let Some(staff) = db::staff::find_any(tx, row.staff_id)?.filter(|s| s.active)
                else {
                    return Ok(Invitation::Expired);
                };
                db::staff::set_password_hash(tx, staff.id, &hash)?;
                db::accounts::close_sessions_of(tx, staff.id)?;
                let (cookie, session) = open(tx, &staff, now)?;
                Ok(Invitation::Welcome { cookie, session })
            })
            .await
    }
}
