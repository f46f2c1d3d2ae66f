use chrono::{DateTime, Utc};
use diesel::{
    prelude::*,
    sql_types::{Array, BigInt, Timestamptz, Uuid as SqlUuid},
};
use uuid::Uuid;

use crate::{
    pagination::Page,
    schema::{webhook_attempts, webhook_deliveries, webhooks},
    webhooks::model::{Attempt, Delivery, Webhook, WebhookChanges},
};

pub fn insert(conn: &mut PgConnection, hook: &Webhook) -> QueryResult<Webhook> {
    diesel::insert_into(webhooks::table)
        .values(hook)
        .returning(Webhook::as_returning())
        .get_result(conn)
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Webhook> {
    webhooks::table
        .find(id)
        .select(Webhook::as_select())
        .first(conn)
}

pub fn find_for_update(conn: &mut PgConnection, id: Uuid) -> QueryResult<Webhook> {
    webhooks::table
        .find(id)
        .select(Webhook::as_select())
        .for_update()
        .first(conn)
}

pub fn list(conn: &mut PgConnection, page: Page) -> QueryResult<(Vec<Webhook>, i64)> {
    let rows = webhooks::table
        .select(Webhook::as_select())
        .order(webhooks::id)
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    let total = webhooks::table.count().get_result(conn)?;
    Ok((rows, total))
}

pub fn active(conn: &mut PgConnection) -> QueryResult<Vec<Webhook>> {
    webhooks::table
        .filter(webhooks::active.eq(true))
        .select(Webhook::as_select())
        .load(conn)
}

pub fn update(conn: &mut PgConnection, id: Uuid, changes: &WebhookChanges) -> QueryResult<Webhook> {
    diesel::update(webhooks::table.find(id))
        .set((
            changes,
            webhooks::updated_at.eq(diesel::dsl::now),
            webhooks::version.eq(webhooks::version + 1),
        ))
        .returning(Webhook::as_returning())
        .get_result(conn)
}

pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(webhooks::table.find(id)).execute(conn)
}

pub fn insert_deliveries(conn: &mut PgConnection, deliveries: &[Delivery]) -> QueryResult<usize> {
    diesel::insert_into(webhook_deliveries::table)
        .values(deliveries)
        .execute(conn)
}

pub fn find_delivery(conn: &mut PgConnection, hook: Uuid, id: Uuid) -> QueryResult<Delivery> {
    webhook_deliveries::table
        .filter(webhook_deliveries::id.eq(id))
        .filter(webhook_deliveries::webhook_id.eq(hook))
        .select(Delivery::as_select())
        .first(conn)
}

/// A delivery with every attempt made for it, first to last.
pub type DeliveryLog = (Delivery, Vec<Attempt>);

/// A page of a hook's deliveries, newest first, with their attempts, and how many there are.
pub fn deliveries(
    conn: &mut PgConnection,
    hook: Uuid,
    page: Page,
) -> QueryResult<(Vec<DeliveryLog>, i64)> {
    let rows: Vec<Delivery> = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(hook))
        .order(webhook_deliveries::id.desc())
        .limit(page.limit())
        .offset(page.offset())
        .select(Delivery::as_select())
        .load(conn)?;
    let total = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(hook))
        .count()
        .get_result(conn)?;
    let ids: Vec<Uuid> = rows.iter().map(|d| d.id).collect();
    let mut attempts: Vec<Attempt> = webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(&ids))
        .order((webhook_attempts::delivery_id, webhook_attempts::number))
        .select(Attempt::as_select())
        .load(conn)?;
    let paired = rows
        .into_iter()
        .map(|delivery| {
            let (own, rest): (Vec<Attempt>, Vec<Attempt>) = attempts
                .drain(..)
                .partition(|a| a.delivery_id == delivery.id);
            attempts = rest;
            (delivery, own)
        })
        .collect();
    Ok((paired, total))
}

/// Makes a delivery due again now, keeping its body and message id.
pub fn redeliver(conn: &mut PgConnection, id: Uuid, now: DateTime<Utc>) -> QueryResult<Delivery> {
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::state.eq("pending"),
            webhook_deliveries::next_attempt_at.eq(now),
            webhook_deliveries::leased_until.eq(None::<DateTime<Utc>>),
            webhook_deliveries::finished_at.eq(None::<DateTime<Utc>>),
        ))
        .returning(Delivery::as_returning())
        .get_result(conn)
}

