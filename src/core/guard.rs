//! Per-connection limits kept in memory: the message rate, the hourly
//! translation budget, and strikes towards a 1008 close. On AWS each Lambda
//! instance keeps its own counts, so these bound abuse per instance.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::policy::Policy;
use crate::model::ConnectionId;

/// What the guard says about one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    /// Over the rate: answer `rate_limited`.
    Refuse,
    /// Over the rate for too long: close the connection (1008).
    Close,
}

pub struct Guard {
    rate: DefaultKeyedRateLimiter<ConnectionId>,
    budget: DefaultKeyedRateLimiter<ConnectionId>,
    budget_max: NonZeroU32,
    strikes: Mutex<HashMap<ConnectionId, u32>>,
    strikes_before_close: u32,
    forgotten: AtomicU32,
}

impl Guard {
    pub fn new(policy: &Policy) -> Self {
        let per_minute = NonZeroU32::new(policy.messages_per_minute).unwrap_or(NonZeroU32::MIN);
        let per_hour = NonZeroU32::new(policy.chars_per_hour).unwrap_or(NonZeroU32::MIN);
        Self {
            rate: RateLimiter::keyed(Quota::per_minute(per_minute)),
            budget: RateLimiter::keyed(Quota::per_hour(per_hour)),
            budget_max: per_hour,
            strikes: Mutex::new(HashMap::new()),
            strikes_before_close: policy.strikes_before_close.max(1),
            forgotten: AtomicU32::new(0),
        }
    }

    /// Counts one frame from `id`.
    pub fn frame(&self, id: &ConnectionId) -> Verdict {
        let mut strikes = self.strikes.lock().unwrap_or_else(|p| p.into_inner());
        if self.rate.check_key(id).is_ok() {
            strikes.remove(id);
            return Verdict::Allow;
        }
        let n = strikes.entry(id.clone()).or_default();
        *n += 1;
        if *n >= self.strikes_before_close {
            Verdict::Close
        } else {
            Verdict::Refuse
        }
    }

    /// Spends `chars` of the connection's hourly translation budget.
    pub fn spend(&self, id: &ConnectionId, chars: usize) -> bool {
        let n = u32::try_from(chars).ok().and_then(NonZeroU32::new);
        match n {
            None => true,
            Some(n) if n > self.budget_max => false,
            Some(n) => matches!(self.budget.check_key_n(id, n), Ok(Ok(_))),
        }
    }

    /// Forgets a connection that is gone.
    pub fn forget(&self, id: &ConnectionId) {
        self.strikes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
        // The limiters keep an entry per key; dropping the idle ones walks
        // them all, so do it once in a while, not on every disconnect.
        if self.forgotten.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 {
            self.rate.retain_recent();
            self.budget.retain_recent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_over_the_rate_then_closes() {
        let guard = Guard::new(&Policy {
            messages_per_minute: 3,
            strikes_before_close: 2,
            ..Policy::default()
        });
        let id = ConnectionId::new("c");
        let verdicts: Vec<Verdict> = (0..5).map(|_| guard.frame(&id)).collect();
        assert_eq!(
            verdicts,
            [
                Verdict::Allow,
                Verdict::Allow,
                Verdict::Allow,
                Verdict::Refuse,
                Verdict::Close
            ]
        );
        // Others are not affected.
        assert_eq!(guard.frame(&ConnectionId::new("d")), Verdict::Allow);
    }

    #[test]
    fn the_budget_runs_out() {
        let guard = Guard::new(&Policy {
            chars_per_hour: 10,
            ..Policy::default()
        });
        let id = ConnectionId::new("c");
        assert!(guard.spend(&id, 6));
        assert!(!guard.spend(&id, 6));
        assert!(guard.spend(&id, 4));
        assert!(!guard.spend(&ConnectionId::new("x"), 11));
    }
}
