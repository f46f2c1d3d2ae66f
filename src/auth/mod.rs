//! Who the caller is: passwords, tokens, API keys, roles, and the `auth/*` endpoints.

pub mod caller;
mod dto;
mod handlers;
pub mod password;
mod queries;
pub mod throttle;
pub mod tokens;

pub use caller::{AuthUser, Reader, Role, min};
pub use dto::TokenResponse;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::setup)
        .service(handlers::register)
        .service(handlers::login)
        .service(handlers::refresh)
        .service(handlers::logout)
        .service(handlers::find_me)
        .service(handlers::update_me);
}
