use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use diesel::{PgConnection, QueryResult};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    articles::{
        content,
        dto::{ArticleFields, ArticleView, Bodies, ListParams},
        model::{ArticleSummary, Kind, Status},
        queries::{self, Cursor, Filters, Sort},
        shape::Shape,
    },
    auth::Reader,
    cache, db,
    error::ApiError,
    openapi::{Forbidden, Public},
    pagination::{List, Page, PageParams},
    search,
    slugs::{self, Key, Scope},
    state::AppState,
};

fn parse_sort(value: Option<&str>) -> Result<Sort, ApiError> {
    Ok(match value.unwrap_or("-published_at") {
        "-published_at" => Sort::PublishedDesc,
        "published_at" => Sort::PublishedAsc,
        "-updated_at" => Sort::UpdatedDesc,
        "updated_at" => Sort::UpdatedAsc,
        "title" => Sort::Title,
        other => {
            return Err(ApiError::BadRequest(format!(
                "sort: {other:?} is not one of published_at, -published_at, updated_at, -updated_at, title"
            )));
        }
    })
}

/// Cursors are `<sort>.<value>.<id>`: microseconds (or `-` for none) for time sorts, the title
/// in hex for the title sort. Opaque to clients; only their shape is checked here.
fn encode_cursor(sort: Sort, last: &ArticleSummary) -> String {
    let time =
        |t: Option<DateTime<Utc>>| t.map_or("-".to_owned(), |t| t.timestamp_micros().to_string());
    match sort {
        Sort::PublishedDesc | Sort::PublishedAsc => {
            format!("p.{}.{}", time(last.published_at), last.id.simple())
        }
        Sort::UpdatedDesc | Sort::UpdatedAsc => {
            format!("u.{}.{}", time(Some(last.updated_at)), last.id.simple())
        }
        Sort::Title => {
            let hex: String = last.title.bytes().map(|b| format!("{b:02x}")).collect();
            format!("t.{hex}.{}", last.id.simple())
        }
    }
}

fn decode_cursor(sort: Sort, value: &str) -> Result<Cursor, ApiError> {
    let bad =
        || ApiError::BadRequest("after: not a cursor of this list; use meta.next_cursor".into());
    let mut parts = value.splitn(3, '.');
    let (Some(kind), Some(middle), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let id = Uuid::parse_str(id).map_err(|_| bad())?;
    let time = |v: &str| -> Result<Option<DateTime<Utc>>, ApiError> {
        if v == "-" {
            return Ok(None);
        }
        let micros: i64 = v.parse().map_err(|_| bad())?;
        DateTime::from_timestamp_micros(micros)
            .filter(|t| content::storable(*t))
            .map(Some)
            .ok_or_else(bad)
    };
    match (kind, sort) {
        ("p", Sort::PublishedDesc | Sort::PublishedAsc) => Ok(Cursor::Time(time(middle)?, id)),
        ("u", Sort::UpdatedDesc | Sort::UpdatedAsc) => Ok(Cursor::Time(time(middle)?, id)),
        ("t", Sort::Title) => {
            let bytes = (0..middle.len())
                .step_by(2)
                .map(|i| {
                    middle
                        .get(i..i + 2)
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                })
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(bad)?;
            Ok(Cursor::Title(
                String::from_utf8(bytes).map_err(|_| bad())?,
                id,
            ))
        }
        _ => Err(bad()),
    }
}

fn parse_status(value: &str) -> Result<Option<Status>, ApiError> {
    Ok(Some(match value {
        "draft" => Status::Draft,
        "scheduled" => Status::Scheduled,
        "published" => Status::Published,
        "archived" => Status::Archived,
        "trashed" => return Ok(None),
        other => {
            return Err(ApiError::BadRequest(format!(
                "status: {other:?} is not one of draft, scheduled, published, archived, trashed"
            )));
        }
    }))
}

/// List articles: summaries (no bodies unless `fields` names them), newest first by default.
///
/// A list costs the same few statements whatever its length: the page, the total (skipped when
/// the first page holds everything, and kept for a few seconds), and one per included relation. Deep pages are cheaper through `after` (keyset) than through `page`.
#[utoipa::path(
    tag = "articles",
    params(ListParams),
    responses(
        (status = 200, description = "A page of articles", body = List<ArticleFields>,
            headers(("Link" = String, description = "next and prev pages"))),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        Public, Forbidden,
    ),
    security((), ("bearer" = [])),
)]
#[get("/articles")]
pub async fn list_articles(
    reader: Reader,
    state: web::Data<AppState>,
    params: web::Query<ListParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let window = Window::try_from(&params)?;
    if wants_trash(&params) && !reader.is_staff() {
        return Err(ApiError::Forbidden("only staff may list the trash".into()));
    }
    let matching = Matching::parse(&params, reader.is_staff())?;
    let page = window.page;
    let worker = state.clone();
    let (views, total, next, until_change) = db::run(&state.pool, move |conn| {
        fetch(conn, &worker, &window, matching)
    })
    .await?;
    let mut list = List::new(views, page, total);
    if params.after.is_some() {
        list = list.with_cursor(next);
    } else {
        list.meta.next_cursor = next;
    }
    let mut response = list.respond(&req);
    cache::mark_public_for(&mut response, &reader, &state, until_change);
    Ok(response)
}

