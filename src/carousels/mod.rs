//! Carousels: hero banners and ad slots, their slides with time windows, and click counts.

pub mod dto;
mod handlers;
pub mod model;
pub mod queries;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_carousels)
        .service(handlers::create_carousel)
        .service(handlers::find_carousel)
        .service(handlers::update_carousel)
        .service(handlers::delete_carousel)
        .service(handlers::order_slides)
        .service(handlers::add_slide)
        .service(handlers::update_slide)
        .service(handlers::delete_slide)
        .service(handlers::click_slide);
}
