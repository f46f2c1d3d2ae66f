use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::{pagination::Page, schema::api_keys};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_keys, check_for_backend(diesel::pg::Pg))]
pub struct ApiKey {
    pub id: Uuid,
    pub name: String,
    pub scope: String,
    pub key_prefix: String,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

pub fn insert(conn: &mut PgConnection, key: &ApiKey, key_hash: &[u8]) -> QueryResult<ApiKey> {
    diesel::insert_into(api_keys::table)
        .values((key, api_keys::key_hash.eq(key_hash)))
        .returning(ApiKey::as_returning())
        .get_result(conn)
}

pub fn list(conn: &mut PgConnection, page: Page) -> QueryResult<(Vec<ApiKey>, i64)> {
    let rows = api_keys::table
        .select(ApiKey::as_select())
        .order(api_keys::id)
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    let total = api_keys::table.count().get_result(conn)?;
    Ok((rows, total))
}

pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(api_keys::table.find(id)).execute(conn)
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<ApiKey> {
    api_keys::table
        .find(id)
        .select(ApiKey::as_select())
        .first(conn)
}
