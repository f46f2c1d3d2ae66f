//! Articles on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{
    IntoParams, PartialSchema, ToSchema,
    openapi::{Object, ObjectBuilder, RefOr, Schema, Type},
};
use uuid::Uuid;

use crate::{
    articles::model::{ArticleSummary, Content, Kind, Revision, Status},
    extract::nullable,
    images::dto::ImageView,
};

/// SEO overrides; each falls back to the article's own title, excerpt and URL when null.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Seo {
    /// At most 300 characters of plain text.
    #[schema(
        example = "用民生温度标注幸福刻度 - 通辽",
        max_length = 300,
        pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#
    )]
    pub meta_title: Option<String>,
    /// At most 1000 characters of plain text.
    #[schema(
        example = "通辽市以群众满意为目标，持续推进社会帮扶体系建设。",
        max_length = 1000,
        pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#
    )]
    pub meta_description: Option<String>,
    /// Where the story first appeared, when this is a copy: an `http` or `https` URL.
    #[schema(
        example = "https://example.com/original-story",
        max_length = 2000,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?:[Hh][Tt][Tt][Pp][Ss]?://(?:[^/?#<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*@)?[^/?#@:.<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^/?#@:<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^/?#@:.<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?(?::[^/?#<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?(?:[/?#][^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000<>"]*)?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?$"#
    )]
    pub canonical_url: Option<String>,
}

/// A related resource: its id, or the whole object when `include` names it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Embedded<T> {
    Id(Uuid),
    Object(T),
}

/// An author as `include=authors` embeds it in an article (`queries::embeddable_authors`).
#[derive(ToSchema)]
pub struct AuthorSummary {
    pub id: Uuid,
    #[schema(example = "chao-lu-men")]
    pub slug: String,
    #[schema(example = "朝鲁门")]
    pub name: String,
    /// An image id.
    pub avatar: Option<Uuid>,
}

/// A tag as `include=tags` embeds it in an article (`queries::embeddable_tags`).
#[derive(ToSchema)]
pub struct TagSummary {
    pub id: Uuid,
    #[schema(example = "yang-lao")]
    pub slug: String,
    #[schema(example = "养老")]
    pub name: String,
}

/// A category as `include=category` embeds it in an article (`queries::embeddable_categories`).
#[derive(ToSchema)]
pub struct CategorySummary {
    pub id: Uuid,
    #[schema(example = "yi-liao-wei-sheng")]
    pub slug: String,
    #[schema(example = "医疗卫生")]
    pub name: String,
    /// The category it is a subcategory of.
    pub parent: Option<Uuid>,
}

/// An article. Lists leave out `body`, `body_html` and `body_text` unless `fields` names them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleView {
    pub id: Uuid,
    #[schema(example = "yong-min-sheng-wen-du-biao-zhu-xing-fu-ke-du")]
    pub slug: String,
    #[schema(example = "用民生“温度”标注幸福“刻度”")]
    pub title: String,
    pub subtitle: Option<String>,
    /// Given by the editor, or made from the first sentences of the body.
    #[schema(example = "利民之事，丝发必兴。")]
    pub excerpt: String,
    /// Markdown (CommonMark with tables).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::text::json::long_text"
    )]
    pub body: Option<String>,
    /// The body rendered to sanitised HTML.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::text::json::long_text"
    )]
    pub body_html: Option<String>,
    /// The body as plain text.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::text::json::long_text"
    )]
    pub body_text: Option<String>,
    /// An image id, or the image with its variants with `include=cover_image`.
    #[schema(value_type = Option<Embedded<ImageView>>)]
    pub cover_image: Option<Embedded<serde_json::Value>>,
    /// In byline order; author objects with `include=authors`.
    #[schema(value_type = Vec<Embedded<AuthorSummary>>)]
    pub authors: Vec<Embedded<serde_json::Value>>,
    /// A category id, or the category with `include=category`.
    #[schema(value_type = Option<Embedded<CategorySummary>>)]
    pub category: Option<Embedded<serde_json::Value>>,
    /// Tag ids, or tags with `include=tags`.
    #[schema(value_type = Vec<Embedded<TagSummary>>)]
    pub tags: Vec<Embedded<serde_json::Value>>,
    /// As readers experience it: `published` from `published_at` on, `archived` from
    /// `unpublish_at` on, whether or not the scheduler has run yet.
    pub status: Status,
    pub published_at: Option<DateTime<Utc>>,
    /// When the article comes down by itself (an embargo or a promotion ends); it is then
    /// `archived`.
    pub unpublish_at: Option<DateTime<Utc>>,
    pub featured: bool,
    pub kind: Kind,
    /// Where the story comes from (a wire service, a partner paper).
    #[schema(example = "通辽日报")]
    pub source: Option<String>,
    #[schema(example = "zh-CN")]
    pub locale: String,
    /// The article this one translates.
    pub translation_of: Option<Uuid>,
    pub seo: Seo,
    /// CJK characters count one each; other words are split by spaces.
    pub word_count: i32,
    /// 300 CJK characters or 220 other words a minute, at least 1.
    pub reading_time_minutes: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// An article as a write answers it: with `import_images=true`, also what could not be imported.
