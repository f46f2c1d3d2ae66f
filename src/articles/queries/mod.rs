//! Every query on articles, their slugs and their revisions.

use chrono::{DateTime, Utc};
use diesel::{
    dsl::{now, sql},
    pg::Pg,
    prelude::*,
    sql_types::{Bool, Text, Uuid as SqlUuid},
};
use uuid::Uuid;

use crate::{
    articles::live::live,
    articles::model::{Article, ArticleSummary, Content, Revision, Status},
    pagination::Page,
    schema::{
        article_revisions, article_search, article_slug_history, articles, authors, categories,
        tags,
    },
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

/// Slugs in use or once used that start like `base`.
pub fn taken_slugs(conn: &mut PgConnection, base: &str) -> QueryResult<Vec<String>> {
    let pattern = slugs::like_pattern(base);
    let mut taken: Vec<String> = articles::table
        .filter(articles::slug.like(&pattern))
        .select(articles::slug)
        .load(conn)?;
    taken.extend(
        article_slug_history::table
            .filter(article_slug_history::slug.like(&pattern))
            .select(article_slug_history::slug)
            .load::<String>(conn)?,
    );
    Ok(taken)
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

pub fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    content: &Content,
    created_by: Uuid,
) -> QueryResult<Article> {
    diesel::insert_into(articles::table)
        .values((
            articles::id.eq(id),
            content,
            articles::created_by.eq(created_by),
        ))
        .returning(Article::as_returning())
        .get_result(conn)
}

pub fn update_content(
    conn: &mut PgConnection,
    id: Uuid,
    content: &Content,
) -> QueryResult<Article> {
    diesel::update(articles::table.find(id))
        .set((
            content,
            articles::updated_at.eq(now),
            articles::version.eq(articles::version + 1),
        ))
        .returning(Article::as_returning())
        .get_result(conn)
}

pub fn set_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: Status,
    published_at: Option<DateTime<Utc>>,
) -> QueryResult<Article> {
    diesel::update(articles::table.find(id))
        .set((
            articles::status.eq(status.as_str()),
            articles::published_at.eq(published_at),
            articles::updated_at.eq(now),
            articles::version.eq(articles::version + 1),
        ))
        .returning(Article::as_returning())
        .get_result(conn)
}

pub fn set_trashed(conn: &mut PgConnection, id: Uuid, trashed: bool) -> QueryResult<Article> {
    let deleted_at: Option<DateTime<Utc>> = trashed.then(Utc::now);
    diesel::update(articles::table.find(id))
        .set((
            articles::deleted_at.eq(deleted_at),
            articles::updated_at.eq(now),
            articles::version.eq(articles::version + 1),
        ))
        .returning(Article::as_returning())
        .get_result(conn)
}

pub fn purge(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(articles::table.find(id)).execute(conn)
}

/// Publishes every scheduled article whose time has come, and returns their ids.
///
/// `SKIP LOCKED` lets several Masthead processes run this at once: each due article is taken
/// by exactly one of them, and a row already flipped no longer matches.
pub fn publish_due(conn: &mut PgConnection) -> QueryResult<Vec<Uuid>> {
    diesel::sql_query(
        "UPDATE articles SET status = 'published', updated_at = now(), version = version + 1 \
         WHERE id IN (SELECT id FROM articles WHERE status = 'scheduled' AND published_at <= now() \
                      AND deleted_at IS NULL FOR UPDATE SKIP LOCKED) \
         RETURNING id",
    )
    .load::<PublishedId>(conn)
    .map(|rows| rows.into_iter().map(|r| r.id).collect())
}

#[derive(QueryableByName)]
struct PublishedId {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

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

pub fn latest_revision(conn: &mut PgConnection, article: Uuid) -> QueryResult<Option<Revision>> {
    article_revisions::table
        .filter(article_revisions::article_id.eq(article))
        .order(article_revisions::number.desc())
        .select(Revision::as_select())
        .first(conn)
        .optional()
}

pub fn insert_revision(
    conn: &mut PgConnection,
    article: Uuid,
    number: i32,
    by: Uuid,
    content: &serde_json::Value,
) -> QueryResult<usize> {
    diesel::insert_into(article_revisions::table)
        .values((
            article_revisions::id.eq(Uuid::now_v7()),
            article_revisions::article_id.eq(article),
            article_revisions::number.eq(number),
            article_revisions::created_by.eq(by),
            article_revisions::content.eq(content),
        ))
        .execute(conn)
}

pub fn fold_into_revision(
    conn: &mut PgConnection,
    revision: Uuid,
    content: &serde_json::Value,
) -> QueryResult<usize> {
    diesel::update(article_revisions::table.find(revision))
        .set((
            article_revisions::content.eq(content),
            article_revisions::updated_at.eq(now),
        ))
        .execute(conn)
}

/// A page of the article's revisions, newest first, and how many it has.
pub fn list_revisions(
    conn: &mut PgConnection,
    article: Uuid,
    page: Page,
) -> QueryResult<(Vec<Revision>, i64)> {
    let of_article = || article_revisions::table.filter(article_revisions::article_id.eq(article));
    let rows = of_article()
        .order(article_revisions::number.desc())
        .select(Revision::as_select())
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, of_article().count().get_result(conn)?))
}

