//! Sends deliveries: a worker in every `serve` process.
//!
//! A delivery is claimed under a lease that is committed before the call, so two workers never
//! send it at the same time; the outcome is recorded only while the lease holds. At least once:
//! a worker that dies mid-call leaves a lease that runs out, and the delivery is sent again.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    thread,
    time::{Duration, Instant},
};

use actix_web::web;
use chrono::{DateTime, Utc};
use diesel::{Connection, OptionalExtension};
use rand::Rng;

use crate::{
    db,
    error::ApiError,
    outbound::{self, Reply, SendError},
    state::AppState,
    webhooks::{
        dispatch::{self, Dispatched},
        model::{Attempt, Delivery, Webhook},
        queries,
    },
};

/// Waits after failed attempts 1, 2, …: about a day and a quarter in all.
pub const BACKOFF: [Duration; 6] = [
    Duration::from_secs(30),
    Duration::from_secs(2 * 60),
    Duration::from_secs(10 * 60),
    Duration::from_secs(60 * 60),
    Duration::from_secs(6 * 60 * 60),
    Duration::from_secs(24 * 60 * 60),
];
/// Attempts before a delivery fails for good.
pub const MAX_ATTEMPTS: i32 = 7;
/// A receiver that has not answered by then has failed this attempt.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Longer than the time-out, so a lease outlives the call it covers.
const LEASE: Duration = Duration::from_secs(60);
/// Calls one process makes at once.
const SLOTS: usize = 16;
/// Calls in flight to any one hook, across processes: a hanging receiver holds at most these.
const PER_HOOK: i64 = 4;
/// How often due retries are looked for when nothing else wakes the worker.
const IDLE: Duration = Duration::from_secs(1);
/// The least time between two readings of the change log: what a burst of commits waits at
/// most before its deliveries are recorded, in one transaction instead of one per commit.
const DISPATCH_GAP: Duration = Duration::from_millis(5);

/// What one attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    /// Will be tried again at this time.
    Retry(DateTime<Utc>),
    Failed,
    /// The receiver answered 410 Gone, or the hook failed for a day: it is now off.
    Disabled,
    /// Another worker took the delivery over (the lease ran out): nothing recorded.
    LeaseLost,
    /// The hook was turned off after the delivery was claimed: given back untried.
    HookOff,
}

/// The wait after `attempts` failed attempts, with up to a tenth more or less of jitter, so
/// receivers coming back are not hit by every retry at once.
pub fn backoff(attempts: i32) -> Duration {
    let index = usize::try_from(attempts.max(1) - 1).unwrap_or(0);
    let base = BACKOFF[index.min(BACKOFF.len() - 1)];
    base.mul_f64(rand::rng().random_range(0.9..=1.1))
}

/// Records the deliveries of changes committed since the last time (in whichever process gets
/// there first).
pub fn dispatch(state: &AppState) -> Result<Dispatched, ApiError> {
    let now = state.clock.now();
    db::run_blocking(&state.pool, |conn| {
        dispatch::dispatch(conn, &state.config, now).map(Option::unwrap_or_default)
    })
}

/// Claims up to `limit` due deliveries.
pub fn claim(state: &AppState, limit: usize) -> Result<Vec<Delivery>, ApiError> {
    let now = state.clock.now();
    let lease_until = now + LEASE;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    db::run_blocking(&state.pool, |conn| {
        Ok(conn.transaction(|conn| queries::claim_due(conn, now, lease_until, limit, PER_HOOK))?)
    })
}

/// Makes one call for a claimed delivery and records what came of it. The hook is read just
/// before: one turned off meanwhile gets nothing more (one deleted took its deliveries with it),
/// and a rotated secret signs at once.
pub fn deliver(state: &AppState, delivery: &Delivery) -> Result<Outcome, ApiError> {
    let hook = db::run_blocking(&state.pool, |conn| {
        let hook = queries::find(conn, delivery.webhook_id).optional()?;
        if hook.as_ref().is_some_and(|h| !h.active)
            && let Some(lease_until) = delivery.leased_until
        {
            queries::release(conn, delivery.id, lease_until)?;
        }
        Ok(hook.filter(|h| h.active))
    })?;
    let Some(hook) = hook else {
        return Ok(Outcome::HookOff);
    };
    let started_at = Utc::now();
    let clock = Instant::now();
    let result = call(state, delivery, &hook);
    record(
        state,
        delivery,
        &hook,
        (started_at, clock.elapsed()),
        &result,
    )
}

