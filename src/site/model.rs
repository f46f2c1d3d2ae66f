//! The site settings as stored: one row.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::site_settings;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = site_settings, check_for_backend(diesel::pg::Pg))]
pub struct SiteSettings {
    pub title: String,
    pub description: String,
    pub logo_id: Option<Uuid>,
    pub copyright: String,
    pub footer: String,
    pub icp_record: String,
    pub locale: String,
    pub timezone: String,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// The site's own presets, checked `Preset`s.
    pub presets: serde_json::Value,
    pub watermark_image_id: Option<Uuid>,
    pub watermark_position: String,
    pub watermark_opacity: f64,
    pub watermark_size: f64,
    pub watermark_variants: bool,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = site_settings)]
pub struct SiteChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub logo_id: Option<Option<Uuid>>,
    pub copyright: Option<String>,
    pub footer: Option<String>,
    pub icp_record: Option<String>,
    pub locale: Option<String>,
    pub timezone: Option<String>,
    pub presets: Option<serde_json::Value>,
    pub watermark_image_id: Option<Option<Uuid>>,
    pub watermark_position: Option<String>,
    pub watermark_opacity: Option<f64>,
    pub watermark_size: Option<f64>,
    pub watermark_variants: Option<bool>,
}

pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 1000;
pub const COPYRIGHT_MAX_CHARS: usize = 500;
pub const FOOTER_MAX_CHARS: usize = 5000;
pub const ICP_RECORD_MAX_CHARS: usize = 100;
/// The longest language tag RFC 5646 asks implementations to accept.
pub const LOCALE_MAX_CHARS: usize = 35;
