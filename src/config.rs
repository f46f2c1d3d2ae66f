//! The one typed configuration, read once at start-up from the command line and environment.

use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::{
    cors::CorsOrigins,
    outbound::Outbound,
    secret::{Secret, random_token},
};

/// A server on this machine, reached without TLS: encrypting loopback protects nothing, and
/// libpq's default (`prefer`, TLS whenever the server offers it) cost a write about 7% of its
/// CPU, and each connection its TLS buffers.
pub const DEFAULT_DATABASE_URL: &str =
    "postgres://postgres@127.0.0.1:5432/masthead?sslmode=disable";
const MIN_SECRET_BYTES: usize = 32;
pub const DEFAULT_SEARCH_DIR: &str = "./data/search";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Plain,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StorageKind {
    Local,
    S3,
}

/// An S3-compatible object store (AWS S3, MinIO, Cloudflare R2, …).
#[derive(Debug, Clone)]
pub struct S3Settings {
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: Secret,
    /// `https://host/bucket/key` rather than `https://bucket.host/key`; MinIO wants this.
    pub path_style: bool,
}

#[derive(Debug, Clone)]
pub enum StorageSettings {
    Local,
    S3(S3Settings),
}

/// Where the database is; shared by every subcommand.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// PostgreSQL URL; the database is created if missing.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

