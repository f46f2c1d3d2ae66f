//! What handlers may hold: the pool, the configuration, keys, caches and the signals shared by
//! every request and worker of a process.

use std::sync::{Arc, atomic::AtomicUsize};

use crate::{
    auth::{throttle::LoginThrottle, tokens::TokenKeys},
    cache::ContentCache,
    changes::listener::ChangeSignal,
    clock::Clock,
    config::{Config, StorageSettings},
    db::{self, Pool},
    events::hub::EventHub,
    images::{media::Media, storage::Storage},
    links::throttle::ApplicationThrottle,
    metrics::Metrics,
    search::indexer::SearchIndex,
};

pub struct AppState {
    pub pool: Pool,
    pub config: Arc<Config>,
    pub tokens: TokenKeys,
    pub throttle: LoginThrottle,
    pub metrics: Metrics,
    pub statements: db::StatementCounter,
    pub cache: ContentCache,
    pub media: Arc<Media>,
    pub link_applications: ApplicationThrottle,
    pub clock: Clock,
    /// Requests between the first middleware and their response; shutdown waits for them.
    pub in_flight: AtomicUsize,
    /// Raised when any process commits a change; background workers wait on it.
    pub changes: ChangeSignal,
    /// Feeds this process's open event streams.
    pub events: EventHub,
    /// Calls out to webhooks, only to addresses `MASTHEAD_OUTBOUND` allows.
    pub webhook_agent: ureq::Agent,
    /// This process's search index, kept current from the change log by its indexer thread.
    pub search: Arc<SearchIndex>,
    /// Fetches remote pictures for imports, only from addresses `MASTHEAD_OUTBOUND` allows.
    pub import_agent: ureq::Agent,
}

impl AppState {
    /// Builds the state without touching the database: connections open on first use. Fails
    /// only on unusable storage settings.
    pub fn new(config: Config) -> Result<Self, String> {
        let statements = db::StatementCounter::default();
        let storage = match &config.storage {
            StorageSettings::Local => Storage::local(&config.media_dir),
            StorageSettings::S3(settings) => Storage::s3(settings)?,
        };
        Ok(Self {
            media: Arc::new(Media::new(
                storage,
                config.max_image_pixels,
                config.jwt_secret.expose().as_bytes(),
            )),
            link_applications: ApplicationThrottle::new(),
            clock: Clock::default(),
            pool: db::pool(
                &config.database_url,
                config.db_pool_size,
                config.db_timeout,
                statements.clone(),
            ),
            statements,
            cache: ContentCache::new(),
            in_flight: AtomicUsize::new(0),
            changes: ChangeSignal::default(),
            events: EventHub::default(),
            search: Arc::new(SearchIndex::new()),
            webhook_agent: config.outbound.agent(crate::webhooks::worker::TIMEOUT),
            import_agent: config.outbound.agent(crate::images::remote::TIMEOUT),
            tokens: TokenKeys::new(&config.jwt_secret),
            throttle: LoginThrottle::new(),
            metrics: Metrics::new(),
            config: Arc::new(config),
        })
    }
}
