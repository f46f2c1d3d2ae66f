//! Every query on `authors`.

use std::collections::HashMap;

use chrono::Utc;
use diesel::{dsl::exists, pg::Pg, prelude::*, sql_types::Bool};
use uuid::Uuid;

use crate::{
    articles::live,
    authors::model::{Author, AuthorChanges, NewAuthor},
    pagination::Page,
    schema::{articles, authors, users},
    slugs::{self, Key},
};

type ByKey = Box<dyn BoxableExpression<authors::table, Pg, SqlType = Bool>>;

fn by_key(key: &Key) -> ByKey {
    match key {
        Key::Id(id) => Box::new(authors::id.eq(*id)),
        Key::Slug(slug) => Box::new(authors::slug.eq(slug.clone())),
    }
}

pub fn find(conn: &mut PgConnection, key: &Key) -> QueryResult<Author> {
    authors::table
        .filter(by_key(key))
        .select(Author::as_select())
        .first(conn)
}

/// The row locked for the rest of the transaction, for read-check-write updates.
pub fn find_for_update(conn: &mut PgConnection, key: &Key) -> QueryResult<Author> {
    authors::table
        .filter(by_key(key))
        .select(Author::as_select())
        .for_update()
        .first(conn)
}

pub fn list(conn: &mut PgConnection, page: Page) -> QueryResult<(Vec<Author>, i64)> {
    let rows = authors::table
        .select(Author::as_select())
        .order((authors::name, authors::id))
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    let total = authors::table.count().get_result(conn)?;
    Ok((rows, total))
}

/// Live articles per author, for all of `ids` in one query; authors without any are absent.
pub fn article_counts(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<HashMap<Uuid, i64>> {
    live::counts_naming(conn, live::Naming::Authors, ids)
}

pub fn article_count(conn: &mut PgConnection, id: Uuid) -> QueryResult<i64> {
    Ok(article_counts(conn, &[id])?.get(&id).copied().unwrap_or(0))
}

/// Whether any article names the author, trashed ones included: they may be restored.
pub fn in_use(conn: &mut PgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(exists(
        articles::table.filter(articles::author_ids.contains(vec![Some(id)])),
    ))
    .get_result(conn)
}

pub fn user_exists(conn: &mut PgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(exists(users::table.find(id))).get_result(conn)
}

/// `base`, or the first of `base-2`, `base-3`, … that no author has. Free until the
/// transaction ends (see [`slugs::reserve`]).
pub fn free_slug(conn: &mut PgConnection, base: &str) -> QueryResult<String> {
    slugs::reserve(conn, slugs::Scope::Authors, base)?;
    let taken: Vec<String> = authors::table
        .filter(slugs::starting_with(authors::slug, base))
        .select(authors::slug)
        .load(conn)?;
    Ok(slugs::next_free(base, &taken))
}

pub fn insert(conn: &mut PgConnection, author: &NewAuthor) -> QueryResult<Author> {
    diesel::insert_into(authors::table)
        .values(author)
        .returning(Author::as_returning())
        .get_result(conn)
}

pub fn update(conn: &mut PgConnection, id: Uuid, changes: &AuthorChanges) -> QueryResult<Author> {
    diesel::update(authors::table.find(id))
        .set((
            changes,
            authors::updated_at.eq(Utc::now()),
            authors::version.eq(authors::version + 1),
        ))
        .returning(Author::as_returning())
        .get_result(conn)
}

pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(authors::table.find(id)).execute(conn)
}
