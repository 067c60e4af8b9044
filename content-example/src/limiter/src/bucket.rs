//! Token bucket keyed by nothing: the caller owns one per destination.

use std::time::{Duration, Instant};

/// Result of asking a bucket for one token.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Acquire {
    Ready,
    /// No token now; one will be available after this long.
    Wait(Duration),
}

/// A bucket refilled continuously at `rate` tokens per second, holding at most `burst`.
///
/// @plan:PLAN-20251104-INGRESS-HARDENING.P04
/// @requirement:REQ-ING-002
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A bucket whose burst equals its rate (rounded up, at least one token).
    pub fn new(rate: f64, now: Instant) -> Self {
        Self::with_burst(rate, rate.ceil() as u32, now)
    }

    /// A bucket that starts full with `burst` tokens, so a backlog after an idle
    /// period drains at once.
    ///
    /// @plan:PLAN-20251104-INGRESS-HARDENING.P04
    /// @requirement:REQ-ING-002.1
    pub fn with_burst(rate: f64, burst: u32, now: Instant) -> Self {
        assert!(rate > 0.0, "rate must be positive, got {rate}");
        let burst = f64::from(burst.max(1));
        TokenBucket { rate, burst, tokens: burst, last: now }
    }

    /// Takes a token if one is available. Time going backwards is treated as no time.
    pub fn try_acquire(&mut self, now: Instant) -> Acquire {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.last = self.last.max(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Acquire::Ready
        } else {
            Acquire::Wait(Duration::from_secs_f64((1.0 - self.tokens) / self.rate))
        }
    }
}
