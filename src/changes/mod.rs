//! The change log: every committed write, in commit order (see the migration that makes it).
//!
//! Written by triggers in the writing transaction; read here by its consumers (webhooks, the
//! audit trail) and announced to every process by `NOTIFY masthead_changes`, which
//! [`listener`] turns into cache clears and wake-ups.

pub mod listener;
pub mod model;
pub mod prune;
pub mod queries;

use diesel::PgConnection;

/// Names what the current transaction does to an article when its fields alone would not tell
/// (`revision_restored`); the change log's trigger uses it for the article rows it records.
pub fn name_action(conn: &mut PgConnection, action: &str) -> diesel::QueryResult<()> {
    crate::db::set_setting(conn, "masthead.action", action, true)
}
