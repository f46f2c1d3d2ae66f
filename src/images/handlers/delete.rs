use actix_web::{HttpResponse, delete, web};
use diesel::Connection;
use uuid::Uuid;

use crate::{
    articles,
    auth::{AuthUser, min},
    db,
    error::ApiError,
    etag::IfMatch,
    images::{
        dto::{DeleteParams, ImageView},
        handlers::owner_or_editor,
        pictures, queries,
    },
    openapi::{Conflict, NotFound, PreconditionFailed, Restricted},
    state::AppState,
};

/// Delete an image.
///
/// Authors delete their own uploads; editors any. While articles (the trash included), authors,
/// carousel slides, links or the site (logo, watermark) use it the answer is 409, unless
/// `force=true`: then covers, avatars, logos and the watermark are cleared, its figures leave the
/// bodies, and the slides showing it are removed. The files (with every preset's) go when no
/// other image record shares them.
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
#[delete("/images/{id:[0-9a-fA-F-]+}")]
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
            let pictures = pictures::load(conn, &media_url)?;
            if_match.check(&ImageView::new(image.clone(), &pictures))?;
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
            if usage.watermark > 0 {
                // Without the watermark, every figure names other variants.
                articles::figures::refresh_all(conn, &media_url)?;
            } else if usage.articles > 0 {
                articles::figures::refresh(conn, id, &media_url)?;
            }
            let last_user = queries::file_users(conn, &image.sha256)? == 0;
            Ok((image, last_user))
        })
    })
    .await?;
    if last_user {
        state
            .media
            .remove_unused(&state.pool, &image.sha256)
            .await?;
    }
    Ok(HttpResponse::NoContent().finish())
}