#[derive(Debug, Serialize, ToSchema)]
pub struct WrittenArticle {
    #[serde(flatten)]
    pub article: ArticleView,
    /// With `import_images=true`: the remote images of the body that could not be imported,
    /// whose URLs the body keeps. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub import_errors: Option<Vec<ImportError>>,
}

/// A remote image of a body that was not imported.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportError {
    #[schema(example = "https://www.example.com/photos/gone.jpg")]
    pub url: String,
    /// Why, for the editor.
    #[schema(
        example = "could not import https://www.example.com/photos/gone.jpg: the server answered 404"
    )]
    pub detail: String,
}

/// `?import_images=` on article writes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WriteParams {
    /// Import every `http(s)` image of the Markdown body into the library (authors and up) and
    /// point the body at it (`image:<id>`); the ones that fail are listed in `import_errors`
    /// and keep their URLs.
    pub import_images: Option<bool>,
}

/// An article as `fields` and `include` shape it: the fields `fields` names, or without it all
/// but the bodies; the schema of [`ArticleView`] with none of its fields required.
pub struct ArticleFields;

impl PartialSchema for ArticleFields {
    fn schema() -> RefOr<Schema> {
        let mut schema = ArticleView::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            object.required.clear();
            object.description = Some(
                "An article with the fields `fields` names, or without it every field but the \
                 bodies; `include` embeds the named relations."
                    .into(),
            );
        }
        schema
    }
}

impl ToSchema for ArticleFields {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        ArticleView::schemas(schemas);
    }
}

/// The bodies, when the view shows them.
pub struct Bodies {
    pub body: String,
    pub body_html: String,
    pub body_text: String,
}

impl ArticleView {
    pub fn new(a: ArticleSummary, bodies: Option<Bodies>) -> Self {
        let status = a.timing().status(Utc::now());
        let (body, body_html, body_text) = match bodies {
            Some(b) => (Some(b.body), Some(b.body_html), Some(b.body_text)),
            None => (None, None, None),
        };
        Self {
            id: a.id,
            slug: a.slug,
            title: a.title,
            subtitle: a.subtitle,
            excerpt: a.excerpt,
            body,
            body_html,
            body_text,
            cover_image: a.cover_image_id.map(Embedded::Id),
            authors: a.author_ids.into_iter().map(Embedded::Id).collect(),
            category: a.category_id.map(Embedded::Id),
            tags: a.tag_ids.into_iter().map(Embedded::Id).collect(),
            status,
            published_at: a.published_at,
            unpublish_at: a.unpublish_at,
            featured: a.featured,
            kind: Kind::from_column(&a.kind),
            source: a.source,
            locale: a.locale,
            translation_of: a.translation_of,
            seo: Seo {
                meta_title: a.meta_title,
                meta_description: a.meta_description,
                canonical_url: a.canonical_url,
            },
            word_count: a.word_count,
            reading_time_minutes: a.reading_time_minutes,
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version,
        }
    }

