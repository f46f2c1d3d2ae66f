use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use chrono::Utc;

use crate::{
    auth::Reader,
    cache,
    config::Config,
    db,
    error::ApiError,
    etag,
    openapi::{NotFound, Public},
    site::{model::SiteSettings, queries as site_queries},
    sitefiles::{
        queries::{self, Fingerprint, Start},
        stream::{self, Format},
        xml,
    },
    state::AppState,
};

/// Items in the feed.
const FEED_ITEMS: i64 = 50;
const XML: &str = "application/xml; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";
const RSS: &str = "application/rss+xml; charset=utf-8";

/// Read the site map.
///
/// Every live article and page as a sitemaps.org `urlset`; past the per-file limit (50,000 URLs) a
/// `sitemapindex` of `/sitemap-1.xml`, `/sitemap-2.xml`, ….
#[utoipa::path(
    tag = "site-files",
    responses(
        (status = 200, description = "A `urlset`, or a `sitemapindex` of numbered parts",
            content_type = "application/xml", body = String,
            headers(("ETag" = String, description = "Changes with live content and settings"))),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        Public,
    ),
    security((), ("bearer" = [])),
)]
#[get("/sitemap.xml")]
pub async fn read_sitemap(
    reader: Reader,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let print = db::run(&state.pool, |conn| Ok(queries::fingerprint(conn)?)).await?;
    let tag = etag_of(&state.config, "sitemap.xml", &print);
    let until_change = print.seconds_to_change();
    if let Some(response) = not_modified(&req, &tag, &reader, &state, until_change) {
        return Ok(response);
    }
    let max = i64::from(state.config.sitemap_max_urls);
    let mut response = if print.live > max {
        let last = print.last_change.unwrap_or_else(Utc::now);
        let parts: Vec<_> = (1..=parts_of(print.live, max))
            .map(|n| (format!("{}/sitemap-{n}.xml", state.config.public_url), last))
            .collect();
        ok(XML, &tag).body(xml::sitemap_index(&parts))
    } else {
        let body = stream::urls(state.clone(), Format::Xml, Start::Skip(0), max);
        ok(XML, &tag).streaming(body)
    };
    cache::mark_public_for(&mut response, &reader, &state, until_change);
    Ok(response)
}

/// Read a numbered part of the site map.
///
/// The parts exist when `/sitemap.xml` is an index; each lists up to 50,000 URLs.
#[utoipa::path(
    tag = "site-files",
    params(("n" = u32, Path, description = "The part's number, from 1")),
    responses(
        (status = 200, description = "A `urlset` of at most 50,000 URLs",
            content_type = "application/xml", body = String),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        Public, NotFound,
    ),
    security((), ("bearer" = [])),
)]
#[get("/sitemap-{n}.xml")]
pub async fn read_sitemap_part(
    reader: Reader,
    state: web::Data<AppState>,
    n: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let print = db::run(&state.pool, |conn| Ok(queries::fingerprint(conn)?)).await?;
    let max = i64::from(state.config.sitemap_max_urls);
    // Parts exist only while the site map is an index; `sitemap-01.xml` is not `sitemap-1.xml`.
    let parts = if print.live > max {
        parts_of(print.live, max)
    } else {
        0
    };
    let part = n
        .parse::<i64>()
        .ok()
        .filter(|p| (1..=parts).contains(p) && p.to_string() == *n)
        .ok_or_else(|| ApiError::not_found("site map part"))?;
    let tag = etag_of(&state.config, &format!("sitemap-{part}.xml"), &print);
    let until_change = print.seconds_to_change();
    if let Some(response) = not_modified(&req, &tag, &reader, &state, until_change) {
        return Ok(response);
    }
    let start = Start::Skip((part - 1) * max);
    let mut response =
        ok(XML, &tag).streaming(stream::urls(state.clone(), Format::Xml, start, max));
    cache::mark_public_for(&mut response, &reader, &state, until_change);
    Ok(response)
}

/// Read the site map as text.
///
/// The same URLs as `/sitemap.xml`, one a line, in one file whatever their number.
#[utoipa::path(
    tag = "site-files",
    responses(
        (status = 200, description = "One URL a line", content_type = "text/plain", body = String),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        Public,
    ),
    security((), ("bearer" = [])),
)]
#[get("/sitemap.txt")]
pub async fn read_sitemap_text(
    reader: Reader,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let print = db::run(&state.pool, |conn| Ok(queries::fingerprint(conn)?)).await?;
    let tag = etag_of(&state.config, "sitemap.txt", &print);
    let until_change = print.seconds_to_change();
    if let Some(response) = not_modified(&req, &tag, &reader, &state, until_change) {
        return Ok(response);
    }
    let body = stream::urls(state.clone(), Format::Text, Start::Skip(0), i64::MAX);
    let mut response = ok(TEXT, &tag).streaming(body);
    cache::mark_public_for(&mut response, &reader, &state, until_change);
    Ok(response)
}

