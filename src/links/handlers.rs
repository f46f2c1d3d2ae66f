use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, patch, post, web};
use diesel::{Connection, PgConnection};
use uuid::Uuid;

use crate::{
    auth::{AuthUser, Reader, min},
    cache, db,
    error::{ApiError, FieldCode, FieldError, Fields},
    etag::IfMatch,
    extract::Json,
    images,
    links::{
        dto::{CreateLink, LinkApplication, LinkView, ListParams, UpdateLink},
        model::{
            DEFAULT_GROUP, GROUP_MAX_CHARS, LinkChanges, NAME_MAX_CHARS, NOTE_MAX_CHARS, NewLink,
        },
        queries,
    },
    openapi::{
        Forbidden, NotFound, Open, PreconditionFailed, Public, Restricted, TooManyRequests,
        WithBody,
    },
    pagination::{List, Page, PageParams},
    state::AppState,
    text::fields::{http_url, name, optional_plain_text},
    users::model::Email,
};

/// Past this many applications waiting, new ones are refused until editors catch up.
const MAX_PENDING_APPLICATIONS: i64 = 500;

/// List friend links by group and position.
///
/// Everyone sees the approved ones; editors pass `approved=false` to see the applications waiting
/// for review.
#[utoipa::path(
    tag = "links",
    params(ListParams),
    responses(
        (status = 200, description = "A page of links", body = List<LinkView>),
        Public, Forbidden,
    ),
    security((), ("bearer" = [])),
)]
#[get("/links")]
pub async fn list_links(
    reader: Reader,
    state: web::Data<AppState>,
    params: web::Query<ListParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let page = Page::try_from(&PageParams {
        page: params.page,
        per_page: params.per_page,
    })?;
    let editor = reader.is_editor();
    let approved = params.approved.unwrap_or(true);
    if !approved && !editor {
        return Err(if reader.account.is_some() {
            ApiError::Forbidden("only editors see the applications".into())
        } else {
            ApiError::Unauthorized("sign in as an editor to see the applications".into())
        });
    }
    let group = params
        .group
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned);
    let (rows, total) = db::run(&state.pool, move |conn| {
        Ok(queries::list(conn, group.as_deref(), approved, page)?)
    })
    .await?;
    let views = rows.into_iter().map(|l| LinkView::new(l, editor)).collect();
    let mut response = List::new(views, page, total).respond(&req);
    cache::mark_public(&mut response, &reader, &state);
    Ok(response)
}

// Ids are UUIDs; matching only their characters leaves `/links/applications` to its own
// route, so that other methods there are 405, not a search for a link named `applications`.
/// Read one link.
///
/// Anyone reads an approved link; an application only editors.
#[utoipa::path(
    tag = "links",
    params(("id" = Uuid, Path, description = "The link's id")),
    responses(
        (status = 200, description = "The link", body = LinkView),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        Public, NotFound,
    ),
    security((), ("bearer" = [])),
)]
#[get("/links/{id:[0-9a-fA-F-]+}")]
pub async fn find_link(
    reader: Reader,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let editor = reader.is_editor();
    let link = db::run(&state.pool, move |conn| {
        queries::find(conn, id).map_err(ApiError::missing("link"))
    })
    .await?;
    if !link.approved && !editor {
        return Err(ApiError::not_found("link"));
    }
    let mut response = HttpResponse::Ok().json(LinkView::new(link, editor));
    cache::mark_public(&mut response, &reader, &state);
    Ok(response)
}

/// Add a friend link.
///
/// Editors and admins. It is approved unless `approved: false`.
#[utoipa::path(
    tag = "links",
    request_body = CreateLink,
    responses(
        (status = 201, description = "Created", body = LinkView,
            headers(("Location" = String, description = "The link's URL"))),
        Restricted, WithBody,
    ),
    security(("bearer" = [])),
)]
#[post("/links")]
pub async fn create_link(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    Json(body): Json<CreateLink>,
) -> Result<HttpResponse, ApiError> {
    let (name, url, group, position, note) = (
        name("name", &body.name, NAME_MAX_CHARS),
        required_url(&body.url),
        group(body.group.as_deref().unwrap_or(DEFAULT_GROUP)),
        position(body.position.unwrap_or(1)),
        optional_note(body.note.as_deref()),
    )
        .parsed()?;
    let new = NewLink {
        id: Uuid::now_v7(),
        name,
        url,
        logo_id: body.logo,
        group,
        position,
        approved: body.approved.unwrap_or(true),
        contact_email: None,
        note,
    };
    let link = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            if let Some(logo) = new.logo_id {
                check_logo(conn, logo)?;
            }
            Ok(queries::insert(conn, &new)?)
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/links/{}", link.id)))
        .json(LinkView::new(link, true)))
}

