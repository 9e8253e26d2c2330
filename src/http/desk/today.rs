//! The manager's rest of today: ready cars that lose their person when, and
//! customer messages nobody answered in time.

use super::staff::manager_only;
use super::{desk_context, render, session, to_sign_in};
use crate::app::App;
use crate::http::problem::ApiError;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};

/// Coverage for the rest of today and open escalations.
#[utoipa::path(
    tag = "desk",
    responses((status = 200, description = "The page", content_type = "text/html"), (status = 303, description = "Not signed in"), (status = 403, description = "Not a manager", content_type = "text/html"))
)]
#[get("/desk/today")]
pub async fn show(app: web::Data<App>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let Some(s) = session(&app, &req).await? else {
        return Ok(to_sign_in());
    };
    manager_only(&s)?;
    let today = app.today(&s).await?;
    let dealership = super::my_dealership(&app, &s).await?;
    render(
        &app,
        StatusCode::OK,
        "today",
        serde_json::json!({
            "desk": desk_context(&s, &dealership.name), "page": "today", "today": today,
            "flash": null, "alert": null,
        }),
    )
}