/// Whether the list asks for the trash, which only staff may see.
fn wants_trash(params: &ListParams) -> bool {
    params.status.as_deref() == Some("trashed")
}

/// Which page of the list, in which order, and how each article is shown.
struct Window {
    page: Page,
    sort: Sort,
    /// Where the previous page ended, when the list is read by cursor.
    cursor: Option<Cursor>,
    shape: Shape,
}

impl TryFrom<&ListParams> for Window {
    type Error = ApiError;

    fn try_from(params: &ListParams) -> Result<Self, ApiError> {
        let page = Page::try_from(&PageParams {
            page: params.page,
            per_page: params.per_page,
        })?;
        let sort = parse_sort(params.sort.as_deref())?;
        let cursor = params
            .after
            .as_deref()
            .map(|c| decode_cursor(sort, c))
            .transpose()?;
        let shape = Shape::parse(params.fields.as_deref(), params.include.as_deref())?;
        Ok(Self {
            page,
            sort,
            cursor,
            shape,
        })
    }
}

/// What the list matches: the filters checked here, and the author, category and tag named by id
/// or slug, which only the database can resolve.
struct Matching {
    filters: Filters,
    author: Option<Key>,
    category: Option<Key>,
    tag: Option<Key>,
}

impl Matching {
    /// Anyone but staff sees only live articles.
    fn parse(params: &ListParams, staff: bool) -> Result<Self, ApiError> {
        let filters = Filters {
            live_only: !staff,
            trashed: wants_trash(params),
            status: params
                .status
                .as_deref()
                .map(parse_status)
                .transpose()?
                .flatten(),
            featured: params.featured,
            kind: params.kind.map(|k: Kind| k.as_str().to_owned()),
            locale: params.locale.clone(),
            published_after: content::query_time(
                "published_after",
                params.published_after.as_deref(),
            )?,
            published_before: content::query_time(
                "published_before",
                params.published_before.as_deref(),
            )?,
            q: params
                .q
                .as_deref()
                .filter(|q| !q.trim().is_empty())
                .map(search::Matches::parse)
                .transpose()?,
            ..Filters::default()
        };
        Ok(Self {
            filters,
            author: params.author.as_deref().map(Key::parse),
            category: params.category.as_deref().map(Key::parse),
            tag: params.tag.as_deref().map(Key::parse),
        })
    }