/// Everything `serve` reads.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Listen address.
    #[arg(long, env = "MASTHEAD_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Token signing secret, at least 32 bytes.
    #[arg(long, env = "MASTHEAD_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Without a secret, generate a throw-away one (tokens die with the process).
    #[arg(long)]
    pub dev: bool,
    /// The frontend's base URL, used in sitemaps, feeds and webhook payloads.
    #[arg(
        long,
        env = "MASTHEAD_PUBLIC_URL",
        default_value = "http://localhost:3000"
    )]
    pub public_url: String,
    /// The frontend's preview page; `{token}` is replaced by a preview link's token.
    #[arg(
        long,
        env = "MASTHEAD_PREVIEW_URL",
        default_value = "http://localhost:3000/preview?token={token}"
    )]
    pub preview_url: String,
    /// Event streams (`GET /api/v1/events`) one client may hold open at once: per API key,
    /// else per address.
    #[arg(long, env = "MASTHEAD_EVENT_STREAMS_PER_CLIENT", default_value_t = 4)]
    pub event_streams_per_client: usize,
    /// The frontend's path of an article (kind `post`) in site maps and the feed; `{slug}` is
    /// replaced by the article's slug.
    #[arg(
        long,
        env = "MASTHEAD_ARTICLE_PATH",
        default_value = "/articles/{slug}"
    )]
    pub article_path: String,
    /// The frontend's path of a page (kind `page`) in site maps; `{slug}` is replaced.
    #[arg(long, env = "MASTHEAD_PAGE_PATH", default_value = "/{slug}")]
    pub page_path: String,
    /// The frontend's path of a category page, named in webhook payloads' `paths`.
    #[arg(
        long,
        env = "MASTHEAD_CATEGORY_PATH",
        default_value = "/categories/{slug}"
    )]
    pub category_path: String,
    /// The frontend's path of a tag page, named in webhook payloads' `paths`.
    #[arg(long, env = "MASTHEAD_TAG_PATH", default_value = "/tags/{slug}")]
    pub tag_path: String,
    /// The frontend's path of an author page, named in webhook payloads' `paths`.
    #[arg(long, env = "MASTHEAD_AUTHOR_PATH", default_value = "/authors/{slug}")]
    pub author_path: String,
    /// Address classes Masthead may call (webhooks): `public`, `private` (public and the
    /// private ranges), `loopback` (this machine only), or `none`; a comma-separated list
    /// combines them. Link-local and cloud metadata addresses are never called.
    #[arg(long, env = "MASTHEAD_OUTBOUND", default_value = "public")]
    pub outbound: Outbound,
    /// Origins of browser frontends that may send credentials and write, comma-separated
    /// (`https://app.example.com`, or `https://*.example.com` for preview deployments). Every
    /// origin may read anonymously.
    #[arg(long, env = "MASTHEAD_CORS_ORIGINS")]
    pub cors_origins: Option<CorsOrigins>,
    /// Days the change log (and so the audit trail of changes) is kept.
    #[arg(
        long,
        env = "MASTHEAD_CHANGE_LOG_RETENTION_DAYS",
        default_value_t = 365
    )]
    pub change_log_retention_days: u32,
    /// Days sign-in records of the audit trail are kept.
    #[arg(long, env = "MASTHEAD_AUDIT_RETENTION_DAYS", default_value_t = 365)]
    pub audit_retention_days: u32,
    /// Where uploaded files live with local storage.
    #[arg(long, env = "MASTHEAD_MEDIA_DIR", default_value = "./data/media")]
    pub media_dir: String,
    /// Where this process keeps its search index (one directory per process; rebuilt from the
    /// database when missing).
    #[arg(long, env = "MASTHEAD_SEARCH_DIR", default_value = DEFAULT_SEARCH_DIR)]
    pub search_dir: String,
    /// The base URL image URLs are built on: this server's `/media`, or a CDN in front of it.
    #[arg(long, env = "MASTHEAD_MEDIA_URL", default_value = "/media")]
    pub media_url: String,
    /// Where image files are kept.
    #[arg(long, env = "MASTHEAD_STORAGE", value_enum, default_value_t = StorageKind::Local)]
    pub storage: StorageKind,
    /// S3 endpoint, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:9000`.
    #[arg(long, env = "MASTHEAD_S3_ENDPOINT", required_if_eq("storage", "s3"))]
    pub s3_endpoint: Option<String>,
    /// S3 bucket.
    #[arg(long, env = "MASTHEAD_S3_BUCKET", required_if_eq("storage", "s3"))]
    pub s3_bucket: Option<String>,
    /// S3 region.
    #[arg(long, env = "MASTHEAD_S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,
    /// S3 access key id.
    #[arg(long, env = "MASTHEAD_S3_ACCESS_KEY", required_if_eq("storage", "s3"))]
    pub s3_access_key: Option<String>,
    /// S3 secret access key.
    #[arg(
        long,
        env = "MASTHEAD_S3_SECRET_KEY",
        hide_env_values = true,
        required_if_eq("storage", "s3")
    )]
    pub s3_secret_key: Option<String>,
    /// Address the bucket in the path (MinIO and most self-hosted stores) instead of the host name.
    #[arg(long, env = "MASTHEAD_S3_PATH_STYLE", default_value_t = true, action = clap::ArgAction::Set)]
    pub s3_path_style: bool,
    /// Largest image upload, in bytes.
    #[arg(long, env = "MASTHEAD_MAX_UPLOAD_BYTES", default_value_t = 20 * 1024 * 1024)]
    pub max_upload_bytes: u64,
    /// Largest picture accepted, in pixels (width × height), checked before decoding.
    #[arg(long, env = "MASTHEAD_MAX_IMAGE_PIXELS", default_value_t = 50_000_000)]
    pub max_image_pixels: u64,
    /// Let anyone sign up as a `member`.
    #[arg(long, env = "MASTHEAD_OPEN_REGISTRATION", default_value_t = false)]
    pub open_registration: bool,
    /// Let anonymous callers read published content (otherwise a `content` API key is needed).
    #[arg(long, env = "MASTHEAD_PUBLIC_READ", default_value_t = true, action = clap::ArgAction::Set)]
    pub public_read: bool,
    /// Lifetime of access tokens, in seconds.
    #[arg(long, env = "MASTHEAD_ACCESS_TOKEN_TTL", default_value_t = 900)]
    pub access_token_ttl: u64,
    /// Lifetime of refresh tokens, in seconds.
    #[arg(long, env = "MASTHEAD_REFRESH_TOKEN_TTL", default_value_t = 30 * 24 * 3600)]
    pub refresh_token_ttl: u64,
    /// Database connections kept by this process.
    #[arg(long, env = "MASTHEAD_DB_POOL_SIZE", default_value_t = 10)]
    pub db_pool_size: u32,
    /// Seconds to wait for a database connection before answering 503.
    #[arg(long, env = "MASTHEAD_DB_TIMEOUT", default_value_t = 5)]
    pub db_timeout: u64,
    /// `max-age` of anonymous reads of published content, in seconds.
    #[arg(long, env = "MASTHEAD_CACHE_MAX_AGE", default_value_t = 60)]
    pub cache_max_age: u32,
    /// Keep anonymous answers in memory (`on`); `off` makes every read go to the database, for
    /// measuring the uncached path.
    #[arg(
        long,
        env = "MASTHEAD_RESPONSE_CACHE",
        default_value_t = true,
        value_parser = clap::builder::BoolishValueParser::new(),
        action = clap::ArgAction::Set,
    )]
    pub response_cache: bool,
    /// Largest JSON body accepted, in bytes.
    #[arg(long, env = "MASTHEAD_MAX_BODY_BYTES", default_value_t = 2 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Access log format.
    #[arg(long, env = "MASTHEAD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Plain)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    pub jwt_secret: Secret,
    pub public_url: String,
    /// `{token}` in it is replaced by a preview link's token.
    pub preview_url: String,
    pub event_streams_per_client: usize,
    /// `{slug}` in it is replaced by an article's slug.
    pub article_path: String,
    /// `{slug}` in it is replaced by a page's slug.
    pub page_path: String,
    pub category_path: String,
    pub tag_path: String,
    pub author_path: String,
    /// Where Masthead may call out to.
    pub outbound: Outbound,
    /// Browser origins that may send credentials and write.
    pub cors_origins: CorsOrigins,
    pub change_log_retention: chrono::Duration,
    pub audit_retention: chrono::Duration,
    /// URLs per sitemap file; past it `/sitemap.xml` becomes an index of numbered parts. The
    /// sitemaps.org limit; tests make it small.
    pub sitemap_max_urls: u32,
    pub media_dir: String,
    /// This process's search index directory (`MASTHEAD_SEARCH_DIR`).
    pub search_dir: String,
    pub media_url: String,
    pub storage: StorageSettings,
    pub max_upload_bytes: u64,
    pub max_image_pixels: u64,
    pub open_registration: bool,
    pub public_read: bool,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub db_pool_size: u32,
    pub db_timeout: Duration,
    pub cache_max_age: u32,
    /// Whether anonymous answers are kept in this process's memory.
    pub response_cache: bool,
    pub max_body_bytes: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "MASTHEAD_JWT_SECRET is not set. Set it to a random string of at least {MIN_SECRET_BYTES} bytes \
         (for example `openssl rand -base64 48`), or pass --dev for a throw-away secret."
    )]
    MissingSecret,
    #[error("MASTHEAD_JWT_SECRET is {0} bytes long; it must be at least {MIN_SECRET_BYTES} bytes.")]
    ShortSecret(usize),
    #[error(
        "{0} is {1:?}; it must start with `/` and contain `{{slug}}`, like `/articles/{{slug}}`."
    )]
    BadPath(&'static str, String),
    #[error(
        "MASTHEAD_PREVIEW_URL is {0:?}; it must contain `{{token}}`, like `http://localhost:3000/preview?token={{token}}`."
    )]
    BadPreviewUrl(String),
}

