//! Images as stored.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::images;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = images, check_for_backend(diesel::pg::Pg))]
pub struct Image {
    pub id: Uuid,
    pub sha256: String,
    pub mime: String,
    pub width: i32,
    pub height: i32,
    pub size_bytes: i64,
    pub blurhash: String,
    pub title: Option<String>,
    pub alt: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = images)]
pub struct NewImage {
    pub id: Uuid,
    pub sha256: String,
    pub mime: String,
    pub width: i32,
    pub height: i32,
    pub size_bytes: i64,
    pub blurhash: String,
    pub title: Option<String>,
    pub alt: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub created_by: Option<Uuid>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = images)]
pub struct ImageChanges {
    pub title: Option<Option<String>>,
    pub alt: Option<String>,
    pub caption: Option<Option<String>>,
    pub credit: Option<Option<String>>,
}

impl ImageChanges {
    /// Whether the change shows in article bodies, whose figures carry the caption and credit,
    /// so that they are rendered again.
    pub fn shows_in_bodies(&self) -> bool {
        self.caption.is_some() || self.credit.is_some()
    }
}

pub const TITLE_MAX_CHARS: usize = 300;
pub const ALT_MAX_CHARS: usize = 1000;
pub const CAPTION_MAX_CHARS: usize = 2000;
pub const CREDIT_MAX_CHARS: usize = 300;
