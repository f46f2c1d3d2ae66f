use std::collections::{HashMap, HashSet};

use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, patch, post, put, web};
use chrono::{DateTime, Utc};
use diesel::{Connection, PgConnection};
use uuid::Uuid;

use crate::{
    articles::content::storable,
    auth::{AuthUser, Reader, min},
    cache,
    carousels::{
        dto::{
            CarouselView, CreateCarousel, CreateSlide, SlideArticle, SlideOrder, SlideView,
            UpdateCarousel, UpdateSlide,
        },
        model::{
            CAPTION_MAX_CHARS, Carousel, CarouselChanges, KEY_MAX_CHARS, MAX_SLIDES,
            NAME_MAX_CHARS, NewCarousel, Slide, SlideContent, TITLE_MAX_CHARS,
        },
        queries,
    },
    db,
    error::{ApiError, FieldCode, FieldError, Fields},
    etag::IfMatch,
    extract::Json,
    images::{self, dto::ImageView},
    openapi::{Conflict, NotFound, Open, PreconditionFailed, Public, Restricted, WithBody},
    pagination::{List, Page, PageParams},
    slugs::Key,
    state::AppState,
    text::fields::{http_url, name, optional_plain_text},
};

/// Longest `Idempotency-Key` kept.
const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;

/// List every carousel with all its slides.
///
/// Editors and admins. Each slide shows its time window and click count, whether active or not;
/// readers ask for one carousel by key instead.
#[utoipa::path(
    tag = "carousels",
    params(PageParams),
    responses(
        (status = 200, description = "A page of carousels", body = List<CarouselView>),
        Restricted,
    ),
    security(("bearer" = [])),
)]
#[get("/carousels")]
pub async fn list_carousels(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    params: web::Query<PageParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let page = Page::try_from(&*params)?;
    let media_url = state.config.media_url.clone();
    let now = state.clock.now();
    let (views, total) = db::run(&state.pool, move |conn| {
        let (rows, total) = queries::list(conn, page)?;
        let views = views(conn, rows, true, now, &media_url)?;
        Ok((views, total))
    })
    .await?;
    Ok(List::new(views, page, total).respond(&req))
}

/// Read a carousel by key (or id), as a frontend shows it.
///
/// Anonymous callers get the slides active now, in order, each with its image and every
/// variant; when none is active, the fallback slide alone. A window opening or closing changes
/// the answer by itself: `Cache-Control` never lets a copy outlive the next such moment.
/// Editors get every slide with its window, whether it is active, and its clicks.
#[utoipa::path(
    tag = "carousels",
    params(("id" = String, Path, description = "The carousel's key (e.g. `home-hero`) or id")),
    responses(
        (status = 200, description = "The carousel", body = CarouselView),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        Public, NotFound,
    ),
    security((), ("bearer" = [])),
)]
#[get("/carousels/{id}")]
pub async fn find_carousel(
    reader: Reader,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&id);
    let editor = reader.is_editor();
    let media_url = state.config.media_url.clone();
    let now = state.clock.now();
    let (view, next_change) = db::run(&state.pool, move |conn| {
        let carousel = queries::find(conn, &key).map_err(ApiError::missing("carousel"))?;
        let slides = queries::slides_of(conn, &[carousel.id])?;
        let next_change = slides.iter().filter_map(|s| s.next_change(now)).min();
        let view = assemble(conn, vec![(carousel, slides)], editor, now, &media_url)?
            .pop()
            .ok_or_else(|| ApiError::not_found("carousel"))?;
        Ok((view, next_change))
    })
    .await?;
    let mut response = HttpResponse::Ok().json(view);
    let until_change = next_change.map(|at| {
        let seconds = (at - now).num_seconds().max(0);
        u32::try_from(seconds).unwrap_or(u32::MAX)
    });
    cache::mark_public_for(&mut response, &reader, &state, until_change);
    Ok(response)
}

