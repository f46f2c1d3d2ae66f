//! Free keywords on articles.

pub mod dto;
mod handlers;
pub mod model;
pub mod queries;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_tags)
        .service(handlers::create_tag)
        .service(handlers::find_tag)
        .service(handlers::update_tag)
        .service(handlers::delete_tag);
}
