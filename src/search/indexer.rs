//! Keeps this process's index current from the change log: at start it catches up from the
//! sequence number stored with the index (or rebuilds from PostgreSQL when the index is missing,
//! damaged, made by another analysis, made from another database, or older than the change log
//! still kept), then applies changes in sequence order as the change listener hears of them (at
//! most a second later when a notification is missed), a commit of the index at most every
//! [`COMMIT_GAP`] unless a search is waiting for it.

use std::{
    collections::BTreeSet,
    sync::{
        Arc, Condvar, Mutex, OnceLock, Weak,
        atomic::{AtomicBool, AtomicI64, Ordering},
    },
    thread,
    time::{Duration, Instant},
};

use actix_web::web;
use diesel::PgConnection;
use indicatif::{ProgressBar, ProgressStyle};
use tantivy::{
    IndexWriter,
    indexer::{LogMergePolicy, NoMergePolicy},
};
use uuid::Uuid;

use super::{
    analysis,
    engine::{Opened, Stamp},
    model::Source,
    queries,
};
use crate::{changes, error::ApiError, state::AppState};

/// Changes read at a time.
const BATCH: i64 = 500;
/// Articles read at a time while rebuilding.
const REBUILD_BATCH: i64 = 1_000;
/// How long the indexer waits for news before looking at the change log anyway.
const IDLE: Duration = Duration::from_secs(1);
/// How often the wait looks whether news arrived.
const POLL: Duration = Duration::from_millis(5);
/// Under a stream of writes, the least time between two commits of the index that nobody waits
/// for. Each commit makes a segment that later merges redo, and committing per write cost as
/// much CPU as the rest of the write.
const COMMIT_GAP: Duration = Duration::from_millis(100);

/// How long the index writer stays open with nothing to write. Opening it again takes a few
/// milliseconds; an open one holds a few MiB (its document queue, its threads) and, idle, would
/// hold them for good.
const WRITER_REST: Duration = Duration::from_secs(2);

/// The index of this process and where it stands.
#[derive(Default)]
pub struct SearchIndex {
    opened: OnceLock<Opened>,
    /// The last change applied; -1 before the first catch-up.
    applied: AtomicI64,
    ready: AtomicBool,
    /// This process answered a write since the index last caught up.
    local_write: AtomicBool,
    /// Raised to wake the indexer; waiters for `applied` wait on `progress`.
    pokes: Mutex<u64>,
    progress: Condvar,
}

impl SearchIndex {
    pub fn new() -> Self {
        Self {
            applied: AtomicI64::new(-1),
            ..Self::default()
        }
    }

    /// The open index, once it has caught up with the change log at least once.
    pub fn ready(&self) -> Option<&Opened> {
        if self.ready.load(Ordering::SeqCst) {
            self.opened.get()
        } else {
            None
        }
    }

    /// The last change applied (-1 before the first catch-up).
    pub fn applied(&self) -> i64 {
        self.applied.load(Ordering::SeqCst)
    }

    /// This process answered a write: its next search waits for the index to hold it (and
    /// wakes the indexer then, not now: a stream of writes is indexed in batches).
    pub fn wrote(&self) {
        self.local_write.store(true, Ordering::SeqCst);
    }

    /// Whether a search should first wait for the index to reach the latest change: the caller
    /// may have just written (staff, through any process), or this process did. Clears the
    /// note of a local write: the caller then waits for everything committed so far.
    pub fn take_pending_write(&self, staff: bool) -> bool {
        self.local_write.swap(false, Ordering::SeqCst) || staff
    }

    /// A write whose wait timed out stays noted for the next search.
    pub fn keep_pending_write(&self) {
        self.local_write.store(true, Ordering::SeqCst);
    }

    fn poke(&self) {
        if let Ok(mut pokes) = self.pokes.lock() {
            *pokes = pokes.wrapping_add(1);
            self.progress.notify_all();
        }
    }

    fn pokes(&self) -> u64 {
        self.pokes.lock().map_or(0, |p| *p)
    }

    fn advanced(&self, seq: i64) {
        self.applied.store(seq, Ordering::SeqCst);
        self.ready.store(true, Ordering::SeqCst);
        // Waiters and the indexer share one condition variable.
        let _guard = self.pokes.lock();
        self.progress.notify_all();
    }

