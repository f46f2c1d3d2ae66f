//! Carousels and their slides as stored.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::{carousel_slides, carousels};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = carousels, check_for_backend(diesel::pg::Pg))]
pub struct Carousel {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub fallback_slide_id: Option<Uuid>,
    /// The preset whose files the slides' images embed.
    pub preset: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = carousels)]
pub struct NewCarousel {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub preset: String,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = carousels)]
pub struct CarouselChanges {
    pub key: Option<String>,
    pub name: Option<String>,
    pub fallback_slide_id: Option<Option<Uuid>>,
    pub preset: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = carousel_slides, check_for_backend(diesel::pg::Pg))]
pub struct Slide {
    pub id: Uuid,
    pub carousel_id: Uuid,
    pub image_id: Uuid,
    pub title: Option<String>,
    pub caption: Option<String>,
    pub link_url: Option<String>,
    pub article_id: Option<Uuid>,
    pub position: i32,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub clicks: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl Slide {
    /// Whether the slide's window holds `now`; an open end is no limit.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.starts_at.is_none_or(|start| start <= now) && self.ends_at.is_none_or(|end| now < end)
    }

    /// The next moment after `now` when the slide starts or stops showing.
    pub fn next_change(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        [self.starts_at, self.ends_at]
            .into_iter()
            .flatten()
            .filter(|at| *at > now)
            .min()
    }
}

#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = carousel_slides, treat_none_as_null = true)]
pub struct SlideContent {
    pub image_id: Uuid,
    pub title: Option<String>,
    pub caption: Option<String>,
    pub link_url: Option<String>,
    pub article_id: Option<Uuid>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
}

pub const KEY_MAX_CHARS: usize = 64;
pub const NAME_MAX_CHARS: usize = 100;
pub const TITLE_MAX_CHARS: usize = 200;
pub const CAPTION_MAX_CHARS: usize = 1000;
pub const MAX_SLIDES: usize = 100;
