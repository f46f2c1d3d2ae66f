use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, patch, post, web};
use base64::Engine;
use chrono::Utc;
use diesel::Connection;
use uuid::Uuid;

use crate::{
    auth::{AuthUser, min},
    db,
    error::{ApiError, Fields},
    etag::IfMatch,
    extract::Json,
    openapi::{Conflict, NotFound, PreconditionFailed, Restricted, WithBody},
    pagination::{List, Page, PageParams},
    state::AppState,
    webhooks::{
        dto::{self, CreateWebhook, DeliveryView, UpdateWebhook, WebhookView, WebhookWithSecret},
        events,
        model::{Delivery, Webhook, WebhookChanges},
        payload, queries,
    },
};

/// `whsec_` and 32 random bytes in base64, the form the Standard Webhooks libraries read.
fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

fn not_found_or(error: diesel::result::Error, id: Uuid) -> ApiError {
    match error {
        diesel::result::Error::NotFound => ApiError::NotFound(format!("no webhook has id {id}")),
        other => other.into(),
    }
}

/// List webhooks.
///
/// Admins only. Hooks show their URL, events and state, never their secret.
#[utoipa::path(
    tag = "webhooks",
    params(PageParams),
    responses(
        (status = 200, description = "A page of hooks", body = List<WebhookView>),
        Restricted,
    ),
    security(("bearer" = [])),
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    _admin: AuthUser<min::Admin>,
    state: web::Data<AppState>,
    params: web::Query<PageParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let page = Page::try_from(&*params)?;
    let (rows, total) = db::run(&state.pool, move |conn| Ok(queries::list(conn, page)?)).await?;
    let views = rows.into_iter().map(WebhookView::from).collect();
    Ok(List::new(views, page, total).respond(&req))
}

/// Create a webhook.
///
/// Admins only. Its signing secret is in this answer only. Nothing is contacted: the URL is checked
/// against `MASTHEAD_OUTBOUND` as written, and again after DNS at every call.
#[utoipa::path(
    tag = "webhooks",
    request_body = CreateWebhook,
    responses(
        (status = 201, description = "The hook, with its secret", body = WebhookWithSecret,
            headers(("Location" = String, description = "The new hook's URL"))),
        Restricted, WithBody,
    ),
    security(("bearer" = [])),
)]
#[post("/webhooks")]
pub async fn create_webhook(
    admin: AuthUser<min::Admin>,
    state: web::Data<AppState>,
    Json(body): Json<CreateWebhook>,
) -> Result<HttpResponse, ApiError> {
    let (url, events, description, headers) = (
        dto::url(&state.config.outbound, &body.url),
        dto::event_patterns(&body.events),
        dto::description(body.description.as_deref()),
        dto::headers(body.headers.as_ref()),
    )
        .parsed()?;
    let now = Utc::now();
    let hook = Webhook {
        id: Uuid::now_v7(),
        url,
        events: events.into_iter().map(Some).collect(),
        description,
        active: body.active.unwrap_or(true),
        headers,
        secret: new_secret(),
        consecutive_failures: 0,
        disabled_reason: None,
        created_by: Some(admin.id),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let stored = db::run(&state.pool, move |conn| Ok(queries::insert(conn, &hook)?)).await?;
    let secret = stored.secret.clone();
    let view = WebhookWithSecret {
        webhook: WebhookView::from(stored),
        secret,
    };
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/webhooks/{}", view.webhook.id),
        ))
        .json(view))
}

/// Read one webhook.
///
/// Admins only. The secret is never shown again.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The hook's id")),
    responses(
        (status = 200, description = "The hook", body = WebhookView),
        Restricted, NotFound,
    ),
    security(("bearer" = [])),
)]
#[get("/webhooks/{id}")]
pub async fn find_webhook(
    _admin: AuthUser<min::Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let hook = db::run(&state.pool, move |conn| {
        queries::find(conn, id).map_err(|e| not_found_or(e, id))
    })
    .await?;
    Ok(HttpResponse::Ok().json(WebhookView::from(hook)))
}

/// Change a webhook.
///
/// Admins only. Re-enabling a hook that Masthead turned off clears why and its failures; deliveries
/// still pending are then sent.
#[utoipa::path(
    tag = "webhooks",
    params(
        ("id" = Uuid, Path, description = "The hook's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gives 412"),
    ),
    request_body = UpdateWebhook,
    responses(
        (status = 200, description = "The changed hook", body = WebhookView),
        Restricted, NotFound, PreconditionFailed, WithBody,
    ),
    security(("bearer" = [])),
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    _admin: AuthUser<min::Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<UpdateWebhook>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let outbound = &state.config.outbound;
    let (url, events, description, headers) = (
        body.url
            .as_deref()
            .map(|u| dto::url(outbound, u))
            .transpose(),
        body.events.as_deref().map(dto::event_patterns).transpose(),
        body.description
            .as_deref()
            .map(|d| dto::description(Some(d)))
            .transpose(),
        body.headers
            .as_ref()
            .map(|h| dto::headers(Some(h)))
            .transpose(),
    )
        .parsed()?;
    let enabling = body.active == Some(true);
    let changes = WebhookChanges {
        url,
        events,
        description,
        active: body.active,
        headers,
        secret: None,
        disabled_reason: enabling.then_some(None),
        consecutive_failures: enabling.then_some(0),
    };
    let hook = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = queries::find_for_update(conn, id).map_err(|e| not_found_or(e, id))?;
            if_match.check(&WebhookView::from(current))?;
            Ok(queries::update(conn, id, &changes)?)
        })
    })
    .await?;
    state.changes.raise();
    Ok(HttpResponse::Ok().json(WebhookView::from(hook)))
}

