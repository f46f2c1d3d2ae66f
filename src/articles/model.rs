//! Articles as stored.

use chrono::{DateTime, Utc};
use diesel::{
    deserialize::{self, FromSql, FromSqlRow},
    pg::{Pg, PgValue},
    prelude::*,
    sql_types::{Array, Nullable, Text, Uuid as SqlUuid},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    articles::live::Timing,
    schema::{article_revisions, articles},
};

/// Where an article is in the editorial workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    /// Published with a `published_at` in the future; it goes live by itself at that time.
    Scheduled,
    Published,
    Archived,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }

    /// The column is constrained by the database to these names.
    pub fn from_column(value: &str) -> Self {
        match value {
            "scheduled" => Self::Scheduled,
            "published" => Self::Published,
            "archived" => Self::Archived,
            _ => Self::Draft,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A dated news story.
    #[default]
    Post,
    /// A standing page such as "join us" (加入我们).
    Page,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "post",
            Self::Page => "page",
        }
    }

    pub fn from_column(value: &str) -> Self {
        if value == "page" {
            Self::Page
        } else {
            Self::Post
        }
    }
}

/// An `uuid[]` column read as ids. PostgreSQL arrays may hold NULLs, so the schema types the
/// elements as nullable; Masthead never writes one, and none is read back.
#[derive(Debug, FromSqlRow)]
pub struct IdList(Vec<Uuid>);

impl FromSql<Array<Nullable<SqlUuid>>, Pg> for IdList {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        let ids: Vec<Option<Uuid>> = FromSql::<Array<Nullable<SqlUuid>>, Pg>::from_sql(bytes)?;
        Ok(Self(ids.into_iter().flatten().collect()))
    }
}

impl From<IdList> for Vec<Uuid> {
    fn from(list: IdList) -> Self {
        list.0
    }
}

/// A long text column (a body) read as a `String`. Every read of an article checks its bodies
/// are UTF-8; the standard library's check took about 4.7 µs for an article's 8 KB of Chinese
/// text, a vectorised one (`simdutf8`) about 0.5 µs.
#[derive(Debug, FromSqlRow)]
pub struct LongText(String);

impl FromSql<Text, Pg> for LongText {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        Ok(Self(
            simdutf8::basic::from_utf8(value.as_bytes())?.to_owned(),
        ))
    }
}

impl From<LongText> for String {
    fn from(text: LongText) -> Self {
        text.0
    }
}

/// Every column of an article.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = articles, check_for_backend(diesel::pg::Pg))]
pub struct Article {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub excerpt: String,
    pub excerpt_is_custom: bool,
    #[diesel(deserialize_as = LongText)]
    pub body: String,
    #[diesel(deserialize_as = LongText)]
    pub body_html: String,
    #[diesel(deserialize_as = LongText)]
    pub body_text: String,
    pub cover_image_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    #[diesel(deserialize_as = IdList)]
    pub author_ids: Vec<Uuid>,
    #[diesel(deserialize_as = IdList)]
    pub tag_ids: Vec<Uuid>,
    pub status: String,
    pub published_at: Option<DateTime<Utc>>,
    pub featured: bool,
    pub kind: String,
    pub source: Option<String>,
    pub locale: String,
    pub translation_of: Option<Uuid>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub canonical_url: Option<String>,
    pub word_count: i32,
    pub reading_time_minutes: i32,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub deleted_at: Option<DateTime<Utc>>,
    #[diesel(deserialize_as = IdList)]
    pub body_image_ids: Vec<Uuid>,
    pub unpublish_at: Option<DateTime<Utc>>,
}

impl Article {
    pub fn timing(&self) -> Timing<'_> {
        Timing {
            status: &self.status,
            published_at: self.published_at,
            unpublish_at: self.unpublish_at,
            trashed: self.deleted_at.is_some(),
        }
    }
}