/// Claims and sends every due delivery one after another; returns what came of each. What the
/// background worker does concurrently, for tests and tools.
pub fn run_due(state: &AppState) -> Result<Vec<Outcome>, ApiError> {
    dispatch(state)?;
    let mut outcomes = Vec::new();
    loop {
        let claimed = claim(state, SLOTS)?;
        if claimed.is_empty() {
            return Ok(outcomes);
        }
        for delivery in &claimed {
            outcomes.push(deliver(state, delivery)?);
        }
    }
}

fn call(state: &AppState, delivery: &Delivery, hook: &Webhook) -> Result<Reply, SendError> {
    let message_id = delivery.message_id();
    let timestamp = Utc::now().timestamp();
    let signature = standardwebhooks::Webhook::new(&hook.secret)
        .and_then(|signer| signer.sign(&message_id, timestamp, delivery.body.as_bytes()))
        .map_err(|e| SendError::Other(format!("cannot sign with the hook's secret: {e}")))?;
    let mut headers = hook.extra_headers();
    headers.extend([
        ("webhook-id".to_owned(), message_id),
        ("webhook-timestamp".to_owned(), timestamp.to_string()),
        ("webhook-signature".to_owned(), signature),
    ]);
    outbound::post(
        &state.webhook_agent,
        &hook.url,
        &headers,
        delivery.body.as_bytes(),
    )
}

fn record(
    state: &AppState,
    delivery: &Delivery,
    hook: &Webhook,
    (started_at, duration): (DateTime<Utc>, Duration),
    result: &Result<Reply, SendError>,
) -> Result<Outcome, ApiError> {
    let now = state.clock.now();
    let lease_until = delivery.leased_until.unwrap_or(now);
    let (status, body, error) = match result {
        Ok(reply) => (
            Some(i32::from(reply.status)),
            Some(reply.body.clone()),
            None,
        ),
        Err(e) => (None, None, Some(e.to_string())),
    };
    let succeeded = status.is_some_and(|s| (200..300).contains(&s));
    db::run_blocking(&state.pool, |conn| {
        conn.transaction(|conn| {
            let Some(current) = queries::leased(conn, delivery.id, lease_until)? else {
                return Ok(Outcome::LeaseLost);
            };
            queries::record_attempt(
                conn,
                &Attempt {
                    id: 0,
                    delivery_id: delivery.id,
                    number: current.attempts,
                    started_at,
                    duration_ms: i32::try_from(duration.as_millis()).unwrap_or(i32::MAX),
                    outcome: if succeeded { "succeeded" } else { "failed" }.into(),
                    response_status: status,
                    error,
                    response_body: body,
                },
            )?;
            if succeeded {
                queries::settle(conn, delivery.id, "succeeded", None, now)?;
                queries::count_success(conn, hook.id)?;
                return Ok(Outcome::Succeeded);
            }
            if status == Some(410) {
                queries::settle(conn, delivery.id, "failed", None, now)?;
                queries::disable(conn, hook.id, "the receiver answered 410 Gone")?;
                return Ok(Outcome::Disabled);
            }
            let failures = queries::count_failure(conn, hook.id)?;
            if current.attempts < MAX_ATTEMPTS {
                let next = now + backoff(current.attempts);
                queries::settle(conn, delivery.id, "pending", Some(next), now)?;
                return Ok(Outcome::Retry(next));
            }
            queries::settle(conn, delivery.id, "failed", None, now)?;
            // Every attempt of this delivery failed over about a day, and nothing else got
            // through meanwhile: the receiver is gone.
            if failures >= MAX_ATTEMPTS {
                queries::disable(
                    conn,
                    hook.id,
                    "every call failed for more than a day; fix the receiver and set active to true",
                )?;
                return Ok(Outcome::Disabled);
            }
            Ok(Outcome::Failed)
        })
    })
}

