//! Staff members: creation with a one-time token, "who am I", the roster.

use crate::app::admin::accounts::{InvitationSent, invite};
use crate::app::admin::auth::{generate_token, hash_token};
use crate::app::error::present;
use crate::app::idempotency::Outcome;
use crate::app::time::{stored, utc};
use crate::app::{Actor, App, AppError, Caller, IdempotencyKey, Reply};
use crate::db::{self, models::StaffRow};
use crate::domain::email::EmailAddress;
use crate::domain::ids::{DealershipId, StaffId};
use crate::domain::phone::{Country, PhoneNumber};
use crate::domain::presence::{Presence, PresenceState};
use crate::domain::role::{Permission, Role};
use crate::domain::text;
use crate::domain::validation::Violations;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    #[schema(example = "Ana Lopez")]
    pub name: String,
    /// advisor, technician, cashier or manager.
    #[schema(example = "advisor")]
    pub role: String,
    /// For pages from the counter ("your customer is here").
    pub phone: Option<String>,
    /// They sign in to the desk with it; unique among all staff.
    pub email: Option<String>,
    /// Send the invitation to set a desk password (default true): by email,
    /// or by text without one. False for an account used only through the
    /// API (a manager can invite later).
    #[serde(default = "yes")]
    pub invite: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffView {
    pub id: Uuid,
    pub dealership_id: Uuid,
    pub name: String,
    pub role: Role,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub presence: PresenceView,
    /// False once deactivated: their token and desk sessions no longer work.
    pub active: bool,
    /// Whether they have set a desk password (through their invitation).
    pub has_password: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PresenceView {
    /// off, on_duty or on_break.
    pub state: PresenceState,
    pub since: Option<DateTime<Utc>>,
    /// When the break ends, while on one.
    pub break_until: Option<DateTime<Utc>>,
}

/// The answer to creating a staff member: the only time the token is shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NewStaffCreated {
    #[serde(flatten)]
    pub staff: StaffView,
    /// Bearer token for this person. Shown once; only its hash is stored.
    pub token: String,
    /// The invitation to set a desk password, for a new account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation: Option<InvitationSent>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeView {
    #[serde(flatten)]
    pub staff: StaffView,
    pub dealership: DealershipRef,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DealershipRef {
    pub id: Uuid,
    pub name: String,
    pub timezone: String,
}

impl StaffView {
    pub(crate) fn from_row(row: &StaffRow) -> Self {
        Self {
            id: row.id.uuid(),
            dealership_id: row.dealership_id.uuid(),
            name: row.name.clone(),
            role: row.role,
            phone: row.phone.as_ref().map(ToString::to_string),
            email: row.email.as_ref().map(ToString::to_string),
            presence: PresenceView {
                state: row.presence,
                since: row.presence_since.map(utc),
                break_until: row.break_until.map(utc),
            },
            active: row.active,
            has_password: row.password_hash.is_some(),
        }
    }
}

pub(crate) fn presence_of(row: &StaffRow) -> Presence {
    Presence {
        state: row.presence,
        since: row.presence_since.map(utc),
        break_until: row.break_until.map(utc),
    }
}

/// Refuses the request unless the actor's role carries `permission`.
pub(crate) fn require(actor: &Actor, permission: Permission) -> Result<(), AppError> {
    if actor.role.may(permission) {
        Ok(())
    } else {
        Err(AppError::forbidden(format!(
            "a {} may not do this ({permission:?})",
            actor.role
        )))
    }
}

/// A new staff member's row (with a fresh token) from validated input.
pub(crate) fn parse_staff(
    input: &NewStaff,
    dealership_id: DealershipId,
    country: Country,
    now: DateTime<Utc>,
) -> Result<(StaffRow, String), AppError> {
    let mut v = Violations::new();
    let name = v.check("name", text::line(&input.name, 120));
    let role = v.check("role", Role::parse(&input.role));
    let phone = match &input.phone {
        Some(p) => v.check("phone", PhoneNumber::parse(p, country)).map(Some),
        None => Some(None),
    };
    let email = match &input.email {
        Some(e) => v.check("email", EmailAddress::parse(e)).map(Some),
        None => Some(None),
    };
    v.finish()?;
    let token = generate_token()?;
    let row = StaffRow {
        id: StaffId::generate(),
        dealership_id,
        name: present(name)?,
        role: present(role)?,
        phone: present(phone)?,
        email: present(email)?,
        token_hash: hash_token(&token),
        presence: PresenceState::Off,
        presence_since: None,
        break_until: None,
        created_at: stored(now),
        active: true,
        deactivated_at: None,
        password_hash: None,
    };
    Ok((row, token))
}

impl App {
    /// The admin adds staff to any dealership; a manager to their own.
    pub async fn create_staff(
        &self,
        caller: &Caller,
        dealership_id: DealershipId,
        input: NewStaff,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<NewStaffCreated>, AppError> {
        if let Caller::Staff(actor) = caller {
            if actor.dealership_id != dealership_id {
                return Err(AppError::NotFound("dealership"));
            }
            require(actor, Permission::CreateStaff)?;
        }
        let reply = self
            .write_once(caller.scope(), idem, move |tx, cx| {
                let dealership = db::dealerships::find(tx, dealership_id)?
                    .ok_or(AppError::NotFound("dealership"))?;
                let (row, token) = parse_staff(&input, dealership.id, dealership.country, cx.now)?;
                if let Some(email) = &row.email
                    && db::staff::email_taken(tx, email)?
                {
                    return Err(AppError::field(
                        "email",
                        "another staff member signs in with this email",
                    ));
                }
                db::staff::insert(tx, &row)?;
                let invitation = match input.invite {
                    true => Some(invite(tx, cx, &row, &dealership)?),
                    false => None,
                };
                Ok((
                    Outcome::Created,
                    NewStaffCreated {
                        staff: StaffView::from_row(&row),
                        token,
                        invitation,
                    },
                ))
            })
            .await?;
        self.outbox.wake();
        Ok(reply)
    }

    pub async fn me(&self, actor: &Actor) -> Result<MeView, AppError> {
        let (staff_id, dealership_id) = (actor.staff_id, actor.dealership_id);
        self.db
            .run(move |conn| {
                let staff = db::staff::find(conn, dealership_id, staff_id)?
                    .ok_or(AppError::Unauthenticated("the token is not valid"))?;
                let dealership = db::dealerships::find(conn, dealership_id)?
                    .ok_or(AppError::NotFound("dealership"))?;
                Ok(MeView {
                    staff: StaffView::from_row(&staff),
                    dealership: DealershipRef {
                        id: dealership.id.uuid(),
                        name: dealership.name,
                        timezone: dealership.timezone.name().to_owned(),
                    },
                })
            })
            .await
    }

    /// Everyone at the caller's dealership, with who is in right now.
    pub async fn list_staff(&self, actor: &Actor) -> Result<Vec<StaffView>, AppError> {
        let dealership_id = actor.dealership_id;
        self.db
            .run(move |conn| {
                Ok(db::staff::list(conn, dealership_id)?
                    .iter()
                    .map(StaffView::from_row)
                    .collect())
            })
            .await
    }
}
