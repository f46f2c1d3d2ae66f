//! One database per test, cloned from a migrated template.
//!
//! `CREATE DATABASE … TEMPLATE` copies a migrated database in tens of milliseconds, so each test
//! starts from the real schema with nothing shared, and tests run in parallel.

use std::{
    collections::hash_map::DefaultHasher,
    hash::{Hash, Hasher},
    path::Path,
    sync::OnceLock,
    time::{SystemTime, UNIX_EPOCH},
};

use diesel::{Connection, PgConnection, RunQueryDsl, sql_query, sql_types::Text};

/// The server the tests use; any database on it works as the maintenance database.
pub fn server_url() -> String {
    std::env::var("MASTHEAD_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// The URL of database `name` on the test server.
pub fn url_of(name: &str) -> String {
    let server = server_url();
    let base = server
        .rsplit_once('/')
        .map_or(server.as_str(), |(base, _)| base);
    format!("{base}/{name}")
}

fn maintenance() -> PgConnection {
    PgConnection::establish(&server_url()).expect("the test PostgreSQL server is reachable")
}

fn seconds_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

/// Names the template after the migrations, so a changed migration gets a fresh template.
fn template_name() -> String {
    let mut hasher = DefaultHasher::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("migrations folder")
        .map(|e| e.expect("readable entry").path())
        .collect();
    entries.sort();
    for entry in entries {
        entry.hash(&mut hasher);
        for file in ["up.sql", "down.sql"] {
            std::fs::read(entry.join(file))
                .unwrap_or_default()
                .hash(&mut hasher);
        }
    }
    format!("masthead_tpl_{:016x}", hasher.finish())
}

#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    datname: String,
}

/// Builds the template once per migration set; an advisory lock keeps parallel test processes
/// from building it twice. Leftovers of crashed runs are swept here too.
fn template() -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let name = template_name();
        let mut conn = maintenance();
        sql_query("SELECT pg_advisory_lock(7261)")
            .execute(&mut conn)
            .expect("lock");
        // Newest first (by oid), so that the templates of other migration sets kept below are
        // the latest: another checkout's tests may be using them right now.
        let existing: Vec<Name> = sql_query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'masthead\\_tpl\\_%' \
             OR datname LIKE 'masthead\\_test\\_%' ORDER BY oid DESC",
        )
        .load(&mut conn)
        .expect("list databases");
        let stale_before = seconds_now().saturating_sub(3600);
        let mut other_templates = 0;
        for Name { datname } in &existing {
            let stale = match datname.strip_prefix("masthead_test_") {
                Some(rest) => rest
                    .split('_')
                    .next()
                    .and_then(|s| s.parse::<u64>().ok())
                    .is_some_and(|created| created < stale_before),
                None if *datname == name => false,
                None => {
                    other_templates += 1;
                    other_templates > 2
                }
            };
            if stale {
                let _ = sql_query(format!("DROP DATABASE IF EXISTS {datname} WITH (FORCE)"))
                    .execute(&mut conn);
            }
        }
        if !existing.iter().any(|n| n.datname == name) {
            let building = format!("{name}_building");
            sql_query(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
                .execute(&mut conn)
                .expect("drop a half-built template");
            sql_query(format!("CREATE DATABASE {building}"))
                .execute(&mut conn)
                .expect("create");
            {
                let mut template = PgConnection::establish(&url_of(&building)).expect("connect");
                masthead::db::migrate(&mut template).expect("migrations run");
            }
            sql_query(format!("ALTER DATABASE {building} RENAME TO {name}"))
                .execute(&mut conn)
                .expect("publish the template");
        }
        sql_query("SELECT pg_advisory_unlock(7261)")
            .execute(&mut conn)
            .expect("unlock");
        name
    })
}

/// A migrated database of the test's own, dropped when the test ends.
pub struct TestDatabase {
    pub name: String,
    pub url: String,
}

impl TestDatabase {
    pub fn new() -> Self {
        let template = template();
        let name = format!(
            "masthead_test_{}_{}",
            seconds_now(),
            uuid::Uuid::now_v7().simple()
        );
        sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .execute(&mut maintenance())
            .expect("clone the template");
        Self {
            url: url_of(&name),
            name,
        }
    }

    /// The database goes away, as in a failover: every session is ended and none can start.
    pub fn go_away(&self) {
        let mut conn = maintenance();
        sql_query(format!(
            "ALTER DATABASE {} ALLOW_CONNECTIONS false",
            self.name
        ))
        .execute(&mut conn)
        .expect("refuse connections");
        sql_query(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}'",
            self.name
        ))
        .execute(&mut conn)
        .expect("end the sessions");
    }

    pub fn come_back(&self) {
        sql_query(format!(
            "ALTER DATABASE {} ALLOW_CONNECTIONS true",
            self.name
        ))
        .execute(&mut maintenance())
        .expect("accept connections");
    }

    pub fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url).expect("connect to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = sql_query(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut maintenance());
    }
}
