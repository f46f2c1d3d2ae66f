//! Which articles readers see, stated once: as a Diesel filter and as SQL text.
//!
//! Live means published, or scheduled with its time come (the scheduler may not have marked it
//! yet), not yet taken down (`unpublish_at` still ahead, or none), and not in the trash.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::{
    PgConnection, QueryResult, RunQueryDsl,
    dsl::now,
    prelude::*,
    sql_query,
    sql_types::{Array, BigInt, Uuid as SqlUuid},
};
use uuid::Uuid;

use crate::{articles::model::Status, schema::articles};

/// The statuses an article may be live in.
const LIVE_STATUSES: [&str; 2] = ["published", "scheduled"];

#[diesel::dsl::auto_type]
pub fn live() -> _ {
    let statuses: [&'static str; 2] = LIVE_STATUSES;
    articles::deleted_at
        .is_null()
        .and(articles::status.eq_any(statuses))
        .and(articles::published_at.le(now))
        .and(
            articles::unpublish_at
                .is_null()
                .or(articles::unpublish_at.gt(now)),
        )
}

/// [`live`] as SQL text, for the articles table named `alias` in the statement.
pub fn live_sql(alias: &str) -> String {
    format!(
        "{alias}.deleted_at IS NULL AND {alias}.status IN ('published', 'scheduled') \
         AND {alias}.published_at <= now() \
         AND ({alias}.unpublish_at IS NULL OR {alias}.unpublish_at > now())"
    )
}

/// SQL for the next moment, after now, at which any article goes live or comes down by itself
/// (NULL when none is due): answers over all live content change then.
pub fn next_change_sql() -> &'static str {
    "(SELECT min(CASE WHEN s.published_at > now() THEN s.published_at ELSE s.unpublish_at END) \
      FROM articles s WHERE s.deleted_at IS NULL AND s.status IN ('published', 'scheduled') \
      AND (s.published_at > now() OR s.unpublish_at > now()))"
}

/// Whole seconds from `moment` to `at` (at least 1), for a `max-age` that must not outlive `at`.
pub fn seconds_until(at: DateTime<Utc>, moment: DateTime<Utc>) -> u32 {
    u32::try_from((at - moment).num_seconds().max(1)).unwrap_or(u32::MAX)
}

/// The times and state that decide whether an article is live.
#[derive(Debug, Clone, Copy)]
pub struct Timing<'a> {
    pub status: &'a str,
    pub published_at: Option<DateTime<Utc>>,
    pub unpublish_at: Option<DateTime<Utc>>,
    pub trashed: bool,
}

impl Timing<'_> {
    /// [`live`] at `moment`, for a row already read.
    pub fn is_live(&self, moment: DateTime<Utc>) -> bool {
        !self.trashed && self.status(moment) == Status::Published
    }

    /// The status readers experience at `moment`: `published` from its time on even before the
    /// scheduler marks it, `archived` from `unpublish_at` on even before the take-down job runs.
    pub fn status(&self, moment: DateTime<Utc>) -> Status {
        match Status::from_column(self.status) {
            Status::Published | Status::Scheduled
                if self.unpublish_at.is_some_and(|at| at <= moment) =>
            {
                Status::Archived
            }
            Status::Published | Status::Scheduled
                if self.published_at.is_some_and(|at| at <= moment) =>
            {
                Status::Published
            }
            Status::Published | Status::Scheduled => Status::Scheduled,
            other => other,
        }
    }

    /// Seconds until the article goes live or comes down by itself, when that is ahead: no
    /// public copy of an answer showing it may outlive that moment.
    pub fn seconds_to_change(&self, moment: DateTime<Utc>) -> Option<u32> {
        if self.trashed
            || !matches!(
                Status::from_column(self.status),
                Status::Published | Status::Scheduled
            )
        {
            return None;
        }
        [self.published_at, self.unpublish_at]
            .into_iter()
            .flatten()
            .filter(|at| *at > moment)
            .min()
            .map(|at| seconds_until(at, moment))
    }
}

/// The array column of the people or labels an article names.
#[derive(Debug, Clone, Copy)]
pub enum Naming {
    Authors,
    Tags,
}

/// Live articles naming each of `ids` (authors or tags), in one statement; ids that no live
/// article names are absent.
pub fn counts_naming(
    conn: &mut PgConnection,
    naming: Naming,
    ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, i64>> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let column = match naming {
        Naming::Authors => "author_ids",
        Naming::Tags => "tag_ids",
    };
    // `column && $1` lets the GIN index pick the articles before they are unnested.
    let counts: Vec<Count> = sql_query(format!(
        "SELECT named.id, count(DISTINCT articles.id) AS n \
         FROM articles CROSS JOIN LATERAL unnest(articles.{column}) AS named(id) \
         WHERE articles.{column} && $1 AND named.id = ANY($1) AND {} \
         GROUP BY named.id",
        live_sql("articles")
    ))
    .bind::<Array<SqlUuid>, _>(ids)
    .load(conn)?;
    Ok(counts.into_iter().map(|c| (c.id, c.n)).collect())
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn moment() -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + TimeDelta::days(20_000)
    }

    fn timing(status: &str, published: Option<i64>, until: Option<i64>) -> Timing<'_> {
        let at = |offset: i64| moment() + TimeDelta::seconds(offset);
        Timing {
            status,
            published_at: published.map(at),
            unpublish_at: until.map(at),
            trashed: false,
        }
    }

    #[test]
    fn readers_are_told_the_status_they_experience() {
        let moment = moment();
        for (status, published, until, expected, live) in [
            ("scheduled", Some(30), None, Status::Scheduled, false),
            // Its time has come; the scheduler has not run yet.
            ("scheduled", Some(-1), None, Status::Published, true),
            ("published", Some(-60), Some(60), Status::Published, true),
            // Taken down; the job has not run yet.
            ("published", Some(-60), Some(0), Status::Archived, false),
            ("scheduled", Some(-60), Some(-1), Status::Archived, false),
            ("draft", Some(-60), None, Status::Draft, false),
            ("archived", Some(-60), Some(60), Status::Archived, false),
        ] {
            let timing = timing(status, published, until);
            assert_eq!(
                timing.status(moment),
                expected,
                "{status} {published:?} {until:?}"
            );
            assert_eq!(
                timing.is_live(moment),
                live,
                "{status} {published:?} {until:?}"
            );
        }
        let trashed = Timing {
            trashed: true,
            ..timing("published", Some(-60), None)
        };
        assert!(!trashed.is_live(moment));
    }

    #[test]
    fn a_copy_may_last_until_the_next_moment_the_article_goes_up_or_down() {
        let moment = moment();
        assert_eq!(
            timing("published", Some(-60), Some(42)).seconds_to_change(moment),
            Some(42)
        );
        assert_eq!(
            timing("scheduled", Some(7), Some(42)).seconds_to_change(moment),
            Some(7)
        );
        assert_eq!(
            timing("published", Some(-60), None).seconds_to_change(moment),
            None
        );
        assert_eq!(
            timing("draft", Some(7), Some(42)).seconds_to_change(moment),
            None
        );
    }
}