    /// Waits, at most `timeout`, for the index to have applied change `seq`; wakes the indexer
    /// first. Whether it got there. Blocking: call it off the async workers.
    pub fn wait_for(&self, seq: i64, timeout: Duration) -> bool {
        self.poke();
        let deadline = Instant::now() + timeout;
        let Ok(mut guard) = self.pokes.lock() else {
            return false;
        };
        while self.applied() < seq {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            match self.progress.wait_timeout(guard, left) {
                Ok((next, _)) => guard = next,
                Err(_) => return false,
            }
        }
        true
    }

    /// Waits until the index has caught up once, at most `timeout`.
    pub fn wait_ready(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while !self.ready.load(Ordering::SeqCst) {
            if Instant::now() >= deadline {
                return false;
            }
            thread::sleep(POLL);
        }
        true
    }
}

/// Opens this process's index in `MASTHEAD_SEARCH_DIR` (refusing a directory another process
/// holds) and starts the thread that keeps it current. Answers before the index has caught up:
/// until then `/readyz` and search answer 503.
pub fn start(state: &web::Data<AppState>) -> Result<thread::JoinHandle<()>, String> {
    let dir = std::path::PathBuf::from(&state.config.search_dir);
    let (opened, stamp) = Opened::open(&dir).map_err(|e| e.to_string())?;
    match stamp {
        Some(stamp) => tracing::info!(dir = %dir.display(), seq = stamp.seq, "search index opened"),
        None => {
            tracing::info!(dir = %dir.display(), "no usable search index: it will be built from the database")
        }
    }
    let index = state.search.clone();
    if index.opened.set(opened).is_err() {
        return Err("the search index is already open in this process".into());
    }
    let weak = Arc::downgrade(&state.clone().into_inner());
    thread::Builder::new()
        .name("search-indexer".into())
        .spawn(move || follow(&weak, &index, stamp))
        .map_err(|e| format!("cannot start the search indexer: {e}"))
}

fn follow(state: &Weak<AppState>, index: &SearchIndex, mut found: Option<Stamp>) {
    let mut applied: Option<i64> = None;
    // When the last commit of the index that applied changes happened.
    let mut committed: Option<Instant> = None;
    let mut reported = false;
    // A connection of its own, outside the pool: a rebuild holds it for minutes, and the
    // indexer's statements are not the requests' (nor counted with theirs).
    let mut connection: Option<PgConnection> = None;
    loop {
        let Some(app) = state.upgrade() else {
            return;
        };
        if app.changes.stopping() {
            return;
        }
        let heard = app.changes.count();
        let pokes = index.pokes();
        let Some(opened) = index.opened.get() else {
            return;
        };
        let result = connect(&mut connection, &app.config.database_url).and_then(|conn| {
            // Checked until a check gets an answer: a database away at start costs no rebuild.
            if let Some(stamp) = found {
                applied = made_here(conn, &stamp)?.then_some(stamp.seq);
                found = None;
            }
            if applied.is_none() {
                applied = Some(rebuild(conn, opened, true)?);
            }
            let before = applied.unwrap_or_default();
            let seq = catch_up(conn, opened, before)?;
            applied = Some(seq);
            index.advanced(seq);
            if seq != before {
                // Answers computed from the index before it held these changes may have been
                // kept after the change listener cleared the cache: they go now.
                app.cache.clear();
                committed = Some(Instant::now());
            } else if committed.is_none_or(|at| at.elapsed() >= WRITER_REST) {
                opened.close_writer()?;
                committed = None;
            }
            Ok(())
        });
        match result {
            Ok(()) => {
                reported = false;
            }
            Err(error) => {
                // The connection may be what failed: open a new one next time.
                connection = None;
                if !reported {
                    tracing::warn!(%error, "the search index cannot follow the change log");
                    reported = true;
                }
            }
        }
        drop(app);
        let quiet_until = committed.map(|at| at + COMMIT_GAP);
        wait_for_news(state, index, heard, pokes, quiet_until);
    }
}

