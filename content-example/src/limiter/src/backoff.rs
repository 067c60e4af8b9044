//! Retry schedule: capped exponential backoff with full jitter.
//!
//! @plan PLAN-20251104-INGRESS-HARDENING.P04
//! @requirement REQ-ING-005

use rand::Rng;
use std::time::Duration;

/// What to do with a failed delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    RetryAfter(Duration),
    /// Attempts exhausted: move to the dead-letter queue.
    DeadLetter,
}

#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub base: Duration,
    pub factor: u32,
    pub cap: Duration,
    pub max_attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { base: Duration::from_secs(2), factor: 2, cap: Duration::from_secs(15 * 60), max_attempts: 8 }
    }
}

impl Backoff {
    /// The ceiling for attempt `n` (0-based), before jitter.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        // @plan:PLAN-20251104-INGRESS-HARDENING.P4 saturating: factor^attempt overflows u32
        // long before attempt 32, and the cap applies anyway.
        let multiplier = self.factor.saturating_pow(attempt);
        self.base.saturating_mul(multiplier).min(self.cap)
    }

    /// Decides the delay after failed attempt `attempt`; the random source is injected
    /// so that tests can use a seeded generator.
    ///
    /// @plan:PLAN-20251104-INGRESS-HARDENING.P04
    /// @requirement:REQ-ING-005
    pub fn delay_for<R: Rng + ?Sized>(&self, attempt: u32, rng: &mut R) -> Decision {
        if attempt + 1 >= self.max_attempts {
            return Decision::DeadLetter;
        }
        let ceiling = self.ceiling(attempt).as_millis() as u64;
        Decision::RetryAfter(Duration::from_millis(rng.gen_range(0..=ceiling)))
    }
}
