use actix_web::{
    HttpRequest, HttpResponse, HttpResponseBuilder, get, http::header, patch, post, web,
};
use chrono::Utc;
use diesel::{Connection, PgConnection, prelude::*};
use uuid::Uuid;

use crate::{
    audit,
    auth::{AuthUser, Role, password},
    db,
    error::{ApiError, FieldCode, Fields},
    extract::Json,
    openapi::{Conflict, Forbidden, Open, Restricted, TooManyRequests, Unauthorized, WithBody},
    sessions::{
        dto::{Login, RefreshRequest, SignUp, TokenResponse, UpdateMe},
        queries,
    },
    state::AppState,
    users::{
        self,
        dto::UserView,
        model::{Email, NewUser, Password, PersonName, User, UserChanges},
    },
};

/// The access token and a new refresh token of `family`, written in the caller's transaction.
fn token_pair(
    state: &AppState,
    conn: &mut PgConnection,
    user: User,
    family: Uuid,
) -> Result<TokenResponse, ApiError> {
    let now = Utc::now();
    let access_ttl = state.config.access_token_ttl;
    let refresh_ttl =
        chrono::Duration::from_std(state.config.refresh_token_ttl).map_err(ApiError::internal)?;
    let access_token = state.tokens.issue(
        user.id,
        user.role(),
        now,
        chrono::Duration::from_std(access_ttl).map_err(ApiError::internal)?,
    )?;
    let refresh_token = queries::issue_refresh_token(conn, user.id, family, now + refresh_ttl)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: access_ttl.as_secs(),
        refresh_token,
        user: UserView::from(user),
    })
}

/// Tokens must not be kept by caches on the way (RFC 6749, section 5.1).
fn tokens_response(mut response: HttpResponseBuilder, tokens: &TokenResponse) -> HttpResponse {
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(tokens)
}

/// Checks a sign-up body and hashes its password off the async workers.
async fn new_account(body: SignUp, role: Role) -> Result<NewUser, ApiError> {
    let (email, password, name) = (
        Email::parse("email", &body.email),
        Password::parse("password", &body.password),
        PersonName::parse("name", &body.name),
    )
        .parsed()?;
    let password_hash = db::blocking(move || password::hash(password.expose()))
        .await?
        .map_err(ApiError::internal)?;
    Ok(NewUser {
        id: Uuid::now_v7(),
        email: email.into_inner(),
        name: name.into_inner(),
        password_hash,
        role: role.as_str().to_owned(),
    })
}

/// Create the first admin.
///
/// Works only while no account exists, and answers `409` afterwards. The new admin is signed in:
/// the answer carries a token pair.
#[utoipa::path(
    tag = "auth",
    request_body = SignUp,
    responses(
        (status = 201, description = "The admin, signed in", body = TokenResponse),
        Open, Conflict, WithBody,
    ),
    security(()),
)]
#[post("/auth/setup")]
pub async fn setup(
    state: web::Data<AppState>,
    Json(body): Json<SignUp>,
) -> Result<HttpResponse, ApiError> {
    let admin = new_account(body, Role::Admin).await?;
    let tokens = db::run(&state.pool.clone(), move |conn| {
        conn.transaction(|conn| {
            // Serialises concurrent set-ups, so only one of them can find the table empty.
            diesel::sql_query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE").execute(conn)?;
            if users::queries::any_exist(conn)? {
                return Err(ApiError::Conflict(
                    "set-up is done: an account already exists".into(),
                ));
            }
            let user = users::queries::insert(conn, &admin)?;
            token_pair(&state, conn, user, Uuid::now_v7())
        })
    })
    .await?;
    Ok(tokens_response(HttpResponse::Created(), &tokens))
}

