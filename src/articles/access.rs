//! Who may read and change an article.

use diesel::PgConnection;
use uuid::Uuid;

use crate::{
    articles::{
        model::{Article, Status},
        queries,
    },
    auth::{AuthUser, Reader, Role, caller::RoleFloor},
    error::ApiError,
};

/// What anyone may read now, by the rule of [`crate::articles::live`].
pub fn is_live(article: &Article) -> bool {
    article.timing().is_live(chrono::Utc::now())
}

/// Staff read everything; others only live articles, and the rest is 404 to them, so that
/// drafts do not even show that they exist.
pub fn check_readable(reader: &Reader, article: &Article) -> Result<(), ApiError> {
    if reader.is_staff() || is_live(article) {
        Ok(())
    } else {
        Err(ApiError::not_found("article"))
    }
}

/// Editors change any article; authors and contributors their own (created by them, or with
/// them in the byline); contributors only while it is a draft.
pub fn check_editable<R: RoleFloor>(
    conn: &mut PgConnection,
    user: &AuthUser<R>,
    article: &Article,
) -> Result<(), ApiError> {
    if user.role >= Role::Editor {
        return Ok(());
    }
    let own = article.created_by == Some(user.id)
        || queries::is_author(conn, user.id, &article.author_ids)?;
    if !own {
        return Err(ApiError::Forbidden(
            "only its authors or an editor may change this article".into(),
        ));
    }
    if user.role == Role::Contributor && Status::from_column(&article.status) != Status::Draft {
        return Err(ApiError::Forbidden(
            "contributors may change drafts only".into(),
        ));
    }
    Ok(())
}

/// Publishing needs the author role at least.
pub fn check_may_publish<R: RoleFloor>(user: &AuthUser<R>) -> Result<(), ApiError> {
    if user.role < Role::Author {
        return Err(ApiError::Forbidden(
            "contributors cannot publish; ask an editor".into(),
        ));
    }
    Ok(())
}

/// Publishing an article needs the author role at least, and the article must be the author's
/// own.
pub fn check_publishable<R: RoleFloor>(
    conn: &mut PgConnection,
    user: &AuthUser<R>,
    article: &Article,
) -> Result<(), ApiError> {
    check_may_publish(user)?;
    check_editable(conn, user, article)
}

/// Drops `Uuid` lists to the distinct ids across many articles, for one `include` query.
pub fn distinct_ids<'a>(lists: impl Iterator<Item = &'a [Uuid]>) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = lists.flatten().copied().collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}
