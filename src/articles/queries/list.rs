//! The article list: which articles a request matches, how many, and one page of them.

use chrono::{DateTime, Utc};
use diesel::{pg::Pg, prelude::*};
use uuid::Uuid;

use super::sort::{Cursor, Sort, ordered};
use crate::{
    articles::{
        live::live,
        model::{Article, ArticleSummary, Status},
    },
    schema::articles,
};

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
    /// Words, and the articles the search index finds for them.
    pub q: Option<crate::search::Matches>,
}

/// The list query as it is built: filtered here, then ordered by [`ordered`].
pub(super) type Boxed = articles::BoxedQuery<'static, Pg>;

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
    if let Some(matches) = &f.q {
        query = query.filter(articles::id.eq_any(matches.ids.clone()));
    }
    query
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
