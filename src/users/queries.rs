//! Every query on `users`.

use chrono::Utc;
use diesel::prelude::*;
use uuid::Uuid;

use crate::{
    pagination::Page,
    schema::{refresh_tokens, users},
    users::model::{NewUser, User, UserChanges},
};

pub fn insert(conn: &mut PgConnection, user: &NewUser) -> QueryResult<User> {
    diesel::insert_into(users::table)
        .values(user)
        .returning(User::as_returning())
        .get_result(conn)
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<User> {
    users::table.find(id).select(User::as_select()).first(conn)
}

/// The row locked for the rest of the transaction, for read-check-write updates.
pub fn find_for_update(conn: &mut PgConnection, id: Uuid) -> QueryResult<User> {
    users::table
        .find(id)
        .select(User::as_select())
        .for_update()
        .first(conn)
}

pub fn find_by_email(conn: &mut PgConnection, email: &str) -> QueryResult<User> {
    users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
}

pub fn any_exist(conn: &mut PgConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(users::table.select(users::id))).get_result(conn)
}

/// Active admins, locked, so that two concurrent demotions cannot both see "another admin left".
pub fn lock_active_admins(conn: &mut PgConnection) -> QueryResult<Vec<Uuid>> {
    users::table
        .filter(users::role.eq("admin").and(users::active.eq(true)))
        .select(users::id)
        .for_update()
        .load(conn)
}

pub fn list(conn: &mut PgConnection, page: Page) -> QueryResult<(Vec<User>, i64)> {
    let rows = users::table
        .select(User::as_select())
        .order(users::id)
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    let total = users::table.count().get_result(conn)?;
    Ok((rows, total))
}

pub fn update(conn: &mut PgConnection, id: Uuid, changes: &UserChanges) -> QueryResult<User> {
    diesel::update(users::table.find(id))
        .set((
            changes,
            users::updated_at.eq(Utc::now()),
            users::version.eq(users::version + 1),
        ))
        .returning(User::as_returning())
        .get_result(conn)
}

/// Ends every session of the account: its refresh tokens stop working.
pub fn revoke_sessions(conn: &mut PgConnection, user: Uuid) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Utc::now()))
    .execute(conn)
}
