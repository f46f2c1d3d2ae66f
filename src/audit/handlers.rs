use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::DateTime;
use uuid::Uuid;

use crate::{
    audit::{
        dto::{AuditEntry, AuditParams},
        queries::{self, Filters, Position},
    },
    auth::{AuthUser, min},
    db,
    error::ApiError,
    openapi::Restricted,
    pagination::{List, Page, PageParams},
    state::AppState,
};

const ACTOR_TYPES: [&str; 4] = ["user", "api_key", "system", "anonymous"];

fn actor_filter(value: &str) -> Result<(Option<String>, Option<Uuid>), ApiError> {
    let bad = || {
        ApiError::BadRequest(
            "actor: use user:<id>, api_key:<id>, system, anonymous, or an account's id".into(),
        )
    };
    if let Ok(id) = value.parse::<Uuid>() {
        return Ok((Some("user".into()), Some(id)));
    }
    match value.split_once(':') {
        Some((kind @ ("user" | "api_key"), id)) => {
            Ok((Some(kind.into()), Some(id.parse().map_err(|_| bad())?)))
        }
        None if ACTOR_TYPES.contains(&value) => Ok((Some(value.into()), None)),
        _ => Err(bad()),
    }
}

fn resource_filter(value: &str) -> Result<(Option<String>, Option<Uuid>), ApiError> {
    let bad = || ApiError::BadRequest("resource: use kind:<id> (article:<id>) or a kind".into());
    let (kind, id) = match value.split_once(':') {
        Some((kind, id)) => (kind, Some(id.parse::<Uuid>().map_err(|_| bad())?)),
        None => (value, None),
    };
    if crate::webhooks::events::RESOURCES.contains(&kind) {
        Ok((Some(kind.into()), id))
    } else {
        Err(bad())
    }
}

fn encode_cursor(entry: &AuditEntry) -> String {
    format!("{}~{}", entry.at.timestamp_micros(), entry.id)
}

fn decode_cursor(value: &str) -> Result<Position, ApiError> {
    let bad =
        || ApiError::BadRequest("after: not a cursor of this list; use meta.next_cursor".into());
    let (micros, id) = value.split_once('~').ok_or_else(bad)?;
    let (source, id) = id.split_once(':').ok_or_else(bad)?;
    if !matches!(source, "change" | "sign_in") {
        return Err(bad());
    }
    Ok(Position {
        at: DateTime::from_timestamp_micros(micros.parse().map_err(|_| bad())?).ok_or_else(bad)?,
        source: source.into(),
        id: id.parse().map_err(|_| bad())?,
    })
}

/// Read the audit trail, newest first.
///
/// Admins only. Every change with who made it and the fields it changed, and every sign-in (failed
/// ones too) and refresh-token reuse. Read-only; kept for `MASTHEAD_CHANGE_LOG_RETENTION_DAYS`
/// (changes) and `MASTHEAD_AUDIT_RETENTION_DAYS` (sign-ins).
#[utoipa::path(
    tag = "audit",
    params(AuditParams),
    responses(
        (status = 200, description = "A page of entries; `meta.next_cursor` leads on", body = List<AuditEntry>),
        Restricted,
    ),
    security(("bearer" = [])),
)]
#[get("/audit")]
pub async fn list_audit(
    _admin: AuthUser<min::Admin>,
    state: web::Data<AppState>,
    params: web::Query<AuditParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    // Pages come by cursor; the page rules (per_page bounds) are the shared ones.
    let page = Page::try_from(&PageParams {
        page: None,
        per_page: params.per_page,
    })?;
    let per_page = page.per_page;
    let (actor_type, actor_id) = params
        .actor
        .as_deref()
        .map(actor_filter)
        .transpose()?
        .unwrap_or_default();
    let (resource, resource_id) = params
        .resource
        .as_deref()
        .map(resource_filter)
        .transpose()?
        .unwrap_or_default();
    if params.action.as_deref().is_some_and(|a| a.contains('\0')) {
        return Err(ApiError::BadRequest("action: must not contain NUL".into()));
    }
    let filters = Filters {
        actor_type,
        actor_id,
        resource,
        resource_id,
        action: params.action.clone(),
        since: params.since,
        until: params.until,
    };
    let after = params.after.as_deref().map(decode_cursor).transpose()?;
    let (rows, total) = db::run(&state.pool, move |conn| {
        Ok(queries::list(conn, &filters, after.as_ref(), per_page + 1)?)
    })
    .await?;
    let mut entries: Vec<AuditEntry> = rows.into_iter().map(AuditEntry::from).collect();
    let more = entries.len() > usize::try_from(per_page).unwrap_or(usize::MAX);
    entries.truncate(usize::try_from(per_page).unwrap_or(usize::MAX));
    let next = more.then(|| entries.last().map(encode_cursor)).flatten();
    Ok(List::new(entries, page, total)
        .with_cursor(next)
        .respond(&req))
}
