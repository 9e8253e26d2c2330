//! Every request gets room for a deferred token check (`db::token_check`),
//! and no answer leaves on a token recognised from memory until the database
//! has confirmed it: a request that never reached the database (a bad body,
//! a validation error) is confirmed here, and one whose token was refused is
//! answered 401 whatever the handler made of it.

use super::problem::ApiError;
use crate::app::{App, AppError};
use crate::db::DbError;
use crate::db::token_check;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};

pub async fn confirm_tokens(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let app = req.app_data::<web::Data<App>>().cloned();
    token_check::scope(async move {
        let answer = next.call(req).await;
        let Some(app) = app else {
            return answer.map(ServiceResponse::map_into_boxed_body);
        };
        let refused = match app.db.confirm_token().await {
            Ok(()) | Err(DbError::TokenRefused(_)) => token_check::refusal(),
            Err(other) => return Err(ApiError::from(AppError::from(other)).into()),
        };
        let Some((hash, why)) = refused else {
            return answer.map(ServiceResponse::map_into_boxed_body);
        };
        app.tokens.forget(&hash);
        let problem = ApiError::from(AppError::Unauthenticated(why.message()));
        match answer {
            Ok(res) => {
                let (req, _) = res.into_parts();
                Ok(ServiceResponse::new(req, problem.error_response()))
            }
            Err(_) => Err(problem.into()),
        }
    })
    .await
}
