//! Images: uploads checked and cleaned, responsive variants, storage, and the media library.

pub mod dto;
mod handlers;
pub mod media;
pub mod model;
pub mod process;
pub mod queries;
pub mod storage;
mod upload;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::upload_image)
        .service(handlers::list_images)
        .service(handlers::find_image)
        .service(handlers::update_image)
        .service(handlers::delete_image);
}
