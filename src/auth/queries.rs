//! Queries on sessions (refresh tokens) and on the credentials of a request.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::{
    auth::{Role, caller::Identity, tokens},
    schema::{api_keys, refresh_tokens, users},
};

/// The current role of an active account.
pub fn active_role(conn: &mut PgConnection, id: Uuid) -> QueryResult<Role> {
    let role: String = users::table
        .find(id)
        .filter(users::active.eq(true))
        .select(users::role)
        .first(conn)?;
    Ok(role.parse().unwrap_or(Role::Member))
}

/// Who an API key acts as. A key stops working when its owner is deactivated, and an `admin`
/// key also when its owner is no longer an admin.
pub fn api_key_identity(conn: &mut PgConnection, key: &str) -> QueryResult<Identity> {
    let (key, scope, owner): (Uuid, String, Uuid) = api_keys::table
        .inner_join(users::table)
        .filter(api_keys::key_hash.eq(tokens::digest(key)))
        .filter(users::active.eq(true))
        .filter(api_keys::scope.ne("admin").or(users::role.eq("admin")))
        .select((api_keys::id, api_keys::scope, api_keys::created_by))
        .first(conn)?;
    Ok(match scope.as_str() {
        "admin" => Identity::Account {
            id: owner,
            role: Role::Admin,
            key: Some(key),
        },
        _ => Identity::ContentKey { key },
    })
}

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