/// The sitemaps.org limit of URLs in one sitemap file.
pub const SITEMAP_MAX_URLS: u32 = 50_000;

/// A frontend path with `{slug}` in it, so every article gets a URL of its own.
fn content_path(name: &'static str, value: String) -> Result<String, ConfigError> {
    if value.starts_with('/') && value.contains("{slug}") {
        Ok(value)
    } else {
        Err(ConfigError::BadPath(name, value))
    }
}

fn preview_url(value: String) -> Result<String, ConfigError> {
    if value.contains("{token}") {
        Ok(value)
    } else {
        Err(ConfigError::BadPreviewUrl(value))
    }
}

impl Config {
    /// Defaults for everything but the database and the secret; what tests and `serve` start from.
    pub fn new(database_url: impl Into<String>, jwt_secret: Secret) -> Self {
        Self {
            database_url: database_url.into(),
            bind: "127.0.0.1:8080".into(),
            jwt_secret,
            public_url: "http://localhost:3000".into(),
            preview_url: "http://localhost:3000/preview?token={token}".into(),
            event_streams_per_client: 4,
            article_path: "/articles/{slug}".into(),
            page_path: "/{slug}".into(),
            category_path: "/categories/{slug}".into(),
            tag_path: "/tags/{slug}".into(),
            author_path: "/authors/{slug}".into(),
            outbound: Outbound::default(),
            cors_origins: CorsOrigins::default(),
            change_log_retention: chrono::Duration::days(365),
            audit_retention: chrono::Duration::days(365),
            sitemap_max_urls: SITEMAP_MAX_URLS,
            media_dir: "./data/media".into(),
            search_dir: DEFAULT_SEARCH_DIR.into(),
            media_url: "/media".into(),
            storage: StorageSettings::Local,
            max_upload_bytes: 20 * 1024 * 1024,
            max_image_pixels: 50_000_000,
            open_registration: false,
            public_read: true,
            access_token_ttl: Duration::from_secs(900),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            db_pool_size: 10,
            db_timeout: Duration::from_secs(5),
            cache_max_age: 60,
            response_cache: true,
            max_body_bytes: 2 * 1024 * 1024,
        }
    }

