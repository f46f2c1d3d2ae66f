//! Sign-in requests and responses on the wire.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::users::dto::UserView;

/// The first admin, or a reader signing up.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUp {
    /// An email address, unique among accounts (any case); kept in lower case.
    #[schema(
        example = "admin@example.com",
        max_length = 254,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^@\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+@[^@.\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^@\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*\.[^@\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^@.\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub email: String,
    /// 10 to 256 characters.
    #[schema(example = "a long passphrase", min_length = 10, max_length = 256)]
    pub password: String,
    /// 1 to 100 characters on one line.
    #[schema(
        example = "管理员",
        max_length = 100,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    #[schema(example = "admin@example.com")]
    pub email: String,
    #[schema(example = "a long passphrase")]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token of the last pair; it can be used once.
    pub refresh_token: String,
}

/// Changes to the caller's own account. A new password needs the current one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    /// 1 to 100 characters on one line.
    #[schema(
        example = "王编辑",
        max_length = 100,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub name: Option<String>,
    /// 10 to 256 characters. Signs out every other session.
    #[schema(min_length = 10, max_length = 256)]
    pub password: Option<String>,
    /// Required with `password`.
    pub current_password: Option<String>,
}

/// A new token pair.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// A JWT for `Authorization: Bearer …`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
    /// Trade it at `POST /api/v1/auth/refresh` for a new pair; it works once.
    pub refresh_token: String,
    pub user: UserView,
}