/// Create a carousel.
///
/// Editors and admins. It starts without slides; `key` is how the frontend asks for it.
#[utoipa::path(
    tag = "carousels",
    request_body = CreateCarousel,
    responses(
        (status = 201, description = "Created", body = CarouselView,
            headers(("Location" = String, description = "The carousel's URL"))),
        Restricted, Conflict, WithBody,
    ),
    security(("bearer" = [])),
)]
#[post("/carousels")]
pub async fn create_carousel(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    Json(body): Json<CreateCarousel>,
) -> Result<HttpResponse, ApiError> {
    let (key, name) = (
        carousel_key(&body.key),
        name("name", &body.name, NAME_MAX_CHARS),
    )
        .parsed()?;
    let new = NewCarousel {
        id: Uuid::now_v7(),
        key,
        name,
    };
    let media_url = state.config.media_url.clone();
    let now = state.clock.now();
    let view = db::run(&state.pool, move |conn| {
        let carousel = queries::insert(conn, &new)?;
        staff_view(conn, carousel, &media_url, now)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/carousels/{}", view.key)))
        .json(view))
}

/// Rename a carousel, change its key, or name its fallback slide.
///
/// Editors and admins; absent fields stay as they are. The fallback must be one of the carousel's
/// own slides.
#[utoipa::path(
    tag = "carousels",
    params(
        ("id" = String, Path, description = "The carousel's key or id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read by an editor; a stale one gives 412"),
    ),
    request_body = UpdateCarousel,
    responses(
        (status = 200, description = "The changed carousel", body = CarouselView),
        Restricted, NotFound, Conflict, PreconditionFailed, WithBody,
    ),
    security(("bearer" = [])),
)]
#[patch("/carousels/{id}")]
pub async fn update_carousel(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    if_match: IfMatch,
    Json(body): Json<UpdateCarousel>,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&id);
    let (new_key, new_name) = (
        body.key.as_deref().map(carousel_key).transpose(),
        body.name
            .as_deref()
            .map(|n| name("name", n, NAME_MAX_CHARS))
            .transpose(),
    )
        .parsed()?;
    let changes = CarouselChanges {
        key: new_key,
        name: new_name,
        fallback_slide_id: body.fallback_slide,
    };
    let media_url = state.config.media_url.clone();
    let now = state.clock.now();
    let view = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current =
                queries::find_for_update(conn, &key).map_err(ApiError::missing("carousel"))?;
            if_match.check(&staff_view(conn, current.clone(), &media_url, now)?)?;
            if let Some(Some(slide)) = changes.fallback_slide_id
                && queries::slide(conn, current.id, slide).is_err()
            {
                return Err(ApiError::field(
                    "fallback_slide",
                    FieldCode::NotFound,
                    format!("the carousel has no slide {slide}"),
                ));
            }
            let carousel = queries::update(conn, current.id, &changes)?;
            staff_view(conn, carousel, &media_url, now)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Delete a carousel with its slides.
///
/// Editors and admins. The slides' images stay in the media library.
#[utoipa::path(
    tag = "carousels",
    params(
        ("id" = String, Path, description = "The carousel's key or id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read by an editor; a stale one gives 412"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        Restricted, NotFound, PreconditionFailed,
    ),
    security(("bearer" = [])),
)]
#[delete("/carousels/{id}")]
pub async fn delete_carousel(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&id);
    let media_url = state.config.media_url.clone();
    let now = state.clock.now();
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current =
                queries::find_for_update(conn, &key).map_err(ApiError::missing("carousel"))?;
            if_match.check(&staff_view(conn, current.clone(), &media_url, now)?)?;
            queries::delete(conn, current.id)?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

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
                .ok_or_else(|| ApiError::internal("the new slide vanished"))?;
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
            slide_views(conn, vec![slide], true, now, &media_url)?
                .pop()
                .ok_or_else(|| ApiError::internal("the slide vanished"))
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

fn carousel_key(value: &str) -> Result<String, FieldError> {
    // The length is of the key as sent, as the OpenAPI document states it.
    let well_formed = value.chars().count() <= KEY_MAX_CHARS;
    let value = value.trim();
    let well_formed = well_formed
        && !value.is_empty()
        && value.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if well_formed {
        Ok(value.to_owned())
    } else {
        Err(FieldError::new(
            "key",
            FieldCode::Invalid,
            format!(
                "lower-case letters and digits in words joined by single hyphens, at most {KEY_MAX_CHARS} characters (e.g. home-hero)"
            ),
        ))
    }
}

/// The editors' view of one carousel: every slide.
pub(super) fn staff_view(
    conn: &mut PgConnection,
    carousel: Carousel,
    media_url: &str,
    now: DateTime<Utc>,
) -> Result<CarouselView, ApiError> {
    views(conn, vec![carousel], true, now, media_url)?
        .pop()
        .ok_or_else(|| ApiError::not_found("carousel"))
}

fn views(
    conn: &mut PgConnection,
    carousels: Vec<Carousel>,
    editor: bool,
    now: DateTime<Utc>,
    media_url: &str,
) -> Result<Vec<CarouselView>, ApiError> {
    let ids: Vec<Uuid> = carousels.iter().map(|c| c.id).collect();
    let mut slides: HashMap<Uuid, Vec<Slide>> = HashMap::new();
    for slide in queries::slides_of(conn, &ids)? {
        slides.entry(slide.carousel_id).or_default().push(slide);
    }
    let pairs = carousels
        .into_iter()
        .map(|c| {
            let own = slides.remove(&c.id).unwrap_or_default();
            (c, own)
        })
        .collect();
    assemble(conn, pairs, editor, now, media_url)
}

