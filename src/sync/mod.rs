//! Delta sync: everything readers may see, then only what changed, read from the change log.

mod handlers;
pub mod items;
mod queries;
mod token;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::sync_content);
}