/// Whether the index found in the directory can be caught up from this database's change log:
/// the change it was stamped with is this database's (an index kept from another database, or
/// from before a restore, would serve its articles and skip this one's changes up to its
/// number), and no change after it has been pruned.
fn made_here(conn: &mut PgConnection, stamp: &Stamp) -> Result<bool, ApiError> {
    let first_kept = changes::queries::first_kept(conn)?;
    if first_kept > stamp.seq + 1 {
        return Ok(false);
    }
    // Stamped before any change was kept (or after all were pruned): nothing tells which
    // database it came from, and building anew from such a log is cheap or needed anyway.
    if stamp.seq == 0 {
        return Ok(false);
    }
    Ok(match changes::queries::transaction_of(conn, stamp.seq)? {
        Some(tx) => stamp.tx == Some(tx),
        // Pruned since (every later change is kept, as checked above), or never this log's.
        None => stamp.seq < first_kept,
    })
}

fn connect<'c>(
    connection: &'c mut Option<PgConnection>,
    url: &str,
) -> Result<&'c mut PgConnection, ApiError> {
    use diesel::Connection;
    if connection.is_none() {
        let conn = PgConnection::establish(url).map_err(|_| ApiError::Unavailable)?;
        *connection = Some(conn);
    }
    connection.as_mut().ok_or(ApiError::Unavailable)
}

/// Sleeps until the index is poked (a search waits), a change is heard (but not before
/// `quiet_until`), a stop is asked, or [`IDLE`] passes.
fn wait_for_news(
    state: &Weak<AppState>,
    index: &SearchIndex,
    heard: u64,
    pokes: u64,
    quiet_until: Option<Instant>,
) {
    let deadline = Instant::now() + IDLE;
    while Instant::now() < deadline {
        let Some(app) = state.upgrade() else {
            return;
        };
        let quiet = quiet_until.is_some_and(|until| Instant::now() < until);
        let news = app.changes.count() != heard && !quiet;
        if news || app.changes.stopping() || index.pokes() != pokes {
            return;
        }
        drop(app);
        if let Ok(guard) = index.pokes.lock() {
            let _woken = index.progress.wait_timeout(guard, POLL);
        }
    }
}

/// Applies every change committed after `seq`, in order, a batch per commit of the index;
/// returns the last applied.
fn catch_up(conn: &mut PgConnection, opened: &Opened, mut seq: i64) -> Result<i64, ApiError> {
    loop {
        let changes = changes::queries::after(conn, seq, BATCH)?;
        let Some(last) = changes.last().map(changes::model::Change::number) else {
            return Ok(seq);
        };
        let mut ids: BTreeSet<Uuid> = BTreeSet::new();
        let mut renamed_tags = Vec::new();
        for change in &changes {
            match (change.resource.as_str(), change.resource_id) {
                ("article", Some(id)) => {
                    ids.insert(id);
                }
                // A tag's name is indexed with its articles.
                ("tag", Some(id)) if change.action == "updated" => renamed_tags.push(id),
                _ => {}
            }
        }
        if !renamed_tags.is_empty() {
            ids.extend(queries::ids_with_tags(conn, &renamed_tags)?);
        }
        let ids: Vec<Uuid> = ids.into_iter().collect();
        let sources = queries::sources_of(conn, &ids)?;
        let gone: Vec<Uuid> = ids
            .iter()
            .filter(|id| !sources.iter().any(|s| s.id == **id))
            .copied()
            .collect();
        let tag_names = queries::tag_names_of(conn, &sources)?;
        let prepared = sources
            .iter()
            .map(|s| opened.document(s, &tag_names))
            .collect();
        let last_tx = changes.last().map(|change| change.tx);
        commit(opened, prepared, &gone, last, last_tx)?;
        // A short batch was all there was: what commits next is heard and read on the next
        // wake, so asking again now would only find nothing (a statement per wake).
        if changes.len() < usize::try_from(BATCH).unwrap_or(usize::MAX) {
            return Ok(last);
        }
        seq = last;
    }
}

fn commit(
    opened: &Opened,
    prepared: Vec<super::engine::Prepared>,
    gone: &[Uuid],
    seq: i64,
    tx: Option<i64>,
) -> Result<(), ApiError> {
    opened.with_writer(|writer| {
        opened.write(writer, prepared, gone);
        stamp_commit(writer, seq, tx)
    })?;
    opened.reader.reload().map_err(ApiError::internal)?;
    Ok(())
}

