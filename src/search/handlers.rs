use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::{
    articles::{content, dto::ArticleView, model::Status},
    auth::Reader,
    cache, db,
    error::ApiError,
    openapi::{Forbidden, Public},
    pagination::{List, Page, PageParams},
    search::{
        analysis,
        dto::{SearchHit, SearchParams},
        engine::{Asked, Filters, Visible},
        parse_query, queries, text,
    },
    slugs::{self, Key, Scope},
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
/// alone shows its title marked; one found by the query in pinyin, the words so spelled; one
/// found loosely, the start of its body.
fn snippet(found: &queries::Found, words: &[String], spellings: &[String]) -> String {
    let texts = [
        &found.body_start,
        &found.article.excerpt,
        &found.article.title,
    ];
    let marked = |words: &[String]| {
        texts
            .iter()
            .map(|text| text::snippet(text, words))
            .find(|snippet| snippet.contains("<mark>"))
    };
    marked(words)
        .or_else(|| {
            if spellings.is_empty() {
                return None;
            }
            let spelled: Vec<String> = texts
                .iter()
                .flat_map(|text| analysis::spelled_as(text, spellings))
                .collect();
            marked(&spelled)
        })
        .unwrap_or_else(|| text::snippet(&found.body_start, words))
}

/// Resolves an id or slug filter; `Err(())` when it names nothing (the search then finds
/// nothing).
fn resolve(
    conn: &mut diesel::PgConnection,
    scope: Scope,
    key: Option<&Key>,
) -> Result<Result<Option<uuid::Uuid>, ()>, ApiError> {
    let Some(key) = key else {
        return Ok(Ok(None));
    };
    Ok(slugs::resolve(conn, scope, key)?.map(Some).ok_or(()))
}

/// Search articles: ranked by relevance, with a highlighted snippet each.
///
/// Chinese is segmented into words with jieba's dictionary, in the articles and in the query
/// alike; traditional characters match their simplified forms; other languages are split into
/// words and lower-cased. Every word of the query must match; title matches weigh most, then
/// subtitle and tags, excerpt, and body, and words found next to each other as in the query
/// weigh more. A query in pinyin (`yanglao`, `yang lao`) also finds the Chinese words it spells,
/// below exact matches. When nothing matches every word, any word is enough, misspelt Latin
/// words (one or two letters off) and the start of a word included. Anonymous callers and
/// content keys find live articles only. 503 with `Retry-After` while this process's index is
/// still catching up with the database.
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
    let mut filters = Filters {
        locale: params.locale,
        kind: params.kind.map(|k| k.as_str().to_owned()),
        published_after: content::query_time("published_after", params.published_after.as_deref())?,
        published_before: content::query_time(
            "published_before",
            params.published_before.as_deref(),
        )?,
        ..Filters::default()
    };
    let keys = [
        params.category.as_deref().map(Key::parse),
        params.tag.as_deref().map(Key::parse),
        params.author.as_deref().map(Key::parse),
    ];
    let words = text::highlight_words(&terms);
    let spellings = text::pinyin_spellings(&terms, &raw);
    let search = state.search.clone();
    let staff = reader.is_staff();
    let now = state.clock.now();
    let limit = usize::try_from(page.limit()).unwrap_or(20);
    let offset = usize::try_from(page.offset()).unwrap_or(0);
    let (found, total) = db::run(&state.pool, move |conn| {
        let index = super::caught_up(conn, &search, staff)?;
        let [category, tag, author] = keys;
        let resolved = (
            resolve(conn, Scope::Categories, category.as_ref())?,
            resolve(conn, Scope::Tags, tag.as_ref())?,
            resolve(conn, Scope::Authors, author.as_ref())?,
        );
        let (Ok(category), Ok(tag), Ok(author)) = resolved else {
            return Ok((Vec::new(), 0));
        };
        (filters.category, filters.tag, filters.author) = (category, tag, author);
        let (hits, total) = index
            .search(
                Asked {
                    terms: &terms,
                    raw: &raw,
                },
                visible,
                &filters,
                now,
                (limit, offset),
            )
            .map_err(ApiError::internal)?;
        let scores: HashMap<uuid::Uuid, f32> = hits.iter().map(|h| (h.id, h.score)).collect();
        let ids: Vec<uuid::Uuid> = hits.iter().map(|h| h.id).collect();
        let found = queries::found(conn, &ids, matches!(visible, Visible::Live))?;
        let found: Vec<(queries::Found, f32)> = found
            .into_iter()
            .map(|f| {
                let score = scores.get(&f.article.id).copied().unwrap_or_default();
                (f, score)
            })
            .collect();
        Ok((found, i64::try_from(total).unwrap_or(i64::MAX)))
    })
    .await?;
    let until_change = found
        .iter()
        .filter_map(|(found, _)| found.article.timing().seconds_to_change(now))
        .min();
    let hits = found
        .into_iter()
        .map(|(found, score)| SearchHit {
            snippet: snippet(&found, &words, &spellings),
            score: (score * 1000.0).round() / 1000.0,
            article: ArticleView::new(found.article, None),
        })
        .collect();
    let mut response = List::new(hits, page, total).respond(&req);
    cache::mark_public_for(&mut response, &reader, &state, until_change);
    Ok(response)
}
