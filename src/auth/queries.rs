//! Queries on the credentials of a request: who an account or an API key acts as.

use diesel::prelude::*;
use uuid::Uuid;

use crate::{
    auth::{Role, caller::Identity, tokens},
    schema::{api_keys, users},
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
