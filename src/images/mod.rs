//! Images: uploads checked and cleaned, responsive variants, storage, and the media library.

pub mod dto;
mod files;
mod handlers;
pub mod import;
pub mod media;
pub mod model;
pub mod pictures;
pub mod presets;
pub mod process;
pub mod queries;
pub mod remote;
pub mod storage;
mod upload;

use diesel::{PgConnection, QueryResult};
use uuid::Uuid;

use crate::error::{FieldCode, FieldError};

/// The views of `images`, reading the presets and watermark once (and not at all for none).
pub fn views(
    conn: &mut PgConnection,
    images: Vec<model::Image>,
    media_url: &str,
) -> QueryResult<Vec<dto::ImageView>> {
    if images.is_empty() {
        return Ok(Vec::new());
    }
    let pictures = pictures::load(conn, media_url)?;
    Ok(images
        .into_iter()
        .map(|image| dto::ImageView::new(image, &pictures))
        .collect())
}

/// The 422 entry for `field` when it names an image that does not exist.
pub fn missing(conn: &mut PgConnection, field: &str, id: Uuid) -> QueryResult<Option<FieldError>> {
    Ok((!queries::exists(conn, id)?)
        .then(|| FieldError::new(field, FieldCode::NotFound, format!("no image has id {id}"))))
}

pub use handlers::{Texts, routes};
