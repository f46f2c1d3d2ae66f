use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, http::header, post, web};
use uuid::Uuid;

use crate::{
    auth::{AuthUser, min},
    db,
    error::ApiError,
    images::{
        dto::{ImageView, UploadForm},
        handlers::Texts,
        media, pictures, process, upload,
    },
    openapi::{Restricted, WithBody},
    state::AppState,
};

/// Room for the multipart boundaries and text parts around the file.
const FORM_OVERHEAD_BYTES: u64 = 128 * 1024;

/// Upload a picture.
///
/// The type is told from the file's content: JPEG, PNG, WebP or GIF (anything else is 415; a
/// file that calls itself an image and is not a readable one is 422). A picture larger than
/// `MASTHEAD_MAX_IMAGE_PIXELS` is refused before it is decoded. The EXIF orientation is applied
/// and location, camera and other metadata are removed from every served file.
///
/// Uploading bytes already uploaded creates a **new image record** (with its own alt text,
/// caption and credit) that shares the files of the first: same `sha256`, same URLs.
///
/// The variants are made in the background right after the answer, usually within a second;
/// one requested before it is ready is made on the spot. The presets' files are made on their
/// first request.
#[utoipa::path(
    tag = "images",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The new image", body = ImageView,
            headers(("Location" = String, description = "The image's URL"))),
        Restricted, WithBody,
    ),
    security(("bearer" = [])),
)]
#[post("/images")]
pub async fn upload_image(
    user: AuthUser<min::Author>,
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let limit = state.config.max_upload_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit + FORM_OVERHEAD_BYTES) {
        return Err(ApiError::PayloadTooLarge(format!(
            "the upload is larger than the {limit} bytes allowed"
        )));
    }
    let media = state.media.clone();
    let spool_dir = web::block(move || media.storage.spool_dir())
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let received = upload::receive(form, limit, spool_dir).await?;
    let texts = Texts::check(&received.text)?;
    let file = received.file;
    let format = process::sniff(&file.head, file.claims_image).map_err(media::refused)?;
    let media_url = state.config.media_url.clone();
    let pictures = db::run(&state.pool, move |conn| {
        Ok(pictures::load(conn, &media_url)?)
    })
    .await?;
    let (sha256, created_by) = (file.sha256.clone(), Some(user.id));
    let image = state
        .media
        .accept(
            &state.pool,
            file,
            format,
            pictures.variant_watermark().cloned(),
            move |stored| texts.into_record(Uuid::now_v7(), sha256, stored, created_by, None),
        )
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/images/{}", image.id)))
        .json(ImageView::new(image, &pictures)))
}
