//! The shared state and the app builder used by `serve` and by the tests.

use std::sync::{Arc, atomic::AtomicUsize};

use actix_web::{
    App, Error, HttpResponse,
    body::BoxBody,
    dev::{ServiceFactory, ServiceRequest, ServiceResponse},
    http::header,
    middleware::from_fn,
    web,
};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    auth::{throttle::LoginThrottle, tokens::TokenKeys},
    cache::ContentCache,
    changes::listener::ChangeSignal,
    clock::Clock,
    config::{Config, StorageSettings},
    cors::CrossOrigin,
    db::{self, Pool},
    extract, health,
    images::{media::Media, storage::Storage},
    links::throttle::ApplicationThrottle,
    metrics,
    metrics::Metrics,
    middleware, openapi,
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
    /// Calls out to webhooks, only to addresses `MASTHEAD_OUTBOUND` allows.
    pub webhook_agent: ureq::Agent,
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
            media: Arc::new(Media::new(storage, config.max_image_pixels)),
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
            webhook_agent: config.outbound.agent(crate::webhooks::worker::TIMEOUT),
            tokens: TokenKeys::new(&config.jwt_secret),
            throttle: LoginThrottle::new(),
            metrics: Metrics::new(),
            config: Arc::new(config),
        })
    }
}

/// The whole application: the documented API, the operations routes and the middleware.
pub fn build(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<BoxBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let cross_origin = CrossOrigin::new(&state.config.cors_origins);
    let (app, _) = App::new()
        .into_utoipa_app()
        .openapi(<openapi::ApiDoc as utoipa::OpenApi>::openapi())
        .app_data(state)
        .app_data(web::QueryConfig::default().error_handler(extract::query_error))
        .app_data(web::PathConfig::default().error_handler(extract::path_error))
        .configure(crate::routes::api)
        .split_for_parts();
    app.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(metrics::metrics))
        .service(
            web::resource("/media/{sha256}/{name}")
                .route(web::get().to(crate::images::media::serve))
                .route(web::head().to(crate::images::media::serve)),
        )
        .route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header((header::LOCATION, "/docs/"))
                    .finish()
            }),
        )
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", openapi::document()))
        .default_service(web::to(middleware::no_route))
        .wrap(from_fn(middleware::conventions))
        .wrap(cross_origin)
        .wrap(from_fn(middleware::observe))
}
