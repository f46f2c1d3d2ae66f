use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use crate::schema::{webhook_attempts, webhook_deliveries, webhooks};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhooks, check_for_backend(diesel::pg::Pg))]
pub struct Webhook {
    pub id: Uuid,
    pub url: String,
    pub events: Vec<Option<String>>,
    pub description: String,
    pub active: bool,
    pub headers: Value,
    pub secret: String,
    pub consecutive_failures: i32,
    pub disabled_reason: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl Webhook {
    pub fn event_patterns(&self) -> Vec<String> {
        self.events.iter().flatten().cloned().collect()
    }

    /// The extra headers, as name and value.
    pub fn extra_headers(&self) -> Vec<(String, String)> {
        self.headers
            .as_object()
            .map(|headers| {
                headers
                    .iter()
                    .filter_map(|(name, value)| Some((name.clone(), value.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The fields of a hook an admin changes; `None` leaves one as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = webhooks)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub active: Option<bool>,
    pub headers: Option<Value>,
    pub secret: Option<String>,
    /// Re-enabling a hook forgets why it was turned off and its run of failures.
    pub disabled_reason: Option<Option<String>>,
    pub consecutive_failures: Option<i32>,
}

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::pg::Pg))]
pub struct Delivery {
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub event: String,
    pub change_seq: Option<i64>,
    pub body: String,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub leased_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl Delivery {
    /// A delivery due at `now`, not yet tried.
    pub fn pending(
        webhook_id: Uuid,
        event: String,
        change_seq: Option<i64>,
        body: String,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: Uuid::now_v7(),
            webhook_id,
            event,
            change_seq,
            body,
            state: "pending".into(),
            attempts: 0,
            next_attempt_at: Some(now),
            leased_until: None,
            created_at: now,
            finished_at: None,
        }
    }

    /// The `webhook-id` header: the same for every attempt and redelivery of this message.
    pub fn message_id(&self) -> String {
        format!("msg_{}", self.id.simple())
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts, check_for_backend(diesel::pg::Pg))]
pub struct Attempt {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub delivery_id: Uuid,
    pub number: i32,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i32,
    pub outcome: String,
    pub response_status: Option<i32>,
    pub error: Option<String>,
    pub response_body: Option<String>,
}
