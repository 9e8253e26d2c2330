//! For operators: liveness, readiness.

use crate::app::App;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The process is up.
#[utoipa::path(tag = "ops", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok",
        detail: None,
    })
}

/// The database answers and every migration is applied.
#[utoipa::path(
    tag = "ops",
    responses((status = 200, body = Health), (status = 503, body = Health))
)]
#[get("/readyz")]
pub async fn readyz(app: web::Data<App>) -> HttpResponse {
    match app.db.readiness().await {
        Ok(()) => HttpResponse::Ok().json(Health {
            status: "ready",
            detail: None,
        }),
        Err(detail) => {
            tracing::warn!(%detail, "not ready");
            HttpResponse::ServiceUnavailable().json(Health {
                status: "unavailable",
                detail: Some(detail),
            })
        }
    }
}
