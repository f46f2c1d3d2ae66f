//! API keys for integrations: `content` keys read published content, `admin` keys act as admin.

mod dto;
mod handlers;
mod queries;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_api_keys)
        .service(handlers::create_api_key)
        .service(handlers::find_api_key)
        .service(handlers::delete_api_key);
}
