//! The parts of the OpenAPI description that belong to no one route: the
//! title, the shared schemas, the bearer scheme, the tags. The paths come
//! from the routes themselves as they are registered (`http::routes`); the
//! docs page (Swagger UI) is served from the binary: no CDN needed.

use super::problem;
use crate::app;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{Object, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};
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
        (name = "cashier", description = "Payments, pickup, credits and refunds"),
        (name = "requests", description = "Questions between colleagues, routed to whoever is there"),
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

/// Completes every operation the routes described, once they are all
/// registered: a unique operationId, a description on every response, and
/// the refusals every route of its kind can give (401/403 when it needs a
/// token, 404 for an id in the path, 400/413/415/422 for a JSON body, 400
/// and 412 for `If-Match`, the idempotency answers and `Idempotent-Replayed`
/// for `Idempotency-Key`, 500 everywhere). A handler documents only what is
/// its own (409 `nobody-to-hand-over`, 202 queued, …).
pub fn complete(api: &mut utoipa::openapi::OpenApi) {
    for (path, item) in api.paths.paths.iter_mut() {
        let operations = [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("patch", &mut item.patch),
            ("head", &mut item.head),
        ];
        for (method, operation) in operations {
            if let Some(op) = operation {
                op.operation_id = Some(operation_id(method, path));
                standard_responses(op, path);
            }
        }
    }
}

/// `post /api/v1/repair-orders/{id}/status` → `post_repair_orders_id_status`.
fn operation_id(method: &str, path: &str) -> String {
    let words: Vec<&str> = path
        .trim_start_matches("/api/v1")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    format!("{method}_{}", words.join("_"))
}

fn standard_responses(op: &mut Operation, path: &str) {
    let header = |name: &str| {
        op.parameters.iter().flatten().any(|p| match p {
            RefOr::T(p) => p.parameter_in == ParameterIn::Header && p.name == name,
            RefOr::Ref(_) => false,
        })
    };
    let query = op
        .parameters
        .iter()
        .flatten()
        .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query));
    let (idempotent, if_match) = (header("Idempotency-Key"), header("If-Match"));
    let json_body = match &op.request_body {
        Some(RefOr::T(body)) => body.content.contains_key("application/json"),
        _ => false,
    };
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let mut add = |code: &str, why: &str| {
        op.responses
            .responses
            .entry(code.to_owned())
            .or_insert_with(|| RefOr::T(problem(why)));
    };
    if secured {
        add("401", "No token, or one that is not valid");
        add("403", "The token's role may not do this");
    }
    if path.contains("{id}") {
        add("404", "No such thing at your dealership");
    }
    if json_body {
        add("400", "The body is not JSON, or a header is malformed");
        add("413", "The body is too large");
        add("415", "The body is not application/json");
        add(
            "422",
            "A value is not acceptable: every bad field is listed",
        );
    }
    if query {
        add("422", "A query value is not acceptable");
    }
    if idempotent {
        add("400", "A header is malformed");
        add(
            "409",
            "The request conflicts with the current state, or its Idempotency-Key is in use",
        );
        add("422", "This Idempotency-Key was used with another request");
    }
    if if_match {
        add("400", "A header is malformed");
        add("412", "If-Match names a version that is no longer current");
    }
    add("500", "Something went wrong on our side (logged)");
    for (code, response) in op.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if response.description.is_empty() {
            response.description = default_description(code).to_owned();
        }
        if idempotent && code.starts_with('2') {
            response.headers.insert(
                "Idempotent-Replayed".into(),
                RefOr::T(
                    HeaderBuilder::new()
                        .schema(Some(Object::with_type(Type::String)))
                        .description(Some(
                            "\"true\" when this is the stored answer to an earlier request with the same Idempotency-Key",
                        ))
                        .build(),
                ),
            );
        }
    }
}

fn problem(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

fn default_description(code: &str) -> &'static str {
    match code {
        "200" => "Done",
        "201" => "Created",
        "202" => "Accepted: it happens later",
        "303" => "Done: back to the page",
        "400" => "The request is malformed",
        "401" => "No token, or one that is not valid",
        "403" => "Not allowed",
        "404" => "Not found",
        "409" => "The request conflicts with the current state",
        "410" => "Gone",
        "412" => "The version named in If-Match is no longer current",
        "413" => "The body is too large",
        "422" => "A value is not acceptable",
        "429" => "Too many requests: wait and try again",
        "503" => "Not ready",
        _ => "See the problem document",
    }
}

/// The finished document as JSON, made once at start-up and shared by every
/// worker: completed (every operation's problem responses), the description
/// is several MiB in memory, and a copy per worker cost that much apiece.
pub struct Document(pub actix_web::web::Bytes);

impl Document {
    /// The document for what `routes::routes` serves.
    pub fn build() -> Result<(Self, utoipa::openapi::OpenApi), serde_json::Error> {
        use utoipa_actix_web::AppExt;
        let (_, mut api) = actix_web::App::new()
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .configure(super::routes::routes)
            .split_for_parts();
        complete(&mut api);
        let json = serde_json::to_vec(&api)?;
        Ok((Self(json.into()), api))
    }
}

/// `GET /openapi.json`: the document Swagger UI reads.
pub async fn serve(doc: actix_web::web::Data<Document>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.0.clone())
}