#[derive(QueryableByName)]
struct DueId {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Takes up to `limit` due deliveries for this worker until `lease_until`, at most
/// `per_hook` in flight for any one hook (counting other workers' leases), so one slow
/// receiver cannot take every slot. Rows another worker is taking are skipped, never waited
/// for; the caller commits before making any call.
pub fn claim_due(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
    per_hook: i64,
) -> QueryResult<Vec<Delivery>> {
    // Per active hook: its calls in flight, then as many of its due deliveries as it has room
    // for, oldest first. Both come from partial indexes, so a backlog costs nothing here.
    let candidates: Vec<DueId> = diesel::sql_query(
        "SELECT d.id FROM webhooks h
         CROSS JOIN LATERAL (
             SELECT count(*) AS n FROM webhook_deliveries b
             WHERE b.webhook_id = h.id AND b.leased_until IS NOT NULL AND b.leased_until > $1
         ) busy
         CROSS JOIN LATERAL (
             SELECT id, next_attempt_at, change_seq FROM webhook_deliveries d
             WHERE d.webhook_id = h.id AND d.state = 'pending' AND d.next_attempt_at <= $1
               AND (d.leased_until IS NULL OR d.leased_until <= $1)
             ORDER BY d.next_attempt_at, d.change_seq, d.id
             LIMIT greatest($2 - busy.n, 0)
         ) d
         WHERE h.active
         ORDER BY d.next_attempt_at, d.change_seq, d.id
         LIMIT $3",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<BigInt, _>(per_hook)
    .bind::<BigInt, _>(limit)
    .load(conn)?;
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = candidates.into_iter().map(|c| c.id).collect();
    diesel::sql_query(
        "UPDATE webhook_deliveries SET leased_until = $1, attempts = attempts + 1
         WHERE id IN (
             SELECT id FROM webhook_deliveries
             WHERE id = ANY($2) AND state = 'pending' AND next_attempt_at <= $3
               AND (leased_until IS NULL OR leased_until <= $3)
             FOR UPDATE SKIP LOCKED
         )
         RETURNING *",
    )
    .bind::<Timestamptz, _>(lease_until)
    .bind::<Array<SqlUuid>, _>(ids)
    .bind::<Timestamptz, _>(now)
    .load(conn)
    .map(|mut claimed: Vec<Delivery>| {
        // RETURNING follows no order: oldest first, and in commit order within a moment.
        claimed.sort_by_key(|d| (d.next_attempt_at, d.change_seq, d.id));
        claimed
    })
}

/// Gives a claimed delivery back untried (its hook was turned off meanwhile), if this worker's
/// lease on it still holds.
pub fn release(
    conn: &mut PgConnection,
    id: Uuid,
    lease_until: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        webhook_deliveries::table
            .find(id)
            .filter(webhook_deliveries::leased_until.eq(lease_until)),
    )
    .set((
        webhook_deliveries::leased_until.eq(None::<DateTime<Utc>>),
        webhook_deliveries::attempts.eq(webhook_deliveries::attempts - 1),
    ))
    .execute(conn)
}

/// The delivery, locked, if this worker's lease on it still holds.
pub fn leased(
    conn: &mut PgConnection,
    id: Uuid,
    lease_until: DateTime<Utc>,
) -> QueryResult<Option<Delivery>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::id.eq(id))
        .filter(webhook_deliveries::leased_until.eq(lease_until))
        .select(Delivery::as_select())
        .for_update()
        .first(conn)
        .optional()
}

pub fn record_attempt(conn: &mut PgConnection, attempt: &Attempt) -> QueryResult<usize> {
    diesel::insert_into(webhook_attempts::table)
        .values(attempt)
        .execute(conn)
}

/// Ends a delivery (`succeeded` or `failed`), or schedules its next attempt.
pub fn settle(
    conn: &mut PgConnection,
    id: Uuid,
    state: &str,
    next_attempt_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let finished_at = (state != "pending").then_some(now);
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::state.eq(state),
            webhook_deliveries::next_attempt_at.eq(next_attempt_at),
            webhook_deliveries::leased_until.eq(None::<DateTime<Utc>>),
            webhook_deliveries::finished_at.eq(finished_at),
        ))
        .execute(conn)
}

/// Counts a failed attempt against the hook; returns the run of failures so far.
pub fn count_failure(conn: &mut PgConnection, hook: Uuid) -> QueryResult<i32> {
    diesel::update(webhooks::table.find(hook))
        .set(webhooks::consecutive_failures.eq(webhooks::consecutive_failures + 1))
        .returning(webhooks::consecutive_failures)
        .get_result(conn)
}

/// A success ends the hook's run of failures (written only when there was one).
pub fn count_success(conn: &mut PgConnection, hook: Uuid) -> QueryResult<usize> {
    diesel::update(
        webhooks::table
            .find(hook)
            .filter(webhooks::consecutive_failures.ne(0)),
    )
    .set(webhooks::consecutive_failures.eq(0))
    .execute(conn)
}

/// Masthead turns a hook off by itself; the change log records it as `disabled` by `system`.
pub fn disable(conn: &mut PgConnection, hook: Uuid, reason: &str) -> QueryResult<usize> {
    diesel::update(webhooks::table.find(hook).filter(webhooks::active.eq(true)))
        .set((
            webhooks::active.eq(false),
            webhooks::disabled_reason.eq(reason),
            webhooks::updated_at.eq(diesel::dsl::now),
            webhooks::version.eq(webhooks::version + 1),
        ))
        .execute(conn)
}

/// Forgets finished deliveries (and their attempts) older than `before`.
pub fn prune(conn: &mut PgConnection, before: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(
        webhook_deliveries::table
            .filter(webhook_deliveries::state.ne("pending"))
            .filter(webhook_deliveries::finished_at.lt(before)),
    )
    .execute(conn)
}
