use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::{
    changes::model::Change,
    schema::{change_consumers, change_log},
};

/// Changes committed after `seq`, in commit order. Nothing committed later can take a number
/// at or below the highest one returned, so a consumer that goes on from there skips nothing.
pub fn after(conn: &mut PgConnection, seq: i64, limit: i64) -> QueryResult<Vec<Change>> {
    change_log::table
        .filter(change_log::seq.gt(seq))
        .order(change_log::seq)
        .limit(limit)
        .select(Change::as_select())
        .load(conn)
}

/// The first commit number still kept: the oldest change not pruned, or the next one to come
/// when every change was pruned.
pub fn first_kept(conn: &mut PgConnection) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct First {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        seq: i64,
    }
    diesel::sql_query(
        "SELECT coalesce((SELECT min(seq) FROM change_log), \
             (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END \
              FROM change_log_seq)) AS seq",
    )
    .get_result::<First>(conn)
    .map(|first| first.seq)
}

/// The highest number committed so far (0 for an empty log).
pub fn latest(conn: &mut PgConnection) -> QueryResult<i64> {
    change_log::table
        .select(diesel::dsl::max(change_log::seq))
        .first::<Option<i64>>(conn)
        .map(Option::unwrap_or_default)
}

/// The transaction that wrote change `seq`, while the log keeps it.
pub fn transaction_of(conn: &mut PgConnection, seq: i64) -> QueryResult<Option<i64>> {
    change_log::table
        .filter(change_log::seq.eq(seq))
        .select(change_log::tx)
        .first(conn)
        .optional()
}

/// Where consumer `name` has read to, locked for this transaction; `None` when another process
/// holds it (that process is consuming, so this one need not).
pub fn claim_consumer(conn: &mut PgConnection, name: &str) -> QueryResult<Option<i64>> {
    change_consumers::table
        .find(name)
        .select(change_consumers::last_seq)
        .for_update()
        .skip_locked()
        .first(conn)
        .optional()
}

pub fn advance_consumer(conn: &mut PgConnection, name: &str, seq: i64) -> QueryResult<()> {
    diesel::update(change_consumers::table.find(name))
        .set((
            change_consumers::last_seq.eq(seq),
            change_consumers::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .map(drop)
}

/// Forgets changes recorded before `before` that every consumer has read; returns how many.
/// A consumer that fell behind keeps what it has not read, whatever its age.
pub fn prune(conn: &mut PgConnection, before: DateTime<Utc>) -> QueryResult<usize> {
    let read_by_all = change_consumers::table
        .select(diesel::dsl::min(change_consumers::last_seq))
        .single_value();
    diesel::delete(
        change_log::table
            .filter(change_log::at.lt(before))
            .filter(change_log::seq.le(read_by_all)),
    )
    .execute(conn)
}

/// Every change of transaction `tx` committed after `seq`, in order.
pub fn of_transaction(conn: &mut PgConnection, tx: i64, seq: i64) -> QueryResult<Vec<Change>> {
    change_log::table
        .filter(change_log::tx.eq(tx))
        .filter(change_log::seq.gt(seq))
        .order(change_log::seq)
        .select(Change::as_select())
        .load(conn)
}
