//! Auth requests and responses on the wire.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::users::dto::UserView;

/// The first admin, or a reader signing up.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SignUp {
    #[schema(example = "admin@example.com")]
    pub email: String,
    /// At least 10 characters.
    #[schema(example = "a long passphrase")]
    pub password: String,
    #[schema(example = "管理员")]
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Login {
    #[schema(example = "admin@example.com")]
    pub email: String,
    #[schema(example = "a long passphrase")]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    /// The refresh token of the last pair; it can be used once.
    pub refresh_token: String,
}

/// Changes to the caller's own account. A new password needs the current one.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateMe {
    #[schema(example = "王编辑")]
    pub name: Option<String>,
    /// At least 10 characters. Signs out every other session.
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
