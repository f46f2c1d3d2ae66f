//! Live events: Server-Sent Events of every public change, fed by one reader per process.

mod handlers;
pub mod hub;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::stream_events);
}