fn stamp_commit(
    writer: &mut tantivy::IndexWriter,
    seq: i64,
    tx: Option<i64>,
) -> Result<(), ApiError> {
    let stamp = Stamp {
        seq,
        analysis: analysis::VERSION,
        tx,
    };
    let payload = serde_json::to_string(&stamp).map_err(ApiError::internal)?;
    let mut prepared = writer.prepare_commit().map_err(ApiError::internal)?;
    prepared.set_payload(&payload);
    prepared.commit().map_err(ApiError::internal)?;
    Ok(())
}

/// Builds the index anew from every article in PostgreSQL (with a progress bar on a terminal);
/// returns the change it is current to. Changes committed meanwhile are applied after it by
/// the usual catch-up (applying one twice does no harm).
pub fn rebuild(conn: &mut PgConnection, opened: &Opened, bar: bool) -> Result<i64, ApiError> {
    let seq = changes::queries::latest(conn)?;
    let tx = changes::queries::transaction_of(conn, seq)?;
    let total = queries::count_articles(conn)?;
    tracing::info!(
        articles = total,
        "building the search index from the database"
    );
    let progress = if bar {
        ProgressBar::new(u64::try_from(total).unwrap_or(0))
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} articles, {per_sec}, {eta} left")
    {
        progress.set_style(style);
    }
    let started = Instant::now();
    let done = opened.with_writer(|writer| {
        // Merged once at the end: merging as segments fill up would redo that work, and could
        // take away a segment the final merge names.
        writer.set_merge_policy(Box::new(NoMergePolicy));
        let built = write_every_article(conn, opened, writer, (seq, tx), &progress);
        writer.set_merge_policy(Box::<LogMergePolicy>::default());
        built
    })?;
    opened.reader.reload().map_err(ApiError::internal)?;
    progress.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        articles = done,
        seconds,
        per_second = (done as f64 / seconds.max(0.001)).round(),
        "search index built"
    );
    Ok(seq)
}

/// Writes every article into the emptied index, commits with `seq`, and merges what was
/// written into one segment: a query then walks one list per word rather than one per
/// segment. Returns the articles written.
fn write_every_article(
    conn: &mut PgConnection,
    opened: &Opened,
    writer: &mut IndexWriter,
    (seq, tx): (i64, Option<i64>),
    progress: &ProgressBar,
) -> Result<usize, ApiError> {
    writer.delete_all_documents().map_err(ApiError::internal)?;
    let mut after = None;
    let mut done = 0usize;
    loop {
        let sources = queries::sources_after(conn, after, REBUILD_BATCH)?;
        let Some(last) = sources.last() else {
            break;
        };
        after = Some(last.id);
        let tag_names = queries::tag_names_of(conn, &sources)?;
        // Analysis is the costly part: two threads, one per core; the writer indexes on its own.
        let (left, right) = sources.split_at(sources.len() / 2);
        let prepare = |part: &[Source]| -> Vec<super::engine::Prepared> {
            part.iter()
                .map(|s| opened.document(s, &tag_names))
                .collect()
        };
        let (mut prepared, more) = thread::scope(|scope| {
            let other = scope.spawn(|| prepare(right));
            let mine = prepare(left);
            (mine, other.join().unwrap_or_default())
        });
        prepared.extend(more);
        opened.write(writer, prepared, &[]);
        done += sources.len();
        progress.inc(sources.len() as u64);
    }
    stamp_commit(writer, seq, tx)?;
    let segments = opened
        .index
        .searchable_segment_ids()
        .map_err(ApiError::internal)?;
    if segments.len() > 1 {
        writer.merge(&segments).wait().map_err(ApiError::internal)?;
        stamp_commit(writer, seq, tx)?;
    }
    Ok(done)
}

/// `masthead search reindex`: rebuilds the index in `dir` from the database, with a progress
/// bar; refuses a directory a running process holds. Returns the articles indexed and seconds.
pub fn reindex(dir: &str, database_url: &str) -> Result<(usize, f64), String> {
    use diesel::Connection;
    let (opened, _) = Opened::open(std::path::Path::new(dir)).map_err(|e| e.to_string())?;
    let mut conn = PgConnection::establish(database_url).map_err(|e| e.to_string())?;
    let started = Instant::now();
    rebuild(&mut conn, &opened, true).map_err(|e| e.to_string())?;
    let count = opened.searcher().num_docs();
    Ok((
        usize::try_from(count).unwrap_or(usize::MAX),
        started.elapsed().as_secs_f64(),
    ))
}
