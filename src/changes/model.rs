use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use crate::schema::change_log;

/// One recorded change: one row of one resource, written by one transaction.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = change_log, check_for_backend(diesel::pg::Pg))]
pub struct Change {
    pub id: i64,
    pub seq: Option<i64>,
    pub tx: i64,
    pub at: DateTime<Utc>,
    pub actor_type: String,
    pub actor_id: Option<Uuid>,
    pub resource: String,
    pub resource_id: Option<Uuid>,
    pub action: String,
    pub changes: Value,
}

impl Change {
    /// The commit-order number; every change a reader can see has one.
    pub fn number(&self) -> i64 {
        self.seq.unwrap_or_default()
    }

    /// A field's value before the change, when the change records it.
    pub fn before(&self, field: &str) -> Option<&Value> {
        self.changes.get(field)?.get("before")
    }

    /// A field's value after the change, when the change records it.
    pub fn after(&self, field: &str) -> Option<&Value> {
        self.changes.get(field)?.get("after")
    }
}
