//! The connection pool, migrations, and the one door through which blocking database work runs.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use actix_web::web;
use diesel::{
    Connection, PgConnection, QueryResult, RunQueryDsl,
    connection::{Instrumentation, InstrumentationEvent},
    define_sql_function,
    r2d2::{self, ManageConnection, R2D2Connection},
    result::{DatabaseErrorKind, Error as DieselError},
    sql_query,
    sql_types::{BigInt, Bool, Integer, Text},
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{actor::Actor, error::ApiError};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Any fixed number works; it only has to be the same in every Masthead process.
const MIGRATION_LOCK_KEY: i64 = 0x6d61_7374_6865_6164; // "masthead"

/// The connections, and the queue requests wait in for one.
///
/// A request takes a turn before it goes to the blocking pool. The turns are as many as the
/// connections and are handed out in the order they were asked for, so a request waits behind
/// those that came before it, and no more blocking threads wait than there are connections.
/// Without them, 64 requests at once parked 54 blocking threads on r2d2's condition variable,
/// which wakes them in no set order: some waited many times their share.
#[derive(Clone)]
pub struct Pool {
    connections: r2d2::Pool<Manager>,
    turns: Arc<Semaphore>,
    timeout: Duration,
}

impl Pool {
    /// The connections open and idle, for the metrics.
    pub fn state(&self) -> r2d2::State {
        self.connections.state()
    }

    /// Waits for this request's turn at the connections, at most the pool's time-out (then
    /// 503, as when no connection comes free).
    async fn turn(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        match actix_web::rt::time::timeout(self.timeout, self.turns.clone().acquire_owned()).await {
            Ok(Ok(turn)) => Ok(turn),
            _ => Err(ApiError::Unavailable),
        }
    }
}

/// A pooled connection that remembers whether the server went away under it.
///
/// r2d2's usual guard is a test query on every checkout, which costs a round trip per request.
/// Instead, a query that finds the connection closed marks it, and the pool drops it on return.
pub struct Conn {
    pg: PgConnection,
    broken: bool,
    /// The `masthead.actor` this session carries (none set means `system`).
    actor: Actor,
}

pub struct Manager {
    url: String,
    statements: StatementCounter,
}

/// Counts the SQL statements every pooled connection runs: exported as a metric, and how the
/// tests prove that a list costs a fixed number of queries.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Instrumentation for StatementCounter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl ManageConnection for Manager {
    type Connection = Conn;
    type Error = diesel::ConnectionError;

    fn connect(&self) -> Result<Conn, Self::Error> {
        let mut pg = PgConnection::establish(&self.url)?;
        pg.set_instrumentation(self.statements.clone());
        Ok(Conn {
            pg,
            broken: false,
            actor: Actor::System,
        })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        conn.pg
            .ping()
            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.broken || conn.pg.is_broken()
    }
}

pub fn pool(url: &str, max_size: u32, timeout: Duration, statements: StatementCounter) -> Pool {
    let connections = r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .connection_timeout(timeout)
        .test_on_check_out(false)
        // Connection failures are answered as 503 and logged there; r2d2's own log is noise.
        .error_handler(Box::new(r2d2::NopErrorHandler))
        .build_unchecked(Manager {
            url: url.to_owned(),
            statements,
        });
    Pool {
        connections,
        turns: Arc::new(Semaphore::new(max_size as usize)),
        timeout,
    }
}

/// Runs `work` with a pooled connection on the blocking thread pool: one hop per request.
///
/// Work that may write runs as the request's actor (see [`crate::actor`]), so the change log
/// names who did it. Pool time-outs and connections lost mid-query become 503, and the lost
/// connection is discarded.
pub async fn run<T, F>(pool: &Pool, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    on_blocking_pool(pool, crate::actor::for_database(), work).await
}

/// [`run`] for work that only reads, whatever the request: the session's actor is left as it is
/// (identifying the caller, before the actor is known).
pub async fn read<T, F>(pool: &Pool, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    on_blocking_pool(pool, None, work).await
}

async fn on_blocking_pool<T, F>(pool: &Pool, actor: Option<Actor>, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let turn = pool.turn().await?;
    let pool = pool.clone();
    let span = tracing::Span::current();
    web::block(move || {
        let _entered = span.enter();
        let result = run_as(&pool, actor, work);
        drop(turn);
        result
    })
    .await
    .map_err(ApiError::internal)?
}

