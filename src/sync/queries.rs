//! One page of a sync: everything readable, or what changed since a commit.

use chrono::{DateTime, Utc};
use diesel::PgConnection;

use crate::{
    changes,
    error::ApiError,
    sync::{
        items::{self, Entry, ItemKey, KINDS, Showing},
        token::{Position, SyncToken},
    },
};

/// A page, and where the next one starts.
pub struct SyncPage {
    pub entries: Vec<Entry>,
    pub next: SyncToken,
    /// Whether the next page is ready now (`true`), or only after more changes.
    pub more: bool,
}

/// The first page of a first sync: from the latest commit on, nothing will be missed.
pub fn start(
    conn: &mut PgConnection,
    limit: i64,
    showing: &Showing,
    now: DateTime<Utc>,
) -> Result<SyncPage, ApiError> {
    let snapshot = changes::queries::latest(conn)?;
    everything(conn, snapshot, 0, None, now, limit, showing)
}

/// The page `token` names.
pub fn resume(
    conn: &mut PgConnection,
    token: SyncToken,
    limit: i64,
    showing: &Showing,
    now: DateTime<Utc>,
) -> Result<SyncPage, ApiError> {
    let latest = changes::queries::latest(conn)?;
    let named = match token.position {
        Position::First { snapshot, .. } => snapshot,
        Position::Since { seq } => seq,
    };
    if named > latest {
        return Err(ApiError::BadRequest(
            "sync_token: not a token this server gave; start over without one".into(),
        ));
    }
    match token.position {
        Position::First {
            snapshot,
            kind,
            after,
        } => everything(conn, snapshot, kind, after, token.since, limit, showing),
        Position::Since { seq } => since(conn, seq, limit, showing, now),
    }
}

/// Up to `limit` readable items from `kind` and `after` on, in kind then id order. Items that
/// change while the client pages are sent again by the changes after `snapshot`.
fn everything(
    conn: &mut PgConnection,
    snapshot: i64,
    mut kind: usize,
    mut after: Option<uuid::Uuid>,
    since: DateTime<Utc>,
    limit: i64,
    showing: &Showing,
) -> Result<SyncPage, ApiError> {
    let mut entries = Vec::new();
    while kind < KINDS.len() {
        let want = limit - i64::try_from(entries.len()).unwrap_or(limit);
        if want <= 0 {
            break;
        }
        let name = KINDS[kind];
        let (found, last) = if name == "site" {
            let key = ItemKey {
                kind: "site",
                id: None,
            };
            let item = items::render(conn, &key, showing)?;
            entries.extend(item.map(|item| Entry::Upsert {
                kind: name.to_owned(),
                id: None,
                item,
            }));
            (0, None)
        } else if name == "article" {
            let rows = items::live_articles_after(conn, after, want, showing.full)?;
            let last = rows.last().map(|(id, _)| *id);
            let found = rows.len();
            entries.extend(rows.into_iter().map(|(id, item)| Entry::Upsert {
                kind: name.to_owned(),
                id: Some(id),
                item,
            }));
            (found, last)
        } else {
            let ids = items::ids_after(conn, name, after, want)?;
            for id in &ids {
                let key = ItemKey {
                    kind: name,
                    id: Some(*id),
                };
                if let Some(item) = items::render(conn, &key, showing)? {
                    entries.push(Entry::Upsert {
                        kind: name.to_owned(),
                        id: Some(*id),
                        item,
                    });
                }
            }
            (ids.len(), ids.last().copied())
        };
        if i64::try_from(found).unwrap_or(0) < want {
            kind += 1;
            after = None;
        } else {
            after = last;
        }
    }
    let position = if kind < KINDS.len() {
        Position::First {
            snapshot,
            kind,
            after,
        }
    } else {
        Position::Since { seq: snapshot }
    };
    Ok(SyncPage {
        entries,
        next: SyncToken { position, since },
        more: kind < KINDS.len(),
    })
}

/// What changed after `seq`: each touched item once, as readers get it now, or its tombstone.
fn since(
    conn: &mut PgConnection,
    seq: i64,
    limit: i64,
    showing: &Showing,
    now: DateTime<Utc>,
) -> Result<SyncPage, ApiError> {
    let changes = changes::queries::after(conn, seq, limit)?;
    let more = i64::try_from(changes.len()).unwrap_or(0) == limit;
    let (last, since) = match changes.last() {
        // More to come: those changes committed after this one.
        Some(change) if more => (change.number(), change.at),
        Some(change) => (change.number(), now),
        None => (seq, now),
    };
    let mut entries = Vec::new();
    for (key, touched) in items::touched(conn, &changes)? {
        entries.extend(items::entry(conn, &key, &touched, showing)?);
    }
    Ok(SyncPage {
        entries,
        next: SyncToken {
            position: Position::Since { seq: last },
            since,
        },
        more,
    })
}