/// Delete a webhook.
///
/// Admins only. Its delivery log goes with it.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The hook's id")),
    responses(
        (status = 204, description = "Deleted"),
        Restricted, NotFound,
    ),
    security(("bearer" = [])),
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    _admin: AuthUser<min::Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    match db::run(&state.pool, move |conn| Ok(queries::delete(conn, id)?)).await? {
        0 => Err(ApiError::NotFound(format!("no webhook has id {id}"))),
        _ => Ok(HttpResponse::NoContent().finish()),
    }
}

/// Replace a webhook's signing secret.
///
/// Admins only. The new secret is in this answer only, and signs every call from now on (retries of
/// earlier events included).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The hook's id")),
    responses(
        (status = 200, description = "The hook, with its new secret", body = WebhookWithSecret),
        Restricted, NotFound,
    ),
    security(("bearer" = [])),
)]
#[post("/webhooks/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    _admin: AuthUser<min::Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let changes = WebhookChanges {
        secret: Some(new_secret()),
        ..WebhookChanges::default()
    };
    let hook = db::run(&state.pool, move |conn| {
        queries::update(conn, id, &changes).map_err(|e| not_found_or(e, id))
    })
    .await?;
    let secret = hook.secret.clone();
    Ok(HttpResponse::Ok().json(WebhookWithSecret {
        webhook: WebhookView::from(hook),
        secret,
    }))
}

/// List a webhook's deliveries, newest first.
///
/// Admins only. Each delivery shows every attempt made: when, how long, the receiver's status and
/// the start of its answer.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The hook's id"), PageParams),
    responses(
        (status = 200, description = "A page of deliveries", body = List<DeliveryView>),
        Restricted, NotFound,
    ),
    security(("bearer" = [])),
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    _admin: AuthUser<min::Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    params: web::Query<PageParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let page = Page::try_from(&*params)?;
    let (rows, total) = db::run(&state.pool, move |conn| {
        queries::find(conn, id).map_err(|e| not_found_or(e, id))?;
        Ok(queries::deliveries(conn, id, page)?)
    })
    .await?;
    let views = rows
        .into_iter()
        .map(|(delivery, attempts)| DeliveryView::new(delivery, attempts))
        .collect();
    Ok(List::new(views, page, total).respond(&req))
}

/// Send a delivery again now.
///
/// Admins only. The same body goes under the same `webhook-id`, as a new attempt.
#[utoipa::path(
    tag = "webhooks",
    params(
        ("id" = Uuid, Path, description = "The hook's id"),
        ("delivery_id" = Uuid, Path, description = "The delivery's id"),
    ),
    responses(
        (status = 202, description = "Queued; the worker sends it at once", body = DeliveryView),
        Restricted, NotFound, Conflict,
    ),
    security(("bearer" = [])),
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver_webhook_delivery(
    _admin: AuthUser<min::Admin>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (hook, id) = path.into_inner();
    let now = state.clock.now();
    let delivery = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = queries::find_delivery(conn, hook, id).map_err(|e| match e {
                diesel::result::Error::NotFound => {
                    ApiError::NotFound(format!("webhook {hook} has no delivery {id}"))
                }
                other => other.into(),
            })?;
            if current.leased_until.is_some_and(|until| until > now) {
                return Err(ApiError::Conflict(
                    "this delivery is being sent right now".into(),
                ));
            }
            Ok(queries::redeliver(conn, id, now)?)
        })
    })
    .await?;
    state.changes.raise();
    Ok(HttpResponse::Accepted().json(DeliveryView::new(delivery, Vec::new())))
}

/// Send a `ping` event to a webhook now.
///
/// Admins only. It checks the hook's URL, signature check and headers; the result shows in its
/// deliveries.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The hook's id")),
    responses(
        (status = 202, description = "Queued; the worker sends it at once", body = DeliveryView),
        Restricted, NotFound,
    ),
    security(("bearer" = [])),
)]
#[post("/webhooks/{id}/ping")]
pub async fn ping_webhook(
    _admin: AuthUser<min::Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let now = state.clock.now();
    let delivery = db::run(&state.pool, move |conn| {
        queries::find(conn, id).map_err(|e| not_found_or(e, id))?;
        let delivery = Delivery::pending(
            id,
            events::PING.to_owned(),
            None,
            payload::ping(id, now),
            now,
        );
        queries::insert_deliveries(conn, std::slice::from_ref(&delivery))?;
        Ok(delivery)
    })
    .await?;
    state.changes.raise();
    Ok(HttpResponse::Accepted().json(DeliveryView::new(delivery, Vec::new())))
}
