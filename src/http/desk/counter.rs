//! The cashier's counter page: the cars ready to go, with the actions that
//! get a customer their keys (here, payment, pickup) as forms that come
//! back to the counter.

use super::repair_order::can;
use super::{desk_context, render, session, to_sign_in};
use crate::app::App;
use crate::http::problem::ApiError;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};

/// The counter: ready cars, who hands each over until when, balances.
#[utoipa::path(
    tag = "desk",
    responses((status = 200, description = "The counter", content_type = "text/html"), (status = 303, description = "Not signed in: to the sign-in page"))
)]
#[get("/desk/counter")]
pub async fn show(app: web::Data<App>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let Some(s) = session(&app, &req).await? else {
        return Ok(to_sign_in());
    };
    let done = req.query_string().strip_prefix("done=").unwrap_or("");
    let flash = super::forms::flash(done);
    let counter = app.counter(&s).await?;
    let dealership = super::my_dealership(&app, &s).await?;
    render(
        &app,
        StatusCode::OK,
        "counter",
        serde_json::json!({
            "desk": desk_context(&s, &dealership.name), "page": "counter",
            "counter": counter, "can": can(&s), "flash": flash, "alert": null,
        }),
    )
}
