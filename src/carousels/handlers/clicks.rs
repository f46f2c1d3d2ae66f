//! Click counts: anonymous, cheap, and counted once per idempotency key.

use actix_web::{HttpRequest, HttpResponse, post, web};
use diesel::Connection;
use uuid::Uuid;

use crate::{
    carousels::queries,
    db,
    error::ApiError,
    openapi::{NotFound, Open},
    state::AppState,
};

/// Longest `Idempotency-Key` kept.
const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;

/// Count a click on a slide.
///
/// Anonymous and cheap; send an `Idempotency-Key` so that a retried request is not counted twice.
#[utoipa::path(
    tag = "carousels",
    params(
        ("id" = String, Path, description = "The carousel's key"),
        ("slide_id" = Uuid, Path, description = "The slide's id"),
        (
            "Idempotency-Key" = Option<String>, Header,
            description = "Any unique string of 1 to 255 visible ASCII characters; the same key counts once",
            max_length = 255, pattern = r"^[!-~](?:[ -~]*[!-~])?$",
        ),
    ),
    responses(
        (status = 204, description = "Counted (or already counted under this key)"),
        Open, NotFound,
    ),
    security(()),
)]
#[post("/carousels/{id}/slides/{slide_id}/click")]
pub async fn click_slide(
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (key, slide) = path.into_inner();
    let idempotency_key = match req.headers().get("idempotency-key") {
        None => None,
        Some(value) => {
            let value = value.to_str().map(str::trim).unwrap_or_default();
            if value.is_empty() || value.chars().count() > MAX_IDEMPOTENCY_KEY_CHARS {
                return Err(ApiError::BadRequest(format!(
                    "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} visible ASCII characters"
                )));
            }
            Some(value.to_owned())
        }
    };
    let found = db::run(&state.pool, move |conn| {
        Ok(conn.transaction(|conn| queries::click(conn, &key, slide, idempotency_key.as_deref()))?)
    })
    .await?;
    if found {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found("slide"))
    }
}
