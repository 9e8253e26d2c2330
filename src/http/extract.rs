//! Extractors: who is calling, and what a write request carries (its JSON
//! body, `Idempotency-Key` and `If-Match`). They answer bad input with
//! problem+json before a handler runs.

use super::problem::ApiError;
use crate::app::{Actor, App, AppError, Caller, IdempotencyKey};
use crate::domain::validation::FieldError;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

/// The largest body accepted (from `server.max_body_bytes`).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

fn app(req: &HttpRequest) -> Result<App, ApiError> {
    req.app_data::<web::Data<App>>()
        .map(|a| a.get_ref().clone())
        .ok_or_else(|| {
            ApiError::App(AppError::Internal(anyhow::anyhow!(
                "App missing from app_data"
            )))
        })
}

fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(AppError::Unauthenticated(
            "send Authorization: Bearer <token>",
        ))?;
    let value = value
        .to_str()
        .map_err(|_| AppError::Unauthenticated("the Authorization header is not readable"))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim().to_owned())
        }
        _ => Err(
            AppError::Unauthenticated("use the Bearer scheme: Authorization: Bearer <token>")
                .into(),
        ),
    }
}

/// Whoever a request must come from. Writes authenticate inside the same
/// extractor that reads the body, so a bad token is always answered with 401
/// before the body is looked at (actix polls sibling extractors together).
pub trait Who: Sized + 'static {
    fn identify(req: HttpRequest) -> LocalBoxFuture<'static, Result<Self, ApiError>>;
}

impl Who for Caller {
    fn identify(req: HttpRequest) -> LocalBoxFuture<'static, Result<Self, ApiError>> {
        Box::pin(async move {
            let token = bearer(&req)?;
            Ok(app(&req)?.authenticate(&token).await?)
        })
    }
}

impl Who for Actor {
    fn identify(req: HttpRequest) -> LocalBoxFuture<'static, Result<Self, ApiError>> {
        Box::pin(async move {
            match Caller::identify(req).await? {
                Caller::Staff(actor) => Ok(actor),
                Caller::Admin => Err(AppError::forbidden(
                    "this is for dealership staff; the admin token creates dealerships and staff",
                )
                .into()),
            }
        })
    }
}

/// Any authenticated caller: the admin or a staff member (for reads).
pub struct AnyCaller(pub Caller);

impl FromRequest for AnyCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let who = Caller::identify(req.clone());
        Box::pin(async move { Ok(AnyCaller(who.await?)) })
    }
}

/// A staff member of a dealership, not the admin (for reads).
pub struct Staff(pub Actor);

impl FromRequest for Staff {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let who = Actor::identify(req.clone());
        Box::pin(async move { Ok(Staff(who.await?)) })
    }
}

/// A write request from `W` (an [`Actor`] or any [`Caller`]): who sent it,
/// the parsed body, its idempotency key and the version it is conditional on
/// (`If-Match`).
pub struct Write<W, T> {
    pub who: W,
    pub body: T,
    pub idem: Option<IdempotencyKey>,
    pub if_match: Option<i64>,
}

impl<W: Who, T: DeserializeOwned + 'static> FromRequest for Write<W, T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let who = W::identify(req.clone()).await?;
            let limit = req.app_data::<BodyLimit>().map_or(65_536, |l| l.0);
            let bytes = read_body(&req, &mut payload, limit).await?;
            let body = parse_json(&req, &bytes)?;
            Ok(Write {
                who,
                body,
                idem: idempotency_key(&req, &bytes)?,
                if_match: if_match(&req)?,
            })
        })
    }
}

/// A body read whole up to `server.max_body_bytes`, for webhooks and the
/// status page's forms: a larger one is a 413 problem, like every other
/// refusal, rather than actix's plain-text answer.
pub struct RawBody(pub Vec<u8>);

impl FromRequest for RawBody {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let limit = req.app_data::<BodyLimit>().map_or(65_536, |l| l.0);
            Ok(RawBody(read_body(&req, &mut payload, limit).await?))
        })
    }
}

async fn read_body(
    req: &HttpRequest,
    payload: &mut Payload,
    limit: usize,
) -> Result<Vec<u8>, ApiError> {
    if let Some(length) = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        && length > limit
    {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::MalformedJson(format!("the body could not be read: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An empty body reads as `{}`, so bodies whose fields are all optional
/// (ready, pickup, clock-out) may be left out.
fn parse_json<T: DeserializeOwned>(req: &HttpRequest, bytes: &[u8]) -> Result<T, ApiError> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        bytes
    };
    // Syntax first: a streaming typed parse would report the first unknown
    // field of a truncated body instead of saying the JSON is broken.
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes)
        .map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    // Every request body is an object. (serde would also read a struct from
    // an array of its fields in order, which nobody means to send.)
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::InvalidBody(vec![FieldError::new(
            "body",
            "must be a JSON object",
        )]));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        ApiError::InvalidBody(vec![FieldError::new(
            if path == "." { "body".to_owned() } else { path },
            without_position(e.inner()),
        )])
    })
}

/// serde's messages end in "at line 1 column 42"; the field path says more.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

fn idempotency_key(req: &HttpRequest, body: &[u8]) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(value) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .map_err(|_| ApiError::BadHeader("Idempotency-Key", "must be printable ASCII".into()))?
        .trim();
    if key.is_empty() || key.len() > 255 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::BadHeader(
            "Idempotency-Key",
            "must be 1 to 255 printable characters without spaces (a UUID is ideal)".into(),
        ));
    }
    let mut hash = Sha256::new();
    hash.update(req.method().as_str().as_bytes());
    hash.update(b" ");
    hash.update(req.path().as_bytes());
    hash.update(b"\n");
    hash.update(body);
    Ok(Some(IdempotencyKey {
        key: key.to_owned(),
        request_hash: hex::encode(hash.finalize()),
    }))
}

/// `If-Match: "7"` (or `W/"7"`) makes a write conditional on version 7;
/// `*` or no header means any version.
fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| ApiError::BadHeader("If-Match", "must be an ETag such as \"7\"".into()))?
        .trim();
    if text == "*" {
        return Ok(None);
    }
    let bare = text.trim_start_matches("W/").trim_matches('"');
    bare.parse::<i64>().map(Some).map_err(|_| {
        ApiError::BadHeader(
            "If-Match",
            format!("{text:?} is not an ETag from this service (such as \"7\")"),
        )
    })
}
