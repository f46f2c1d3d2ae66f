//! Authors on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{authors::model::Author, extract::nullable};

/// A byline: a person or a desk, optionally linked to an account.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorView {
    /// The author's id.
    #[schema(example = "01936f6e-8d1c-7a4b-9f0e-2b1c3d4e5f61")]
    pub id: Uuid,
    /// Unique among authors; `/authors/{slug}` reads the author too.
    #[schema(example = "chao-lu-men")]
    pub slug: String,
    /// The byline as printed.
    #[schema(example = "朝鲁门")]
    pub name: String,
    /// Plain text; empty when there is none.
    #[schema(example = "通辽日报记者，长期关注民生与社会保障。")]
    pub bio: String,
    /// An image id.
    pub avatar: Option<Uuid>,
    /// The author's own site.
    #[schema(example = "https://www.tongliaowang.com")]
    pub website: Option<String>,
    /// The account whose articles carry this byline by default.
    pub user_id: Option<Uuid>,
    /// Live articles with this author: published, their time come, not in the trash.
    #[schema(example = 42)]
    pub article_count: i64,
    /// When the author was created.
    pub created_at: DateTime<Utc>,
    /// When the author last changed.
    pub updated_at: DateTime<Utc>,
    /// Increases with every change.
    #[schema(example = 1)]
    pub version: i32,
}

impl AuthorView {
    pub fn new(author: Author, article_count: i64) -> Self {
        Self {
            id: author.id,
            slug: author.slug,
            name: author.name,
            bio: author.bio,
            avatar: author.avatar_id,
            website: author.website,
            user_id: author.user_id,
            article_count,
            created_at: author.created_at,
            updated_at: author.updated_at,
            version: author.version,
        }
    }
}

/// A new author.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAuthor {
    /// 1 to 100 characters of plain text on one line.
    #[schema(
        example = "朝鲁门",
        max_length = 100,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?![\s\S]*<[A-Za-z/!?])[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub name: String,
    /// Made from the name (Chinese in pinyin) when omitted; a taken one gets `-2`, `-3`, ….
    #[schema(
        example = "chao-lu-men",
        min_length = 1,
        max_length = 80,
        pattern = r#"^(?![0-9a-f]{32}$)(?![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)[a-z0-9]+(?:-[a-z0-9]+)*$"#
    )]
    pub slug: Option<String>,
    /// At most 5000 characters of plain text.
    #[schema(
        example = "通辽日报记者，长期关注民生与社会保障。",
        max_length = 5000,
        pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#
    )]
    pub bio: Option<String>,
    /// An image id.
    pub avatar: Option<Uuid>,
    /// An `http` or `https` URL; `""` for none.
    #[schema(
        example = "https://www.tongliaowang.com",
        max_length = 2000,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?:[Hh][Tt][Tt][Pp][Ss]?://(?:[^/?#<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*@)?[^/?#@:.<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^/?#@:<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^/?#@:.<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?(?::[^/?#<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?(?:[/?#][^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000<>"]*)?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?$"#
    )]
    pub website: Option<String>,
    /// An account to link; each account has at most one author profile.
    pub user_id: Option<Uuid>,
}

/// The fields to change; absent fields stay as they are, `null` clears a nullable one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAuthor {
    /// 1 to 100 characters of plain text on one line.
    #[schema(
        example = "朝鲁门",
        max_length = 100,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?![\s\S]*<[A-Za-z/!?])[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub name: Option<String>,
    /// A new slug. Changing the name keeps the slug unless this is given.
    #[schema(
        example = "chao-lu-men",
        min_length = 1,
        max_length = 80,
        pattern = r#"^(?![0-9a-f]{32}$)(?![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)[a-z0-9]+(?:-[a-z0-9]+)*$"#
    )]
    pub slug: Option<String>,
    /// At most 5000 characters of plain text.
    #[schema(
        example = "通辽日报首席记者。",
        max_length = 5000,
        pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#
    )]
    pub bio: Option<String>,
    /// An image id; `null` removes the avatar.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub avatar: Option<Option<Uuid>>,
    /// An `http` or `https` URL; `null` or `""` removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(
        value_type = Option<String>,
        example = "https://www.tongliaowang.com",
        max_length = 2000,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?:[Hh][Tt][Tt][Pp][Ss]?://(?:[^/?#<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*@)?[^/?#@:.<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^/?#@:<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^/?#@:.<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?(?::[^/?#<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?(?:[/?#][^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000<>"]*)?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?$"#
    )]
    pub website: Option<Option<String>>,
    /// An account to link, or `null` to unlink the account.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub user_id: Option<Option<Uuid>>,
}
