use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api_keys::queries::ApiKey;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Reads published content only (for frontends when `MASTHEAD_PUBLIC_READ=false`).
    Content,
    /// Acts with admin rights, as the admin who created it.
    Admin,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Content => "content",
            Self::Admin => "admin",
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    /// What the key is for, to tell keys apart: 1 to 100 characters.
    #[schema(
        example = "Next.js frontend",
        max_length = 100,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"#
    )]
    pub name: String,
    pub scope: Scope,
}

/// A key as listed: never its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: Uuid,
    #[schema(example = "Next.js frontend")]
    pub name: String,
    pub scope: Scope,
    /// The key's first characters, to recognise it.
    #[schema(example = "mh_Xk3p9")]
    pub prefix: String,
    /// The admin the key acts as.
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// A new key, with its secret. The secret is shown only here and stored only as a hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewApiKeyView {
    #[serde(flatten)]
    pub key_info: ApiKeyView,
    /// Send as `Authorization: Bearer <key>`. Shown once.
    #[schema(example = "mh_Xk3p9wL2mQ8rT5vY7zA1bC4dE6fG0hJ2kL4nP6sU8")]
    pub key: String,
}

impl From<ApiKey> for ApiKeyView {
    fn from(key: ApiKey) -> Self {
        Self {
            id: key.id,
            name: key.name,
            scope: if key.scope == "admin" {
                Scope::Admin
            } else {
                Scope::Content
            },
            prefix: key.key_prefix,
            created_by: key.created_by,
            created_at: key.created_at,
        }
    }
}
