//! Articles and pages: writing, the editorial workflow, revisions, the trash, and reading.

pub mod access;
pub mod content;
pub mod dto;
pub mod figures;
mod handlers;
mod imports;
pub mod live;
pub mod model;
mod publication;
pub mod queries;
pub mod scheduler;
mod shape;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_articles)
        .service(handlers::create_article)
        .service(handlers::find_article)
        .service(handlers::update_article)
        .service(handlers::delete_article)
        .service(handlers::publish_article)
        .service(handlers::unpublish_article)
        .service(handlers::archive_article)
        .service(handlers::restore_article)
        .service(handlers::list_revisions)
        .service(handlers::find_revision)
        .service(handlers::restore_revision)
        .service(handlers::create_preview)
        .service(handlers::delete_preview)
        .service(handlers::find_preview);
}
