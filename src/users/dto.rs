//! Users on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{auth::Role, users::model::User};

/// An account. Its password hash is never shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    #[schema(example = "01936f6e-8d1c-7a4b-9f0e-2b1c3d4e5f60")]
    pub id: Uuid,
    #[schema(example = "editor@example.com")]
    pub email: String,
    #[schema(example = "王编辑")]
    pub name: String,
    pub role: Role,
    /// `false` once deactivated: the account cannot sign in and its tokens stop working.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases with every change.
    pub version: i32,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        Self {
            role: user.role(),
            id: user.id,
            email: user.email,
            name: user.name,
            active: user.active,
            created_at: user.created_at,
            updated_at: user.updated_at,
            version: user.version,
        }
    }
}

/// A new account, created by an admin.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// An email address, unique among accounts (any case); kept in lower case.
    #[schema(
        example = "editor@example.com",
        max_length = 254,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^@\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+@[^@.\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^@\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*\.[^@\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^@.\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub email: String,
    /// 10 to 256 characters.
    #[schema(example = "a long passphrase", min_length = 10, max_length = 256)]
    pub password: String,
    /// 1 to 100 characters on one line.
    #[schema(
        example = "王编辑",
        min_length = 1,
        max_length = 100,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub name: String,
    // Read as text and checked with the other fields, so that a role that does not exist is
    // named in the same 422 as every other mistake.
    #[schema(value_type = Role)]
    pub role: String,
}

/// The fields to change; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    /// 1 to 100 characters on one line.
    #[schema(
        example = "王主编",
        max_length = 100,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub name: Option<String>,
    pub role: Option<Role>,
    /// `false` deactivates the account at once; `true` reactivates it.
    pub active: Option<bool>,
}
