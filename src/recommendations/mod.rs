//! Recommendations: curated picks (an article's `related` slot, site-wide slots such as
//! `editors-picks`) and the automatic related articles under every story.

pub mod dto;
mod handlers;
pub mod model;
pub mod queries;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_recommendations)
        .service(handlers::create_recommendation)
        .service(handlers::reorder_recommendations)
        .service(handlers::find_recommendation)
        .service(handlers::update_recommendation)
        .service(handlers::delete_recommendation)
        .service(handlers::list_related);
}
