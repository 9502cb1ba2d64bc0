//! Reconnect delays: exponential, capped, with jitter so that every client
//! of a restarted server does not knock at the same instant.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// The first retry waits about this long.
pub const FIRST: Duration = Duration::from_millis(500);
/// No retry waits longer than this.
pub const MAX: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
pub struct Backoff {
    attempt: u32,
}

impl Backoff {
    /// The delay before the next attempt: half of the exponential step for
    /// sure, the other half at random ("equal jitter").
    pub fn next_delay(&mut self) -> Duration {
        let step = FIRST.saturating_mul(1u32 << self.attempt.min(16)).min(MAX);
        self.attempt = self.attempt.saturating_add(1);
        step / 2 + step.mul_f64(random_fraction() / 2.0)
    }

    /// After a connection succeeds, start again from [`FIRST`].
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

/// A number in [0, 1). Each `RandomState` is freshly keyed, which is random
/// enough for jitter and spares a dependency.
fn random_fraction() -> f64 {
    let bits = RandomState::new().build_hasher().finish() >> 11;
    bits as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_to_the_cap_with_jitter() {
        let mut b = Backoff::default();
        let first = b.next_delay();
        assert!(first >= FIRST / 2 && first <= FIRST, "{first:?}");
        let second = b.next_delay();
        assert!(second >= FIRST && second <= FIRST * 2, "{second:?}");
        let mut last = second;
        for _ in 0..40 {
            let d = b.next_delay();
            assert!(d <= MAX, "{d:?}");
            last = d;
        }
        assert!(last >= MAX / 2, "{last:?}");
        b.reset();
        assert!(b.next_delay() <= FIRST);
    }

    #[test]
    fn jitter_varies() {
        let mut seen: Vec<Duration> = (0..8).map(|_| Backoff::default().next_delay()).collect();
        seen.dedup();
        assert!(seen.len() > 1, "{seen:?}");
    }
}
