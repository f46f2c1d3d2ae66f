//! Images: uploads checked and cleaned, responsive variants, storage, and the media library.

pub mod dto;
mod files;
mod handlers;
pub mod media;
pub mod model;
pub mod process;
pub mod queries;
pub mod storage;
mod upload;

use diesel::{PgConnection, QueryResult};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::error::{FieldCode, FieldError};

/// The 422 entry for `field` when it names an image that does not exist.
pub fn missing(conn: &mut PgConnection, field: &str, id: Uuid) -> QueryResult<Option<FieldError>> {
    Ok((!queries::exists(conn, id)?)
        .then(|| FieldError::new(field, FieldCode::NotFound, format!("no image has id {id}"))))
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::upload_image)
        .service(handlers::list_images)
        .service(handlers::find_image)
        .service(handlers::update_image)
        .service(handlers::delete_image);
}
