//! Carousels themselves: listing, reading as a frontend shows them, and editors' writes.

use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, patch, post, web};
use diesel::{Connection, PgConnection};
use uuid::Uuid;

use crate::{
    auth::{AuthUser, Reader, min},
    cache,
    carousels::{
        dto::{CarouselView, CreateCarousel, UpdateCarousel},
        model::{CarouselChanges, KEY_MAX_CHARS, NAME_MAX_CHARS, NewCarousel},
        queries,
        views::{assemble, staff_view, views},
    },
    db,
    error::{ApiError, FieldCode, FieldError, Fields},
    etag::IfMatch,
    extract::Json,
    images,
    openapi::{Conflict, NotFound, PreconditionFailed, Public, Restricted, WithBody},
    pagination::{List, Page, PageParams},
    slugs::Key,
    state::AppState,
    text::fields::name,
};

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
/// Editors and admins. It starts without slides; `key` is how the frontend asks for it, and
/// `preset` (`hero` unless named, one the site has) the shape its slides' images come in.
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
    let (key, name, preset) = (
        carousel_key(&body.key),
        name("name", &body.name, NAME_MAX_CHARS),
        body.preset
            .as_deref()
            .map_or(Ok("hero".to_owned()), preset_name),
    )
        .parsed()?;
    let new = NewCarousel {
        id: Uuid::now_v7(),
        key,
        name,
        preset,
    };
    let media_url = state.config.media_url.clone();
    let now = state.clock.now();
    let view = db::run(&state.pool, move |conn| {
        known_preset(conn, &new.preset, &media_url)?;
        let carousel = queries::insert(conn, &new)?;
        staff_view(conn, carousel, &media_url, now)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/carousels/{}", view.key)))
        .json(view))
}

/// Rename a carousel, change its key or preset, or name its fallback slide.
///
/// Editors and admins; absent fields stay as they are. The fallback must be one of the carousel's
/// own slides, the preset one the site has.
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
    let (new_key, new_name, preset) = (
        body.key.as_deref().map(carousel_key).transpose(),
        body.name
            .as_deref()
            .map(|n| name("name", n, NAME_MAX_CHARS))
            .transpose(),
        body.preset.as_deref().map(preset_name).transpose(),
    )
        .parsed()?;
    let changes = CarouselChanges {
        key: new_key,
        name: new_name,
        fallback_slide_id: body.fallback_slide,
        preset,
    };
    let media_url = state.config.media_url.clone();
    let now = state.clock.now();
    let view = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current =
                queries::find_for_update(conn, &key).map_err(ApiError::missing("carousel"))?;
            if_match.check(&staff_view(conn, current.clone(), &media_url, now)?)?;
            if let Some(preset) = &changes.preset {
                known_preset(conn, preset, &media_url)?;
            }
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

/// A preset's name as sent, well formed; whether the site has it is asked in the transaction.
fn preset_name(value: &str) -> Result<String, FieldError> {
    if images::presets::is_name(value) {
        Ok(value.to_owned())
    } else {
        Err(FieldError::new(
            "preset",
            FieldCode::Invalid,
            "lower-case letters and digits in words joined by single hyphens, at most 40 characters (e.g. hero)",
        ))
    }
}

/// A 422 unless the site has a preset named `preset`.
fn known_preset(conn: &mut PgConnection, preset: &str, media_url: &str) -> Result<(), ApiError> {
    if images::pictures::load(conn, media_url)?
        .preset(preset)
        .is_some()
    {
        return Ok(());
    }
    Err(ApiError::field(
        "preset",
        FieldCode::NotFound,
        format!("the site has no image preset named {preset:?}"),
    ))
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
}
