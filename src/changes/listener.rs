//! Hears `NOTIFY masthead_changes` from every process on the database, so this process drops
//! its cached answers and its workers wake as soon as any change commits.
//!
//! One dedicated connection per process, never one per client. Reading what has arrived is a
//! non-blocking read of the socket (`PQconsumeInput`), so the loop polls often at no cost to the
//! database; a `SELECT 1` now and then finds a connection that died without a word.

use std::{
    sync::{
        Condvar, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    thread,
    time::{Duration, Instant},
};

use actix_web::web;
use diesel::{Connection, PgConnection, RunQueryDsl, sql_query};

use crate::state::AppState;

pub const CHANNEL: &str = "masthead_changes";
/// How often the socket is read for notifications: the most a change waits to be heard.
const POLL: Duration = Duration::from_millis(10);
/// How often the connection is proven alive with a round trip.
const HEARTBEAT: Duration = Duration::from_secs(5);
/// Wait between attempts to reconnect.
const RETRY: Duration = Duration::from_secs(1);

/// Raised whenever a change commits (or may have been missed), or a worker has something new
/// to look at; workers wait on it.
#[derive(Debug, Default)]
pub struct ChangeSignal {
    raised: Mutex<u64>,
    wake: Condvar,
    stopping: AtomicBool,
    /// Changes heard so far (a subset of the raises): whether the change log has news.
    heard: AtomicU64,
    /// Of those, the ones that may have changed accounts, keys or hooks (`private`).
    heard_private: AtomicU64,
}

impl ChangeSignal {
    /// A change committed somewhere (or may have been missed while not listening).
    pub fn heard_change(&self) {
        self.heard_private.fetch_add(1, Ordering::SeqCst);
        self.heard_content_change();
    }

    /// A change committed somewhere that touched no account, key or hook.
    pub fn heard_content_change(&self) {
        self.heard.fetch_add(1, Ordering::SeqCst);
        self.raise();
    }

    /// How many of the changes heard may have touched accounts, keys or hooks.
    pub fn private_changes_heard(&self) -> u64 {
        self.heard_private.load(Ordering::SeqCst)
    }

    /// How many changes have been heard; unchanged means the change log has no news.
    pub fn changes_heard(&self) -> u64 {
        self.heard.load(Ordering::SeqCst)
    }

    pub fn raise(&self) {
        if let Ok(mut raised) = self.raised.lock() {
            *raised = raised.wrapping_add(1);
            self.wake.notify_all();
        }
    }

    /// How many times the signal has been raised so far; pass it to [`Self::wait`].
    pub fn count(&self) -> u64 {
        self.raised.lock().map_or(0, |raised| *raised)
    }

    /// Waits until the signal is raised past `seen`, or `timeout` passes, or a stop is asked.
    pub fn wait(&self, seen: u64, timeout: Duration) {
        let Ok(raised) = self.raised.lock() else {
            return;
        };
        let _woken = self.wake.wait_timeout_while(raised, timeout, |raised| {
            *raised == seen && !self.stopping.load(Ordering::SeqCst)
        });
    }

    /// Asks every loop waiting on this signal to end.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.raise();
    }

    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }
}

/// Starts the listening thread; it runs until the signal is stopped.
pub fn spawn(state: web::Data<AppState>) -> std::io::Result<thread::JoinHandle<()>> {
    thread::Builder::new()
        .name("change-listener".into())
        .spawn(move || listen(&state))
}

fn listen(state: &AppState) {
    // Each lost connection is reported once, not every retry while the database is away.
    let mut reported = false;
    while !state.changes.stopping() {
        let mut connected = false;
        match follow(state, &mut connected) {
            Ok(()) => return,
            Err(error) => {
                state.cache.follow_changes(false);
                reported &= !connected;
                if !reported {
                    tracing::warn!(%error, "not hearing changes from other processes; cached answers now expire sooner");
                    reported = true;
                }
            }
        }
        thread::sleep(RETRY);
    }
}

/// Listens until the connection fails (an error) or a stop is asked (`Ok`).
fn follow(state: &AppState, connected: &mut bool) -> diesel::QueryResult<()> {
    let mut conn = PgConnection::establish(&state.config.database_url)
        .map_err(|e| diesel::result::Error::QueryBuilderError(e.into()))?;
    sql_query(format!("LISTEN {CHANNEL}")).execute(&mut conn)?;
    *connected = true;
    // Whatever changed while nobody listened is unknown: start clean, and let workers look.
    state.cache.follow_changes(true);
    state.changes.heard_change();
    tracing::info!("listening for changes from every process");
    let mut proven = Instant::now();
    while !state.changes.stopping() {
        let (mut content, mut private) = (false, false);
        for notification in conn.notifications_iter() {
            let notification = notification?;
            content |= notification.payload == "content";
            private |= notification.payload != "content";
        }
        if content {
            state.cache.clear();
        }
        if private {
            state.changes.heard_change();
        } else if content {
            state.changes.heard_content_change();
        }
        if proven.elapsed() >= HEARTBEAT {
            // A connection that died without a word can make this wait for minutes: meanwhile
            // the cache must not count on hearing every change.
            state.cache.set_following(false);
            sql_query("SELECT 1").execute(&mut conn)?;
            state.cache.set_following(true);
            proven = Instant::now();
        }
        thread::sleep(POLL);
    }
    Ok(())
}
