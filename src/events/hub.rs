//! One reader of the change log per process, feeding every open event stream of that process.
//!
//! The change listener hears each commit; this process's feeder then reads the new changes
//! once, renders each touched item once, and broadcasts the text. Streams hold a receiver of
//! that broadcast, never a database connection; a stream resuming from `Last-Event-ID` reads
//! what it missed once, through the pool.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    thread,
    time::Duration,
};

use actix_web::web::{self, Bytes};
use diesel::PgConnection;
use tokio::sync::{broadcast, watch};

use crate::{
    changes, db,
    error::ApiError,
    state::AppState,
    sync::items::{self, Entry, Showing},
};

/// Events kept for streams that fall behind; one further behind reads what it missed from the
/// database instead.
const BACKLOG: usize = 1024;
/// Changes read at a time.
const BATCH: i64 = 500;
/// How long the feeder waits for a change before looking anyway (a missed notification).
const IDLE: Duration = Duration::from_secs(1);

/// One event as sent: its commit number and its text on the wire.
#[derive(Debug)]
pub struct Event {
    pub seq: i64,
    pub text: Bytes,
}

impl Event {
    fn of(seq: i64, entry: &Entry) -> Result<Self, ApiError> {
        let data = serde_json::to_string(entry).map_err(ApiError::internal)?;
        let op = match entry {
            Entry::Upsert { .. } => "upsert",
            Entry::Delete { .. } => "delete",
        };
        Ok(Self {
            seq,
            text: Bytes::from(format!("id: {seq}\nevent: {op}\ndata: {data}\n\n")),
        })
    }
}

pub struct EventHub {
    sender: broadcast::Sender<Arc<Event>>,
    closing: watch::Sender<bool>,
    /// Open streams per client (an API key, an account, or an address).
    clients: Mutex<HashMap<String, usize>>,
}

impl Default for EventHub {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(BACKLOG).0,
            closing: watch::channel(false).0,
            clients: Mutex::new(HashMap::new()),
        }
    }
}

/// A stream's place in its client's allowance; given back when the stream ends.
pub struct Slot {
    state: web::Data<AppState>,
    client: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut clients) = self.state.events.clients.lock()
            && let Some(open) = clients.get_mut(&self.client)
        {
            *open -= 1;
            if *open == 0 {
                clients.remove(&self.client);
            }
        }
    }
}

impl EventHub {
    /// A slot for one more stream of `client`, unless it holds as many as allowed.
    pub fn admit(state: &web::Data<AppState>, client: String) -> Option<Slot> {
        let mut clients = state.events.clients.lock().ok()?;
        let open = clients.entry(client.clone()).or_default();
        if *open >= state.config.event_streams_per_client {
            return None;
        }
        *open += 1;
        Some(Slot {
            state: state.clone(),
            client,
        })
    }

    pub fn subscribe(&self) -> (broadcast::Receiver<Arc<Event>>, watch::Receiver<bool>) {
        (self.sender.subscribe(), self.closing.subscribe())
    }

    /// Ends every open stream (at shutdown); clients come back with `Last-Event-ID`.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }
}

/// Events for the changes after `seq`, up to `BATCH` of them, and the last commit number read:
/// each touched item once, as readers get it now, or its tombstone.
pub fn events_after(
    conn: &mut PgConnection,
    seq: i64,
    showing: &Showing,
) -> Result<(Vec<Event>, i64), ApiError> {
    db::in_one_snapshot(conn, |conn| {
        let changes = changes::queries::after(conn, seq, BATCH)?;
        let last = changes.last().map_or(seq, changes::model::Change::number);
        let mut events = Vec::new();
        for (key, touched) in items::touched(conn, &changes)? {
            if let Some(entry) = items::entry(conn, &key, &touched, showing)? {
                events.push(Event::of(touched.seq, &entry)?);
            }
        }
        Ok((events, last))
    })
}

/// What events carry: full articles, as a live page shows them.
pub fn showing(state: &AppState) -> Showing {
    Showing {
        media_url: state.config.media_url.clone(),
        full: true,
        now: state.clock.now(),
    }
}

/// Starts this process's feeder; it runs until the change signal stops.
pub fn spawn(state: web::Data<AppState>) -> std::io::Result<thread::JoinHandle<()>> {
    thread::Builder::new()
        .name("event-feeder".into())
        .spawn(move || feed(&state))
}

fn feed(state: &AppState) {
    let mut position: Option<i64> = None;
    while !state.changes.stopping() {
        let seen = state.changes.count();
        if let Err(error) = db::read_blocking(&state.pool, |conn| step(conn, state, &mut position))
        {
            tracing::warn!(%error, "cannot read the change log for event streams");
        }
        state.changes.wait(seen, IDLE);
    }
    state.events.close();
}

/// Broadcasts what committed since `position`. With no stream open, it only moves on.
fn step(
    conn: &mut PgConnection,
    state: &AppState,
    position: &mut Option<i64>,
) -> Result<(), ApiError> {
    let Some(from) = *position else {
        *position = Some(changes::queries::latest(conn)?);
        return Ok(());
    };
    if state.events.sender.receiver_count() == 0 {
        *position = Some(changes::queries::latest(conn)?.max(from));
        return Ok(());
    }
    let mut from = from;
    loop {
        let (events, last) = events_after(conn, from, &showing(state))?;
        for event in events {
            // No receiver left is not an error: the next stream starts from the database.
            let _sent = state.events.sender.send(Arc::new(event));
        }
        if last == from {
            break;
        }
        from = last;
        *position = Some(last);
    }
    Ok(())
}
