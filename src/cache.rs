//! Short-lived caches of what anonymous readers ask for most.
//!
//! Public responses (those marked `Cache-Control: public`) are kept, so a hot article or list
//! costs no database round trip at all; list totals are kept the same way, so a deep list pays
//! for its `count(*)` once. Every committed change, made by this process or another, empties
//! both: the change listener hears it within milliseconds. While the listener is not connected,
//! nothing is served older than a few seconds.
//!
//! When an answer expires by age (no write made it wrong), the first reader to notice
//! recomputes it while later ones are served the expired copy for a little longer; when an
//! answer is missing, concurrent readers of it wait for the one that computes it. So a hot key
//! costs one computation at a time, never a stampede.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, OnceLock,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use chrono::{DateTime, Utc};

use actix_web::{HttpResponse, http::header, web::Bytes};
use moka::sync::Cache;
use tokio::sync::watch;

use crate::{auth::Reader, compression::Encoding, state::AppState};

/// How long a cached answer may be served while changes are heard from every process.
pub const TIME_TO_LIVE: Duration = Duration::from_secs(60);
/// How long while they are not (the listener lost its connection): other processes' writes
/// then reach this process only through expiry.
pub const DEAF_TIME_TO_LIVE: Duration = Duration::from_secs(5);
/// How long past its time an answer may still be served while one reader recomputes it.
pub const STALE_GRACE: Duration = Duration::from_secs(30);
/// How long a reader waits for another's computation of the same answer before doing its own.
const FLIGHT_WAIT: Duration = Duration::from_secs(5);
/// The most bytes of responses kept, so memory stays bounded under any traffic.
const MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// A response as it was sent.
#[derive(Clone)]
pub struct CachedResponse {
    pub content_type: String,
    pub cache_control: String,
    pub etag: String,
    pub link: Option<String>,
    pub body: Bytes,
    /// The answer's own `max-age`: it is not served from here any longer than that either.
    pub max_age: Duration,
    /// Whether that `max-age` was cut short because the answer changes by itself at a known
    /// moment (a window opening, an article coming down): then it is wrong after it.
    pub cut_short: bool,
    /// The body compressed, each encoding made once, by the first reader who asks for it.
    pub encoded: Arc<EncodedBodies>,
}

#[derive(Default)]
pub struct EncodedBodies {
    gzip: OnceLock<Option<Bytes>>,
    brotli: OnceLock<Option<Bytes>>,
}

impl CachedResponse {
    /// The body in `encoding`, when that is worth sending: not for pictures or small bodies.
    pub fn body_in(&self, encoding: Encoding) -> Option<Bytes> {
        let slot = match encoding {
            Encoding::Identity => return None,
            Encoding::Gzip => &self.encoded.gzip,
            Encoding::Brotli => &self.encoded.brotli,
        };
        slot.get_or_init(|| encoding.encode_if_worth(&self.content_type, &self.body))
            .clone()
    }
}

/// A value and when it was kept, by the app's clock (which tests can move).
#[derive(Clone)]
struct Kept<T> {
    value: T,
    at: DateTime<Utc>,
}

/// What the cache holds for a key.
pub enum Lookup {
    Fresh(CachedResponse),
    /// Past its time but not made wrong by a write: servable while someone recomputes it.
    Stale(CachedResponse),
    Missing,
}

/// Held by the one reader computing an answer; dropping it (after keeping the answer, or on
/// failure) lets the readers waiting for it go on.
pub struct Flight {
    key: String,
    flights: Arc<Mutex<HashMap<String, watch::Receiver<()>>>>,
    _done: watch::Sender<()>,
}

impl Drop for Flight {
    fn drop(&mut self) {
        if let Ok(mut flights) = self.flights.lock() {
            flights.remove(&self.key);
        }
    }
}

/// Whether this reader computes the answer, or another one already is.
pub enum Turn {
    Compute(Flight),
    Computing(watch::Receiver<()>),
}

pub struct ContentCache {
    responses: Cache<String, Kept<CachedResponse>>,
    flights: Arc<Mutex<HashMap<String, watch::Receiver<()>>>>,
    totals: Cache<String, Kept<i64>>,
    /// Bumped by every `clear`. A value computed before a clear must not be kept after it.
    generation: AtomicU64,
    /// Whether every committed change reaches this process (the change listener is connected).
    following: AtomicBool,
}

impl ContentCache {
    pub fn new() -> Self {
        Self {
            responses: Cache::builder()
                .time_to_live(TIME_TO_LIVE + STALE_GRACE)
                .max_capacity(MAX_RESPONSE_BYTES)
                // Compressed copies may join the body: they are counted as half its size.
                .weigher(|key: &String, kept: &Kept<CachedResponse>| {
                    let body = kept.value.body.len();
                    u32::try_from(key.len() + body + body / 2 + 256).unwrap_or(u32::MAX)
                })
                .build(),
            flights: Arc::default(),
            totals: Cache::builder()
                .time_to_live(TIME_TO_LIVE)
                .max_capacity(10_000)
                .build(),
            generation: AtomicU64::new(0),
            following: AtomicBool::new(false),
        }
    }