/// Sign up as a reader (`member`).
///
/// Anonymous, and `403` unless `MASTHEAD_OPEN_REGISTRATION=true`. The new member is signed in: the
/// answer carries a token pair.
#[utoipa::path(
    tag = "auth",
    request_body = SignUp,
    responses(
        (status = 201, description = "The new member, signed in", body = TokenResponse),
        Open, Forbidden, Conflict, WithBody, TooManyRequests,
    ),
    security(()),
)]
#[post("/auth/register")]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    Json(body): Json<SignUp>,
) -> Result<HttpResponse, ApiError> {
    if !state.config.open_registration {
        return Err(ApiError::Forbidden(
            "registration is closed on this site".into(),
        ));
    }
    state
        .throttle
        .attempt(body.email.trim(), req.peer_addr().map(|a| a.ip()))?;
    let member = new_account(body, Role::Member).await?;
    let tokens = db::run(&state.pool.clone(), move |conn| {
        conn.transaction(|conn| {
            let user = users::queries::insert(conn, &member)?;
            token_pair(&state, conn, user, Uuid::now_v7())
        })
    })
    .await?;
    Ok(tokens_response(HttpResponse::Created(), &tokens))
}

/// Sign in with email and password.
///
/// A wrong password and an unknown email answer alike, in about the same time. Attempts are
/// throttled per account and per client address (`429` with `Retry-After`).
#[utoipa::path(
    tag = "auth",
    request_body = Login,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        Open, Unauthorized, WithBody, TooManyRequests,
    ),
    security(()),
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    Json(body): Json<Login>,
) -> Result<HttpResponse, ApiError> {
    state
        .throttle
        .attempt(body.email.trim(), req.peer_addr().map(|a| a.ip()))?;
    let email = body.email.trim().to_lowercase();
    let account = db::run(&state.pool, move |conn| {
        Ok(users::queries::find_by_email(conn, &email).optional()?)
    })
    .await?;
    let signed_in = db::blocking(move || match account {
        Some(user) if password::verify(&body.password, &user.password_hash) && user.active => {
            Some(user)
        }
        Some(_) => None,
        None => {
            password::verify_nothing(&body.password);
            None
        }
    })
    .await?;
    let mut event = sign_in_event(&req, &body.email);
    let Some(user) = signed_in else {
        db::run(&state.pool, move |conn| {
            Ok(audit::queries::record(conn, &event)?)
        })
        .await?;
        return Err(ApiError::Unauthorized(
            "the email or password is wrong".into(),
        ));
    };
    event.action = "sign_in";
    event.user_id = Some(user.id);
    let tokens = db::run(&state.pool.clone(), move |conn| {
        conn.transaction(|conn| {
            audit::queries::record(conn, &event)?;
            token_pair(&state, conn, user, Uuid::now_v7())
        })
    })
    .await?;
    Ok(tokens_response(HttpResponse::Ok(), &tokens))
}

/// A failed sign-in as the audit trail keeps it: the email given, never the password.
fn sign_in_event(req: &HttpRequest, email: &str) -> audit::queries::AuthEvent {
    let text =
        |value: &str, limit: usize| value.chars().filter(|c| *c != '\0').take(limit).collect();
    audit::queries::AuthEvent {
        action: "sign_in_failed",
        user_id: None,
        email: Some(text(email.trim(), 320)),
        address: req.peer_addr().map(|a| a.ip().to_string()),
        user_agent: req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| text(v, 512)),
    }
}

/// Trade a refresh token for a new pair.
///
/// Each refresh token works once. Presenting a spent one means it was copied: every token of
/// that sign-in is revoked and the answer is `401`.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair", body = TokenResponse),
        Open, Unauthorized, WithBody,
    ),
    security(()),
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    Json(body): Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let invalid = || ApiError::Unauthorized("the refresh token is not valid".into());
    let outcome = db::run(&state.pool.clone(), move |conn| {
        conn.transaction(|conn| {
            let Some(token) =
                queries::find_refresh_token_for_update(conn, &body.refresh_token).optional()?
            else {
                return Ok(Err(invalid()));
            };
            if token.used_at.is_some() {
                // Committed even though the request fails: the family stays revoked.
                queries::revoke_family(conn, token.family_id)?;
                audit::queries::record(
                    conn,
                    &audit::queries::AuthEvent {
                        action: "refresh_token_reused",
                        user_id: Some(token.user_id),
                        email: None,
                        address: None,
                        user_agent: None,
                    },
                )?;
                tracing::warn!(user = %token.user_id, "refresh token reused; sign-in revoked");
                return Ok(Err(ApiError::Unauthorized(
                    "this refresh token was already used; sign in again".into(),
                )));
            }
            if token.revoked_at.is_some() || token.expires_at <= Utc::now() {
                return Ok(Err(invalid()));
            }
            let user = users::queries::find(conn, token.user_id)?;
            if !user.active {
                return Ok(Err(invalid()));
            }
            queries::mark_used(conn, token.id)?;
            token_pair(&state, conn, user, token.family_id).map(Ok)
        })
    })
    .await?;
    Ok(tokens_response(HttpResponse::Ok(), &outcome?))
}