/// Change a friend link.
///
/// Editors and admins; absent fields stay as they are. `approved: true` approves an application.
#[utoipa::path(
    tag = "links",
    params(
        ("id" = Uuid, Path, description = "The link's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read by an editor; a stale one gives 412"),
    ),
    request_body = UpdateLink,
    responses(
        (status = 200, description = "The changed link", body = LinkView),
        Restricted, NotFound, PreconditionFailed, WithBody,
    ),
    security(("bearer" = [])),
)]
#[patch("/links/{id:[0-9a-fA-F-]+}")]
pub async fn update_link(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<UpdateLink>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (name, url, group, position, note) = (
        body.name
            .as_deref()
            .map(|n| name("name", n, NAME_MAX_CHARS))
            .transpose(),
        body.url.as_deref().map(required_url).transpose(),
        body.group.as_deref().map(group).transpose(),
        body.position.map(position).transpose(),
        body.note.map(|n| optional_note(n.as_deref())).transpose(),
    )
        .parsed()?;
    let changes = LinkChanges {
        name,
        url,
        logo_id: body.logo,
        group,
        position,
        approved: body.approved,
        note,
    };
    let link = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = queries::find_for_update(conn, id).map_err(ApiError::missing("link"))?;
            if_match.check(&LinkView::new(current, true))?;
            if let Some(Some(logo)) = changes.logo_id {
                check_logo(conn, logo)?;
            }
            Ok(queries::update(conn, id, &changes)?)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(LinkView::new(link, true)))
}

/// Delete a link, or reject an application.
///
/// Editors and admins.
#[utoipa::path(
    tag = "links",
    params(
        ("id" = Uuid, Path, description = "The link's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read by an editor; a stale one gives 412"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        Restricted, NotFound, PreconditionFailed,
    ),
    security(("bearer" = [])),
)]
#[delete("/links/{id:[0-9a-fA-F-]+}")]
pub async fn delete_link(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = queries::find_for_update(conn, id).map_err(ApiError::missing("link"))?;
            if_match.check(&LinkView::new(current, true))?;
            queries::delete(conn, id)?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Apply for a link exchange.
///
/// Anonymous; a few applications per client address an hour. The link waits, unapproved and unseen,
/// until an editor approves or rejects it.
#[utoipa::path(
    tag = "links",
    request_body = LinkApplication,
    responses(
        (status = 202, description = "Received; it waits for an editor", body = LinkView),
        Open, WithBody, TooManyRequests,
    ),
    security(()),
)]
#[post("/links/applications")]
pub async fn apply_for_link(
    state: web::Data<AppState>,
    req: HttpRequest,
    Json(body): Json<LinkApplication>,
) -> Result<HttpResponse, ApiError> {
    let (name, url, email, note) = (
        name("name", &body.name, NAME_MAX_CHARS),
        required_url(&body.url),
        Email::parse("contact_email", &body.contact_email),
        optional_note(body.note.as_deref()),
    )
        .parsed()?;
    state
        .link_applications
        .attempt(req.peer_addr().map(|a| a.ip()))?;
    let new = NewLink {
        id: Uuid::now_v7(),
        name,
        url,
        logo_id: None,
        group: DEFAULT_GROUP.into(),
        position: 1,
        approved: false,
        contact_email: Some(email.into_inner()),
        note,
    };
    let link = db::run(&state.pool, move |conn| {
        if queries::pending_count(conn)? >= MAX_PENDING_APPLICATIONS {
            return Err(ApiError::TooManyRequests { retry_after: 3600 });
        }
        Ok(queries::insert(conn, &new)?)
    })
    .await?;
    Ok(HttpResponse::Accepted().json(LinkView::new(link, false)))
}

fn required_url(value: &str) -> Result<String, FieldError> {
    http_url("url", value)?
        .ok_or_else(|| FieldError::new("url", FieldCode::Required, "must not be empty"))
}

fn group(value: &str) -> Result<String, FieldError> {
    name("group", value, GROUP_MAX_CHARS)
}

fn position(value: i32) -> Result<i32, FieldError> {
    if value < 1 {
        Err(FieldError::new(
            "position",
            FieldCode::Invalid,
            "must be 1 or more",
        ))
    } else {
        Ok(value)
    }
}

fn optional_note(value: Option<&str>) -> Result<Option<String>, FieldError> {
    optional_plain_text("note", value, NOTE_MAX_CHARS)
}

fn check_logo(conn: &mut PgConnection, logo: Uuid) -> Result<(), ApiError> {
    match images::missing(conn, "logo", logo)? {
        Some(error) => Err(ApiError::Validation(vec![error])),
        None => Ok(()),
    }
}