    /// The view as a JSON tree. Its bodies go in as strings: serialised on their own they are
    /// JSON text already escaped (`text::json::long_text`), which a tree would parse back.
    pub fn into_value(mut self) -> Result<serde_json::Value, serde_json::Error> {
        let bodies = [
            ("body", self.body.take()),
            ("body_html", self.body_html.take()),
            ("body_text", self.body_text.take()),
        ];
        let mut value = serde_json::to_value(self)?;
        if let serde_json::Value::Object(object) = &mut value {
            for (key, text) in bodies {
                if let Some(text) = text {
                    object.insert(key.to_owned(), serde_json::Value::String(text));
                }
            }
        }
        Ok(value)
    }

    pub fn full(mut article: crate::articles::model::Article) -> Self {
        let bodies = Bodies {
            body: std::mem::take(&mut article.body),
            body_html: std::mem::take(&mut article.body_html),
            body_text: std::mem::take(&mut article.body_text),
        };
        Self::new(ArticleSummary::from(article), Some(bodies))
    }
}

/// Where a new article starts in the workflow: `draft`; `published`, live at `published_at`
/// (now when omitted; a future time schedules it, as `POST /articles/{id}/publish` does); or
/// `scheduled`, live at `published_at`, which must then be in the future.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum NewStatus {
    #[default]
    Draft,
    Published,
    Scheduled,
}

/// A new article: a draft unless `status` publishes or schedules it in the same request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateArticle {
    /// 1 to 300 characters of plain text on one line.
    #[schema(
        example = "用民生“温度”标注幸福“刻度”",
        max_length = 300,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?![\s\S]*<[A-Za-z/!?])[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub title: String,
    /// Made from the title (Chinese in pinyin) when omitted.
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = r#"^(?![0-9a-f]{32}$)(?![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)[a-z0-9]+(?:-[a-z0-9]+)*$"#
    )]
    pub slug: Option<String>,
    /// At most 300 characters of plain text.
    #[schema(max_length = 300, pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#)]
    pub subtitle: Option<String>,
    /// At most 1000 characters of plain text; made from the body when omitted.
    #[schema(max_length = 1000, pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#)]
    pub excerpt: Option<String>,
    /// Markdown, at most 1 MB.
    #[schema(example = "利民之事，丝发必兴。近年来，通辽市以群众满意为目标……")]
    pub body: Option<String>,
    pub cover_image: Option<Uuid>,
    /// At most 20 author ids in byline order. Authors and contributors default to their own
    /// profile.
    #[schema(value_type = Option<std::collections::BTreeSet<Uuid>>, max_items = 20)]
    pub authors: Option<Vec<Uuid>>,
    pub category: Option<Uuid>,
    /// At most 50 tag ids.
    #[schema(value_type = Option<std::collections::BTreeSet<Uuid>>, max_items = 50)]
    pub tags: Option<Vec<Uuid>>,
    pub featured: Option<bool>,
    pub kind: Option<Kind>,
    /// At most 200 characters of plain text.
    #[schema(max_length = 200, pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#)]
    pub source: Option<String>,
    /// A BCP 47 tag such as `zh-CN`, `mn-Mong` or `en`; `zh-CN` when omitted.
    #[schema(max_length = 35, pattern = r#"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$"#)]
    pub locale: Option<String>,
    pub translation_of: Option<Uuid>,
    pub seo: Option<Seo>,
    /// `draft` when omitted. Publishing or scheduling needs the author role at least, as the
    /// publish action does (403, and nothing is created).
    pub status: Option<NewStatus>,
    /// Only with `status` `published` or `scheduled`: when it goes live. A past time backdates
    /// it; a future one schedules it.
    pub published_at: Option<DateTime<Utc>>,
    /// When it comes down by itself, once published: after `published_at`, and in the future
    /// for an article published at once.
    pub unpublish_at: Option<DateTime<Utc>>,
}