/// Sign out.
///
/// The refresh token and every token of its sign-in stop working. Anonymous: the refresh token is
/// the credential, and an unknown one answers `204` too.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Signed out (also when the token was unknown)"),
        Open, WithBody,
    ),
    security(()),
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    Json(body): Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    db::run(&state.pool, move |conn| {
        if let Some(token) =
            queries::find_refresh_token_for_update(conn, &body.refresh_token).optional()?
        {
            queries::revoke_family(conn, token.family_id)?;
        }
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Read the caller's own account.
///
/// Any signed-in account, whatever its role.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "The caller's account", body = UserView),
        Restricted,
    ),
    security(("bearer" = [])),
)]
#[get("/auth/me")]
pub async fn find_me(me: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let user = db::run(&state.pool, move |conn| {
        Ok(users::queries::find(conn, me.id)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

/// Change the caller's name or password.
///
/// Any signed-in account. A new password needs `current_password` and signs out every other
/// session.
#[utoipa::path(
    tag = "auth",
    request_body = UpdateMe,
    responses(
        (status = 200, description = "The changed account", body = UserView),
        Restricted, WithBody, TooManyRequests,
    ),
    security(("bearer" = [])),
)]
#[patch("/auth/me")]
pub async fn update_me(
    me: AuthUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    Json(body): Json<UpdateMe>,
) -> Result<HttpResponse, ApiError> {
    if body.password.is_some() {
        // A stolen access token must not become unlimited guesses at the current password.
        state.throttle.attempt(
            &format!("password-change:{}", me.id),
            req.peer_addr().map(|a| a.ip()),
        )?;
    }
    let (name, new_password) = (
        body.name
            .as_deref()
            .map(|n| PersonName::parse("name", n))
            .transpose(),
        body.password
            .as_deref()
            .map(|p| Password::parse("password", p))
            .transpose(),
    )
        .parsed()?;
    let password_hash = match (new_password, body.current_password) {
        (None, _) => None,
        (Some(_), None) => {
            return Err(ApiError::field(
                "current_password",
                FieldCode::Required,
                "is required to change the password",
            ));
        }
        (Some(new_password), Some(current)) => {
            let id = me.id;
            let stored = db::run(&state.pool, move |conn| Ok(users::queries::find(conn, id)?))
                .await?
                .password_hash;
            let hashed = db::blocking(move || {
                password::verify(&current, &stored).then(|| password::hash(new_password.expose()))
            })
            .await?;
            match hashed {
                None => {
                    return Err(ApiError::field(
                        "current_password",
                        FieldCode::Invalid,
                        "is not the current password",
                    ));
                }
                Some(hash) => Some(hash.map_err(ApiError::internal)?),
            }
        }
    };
    let changes = UserChanges {
        name: name.map(PersonName::into_inner),
        password_hash,
        ..UserChanges::default()
    };
    let user = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            if changes.password_hash.is_some() {
                users::queries::revoke_sessions(conn, me.id)?;
            }
            if changes.name.is_none() && changes.password_hash.is_none() {
                return Ok(users::queries::find(conn, me.id)?);
            }
            Ok(users::queries::update(conn, me.id, &changes)?)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}
