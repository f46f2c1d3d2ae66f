//! Sessions as refresh tokens: each works once, and the tokens of one sign-in make a family
//! that is revoked together.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::{auth::tokens, schema::refresh_tokens};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens, check_for_backend(diesel::pg::Pg))]
pub struct RefreshToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub family_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Stores a new refresh token and returns the secret to hand to the client.
pub fn issue_refresh_token(
    conn: &mut PgConnection,
    user: Uuid,
    family: Uuid,
    expires_at: DateTime<Utc>,
) -> QueryResult<String> {
    let secret = crate::secret::random_token(48);
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(Uuid::now_v7()),
            refresh_tokens::user_id.eq(user),
            refresh_tokens::family_id.eq(family),
            refresh_tokens::token_hash.eq(tokens::digest(&secret)),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(secret)
}

/// The token row, locked so that two concurrent refreshes with one token cannot both win.
pub fn find_refresh_token_for_update(
    conn: &mut PgConnection,
    secret: &str,
) -> QueryResult<RefreshToken> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(tokens::digest(secret)))
        .select(RefreshToken::as_select())
        .for_update()
        .first(conn)
}

pub fn mark_used(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::update(refresh_tokens::table.find(id))
        .set(refresh_tokens::used_at.eq(Utc::now()))
        .execute(conn)
}

pub fn revoke_family(conn: &mut PgConnection, family: Uuid) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Utc::now()))
    .execute(conn)
}
