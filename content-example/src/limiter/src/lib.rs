//! Delivery-side limits for Hookpost: a token bucket per destination host and the
//! retry schedule used when a delivery fails.
//!
//! The crate is deliberately clock-agnostic: callers pass `Instant`s in, so tests can
//! drive time by hand and the worker can use its own monotonic clock.
//!
//! @plan PLAN-20251104-INGRESS-HARDENING.P02
//! @requirement:REQ-ING-002,REQ-ING-005

pub mod backoff;
pub mod bucket;

use std::collections::HashMap;
use std::time::{Duration, Instant};

pub use backoff::{Backoff, Decision};
pub use bucket::{Acquire, TokenBucket};

/// Rate settings of one destination, as configured on the subscription.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DestinationLimits {
    pub rate_per_sec: f64,
    pub burst: u32,
}

/// One bucket per destination host, created on first use.
#[derive(Debug, Default)]
pub struct Limiters {
    buckets: HashMap<String, TokenBucket>,
}

impl Limiters {
    /// Asks the destination's bucket for a token; returns how long to wait if there is none.
    pub fn acquire(&mut self, host: &str, limits: DestinationLimits, now: Instant) -> Option<Duration> {
        let bucket = self
            .buckets
            .entry(host.to_owned())
            .or_insert_with(|| TokenBucket::with_burst(limits.rate_per_sec, limits.burst, now));
        match bucket.try_acquire(now) {
            Acquire::Ready => None,
            Acquire::Wait(d) => Some(d),
        }
    }

    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }
}
