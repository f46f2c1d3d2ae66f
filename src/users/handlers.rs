use actix_web::{HttpRequest, HttpResponse, get, http::header, patch, post, web};
use diesel::Connection;
use uuid::Uuid;

use crate::{
    auth::{AuthUser, Role, min, password},
    db,
    error::{ApiError, FieldCode, FieldError, Fields},
    etag::IfMatch,
    extract::Json,
    openapi::{Conflict, NotFound, PreconditionFailed, Restricted, WithBody},
    pagination::{List, Page, PageParams},
    state::AppState,
    users::{
        dto::{CreateUser, UpdateUser, UserView},
        model::{Email, NewUser, Password, PersonName, UserChanges},
        queries,
    },
};

/// List accounts, oldest first.
///
/// Admins only. Password hashes are never shown.
#[utoipa::path(
    tag = "users",
    params(PageParams),
    responses(
        (status = 200, description = "A page of accounts", body = List<UserView>),
        Restricted,
    ),
    security(("bearer" = [])),
)]
#[get("/users")]
pub async fn list_users(
    _admin: AuthUser<min::Admin>,
    state: web::Data<AppState>,
    params: web::Query<PageParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let page = Page::try_from(&*params)?;
    let (rows, total) = db::run(&state.pool, move |conn| Ok(queries::list(conn, page)?)).await?;
    let views = rows.into_iter().map(UserView::from).collect();
    Ok(List::new(views, page, total).respond(&req))
}

/// Create an account with any role.
///
/// Admins only. The email must not belong to another account (409).
#[utoipa::path(
    tag = "users",
    request_body = CreateUser,
    responses(
        (status = 201, description = "Created", body = UserView,
            headers(("Location" = String, description = "The new account's URL"))),
        Restricted, Conflict, WithBody,
    ),
    security(("bearer" = [])),
)]
#[post("/users")]
pub async fn create_user(
    _admin: AuthUser<min::Admin>,
    state: web::Data<AppState>,
    Json(body): Json<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    let (email, password, name, role) = (
        Email::parse("email", &body.email),
        Password::parse("password", &body.password),
        PersonName::parse("name", &body.name),
        body.role.parse::<Role>().map_err(|_| {
            FieldError::new(
                "role",
                FieldCode::Invalid,
                "must be one of: member, contributor, author, editor, admin",
            )
        }),
    )
        .parsed()?;
    let password_hash = db::blocking(move || password::hash(password.expose()))
        .await?
        .map_err(ApiError::internal)?;
    let new_user = NewUser {
        id: Uuid::now_v7(),
        email: email.into_inner(),
        name: name.into_inner(),
        password_hash,
        role: role.as_str().to_owned(),
    };
    let user = db::run(&state.pool, move |conn| {
        Ok(queries::insert(conn, &new_user)?)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/users/{}", user.id)))
        .json(UserView::from(user)))
}

/// Read one account.
///
/// Admins only.
#[utoipa::path(
    tag = "users",
    params(("id" = Uuid, Path, description = "The account's id")),
    responses(
        (status = 200, description = "The account", body = UserView),
        Restricted, NotFound,
    ),
    security(("bearer" = [])),
)]
#[get("/users/{id}")]
pub async fn find_user(
    _admin: AuthUser<min::Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = db::run(&state.pool, move |conn| {
        queries::find(conn, id).map_err(|e| not_found_or(e, id))
    })
    .await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

/// Change an account's name or role, or deactivate (`active: false`) and reactivate it.
///
/// Deactivation ends the account's sessions at once. The last active admin cannot be demoted
/// or deactivated (409).
#[utoipa::path(
    tag = "users",
    params(
        ("id" = Uuid, Path, description = "The account's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gives 412"),
    ),
    request_body = UpdateUser,
    responses(
        (status = 200, description = "The changed account", body = UserView),
        Restricted, NotFound, Conflict, PreconditionFailed, WithBody,
    ),
    security(("bearer" = [])),
)]
#[patch("/users/{id}")]
pub async fn update_user(
    _admin: AuthUser<min::Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<UpdateUser>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let name = body
        .name
        .as_deref()
        .map(|n| PersonName::parse("name", n))
        .transpose()
        .map_err(|e| ApiError::Validation(vec![e]))?;
    let changes = UserChanges {
        name: name.map(PersonName::into_inner),
        role: body.role.map(|r| r.as_str().to_owned()),
        active: body.active,
        password_hash: None,
    };
    let user = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            // Admins are locked before the target row, in the same order for every request, so
            // two concurrent demotions wait for each other instead of deadlocking.
            let may_lose_admin = changes.role.is_some() || changes.active == Some(false);
            let active_admins = if may_lose_admin {
                queries::lock_active_admins(conn)?.len()
            } else {
                0
            };
            let current = queries::find_for_update(conn, id).map_err(|e| not_found_or(e, id))?;
            if_match.check(&UserView::from(current.clone()))?;
            let loses_admin = current.role() == Role::Admin
                && current.active
                && (changes.role.as_deref().is_some_and(|r| r != "admin")
                    || changes.active == Some(false));
            if loses_admin && active_admins <= 1 {
                return Err(ApiError::Conflict(
                    "this is the last active admin; make another admin first".into(),
                ));
            }
            if changes.active == Some(false) {
                queries::revoke_sessions(conn, id)?;
            }
            Ok(queries::update(conn, id, &changes)?)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

fn not_found_or(error: diesel::result::Error, id: Uuid) -> ApiError {
    match error {
        diesel::result::Error::NotFound => ApiError::NotFound(format!("no account has id {id}")),
        other => other.into(),
    }
}
