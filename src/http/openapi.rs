//! The OpenAPI description, generated from the handlers and types above, and
//! the docs page (Swagger UI, served from the binary: no CDN needed).

use super::{dealerships, ops, problem, repair_orders, staff, status_page, webhooks, work};
use crate::app;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Handover",
        description = "Repair orders from check-in to pickup. A car is ready only when someone is there to hand it over.\n\nErrors are application/problem+json with a stable `type`.",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(
        dealerships::create, dealerships::get, dealerships::create_staff,
        staff::me, staff::list, staff::clock_in, staff::clock_out, staff::schedule, staff::time_off,
        staff::take_break, staff::delegates, staff::availability, work::delegates, work::arrived,
        repair_orders::check_in, repair_orders::list, repair_orders::get, repair_orders::estimate,
        repair_orders::approvals, repair_orders::timeline, repair_orders::message,
        work::status, work::promised_at, work::ready, work::handover, work::cancel, work::payment, work::pickup,
        ops::healthz, ops::readyz, webhooks::inbound, webhooks::status, status_page::json,
    ),
    components(schemas(problem::Problem, app::Candidate, crate::domain::validation::FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "repair orders", description = "Check-in, estimate, approvals, timeline"),
        (name = "lifecycle", description = "Status, promised time, ready (the handover gate), handover"),
        (name = "cashier", description = "Payments and pickup"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
