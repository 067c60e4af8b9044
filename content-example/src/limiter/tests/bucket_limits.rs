//! Behaviour of the token bucket and the retry schedule, driven by a hand-held clock.
//!
//! @plan:PLAN-20251104-INGRESS-HARDENING.P03

use hookpost_limiter::{Acquire, Backoff, Decision, TokenBucket};
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::time::{Duration, Instant};

fn ready_count(bucket: &mut TokenBucket, at: Instant, tries: usize) -> usize {
    (0..tries).filter(|_| bucket.try_acquire(at) == Acquire::Ready).count()
}

/// @requirement:REQ-ING-002
#[test]
fn never_exceeds_rate_within_one_second() {
    let t0 = Instant::now();
    let mut bucket = TokenBucket::new(5.0, t0);
    assert_eq!(ready_count(&mut bucket, t0, 50), 5);
    assert_eq!(ready_count(&mut bucket, t0 + Duration::from_millis(999), 50), 4);
}

/// @requirement:REQ-ING-002.1
#[test]
fn burst_drains_at_once_then_waits() {
    let t0 = Instant::now();
    let mut bucket = TokenBucket::with_burst(2.0, 10, t0);
    assert_eq!(ready_count(&mut bucket, t0, 10), 10);
    match bucket.try_acquire(t0) {
        Acquire::Wait(d) => assert_eq!(d, Duration::from_millis(500)),
        Acquire::Ready => panic!("11th token should not be available"),
    }
}

/// @requirement:REQ-ING-002, REQ-ING-002.1
#[test]
fn idle_time_refills_no_more_than_burst() {
    let t0 = Instant::now();
    let mut bucket = TokenBucket::with_burst(2.0, 10, t0);
    ready_count(&mut bucket, t0, 10);
    assert_eq!(ready_count(&mut bucket, t0 + Duration::from_secs(3600), 50), 10);
}

// @plan:PLAN-20251104-INGRESS-HARDENING.P03
// @requirement:REQ-ING-005
#[test]
fn backoff_is_capped_and_gives_up() {
    let policy = Backoff::default();
    let mut rng = StdRng::seed_from_u64(7);
    assert_eq!(policy.ceiling(20), Duration::from_secs(900));
    for attempt in 0..7 {
        match policy.delay_for(attempt, &mut rng) {
            Decision::RetryAfter(d) => assert!(d <= policy.ceiling(attempt)),
            Decision::DeadLetter => panic!("gave up too early at attempt {attempt}"),
        }
    }
    assert_eq!(policy.delay_for(7, &mut rng), Decision::DeadLetter);
}
