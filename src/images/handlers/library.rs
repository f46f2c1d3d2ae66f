use actix_web::{HttpRequest, HttpResponse, get, web};
use uuid::Uuid;

use crate::{
    auth::{AuthUser, min},
    db,
    error::ApiError,
    images::{
        dto::{ImageView, ListParams, PresetParams},
        handlers::{preset_param, view},
        pictures,
        process::Format,
        queries,
    },
    openapi::{NotFound, Restricted},
    pagination::{List, Page, PageParams},
    state::AppState,
};

/// List the media library, newest first.
///
/// Contributors and up; `q` finds words in the title, alt text, caption or credit, `mime` keeps one
/// type, `preset` lists only that preset's files of each image.
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
    let media_url = state.config.media_url.clone();
    let (rows, total, pictures) = db::run(&state.pool, move |conn| {
        let (rows, total) = queries::list(conn, &filters, page)?;
        Ok((rows, total, pictures::load(conn, &media_url)?))
    })
    .await?;
    let preset = preset_param(&pictures, params.preset.as_deref())?;
    let views = rows
        .into_iter()
        .map(|image| view(image, &pictures, preset.as_deref()))
        .collect();
    Ok(List::new(views, page, total).respond(&req))
}

/// Read one image.
///
/// Contributors and up. The answer lists every responsive variant, ready for `srcset`, and the
/// presets' files; `preset` lists only that preset's.
#[utoipa::path(
    tag = "images",
    params(("id" = Uuid, Path, description = "The image's id"), PresetParams),
    responses(
        (status = 200, description = "The image", body = ImageView),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        Restricted, NotFound,
    ),
    security(("bearer" = [])),
)]
// Image ids are UUIDs; matching only their characters leaves `/images/import` to its own route,
// so that other methods there are 405, not a search for an image named `import`.
#[get("/images/{id:[0-9a-fA-F-]+}")]
pub async fn find_image(
    _staff: AuthUser<min::Contributor>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    params: web::Query<PresetParams>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let media_url = state.config.media_url.clone();
    let (image, pictures) = db::run(&state.pool, move |conn| {
        let image = queries::find(conn, id).map_err(ApiError::missing("image"))?;
        Ok((image, pictures::load(conn, &media_url)?))
    })
    .await?;
    let preset = preset_param(&pictures, params.preset.as_deref())?;
    Ok(HttpResponse::Ok().json(view(image, &pictures, preset.as_deref())))
}
