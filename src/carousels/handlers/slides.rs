//! Slides: adding, changing, removing and ordering them.

use std::collections::HashSet;

use actix_web::http::header;
use actix_web::{HttpResponse, delete, patch, post, put, web};
use chrono::{DateTime, Utc};
use diesel::{Connection, PgConnection};
use uuid::Uuid;

use crate::{
    articles::content::storable,
    auth::{AuthUser, min},
    carousels::{
        dto::{CarouselView, CreateSlide, SlideOrder, SlideView, UpdateSlide},
        model::{CAPTION_MAX_CHARS, MAX_SLIDES, SlideContent, TITLE_MAX_CHARS},
        queries,
        views::{slide_views, staff_view},
    },
    db,
    error::{ApiError, FieldCode, FieldError, Fields},
    extract::Json,
    images,
    openapi::{NotFound, Restricted, WithBody},
    slugs::Key,
    state::AppState,
    text::fields::{http_url, optional_plain_text},
};

/// Add a slide to a carousel.
///
/// Editors and admins. The slide goes at `position` (later slides move down) or at the end, and
/// links to an article or to a URL, not both.
#[utoipa::path(
    tag = "carousels",
    params(("id" = String, Path, description = "The carousel's key or id")),
    request_body = CreateSlide,
    responses(
        (status = 201, description = "The new slide", body = SlideView,
            headers(("Location" = String, description = "The carousel's URL"))),
        Restricted, NotFound, WithBody,
    ),
    security(("bearer" = [])),
)]
#[post("/carousels/{id}/slides")]
pub async fn add_slide(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    Json(body): Json<CreateSlide>,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&id);
    let position = body.position;
    if position.is_some_and(|p| p < 1) {
        return Err(ApiError::field(
            "position",
            FieldCode::Invalid,
            "must be 1 or more",
        ));
    }
    let content = checked_content(SlideInput {
        image: body.image,
        title: body.title,
        caption: body.caption,
        link_url: body.link_url,
        article: body.article,
        starts_at: body.starts_at,
        ends_at: body.ends_at,
    })?;
    let media_url = state.config.media_url.clone();
    let now = state.clock.now();
    let (carousel, view) = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let carousel =
                queries::find_for_update(conn, &key).map_err(ApiError::missing("carousel"))?;
            if queries::slide_count(conn, carousel.id)? >= MAX_SLIDES as i64 {
                return Err(ApiError::Conflict(format!(
                    "a carousel holds at most {MAX_SLIDES} slides"
                )));
            }
            check_references(conn, &content)?;
            let end = queries::next_position(conn, carousel.id)?;
            let position = match position {
                Some(p) if p < end => {
                    queries::make_room(conn, carousel.id, p)?;
                    p
                }
                _ => end,
            };
            let slide = queries::insert_slide(conn, carousel.id, &content, position)?;
            let carousel = queries::touch(conn, carousel.id)?;
            let view = slide_views(conn, vec![slide], true, now, &media_url)?
                .pop()
                .ok_or_else(|| ApiError::internal("the new slide vanished"))?
                .in_preset(&carousel.preset);
            Ok((carousel, view))
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/carousels/{}", carousel.key),
        ))
        .json(view))
}

// Slide ids are UUIDs; matching only their characters leaves `/slides/order` to its own route,
// so that other methods there are 405, not a search for a slide named `order`.
/// Change a slide.
///
/// Editors and admins; absent fields stay, `null` clears a nullable one. A slide still links to an
/// article or to a URL, not both, and its window must end after it starts.
#[utoipa::path(
    tag = "carousels",
    params(
        ("id" = String, Path, description = "The carousel's key or id"),
        ("slide_id" = Uuid, Path, description = "The slide's id"),
    ),
    request_body = UpdateSlide,
    responses(
        (status = 200, description = "The changed slide", body = SlideView),
        Restricted, NotFound, WithBody,
    ),
    security(("bearer" = [])),
)]
#[patch("/carousels/{id}/slides/{slide_id:[0-9a-fA-F-]+}")]
pub async fn update_slide(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
    Json(body): Json<UpdateSlide>,
) -> Result<HttpResponse, ApiError> {
    let (id, slide_id) = path.into_inner();
    let key = Key::parse(&id);
    let media_url = state.config.media_url.clone();
    let now = state.clock.now();
    let view = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let carousel =
                queries::find_for_update(conn, &key).map_err(ApiError::missing("carousel"))?;
            let current =
                queries::slide(conn, carousel.id, slide_id).map_err(ApiError::missing("slide"))?;
            let content = checked_content(SlideInput {
                image: body.image.unwrap_or(current.image_id),
                title: body.title.unwrap_or(current.title),
                caption: body.caption.unwrap_or(current.caption),
                link_url: body.link_url.unwrap_or(current.link_url),
                article: body.article.unwrap_or(current.article_id),
                starts_at: body.starts_at.unwrap_or(current.starts_at),
                ends_at: body.ends_at.unwrap_or(current.ends_at),
            })?;
            check_references(conn, &content)?;
            let slide = queries::update_slide(conn, slide_id, &content)?;
            queries::touch(conn, carousel.id)?;
            Ok(slide_views(conn, vec![slide], true, now, &media_url)?
                .pop()
                .ok_or_else(|| ApiError::internal("the slide vanished"))?
                .in_preset(&carousel.preset))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Remove a slide.
///
/// Editors and admins. The slides after it close up; a carousel whose fallback it was has none.
#[utoipa::path(
    tag = "carousels",
    params(
        ("id" = String, Path, description = "The carousel's key or id"),
        ("slide_id" = Uuid, Path, description = "The slide's id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        Restricted, NotFound,
    ),
    security(("bearer" = [])),
)]
#[delete("/carousels/{id}/slides/{slide_id:[0-9a-fA-F-]+}")]
pub async fn delete_slide(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, slide_id) = path.into_inner();
    let key = Key::parse(&id);
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let carousel =
                queries::find_for_update(conn, &key).map_err(ApiError::missing("carousel"))?;
            queries::slide(conn, carousel.id, slide_id).map_err(ApiError::missing("slide"))?;
            queries::delete_slide(conn, slide_id)?;
            queries::touch(conn, carousel.id)?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Put a carousel's slides in a new order.
