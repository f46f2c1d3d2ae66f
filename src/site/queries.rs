//! Every query on `site_settings`.

use chrono::Utc;
use diesel::{
    prelude::*,
    sql_query,
    sql_types::{Bool, Text},
};

use crate::{
    schema::site_settings,
    site::model::{SiteChanges, SiteSettings},
};

/// The one row; the migration made it, and nothing deletes it.
pub fn find(conn: &mut PgConnection) -> QueryResult<SiteSettings> {
    site_settings::table
        .select(SiteSettings::as_select())
        .first(conn)
}

/// The row locked for the rest of the transaction, for read-check-write updates.
pub fn find_for_update(conn: &mut PgConnection) -> QueryResult<SiteSettings> {
    site_settings::table
        .select(SiteSettings::as_select())
        .for_update()
        .first(conn)
}

pub fn update(conn: &mut PgConnection, changes: &SiteChanges) -> QueryResult<SiteSettings> {
    diesel::update(site_settings::table)
        .set((
            changes,
            site_settings::updated_at.eq(Utc::now()),
            site_settings::version.eq(site_settings::version + 1),
        ))
        .returning(SiteSettings::as_returning())
        .get_result(conn)
}

#[derive(QueryableByName)]
struct Known {
    #[diesel(sql_type = Bool)]
    known: bool,
}

/// Whether PostgreSQL knows `name` as a time zone: its own list of IANA names, so no crate
/// has to carry (and update) another copy.
pub fn timezone_exists(conn: &mut PgConnection, name: &str) -> QueryResult<bool> {
    let row: Known =
        sql_query("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS known")
            .bind::<Text, _>(name)
            .get_result(conn)?;
    Ok(row.known)
}