pub fn find_revision(conn: &mut PgConnection, article: Uuid, number: i32) -> QueryResult<Revision> {
    article_revisions::table
        .filter(article_revisions::article_id.eq(article))
        .filter(article_revisions::number.eq(number))
        .select(Revision::as_select())
        .first(conn)
}

/// How a list is ordered; each has a keyset cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    PublishedDesc,
    PublishedAsc,
    UpdatedDesc,
    UpdatedAsc,
    Title,
}

/// Where the previous page ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Cursor {
    Time(Option<DateTime<Utc>>, Uuid),
    Title(String, Uuid),
}

/// A checked list request.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Only what anonymous readers may see.
    pub live_only: bool,
    pub trashed: bool,
    pub status: Option<Status>,
    pub author: Option<Uuid>,
    pub category: Option<Uuid>,
    pub tag: Option<Uuid>,
    pub featured: Option<bool>,
    pub kind: Option<String>,
    pub locale: Option<String>,
    pub published_after: Option<DateTime<Utc>>,
    pub published_before: Option<DateTime<Utc>>,
    /// A `tsquery` of the search index's words.
    pub q: Option<String>,
}

type Boxed = articles::BoxedQuery<'static, Pg>;

fn filtered(f: &Filters) -> Boxed {
    let mut query = articles::table.into_boxed();
    query = if f.trashed {
        query.filter(articles::deleted_at.is_not_null())
    } else {
        query.filter(articles::deleted_at.is_null())
    };
    if f.live_only {
        query = query.filter(live());
    }
    if let Some(status) = f.status {
        query = query.filter(articles::status.eq(status.as_str()));
    }
    if let Some(author) = f.author {
        query = query.filter(articles::author_ids.contains(vec![author]));
    }
    if let Some(category) = f.category {
        query = query.filter(articles::category_id.eq(category));
    }
    if let Some(tag) = f.tag {
        query = query.filter(articles::tag_ids.contains(vec![tag]));
    }
    if let Some(featured) = f.featured {
        query = query.filter(articles::featured.eq(featured));
    }
    if let Some(kind) = &f.kind {
        query = query.filter(articles::kind.eq(kind.clone()));
    }
    if let Some(locale) = &f.locale {
        query = query.filter(articles::locale.eq(locale.clone()));
    }
    if let Some(after) = f.published_after {
        query = query.filter(articles::published_at.ge(after));
    }
    if let Some(before) = f.published_before {
        query = query.filter(articles::published_at.lt(before));
    }
    if let Some(tsquery) = &f.q {
        // The search index's words; `tsquery` is made by `search::text::strict_query`.
        query = query.filter(
            articles::id.eq_any(
                article_search::table
                    .filter(
                        sql::<Bool>("article_search.document @@ to_tsquery('simple', ")
                            .bind::<Text, _>(tsquery.clone())
                            .sql(")"),
                    )
                    .select(article_search::article_id),
            ),
        );
    }
    query
}

/// `published_at` as an expression no index is ordered by. With a tag or author filter, the GIN
/// index finds an article's few hundred rows at once, and sorting them is cheap; left to itself
/// the planner would rather walk the time index and skip tens of thousands of rows (50 ms on
/// 100,000 articles against 1 ms).
fn published_unindexed()
-> diesel::expression::SqlLiteral<diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>> {
    diesel::dsl::sql("(articles.published_at + interval '0 seconds')")
}

fn ordered(query: Boxed, sort: Sort, after: Option<&Cursor>, by_array: bool) -> Boxed {
    use articles::{id, published_at as published, title, updated_at as updated};
    let query = match (sort, after) {
        (Sort::PublishedDesc, None) => query.order((published.desc().nulls_last(), id.desc())),
        (Sort::PublishedDesc, Some(Cursor::Time(Some(at), last))) => query
            .filter(
                published
                    .lt(*at)
                    .or(published.eq(*at).and(id.lt(*last)))
                    .or(published.is_null()),
            )
            .order((published.desc().nulls_last(), id.desc())),
        (Sort::PublishedDesc, Some(Cursor::Time(None, last))) => query
            .filter(published.is_null().and(id.lt(*last)))
            .order((published.desc().nulls_last(), id.desc())),
        (Sort::PublishedAsc, None) => query.order((published.asc().nulls_last(), id.asc())),
        (Sort::PublishedAsc, Some(Cursor::Time(Some(at), last))) => query
            .filter(
                published
                    .gt(*at)
                    .or(published.eq(*at).and(id.gt(*last)))
                    .or(published.is_null()),
            )
            .order((published.asc().nulls_last(), id.asc())),
        (Sort::PublishedAsc, Some(Cursor::Time(None, last))) => query
            .filter(published.is_null().and(id.gt(*last)))
            .order((published.asc().nulls_last(), id.asc())),
        (Sort::UpdatedDesc, Some(Cursor::Time(Some(at), last))) => query
            .filter(updated.lt(*at).or(updated.eq(*at).and(id.lt(*last))))
            .order((updated.desc(), id.desc())),
        (Sort::UpdatedDesc, _) => query.order((updated.desc(), id.desc())),
        (Sort::UpdatedAsc, Some(Cursor::Time(Some(at), last))) => query
            .filter(updated.gt(*at).or(updated.eq(*at).and(id.gt(*last))))
            .order((updated.asc(), id.asc())),
        (Sort::UpdatedAsc, _) => query.order((updated.asc(), id.asc())),
        (Sort::Title, Some(Cursor::Title(after, last))) => query
            .filter(
                title
                    .gt(after.clone())
                    .or(title.eq(after.clone()).and(id.gt(*last))),
            )
            .order((title.asc(), id.asc())),
        (Sort::Title, _) => query.order((title.asc(), id.asc())),
        // A cursor of another sort's shape is refused before it gets here.
        (_, Some(_)) => query.order(id.desc()),
    };
    // `order` replaces the ordering above, keeping its keyset filter.
    match (sort, by_array) {
        (Sort::PublishedDesc, true) => {
            query.order((published_unindexed().desc().nulls_last(), id.desc()))
        }
        (Sort::PublishedAsc, true) => {
            query.order((published_unindexed().asc().nulls_last(), id.asc()))
        }
        _ => query,
    }
}

