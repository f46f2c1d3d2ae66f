//! The images' operations, a file per action; here what several of them share.

mod delete;
mod import;
mod library;
mod transform;
mod update;
mod upload;

use std::collections::HashMap;

use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    auth::{AuthUser, Role, caller::RoleFloor},
    error::{ApiError, Fields},
    images::{
        dto::ImageView,
        media::Stored,
        model::{
            ALT_MAX_CHARS, CAPTION_MAX_CHARS, CREDIT_MAX_CHARS, Image, NewImage, TITLE_MAX_CHARS,
        },
        pictures::Pictures,
    },
    text::fields::optional_plain_text,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(upload::upload_image)
        .service(import::import_image)
        .service(library::list_images)
        .service(library::find_image)
        .service(update::update_image)
        .service(delete::delete_image)
        .service(transform::create_transform_url);
}

/// The checked text fields of an upload or an import.
pub struct Texts {
    pub title: Option<String>,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
}

impl Texts {
    pub fn check(text: &HashMap<String, String>) -> Result<Self, ApiError> {
        let field = |name: &str, max: usize| {
            optional_plain_text(name, text.get(name).map(String::as_str), max)
        };
        let (title, alt, caption, credit) = (
            field("title", TITLE_MAX_CHARS),
            field("alt", ALT_MAX_CHARS),
            field("caption", CAPTION_MAX_CHARS),
            field("credit", CREDIT_MAX_CHARS),
        )
            .parsed()?;
        Ok(Self {
            title,
            alt,
            caption,
            credit,
        })
    }

    /// The record of stored bytes described by these texts.
    pub fn into_record(
        self,
        id: Uuid,
        sha256: String,
        stored: Stored,
        created_by: Option<Uuid>,
        source_url: Option<String>,
    ) -> Result<NewImage, ApiError> {
        Ok(NewImage {
            id,
            sha256,
            mime: stored.format.mime().into(),
            width: i32::try_from(stored.width).map_err(ApiError::internal)?,
            height: i32::try_from(stored.height).map_err(ApiError::internal)?,
            size_bytes: i64::try_from(stored.size_bytes).map_err(ApiError::internal)?,
            blurhash: stored.blurhash,
            title: self.title,
            alt: self.alt.unwrap_or_default(),
            caption: self.caption,
            credit: self.credit,
            created_by,
            source_url,
        })
    }
}

/// The preset `?preset=` names, checked: an unknown one is a bad query parameter.
fn preset_param(pictures: &Pictures, preset: Option<&str>) -> Result<Option<String>, ApiError> {
    match preset {
        None => Ok(None),
        Some(name) if pictures.preset(name).is_some() => Ok(Some(name.to_owned())),
        Some(name) => Err(ApiError::BadRequest(format!(
            "preset: no preset is named {name:?}; the site has {}",
            pictures
                .presets
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn view(image: Image, pictures: &Pictures, preset: Option<&str>) -> ImageView {
    let view = ImageView::new(image, pictures);
    match preset {
        Some(preset) => view.only_preset(preset),
        None => view,
    }
}

fn owner_or_editor<R: RoleFloor>(user: &AuthUser<R>, image: &Image) -> Result<(), ApiError> {
    match image.created_by {
        Some(owner) => user.require_owner_or(owner, Role::Editor),
        None if user.role >= Role::Editor => Ok(()),
        None => Err(ApiError::Forbidden(
            "only an editor may change an image nobody owns".into(),
        )),
    }
}
