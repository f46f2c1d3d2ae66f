//! Webhooks: signed calls to other systems when content changes, retried with backoff, with a
//! delivery log per hook.

pub mod dispatch;
pub mod dto;
pub mod events;
mod handlers;
pub mod model;
pub mod payload;
pub mod queries;
pub mod worker;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_webhooks)
        .service(handlers::create_webhook)
        .service(handlers::find_webhook)
        .service(handlers::update_webhook)
        .service(handlers::delete_webhook)
        .service(handlers::rotate_webhook_secret)
        .service(handlers::list_webhook_deliveries)
        .service(handlers::redeliver_webhook_delivery)
        .service(handlers::ping_webhook);
}
