//! Every route, registered together with its OpenAPI description: the route
//! list exists once, and /openapi.json is made from what is served. The same
//! list answers a known path asked with another method: 405 with `Allow`.

use super::problem::ApiError;
use super::{
    accounts, credits, dealerships, desk, ops, outbox, payments, repair_orders, requests, staff,
    status_page, webhooks, work,
};
use actix_web::dev::ResourceDef;
use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::openapi::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(ops::healthz)
        .service(ops::readyz)
        .service(outbox::metrics)
        .service(outbox::dev_outbox)
        .service(dealerships::create)
        .service(dealerships::get)
        .service(dealerships::change)
        .service(dealerships::create_staff)
        .service(staff::me)
        .service(staff::list)
        .service(accounts::deactivate)
        .service(accounts::reactivate)
        .service(accounts::token)
        .service(accounts::invitation)
        .service(staff::clock_in)
        .service(staff::clock_out)
        .service(staff::take_break)
        .service(staff::schedule)
        .service(staff::time_off)
        .service(staff::delegates)
        .service(staff::availability)
        .service(repair_orders::check_in)
        .service(repair_orders::list)
        .service(repair_orders::get)
        .service(repair_orders::estimate)
        .service(repair_orders::approvals)
        .service(repair_orders::timeline)
        .service(repair_orders::message)
        .service(work::status)
        .service(work::promised_at)
        .service(work::ready)
        .service(work::handover)
        .service(work::cancel)
        .service(work::payment)
        .service(work::pickup)
        .service(credits::create)
        .service(credits::list)
        .service(credits::confirm)
        .service(requests::create)
        .service(requests::list)
        .service(requests::get)
        .service(requests::acknowledge)
        .service(requests::answer)
        .service(requests::hand_on)
        .service(requests::responsiveness)
        .service(work::delegates)
        .service(work::arrived)
        .service(desk::sign_in::login_form)
        .service(desk::sign_in::login)
        .service(desk::sign_in::logout)
        .service(desk::sign_in::invite_form)
        .service(desk::sign_in::invite)
        .service(desk::board::show)
        .service(desk::board::presence)
        .service(desk::board::search)
        .service(desk::check_in::show)
        .service(desk::check_in::create)
        .service(desk::counter::show)
        .service(desk::staff::list)
        .service(desk::staff::invite)
        .service(desk::person::show)
        .service(desk::person::act)
        .service(desk::today::show)
        .service(desk::repair_order::show)
        .service(desk::repair_order::act)
        .service(status_page::show)
        .service(status_page::show_head)
        .service(status_page::approve)
        .service(status_page::message)
        .service(status_page::json)
        .service(payments::pay)
        .service(payments::stripe)
        .service(webhooks::inbound)
        .service(webhooks::status);
}

/// The served paths and the methods each answers, read from the document
/// the routes built.
pub struct RouteTable(Vec<(ResourceDef, Vec<Method>)>);

impl RouteTable {
    pub fn from_openapi(api: &OpenApi) -> Self {
        let table = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    (Method::GET, item.get.is_some()),
                    (Method::HEAD, item.head.is_some()),
                    (Method::POST, item.post.is_some()),
                    (Method::PUT, item.put.is_some()),
                    (Method::PATCH, item.patch.is_some()),
                    (Method::DELETE, item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, present)| present.then_some(m))
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        Self(table)
    }

    /// The methods `path` answers to, if it is a served path at all.
    fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let methods: Vec<Method> = self
            .0
            .iter()
            .filter(|(def, _)| def.is_match(path))
            .flat_map(|(_, methods)| methods.iter().cloned())
            .collect();
        (!methods.is_empty()).then_some(methods)
    }
}

/// What no route took: a known path asked with the wrong method (405 with
/// `Allow`), or nothing here at all (404).
pub async fn fallback(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    match table.allowed(req.path()) {
        Some(methods) => Err(ApiError::MethodNotAllowed(methods)),
        None => Err(ApiError::NoRoute),
    }
}
