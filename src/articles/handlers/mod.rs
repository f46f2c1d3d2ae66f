//! Article endpoints, a file per group of actions.

mod list;
mod preview;
mod read;
mod revisions;
mod workflow;
mod write;

pub use list::list_articles;
pub use preview::{create_preview, delete_preview, find_preview};
pub use read::find_article;
pub use revisions::{find_revision, list_revisions, restore_revision};
pub use workflow::{archive_article, publish_article, restore_article, unpublish_article};
pub use write::{create_article, delete_article, update_article};

use chrono::Utc;
use diesel::PgConnection;
use uuid::Uuid;

use crate::{
    articles::{
        model::{Article, Content},
        queries::{self, Lookup},
    },
    error::ApiError,
    slugs::Key,
};

/// Edits by one person within this many seconds of a revision's start fold into it, so an
/// editor's autosave does not bury the history in near-identical copies.
const FOLD_SECONDS: i64 = 60;

/// The article named by a path segment, locked for writing. Old slugs name it too.
pub(crate) fn lock_by_key(conn: &mut PgConnection, key: &Key) -> Result<Article, ApiError> {
    if let Some(article) = queries::lock_current(conn, key)? {
        return Ok(article);
    }
    // A slug the article no longer has: find which article had it, then lock that one.
    match queries::find(conn, key)? {
        Lookup::Found(article) | Lookup::Moved(article) => Ok(queries::lock(conn, article.id)?),
        Lookup::Missing => Err(ApiError::not_found("article")),
    }
}

fn revision_content(article: &Article) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(Content::from(article)).map_err(ApiError::internal)
}

/// Writes a new article's content as its revision 1.
pub(crate) fn record_first_revision(
    conn: &mut PgConnection,
    article: &Article,
    by: Uuid,
) -> Result<(), ApiError> {
    queries::insert_revision(conn, article.id, 1, by, &revision_content(article)?)?;
    Ok(())
}

/// Writes the article's content as a revision: a new one, or folded into the caller's last one
/// when `fold` and it is less than a minute old.
pub(crate) fn record_revision(
    conn: &mut PgConnection,
    article: &Article,
    by: Uuid,
    fold: bool,
) -> Result<(), ApiError> {
    let content = revision_content(article)?;
    match queries::latest_revision(conn, article.id)? {
        Some(last)
            if fold
                && last.created_by == Some(by)
                && (Utc::now() - last.created_at).num_seconds() < FOLD_SECONDS =>
        {
            queries::fold_into_revision(conn, last.id, &content)?;
        }
        last => {
            let number = last.map_or(1, |r| r.number + 1);
            queries::insert_revision(conn, article.id, number, by, &content)?;
        }
    }
    Ok(())
}
