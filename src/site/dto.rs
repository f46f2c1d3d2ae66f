//! The site settings on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    articles::dto::Embedded,
    extract::nullable,
    images::{dto::ImageView, model::Image},
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
    /// When the settings last changed.
    pub updated_at: DateTime<Utc>,
    /// Increases with every change.
    #[schema(example = 1)]
    pub version: i32,
}

impl SiteView {
    /// The settings with the logo as an id, or as the image when `logo` is given.
    pub fn new(site: SiteSettings, logo: Option<ImageView>) -> Self {
        Self {
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

    pub fn with_image(site: SiteSettings, image: Option<Image>, media_url: &str) -> Self {
        Self::new(site, image.map(|image| ImageView::new(image, media_url)))
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
}
