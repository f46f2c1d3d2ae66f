//! Images as stored.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::{images::presets::Crops, schema::images};

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
    pub focal_x: f64,
    pub focal_y: f64,
    /// Per-preset crops, `{preset: {x, y, width, height}}`.
    pub crops: serde_json::Value,
    pub source_url: Option<String>,
}

impl Image {
    pub fn crops(&self) -> Crops {
        // Only ever written from a checked `Crops`; anything else reads as none.
        serde_json::from_value(self.crops.clone()).unwrap_or_default()
    }

    pub fn size(&self) -> (u32, u32) {
        (self.width.unsigned_abs(), self.height.unsigned_abs())
    }
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
    pub source_url: Option<String>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = images)]
pub struct ImageChanges {
    pub title: Option<Option<String>>,
    pub alt: Option<String>,
    pub caption: Option<Option<String>>,
    pub credit: Option<Option<String>>,
    pub focal_x: Option<f64>,
    pub focal_y: Option<f64>,
    pub crops: Option<serde_json::Value>,
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
