//! Preview links: tokens kept as their SHA-256, each naming one article until it expires.

use chrono::{DateTime, Utc};
use diesel::{dsl::now, prelude::*};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    articles::model::Article,
    schema::{articles, preview_tokens},
};

/// What is stored of a token: a leaked table gives no working link.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Keeps a new token for `article`; expired ones go at the same time, so the table holds only
/// links that still work.
pub fn insert_preview(
    conn: &mut PgConnection,
    article: Uuid,
    token: &str,
    expires_at: DateTime<Utc>,
    created_by: Uuid,
) -> QueryResult<()> {
    diesel::delete(preview_tokens::table.filter(preview_tokens::expires_at.le(now)))
        .execute(conn)?;
    diesel::insert_into(preview_tokens::table)
        .values((
            preview_tokens::id.eq(Uuid::now_v7()),
            preview_tokens::article_id.eq(article),
            preview_tokens::token_hash.eq(token_hash(token)),
            preview_tokens::expires_at.eq(expires_at),
            preview_tokens::created_by.eq(created_by),
        ))
        .execute(conn)
        .map(drop)
}

/// The article a token opens, unless the token is unknown, expired or revoked, or the article
/// is in the trash.
pub fn previewed(conn: &mut PgConnection, token: &str) -> QueryResult<Option<Article>> {
    preview_tokens::table
        .inner_join(articles::table)
        .filter(preview_tokens::token_hash.eq(token_hash(token)))
        .filter(preview_tokens::expires_at.gt(now))
        .filter(articles::deleted_at.is_null())
        .select(Article::as_select())
        .first(conn)
        .optional()
}

/// Revokes every link to `article`; returns how many worked until now.
pub fn revoke_previews(conn: &mut PgConnection, article: Uuid) -> QueryResult<usize> {
    diesel::delete(preview_tokens::table.filter(preview_tokens::article_id.eq(article)))
        .execute(conn)
}
