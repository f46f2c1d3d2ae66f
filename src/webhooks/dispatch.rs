//! Turns the change log into deliveries: one consumer for the whole database, whichever
//! process gets to it, so each change becomes each hook's delivery exactly once.

use chrono::{DateTime, Utc};
use diesel::{Connection, PgConnection};

use crate::{
    changes::{self, model::Change},
    config::Config,
    error::ApiError,
    webhooks::{
        events,
        model::{Delivery, Webhook},
        payload, queries,
    },
};

const CONSUMER: &str = "webhooks";
/// Changes read per transaction.
const BATCH: i64 = 500;

/// What a dispatch came to.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dispatched {
    /// Deliveries recorded.
    pub made: usize,
    /// Whether any hook was active: with none, only a change to hooks can make work.
    pub hooks: bool,
}

/// Records the deliveries of the changes committed since the last call, and moves the
/// consumer past them, in one transaction. `None` when another process is dispatching right now.
pub fn dispatch(
    conn: &mut PgConnection,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<Option<Dispatched>, ApiError> {
    conn.transaction(|conn| {
        let Some(last) = changes::queries::claim_consumer(conn, CONSUMER)? else {
            return Ok(None);
        };
        // The log's end is read before the hooks, and nothing past it is read now: a hook made
        // meanwhile is among the hooks, or made after every change read (which it must not
        // hear of). The end is a commit's last number, so no transaction is cut.
        let end = changes::queries::latest(conn)?;
        let hooks = queries::active(conn)?;
        if hooks.is_empty() {
            // Nothing to deliver to: the changes need not be read (on a busy site without
            // hooks, reading them was most of this worker's work), only passed.
            if end > last {
                changes::queries::advance_consumer(conn, CONSUMER, end)?;
            }
            return Ok(Some(Dispatched::default()));
        }
        let with_hooks = |made| Some(Dispatched { made, hooks: true });
        let mut batch = changes::queries::after(conn, last, BATCH)?;
        batch.retain(|change| change.number() <= end);
        keep_whole_transactions(conn, last, &mut batch)?;
        let Some(newest) = batch.last().map(Change::number) else {
            return Ok(with_hooks(0));
        };
        let mut made = Vec::new();
        for group in payload::group(&batch) {
            made.extend(deliveries_for(conn, config, &hooks, &group, now)?);
        }
        queries::insert_deliveries(conn, &made)?;
        changes::queries::advance_consumer(conn, CONSUMER, newest)?;
        Ok(with_hooks(made.len()))
    })
}

/// A full batch may end part-way through a transaction's changes; those wait for the next
/// batch (or, when one transaction fills the batch, are all read now), so one transaction's
/// changes to a resource always make one event.
fn keep_whole_transactions(
    conn: &mut PgConnection,
    last: i64,
    batch: &mut Vec<Change>,
) -> Result<(), ApiError> {
    if batch.len() < usize::try_from(BATCH).unwrap_or(usize::MAX) {
        return Ok(());
    }
    let Some(last_tx) = batch.last().map(|c| c.tx) else {
        return Ok(());
    };
    let whole = batch.iter().take_while(|c| c.tx != last_tx).count();
    if whole > 0 {
        batch.truncate(whole);
    } else {
        *batch = changes::queries::of_transaction(conn, last_tx, last)?;
    }
    Ok(())
}

fn deliveries_for(
    conn: &mut PgConnection,
    config: &Config,
    hooks: &[Webhook],
    group: &payload::ChangeGroup<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<Delivery>, ApiError> {
    let mut made = Vec::new();
    let mut data = None;
    for event in group.events() {
        // A hook hears of what committed after it was made, not of the past.
        let targets: Vec<&Webhook> = hooks
            .iter()
            .filter(|hook| hook.created_at <= group.at())
            .filter(|hook| events::subscribed(&hook.event_patterns(), &event))
            .collect();
        if targets.is_empty() {
            continue;
        }
        let data = match data {
            Some(ref data) => data,
            None => data.insert(payload::data(conn, config, group)?),
        };
        let body = payload::body(&event, group, data)?;
        made.extend(targets.into_iter().map(|hook| {
            Delivery::pending(hook.id, event.clone(), Some(group.seq()), body.clone(), now)
        }));
    }
    Ok(made)
}
