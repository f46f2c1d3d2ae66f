use actix_web::{HttpResponse, get, http::header, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    auth::Reader,
    db,
    error::ApiError,
    openapi::{Gone, Public},
    state::AppState,
    sync::{
        items::{Entry, Showing},
        queries,
        token::SyncToken,
    },
};

const DEFAULT_PER_PAGE: i64 = 100;
const MAX_PER_PAGE: i64 = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SyncParams {
    /// `meta.next_page_token` or `meta.next_sync_token` of an earlier answer; none starts over.
    #[param(max_length = 200, pattern = "^[A-Za-z0-9_-]+$")]
    pub sync_token: Option<String>,
    /// Articles with their bodies (`body`, `body_html`, `body_text`) instead of summaries; ask
    /// the same way on every page.
    pub full: Option<bool>,
    /// Items (first sync) or changes (later ones) a page takes, 1 to 500.
    #[param(minimum = 1, maximum = 500, example = 100)]
    pub per_page: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncMeta {
    /// Ask again now with this token: the answer goes on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Keep it: asked with it later, the API sends only what changed since.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_sync_token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncAnswer {
    /// In order; apply them in turn.
    pub data: Vec<Entry>,
    pub meta: SyncMeta,
}

/// Follow everything readers may see: all of it once, then only what changed.
///
/// Without `sync_token`, pages through every readable item (articles as summaries, or full
/// with `full=true`; authors, categories, tags, carousels with the slides active now,
/// recommendations, approved links and the site) as anonymous readers get them, whoever asks;
/// each page but the last gives `next_page_token`, the last `next_sync_token`. Asked later with
/// that token, it sends only what changed since, compacted: each changed item once as it reads
/// now (`upsert`), or a tombstone (`delete`: kind, id, slug, when) for anything trashed,
/// purged, unpublished, archived, taken down, unapproved or deleted. Tombstones name only what
/// readers may have seen: an article scheduled and pulled before its time is never mentioned.
/// Applying every page of every sync to an empty copy gives the items and fields the API serves.
///
/// Values derived without a write of their own may lag until the item next changes: an
/// author's, category's or tag's `article_count`, and which carousel slides are active now.
/// A token older than the change log's retention (`MASTHEAD_CHANGE_LOG_RETENTION_DAYS`) is
/// 410: sync again from the start. Where public reading is off, a `content` key is needed.
#[utoipa::path(
    tag = "sync",
    params(SyncParams),
    responses(
        (status = 200, description = "A page of items, tombstones and the token to go on with", body = SyncAnswer),
        Public, Gone,
    ),
    security((), ("bearer" = [])),
)]
#[get("/sync")]
pub async fn sync_content(
    _reader: Reader,
    state: web::Data<AppState>,
    params: web::Query<SyncParams>,
) -> Result<HttpResponse, ApiError> {
    let per_page = params.per_page.unwrap_or(DEFAULT_PER_PAGE);
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(ApiError::BadRequest(format!(
            "per_page must be between 1 and {MAX_PER_PAGE}"
        )));
    }
    let now = state.clock.now();
    let token = params
        .sync_token
        .as_deref()
        .map(SyncToken::decode)
        .transpose()?;
    if let Some(token) = token
        && token.since < now - state.config.change_log_retention
    {
        return Err(ApiError::Gone(
            "this sync token is older than the change log keeps; sync again from the start, \
             without a token"
                .into(),
        ));
    }
    let showing = Showing {
        media_url: state.config.media_url.clone(),
        full: params.full.unwrap_or(false),
        now,
    };
    let page = db::run(&state.pool, move |conn| {
        db::in_one_snapshot(conn, |conn| match token {
            None => queries::start(conn, per_page, &showing, now),
            Some(token) => queries::resume(conn, token, per_page, &showing, now),
        })
    })
    .await?;
    let next = page.next.encode();
    let meta = if page.more {
        SyncMeta {
            next_page_token: Some(next),
            next_sync_token: None,
        }
    } else {
        SyncMeta {
            next_page_token: None,
            next_sync_token: Some(next),
        }
    };
    Ok(HttpResponse::Ok()
        // Each answer moves on from the last: no copy may stand in for the next.
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(SyncAnswer {
            data: page.entries,
            meta,
        }))
}