enum Feed {
    NotModified(String),
    Body(String, String),
}

/// Read the RSS feed.
///
/// RSS 2.0 of the latest 50 live posts, with the site's title, description and language, and per
/// item its authors, excerpt and category.
#[utoipa::path(
    tag = "site-files",
    responses(
        (status = 200, description = "An RSS 2.0 channel", content_type = "application/rss+xml",
            body = String),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        Public,
    ),
    security((), ("bearer" = [])),
)]
#[get("/feed.xml")]
pub async fn read_feed(
    reader: Reader,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let config = state.config.clone();
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // One hop: the fingerprint first, and the feed only when the client's copy is stale.
    let (feed, until_change) = db::run(&state.pool, move |conn| {
        let print = queries::fingerprint(conn)?;
        let until_change = print.seconds_to_change();
        let tag = etag_of(&config, "feed.xml", &print);
        if if_none_match.is_some_and(|v| etag::listed(&v, &tag)) {
            return Ok((Feed::NotModified(tag), until_change));
        }
        let site = site_queries::find(conn)?;
        let content = queries::feed(conn, FEED_ITEMS)?;
        let body = feed_body(&config, &print, &site, &content);
        Ok((Feed::Body(tag, body), until_change))
    })
    .await?;
    let mut response = match feed {
        Feed::NotModified(tag) => HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish(),
        Feed::Body(tag, body) => ok(RSS, &tag).body(body),
    };
    cache::mark_public_for(&mut response, &reader, &state, until_change);
    Ok(response)
}

/// The RSS document of the feed's rows, with the site's title, description and locale.
fn feed_body(
    config: &Config,
    print: &Fingerprint,
    site: &SiteSettings,
    content: &queries::FeedContent,
) -> String {
    let queries::FeedContent {
        rows,
        categories,
        authors,
    } = content;
    let links: Vec<String> = rows
        .iter()
        .map(|row| stream::url_of(config, "post", &row.slug))
        .collect();
    let items: Vec<xml::Item<'_>> = rows
        .iter()
        .zip(&links)
        .map(|(row, link)| xml::Item {
            title: &row.title,
            link,
            published: row.published_at.unwrap_or_default(),
            authors: row
                .author_ids
                .iter()
                .flatten()
                .filter_map(|id| authors.get(id).map(String::as_str))
                .collect(),
            description: &row.excerpt,
            category: row
                .category_id
                .and_then(|id| categories.get(&id).map(String::as_str)),
        })
        .collect();
    let link = format!("{}/", config.public_url);
    let self_link = format!("{}/feed.xml", config.public_url);
    let description = if site.description.is_empty() {
        &site.title
    } else {
        &site.description
    };
    let channel = xml::Channel {
        title: &site.title,
        link: &link,
        self_link: &self_link,
        description,
        language: &site.locale,
        last_build: print
            .last_change
            .map_or(site.updated_at, |last| last.max(site.updated_at)),
    };
    xml::rss(&channel, &items)
}

fn parts_of(live: i64, max: i64) -> i64 {
    (live + max - 1) / max.max(1)
}

/// A strong validator from what the file is made of, without making the file. The settings
/// of this process (URLs, paths, the part size) are in it too: they change every URL.
fn etag_of(config: &Config, file: &str, print: &Fingerprint) -> String {
    let seed = format!(
        "{file}|{}|{:?}|{}|{}|{:?}|{}|{}|{}|{}",
        print.live,
        print.last_change,
        print.members,
        print.site_version,
        print.names_changed,
        config.public_url,
        config.article_path,
        config.page_path,
        config.sitemap_max_urls,
    );
    etag::of_bytes(seed.as_bytes())
}

fn not_modified(
    req: &HttpRequest,
    tag: &str,
    reader: &Reader,
    state: &AppState,
    until_change: Option<u32>,
) -> Option<HttpResponse> {
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| etag::listed(v, tag));
    fresh.then(|| {
        let mut response = HttpResponse::NotModified()
            .insert_header((header::ETAG, tag.to_owned()))
            .finish();
        cache::mark_public_for(&mut response, reader, state, until_change);
        response
    })
}

fn ok(content_type: &'static str, tag: &str) -> actix_web::HttpResponseBuilder {
    let mut builder = HttpResponse::Ok();
    builder
        .content_type(content_type)
        .insert_header((header::ETAG, tag.to_owned()));
    builder
}