    /// The listener connected (`true`: start clean, keep answers long) or lost its connection.
    pub fn follow_changes(&self, following: bool) {
        if following {
            self.clear();
        }
        self.set_following(following);
    }

    /// Whether every change is heard right now, without emptying the cache.
    pub fn set_following(&self, following: bool) {
        self.following.store(following, Ordering::SeqCst);
    }

    /// Whether something kept at `at` for at most `max_age` may still be served at `now`.
    fn fresh(&self, at: DateTime<Utc>, max_age: Duration, now: DateTime<Utc>) -> bool {
        let limit = if self.following.load(Ordering::SeqCst) {
            TIME_TO_LIVE
        } else {
            DEAF_TIME_TO_LIVE
        };
        (now - at)
            .to_std()
            .is_ok_and(|age| age < limit.min(max_age))
    }

    /// Read before computing something to keep; pass it back when keeping it.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    pub fn response(&self, key: &str, now: DateTime<Utc>) -> Option<CachedResponse> {
        match self.lookup(key, now) {
            Lookup::Fresh(response) => Some(response),
            Lookup::Stale(_) | Lookup::Missing => None,
        }
    }

    /// The answer kept for `key`, fresh or stale. Only an answer whose `max-age` was not cut
    /// short can be stale: the other kind is wrong after its moment. Nor is anything stale while
    /// other processes' writes are not heard.
    pub fn lookup(&self, key: &str, now: DateTime<Utc>) -> Lookup {
        let Some(kept) = self.responses.get(key) else {
            return Lookup::Missing;
        };
        if self.fresh(kept.at, kept.value.max_age, now) {
            return Lookup::Fresh(kept.value);
        }
        let within_grace = (now - kept.at)
            .to_std()
            .is_ok_and(|age| age < TIME_TO_LIVE + STALE_GRACE);
        if !kept.value.cut_short && within_grace && self.following.load(Ordering::SeqCst) {
            Lookup::Stale(kept.value)
        } else {
            Lookup::Missing
        }
    }

    /// Who computes the answer for `key`: the first to ask, while the others wait or are
    /// served the stale copy.
    pub fn take_turn(&self, key: &str) -> Turn {
        let Ok(mut flights) = self.flights.lock() else {
            let (done, _) = watch::channel(());
            return Turn::Compute(Flight {
                key: key.to_owned(),
                flights: Arc::clone(&self.flights),
                _done: done,
            });
        };
        if let Some(computing) = flights.get(key) {
            return Turn::Computing(computing.clone());
        }
        let (done, computing) = watch::channel(());
        flights.insert(key.to_owned(), computing);
        Turn::Compute(Flight {
            key: key.to_owned(),
            flights: Arc::clone(&self.flights),
            _done: done,
        })
    }

    /// Keeps a response computed since `generation`, unless a write cleared the cache meanwhile.
    /// Checking again after the insert closes the gap between the check and the insert.
    pub fn keep_response(
        &self,
        key: String,
        response: CachedResponse,
        generation: u64,
        now: DateTime<Utc>,
    ) {
        if self.generation() != generation {
            return;
        }
        let kept = Kept {
            value: response,
            at: now,
        };
        self.responses.insert(key.clone(), kept);
        if self.generation() != generation {
            self.responses.invalidate(&key);
        }
    }

    pub fn total(&self, key: &str, now: DateTime<Utc>) -> Option<i64> {
        let kept = self.totals.get(key)?;
        self.fresh(kept.at, TIME_TO_LIVE, now).then_some(kept.value)
    }

    pub fn keep_total(&self, key: String, total: i64, generation: u64, now: DateTime<Utc>) {
        if self.generation() != generation {
            return;
        }
        let kept = Kept {
            value: total,
            at: now,
        };
        self.totals.insert(key.clone(), kept);
        if self.generation() != generation {
            self.totals.invalidate(&key);
        }
    }

    /// Something changed: nothing cached may be served again.
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.responses.invalidate_all();
        self.totals.invalidate_all();
    }
}

/// Waits until another reader's computation ends (its `Flight` is dropped), or a while at most.
pub async fn wait_for(mut computing: watch::Receiver<()>) {
    // `changed` fails once the sender is gone, which is the signal: nothing is ever sent.
    let _ = actix_web::rt::time::timeout(FLIGHT_WAIT, computing.changed()).await;
}

impl Default for ContentCache {
    fn default() -> Self {
        Self::new()
    }
}

/// Marks an anonymous read of public content as cacheable by anyone (this process included) for
/// the configured time. Credentialed reads get `private, no-store` from the conventions
/// middleware instead.
pub fn mark_public(response: &mut HttpResponse, reader: &Reader, state: &AppState) {
    mark_public_for(response, reader, state, None);
}