    pub fn from_args(args: ServeArgs) -> Result<Self, ConfigError> {
        let secret = match args.jwt_secret.filter(|s| !s.is_empty()) {
            Some(secret) if secret.len() < MIN_SECRET_BYTES => {
                return Err(ConfigError::ShortSecret(secret.len()));
            }
            Some(secret) => Secret::new(secret),
            None if args.dev => {
                tracing::warn!(
                    "!!! --dev: using a throw-away JWT secret. Every token dies when this process \
                     stops. Never run like this in production: set MASTHEAD_JWT_SECRET. !!!"
                );
                Secret::new(random_token(48))
            }
            None => return Err(ConfigError::MissingSecret),
        };
        let storage = match args.storage {
            StorageKind::Local => StorageSettings::Local,
            StorageKind::S3 => StorageSettings::S3(S3Settings {
                endpoint: args.s3_endpoint.unwrap_or_default(),
                bucket: args.s3_bucket.unwrap_or_default(),
                region: args.s3_region,
                access_key: args.s3_access_key.unwrap_or_default(),
                secret_key: Secret::new(args.s3_secret_key.unwrap_or_default()),
                path_style: args.s3_path_style,
            }),
        };
        Ok(Self {
            database_url: args.database.database_url,
            bind: args.bind,
            jwt_secret: secret,
            public_url: args.public_url.trim_end_matches('/').to_owned(),
            preview_url: preview_url(args.preview_url)?,
            event_streams_per_client: args.event_streams_per_client.max(1),
            article_path: content_path("MASTHEAD_ARTICLE_PATH", args.article_path)?,
            page_path: content_path("MASTHEAD_PAGE_PATH", args.page_path)?,
            category_path: content_path("MASTHEAD_CATEGORY_PATH", args.category_path)?,
            tag_path: content_path("MASTHEAD_TAG_PATH", args.tag_path)?,
            author_path: content_path("MASTHEAD_AUTHOR_PATH", args.author_path)?,
            outbound: args.outbound,
            cors_origins: args.cors_origins.unwrap_or_default(),
            change_log_retention: chrono::Duration::days(i64::from(
                args.change_log_retention_days.max(1),
            )),
            audit_retention: chrono::Duration::days(i64::from(args.audit_retention_days.max(1))),
            sitemap_max_urls: SITEMAP_MAX_URLS,
            media_dir: args.media_dir,
            search_dir: args.search_dir,
            media_url: args.media_url.trim_end_matches('/').to_owned(),
            storage,
            max_upload_bytes: args.max_upload_bytes,
            max_image_pixels: args.max_image_pixels.max(1),
            open_registration: args.open_registration,
            public_read: args.public_read,
            access_token_ttl: Duration::from_secs(args.access_token_ttl),
            refresh_token_ttl: Duration::from_secs(args.refresh_token_ttl),
            db_pool_size: args.db_pool_size.max(1),
            db_timeout: Duration::from_secs(args.db_timeout.max(1)),
            cache_max_age: args.cache_max_age,
            response_cache: args.response_cache,
            max_body_bytes: args.max_body_bytes,
        })
    }
}
