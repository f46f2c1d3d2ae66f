//! Signing in and out: the first admin, registration, sign-in, token refresh and sign-out, and
//! the caller's own account (`/auth/*`). How a request's credentials are checked is `auth`'s.

mod dto;
mod handlers;
mod queries;

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
