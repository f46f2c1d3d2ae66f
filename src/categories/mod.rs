//! Sections of the site, nested through `parent`.

pub mod dto;
mod handlers;
pub mod model;
pub mod queries;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_categories)
        .service(handlers::create_category)
        .service(handlers::find_category)
        .service(handlers::update_category)
        .service(handlers::delete_category);
}
