//! What readers and editors see of carousels and slides, assembled in a fixed number of
//! statements whatever the number of slides.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use uuid::Uuid;

use crate::{
    carousels::{
        dto::{CarouselView, SlideArticle, SlideView},
        model::{Carousel, Slide},
        queries,
    },
    error::ApiError,
    images::{self, dto::ImageView},
};

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

/// What an anonymous reader sees of one carousel now.
pub(super) fn public_view(
    conn: &mut PgConnection,
    carousel: Carousel,
    media_url: &str,
    now: DateTime<Utc>,
) -> Result<CarouselView, ApiError> {
    views(conn, vec![carousel], false, now, media_url)?
        .pop()
        .ok_or_else(|| ApiError::not_found("carousel"))
}

pub(super) fn views(
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
pub(super) fn assemble(
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
                .map(|view| view.in_preset(&carousel.preset))
                .collect(),
            preset: carousel.preset,
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

pub(super) fn slide_views(
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
