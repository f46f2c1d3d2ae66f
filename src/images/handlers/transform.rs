use actix_web::{HttpResponse, post, web};
use uuid::Uuid;

use crate::{
    auth::{AuthUser, min},
    db,
    error::{ApiError, FieldCode, FieldError},
    extract::Json,
    images::{
        dto::{TransformRequest, TransformView},
        pictures,
        presets::{self, Derived, MAX_WIDTH, Rect},
        process::Format,
        queries,
    },
    openapi::{NotFound, Restricted, WithBody},
    state::AppState,
};

/// Mint a signed URL of a file of any size.
///
/// Editors and up. The presets' sizes cover what a site shows; for anything else (a share card,
/// a one-off layout) an editor mints a URL signed with the server's key: the picture cut to
/// `width`:`height` around its focal point (inside the preset's crop when `preset` is given) and
/// made exactly that size on its first request. Nothing else can make the server resize: any
/// other name under `/media` is 404. The URL stays valid while the picture and its watermark do.
#[utoipa::path(
    tag = "images",
    params(("id" = Uuid, Path, description = "The image's id")),
    request_body = TransformRequest,
    responses(
        (status = 200, description = "The signed URL", body = TransformView),
        Restricted, NotFound, WithBody,
    ),
    security(("bearer" = [])),
)]
#[post("/images/{id}/transform-url")]
pub async fn create_transform_url(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(body): Json<TransformRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let media_url = state.config.media_url.clone();
    let (image, pictures) = db::run(&state.pool, move |conn| {
        let image = queries::find(conn, id).map_err(ApiError::missing("image"))?;
        Ok((image, pictures::load(conn, &media_url)?))
    })
    .await?;
    let mut errors = Vec::new();
    for (field, value) in [("width", body.width), ("height", body.height)] {
        if !(1..=MAX_WIDTH).contains(&value) {
            errors.push(FieldError::new(
                field,
                FieldCode::Invalid,
                format!("must be from 1 to {MAX_WIDTH}"),
            ));
        }
    }
    let preset = match body.preset.as_deref() {
        Some(name) => match pictures.preset(name) {
            Some(preset) => Some(preset),
            None => {
                errors.push(FieldError::new(
                    "preset",
                    FieldCode::NotFound,
                    "no preset has this name",
                ));
                None
            }
        },
        None => None,
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let (width, height) = image.size();
    let (within, focus) = match preset {
        Some(preset) => {
            let rect = presets::crop_for(
                preset,
                (width, height),
                (image.focal_x, image.focal_y),
                &image.crops(),
            );
            let centre = (
                f64::from(rect.x) + f64::from(rect.width) / 2.0,
                f64::from(rect.y) + f64::from(rect.height) / 2.0,
            );
            (rect, centre)
        }
        None => (
            Rect {
                x: 0,
                y: 0,
                width,
                height,
            },
            (
                image.focal_x * f64::from(width),
                image.focal_y * f64::from(height),
            ),
        ),
    };
    let crop = presets::crop_around(within, (body.width, body.height), focus.0, focus.1);
    if body.width > crop.width || body.height > crop.height {
        return Err(ApiError::field(
            "width",
            FieldCode::Invalid,
            format!(
                "the picture has {}×{} pixels of this shape; the file may not be larger",
                crop.width, crop.height
            ),
        ));
    }
    let watermark = match preset {
        Some(preset) => pictures.watermark.as_ref().filter(|_| preset.watermark),
        None => pictures.variant_watermark(),
    };
    let own = Format::from_mime(&image.mime).unwrap_or(Format::Jpeg);
    let file = Derived {
        preset: None,
        width: body.width,
        height: body.height,
        crop,
        watermark: watermark.map(presets::Watermark::fingerprint),
        format: body.format.map_or(own, Format::from),
    };
    let signature = state.media.sign(&image.sha256, &file);
    Ok(HttpResponse::Ok().json(TransformView {
        url: format!(
            "{}/{}/{}",
            pictures.media_url,
            image.sha256,
            file.name_with(Some(&signature))
        ),
        width: file.width,
        height: file.height,
        format: crate::images::dto::format_name(file.format).into(),
    }))
}
