//! Carousels: hero banners and ad slots, their slides with time windows, and click counts.

pub mod dto;
mod handlers;
pub mod model;
pub mod queries;
mod views;

use diesel::PgConnection;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{error::ApiError, slugs::Key};

/// A carousel as editors read it now (every slide), for other rooms (webhook payloads).
pub fn staff_view_of(
    conn: &mut PgConnection,
    id: Uuid,
    media_url: &str,
) -> Result<serde_json::Value, ApiError> {
    let carousel = queries::find(conn, &Key::Id(id))?;
    let view = views::staff_view(conn, carousel, media_url, chrono::Utc::now())?;
    serde_json::to_value(view).map_err(ApiError::internal)
}

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
