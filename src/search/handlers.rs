use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::{
    articles::{dto::ArticleView, model::Status},
    auth::Reader,
    cache, db,
    error::ApiError,
    openapi::{Forbidden, Public},
    pagination::{List, Page, PageParams},
    search::{
        dto::{SearchHit, SearchParams},
        parse_query,
        queries::{self, Matching, Visible},
        text,
    },
    state::AppState,
};

fn parse_status(reader: &Reader, value: Option<&str>) -> Result<Visible, ApiError> {
    let status = match value {
        None => None,
        Some("draft") => Some(Status::Draft),
        Some("scheduled") => Some(Status::Scheduled),
        Some("published") => Some(Status::Published),
        Some("archived") => Some(Status::Archived),
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "status: {other:?} is not one of draft, scheduled, published, archived"
            )));
        }
    };
    match (reader.is_staff(), status) {
        (true, status) => Ok(Visible::Staff(status)),
        (false, None | Some(Status::Published)) => Ok(Visible::Live),
        (false, Some(_)) => Err(ApiError::Forbidden(
            "only staff may search articles that are not published".into(),
        )),
    }
}

/// The snippet of the first text with a match, body first: a hit found by its title or tags
/// alone shows its title marked; one matched by trigrams alone, the start of its body.
fn snippet(hit: &queries::Hit, words: &[String]) -> String {
    [&hit.body_start, &hit.article.excerpt, &hit.article.title]
        .into_iter()
        .map(|text| text::snippet(text, words))
        .find(|snippet| snippet.contains("<mark>"))
        .unwrap_or_else(|| text::snippet(&hit.body_start, words))
}

/// Search articles: ranked by relevance, with a highlighted snippet each.
///
/// Chinese is segmented into words with jieba's dictionary, in the articles (at write time) and
/// in the query alike; other languages are split into words and lower-cased. Every word of the
/// query must match; title matches weigh most, then subtitle and tags, excerpt, and body. When
/// nothing matches every word, any word matching as a prefix, or a title or tag name similar to
/// the query (trigrams), is enough, so partial and misspelt queries still find something.
/// Anonymous callers and content keys find live articles only.
#[utoipa::path(
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "A page of hits, best first", body = List<SearchHit>,
            headers(("Link" = String, description = "next and prev pages"))),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        Public, Forbidden,
    ),
    security((), ("bearer" = [])),
)]
#[get("/search")]
pub async fn search_articles(
    reader: Reader,
    state: web::Data<AppState>,
    params: web::Query<SearchParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let page = Page::try_from(&PageParams {
        page: params.page,
        per_page: params.per_page,
    })?;
    let raw = params.q.unwrap_or_default().trim().to_owned();
    let terms = parse_query(&raw)?;
    let visible = parse_status(&reader, params.status.as_deref())?;
    let words = text::highlight_words(&terms);
    let (hits, total) = db::run(&state.pool, move |conn| {
        let strict = Matching::Words {
            tsquery: text::strict_query(&terms),
        };
        let found = queries::search(conn, &strict, visible, page.limit(), page.offset())?;
        if found.1 > 0 {
            return Ok(found);
        }
        let similar = Matching::Similar {
            tsquery: text::loose_query(&terms),
            raw: raw.to_lowercase(),
        };
        Ok(queries::search(
            conn,
            &similar,
            visible,
            page.limit(),
            page.offset(),
        )?)
    })
    .await?;
    let now = chrono::Utc::now();
    let until_change = hits
        .iter()
        .filter_map(|hit| hit.article.timing().seconds_to_change(now))
        .min();
    let hits = hits
        .into_iter()
        .map(|hit| SearchHit {
            snippet: snippet(&hit, &words),
            score: (hit.score * 1000.0).round() / 1000.0,
            article: ArticleView::new(hit.article, None),
        })
        .collect();
    let mut response = List::new(hits, page, total).respond(&req);
    cache::mark_public_for(&mut response, &reader, &state, until_change);
    Ok(response)
}