/// Starts the worker thread of this process; it ends when the change signal is stopped.
pub fn spawn(state: web::Data<AppState>) -> std::io::Result<thread::JoinHandle<()>> {
    thread::Builder::new()
        .name("webhook-worker".into())
        .spawn(move || work(&state))
}

fn work(state: &web::Data<AppState>) {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let mut dispatched: Option<(u64, Instant)> = None;
    let mut claimed: Option<(u64, Instant)> = None;
    // With no hook active, content changes make no deliveries: only a change to hooks (heard
    // as `private`) is news, and the log is passed now and then.
    let mut hooks = true;
    while !state.changes.stopping() {
        let seen = state.changes.count();
        let heard = state.changes.changes_heard();
        let news = news_heard(state, hooks);
        // The change log is read when a change was heard (at most every DISPATCH_GAP, so a
        // burst of writes is read in batches rather than once per commit), and now and then in
        // case one was missed (the listener reconnecting, say).
        let read_log = dispatched.is_none_or(|(last, at)| {
            (last != news && at.elapsed() >= DISPATCH_GAP) || at.elapsed() >= IDLE
        });
        let mut made = 0;
        if read_log {
            match dispatch(state) {
                Ok(done) => {
                    made = done.made;
                    hooks = done.hooks;
                }
                Err(error) => tracing::warn!(%error, "cannot record webhook deliveries"),
            }
            dispatched = Some((news, Instant::now()));
        }
        // Due deliveries are looked for when some were just made, when a call ended or a
        // handler asked (a raise that was not a change heard), and now and then for retries.
        let pokes = seen.wrapping_sub(heard);
        let look =
            made > 0 || claimed.is_none_or(|(last, at)| last != pokes || at.elapsed() >= IDLE);
        let free = SLOTS.saturating_sub(in_flight.load(Ordering::SeqCst));
        if look && free > 0 {
            match claim(state, free) {
                Ok(due) => {
                    for delivery in due {
                        send_in_background(state.clone(), &in_flight, delivery);
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot claim webhook deliveries"),
            }
            claimed = Some((pokes, Instant::now()));
        }
        let wait = match dispatched {
            Some((last, at)) if last != news_heard(state, hooks) => {
                DISPATCH_GAP.saturating_sub(at.elapsed())
            }
            _ => IDLE,
        };
        state.changes.wait(seen, wait);
    }
}

/// The count of changes heard that could make deliveries: any change while a hook is active,
/// else only changes to accounts, keys and hooks (one of which may be a hook turned on).
fn news_heard(state: &AppState, hooks: bool) -> u64 {
    if hooks {
        state.changes.changes_heard()
    } else {
        state.changes.private_changes_heard()
    }
}

/// One thread per call in flight (at most [`SLOTS`]), so a hanging receiver holds up no other.
fn send_in_background(
    state: web::Data<AppState>,
    in_flight: &Arc<AtomicUsize>,
    delivery: Delivery,
) {
    in_flight.fetch_add(1, Ordering::SeqCst);
    let counter = Arc::clone(in_flight);
    let spawned = thread::Builder::new()
        .name("webhook-call".into())
        .spawn(move || {
            if let Err(error) = deliver(&state, &delivery) {
                tracing::warn!(%error, delivery = %delivery.id, "cannot record a webhook attempt");
            }
            counter.fetch_sub(1, Ordering::SeqCst);
            // A slot is free: look for more work.
            state.changes.raise();
        });
    if let Err(error) = spawned {
        in_flight.fetch_sub(1, Ordering::SeqCst);
        tracing::warn!(%error, "cannot start a webhook call; its lease will run out and it will be retried");
    }
}
