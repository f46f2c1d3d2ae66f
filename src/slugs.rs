//! Finding a free slug, and reading a path segment that may be an id or a slug.

use diesel::{
    BoolExpressionMethods, Expression, IntoSql, OptionalExtension, PgConnection, QueryResult,
    QueryableByName, RunQueryDsl,
    dsl::{And, AsExprOf},
    sql_query,
    sql_types::{Text, Uuid as SqlUuid},
};
use uuid::Uuid;

use crate::db::{self, LockKind};

/// The tables whose slugs the server picks.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Articles = 1,
    Authors = 2,
    Categories = 3,
    Tags = 4,
}

impl Scope {
    fn table(self) -> &'static str {
        match self {
            Self::Articles => "articles",
            Self::Authors => "authors",
            Self::Categories => "categories",
            Self::Tags => "tags",
        }
    }
}

/// Holds, until the transaction ends, the right to name things after `base` in `scope`.
///
/// Writers choosing from one base would otherwise all read the same slug as free, and the
/// unique index would refuse all but one of their writes. Only writers of the same base wait
/// for each other; their transactions must be open (outside one the lock ends at once).
pub fn reserve(conn: &mut PgConnection, scope: Scope, base: &str) -> QueryResult<()> {
    db::lock_until_commit(conn, LockKind::Slug, &format!("{}:{base}", scope as i32))
}

/// `base` when no taken slug equals it, otherwise the first free `base-2`, `base-3`, ….
/// `taken` holds the slugs that start with `base` (callers fetch them with [`starting_with`]).
pub fn next_free(base: &str, taken: &[String]) -> String {
    if !taken.iter().any(|t| t == base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !taken.iter().any(|t| t == candidate))
        .unwrap_or_else(|| base.to_owned())
}

diesel::infix_operator!(PatternAtLeast, " ~>=~ ", backend: diesel::pg::Pg);
diesel::infix_operator!(PatternBelow, " ~<~ ", backend: diesel::pg::Pg);

/// The slugs in `column` that start with `base` (so `base` and its numbered variants).
pub type StartingWith<C> =
    And<PatternAtLeast<C, AsExprOf<String, Text>>, PatternBelow<C, AsExprOf<String, Text>>>;

/// `column` starts with `base`, as the byte-wise range the `text_pattern_ops` prefix indexes
/// answer. `LIKE $1` cannot use them once PostgreSQL settles on a prepared statement's generic
/// plan (the pattern is unknown when that plan is made), and then every create read the whole
/// table. Slugs are `[a-z0-9-]`, all below `~`, so the range holds exactly the prefixed ones.
pub fn starting_with<C>(column: C, base: &str) -> StartingWith<C>
where
    C: Expression<SqlType = Text> + Copy,
{
    PatternAtLeast::new(column, base.to_owned().into_sql::<Text>()).and(PatternBelow::new(
        column,
        format!("{base}~").into_sql::<Text>(),
    ))
}

/// A path segment that names a resource: its id when it parses as one, its slug otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Id(Uuid),
    Slug(String),
}

impl Key {
    pub fn parse(segment: &str) -> Self {
        match Uuid::parse_str(segment) {
            Ok(id) => Self::Id(id),
            Err(_) => Self::Slug(segment.to_owned()),
        }
    }
}

/// The id a filter value names in `scope`: an id as it is, a slug by its current row; `None` when
/// no row has the slug.
pub fn resolve(conn: &mut PgConnection, scope: Scope, key: &Key) -> QueryResult<Option<Uuid>> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    match key {
        Key::Id(id) => Ok(Some(*id)),
        Key::Slug(slug) => sql_query(format!("SELECT id FROM {} WHERE slug = $1", scope.table()))
            .bind::<Text, _>(slug)
            .get_result::<Found>(conn)
            .optional()
            .map(|found| found.map(|f| f.id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_slug_gets_the_next_number() {
        let taken = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(next_free("news", &taken(&[])), "news");
        assert_eq!(next_free("news", &taken(&["news-2", "newsletter"])), "news");
        assert_eq!(next_free("news", &taken(&["news", "newsletter"])), "news-2");
        assert_eq!(
            next_free("news", &taken(&["news", "news-2", "news-3"])),
            "news-4"
        );
    }

    #[test]
    fn keys_are_ids_or_slugs() {
        let id = Uuid::now_v7();
        assert_eq!(Key::parse(&id.to_string()), Key::Id(id));
        assert_eq!(
            Key::parse("yong-min-sheng"),
            Key::Slug("yong-min-sheng".into())
        );
    }
}