/// SEO fields to change; absent ones stay, `null` clears one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSeo {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub meta_title: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub meta_description: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub canonical_url: Option<Option<String>>,
}

/// The fields to change; absent fields stay as they are, `null` clears a nullable one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateArticle {
    /// 1 to 300 characters of plain text on one line.
    #[schema(
        max_length = 300,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?![\s\S]*<[A-Za-z/!?])[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub title: Option<String>,
    /// A new slug; the old one keeps answering with a redirect.
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = r#"^(?![0-9a-f]{32}$)(?![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)[a-z0-9]+(?:-[a-z0-9]+)*$"#
    )]
    pub slug: Option<String>,
    /// At most 300 characters of plain text.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 300, pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#)]
    pub subtitle: Option<Option<String>>,
    /// At most 1000 characters of plain text; `null` goes back to an excerpt made from the body.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 1000, pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#)]
    pub excerpt: Option<Option<String>>,
    pub body: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub cover_image: Option<Option<Uuid>>,
    /// At most 20 author ids in byline order.
    #[schema(value_type = Option<std::collections::BTreeSet<Uuid>>, max_items = 20)]
    pub authors: Option<Vec<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub category: Option<Option<Uuid>>,
    /// At most 50 tag ids.
    #[schema(value_type = Option<std::collections::BTreeSet<Uuid>>, max_items = 50)]
    pub tags: Option<Vec<Uuid>>,
    pub featured: Option<bool>,
    pub kind: Option<Kind>,
    /// At most 200 characters of plain text.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 200, pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#)]
    pub source: Option<Option<String>>,
    /// A BCP 47 tag such as `zh-CN`, `mn-Mong` or `en`.
    #[schema(max_length = 35, pattern = r#"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$"#)]
    pub locale: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub translation_of: Option<Option<Uuid>>,
    pub seo: Option<UpdateSeo>,
    /// When the article comes down by itself; after its `published_at`. `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub unpublish_at: Option<Option<DateTime<Utc>>>,
    /// The version last read; a stale one gives 412 (like a stale `If-Match`).
    pub version: Option<i32>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishArticle {
    /// When it goes live: now when omitted; a future time schedules it.
    pub published_at: Option<DateTime<Utc>>,
    /// When it comes down by itself; after `published_at`. Omitted keeps one still ahead and
    /// clears one already past.
    pub unpublish_at: Option<DateTime<Utc>>,
}

/// How long a preview link works.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePreview {
    /// Seconds the link works: 24 hours when omitted, at most 7 days.
    #[schema(minimum = 1, maximum = 604800, example = 86400)]
    pub expires_in: Option<i64>,
}

/// A link that shows the article to anyone who has it, as it would read once published.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewView {
    /// Shown only in this answer; `GET /api/v1/preview/{token}` reads the article with it.
    #[schema(example = "mhp_4kQx0cS2vJ8dPz1bN7wR3tYh6mLq9aUe5fGi0oKjXyZ")]
    pub token: String,
    /// The frontend's preview page for it (`MASTHEAD_PREVIEW_URL`).
    #[schema(
        example = "http://localhost:3000/preview?token=mhp_4kQx0cS2vJ8dPz1bN7wR3tYh6mLq9aUe5fGi0oKjXyZ"
    )]
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

// A parameter's schema, given with `schema_with`, carries its description: utoipa then leaves
// out the field's doc comment.
fn one_of(description: &str, values: &[&str]) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values.iter().copied()))
        .build()
}

/// What `status` of an article list takes (`list::parse_status`).
fn status_filter() -> Object {
    one_of(
        "Only articles in this state; `trashed` (staff only) lists the trash.",
        &["draft", "scheduled", "published", "archived", "trashed"],
    )
}

