//! The `masthead` command line: serve, migrate, user, openapi, search reindex.

use std::{
    io::{BufRead, IsTerminal},
    process::ExitCode,
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

use actix_web::{HttpServer, web};
use clap::{Parser, Subcommand};
use diesel::{Connection, PgConnection};
use masthead::{
    app, articles,
    auth::{Role, password},
    changes,
    config::{Config, DatabaseArgs, LogFormat, ServeArgs},
    db, events, openapi, search,
    state::AppState,
    users::{
        self,
        model::{Email, NewUser, Password},
    },
    webhooks,
};
use tracing_subscriber::EnvFilter;

// jemalloc, configured in .cargo/config.toml: glibc kept about 12 MiB of what an article load
// freed resident in its heaps for good (`malloc_trim` gave it back, and calling that needs
// `unsafe`).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(name = "masthead", version, about = "A headless CMS for news sites")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (creates the database and runs migrations first).
    Serve(Box<ServeArgs>),
    /// Create the database if needed and run pending migrations, then exit.
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Load a demo news portal (the article of the seed page with its photos, a dozen more,
    /// carousels, recommendations, links, site settings, an admin and an editor) into an empty
    /// database. Takes the same storage and database flags as `serve`.
    Demo(Box<ServeArgs>),
    /// Print the OpenAPI document as JSON.
    Openapi,
    /// Maintain the search index.
    #[command(subcommand)]
    Search(SearchCommand),
}

#[derive(Subcommand)]
enum SearchCommand {
    /// Rebuild the search index in MASTHEAD_SEARCH_DIR from the database, with a progress bar.
    /// `serve` does this by itself when the index is missing, damaged or made by another
    /// version, and keeps it current from the change log otherwise; the directory must not be
    /// in use by a running process.
    Reindex {
        /// The index directory.
        #[arg(long, env = "MASTHEAD_SEARCH_DIR", default_value = masthead::config::DEFAULT_SEARCH_DIR)]
        search_dir: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. Asks for the password, or reads one line from standard input.
    Create {
        #[arg(long)]
        email: String,
        /// admin, editor, author, contributor or member.
        #[arg(long)]
        role: Role,
        /// Display name (defaults to the part of the email before `@`).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input instead of asking for it.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

fn init_logging(format: LogFormat) {
    init_logging_from(format, "info");
}

/// Logs at `default_level` unless `RUST_LOG` says otherwise; colours only on a terminal, so a
/// log kept in a file stays plain text.
fn init_logging_from(format: LogFormat, default_level: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stdout().is_terminal());
    match format {
        LogFormat::Plain => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(*args),
        Command::Migrate { database } => {
            init_logging(LogFormat::Plain);
            migrate(&database.database_url)
        }
        Command::User(UserCommand::Create {
            email,
            role,
            name,
            password_stdin,
            database,
        }) => {
            init_logging(LogFormat::Plain);
            create_user(&database.database_url, &email, role, name, password_stdin)
        }
        Command::Demo(args) => demo(*args),
        Command::Openapi => print_openapi(),
        Command::Search(SearchCommand::Reindex {
            search_dir,
            database,
        }) => {
            init_logging_from(LogFormat::Plain, "warn");
            reindex(&database.database_url, &search_dir)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("masthead: {message}");
            ExitCode::FAILURE
        }
    }
}

fn demo(mut args: ServeArgs) -> Result<(), String> {
    // Its in-process server's access log would bury the progress bar and the summary.
    init_logging_from(LogFormat::Plain, "warn");
    // The demo signs in only to load itself; its tokens die with it.
    args.jwt_secret = Some(masthead::secret::random_token(48));
    let config = Config::from_args(args).map_err(|e| e.to_string())?;
    let database = config.database_url.clone();
    let loaded = masthead::demo::load(config)?;
    println!("The demo portal is loaded into {database}:");
    println!(
        "  {} articles and pages, {} images, carousels home-hero and sidebar-ad, friend links, site settings.",
        loaded.articles, loaded.images
    );
    println!("Sign in with these (shown only now):");
    println!(
        "  admin   {}  {}",
        loaded.admin_email, loaded.admin_password
    );
    println!(
        "  editor  {}  {}",
        loaded.editor_email, loaded.editor_password
    );
    println!("Then: masthead serve --dev, and open http://127.0.0.1:8080/api/v1/articles");
    Ok(())
}

fn migrate(url: &str) -> Result<(), String> {
    let applied = db::prepare(url).map_err(|e| e.to_string())?;
    tracing::info!(applied, "database is up to date");
    Ok(())
}

fn serve(args: ServeArgs) -> Result<(), String> {
    init_logging(args.log_format);
    let config = Config::from_args(args).map_err(|e| e.to_string())?;
    migrate(&config.database_url)?;
    let bind = config.bind.clone();
    let state = web::Data::new(AppState::new(config)?);
    // Refuses a directory another process holds; catches up (or builds) in the background.
    let workers = [
        search::indexer::start(&state)?,
        changes::listener::spawn(state.clone())
            .map_err(|e| format!("cannot start the change listener: {e}"))?,
        webhooks::worker::spawn(state.clone())
            .map_err(|e| format!("cannot start the webhook worker: {e}"))?,
        events::hub::spawn(state.clone())
            .map_err(|e| format!("cannot start the event feeder: {e}"))?,
    ];
    let served = serve_until_stopped(&bind, state.clone());
    state.changes.stop();
    join_workers(workers);
    served
}

/// How long the background threads may take to finish what they are doing once the server has
/// stopped (a delivery in flight, an index commit).
const WORKERS_STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// Waits, for a bounded time, for the background threads to end. Returning from `main` under
/// them is not only abrupt: the C libraries' exit handlers (OpenSSL's, beneath libpq's TLS
/// connections) free what those threads may still be using, which has been seen to abort the
/// process with a corrupted heap on the way out.
fn join_workers(workers: impl IntoIterator<Item = std::thread::JoinHandle<()>>) {
    let deadline = Instant::now() + WORKERS_STOP_TIMEOUT;
    for worker in workers {
        while !worker.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let name = worker.thread().name().unwrap_or("a worker").to_owned();
        if worker.is_finished() {
            if worker.join().is_err() {
                tracing::warn!(thread = %name, "a background thread panicked");
            }
        } else {
            tracing::warn!(thread = %name, "a background thread did not stop in time");
        }
    }
}

fn serve_until_stopped(bind: &str, state: web::Data<AppState>) -> Result<(), String> {
    actix_web::rt::System::new().block_on(async move {
        actix_web::rt::spawn(articles::scheduler::run(state.clone()));
        actix_web::rt::spawn(changes::prune::run(state.clone()));
        openapi::prepare();
        let app_state = state.clone();
        let server = HttpServer::new(move || app::build(app_state.clone()))
            .disable_signals()
            .bind(&bind)
            .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
        for address in server.addrs() {
            tracing::info!(%address, "Masthead is listening");
        }
        let server = server.run();
        actix_web::rt::spawn(stop_on_signal(server.handle(), state));
        server.await.map_err(|e| e.to_string())
    })
}

/// How long requests in flight may take to finish once a stop is asked for.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// On SIGTERM or Ctrl-C: stop accepting, wait for the requests in flight, then stop.
///
/// actix-server's own graceful stop closes the workers' connection channels while it asks them
/// to finish, and a worker that sees the channel close first exits at once, dropping its
/// requests in flight (actix-server 2.6, `worker.rs`). Pausing, then waiting on our own count of
/// requests in flight, then stopping avoids that race.
async fn stop_on_signal(server: actix_web::dev::ServerHandle, state: web::Data<AppState>) {
    use actix_web::rt::signal::{ctrl_c, unix};
    let terminate = async {
        match unix::signal(unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM; stop with Ctrl-C");
                std::future::pending::<()>().await;
            }
        }
    };
    futures_util::future::select(Box::pin(ctrl_c()), Box::pin(terminate)).await;
    tracing::info!("stopping: no new connections; finishing the requests in flight");
    server.pause().await;
    // Event streams never finish by themselves: they end now, and clients resume elsewhere.
    state.events.close();
    let started = Instant::now();
    while state.in_flight.load(Ordering::SeqCst) > 0 && started.elapsed() < DRAIN_TIMEOUT {
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    server.stop(true).await;
    state.changes.stop();
}

fn read_password(from_stdin: bool) -> Result<String, String> {
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the password: {e}"))?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
    let second = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
    if first == second {
        Ok(first)
    } else {
        Err("the passwords differ".into())
    }
}

fn create_user(
    url: &str,
    email: &str,
    role: Role,
    name: Option<String>,
    password_stdin: bool,
) -> Result<(), String> {
    let email = Email::parse("email", email).map_err(|e| format!("--email {}", e.message))?;
    let password = read_password(password_stdin)?;
    let password = Password::parse("password", &password)
        .map_err(|e| format!("the password {}", e.message))?;
    let email = email.into_inner();
    let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
    db::prepare(url).map_err(|e| e.to_string())?;
    let user = NewUser {
        id: uuid::Uuid::now_v7(),
        password_hash: password::hash(password.expose()).map_err(|e| e.to_string())?,
        email,
        name,
        role: role.as_str().to_owned(),
    };
    let mut conn = PgConnection::establish(url).map_err(|e| e.to_string())?;
    let created = users::queries::insert(&mut conn, &user).map_err(|e| match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => {
            format!("an account with the email {} already exists", user.email)
        }
        other => other.to_string(),
    })?;
    println!(
        "created {} {} ({})",
        created.role, created.email, created.id
    );
    Ok(())
}

fn reindex(url: &str, search_dir: &str) -> Result<(), String> {
    db::prepare(url).map_err(|e| e.to_string())?;
    let (done, seconds) = search::indexer::reindex(search_dir, url)?;
    println!(
        "indexed {done} articles in {seconds:.1} s ({:.0} articles/s) into {search_dir}",
        done as f64 / seconds.max(0.001)
    );
    Ok(())
}

fn print_openapi() -> Result<(), String> {
    let json = openapi::document()
        .to_pretty_json()
        .map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(())
}
