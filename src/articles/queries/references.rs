//! The rows an article names (authors, tags, its category, the original of a translation): are
//! they there, and who is the writer's author profile.

use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::{articles, authors, categories, tags};

/// The author profile linked to an account, if it has one.
pub fn author_of_user(conn: &mut PgConnection, user: Uuid) -> QueryResult<Option<Uuid>> {
    authors::table
        .filter(authors::user_id.eq(user))
        .select(authors::id)
        .first(conn)
        .optional()
}

/// Makes an author profile for an account that writes without one.
pub fn create_author_for_user(
    conn: &mut PgConnection,
    user: Uuid,
    name: &str,
    slug: &str,
) -> QueryResult<Uuid> {
    diesel::insert_into(authors::table)
        .values((
            authors::id.eq(Uuid::now_v7()),
            authors::slug.eq(slug),
            authors::name.eq(name),
            authors::user_id.eq(user),
        ))
        .returning(authors::id)
        .get_result(conn)
}

/// Which of `ids` name no row: one query per kind of reference.
pub fn missing_authors(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    // Locked against a concurrent delete until the article naming them is written.
    let found: Vec<Uuid> = authors::table
        .filter(authors::id.eq_any(ids))
        .select(authors::id)
        .for_key_share()
        .load(conn)?;
    Ok(ids
        .iter()
        .filter(|id| !found.contains(id))
        .copied()
        .collect())
}

pub fn missing_tags(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    let found: Vec<Uuid> = tags::table
        .filter(tags::id.eq_any(ids))
        .select(tags::id)
        .for_key_share()
        .load(conn)?;
    Ok(ids
        .iter()
        .filter(|id| !found.contains(id))
        .copied()
        .collect())
}

pub fn category_exists(conn: &mut PgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(categories::table.find(id))).get_result(conn)
}

pub fn article_exists(conn: &mut PgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(articles::table.find(id))).get_result(conn)
}

/// Whether `user` is linked to one of `author_ids`.
pub fn is_author(conn: &mut PgConnection, user: Uuid, author_ids: &[Uuid]) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        authors::table
            .filter(authors::id.eq_any(author_ids))
            .filter(authors::user_id.eq(user)),
    ))
    .get_result(conn)
}
