//! Tags on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::tags::model::Tag;

/// A free keyword.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TagView {
    /// The tag's id.
    #[schema(example = "01936f6e-8d1c-7a4b-9f0e-2b1c3d4e5f63")]
    pub id: Uuid,
    /// Unique among tags; `/tags/{slug}` reads the tag too.
    #[schema(example = "yang-lao")]
    pub slug: String,
    /// The keyword as shown.
    #[schema(example = "养老")]
    pub name: String,
    /// Live articles with this tag: published, their time come, not in the trash.
    #[schema(example = 17)]
    pub article_count: i64,
    /// When the tag was created.
    pub created_at: DateTime<Utc>,
    /// When the tag last changed.
    pub updated_at: DateTime<Utc>,
    /// Increases with every change.
    #[schema(example = 1)]
    pub version: i32,
}

impl TagView {
    pub fn new(tag: Tag, article_count: i64) -> Self {
        Self {
            id: tag.id,
            slug: tag.slug,
            name: tag.name,
            article_count,
            created_at: tag.created_at,
            updated_at: tag.updated_at,
            version: tag.version,
        }
    }
}

/// A new tag.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTag {
    /// 1 to 100 characters of plain text on one line.
    #[schema(
        example = "养老",
        max_length = 100,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?![\s\S]*<[A-Za-z/!?])[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub name: String,
    /// Made from the name (Chinese in pinyin) when omitted; a taken one gets `-2`, `-3`, ….
    #[schema(
        example = "yang-lao",
        min_length = 1,
        max_length = 80,
        pattern = r#"^(?![0-9a-f]{32}$)(?![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)[a-z0-9]+(?:-[a-z0-9]+)*$"#
    )]
    pub slug: Option<String>,
}

/// The fields to change; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTag {
    /// 1 to 100 characters of plain text on one line.
    #[schema(
        example = "养老服务",
        max_length = 100,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?![\s\S]*<[A-Za-z/!?])[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub name: Option<String>,
    /// A new slug. Changing the name keeps the slug unless this is given.
    #[schema(
        example = "yang-lao-fu-wu",
        min_length = 1,
        max_length = 80,
        pattern = r#"^(?![0-9a-f]{32}$)(?![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)[a-z0-9]+(?:-[a-z0-9]+)*$"#
    )]
    pub slug: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TagFilter {
    /// Only tags whose name contains this text (any case); names that start with it come first.
    #[param(example = "养老")]
    pub q: Option<String>,
}