/// What `sort` of an article list takes (`list::parse_sort`).
fn sort_order() -> Object {
    one_of(
        "The order, `-` for descending; `-published_at` when omitted.",
        &[
            "-published_at",
            "published_at",
            "-updated_at",
            "updated_at",
            "title",
        ],
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    #[param(schema_with = status_filter)]
    pub status: Option<String>,
    /// An author id or slug.
    pub author: Option<String>,
    /// A category id or slug.
    pub category: Option<String>,
    /// A tag id or slug.
    pub tag: Option<String>,
    pub featured: Option<bool>,
    pub kind: Option<Kind>,
    #[param(example = "zh-CN")]
    pub locale: Option<String>,
    /// RFC 3339, of the years 1 to 9999.
    #[param(format = DateTime)]
    pub published_after: Option<String>,
    /// RFC 3339, of the years 1 to 9999.
    #[param(format = DateTime)]
    pub published_before: Option<String>,
    /// Words anywhere in the article (title, subtitle, tags, excerpt, body), as `/search`
    /// finds them; every word must match. At most 200 characters, and a query of nothing but
    /// punctuation or words too common to search is refused (400).
    #[param(max_length = 200)]
    pub q: Option<String>,
    #[param(schema_with = sort_order)]
    pub sort: Option<String>,
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
    /// The `meta.next_cursor` of the previous page, for deep paging (instead of `page`), with
    /// the same `sort`.
    #[param(
        pattern = r#"^(?:[pu]\.(?:-|[+-]?[0-9]+)|t\.(?:[0-9a-fA-F]{2})*)\.[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"#
    )]
    pub after: Option<String>,
    /// Comma-separated fields to return, e.g. `id,slug,title`.
    #[param(
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?:(?:reading_time_minutes|translation_of|published_at|unpublish_at|cover_image|word_count|created_at|updated_at|body_html|body_text|subtitle|category|featured|excerpt|authors|version|status|source|locale|title|slug|body|tags|kind|seo|id)[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?(?:,[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?:(?:reading_time_minutes|translation_of|published_at|unpublish_at|cover_image|word_count|created_at|updated_at|body_html|body_text|subtitle|category|featured|excerpt|authors|version|status|source|locale|title|slug|body|tags|kind|seo|id)[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?)*$"#
    )]
    pub fields: Option<String>,
    /// Comma-separated relations to embed: authors, tags, category, cover_image.
    #[param(
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?:(?:cover_image|category|authors|tags)[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?(?:,[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?:(?:cover_image|category|authors|tags)[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?)*$"#
    )]
    pub include: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadParams {
    /// Comma-separated fields to return, e.g. `id,slug,title`.
    #[param(
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?:(?:reading_time_minutes|translation_of|published_at|unpublish_at|cover_image|word_count|created_at|updated_at|body_html|body_text|subtitle|category|featured|excerpt|authors|version|status|source|locale|title|slug|body|tags|kind|seo|id)[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?(?:,[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?:(?:reading_time_minutes|translation_of|published_at|unpublish_at|cover_image|word_count|created_at|updated_at|body_html|body_text|subtitle|category|featured|excerpt|authors|version|status|source|locale|title|slug|body|tags|kind|seo|id)[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?)*$"#
    )]
    pub fields: Option<String>,
    /// Comma-separated relations to embed: authors, tags, category, cover_image.
    #[param(
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?:(?:cover_image|category|authors|tags)[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?(?:,[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?:(?:cover_image|category|authors|tags)[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?)*$"#
    )]
    pub include: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// Admins only: remove for good instead of moving to the trash.
    pub purge: Option<bool>,
}

/// A numbered snapshot of an article's content.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    /// From 1, per article.
    pub number: i32,
    pub created_at: DateTime<Utc>,
    /// The last edit folded into this revision.
    pub updated_at: DateTime<Utc>,
    /// The account that made it.
    pub created_by: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<Content>,
}

impl RevisionView {
    pub fn new(revision: Revision, with_content: bool) -> Self {
        Self {
            number: revision.number,
            created_at: revision.created_at,
            updated_at: revision.updated_at,
            created_by: revision.created_by,
            content: with_content
                .then(|| serde_json::from_value(revision.content).ok())
                .flatten(),
        }
    }
}
