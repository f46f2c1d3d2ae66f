use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use uuid::Uuid;

use crate::{
    articles::{
        access,
        dto::ArticleView,
        model::ArticleSummary,
        queries::{self as articles, Lookup},
    },
    auth::Reader,
    cache, db,
    error::ApiError,
    openapi::{NotFound, Public},
    pagination::{List, Page},
    recommendations::{
        dto::{RelatedItem, RelatedParams},
        queries,
    },
    search::{
        self,
        engine::{Kept, RelatedHit},
    },
    slugs::Key,
    state::AppState,
};

const DEFAULT_LIMIT: i64 = 6;
const MAX_LIMIT: i64 = 20;
/// Names listed in a reason.
const REASON_NAMES: usize = 3;

/// Why `item` is related to an article with `keywords`: the tags they share, else the
/// keywords both have or its title and excerpt mention, else the category.
fn reason(
    item: &RelatedHit,
    summary: &ArticleSummary,
    keywords: &[String],
    tag_names: &HashMap<Uuid, String>,
) -> String {
    let text = search::analysis::normalise(&format!("{} {}", summary.title, summary.excerpt))
        .to_lowercase();
    let shared: Vec<String> = keywords
        .iter()
        .filter(|k| item.shared_keywords.contains(k) || text.contains(k.as_str()))
        .cloned()
        .collect();
    let names = |list: Vec<String>| {
        list.into_iter()
            .take(REASON_NAMES)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut tags: Vec<String> = item
        .shared_tags
        .iter()
        .filter_map(|id| tag_names.get(id).cloned())
        .collect();
    tags.sort();
    if !tags.is_empty() {
        format!("tags: {}", names(tags))
    } else if !shared.is_empty() {
        format!("keywords: {}", names(shared))
    } else if item.same_category {
        "category".into()
    } else {
        "similar text".into()
    }
}

/// Articles related to one: the editors' picks (its `related` slot) first, in their order, then
/// the live articles most like it, found by the search index: shared tags weigh most, then
/// keywords (TF-IDF, extracted when the article is indexed) both have or the other's text
/// holds, then the category, with a gentle preference for recent ones.
///
/// Never the article itself, and never one that is not live. Anonymous callers get 404 for an
/// article that is not live.
#[utoipa::path(
    tag = "recommendations",
    params(("id" = String, Path, description = "The article's id or slug"), RelatedParams),
    responses(
        (status = 200, description = "Related articles, most related first", body = List<RelatedItem>),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        Public, NotFound,
    ),
    security((), ("bearer" = [])),
)]
#[get("/articles/{id}/related")]
pub async fn list_related(
    reader: Reader,
    state: web::Data<AppState>,
    id: web::Path<String>,
    params: web::Query<RelatedParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::BadRequest(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let key = Key::parse(&id);
    let search = state.search.clone();
    let now = state.clock.now();
    let staff = reader.is_staff();
    let (items, until_change) = db::run(&state.pool, move |conn| {
        let article = match articles::find(conn, &key)? {
            Lookup::Found(article) | Lookup::Moved(article) => article,
            Lookup::Missing => return Err(ApiError::not_found("article")),
        };
        access::check_readable(&reader, &article)?;
        let curated = queries::curated(conn, article.id, limit)?;
        let mut until_change = curated
            .iter()
            .filter_map(|a| a.timing().seconds_to_change(now))
            .min();
        let mut items: Vec<RelatedItem> = curated
            .iter()
            .map(|a| RelatedItem {
                article: ArticleView::new(a.clone(), None),
                reason: "curated".into(),
                score: 0.0,
            })
            .collect();
        let room = usize::try_from(limit)
            .unwrap_or(0)
            .saturating_sub(items.len());
        if room > 0 {
            let index = search::caught_up(conn, &search, staff)?;
            // The article's own tags and category as the database has them now; its
            // keywords as the index made them.
            let kept = index
                .kept(article.id)
                .map_err(ApiError::internal)?
                .unwrap_or_default();
            let source = Kept {
                keywords: kept.keywords,
                tags: article.tag_ids.clone(),
                category: article.category_id,
            };
            let exclude: Vec<Uuid> = curated.iter().map(|a| a.id).collect();
            let hits = index
                .related(article.id, &source, &exclude, now, room)
                .map_err(ApiError::internal)?;
            let ids: Vec<Uuid> = hits.iter().map(|h| h.id).collect();
            // The index may lag a write by a moment; the database decides what is live.
            let summaries = search::queries::live_summaries(conn, &ids)?;
            let tag_names = search::queries::tag_names(conn, &source.tags)?;
            until_change = summaries
                .iter()
                .filter_map(|s| s.timing().seconds_to_change(now))
                .chain(until_change)
                .min();
            for summary in summaries {
                let Some(hit) = hits.iter().find(|h| h.id == summary.id) else {
                    continue;
                };
                items.push(RelatedItem {
                    reason: reason(hit, &summary, &source.keywords, &tag_names),
                    score: (hit.score * 100.0).round() / 100.0,
                    article: ArticleView::new(summary, None),
                });
            }
        }
        Ok((items, until_change))
    })
    .await?;
    let total = i64::try_from(items.len()).unwrap_or(0);
    let page = Page {
        number: 1,
        per_page: limit,
    };
    let mut response = List::new(items, page, total).respond(&req);
    cache::mark_public_for(&mut response, &reader, &state, until_change);
    Ok(response)
}
