use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::audit::queries::Entry;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Who acted: `user:<id>`, `api_key:<id>`, `system`, `anonymous`, or an account's id; or
    /// a kind alone (`user`, `api_key`).
    #[param(
        example = "system",
        pattern = r#"^(?:user|api_key|system|anonymous|(?:(?:user|api_key):)?(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}|urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}))$"#
    )]
    pub actor: Option<String>,
    /// What was acted on: `article:<id>`, or a kind such as `article`.
    #[param(
        example = "article:0192f3a4-b5c6-7d8e-9f0a-1b2c3d4e5f60",
        pattern = r#"^(?:article|author|category|tag|image|carousel|slide|link|recommendation|site|user|api_key|webhook)(?::(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}|urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}))?$"#
    )]
    pub resource: Option<String>,
    /// What was done: `created`, `updated`, `deleted`, `published`, `unpublished`, `trashed`,
    /// `role_changed`, `revoked`, `sign_in`, `sign_in_failed`, `refresh_token_reused`, ….
    #[param(example = "unpublished")]
    pub action: Option<String>,
    /// Entries at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Entries before this time.
    pub until: Option<DateTime<Utc>>,
    /// `meta.next_cursor` of the previous page.
    #[param(pattern = r#"^[+-]?[0-9]{1,18}~(?:change|sign_in):[+-]?[0-9]{1,18}$"#)]
    pub after: Option<String>,
    /// Entries per page, 1 to 100.
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<i64>,
}

/// Who did it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditActor {
    /// `user`, `api_key`, `system` (Masthead's own jobs) or `anonymous`.
    #[serde(rename = "type")]
    #[schema(example = "user")]
    pub kind: String,
    pub id: Option<Uuid>,
}

/// One entry of the trail: a change, or a sign-in.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    /// `change:<n>` or `sign_in:<n>`.
    #[schema(example = "change:1042")]
    pub id: String,
    /// The change's place in commit order (changes only).
    pub seq: Option<i64>,
    pub at: DateTime<Utc>,
    pub actor: AuditActor,
    /// The kind of resource (`article`, `user`, …).
    #[schema(example = "article")]
    pub resource: Option<String>,
    pub resource_id: Option<Uuid>,
    #[schema(example = "unpublished")]
    pub action: String,
    /// The changed fields, `{"field": {"before": …, "after": …}}`; secrets show only
    /// `{"redacted": true}`.
    #[schema(value_type = Option<Object>)]
    pub changes: Option<Value>,
    /// Sign-ins: the email given.
    pub email: Option<String>,
    /// Sign-ins: the client's address.
    pub address: Option<String>,
    /// Sign-ins: the client's `User-Agent`.
    pub user_agent: Option<String>,
}

impl From<Entry> for AuditEntry {
    fn from(entry: Entry) -> Self {
        Self {
            id: format!("{}:{}", entry.source, entry.id),
            seq: entry.seq,
            at: entry.at,
            actor: AuditActor {
                kind: entry.actor_type,
                id: entry.actor_id,
            },
            resource: entry.resource,
            resource_id: entry.resource_id,
            action: entry.action,
            changes: entry.changes,
            email: entry.email,
            address: entry.address,
            user_agent: entry.user_agent,
        }
    }
}
