use actix_web::{
    HttpRequest, HttpResponse, get,
    http::header::{self, ContentType},
    web,
};

use crate::{
    articles::{
        access,
        dto::{ArticleFields, ArticleView, ReadParams},
        queries::{self, Lookup},
        shape::Shape,
    },
    auth::Reader,
    cache, db,
    error::ApiError,
    openapi::{NotFound, Public},
    slugs::Key,
    state::AppState,
};

/// Read one article by id or slug. An old slug answers `301` to the current one.
///
/// Anonymous callers see only live articles (published, its time come, not trashed); anything
/// else is 404 to them.
#[utoipa::path(
    tag = "articles",
    params(("id" = String, Path, description = "The article's id or slug"), ReadParams),
    responses(
        (status = 200, description = "The article", body = ArticleFields),
        (status = 301, description = "Moved: the slug changed; `Location` has the current URL"),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        Public, NotFound,
    ),
    security((), ("bearer" = [])),
)]
#[get("/articles/{id}")]
pub async fn find_article(
    reader: Reader,
    state: web::Data<AppState>,
    id: web::Path<String>,
    params: web::Query<ReadParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let shape = Shape::parse(params.fields.as_deref(), params.include.as_deref())?;
    let key = Key::parse(&id);
    let media_url = state.config.media_url.clone();
    let found = db::run(&state.pool, move |conn| {
        let article = match queries::find(conn, &key)? {
            Lookup::Found(article) => *article,
            // The redirect names the current slug, so it is only for those who may read it.
            Lookup::Moved(article) => {
                access::check_readable(&reader, &article)?;
                return Ok(Err(article.slug));
            }
            Lookup::Missing => return Err(ApiError::not_found("article")),
        };
        access::check_readable(&reader, &article)?;
        let until_change = article.timing().seconds_to_change(chrono::Utc::now());
        let mut views = [ArticleView::full(article)];
        shape.embed(conn, &mut views, &media_url)?;
        let [view] = views;
        Ok(Ok((shape.to_json(view)?, until_change)))
    })
    .await?;
    match found {
        Ok((body, until_change)) => {
            let mut response = HttpResponse::Ok()
                .content_type(ContentType::json())
                .body(body);
            cache::mark_public_for(&mut response, &reader, &state, until_change);
            Ok(response)
        }
        Err(current_slug) => {
            let query = req.query_string();
            let location = if query.is_empty() {
                format!("/api/v1/articles/{current_slug}")
            } else {
                format!("/api/v1/articles/{current_slug}?{query}")
            };
            Ok(HttpResponse::MovedPermanently()
                .insert_header((header::LOCATION, location))
                .finish())
        }
    }
}
