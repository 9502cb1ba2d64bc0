//! A circuit breaker per engine: after some failures in a row the engine
//! rests (is skipped) for a while; then one call tries it again, and a
//! failure sends it back to rest at once.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// When an engine rests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Failures in a row that send an engine to rest.
    pub failures: u32,
    /// How long it rests.
    pub rest: Duration,
}

#[derive(Debug, Default)]
struct State {
    in_a_row: u32,
    resting_until: Option<Instant>,
}

#[derive(Debug)]
pub struct Breaker {
    config: BreakerConfig,
    state: Mutex<State>,
}

impl Breaker {
    pub fn new(config: BreakerConfig) -> Self {
        Self {
            config,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How much longer the engine rests; `None`: it may be called.
    pub fn resting(&self) -> Option<Duration> {
        let now = Instant::now();
        self.lock()
            .resting_until
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    pub fn success(&self) {
        let mut s = self.lock();
        if s.resting_until.take().is_some() {
            tracing::info!("engine back from rest");
        }
        s.in_a_row = 0;
    }

    /// Counts a failure; `true` when it sent the engine to rest.
    pub fn failure(&self) -> bool {
        let mut s = self.lock();
        s.in_a_row += 1;
        if s.in_a_row < self.config.failures.max(1) {
            return false;
        }
        // One more failure after the rest sends it back at once.
        s.in_a_row = self.config.failures.max(1) - 1;
        s.resting_until = Some(Instant::now() + self.config.rest);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn rests_after_failures_in_a_row_then_tries_once() {
        let b = Breaker::new(BreakerConfig {
            failures: 3,
            rest: Duration::from_secs(30),
        });
        assert!(!b.failure() && !b.failure());
        b.success();
        assert!(!b.failure() && !b.failure());
        assert!(b.failure(), "third in a row");
        assert_eq!(b.resting(), Some(Duration::from_secs(30)));
        tokio::time::advance(Duration::from_secs(31)).await;
        assert_eq!(b.resting(), None, "tried again after the rest");
        assert!(b.failure(), "one failure sends it back");
        tokio::time::advance(Duration::from_secs(31)).await;
        b.success();
        assert!(!b.failure());
        assert_eq!(b.resting(), None);
    }
}
