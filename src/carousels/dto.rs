//! Carousels on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{extract::nullable, images::dto::ImageView};

/// A place on the site that shows slides in turn: a hero banner, an ad slot.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CarouselView {
    pub id: Uuid,
    /// Unique; the frontend asks for the carousel by it.
    #[schema(example = "home-hero")]
    pub key: String,
    #[schema(example = "首页焦点图")]
    pub name: String,
    /// The slide shown when no other slide is active (ad placements).
    pub fallback_slide: Option<Uuid>,
    /// In order. Anonymous callers get only the slides active now (or the fallback when none
    /// is); editors get every slide with its window and click count.
    pub slides: Vec<SlideView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[schema(example = 1)]
    pub version: i32,
}

/// One slide, with its picture embedded (every variant, ready for `srcset`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlideView {
    pub id: Uuid,
    pub image: ImageView,
    #[schema(example = "草原上的那达慕")]
    pub title: Option<String>,
    pub caption: Option<String>,
    /// An external `http(s)` link; a slide links to this or to `article`, not both.
    #[schema(example = "https://www.example.com/campaign")]
    pub link_url: Option<String>,
    /// The linked article; shown to anonymous callers only while it is published.
    pub article: Option<SlideArticle>,
    /// The slide's place in the carousel, from 1.
    #[schema(minimum = 1, example = 1)]
    pub position: i32,
    /// Shown from this moment; none: from now on.
    pub starts_at: Option<DateTime<Utc>>,
    /// Shown until this moment; none: until removed.
    pub ends_at: Option<DateTime<Utc>>,
    /// Whether the window holds the present moment.
    pub active: bool,
    /// Clicks counted so far; editors only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 1024)]
    pub clicks: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[schema(example = 1)]
    pub version: i32,
}

/// What a slide needs of the article it links to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlideArticle {
    pub id: Uuid,
    #[schema(example = "yong-min-sheng-wen-du-biao-zhu-xing-fu-ke-du")]
    pub slug: String,
    #[schema(example = "用民生“温度”标注幸福“刻度”")]
    pub title: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateCarousel {
    /// Lower-case letters, digits and single hyphens, at most 64 characters.
    #[schema(example = "home-hero")]
    pub key: String,
    /// 1 to 100 characters of plain text.
    #[schema(example = "首页焦点图")]
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateCarousel {
    #[schema(example = "home-hero")]
    pub key: Option<String>,
    #[schema(example = "首页焦点图")]
    pub name: Option<String>,
    /// A slide of this carousel; `null` removes the fallback.
    #[serde(default, deserialize_with = "nullable")]
    pub fallback_slide: Option<Option<Uuid>>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateSlide {
    /// An image id.
    pub image: Uuid,
    /// At most 200 characters of plain text.
    #[schema(example = "草原上的那达慕")]
    pub title: Option<String>,
    /// At most 1000 characters of plain text.
    pub caption: Option<String>,
    /// An `http` or `https` URL; not together with `article`.
    #[schema(example = "https://www.example.com/campaign")]
    pub link_url: Option<String>,
    /// An article id; not together with `link_url`.
    pub article: Option<Uuid>,
    /// Where to put the slide, from 1; the slides from there on move down one. At the end
    /// when omitted.
    #[schema(minimum = 1, example = 1)]
    pub position: Option<i32>,
    pub starts_at: Option<DateTime<Utc>>,
    /// After `starts_at`.
    pub ends_at: Option<DateTime<Utc>>,
}

/// The fields to change; absent fields stay, `null` clears a nullable one.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateSlide {
    /// An image id.
    pub image: Option<Uuid>,
    #[serde(default, deserialize_with = "nullable")]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub caption: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub link_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub article: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    pub starts_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "nullable")]
    pub ends_at: Option<Option<DateTime<Utc>>>,
}

/// Every slide of the carousel exactly once, in the new order.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SlideOrder {
    pub slide_ids: Vec<Uuid>,
}
