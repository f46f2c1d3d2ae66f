//! Keeping `article_search` current: called in the transaction of every write that changes an
//! article's words, and in batches by `masthead search reindex`.

use std::collections::HashMap;

use diesel::PgConnection;
use uuid::Uuid;

use crate::{
    articles::model::Article,
    search::{
        model::{Entry, Source},
        queries, text,
    },
};

/// Bodies longer than this are indexed by their beginning only: a `tsvector` holds at most
/// 1 MB, and the first pages of a story say what it is about.
const BODY_CHARS: usize = 30_000;

/// Segments an article (CPU only; no database).
pub fn entry(source: &Source, tag_names: &HashMap<Uuid, String>) -> Entry {
    let tags: Vec<&str> = source
        .tag_ids
        .iter()
        .filter_map(|id| tag_names.get(id).map(String::as_str))
        .collect();
    let body: String = source.body_text.chars().take(BODY_CHARS).collect();
    let subtitle = source.subtitle.as_deref().unwrap_or_default();
    let secondary = format!("{subtitle} {}", tags.join(" "));
    // The title twice: its words say most about the article.
    let keyword_text = format!(
        "{title}\n{title}\n{subtitle}\n{excerpt}\n{body}",
        title = source.title,
        excerpt = source.excerpt,
    );
    Entry {
        id: source.id,
        title: text::segmented(&source.title),
        secondary: text::segmented(&secondary),
        excerpt: text::segmented(&source.excerpt),
        body: text::segmented(&body),
        keywords: text::keywords(&keyword_text).join(" "),
        plain: format!("{} {}", source.title, tags.join(" ")).to_lowercase(),
    }
}

/// Rewrites the index rows of `sources`: one query for their tag names, one for the rows.
pub fn refresh_many(conn: &mut PgConnection, sources: &[Source]) -> diesel::QueryResult<usize> {
    if sources.is_empty() {
        return Ok(0);
    }
    let mut tag_ids: Vec<Uuid> = sources.iter().flat_map(|s| s.tag_ids.clone()).collect();
    tag_ids.sort_unstable();
    tag_ids.dedup();
    let tag_names = queries::tag_names(conn, &tag_ids)?;
    let entries: Vec<Entry> = sources.iter().map(|s| entry(s, &tag_names)).collect();
    queries::upsert(conn, &entries)
}

/// Rewrites one article's index row; call it in the transaction that writes the article.
pub fn refresh(conn: &mut PgConnection, article: &Article) -> diesel::QueryResult<()> {
    refresh_many(conn, &[Source::from(article)]).map(|_| ())
}

/// Re-indexes every article in batches of `batch`, in id order, each batch in its own
/// transaction; `progress` is told how many articles each batch held. Returns the number done.
pub fn rebuild(
    conn: &mut PgConnection,
    batch: i64,
    mut progress: impl FnMut(usize),
) -> diesel::QueryResult<usize> {
    use diesel::Connection;
    let mut after = None;
    let mut done = 0;
    loop {
        let sources = queries::sources_after(conn, after, batch)?;
        let Some(last) = sources.last() else {
            return Ok(done);
        };
        after = Some(last.id);
        conn.transaction(|conn| refresh_many(conn, &sources))?;
        done += sources.len();
        progress(sources.len());
    }
}
