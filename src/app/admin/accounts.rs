//! The life of a staff account beyond its creation: the invitation to set a
//! desk password (sent when the account is made, resent by a manager), a new
//! API token (the old one dies), and deactivation — a departed employee's
//! token and sessions stop at once, and their ready cars are covered as at a
//! clock-out.

use crate::app::admin::auth::{generate_token, hash_token};
use crate::app::admin::staff::{NewStaffCreated, StaffView, require};
use crate::app::handover::coverage::release_now;
use crate::app::idempotency::Outcome;
use crate::app::repair_order::timeline::By;
use crate::app::time::{stored, utc};
use crate::app::{App, AppError, Caller, Ctx, IdempotencyKey, Reply};
use crate::db::models::{DealershipRow, InvitationRow, StaffRow};
use crate::db::{self, DbConn};
use crate::domain::ids::StaffId;
use crate::domain::message::{Channel, MessageKind};
use crate::domain::presence::PresenceState;
use crate::domain::role::{Permission, Role};
use crate::notify::context::{DealershipCtx, MessageContext, PersonCtx};
use crate::notify::outbox::{Outgoing, Recipient};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeactivateInput {
    /// Deactivate although ready cars depend on this person and no delegate
    /// can take them (they go back to work_complete and wait), as a
    /// manager may force a clock-out.
    #[serde(default)]
    pub force: bool,
}

/// How an invitation went out.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvitationSent {
    /// email or sms; null when the person has neither (then `link` is given
    /// here, once, to hand over in person).
    pub sent_by: Option<Channel>,
    pub expires_at: DateTime<Utc>,
    pub link: Option<String>,
}

/// The staff member `id` as `caller` may act on them: the admin on anyone,
/// a manager on their own dealership's staff (others do not exist).
fn managed(tx: &mut DbConn, caller: &Caller, id: StaffId) -> Result<StaffRow, AppError> {
    let row = match caller {
        Caller::Admin => db::staff::find_any(tx, id)?,
        Caller::Staff(actor) => {
            require(actor, Permission::CreateStaff)?;
            db::staff::find(tx, actor.dealership_id, id)?
        }
    };
    row.ok_or(AppError::NotFound("staff member"))
}

fn dealership_of(tx: &mut DbConn, staff: &StaffRow) -> Result<DealershipRow, AppError> {
    db::dealerships::find(tx, staff.dealership_id)?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("staff without a dealership")))
}

/// Writes a new invitation for `staff` (earlier ones stop working) and its
/// message: by email, else by text.
pub(crate) fn invite(
    tx: &mut DbConn,
    cx: &Ctx,
    staff: &StaffRow,
    dealership: &DealershipRow,
) -> Result<InvitationSent, AppError> {
    let token = generate_token()?;
    let expires_at = cx.now + Duration::hours(cx.settings.desk.invitation_hours);
    let row = InvitationRow {
        token_hash: hash_token(&token),
        staff_id: staff.id,
        created_at: stored(cx.now),
        expires_at: stored(expires_at),
        used_at: None,
    };
    db::accounts::invite(tx, &row)?;
    let link = format!(
        "{}/desk/invite/{token}",
        cx.settings.public_base_url.trim_end_matches('/')
    );
    let sent_by = match (&staff.email, &staff.phone) {
        (Some(_), _) => Some(Channel::Email),
        (None, Some(_)) => Some(Channel::Sms),
        (None, None) => {
            return Ok(InvitationSent {
                sent_by: None,
                expires_at,
                link: Some(link),
            });
        }
    };
    let context = MessageContext {
        dealership: DealershipCtx {
            name: dealership.name.clone(),
            phone: dealership.phone.to_string(),
        },
        recipient: PersonCtx::new(&staff.name, staff.phone.as_ref().map(|p| p.as_str())),
        link: Some(link),
        ..MessageContext::default()
    };
    // The hash's head names this invitation: a resend is a new message.
    let cause = format!("invitation-{}", &row.token_hash[..16]);
    cx.outbox.enqueue(
        tx,
        Outgoing {
            dealership,
            ro_id: None,
            cause_id: &cause,
            kind: MessageKind::StaffInvitation,
            to: Recipient::Staff {
                id: staff.id,
                phone: staff.phone.clone().filter(|_| staff.email.is_none()),
                email: staff.email.clone(),
            },
            routine: false,
            send_at: cx.now,
            supersede_key: None,
            reply_to: None,
            context,
        },
        cx.now,
    )?;
    Ok(InvitationSent {
        sent_by,
        expires_at,
        link: None,
    })
}

