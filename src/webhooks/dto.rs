use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{
    PartialSchema, ToSchema,
    openapi::{ObjectBuilder, RefOr, Schema, Type},
};
use uuid::Uuid;

use crate::{
    error::{FieldCode, FieldError},
    outbound::Outbound,
    text::fields::too_long,
    webhooks::{
        events::{self, EventPattern},
        model::{Attempt, Delivery, Webhook},
    },
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// Where to send events: an `http` or `https` URL of at most 2048 characters, to an address
    /// `MASTHEAD_OUTBOUND` allows.
    #[schema(
        example = "https://www.example.com/api/revalidate",
        max_length = 2048,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[Hh][Tt][Tt][Pp][Ss]?:"#
    )]
    pub url: String,
    /// The events to receive: names, `resource.*` or `*`.
    #[schema(
        value_type = Vec<EventPattern>,
        example = json!(["article.*", "site.updated"]),
        min_items = 1
    )]
    pub events: Vec<String>,
    /// What the hook is for: at most 500 characters.
    #[schema(example = "Next.js on-demand revalidation", max_length = 500)]
    pub description: Option<String>,
    /// `false` creates the hook switched off. Default `true`.
    pub active: Option<bool>,
    /// Extra headers sent with every call, such as a frontend's revalidation token.
    #[schema(
        value_type = Option<ExtraHeaders>,
        example = json!({"x-revalidate-token": "s3cr3t"})
    )]
    pub headers: Option<BTreeMap<String, String>>,
}

/// The fields to change; absent ones stay as they are. Setting `active: true` on a hook that
/// Masthead turned off also clears `disabled_reason` and its run of failures.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhook {
    /// An `http` or `https` URL of at most 2048 characters, to an address `MASTHEAD_OUTBOUND`
    /// allows.
    #[schema(
        example = "https://www.example.com/api/revalidate",
        max_length = 2048,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[Hh][Tt][Tt][Pp][Ss]?:"#
    )]
    pub url: Option<String>,
    /// The events to receive: names, `resource.*` or `*`.
    #[schema(
        value_type = Option<Vec<EventPattern>>,
        example = json!(["article.published"]),
        min_items = 1
    )]
    pub events: Option<Vec<String>>,
    /// At most 500 characters.
    #[schema(max_length = 500)]
    pub description: Option<String>,
    pub active: Option<bool>,
    /// Replaces every extra header; `{}` removes them all.
    #[schema(value_type = Option<ExtraHeaders>)]
    pub headers: Option<BTreeMap<String, String>>,
}

/// A hook, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: Uuid,
    #[schema(example = "https://www.example.com/api/revalidate")]
    pub url: String,
    #[schema(value_type = Vec<EventPattern>, example = json!(["article.*"]))]
    pub events: Vec<String>,
    pub description: String,
    pub active: bool,
    /// The extra headers sent with every call.
    pub headers: BTreeMap<String, String>,
    /// Why Masthead turned the hook off by itself (`410 Gone`, a day of failures); null
    /// otherwise.
    pub disabled_reason: Option<String>,
    /// Failed attempts since the last success.
    pub consecutive_failures: i32,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[schema(example = 1)]
    pub version: i32,
}

/// A hook with its signing secret, shown only when it is created or rotated.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// Verifies the `webhook-signature` header with any Standard Webhooks library. Shown once.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

impl From<Webhook> for WebhookView {
    fn from(hook: Webhook) -> Self {
        Self {
            headers: hook.extra_headers().into_iter().collect(),
            events: hook.event_patterns(),
            id: hook.id,
            url: hook.url,
            description: hook.description,
            active: hook.active,
            disabled_reason: hook.disabled_reason,
            consecutive_failures: hook.consecutive_failures,
            created_by: hook.created_by,
            created_at: hook.created_at,
            updated_at: hook.updated_at,
            version: hook.version,
        }
    }
}

/// One call made for a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    /// From 1.
    pub number: i32,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i32,
    /// `succeeded` for a `2xx` answer, `failed` otherwise.
    #[schema(example = "failed")]
    pub outcome: String,
    /// The receiver's status code; null when it never answered.
    #[schema(example = 500)]
    pub response_status: Option<i32>,
    /// Why there was no answer (time-out, refused address, connection error).
    pub error: Option<String>,
    /// The first KiB of the answer.
    pub response_body: Option<String>,
}

