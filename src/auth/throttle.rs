//! Throttling of sign-in attempts, per account and per client address.

use std::{net::IpAddr, num::NonZeroU32, time::Duration};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

use crate::error::ApiError;

/// Past this many tracked keys, forget the ones that have fully recovered, so a flood of
/// made-up emails cannot grow memory without bound.
const MAX_TRACKED_KEYS: usize = 100_000;

pub struct LoginThrottle {
    per_account: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl LoginThrottle {
    /// Per account: 5 attempts at once, then one every 12 seconds (5 a minute).
    /// Per address: 20 attempts at once, then one every 3 seconds (20 a minute), which
    /// leaves room for a newsroom behind one NAT.
    pub fn new() -> Self {
        let per_account = Quota::with_period(Duration::from_secs(12))
            .expect("a non-zero period")
            .allow_burst(NonZeroU32::new(5).expect("non-zero"));
        let per_address = Quota::with_period(Duration::from_secs(3))
            .expect("a non-zero period")
            .allow_burst(NonZeroU32::new(20).expect("non-zero"));
        Self {
            per_account: RateLimiter::keyed(per_account),
            per_address: RateLimiter::keyed(per_address),
        }
    }

    /// Counts an attempt; 429 with the seconds to wait when either budget is spent. The check
    /// comes before the password is looked at, so a throttled guess learns nothing, right or wrong.
    pub fn attempt(&self, account: &str, address: Option<IpAddr>) -> Result<(), ApiError> {
        if let Some(address) = address {
            spend(&self.per_address, &address)?;
        }
        spend(&self.per_account, &account.to_lowercase())
    }
}

/// Takes one from `key`'s budget; 429 with the whole seconds to wait once it is spent. Past
/// [`MAX_TRACKED_KEYS`] keys, the ones that have fully recovered are forgotten first, so a flood
/// of made-up keys cannot grow memory without bound.
pub fn spend<K>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> Result<(), ApiError>
where
    K: Clone + Eq + std::hash::Hash,
{
    if limiter.len() > MAX_TRACKED_KEYS {
        limiter.retain_recent();
    }
    limiter.check_key(key).map_err(|not_until| {
        let wait: Duration = not_until.wait_time_from(DefaultClock::default().now());
        ApiError::TooManyRequests {
            retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        }
    })
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new()
    }
}
