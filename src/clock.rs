//! The time as handlers see it: the system's, unless a test has set it, so that time windows
//! can be tested at explicit moments instead of by sleeping.

use std::sync::RwLock;

use chrono::{DateTime, Utc};

#[derive(Debug, Default)]
pub struct Clock {
    fixed: RwLock<Option<DateTime<Utc>>>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        self.fixed
            .read()
            .ok()
            .and_then(|fixed| *fixed)
            .unwrap_or_else(Utc::now)
    }

    /// Stops the clock at `at` (tests).
    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut fixed) = self.fixed.write() {
            *fixed = Some(at);
        }
    }
}
