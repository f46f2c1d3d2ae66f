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
    /// The image preset the slides are shown in: their images list only its files.
    #[schema(example = "hero")]
    pub preset: String,
    /// In order. Anonymous callers get only the slides active now (or the fallback when none
    /// is); editors get every slide with its window and click count.
    pub slides: Vec<SlideView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[schema(example = 1)]
    pub version: i32,
}

/// One slide, with its picture embedded (every variant, ready for `srcset`, and the files of
/// the carousel's preset).
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

impl SlideView {
    /// The slide with only `preset`'s files in its image.
    pub fn in_preset(mut self, preset: &str) -> Self {
        self.image = self.image.only_preset(preset);
        self
    }
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
#[serde(deny_unknown_fields)]
pub struct CreateCarousel {
    /// Lower-case letters and digits in words joined by single hyphens, at most 64 characters.
    #[schema(
        example = "home-hero",
        max_length = 64,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[a-z0-9]+(?:-[a-z0-9]+)*[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub key: String,
    /// 1 to 100 characters of plain text on one line.
    #[schema(
        example = "首页焦点图",
        max_length = 100,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?![\s\S]*<[A-Za-z/!?])[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub name: String,
    /// The image preset the slides are shown in (`hero`, `card`, `square` or one of the
    /// site's); `hero` when omitted.
    #[schema(
        example = "hero",
        max_length = 40,
        pattern = r#"^[a-z0-9]+(?:-[a-z0-9]+)*$"#
    )]
    pub preset: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCarousel {
    /// Lower-case letters and digits in words joined by single hyphens, at most 64 characters.
    #[schema(
        example = "home-hero",
        max_length = 64,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[a-z0-9]+(?:-[a-z0-9]+)*[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub key: Option<String>,
    /// 1 to 100 characters of plain text on one line.
    #[schema(
        example = "首页焦点图",
        max_length = 100,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?![\s\S]*<[A-Za-z/!?])[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub name: Option<String>,
    /// A slide of this carousel; `null` removes the fallback.
    #[serde(default, deserialize_with = "nullable")]
    pub fallback_slide: Option<Option<Uuid>>,
    /// The image preset the slides are shown in.
    #[schema(
        example = "card",
        max_length = 40,
        pattern = r#"^[a-z0-9]+(?:-[a-z0-9]+)*$"#
    )]
    pub preset: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSlide {
    /// An image id.
    pub image: Uuid,
    /// At most 200 characters of plain text.
    #[schema(
        example = "草原上的那达慕",
        max_length = 200,
        pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#
    )]
    pub title: Option<String>,
    /// At most 1000 characters of plain text.
    #[schema(max_length = 1000, pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#)]
    pub caption: Option<String>,
    /// An `http` or `https` URL; not together with `article`. `""` for none.
    #[schema(
        example = "https://www.example.com/campaign",
        max_length = 2000,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?:[Hh][Tt][Tt][Pp][Ss]?://(?:[^/?#<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*@)?[^/?#@:.<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^/?#@:<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^/?#@:.<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?(?::[^/?#<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?(?:[/?#][^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000<>"]*)?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?$"#
    )]
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
#[serde(deny_unknown_fields)]
pub struct UpdateSlide {
    /// An image id.
    pub image: Option<Uuid>,
    /// At most 200 characters of plain text.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_length = 200, pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#)]
    pub title: Option<Option<String>>,
    /// At most 1000 characters of plain text.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_length = 1000, pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#)]
    pub caption: Option<Option<String>>,
    /// An `http` or `https` URL; not together with `article`. `""` for none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(
        max_length = 2000,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?:[Hh][Tt][Tt][Pp][Ss]?://(?:[^/?#<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*@)?[^/?#@:.<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^/?#@:<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^/?#@:.<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?(?::[^/?#<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?(?:[/?#][^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000<>"]*)?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?$"#
    )]
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
#[serde(deny_unknown_fields)]
pub struct SlideOrder {
    #[schema(value_type = std::collections::BTreeSet<Uuid>)]
    pub slide_ids: Vec<Uuid>,
}