fn deactivate(
    tx: &mut DbConn,
    caller: &Caller,
    id: StaffId,
    force: bool,
    cx: &Ctx,
) -> Result<StaffView, AppError> {
    db::staff::lock(tx, id)?;
    let mut staff = managed(tx, caller, id)?;
    if !staff.active {
        return Ok(StaffView::from_row(&staff));
    }
    let by = match caller {
        Caller::Admin => By::System,
        Caller::Staff(actor) => By::Staff(actor.staff_id),
    };
    if staff.presence != PresenceState::Off {
        // Off the floor first, so the gate no longer counts them when their
        // cars are passed on.
        db::staff::set_presence(tx, id, PresenceState::Off, stored(cx.now), None)?;
        staff.presence = PresenceState::Off;
        staff.presence_since = Some(stored(cx.now));
        staff.break_until = None;
    }
    release_now(tx, cx, &staff, by, force)?;
    db::staff::set_active(tx, id, false, Some(stored(cx.now)))?;
    // The old token can never come back: reactivation needs a new one.
    db::staff::set_token_hash(tx, id, &hash_token(&generate_token()?))?;
    db::accounts::close_sessions_of(tx, id)?;
    staff.active = false;
    staff.deactivated_at = Some(stored(cx.now));
    Ok(StaffView::from_row(&staff))
}

impl App {
    /// The person's API token and desk sessions stop at once; ready cars
    /// they were to hand over pass to a delegate who is there, or the
    /// request is refused (409) unless `force`.
    pub async fn deactivate_staff(
        &self,
        caller: &Caller,
        id: StaffId,
        input: DeactivateInput,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<StaffView>, AppError> {
        if input.force && matches!(caller, Caller::Staff(a) if a.role != Role::Manager) {
            return Err(AppError::forbidden(
                "only a manager may force a deactivation",
            ));
        }
        let caller2 = caller.clone();
        self.write_once(caller.scope(), idem, move |tx, cx| {
            Ok((
                Outcome::Done,
                deactivate(tx, &caller2, id, input.force, cx)?,
            ))
        })
        .await
    }

    /// Back to work: the account works again through a new token
    /// (`POST /staff/{id}/token`) or the desk password.
    pub async fn reactivate_staff(
        &self,
        caller: &Caller,
        id: StaffId,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<StaffView>, AppError> {
        let caller2 = caller.clone();
        self.write_once(caller.scope(), idem, move |tx, _cx| {
            let mut staff = managed(tx, &caller2, id)?;
            if !staff.active {
                db::staff::set_active(tx, id, true, None)?;
                staff.active = true;
                staff.deactivated_at = None;
            }
            Ok((Outcome::Done, StaffView::from_row(&staff)))
        })
        .await
    }

    /// A new API token, shown once; the old one stops working. The person
    /// themself, their manager, or the admin.
    pub async fn rotate_token(
        &self,
        caller: &Caller,
        id: StaffId,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<NewStaffCreated>, AppError> {
        let caller2 = caller.clone();
        self.write_once(caller.scope(), idem, move |tx, _cx| {
            let mut staff = match &caller2 {
                Caller::Staff(me) if me.staff_id == id => {
                    db::staff::find(tx, me.dealership_id, id)?
                        .ok_or(AppError::NotFound("staff member"))?
                }
                _ => managed(tx, &caller2, id)?,
            };
            if !staff.active {
                return Err(AppError::conflict(
                    "staff-deactivated",
                    format!("{} is deactivated; reactivate them first", staff.name),
                ));
            }
            let token = generate_token()?;
            staff.token_hash = hash_token(&token);
            db::staff::set_token_hash(tx, id, &staff.token_hash)?;
            let staff = StaffView::from_row(&staff);
            Ok((
                Outcome::Created,
                NewStaffCreated {
                    staff,
                    token,
                    invitation: None,
                },
            ))
        })
        .await
    }

    /// A new invitation to set the desk password (also a reset): earlier
    /// links stop working.
    pub async fn reinvite_staff(
        &self,
        caller: &Caller,
        id: StaffId,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<InvitationSent>, AppError> {
        let caller2 = caller.clone();
        let reply = self
            .write_once(caller.scope(), idem, move |tx, cx| {
                let staff = managed(tx, &caller2, id)?;
                if !staff.active {
                    return Err(AppError::conflict(
                        "staff-deactivated",
                        format!("{} is deactivated; reactivate them first", staff.name),
                    ));
                }
                let dealership = dealership_of(tx, &staff)?;
                Ok((Outcome::Created, invite(tx, cx, &staff, &dealership)?))
            })
            .await?;
        self.outbox.wake();
        Ok(reply)
    }
}

/// When an invitation stops working, as the person reads it.
pub(crate) fn invitation_expired(row: &InvitationRow, now: DateTime<Utc>) -> bool {
    row.used_at.is_some() || utc(row.expires_at) <= now
}
