use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, post, web};
use chrono::Utc;
use uuid::Uuid;

use crate::{
    api_keys::{
        dto::{ApiKeyView, CreateApiKey, NewApiKeyView},
        queries::{self, ApiKey},
    },
    auth::{AuthUser, min, tokens},
    db,
    error::{ApiError, FieldCode, FieldError, Fields},
    extract::Json,
    openapi::{NotFound, Restricted, WithBody},
    pagination::{List, Page, PageParams},
    state::AppState,
    text::fields::too_long,
};

/// List API keys.
///
/// Admins only. A key shows its prefix, scope and the admin it acts as, never its secret.
#[utoipa::path(
    tag = "api-keys",
    params(PageParams),
    responses(
        (status = 200, description = "A page of keys", body = List<ApiKeyView>),
        Restricted,
    ),
    security(("bearer" = [])),
)]
#[get("/api-keys")]
pub async fn list_api_keys(
    _admin: AuthUser<min::Admin>,
    state: web::Data<AppState>,
    params: web::Query<PageParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let page = Page::try_from(&*params)?;
    let (rows, total) = db::run(&state.pool, move |conn| Ok(queries::list(conn, page)?)).await?;
    let views = rows.into_iter().map(ApiKeyView::from).collect();
    Ok(List::new(views, page, total).respond(&req))
}

fn key_name(value: &str) -> Result<String, FieldError> {
    too_long("name", value, 100)?;
    let value = value.trim();
    if value.is_empty() {
        Err(FieldError::new(
            "name",
            FieldCode::Required,
            "must not be empty",
        ))
    } else {
        Ok(value.to_owned())
    }
}

/// Create an API key.
///
/// Admins only. Its secret is in this answer only, and stored only as a hash.
#[utoipa::path(
    tag = "api-keys",
    request_body = CreateApiKey,
    responses(
        (status = 201, description = "The key, with its secret", body = NewApiKeyView),
        Restricted, WithBody,
    ),
    security(("bearer" = [])),
)]
#[post("/api-keys")]
pub async fn create_api_key(
    admin: AuthUser<min::Admin>,
    state: web::Data<AppState>,
    Json(body): Json<CreateApiKey>,
) -> Result<HttpResponse, ApiError> {
    let (name,) = (key_name(&body.name),).parsed()?;
    let secret = format!(
        "{}{}",
        tokens::API_KEY_PREFIX,
        crate::secret::random_token(40)
    );
    let key = ApiKey {
        id: Uuid::now_v7(),
        name,
        scope: body.scope.as_str().to_owned(),
        key_prefix: secret.chars().take(8).collect(),
        created_by: admin.id,
        created_at: Utc::now(),
    };
    let hash = tokens::digest(&secret);
    let stored = db::run(&state.pool, move |conn| {
        Ok(queries::insert(conn, &key, &hash)?)
    })
    .await?;
    let view = NewApiKeyView {
        key_info: ApiKeyView::from(stored),
        key: secret,
    };
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/api-keys/{}", view.key_info.id),
        ))
        .json(view))
}

/// Read one API key.
///
/// Admins only. The secret is never shown again.
#[utoipa::path(
    tag = "api-keys",
    params(("id" = Uuid, Path, description = "The key's id")),
    responses(
        (status = 200, description = "The key", body = ApiKeyView),
        Restricted, NotFound,
    ),
    security(("bearer" = [])),
)]
#[get("/api-keys/{id}")]
pub async fn find_api_key(
    _admin: AuthUser<min::Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let key = db::run(&state.pool, move |conn| match queries::find(conn, id) {
        Err(diesel::result::Error::NotFound) => {
            Err(ApiError::NotFound(format!("no API key has id {id}")))
        }
        other => Ok(other?),
    })
    .await?;
    Ok(HttpResponse::Ok().json(ApiKeyView::from(key)))
}

/// Revoke an API key.
///
/// Admins only. The key stops working at once.
#[utoipa::path(
    tag = "api-keys",
    params(("id" = Uuid, Path, description = "The key's id")),
    responses(
        (status = 204, description = "Revoked"),
        Restricted, NotFound,
    ),
    security(("bearer" = [])),
)]
#[delete("/api-keys/{id}")]
pub async fn delete_api_key(
    _admin: AuthUser<min::Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    match db::run(&state.pool, move |conn| Ok(queries::delete(conn, id)?)).await? {
        0 => Err(ApiError::NotFound(format!("no API key has id {id}"))),
        _ => Ok(HttpResponse::NoContent().finish()),
    }
}
