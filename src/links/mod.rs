//! Friend links (友情链接) and the anonymous form other sites apply through.

pub mod dto;
mod handlers;
pub mod model;
pub mod queries;
pub mod throttle;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_links)
        .service(handlers::apply_for_link)
        .service(handlers::create_link)
        .service(handlers::find_link)
        .service(handlers::update_link)
        .service(handlers::delete_link);
}
