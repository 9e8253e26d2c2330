//! The parts of the OpenAPI description that belong to no one route: the
//! title, the shared schemas, the bearer scheme, the tags. The paths come
//! from the routes themselves as they are registered (`http::routes`); the
//! docs page (Swagger UI) is served from the binary: no CDN needed.

use super::problem;
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
