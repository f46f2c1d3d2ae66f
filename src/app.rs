//! The app builder used by `serve`, the demo and the tests: middleware, routes, operations
//! endpoints.

use actix_web::{
    App, Error, HttpResponse,
    body::BoxBody,
    dev::{ServiceFactory, ServiceRequest, ServiceResponse},
    http::header,
    middleware::from_fn,
    web,
};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::{cors::CrossOrigin, extract, health, metrics, middleware, openapi, state::AppState};

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
        .route(
            "/media/{sha256}/{name}",
            web::get().to(crate::images::media::serve),
        )
        .route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header((header::LOCATION, "/docs/"))
                    .finish()
            }),
        )
        .route("/openapi.json", web::get().to(openapi::served))
        .service(SwaggerUi::new("/docs/{_:.*}").config(Config::new(["/openapi.json"])))
        .default_service(web::to(middleware::no_route))
        .wrap(from_fn(middleware::conventions))
        .wrap(cross_origin)
        .wrap(from_fn(middleware::observe))
}