///
/// Editors and admins. `slide_ids` names every slide of the carousel exactly once, first one first.
#[utoipa::path(
    tag = "carousels",
    params(("id" = String, Path, description = "The carousel's key or id")),
    request_body = SlideOrder,
    responses(
        (status = 200, description = "The carousel in its new order", body = CarouselView),
        Restricted, NotFound, WithBody,
    ),
    security(("bearer" = [])),
)]
#[put("/carousels/{id}/slides/order")]
pub async fn order_slides(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    Json(body): Json<SlideOrder>,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&id);
    let media_url = state.config.media_url.clone();
    let now = state.clock.now();
    let view = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let carousel =
                queries::find_for_update(conn, &key).map_err(ApiError::missing("carousel"))?;
            let slides = queries::slides_of(conn, &[carousel.id])?;
            let existing: Vec<Uuid> = slides.iter().map(|s| s.id).collect();
            check_order(&existing, &body.slide_ids)?;
            queries::set_order(conn, &body.slide_ids)?;
            let carousel = queries::touch(conn, carousel.id)?;
            staff_view(conn, carousel, &media_url, now)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// What a slide request says, before it is checked.
struct SlideInput {
    image: Uuid,
    title: Option<String>,
    caption: Option<String>,
    link_url: Option<String>,
    article: Option<Uuid>,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
}

fn checked_content(input: SlideInput) -> Result<SlideContent, ApiError> {
    let window = match (input.starts_at, input.ends_at) {
        (Some(start), Some(end)) if end <= start => Err(FieldError::new(
            "ends_at",
            FieldCode::Invalid,
            "must be after starts_at",
        )),
        (start, end) if start.into_iter().chain(end).any(|t| !storable(t)) => Err(FieldError::new(
            "starts_at",
            FieldCode::Invalid,
            "must be between the years 1 and 9999",
        )),
        _ => Ok(()),
    };
    let link = match (&input.link_url, input.article) {
        (Some(url), Some(_)) if !url.trim().is_empty() => Err(FieldError::new(
            "link_url",
            FieldCode::Invalid,
            "a slide links to an article or to a URL, not both",
        )),
        (Some(url), _) => http_url("link_url", url),
        (None, _) => Ok(None),
    };
    let (title, caption, link_url, ()) = (
        optional_plain_text("title", input.title.as_deref(), TITLE_MAX_CHARS),
        optional_plain_text("caption", input.caption.as_deref(), CAPTION_MAX_CHARS),
        link,
        window,
    )
        .parsed()?;
    Ok(SlideContent {
        image_id: input.image,
        title,
        caption,
        link_url,
        article_id: input.article,
        starts_at: input.starts_at,
        ends_at: input.ends_at,
    })
}

/// The image and the article a slide names must exist; both failures in one 422.
fn check_references(conn: &mut PgConnection, content: &SlideContent) -> Result<(), ApiError> {
    let mut errors: Vec<FieldError> = images::missing(conn, "image", content.image_id)?
        .into_iter()
        .collect();
    if let Some(article) = content.article_id
        && !crate::articles::queries::article_exists(conn, article)?
    {
        errors.push(FieldError::new(
            "article",
            FieldCode::NotFound,
            format!("no article has id {article}"),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Every id exactly once: the missing, the repeated and the foreign ones are named.
fn check_order(existing: &[Uuid], asked: &[Uuid]) -> Result<(), ApiError> {
    let known: HashSet<&Uuid> = existing.iter().collect();
    let mut seen = HashSet::new();
    let mut problems = Vec::new();
    for id in asked {
        if !known.contains(id) {
            problems.push(format!("{id} is not a slide of this carousel"));
        } else if !seen.insert(id) {
            problems.push(format!("{id} is listed twice"));
        }
    }
    let missing: Vec<String> = existing
        .iter()
        .filter(|id| !seen.contains(id))
        .map(Uuid::to_string)
        .collect();
    if !missing.is_empty() {
        problems.push(format!("missing: {}", missing.join(", ")));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::field(
            "slide_ids",
            FieldCode::Invalid,
            format!("name every slide exactly once; {}", problems.join("; ")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_names_every_slide_once() {
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        assert!(check_order(&[a, b], &[b, a]).is_ok());
        assert!(check_order(&[a, b], &[a]).is_err());
        assert!(check_order(&[a, b], &[a, b, b]).is_err());
        assert!(check_order(&[a, b], &[a, b, c]).is_err());
    }
}
