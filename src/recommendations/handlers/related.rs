use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::{
    articles::{
        access,
        dto::ArticleView,
        queries::{self as articles, Lookup},
    },
    auth::Reader,
    cache, db,
    error::ApiError,
    openapi::{NotFound, Public},
    pagination::{List, Page},
    recommendations::{
        dto::{RelatedItem, RelatedParams},
        queries::{self, RelatedTo, Scored},
    },
    slugs::Key,
    state::AppState,
};

const DEFAULT_LIMIT: i64 = 6;
const MAX_LIMIT: i64 = 20;
/// Names listed in a reason.
const REASON_NAMES: usize = 3;

fn reason(item: &Scored) -> String {
    let names = |list: &[String]| {
        list.iter()
            .take(REASON_NAMES)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !item.shared_tags.is_empty() {
        format!("tags: {}", names(&item.shared_tags))
    } else if !item.shared_keywords.is_empty() {
        format!("keywords: {}", names(&item.shared_keywords))
    } else {
        "category".into()
    }
}

/// Articles related to one: the editors' picks (its `related` slot) first, in their order, then
/// the live articles sharing the most tags, keywords (TF-IDF, extracted when the article is
/// written) and its category, with a gentle preference for recent ones.
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
    let (items, until_change) = db::run(&state.pool, move |conn| {
        let article = match articles::find(conn, &key)? {
            Lookup::Found(article) | Lookup::Moved(article) => article,
            Lookup::Missing => return Err(ApiError::not_found("article")),
        };
        access::check_readable(&reader, &article)?;
        let curated = queries::curated(conn, article.id, limit)?;
        let now = chrono::Utc::now();
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
        let room = limit - i64::try_from(items.len()).unwrap_or(limit);
        if room > 0 {
            let to = RelatedTo {
                id: article.id,
                tag_ids: article.tag_ids.clone(),
                category: article.category_id,
                keywords: queries::keywords(conn, article.id)?,
                exclude: curated.iter().map(|a| a.id).collect(),
            };
            let automatic = queries::automatic(conn, &to, room)?;
            until_change = automatic
                .iter()
                .filter_map(|s| s.article.timing().seconds_to_change(now))
                .chain(until_change)
                .min();
            items.extend(automatic.into_iter().map(|s| RelatedItem {
                reason: reason(&s),
                score: (s.score * 100.0).round() / 100.0,
                article: ArticleView::new(s.article, None),
            }));
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