/// [`mark_public`] for an answer that changes by itself after `seconds` (a time window opening
/// or closing): no copy, here or in any shared cache, outlives that moment.
pub fn mark_public_for(
    response: &mut HttpResponse,
    reader: &Reader,
    state: &AppState,
    seconds: Option<u32>,
) {
    if reader.credentialed {
        return;
    }
    let max_age = seconds.map_or(state.config.cache_max_age, |s| {
        s.min(state.config.cache_max_age)
    });
    let value = format!("public, max-age={max_age}");
    if let Ok(value) = header::HeaderValue::from_str(&value) {
        response.headers_mut().insert(header::CACHE_CONTROL, value);
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn answer(max_age: u64) -> CachedResponse {
        CachedResponse {
            cut_short: max_age < 60,
            content_type: "application/json".into(),
            cache_control: format!("public, max-age={max_age}"),
            etag: "\"x\"".into(),
            link: None,
            body: Bytes::from_static(b"{}"),
            max_age: Duration::from_secs(max_age),
            encoded: Arc::default(),
        }
    }

    #[test]
    fn answers_last_a_minute_while_changes_are_heard_and_seconds_while_not() {
        let cache = ContentCache::new();
        let kept = Utc::now();
        cache.follow_changes(true);
        cache.keep_response("/a".into(), answer(60), cache.generation(), kept);
        let later = |seconds| kept + TimeDelta::seconds(seconds);
        assert!(cache.response("/a", later(30)).is_some());
        assert!(cache.response("/a", later(61)).is_none());
        cache.follow_changes(false);
        assert!(cache.response("/a", later(4)).is_some());
        assert!(
            cache.response("/a", later(6)).is_none(),
            "deaf: five seconds at most"
        );
    }

    #[test]
    fn an_answer_is_kept_no_longer_than_its_own_max_age() {
        let cache = ContentCache::new();
        let kept = Utc::now();
        cache.follow_changes(true);
        cache.keep_response("/carousel".into(), answer(3), cache.generation(), kept);
        assert!(
            cache
                .response("/carousel", kept + TimeDelta::seconds(2))
                .is_some()
        );
        assert!(
            cache
                .response("/carousel", kept + TimeDelta::seconds(3))
                .is_none()
        );
    }

    #[test]
    fn a_change_heard_empties_the_cache_and_refuses_answers_computed_before_it() {
        let cache = ContentCache::new();
        let now = Utc::now();
        let before = cache.generation();
        cache.keep_response("/a".into(), answer(60), before, now);
        cache.clear();
        assert!(cache.response("/a", now).is_none());
        cache.keep_response("/b".into(), answer(60), before, now);
        assert!(
            cache.response("/b", now).is_none(),
            "computed before the change"
        );
    }

    #[test]
    fn an_answer_past_its_time_is_stale_for_a_grace_unless_its_own_time_was_short() {
        let cache = ContentCache::new();
        let kept = Utc::now();
        cache.follow_changes(true);
        cache.keep_response("/a".into(), answer(60), cache.generation(), kept);
        cache.keep_response("/window".into(), answer(3), cache.generation(), kept);
        let later = |seconds| kept + TimeDelta::seconds(seconds);
        assert!(matches!(cache.lookup("/a", later(59)), Lookup::Fresh(_)));
        assert!(matches!(cache.lookup("/a", later(61)), Lookup::Stale(_)));
        assert!(matches!(cache.lookup("/a", later(91)), Lookup::Missing));
        assert!(
            matches!(cache.lookup("/window", later(4)), Lookup::Missing),
            "an answer cut short by its own max-age is wrong after it"
        );
        cache.set_following(false);
        assert!(
            matches!(cache.lookup("/a", later(61)), Lookup::Missing),
            "nothing stale while other processes' writes are not heard"
        );
        cache.set_following(true);
        cache.clear();
        assert!(matches!(cache.lookup("/a", later(61)), Lookup::Missing));
    }

    #[actix_web::test]
    async fn one_reader_computes_an_answer_and_the_others_wait_for_it() {
        let cache = ContentCache::new();
        let Turn::Compute(flight) = cache.take_turn("/a") else {
            panic!("the first reader computes");
        };
        let Turn::Computing(computing) = cache.take_turn("/a") else {
            panic!("the second one waits");
        };
        assert!(
            matches!(cache.take_turn("/b"), Turn::Compute(_)),
            "other answers do not wait"
        );
        let waiting = actix_web::rt::spawn(wait_for(computing));
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "waits while the answer is computed");
        drop(flight);
        actix_web::rt::time::timeout(Duration::from_secs(1), waiting)
            .await
            .expect("the waiting reader goes on once the computation ends")
            .expect("the wait ends cleanly");
        assert!(matches!(cache.take_turn("/a"), Turn::Compute(_)));
    }
}
