//! Site maps as streams: rows are read a chunk at a time in id order and written out as they
//! come, so a map of any size takes the memory of one chunk.

use actix_web::web::{self, Bytes};
use futures_util::stream::{self, Stream};

use crate::{
    config::Config,
    db,
    sitefiles::{
        queries::{self, MapRow, Start},
        xml,
    },
    state::AppState,
};

/// Rows per statement: large enough that a 50,000-URL map is 25 round trips, small enough to
/// keep memory flat.
const CHUNK_ROWS: i64 = 2_000;

#[derive(Debug, Clone, Copy)]
pub enum Format {
    Xml,
    Text,
}

/// The frontend's URL of an article or a page.
pub fn url_of(config: &Config, kind: &str, slug: &str) -> String {
    let path = if kind == "page" {
        &config.page_path
    } else {
        &config.article_path
    };
    format!("{}{}", config.public_url, path.replace("{slug}", slug))
}

struct Cursor {
    state: web::Data<AppState>,
    format: Format,
    head: Option<String>,
    next: Option<Start>,
    remaining: i64,
    tail: Option<&'static str>,
}

/// Up to `count` URLs from `start`, with the head and tail of `format` around them.
pub fn urls(
    state: web::Data<AppState>,
    format: Format,
    start: Start,
    count: i64,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    let (head, tail) = match format {
        Format::Xml => (Some(xml::urlset_head()), Some(xml::URLSET_TAIL)),
        Format::Text => (None, None),
    };
    let cursor = Cursor {
        state,
        format,
        head,
        next: Some(start),
        remaining: count,
        tail,
    };
    stream::unfold(cursor, step)
}

async fn step(mut cursor: Cursor) -> Option<(Result<Bytes, std::io::Error>, Cursor)> {
    if let Some(head) = cursor.head.take() {
        return Some((Ok(Bytes::from(head)), cursor));
    }
    if let Some(start) = cursor.next.take().filter(|_| cursor.remaining > 0) {
        let limit = cursor.remaining.min(CHUNK_ROWS);
        let rows = db::run(&cursor.state.pool, move |conn| {
            Ok(queries::map_chunk(conn, start, limit)?)
        })
        .await;
        return match rows {
            Ok(rows) => {
                let read = i64::try_from(rows.len()).unwrap_or(limit);
                cursor.remaining -= read;
                if read == limit {
                    cursor.next = rows.last().map(|row| Start::After(row.id));
                }
                let text = render(&cursor.state.config, cursor.format, &rows);
                Some((Ok(Bytes::from(text)), cursor))
            }
            Err(error) => {
                // The status line is gone already: end the body short, so the client sees a
                // broken transfer rather than a truncated map that looks whole.
                tracing::error!(%error, "site map stream failed");
                cursor.tail = None;
                Some((Err(std::io::Error::other(error.to_string())), cursor))
            }
        };
    }
    let tail = cursor.tail.take()?;
    Some((Ok(Bytes::from_static(tail.as_bytes())), cursor))
}

fn render(config: &Config, format: Format, rows: &[MapRow]) -> String {
    let mut out = String::with_capacity(rows.len() * 128);
    for row in rows {
        let url = url_of(config, &row.kind, &row.slug);
        match format {
            Format::Xml => xml::url_entry(&mut out, &url, row.updated_at),
            Format::Text => {
                out.push_str(&url);
                out.push('\n');
            }
        }
    }
    out
}
