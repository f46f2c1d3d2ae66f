//! Who may remove the files that image records of the same bytes share.
//!
//! An upload claims its bytes' files before it looks for them or writes them, and lets go when
//! its record is written; removal happens only when no record and no claim names them. Both
//! sides decide under one advisory lock per file set, so an upload and the deletion of the last
//! record cannot interleave.

use diesel::{
    PgConnection, QueryResult, RunQueryDsl, sql_query,
    sql_types::{Text, Uuid as SqlUuid},
};
use uuid::Uuid;

use crate::db::{self, LockKind};

/// How long a claim counts: one older belongs to a process that stopped mid-upload.
const CLAIM_LIFETIME: &str = "1 hour";

/// Waits for, and holds until the transaction ends, the decision over the files of `sha256`.
pub fn lock(conn: &mut PgConnection, sha256: &str) -> QueryResult<()> {
    db::lock_until_commit(conn, LockKind::ImageFiles, sha256)
}

/// Claims the files of `sha256` for an upload (call under [`lock`]); the id lets go of it.
pub fn claim(conn: &mut PgConnection, sha256: &str) -> QueryResult<Uuid> {
    let id = Uuid::now_v7();
    sql_query("INSERT INTO image_uploads (id, sha256) VALUES ($1, $2)")
        .bind::<SqlUuid, _>(id)
        .bind::<Text, _>(sha256)
        .execute(conn)?;
    Ok(id)
}

pub fn let_go(conn: &mut PgConnection, claim: Uuid) -> QueryResult<()> {
    sql_query("DELETE FROM image_uploads WHERE id = $1")
        .bind::<SqlUuid, _>(claim)
        .execute(conn)
        .map(drop)
}

/// Whether no record and no live claim names the files of `sha256` (call under [`lock`]).
pub fn unused(conn: &mut PgConnection, sha256: &str) -> QueryResult<bool> {
    #[derive(diesel::QueryableByName)]
    struct Unused {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        unused: bool,
    }
    sql_query(format!(
        "SELECT NOT EXISTS (SELECT 1 FROM images WHERE sha256 = $1) \
         AND NOT EXISTS (SELECT 1 FROM image_uploads WHERE sha256 = $1 \
                         AND started_at > now() - interval '{CLAIM_LIFETIME}') AS unused"
    ))
    .bind::<Text, _>(sha256)
    .get_result::<Unused>(conn)
    .map(|row| row.unused)
}
