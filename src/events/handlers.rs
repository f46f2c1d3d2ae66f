use std::{collections::VecDeque, convert::Infallible, pin::pin, sync::Arc, time::Duration};

use actix_web::{
    HttpRequest, HttpResponse, get,
    http::header,
    web::{self, Bytes},
};
use futures_util::future::{Either, select};
use serde::Deserialize;
use tokio::sync::{
    broadcast::{self, error::RecvError},
    watch,
};
use utoipa::IntoParams;

use crate::{
    auth::caller::{Credential, Identity, identify},
    changes, db,
    error::ApiError,
    events::hub::{self, Event, EventHub, Slot},
    openapi::{Gone, Public, TooManyRequests},
    state::AppState,
};

/// A comment this often keeps proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// What a client waits before reconnecting after the stream ends.
const RETRY_MS: u32 = 2000;
/// What a client refused for holding too many streams waits before trying again.
const BUSY_RETRY_SECONDS: u64 = 30;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// A `content` API key, for browsers' `EventSource`, which cannot send headers; needed only
    /// where public reading is off.
    #[param(max_length = 200)]
    pub key: Option<String>,
    /// Where to resume, as the `Last-Event-ID` header (which wins when both are sent).
    #[param(minimum = 0)]
    pub last_event_id: Option<i64>,
}

/// Live events: each public change as it commits (Server-Sent Events).
///
/// `text/event-stream`, never compressed. One event per changed item, `event: upsert` with the
/// item as readers get it now (articles in full) or `event: delete` with its tombstone; `data`
/// is the same entry `/sync` gives, and `id` is the change's commit number. Reconnect with
/// `Last-Event-ID` (browsers do) to get what was missed meanwhile, without loss or duplicates,
/// for as long as the change log keeps it (410 past that: start over from `/sync`). A
/// `: keep-alive` comment comes every 15 seconds.
/// Each client (an API key or account, else an address) may hold
/// `MASTHEAD_EVENT_STREAMS_PER_CLIENT` streams at once (429 beyond). Where public reading is
/// off, a `content` key is needed; `?key=` takes it from `EventSource`. Streams end when the
/// server stops; reconnect.
#[utoipa::path(
    tag = "sync",
    params(
        EventParams,
        ("Last-Event-ID" = Option<String>, Header, description = "The `id` of the last event received"),
    ),
    responses(
        (status = 200, description = "The stream", content_type = "text/event-stream", body = String),
        Public, Gone, TooManyRequests,
    ),
    security((), ("bearer" = [])),
)]
#[get("/events")]
pub async fn stream_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<EventParams>,
) -> Result<HttpResponse, ApiError> {
    let resume = match req.headers().get("last-event-id") {
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|id| *id >= 0)
                .ok_or_else(|| {
                    ApiError::BadRequest("Last-Event-ID: not an event id this server gave".into())
                })?,
        ),
        None => params.last_event_id,
    };
    if resume.is_some_and(|id| id < 0) {
        return Err(ApiError::BadRequest(
            "last_event_id: not an event id this server gave".into(),
        ));
    }
    let client = client(&req, &state, params.key.as_deref()).await?;
    if let Some(after) = resume {
        let first_kept =
            db::read(&state.pool, |conn| Ok(changes::queries::first_kept(conn)?)).await?;
        // Changes after `after` were pruned: resuming would skip them without a word.
        if after + 1 < first_kept {
            return Err(ApiError::Gone(format!(
                "the changes after event {after} are no longer kept; read /sync from the start, \
                 then reconnect without Last-Event-ID"
            )));
        }
    }
    let slot = EventHub::admit(&state, client).ok_or(ApiError::TooManyRequests {
        retry_after: BUSY_RETRY_SECONDS,
    })?;
    let (events, closing) = state.events.subscribe();
    let stream = Stream {
        state: state.clone(),
        events,
        closing,
        last_sent: resume.unwrap_or(0),
        replay_from: resume,
        pending: VecDeque::from([Bytes::from(format!("retry: {RETRY_MS}\n\n"))]),
        _slot: slot,
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/event-stream"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        // Nothing between here and the client may hold events back to compress or buffer them.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header(("X-Accel-Buffering", "no"))
        // When the stream ends (at shutdown) the connection goes too, rather than idling in
        // keep-alive and holding the stop up.
        .force_close()
        .streaming(futures_util::stream::unfold(stream, next)))
}