/// How many articles match: the list's total.
pub fn count(conn: &mut PgConnection, filters: &Filters) -> QueryResult<i64> {
    filtered(filters).count().get_result(conn)
}

/// A page of summaries, or of whole articles when `with_bodies`: one statement.
pub fn page(
    conn: &mut PgConnection,
    filters: &Filters,
    sort: Sort,
    after: Option<&Cursor>,
    limit: i64,
    offset: i64,
    with_bodies: bool,
) -> QueryResult<(Vec<Article>, Vec<ArticleSummary>)> {
    let by_array = filters.author.is_some() || filters.tag.is_some();
    let page = ordered(filtered(filters), sort, after, by_array)
        .limit(limit)
        .offset(offset);
    if with_bodies {
        Ok((page.select(Article::as_select()).load(conn)?, Vec::new()))
    } else {
        Ok((
            Vec::new(),
            page.select(ArticleSummary::as_select()).load(conn)?,
        ))
    }
}

/// Rows to embed with `include`, as JSON objects keyed by id: one statement per relation.
pub fn embeddable_authors(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, serde_json::Value)>> {
    authors::table
        .filter(authors::id.eq_any(ids))
        .select((
            authors::id,
            authors::slug,
            authors::name,
            authors::avatar_id,
        ))
        .load::<(Uuid, String, String, Option<Uuid>)>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(|(id, slug, name, avatar)| {
                    (
                        id,
                        serde_json::json!({"id": id, "slug": slug, "name": name, "avatar": avatar}),
                    )
                })
                .collect()
        })
}

pub fn embeddable_tags(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, serde_json::Value)>> {
    tags::table
        .filter(tags::id.eq_any(ids))
        .select((tags::id, tags::slug, tags::name))
        .load::<(Uuid, String, String)>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(|(id, slug, name)| {
                    (
                        id,
                        serde_json::json!({"id": id, "slug": slug, "name": name}),
                    )
                })
                .collect()
        })
}

pub fn embeddable_categories(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, serde_json::Value)>> {
    categories::table
        .filter(categories::id.eq_any(ids))
        .select((
            categories::id,
            categories::slug,
            categories::name,
            categories::parent_id,
        ))
        .load::<(Uuid, String, String, Option<Uuid>)>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(|(id, slug, name, parent)| {
                    (
                        id,
                        serde_json::json!({"id": id, "slug": slug, "name": name, "parent": parent}),
                    )
                })
                .collect()
        })
}

/// Resolves a filter value that may be an id or a slug; `None` when no row has it.
pub fn resolve_author(conn: &mut PgConnection, key: &slugs::Key) -> QueryResult<Option<Uuid>> {
    match key {
        slugs::Key::Id(id) => Ok(Some(*id)),
        slugs::Key::Slug(slug) => authors::table
            .filter(authors::slug.eq(slug))
            .select(authors::id)
            .first(conn)
            .optional(),
    }
}

pub fn resolve_category(conn: &mut PgConnection, key: &slugs::Key) -> QueryResult<Option<Uuid>> {
    match key {
        slugs::Key::Id(id) => Ok(Some(*id)),
        slugs::Key::Slug(slug) => categories::table
            .filter(categories::slug.eq(slug))
            .select(categories::id)
            .first(conn)
            .optional(),
    }
}

pub fn resolve_tag(conn: &mut PgConnection, key: &slugs::Key) -> QueryResult<Option<Uuid>> {
    match key {
        slugs::Key::Id(id) => Ok(Some(*id)),
        slugs::Key::Slug(slug) => tags::table
            .filter(tags::slug.eq(slug))
            .select(tags::id)
            .first(conn)
            .optional(),
    }
}