/// Views of carousels with their slides: the slides an anonymous reader sees now, or all of
/// them for editors. Three statements whatever the number of slides: slides, images, articles.
fn assemble(
    conn: &mut PgConnection,
    carousels: Vec<(Carousel, Vec<Slide>)>,
    editor: bool,
    now: DateTime<Utc>,
    media_url: &str,
) -> Result<Vec<CarouselView>, ApiError> {
    let shown: Vec<(Carousel, Vec<Slide>)> = carousels
        .into_iter()
        .map(|(carousel, slides)| {
            let slides = if editor {
                slides
            } else {
                showing_now(&carousel, slides, now)
            };
            (carousel, slides)
        })
        .collect();
    let all: Vec<Slide> = shown.iter().flat_map(|(_, s)| s.iter().cloned()).collect();
    let mut slide_views: HashMap<Uuid, SlideView> = slide_views(conn, all, editor, now, media_url)?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    Ok(shown
        .into_iter()
        .map(|(carousel, slides)| CarouselView {
            id: carousel.id,
            key: carousel.key,
            name: carousel.name,
            fallback_slide: carousel.fallback_slide_id,
            slides: slides
                .iter()
                .filter_map(|s| slide_views.remove(&s.id))
                .collect(),
            created_at: carousel.created_at,
            updated_at: carousel.updated_at,
            version: carousel.version,
        })
        .collect())
}

/// The slides active now other than the fallback, or the fallback alone when none is.
fn showing_now(carousel: &Carousel, slides: Vec<Slide>, now: DateTime<Utc>) -> Vec<Slide> {
    let (fallback, others): (Vec<Slide>, Vec<Slide>) = slides
        .into_iter()
        .partition(|s| Some(s.id) == carousel.fallback_slide_id);
    let active: Vec<Slide> = others.into_iter().filter(|s| s.is_active(now)).collect();
    if active.is_empty() { fallback } else { active }
}

fn slide_views(
    conn: &mut PgConnection,
    slides: Vec<Slide>,
    editor: bool,
    now: DateTime<Utc>,
    media_url: &str,
) -> Result<Vec<SlideView>, ApiError> {
    let image_ids: Vec<Uuid> = slides.iter().map(|s| s.image_id).collect();
    let rows = images::queries::by_ids(conn, &image_ids)?;
    let images: HashMap<Uuid, ImageView> = images::views(conn, rows, media_url)?
        .into_iter()
        .map(|view| (view.id, view))
        .collect();
    let article_ids: Vec<Uuid> = slides.iter().filter_map(|s| s.article_id).collect();
    let articles: HashMap<Uuid, (String, String, bool)> =
        queries::linked_articles(conn, &article_ids, now)?
            .into_iter()
            .map(|(id, slug, title, live)| (id, (slug, title, live)))
            .collect();
    Ok(slides
        .into_iter()
        .filter_map(|slide| {
            let image = images.get(&slide.image_id)?.clone();
            let article = slide.article_id.and_then(|id| {
                let (slug, title, live) = articles.get(&id)?;
                (editor || *live).then(|| SlideArticle {
                    id,
                    slug: slug.clone(),
                    title: title.clone(),
                })
            });
            Some(SlideView {
                id: slide.id,
                image,
                active: slide.is_active(now),
                title: slide.title,
                caption: slide.caption,
                link_url: slide.link_url,
                article,
                position: slide.position,
                starts_at: slide.starts_at,
                ends_at: slide.ends_at,
                clicks: editor.then_some(slide.clicks),
                created_at: slide.created_at,
                updated_at: slide.updated_at,
                version: slide.version,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_lower_case_words_with_single_hyphens() {
        assert!(carousel_key("home-hero").is_ok());
        assert!(carousel_key("ad2").is_ok());
        for bad in [
            "",
            "Home",
            "home--hero",
            "-home",
            "home-",
            "首页",
            "home hero",
        ] {
            assert!(carousel_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_order_names_every_slide_once() {
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        assert!(check_order(&[a, b], &[b, a]).is_ok());
        assert!(check_order(&[a, b], &[a]).is_err());
        assert!(check_order(&[a, b], &[a, b, b]).is_err());
        assert!(check_order(&[a, b], &[a, b, c]).is_err());
    }
}
