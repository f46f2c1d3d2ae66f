//! Bylines: people and desks, optionally linked to accounts.

pub mod dto;
mod handlers;
pub mod model;
pub mod queries;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_authors)
        .service(handlers::create_author)
        .service(handlers::find_author)
        .service(handlers::update_author)
        .service(handlers::delete_author);
}
