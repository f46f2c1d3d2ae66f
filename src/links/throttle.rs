//! Throttling of link applications per client address.

use std::{net::IpAddr, num::NonZeroU32, time::Duration};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::{auth::throttle::spend, error::ApiError};

pub struct ApplicationThrottle {
    per_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl ApplicationThrottle {
    /// Three applications at once, then one every 20 minutes: enough for a webmaster who
    /// mistyped, too few for a spammer.
    pub fn new() -> Self {
        let quota = Quota::with_period(Duration::from_secs(20 * 60))
            .expect("a non-zero period")
            .allow_burst(NonZeroU32::new(3).expect("non-zero"));
        Self {
            per_address: RateLimiter::keyed(quota),
        }
    }

    /// Counts an application; 429 with the seconds to wait once the budget is spent. Requests
    /// without a known address share one budget.
    pub fn attempt(&self, address: Option<IpAddr>) -> Result<(), ApiError> {
        spend(
            &self.per_address,
            &address.unwrap_or(IpAddr::from([0, 0, 0, 0])),
        )
    }
}

impl Default for ApplicationThrottle {
    fn default() -> Self {
        Self::new()
    }
}
