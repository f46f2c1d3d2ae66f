//! The site settings on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    articles::dto::Embedded,
    extract::nullable,
    images::{
        dto::ImageView,
        presets::{self, Position, Preset},
    },
    site::model::SiteSettings,
};

/// What every page of the site shows around the articles.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SiteView {
    /// The site's name, in page titles and the feed.
    #[schema(example = "首页-三牛平台")]
    pub title: String,
    /// A sentence or two about the site; the feed's description.
    #[schema(example = "通辽地区新闻门户")]
    pub description: String,
    /// An image id, or the image with its variants with `include=logo`.
    pub logo: Option<Embedded<ImageView>>,
    /// The copyright line.
    #[schema(example = "版权所有 Copyright(C)2018-2025")]
    pub copyright: String,
    /// Plain text shown at the foot of every page.
    #[schema(example = "脚注信息")]
    pub footer: String,
    /// The ICP record number Chinese sites must show; empty when there is none.
    #[schema(example = "蒙ICP备05003134号")]
    pub icp_record: String,
    /// A BCP 47 language tag; the feed's language.
    #[schema(example = "zh-CN")]
    pub locale: String,
    /// An IANA time zone name, in which frontends show times.
    #[schema(example = "Asia/Shanghai")]
    pub timezone: String,
    /// Every preset images are cut to: the built-in `hero` (16:9), `card` (4:3) and `square`
    /// (1:1), replaced by one of the same name set here, and the site's own.
    pub presets: Vec<Preset>,
    /// The watermark drawn on the files of the presets marked for it; `null` for none.
    pub watermark: Option<WatermarkSettings>,
    /// When the settings last changed.
    pub updated_at: DateTime<Utc>,
    /// Increases with every change.
    #[schema(example = 1)]
    pub version: i32,
}

/// The site's watermark.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WatermarkSettings {
    /// An image id: the mark, best a PNG with transparency.
    pub image: Uuid,
    /// Where it goes; `bottom-right` when omitted.
    #[serde(default = "bottom_right")]
    pub position: Position,
    /// From above 0 to 1 (opaque); 0.6 when omitted.
    #[serde(default = "default_opacity")]
    #[schema(exclusive_minimum = 0, maximum = 1, example = 0.6)]
    pub opacity: f64,
    /// Its width as a fraction of the picture's, above 0 to 1; 0.2 when omitted.
    #[serde(default = "default_size")]
    #[schema(exclusive_minimum = 0, maximum = 1, example = 0.2)]
    pub size: f64,
    /// Whether the width variants carry it too (the presets marked for it always do). The
    /// clean original and unmarked variants are then served to staff only.
    #[serde(default)]
    pub variants: bool,
}

fn bottom_right() -> Position {
    Position::BottomRight
}

fn default_opacity() -> f64 {
    0.6
}

fn default_size() -> f64 {
    0.2
}

impl SiteView {
    /// The settings with the logo as an id, or as the image when `logo` is given.
    pub fn new(site: SiteSettings, logo: Option<ImageView>) -> Self {
        let custom: Vec<Preset> = serde_json::from_value(site.presets).unwrap_or_default();
        let watermark = site.watermark_image_id.map(|image| WatermarkSettings {
            image,
            position: Position::parse(&site.watermark_position).unwrap_or(Position::BottomRight),
            opacity: site.watermark_opacity,
            size: site.watermark_size,
            variants: site.watermark_variants,
        });
        Self {
            presets: presets::merged(custom),
            watermark,
            title: site.title,
            description: site.description,
            logo: match logo {
                Some(image) => Some(Embedded::Object(image)),
                None => site.logo_id.map(Embedded::Id),
            },
            copyright: site.copyright,
            footer: site.footer,
            icp_record: site.icp_record,
            locale: site.locale,
            timezone: site.timezone,
            updated_at: site.updated_at,
            version: site.version,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SiteParams {
    /// `logo` embeds the logo image instead of its id.
    #[param(
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?:(?:logo)[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?(?:,[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?:(?:logo)[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?)*$"#
    )]
    pub include: Option<String>,
}

/// The settings to change; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSite {
    /// 1 to 200 characters of plain text on one line.
    #[schema(
        example = "首页-三牛平台",
        max_length = 200,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?![\s\S]*<[A-Za-z/!?])[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub title: Option<String>,
    /// At most 1000 characters of plain text.
    #[schema(
        example = "通辽地区新闻门户",
        max_length = 1000,
        pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#
    )]
    pub description: Option<String>,
    /// An image id; `null` removes the logo.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub logo: Option<Option<Uuid>>,
    /// At most 500 characters of plain text.
    #[schema(
        example = "版权所有 Copyright(C)2018-2025",
        max_length = 500,
        pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#
    )]
    pub copyright: Option<String>,
    /// At most 5000 characters of plain text.
    #[schema(
        example = "脚注信息",
        max_length = 5000,
        pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#
    )]
    pub footer: Option<String>,
    /// At most 100 characters of plain text; `""` when there is none.
    #[schema(
        example = "蒙ICP备05003134号",
        max_length = 100,
        pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#
    )]
    pub icp_record: Option<String>,
    /// A BCP 47 language tag such as `zh-CN` or `en`.
    #[schema(
        example = "zh-CN",
        max_length = 35,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub locale: Option<String>,
    /// An IANA time zone name such as `Asia/Shanghai` or `UTC`, as PostgreSQL knows them.
    #[schema(
        example = "Asia/Shanghai",
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"#
    )]
    pub timezone: Option<String>,
    /// The site's own presets, replacing the list set before (at most 20; a name of a built-in
    /// replaces it). Changing a preset gives its files new URLs.
    #[schema(max_items = 20)]
    pub presets: Option<Vec<Preset>>,
    /// The watermark; `null` removes it. Changing it gives the marked files new URLs.
    #[serde(default, deserialize_with = "nullable")]
    pub watermark: Option<Option<WatermarkSettings>>,
}
