//! Every query on `links`.

use chrono::Utc;
use diesel::prelude::*;
use uuid::Uuid;

use crate::{
    links::model::{Link, LinkChanges, NewLink},
    pagination::Page,
    schema::links,
};

pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Link> {
    links::table.find(id).select(Link::as_select()).first(conn)
}

pub fn find_for_update(conn: &mut PgConnection, id: Uuid) -> QueryResult<Link> {
    links::table
        .find(id)
        .select(Link::as_select())
        .for_update()
        .first(conn)
}

/// By group, then position; approved ones or the applications.
pub fn list(
    conn: &mut PgConnection,
    group: Option<&str>,
    approved: bool,
    page: Page,
) -> QueryResult<(Vec<Link>, i64)> {
    let filtered = || {
        let mut query = links::table
            .filter(links::approved.eq(approved))
            .into_boxed();
        if let Some(group) = group {
            query = query.filter(links::group.eq(group.to_owned()));
        }
        query
    };
    let rows = filtered()
        .select(Link::as_select())
        .order((links::group, links::position, links::created_at, links::id))
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    let total = filtered().count().get_result(conn)?;
    Ok((rows, total))
}

pub fn insert(conn: &mut PgConnection, new: &NewLink) -> QueryResult<Link> {
    diesel::insert_into(links::table)
        .values(new)
        .returning(Link::as_returning())
        .get_result(conn)
}

pub fn update(conn: &mut PgConnection, id: Uuid, changes: &LinkChanges) -> QueryResult<Link> {
    diesel::update(links::table.find(id))
        .set((
            changes,
            links::updated_at.eq(Utc::now()),
            links::version.eq(links::version + 1),
        ))
        .returning(Link::as_returning())
        .get_result(conn)
}

pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(links::table.find(id)).execute(conn)
}

/// Applications waiting; a flood of them is refused before the table grows without bound.
pub fn pending_count(conn: &mut PgConnection) -> QueryResult<i64> {
    links::table
        .filter(links::approved.eq(false))
        .count()
        .get_result(conn)
}
