//! Bylines: people and desks, optionally linked to accounts.

pub mod dto;
mod handlers;
pub mod model;
pub mod queries;

use actix_web::{HttpResponse, http::header};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{app::AppState, auth::Reader};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_authors)
        .service(handlers::create_author)
        .service(handlers::find_author)
        .service(handlers::update_author)
        .service(handlers::delete_author);
}

/// Authors, categories and tags are public: anonymous reads may be cached by anyone for the
/// configured time. Credentialed ones get `private, no-store` from the conventions middleware.
pub fn public_cache(response: &mut HttpResponse, reader: &Reader, state: &AppState) {
    if reader.credentialed {
        return;
    }
    let value = format!("public, max-age={}", state.config.cache_max_age);
    if let Ok(value) = header::HeaderValue::from_str(&value) {
        response.headers_mut().insert(header::CACHE_CONTROL, value);
    }
}
