//! Finding an article by id, slug or old slug, and keeping slugs unique and old ones answering.

use diesel::prelude::*;
use uuid::Uuid;

use crate::{
    articles::model::Article,
    schema::{article_slug_history, articles},
    slugs,
};

/// An article found by a path segment.
pub enum Lookup {
    Found(Box<Article>),
    /// The segment is an old slug of this article, which now has another.
    Moved(Box<Article>),
    Missing,
}

pub fn find(conn: &mut PgConnection, key: &slugs::Key) -> QueryResult<Lookup> {
    let found = match key {
        slugs::Key::Id(id) => articles::table
            .find(*id)
            .select(Article::as_select())
            .first(conn),
        slugs::Key::Slug(slug) => articles::table
            .filter(articles::slug.eq(slug))
            .select(Article::as_select())
            .first(conn),
    }
    .optional()?;
    if let Some(article) = found {
        return Ok(Lookup::Found(Box::new(article)));
    }
    let slugs::Key::Slug(slug) = key else {
        return Ok(Lookup::Missing);
    };
    let moved: Option<Article> = article_slug_history::table
        .inner_join(articles::table)
        .filter(article_slug_history::slug.eq(slug))
        .select(Article::as_select())
        .first(conn)
        .optional()?;
    Ok(moved.map_or(Lookup::Missing, |article| Lookup::Moved(Box::new(article))))
}

/// The row locked for a read-check-write.
pub fn lock(conn: &mut PgConnection, id: Uuid) -> QueryResult<Article> {
    articles::table
        .find(id)
        .select(Article::as_select())
        .for_update()
        .first(conn)
}

/// The row an id or current slug names, locked for a read-check-write, in one statement.
pub fn lock_current(conn: &mut PgConnection, key: &slugs::Key) -> QueryResult<Option<Article>> {
    match key {
        slugs::Key::Id(id) => articles::table
            .find(*id)
            .select(Article::as_select())
            .for_update()
            .first(conn),
        slugs::Key::Slug(slug) => articles::table
            .filter(articles::slug.eq(slug))
            .select(Article::as_select())
            .for_update()
            .first(conn),
    }
    .optional()
}

/// Slugs in use or once used that start like `base`.
pub fn taken_slugs(conn: &mut PgConnection, base: &str) -> QueryResult<Vec<String>> {
    articles::table
        .filter(slugs::starting_with(articles::slug, base))
        .select(articles::slug)
        .union_all(
            article_slug_history::table
                .filter(slugs::starting_with(article_slug_history::slug, base))
                .select(article_slug_history::slug),
        )
        .load(conn)
}

pub fn slug_taken(conn: &mut PgConnection, slug: &str, except: Option<Uuid>) -> QueryResult<bool> {
    let mut current = articles::table.filter(articles::slug.eq(slug)).into_boxed();
    let mut retired = article_slug_history::table
        .filter(article_slug_history::slug.eq(slug))
        .into_boxed();
    if let Some(id) = except {
        current = current.filter(articles::id.ne(id));
        retired = retired.filter(article_slug_history::article_id.ne(id));
    }
    Ok(
        diesel::select(diesel::dsl::exists(current.select(articles::id))).get_result(conn)?
            || diesel::select(diesel::dsl::exists(
                retired.select(article_slug_history::slug),
            ))
            .get_result(conn)?,
    )
}

/// Keeps the old slug answering (with a redirect) after a slug change.
pub fn retire_slug(conn: &mut PgConnection, slug: &str, article: Uuid) -> QueryResult<usize> {
    // An article changing back to a slug it had before takes it out of the history.
    diesel::delete(
        article_slug_history::table.filter(article_slug_history::article_id.eq(article)),
    )
    .filter(article_slug_history::slug.eq(slug))
    .execute(conn)?;
    diesel::insert_into(article_slug_history::table)
        .values((
            article_slug_history::slug.eq(slug),
            article_slug_history::article_id.eq(article),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
}

pub fn forget_retired_slug(conn: &mut PgConnection, slug: &str) -> QueryResult<usize> {
    diesel::delete(article_slug_history::table.filter(article_slug_history::slug.eq(slug)))
        .execute(conn)
}