/// Who the stream counts against, after checking the credential: the key or account that
/// sent it, else the address.
async fn client(
    req: &HttpRequest,
    state: &AppState,
    key: Option<&str>,
) -> Result<String, ApiError> {
    let credential = match (Credential::of(req)?, key) {
        (Credential::Anonymous, Some(key)) => {
            if !key.starts_with(crate::auth::tokens::API_KEY_PREFIX) {
                return Err(ApiError::Unauthorized("key: not an API key".into()));
            }
            match identify(state, Credential::ApiKey(key.to_owned())).await? {
                Some(Identity::ContentKey { key }) => return Ok(format!("key:{key}")),
                _ => {
                    return Err(ApiError::Unauthorized(
                        "key: only a content key may be sent in the URL".into(),
                    ));
                }
            }
        }
        (Credential::Anonymous, None) => Credential::Anonymous,
        // Two credentials could name two clients: which one counts would be a guess.
        (_, Some(_)) => {
            return Err(ApiError::BadRequest(
                "key: send a key in the URL only without an Authorization header".into(),
            ));
        }
        (credential, None) => credential,
    };
    Ok(match identify(state, credential).await? {
        Some(Identity::ContentKey { key } | Identity::Account { key: Some(key), .. }) => {
            format!("key:{key}")
        }
        Some(Identity::Account { id, .. }) => format!("user:{id}"),
        None if !state.config.public_read => {
            return Err(ApiError::Unauthorized(
                "this site's content needs an API key or a sign-in".into(),
            ));
        }
        None => format!(
            "address:{}",
            req.peer_addr()
                .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string())
        ),
    })
}

struct Stream {
    state: web::Data<AppState>,
    events: broadcast::Receiver<Arc<Event>>,
    closing: watch::Receiver<bool>,
    /// The last commit number sent: anything at or below it is not sent again.
    last_sent: i64,
    /// Read the changes after this number from the database before going on live.
    replay_from: Option<i64>,
    pending: VecDeque<Bytes>,
    _slot: Slot,
}

enum Woke {
    Event(Result<Arc<Event>, RecvError>),
    Closing,
    Idle,
}

/// The stream's next chunk; `None` ends it.
async fn next(mut stream: Stream) -> Option<(Result<Bytes, Infallible>, Stream)> {
    loop {
        if let Some(chunk) = stream.pending.pop_front() {
            return Some((Ok(chunk), stream));
        }
        if *stream.closing.borrow() {
            return None;
        }
        if let Some(from) = stream.replay_from.take() {
            if !catch_up(&mut stream, from).await {
                return None;
            }
            continue;
        }
        let woke = {
            let event = pin!(stream.events.recv());
            let closing = pin!(stream.closing.changed());
            let idle = pin!(actix_web::rt::time::sleep(KEEP_ALIVE));
            match select(select(event, closing), idle).await {
                Either::Left((Either::Left((event, _)), _)) => Woke::Event(event),
                Either::Left((Either::Right(_), _)) => Woke::Closing,
                Either::Right(_) => Woke::Idle,
            }
        };
        match woke {
            Woke::Event(Ok(event)) if event.seq > stream.last_sent => {
                stream.last_sent = event.seq;
                stream.pending.push_back(event.text.clone());
            }
            Woke::Event(Ok(_)) => {}
            // Fell behind the broadcast: what was dropped is read from the change log.
            Woke::Event(Err(RecvError::Lagged(_))) => stream.replay_from = Some(stream.last_sent),
            Woke::Event(Err(RecvError::Closed)) | Woke::Closing => return None,
            Woke::Idle => stream
                .pending
                .push_back(Bytes::from_static(b": keep-alive\n\n")),
        }
    }
}

/// Queues the events of one batch of changes after `from`, read from the change log, and
/// leaves the rest for the next turn, so a long absence is sent a batch at a time; `false` ends
/// the stream (the database is away: the client reconnects and resumes).
async fn catch_up(stream: &mut Stream, from: i64) -> bool {
    let state = stream.state.clone();
    let showing = hub::showing(&state);
    let read = db::read(&state.pool, move |conn| {
        hub::events_after(conn, from, &showing)
    })
    .await;
    let Ok((events, last)) = read else {
        return false;
    };
    for event in events {
        if event.seq > stream.last_sent {
            stream.last_sent = event.seq;
            stream.pending.push_back(event.text);
        }
    }
    if last != from {
        // Changes that made no event (private ones) count as sent too.
        stream.last_sent = stream.last_sent.max(last);
        stream.replay_from = Some(last);
    }
    true
}
