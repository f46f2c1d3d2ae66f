use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, patch, post, web};
use diesel::Connection;
use uuid::Uuid;

use crate::{
    articles,
    auth::{AuthUser, Role, min},
    db,
    error::{ApiError, Fields},
    etag::IfMatch,
    extract::Json,
    images::{
        dto::{DeleteParams, ImageView, ListParams, UpdateImage, UploadForm},
        media,
        model::{
            ALT_MAX_CHARS, CAPTION_MAX_CHARS, CREDIT_MAX_CHARS, Image, ImageChanges, NewImage,
            TITLE_MAX_CHARS,
        },
        process::{self, Format},
        queries, upload,
    },
    openapi::{Conflict, NotFound, PreconditionFailed, Restricted, WithBody},
    pagination::{List, Page, PageParams},
    state::AppState,
    text::fields::{optional_plain_text, plain_text},
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
/// one requested before it is ready is made on the spot.
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
    let texts = UploadTexts::check(&received.text)?;
    let file = received.file;
    let format = process::sniff(&file.head, file.claims_image).map_err(media::refused)?;
    let (sha256, created_by) = (file.sha256.clone(), Some(user.id));
    let image = state
        .media
        .accept(&state.pool, file, format, move |stored| {
            Ok(NewImage {
                id: Uuid::now_v7(),
                sha256,
                mime: stored.format.mime().into(),
                width: i32::try_from(stored.width).map_err(ApiError::internal)?,
                height: i32::try_from(stored.height).map_err(ApiError::internal)?,
                size_bytes: i64::try_from(stored.size_bytes).map_err(ApiError::internal)?,
                blurhash: stored.blurhash,
                title: texts.title,
                alt: texts.alt.unwrap_or_default(),
                caption: texts.caption,
                credit: texts.credit,
                created_by,
            })
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/images/{}", image.id)))
        .json(ImageView::new(image, &state.config.media_url)))
}

/// The checked text fields of an upload.
struct UploadTexts {
    title: Option<String>,
    alt: Option<String>,
    caption: Option<String>,
    credit: Option<String>,
}

impl UploadTexts {
    fn check(text: &HashMap<String, String>) -> Result<Self, ApiError> {
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
}

/// List the media library, newest first.
///
/// Contributors and up; `q` finds words in the title, alt text, caption or credit, `mime` keeps one
/// type.
#[utoipa::path(
    tag = "images",
    params(ListParams),
    responses(
        (status = 200, description = "A page of images", body = List<ImageView>),
        Restricted,
    ),
    security(("bearer" = [])),
)]
#[get("/images")]
pub async fn list_images(
    _staff: AuthUser<min::Contributor>,
    state: web::Data<AppState>,
    params: web::Query<ListParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let page = Page::try_from(&PageParams {
        page: params.page,
        per_page: params.per_page,
    })?;
    let mime = params
        .mime
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    if let Some(mime) = mime
        && Format::from_mime(mime).is_none()
    {
        return Err(ApiError::BadRequest(
            "mime must be one of image/jpeg, image/png, image/webp, image/gif".into(),
        ));
    }
    let filters = queries::Filters {
        q: params
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_owned),
        mime: mime.map(str::to_owned),
    };
    let (rows, total) = db::run(&state.pool, move |conn| {
        Ok(queries::list(conn, &filters, page)?)
    })
    .await?;
    let views = rows
        .into_iter()
        .map(|image| ImageView::new(image, &state.config.media_url))
        .collect();
    Ok(List::new(views, page, total).respond(&req))
}

/// Read one image.
///
/// Contributors and up. The answer lists every responsive variant, ready for `srcset`.
#[utoipa::path(
    tag = "images",
    params(("id" = Uuid, Path, description = "The image's id")),
    responses(
        (status = 200, description = "The image", body = ImageView),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        Restricted, NotFound,
    ),
    security(("bearer" = [])),
)]
#[get("/images/{id}")]
pub async fn find_image(
    _staff: AuthUser<min::Contributor>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let image = db::run(&state.pool, move |conn| {
        queries::find(conn, id).map_err(ApiError::missing("image"))
    })
    .await?;
    Ok(HttpResponse::Ok().json(ImageView::new(image, &state.config.media_url)))
}

/// Change an image's title, alt text, caption or credit.
///
/// Authors change their own uploads; editors any. Article bodies showing the image get the new
/// caption and credit in their figures.
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
#[patch("/images/{id}")]
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
    let (title, alt, caption, credit) = (
        nullable("title", body.title, TITLE_MAX_CHARS),
        body.alt
            .as_deref()
            .map(|a| plain_text("alt", a, ALT_MAX_CHARS))
            .transpose(),
        nullable("caption", body.caption, CAPTION_MAX_CHARS),
        nullable("credit", body.credit, CREDIT_MAX_CHARS),
    )
        .parsed()?;
    let changes = ImageChanges {
        title,
        alt,
        caption,
        credit,
    };
    let media_url = state.config.media_url.clone();
    let image = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = queries::find_for_update(conn, id).map_err(ApiError::missing("image"))?;
            if_match.check(&ImageView::new(current.clone(), &media_url))?;
            owner_or_editor(&user, &current)?;
            let image = queries::update(conn, id, &changes)?;
            if changes.shows_in_bodies() {
                articles::figures::refresh(conn, id, &media_url)?;
            }
            Ok(image)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(ImageView::new(image, &state.config.media_url)))
}

/// Delete an image.
///
/// Authors delete their own uploads; editors any. While articles (the trash included), authors,
/// carousel slides or links use it the answer is 409, unless `force=true`: then covers, avatars and
/// logos are cleared, its figures leave the bodies, and the slides showing it are removed. The
/// files go when no other image record shares them.
#[utoipa::path(
    tag = "images",
    params(
        ("id" = Uuid, Path, description = "The image's id"),
        DeleteParams,
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gives 412"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        Restricted, NotFound, Conflict, PreconditionFailed,
    ),
    security(("bearer" = [])),
)]
#[delete("/images/{id}")]
pub async fn delete_image(
    user: AuthUser<min::Author>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    params: web::Query<DeleteParams>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let force = params.force.unwrap_or(false);
    let media_url = state.config.media_url.clone();
    let (image, last_user) = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let image = queries::find_for_update(conn, id).map_err(ApiError::missing("image"))?;
            if_match.check(&ImageView::new(image.clone(), &media_url))?;
            owner_or_editor(&user, &image)?;
            let usage = queries::usage(conn, id)?;
            if usage.any() && !force {
                return Err(ApiError::Conflict(format!(
                    "the image is in use by {}; delete with force=true to remove it from them \
                     (carousel slides showing it go with it)",
                    usage.describe()
                )));
            }
            queries::delete(conn, id)?;
            if usage.articles > 0 {
                articles::figures::refresh(conn, id, &media_url)?;
            }
            let last_user = queries::file_users(conn, &image.sha256)? == 0;
            Ok((image, last_user))
        })
    })
    .await?;
    if last_user {
        state.media.remove_unused(&state.pool, &image).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

fn owner_or_editor<R: crate::auth::caller::RoleFloor>(
    user: &AuthUser<R>,
    image: &Image,
) -> Result<(), ApiError> {
    match image.created_by {
        Some(owner) => user.require_owner_or(owner, Role::Editor),
        None if user.role >= Role::Editor => Ok(()),
        None => Err(ApiError::Forbidden(
            "only an editor may change an image nobody owns".into(),
        )),
    }
}