/// Every column but the three bodies: what lists read unless `fields` asks for a body.
/// Hand-written SQL selects it with [`SUMMARY_COLUMNS`].
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = articles, check_for_backend(diesel::pg::Pg))]
pub struct ArticleSummary {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub excerpt: String,
    pub cover_image_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    #[diesel(deserialize_as = IdList)]
    pub author_ids: Vec<Uuid>,
    #[diesel(deserialize_as = IdList)]
    pub tag_ids: Vec<Uuid>,
    pub status: String,
    pub published_at: Option<DateTime<Utc>>,
    pub unpublish_at: Option<DateTime<Utc>>,
    pub featured: bool,
    pub kind: String,
    pub source: Option<String>,
    pub locale: String,
    pub translation_of: Option<Uuid>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub canonical_url: Option<String>,
    pub word_count: i32,
    pub reading_time_minutes: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl ArticleSummary {
    /// What decides the status readers see (a summary does not say whether it is in the trash).
    pub fn timing(&self) -> Timing<'_> {
        Timing {
            status: &self.status,
            published_at: self.published_at,
            unpublish_at: self.unpublish_at,
            trashed: false,
        }
    }
}

/// The columns of [`ArticleSummary`] of an `articles` row aliased `a`, for hand-written SQL.
pub const SUMMARY_COLUMNS: &str = "a.id, a.slug, a.title, a.subtitle, a.excerpt, a.cover_image_id, \
    a.category_id, a.author_ids, a.tag_ids, a.status, a.published_at, a.unpublish_at, a.featured, a.kind, a.source, \
    a.locale, a.translation_of, a.meta_title, a.meta_description, a.canonical_url, a.word_count, \
    a.reading_time_minutes, a.created_at, a.updated_at, a.version";

impl From<Article> for ArticleSummary {
    fn from(a: Article) -> Self {
        Self {
            id: a.id,
            slug: a.slug,
            title: a.title,
            subtitle: a.subtitle,
            excerpt: a.excerpt,
            cover_image_id: a.cover_image_id,
            category_id: a.category_id,
            author_ids: a.author_ids,
            tag_ids: a.tag_ids,
            status: a.status,
            published_at: a.published_at,
            unpublish_at: a.unpublish_at,
            featured: a.featured,
            kind: a.kind,
            source: a.source,
            locale: a.locale,
            translation_of: a.translation_of,
            meta_title: a.meta_title,
            meta_description: a.meta_description,
            canonical_url: a.canonical_url,
            word_count: a.word_count,
            reading_time_minutes: a.reading_time_minutes,
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version,
        }
    }
}

/// The editable content of an article: what a revision keeps and a restore puts back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Insertable, AsChangeset, ToSchema)]
// `None` is written as NULL (every such column's default) rather than DEFAULT, so an insert's
// text is the same for every article and PostgreSQL prepares it once per connection.
#[diesel(
    table_name = articles,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub struct Content {
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub excerpt: String,
    pub excerpt_is_custom: bool,
    pub body: String,
    pub body_html: String,
    pub body_text: String,
    /// The images the body shows, in order.
    #[serde(default)]
    pub body_image_ids: Vec<Uuid>,
    pub cover_image_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub author_ids: Vec<Uuid>,
    pub tag_ids: Vec<Uuid>,
    pub featured: bool,
    pub kind: String,
    pub source: Option<String>,
    pub locale: String,
    pub translation_of: Option<Uuid>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub canonical_url: Option<String>,
    pub word_count: i32,
    pub reading_time_minutes: i32,
}

impl From<&Article> for Content {
    fn from(a: &Article) -> Self {
        Self {
            slug: a.slug.clone(),
            title: a.title.clone(),
            subtitle: a.subtitle.clone(),
            excerpt: a.excerpt.clone(),
            excerpt_is_custom: a.excerpt_is_custom,
            body: a.body.clone(),
            body_html: a.body_html.clone(),
            body_text: a.body_text.clone(),
            body_image_ids: a.body_image_ids.clone(),
            cover_image_id: a.cover_image_id,
            category_id: a.category_id,
            author_ids: a.author_ids.clone(),
            tag_ids: a.tag_ids.clone(),
            featured: a.featured,
            kind: a.kind.clone(),
            source: a.source.clone(),
            locale: a.locale.clone(),
            translation_of: a.translation_of,
            meta_title: a.meta_title.clone(),
            meta_description: a.meta_description.clone(),
            canonical_url: a.canonical_url.clone(),
            word_count: a.word_count,
            reading_time_minutes: a.reading_time_minutes,
        }
    }
}

/// What writing the next revision needs of the last one (its content stays unread).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = article_revisions, check_for_backend(diesel::pg::Pg))]
pub struct RevisionMark {
    pub id: Uuid,
    pub number: i32,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = article_revisions, check_for_backend(diesel::pg::Pg))]
pub struct Revision {
    pub id: Uuid,
    pub article_id: Uuid,
    pub number: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    pub content: serde_json::Value,
}
