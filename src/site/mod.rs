//! The site's own settings: title, logo, footer, ICP record number, locale and timezone.

pub mod dto;
mod handlers;
pub mod model;
pub mod queries;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::find_site)
        .service(handlers::update_site);
}