/// [`run`] for threads of Masthead's own (jobs, workers), which may block: acts as `system`.
pub fn run_blocking<T>(
    pool: &Pool,
    work: impl FnOnce(&mut PgConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    run_as(pool, Some(Actor::System), work)
}

/// [`run_blocking`] for work of Masthead's own that only reads: the session's actor is left as
/// it is, so a connection that serves requests in between is not switched back and forth.
pub fn read_blocking<T>(
    pool: &Pool,
    work: impl FnOnce(&mut PgConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    run_as(pool, None, work)
}

fn run_as<T>(
    pool: &Pool,
    actor: Option<Actor>,
    work: impl FnOnce(&mut PgConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let mut conn = pool.connections.get()?;
    let result = match actor {
        Some(actor) => act_as(&mut conn, actor),
        None => Ok(()),
    }
    .and_then(|()| work(&mut conn.pg));
    if matches!(result, Err(ApiError::Unavailable)) {
        conn.broken = true;
    }
    result
}

/// Brings the session's `masthead.actor` up to date; a round trip only when it changes.
fn act_as(conn: &mut Conn, actor: Actor) -> Result<(), ApiError> {
    if conn.actor == actor {
        return Ok(());
    }
    set_setting(&mut conn.pg, "masthead.actor", &actor.setting(), false)?;
    conn.actor = actor;
    Ok(())
}

/// Runs reads that must agree with one another in one snapshot of the database: an item rendered
/// in one statement and whether readers saw it in the next could otherwise straddle a commit
/// (a draft published between them read as a public item gone).
pub fn in_one_snapshot<T>(
    conn: &mut PgConnection,
    work: impl FnOnce(&mut PgConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    conn.build_transaction()
        .repeatable_read()
        .read_only()
        .run(work)
}

/// Runs CPU-heavy work (password hashing) off the async workers, keeping the tracing span.
pub async fn blocking<T, F>(work: F) -> Result<T, ApiError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let span = tracing::Span::current();
    web::block(move || span.in_scope(work))
        .await
        .map_err(ApiError::internal)
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("DATABASE_URL must name a database, as in postgres://user@host:5432/masthead")]
    NoDatabaseName,
    #[error("cannot connect to PostgreSQL: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("database error: {0}")]
    Query(#[from] DieselError),
    #[error("migration failed: {0}")]
    Migration(String),
}

/// Splits `postgres://host/name?opts` into the URL of the maintenance database and `name`.
fn maintenance_url(url: &str) -> Result<(String, String), SetupError> {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let (server, name) = base.rsplit_once('/').ok_or(SetupError::NoDatabaseName)?;
    if name.is_empty() || server.ends_with('/') {
        return Err(SetupError::NoDatabaseName);
    }
    let maintenance = match query {
        Some(query) => format!("{server}/postgres?{query}"),
        None => format!("{server}/postgres"),
    };
    Ok((maintenance, name.to_owned()))
}

/// Creates the database named in `url` if it does not exist yet.
pub fn ensure_database(url: &str) -> Result<(), SetupError> {
    match PgConnection::establish(url) {
        Ok(_) => Ok(()),
        Err(diesel::ConnectionError::BadConnection(message))
            if message.contains("does not exist") =>
        {
            let (maintenance, name) = maintenance_url(url)?;
            let mut conn = PgConnection::establish(&maintenance)?;
            let quoted = format!("\"{}\"", name.replace('"', "\"\""));
            match sql_query(format!("CREATE DATABASE {quoted}")).execute(&mut conn) {
                Ok(_) => {
                    tracing::info!(database = %name, "created database");
                    Ok(())
                }
                // Another process created it between our two connections, or is creating it at
                // this very moment (then the catalogue's unique index refuses the second).
                Err(DieselError::DatabaseError(DatabaseErrorKind::Unknown, info))
                    if info.message().contains("already exists") =>
                {
                    Ok(())
                }
                Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(()),
                Err(e) => Err(e.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// What a transaction-scoped advisory lock decides over. Each kind has its own first key, so
/// names of different kinds never share a lock; every kind is listed here, so none can collide.
#[derive(Debug, Clone, Copy)]
pub enum LockKind {
    /// Picking a free slug from one base in one table.
    Slug = 0x736c_7567,
    /// Keeping or removing the files of one image's bytes.
    ImageFiles = 0x696d_6167,
    /// Changing which category is under which (the name is empty: there is one tree).
    CategoryTree = 0x6361_7465,
    /// Handing out positions in one recommendation slot.
    RecommendationSlot = 0x7265_636f,
}

/// Waits for, and holds until the transaction ends, the lock on `name` of `kind`: writers
/// deciding over the same name take turns, others do not wait. Outside a transaction the lock
/// would end at once, so call it inside one.
pub fn lock_until_commit(conn: &mut PgConnection, kind: LockKind, name: &str) -> QueryResult<()> {
    diesel::select(pg_advisory_xact_lock(kind as i32, hashtext(name)))
        .execute(conn)
        .map(drop)
}

/// Sets a setting for the session, or with `for_transaction` until the transaction ends.
pub fn set_setting(
    conn: &mut PgConnection,
    name: &str,
    value: &str,
    for_transaction: bool,
) -> QueryResult<()> {
    diesel::select(set_config(name, value, for_transaction))
        .execute(conn)
        .map(drop)
}

// PostgreSQL's functions as Diesel expressions: a statement built from them is prepared once per
// connection, where `sql_query` text is parsed and planned again every time (these run in
// every write).
define_sql_function! {
    fn set_config(name: Text, value: Text, is_local: Bool) -> Text;
}
define_sql_function! {
    fn hashtext(value: Text) -> Integer;
}
define_sql_function! {
    /// Returns `void`, which Diesel has no type for; only ever executed, never loaded.
    fn pg_advisory_xact_lock(kind: Integer, key: Integer) -> Bool;
}

/// Runs the embedded migrations under an advisory lock, so processes starting together take turns.
pub fn migrate(conn: &mut PgConnection) -> Result<usize, SetupError> {
    sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(MIGRATION_LOCK_KEY)
        .execute(conn)?;
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|versions| versions.len())
        .map_err(|e| SetupError::Migration(e.to_string()));
    sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(MIGRATION_LOCK_KEY)
        .execute(conn)?;
    applied
}

/// Start-up: the database exists and is migrated.
pub fn prepare(url: &str) -> Result<usize, SetupError> {
    ensure_database(url)?;
    let mut conn = PgConnection::establish(url)?;
    migrate(&mut conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maintenance_url_swaps_the_database_name() {
        let (url, name) =
            maintenance_url("postgres://u@h:5432/masthead?sslmode=disable").expect("valid URL");
        assert_eq!(url, "postgres://u@h:5432/postgres?sslmode=disable");
        assert_eq!(name, "masthead");
        assert!(maintenance_url("postgres://u@h:5432/").is_err());
    }
}