/// One event sent (or to be sent) to one hook.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: Uuid,
    /// The `webhook-id` header: the same for every attempt and redelivery.
    #[schema(example = "msg_0192f3a4b5c67d8e9f0a1b2c3d4e5f60")]
    pub message_id: String,
    #[schema(example = "article.published")]
    pub event: String,
    /// `pending` (will be tried again at `next_attempt_at`), `succeeded` or `failed`.
    #[schema(example = "pending")]
    pub state: String,
    pub attempts: Vec<AttemptView>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl DeliveryView {
    pub fn new(delivery: Delivery, attempts: Vec<Attempt>) -> Self {
        Self {
            message_id: delivery.message_id(),
            id: delivery.id,
            event: delivery.event,
            state: delivery.state,
            attempts: attempts
                .into_iter()
                .map(|a| AttemptView {
                    number: a.number,
                    started_at: a.started_at,
                    duration_ms: a.duration_ms,
                    outcome: a.outcome,
                    response_status: a.response_status,
                    error: a.error,
                    response_body: a.response_body,
                })
                .collect(),
            next_attempt_at: delivery.next_attempt_at,
            created_at: delivery.created_at,
            finished_at: delivery.finished_at,
        }
    }
}

const MAX_URL_CHARS: usize = 2048;
const MAX_DESCRIPTION_CHARS: usize = 500;
const MAX_HEADERS: usize = 20;
/// Headers Masthead sets itself; a hook may not override them.
const RESERVED_HEADERS: [&str; 9] = [
    "content-type",
    "content-length",
    "host",
    "user-agent",
    "connection",
    "transfer-encoding",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
];

pub fn url(outbound: &Outbound, value: &str) -> Result<String, FieldError> {
    if value.chars().count() > MAX_URL_CHARS {
        return Err(FieldError::new(
            "url",
            FieldCode::TooLong,
            format!("must be at most {MAX_URL_CHARS} characters"),
        ));
    }
    outbound
        .check_url(value.trim())
        .map(|url| url.to_string())
        .map_err(|e| FieldError::new("url", FieldCode::Invalid, e.to_string()))
}

pub fn event_patterns(values: &[String]) -> Result<Vec<String>, FieldError> {
    if values.is_empty() {
        return Err(FieldError::new(
            "events",
            FieldCode::Required,
            "name at least one event, `resource.*` or `*`",
        ));
    }
    let mut patterns: Vec<String> = Vec::new();
    for value in values {
        if !events::is_pattern(value) {
            return Err(FieldError::new(
                "events",
                FieldCode::Invalid,
                format!(
                    "{value:?} is not an event; use a name such as article.published, a resource wildcard such as image.*, or *"
                ),
            ));
        }
        if !patterns.contains(value) {
            patterns.push(value.clone());
        }
    }
    Ok(patterns)
}

pub fn description(value: Option<&str>) -> Result<String, FieldError> {
    let value = value.unwrap_or_default();
    too_long("description", value, MAX_DESCRIPTION_CHARS)?;
    Ok(value.trim().to_owned())
}

/// The extra headers of a hook, as [`headers`] takes them: at most 20, named by HTTP tokens of
/// at most 100 characters (any case) other than the ones Masthead sets, valued by at most 1000
/// printable ASCII characters.
pub struct ExtraHeaders;

impl PartialSchema for ExtraHeaders {
    fn schema() -> RefOr<Schema> {
        let any_case = |name: &str| -> String {
            name.chars()
                .map(|c| match c {
                    'a'..='z' => format!("[{}{c}]", c.to_ascii_uppercase()),
                    other => other.to_string(),
                })
                .collect()
        };
        let reserved: Vec<String> = RESERVED_HEADERS.iter().map(|h| any_case(h)).collect();
        let name = format!(
            "^(?!(?:{})$)[!#$%&'*+.^_`|~0-9A-Za-z-]{{1,100}}$",
            reserved.join("|")
        );
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "Extra headers sent with every call: at most 20, not those Masthead sets itself.",
            ))
            .property_names(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(name)),
            ))
            .additional_properties(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .max_length(Some(1000))
                    .pattern(Some("^[ -~]*$")),
            ))
            .max_properties(Some(MAX_HEADERS))
            .into()
    }
}

impl ToSchema for ExtraHeaders {}

fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

pub fn headers(values: Option<&BTreeMap<String, String>>) -> Result<serde_json::Value, FieldError> {
    let values = values.cloned().unwrap_or_default();
    if values.len() > MAX_HEADERS {
        return Err(FieldError::new(
            "headers",
            FieldCode::TooLong,
            format!("at most {MAX_HEADERS} headers"),
        ));
    }
    let mut headers = serde_json::Map::new();
    for (name, value) in values {
        let lower = name.to_ascii_lowercase();
        if !is_token(&lower) {
            return Err(FieldError::new(
                "headers",
                FieldCode::Invalid,
                format!("{name:?} is not a header name"),
            ));
        }
        if RESERVED_HEADERS.contains(&lower.as_str()) {
            return Err(FieldError::new(
                "headers",
                FieldCode::Invalid,
                format!("{name} is set by Masthead and cannot be replaced"),
            ));
        }
        if value.len() > 1000 || !value.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) {
            return Err(FieldError::new(
                "headers",
                FieldCode::Invalid,
                format!("the value of {name} must be at most 1000 printable ASCII characters"),
            ));
        }
        headers.insert(lower, serde_json::Value::String(value));
    }
    Ok(serde_json::Value::Object(headers))
}