    /// The filters with their references resolved, or `None` when one names nothing that exists:
    /// such a filter matches nothing.
    fn resolve(mut self, conn: &mut PgConnection) -> QueryResult<Option<Filters>> {
        let mut nothing = false;
        if let Some(key) = self.author {
            self.filters.author = slugs::resolve(conn, Scope::Authors, &key)?;
            nothing |= self.filters.author.is_none();
        }
        if let Some(key) = self.category {
            self.filters.category = slugs::resolve(conn, Scope::Categories, &key)?;
            nothing |= self.filters.category.is_none();
        }
        if let Some(key) = self.tag {
            self.filters.tag = slugs::resolve(conn, Scope::Tags, &key)?;
            nothing |= self.filters.tag.is_none();
        }
        Ok((!nothing).then_some(self.filters))
    }
}

/// The whole list in one database call: the page of articles as `window` shows them, the total,
/// and the cursor of the next page when this one is full.
/// A page of articles, the total, the next cursor, and the seconds until one of them goes live
/// or comes down by itself.
type Fetched = (Vec<Value>, i64, Option<String>, Option<u32>);

fn fetch(
    conn: &mut PgConnection,
    state: &AppState,
    window: &Window,
    matching: Matching,
) -> Result<Fetched, ApiError> {
    let generation = state.cache.generation();
    let Some(mut filters) = matching.resolve(conn)? else {
        return Ok((Vec::new(), 0, None, None));
    };
    if let Some(q) = filters.q.as_mut() {
        let visible = match (filters.live_only, filters.trashed) {
            (true, _) => search::engine::Visible::Live,
            (false, true) => search::engine::Visible::Trash,
            (false, false) => search::engine::Visible::Staff(None),
        };
        q.find(conn, state, visible)?;
    }
    let Window {
        page,
        sort,
        cursor,
        shape,
    } = window;
    let offset = if cursor.is_some() { 0 } else { page.offset() };
    let with_bodies = shape.wants_bodies();
    let (full, summaries) = queries::page(
        conn,
        &filters,
        *sort,
        cursor.as_ref(),
        page.limit(),
        offset,
        with_bodies,
    )?;
    let found = i64::try_from(full.len() + summaries.len()).unwrap_or(i64::MAX);
    // A first page that is not full is the whole list: no count needed.
    let total = if offset == 0 && cursor.is_none() && found < page.limit() {
        found
    } else {
        total(conn, state, &filters, generation)?
    };
    let rows: Vec<(ArticleSummary, Option<Bodies>)> = if with_bodies {
        full.into_iter()
            .map(|a| {
                let bodies = Bodies {
                    body: a.body.clone(),
                    body_html: a.body_html.clone(),
                    body_text: a.body_text.clone(),
                };
                (ArticleSummary::from(a), Some(bodies))
            })
            .collect()
    } else {
        summaries.into_iter().map(|s| (s, None)).collect()
    };
    let next = (rows.len() as i64 == page.limit())
        .then(|| rows.last().map(|(last, _)| encode_cursor(*sort, last)))
        .flatten();
    let now = Utc::now();
    let until_change = rows
        .iter()
        .filter_map(|(s, _)| s.timing().seconds_to_change(now))
        .min();
    let mut views: Vec<ArticleView> = rows
        .into_iter()
        .map(|(s, b)| ArticleView::new(s, b))
        .collect();
    shape.embed(conn, &mut views, &state.config.media_url)?;
    let projected = views
        .into_iter()
        .map(|v| shape.project(v))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((projected, total, next, until_change))
}

/// The list's total, counted once per few seconds for the same filters. `generation` is the
/// cache's, read before the list's first statement, so that a total counted across a write is
/// not kept.
fn total(
    conn: &mut PgConnection,
    state: &AppState,
    filters: &Filters,
    generation: u64,
) -> Result<i64, ApiError> {
    let key = format!("articles {filters:?}");
    if let Some(total) = state.cache.total(&key, state.clock.now()) {
        return Ok(total);
    }
    let total = queries::count(conn, filters)?;
    state
        .cache
        .keep_total(key, total, generation, state.clock.now());
    Ok(total)
}
