use actix_web::{HttpResponse, patch, web};
use diesel::Connection;
use uuid::Uuid;

use crate::{
    articles,
    auth::{AuthUser, min},
    db,
    error::{ApiError, FieldCode, FieldError, Fields},
    etag::IfMatch,
    extract::Json,
    images::{
        dto::{ImageView, UpdateImage},
        handlers::owner_or_editor,
        model::{
            ALT_MAX_CHARS, CAPTION_MAX_CHARS, CREDIT_MAX_CHARS, Image, ImageChanges,
            TITLE_MAX_CHARS,
        },
        pictures::{self, Pictures},
        queries,
    },
    openapi::{NotFound, PreconditionFailed, Restricted, WithBody},
    state::AppState,
    text::fields::{optional_plain_text, plain_text},
};

/// Change an image's texts, focal point or crops.
///
/// Authors change their own uploads; editors any. Article bodies showing the image get the new
/// caption and credit in their figures. A new focal point or crop gives the presets' files new
/// URLs (the old files stay, so pages cached with them keep working); a crop must lie inside
/// the picture and name a preset.
#[utoipa::path(
    tag = "images",
    params(
        ("id" = Uuid, Path, description = "The image's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gives 412"),
    ),
    request_body = UpdateImage,
    responses(
        (status = 200, description = "The changed image", body = ImageView),
        Restricted, NotFound, PreconditionFailed, WithBody,
    ),
    security(("bearer" = [])),
)]
#[patch("/images/{id:[0-9a-fA-F-]+}")]
pub async fn update_image(
    user: AuthUser<min::Author>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<UpdateImage>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let nullable = |field: &str, value: Option<Option<String>>, max: usize| {
        value
            .map(|v| optional_plain_text(field, v.as_deref(), max))
            .transpose()
    };
    let focal = |field: &str, value: Option<f64>| match value {
        Some(v) if !(0.0..=1.0).contains(&v) => Err(FieldError::new(
            field,
            FieldCode::Invalid,
            "must be from 0 to 1",
        )),
        other => Ok(other),
    };
    let (title, alt, caption, credit, focal_x, focal_y) = (
        nullable("title", body.title, TITLE_MAX_CHARS),
        body.alt
            .as_deref()
            .map(|a| plain_text("alt", a, ALT_MAX_CHARS))
            .transpose(),
        nullable("caption", body.caption, CAPTION_MAX_CHARS),
        nullable("credit", body.credit, CREDIT_MAX_CHARS),
        focal("focal_x", body.focal_x),
        focal("focal_y", body.focal_y),
    )
        .parsed()?;
    let crops = body.crops;
    let media_url = state.config.media_url.clone();
    let (image, pictures) = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = queries::find_for_update(conn, id).map_err(ApiError::missing("image"))?;
            let pictures = pictures::load(conn, &media_url)?;
            let crops = match crops {
                Some(crops) => Some(merged_crops(&current, &pictures, crops)?),
                None => None,
            };
            if_match.check(&ImageView::new(current.clone(), &pictures))?;
            owner_or_editor(&user, &current)?;
            let changes = ImageChanges {
                title,
                alt,
                caption,
                credit,
                focal_x,
                focal_y,
                crops,
            };
            let image = queries::update(conn, id, &changes)?;
            if changes.shows_in_bodies() {
                articles::figures::refresh(conn, id, &media_url)?;
            }
            Ok((image, pictures))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(ImageView::new(image, &pictures)))
}

/// The image's crops with `changes` merged in, every one checked: a preset of the site, and a
/// rectangle inside the picture.
fn merged_crops(
    image: &Image,
    pictures: &Pictures,
    changes: std::collections::BTreeMap<String, Option<crate::images::presets::Rect>>,
) -> Result<serde_json::Value, ApiError> {
    let mut crops = image.crops();
    let mut errors = Vec::new();
    let (width, height) = image.size();
    for (preset, rect) in changes {
        let field = format!("crops.{preset}");
        if pictures.preset(&preset).is_none() {
            errors.push(FieldError::new(
                field,
                FieldCode::NotFound,
                "no preset has this name",
            ));
            continue;
        }
        match rect {
            Some(rect) if !rect.fits(width, height) => errors.push(FieldError::new(
                field,
                FieldCode::Invalid,
                format!("must lie inside the picture, {width}×{height}, and not be empty"),
            )),
            Some(rect) => {
                crops.insert(preset, rect);
            }
            None => {
                crops.remove(&preset);
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    serde_json::to_value(crops).map_err(ApiError::internal)
}
