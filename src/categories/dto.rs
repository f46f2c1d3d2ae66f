//! Categories on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{categories::model::Category, extract::nullable};

/// A section of the site; sections nest through `parent`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryView {
    /// The category's id.
    #[schema(example = "01936f6e-8d1c-7a4b-9f0e-2b1c3d4e5f62")]
    pub id: Uuid,
    /// Unique among categories; `/categories/{slug}` reads the category too.
    #[schema(example = "yi-liao-wei-sheng")]
    pub slug: String,
    /// The section's name as shown in navigation.
    #[schema(example = "医疗卫生")]
    pub name: String,
    /// Plain text; empty when there is none.
    #[schema(example = "医院、医保与公共卫生报道。")]
    pub description: String,
    /// The category this one is a subcategory of.
    pub parent: Option<Uuid>,
    /// Lists sort by position, then name.
    #[schema(example = 0)]
    pub position: i32,
    /// Live articles in this category (not counting subcategories): published, their time
    /// come, not in the trash.
    #[schema(example = 128)]
    pub article_count: i64,
    /// When the category was created.
    pub created_at: DateTime<Utc>,
    /// When the category last changed.
    pub updated_at: DateTime<Utc>,
    /// Increases with every change.
    #[schema(example = 1)]
    pub version: i32,
}

impl CategoryView {
    pub fn new(category: Category, article_count: i64) -> Self {
        Self {
            id: category.id,
            slug: category.slug,
            name: category.name,
            description: category.description,
            parent: category.parent_id,
            position: category.position,
            article_count,
            created_at: category.created_at,
            updated_at: category.updated_at,
            version: category.version,
        }
    }
}

/// A new category.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCategory {
    /// 1 to 100 characters of plain text on one line.
    #[schema(
        example = "医疗卫生",
        max_length = 100,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?![\s\S]*<[A-Za-z/!?])[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub name: String,
    /// Made from the name (Chinese in pinyin) when omitted; a taken one gets `-2`, `-3`, ….
    #[schema(
        example = "yi-liao-wei-sheng",
        min_length = 1,
        max_length = 80,
        pattern = r#"^(?![0-9a-f]{32}$)(?![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)[a-z0-9]+(?:-[a-z0-9]+)*$"#
    )]
    pub slug: Option<String>,
    /// At most 5000 characters of plain text.
    #[schema(
        example = "医院、医保与公共卫生报道。",
        max_length = 5000,
        pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#
    )]
    pub description: Option<String>,
    /// The id of the category to nest this one under.
    pub parent: Option<Uuid>,
    /// 0 when omitted; lists sort by position, then name.
    #[schema(example = 0)]
    pub position: Option<i32>,
}

/// The fields to change; absent fields stay as they are, `null` clears `parent`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCategory {
    /// 1 to 100 characters of plain text on one line.
    #[schema(
        example = "医疗卫生",
        max_length = 100,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?![\s\S]*<[A-Za-z/!?])[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub name: Option<String>,
    /// A new slug. Changing the name keeps the slug unless this is given.
    #[schema(
        example = "yi-liao-wei-sheng",
        min_length = 1,
        max_length = 80,
        pattern = r#"^(?![0-9a-f]{32}$)(?![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)[a-z0-9]+(?:-[a-z0-9]+)*$"#
    )]
    pub slug: Option<String>,
    /// At most 5000 characters of plain text.
    #[schema(
        example = "医院、医保与公共卫生报道。",
        max_length = 5000,
        pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#
    )]
    pub description: Option<String>,
    /// A new parent; `null` makes it a top-level category. Neither the category itself nor one
    /// of its subcategories may become its parent.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub parent: Option<Option<Uuid>>,
    /// Lists sort by position, then name.
    #[schema(example = 1)]
    pub position: Option<i32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CategoryFilter {
    /// Only the direct subcategories of this category (an id or slug).
    #[param(example = "yi-liao-wei-sheng")]
    pub parent: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteCategoryParams {
    /// A category (id or slug) to move this category's articles to, in the same transaction.
    /// Without it, a category that still has articles cannot be deleted (409).
    #[param(example = "she-hui")]
    pub move_to: Option<String>,
}
