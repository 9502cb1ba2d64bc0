//! Limits on senders. Two kinds:
//!
//! - Shared counters in the store, the same for every instance (on AWS,
//!   every Lambda): each sender's chat messages per minute and characters
//!   translated per hour (one conditional `UpdateItem ADD`, 1 WCU, per
//!   message), and the deployment's characters per UTC day. A sender is
//!   its `client` when it gave one, else its address — never just its
//!   connection, so a reconnect does not start afresh. A `client` is the
//!   sender's own choice, so its messages count toward its address's
//!   total too (a second `UpdateItem`), at `ADDRESS_LIMIT_MULTIPLE` times
//!   the limits: a fresh `client` per connection resets nothing.
//! - A per-connection flood guard in memory: any frame past the rate is
//!   refused, and a connection that keeps at it is closed (1008). It needs
//!   no store round trip, so even a flood of pings costs nothing.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::Utc;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::App;
use super::policy::Policy;
use crate::limits::ADDRESS_LIMIT_MULTIPLE;
use crate::model::{Connection, ConnectionId};
use crate::ports::{Counter, Step, StoreError, Tally};

/// Field of a sender's counter: characters this hour.
const CHARS: &str = "chars";

/// Whose counters a message is charged to: its sender's (its `client`,
/// else its address), and — when the sender chose its own key — its
/// address's too, at [`ADDRESS_LIMIT_MULTIPLE`] times the limits, so a
/// fresh `client` per connection does not reset what an address may send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Sender {
    key: String,
    address: Option<String>,
}

impl Sender {
    /// A caller known only by a key (the REST API's address).
    pub(super) fn keyed(key: String) -> Self {
        Self { key, address: None }
    }
}

/// The counters for a connection's sender.
pub(super) fn who(conn: &Connection) -> Sender {
    match (&conn.client, &conn.source_ip) {
        (Some(key), ip) => Sender {
            key: format!("c:{}", key.as_str()),
            address: ip.as_ref().map(|ip| format!("addr:{ip}")),
        },
        (None, Some(ip)) => Sender::keyed(format!("ip:{ip}")),
        (None, None) => Sender::keyed(format!("conn:{}", conn.id)),
    }
}

/// Why a sender was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refusal {
    /// Over its messages (or calls) per minute.
    Rate,
    /// Over its characters per hour.
    Hourly,
}

impl App {
    /// Counts one message (or REST call) of `who` costing `chars`, against
    /// `per_minute` and the hourly characters: the sender's counter first,
    /// then its address's (a refusal there leaves the sender's count spent,
    /// which only errs on the strict side).
    pub(super) async fn charge_sender(
        &self,
        who: Sender,
        per_minute: Option<u32>,
        chars: usize,
    ) -> Result<Result<(), Refusal>, StoreError> {
        if chars == 0 && per_minute.is_none() {
            return Ok(Ok(()));
        }
        let hourly = self.policy.chars_per_hour;
        if let Err(refused) = self.charge(who.key, per_minute, hourly, chars).await? {
            return Ok(Err(refused));
        }
        match who.address {
            Some(address) => {
                let times = |n: u32| n.saturating_mul(ADDRESS_LIMIT_MULTIPLE);
                self.charge(address, per_minute.map(times), times(hourly), chars)
                    .await
            }
            None => Ok(Ok(())),
        }
    }

    /// One counter: `per_minute` messages, `per_hour` characters.
    async fn charge(
        &self,
        who: String,
        per_minute: Option<u32>,
        per_hour: u32,
        chars: usize,
    ) -> Result<Result<(), Refusal>, StoreError> {
        let now = Utc::now();
        let minute = now.format("m%M").to_string();
        let mut steps = Vec::with_capacity(2);
        if let Some(per_minute) = per_minute {
            steps.push(Step {
                field: &minute,
                add: 1,
                max: Some(i64::from(per_minute)),
            });
        }
        steps.push(Step {
            field: CHARS,
            add: i64::try_from(chars).unwrap_or(i64::MAX),
            max: Some(i64::from(per_hour)),
        });
        let counter = Counter::Sender { who, at: now };
        Ok(match self.store.increment(&counter, &steps).await? {
            Tally::Counted(_) => Ok(()),
            Tally::Refused(values)
                if per_minute.is_some() && values[0] >= steps[0].max.unwrap_or(0) =>
            {
                Err(Refusal::Rate)
            }
            Tally::Refused(_) => Err(Refusal::Hourly),
        })
    }

    /// Spends `chars` of the deployment's daily budget; `false` when it is
    /// used up (or cannot be checked: the budget fails closed).
    pub(super) async fn charge_budget(&self, chars: usize) -> bool {
        let limit = self.policy.chars_per_day;
        if chars == 0 || limit == 0 {
            return true;
        }
        let step = Step {
            field: CHARS,
            add: i64::try_from(chars).unwrap_or(i64::MAX),
            max: Some(i64::try_from(limit).unwrap_or(i64::MAX)),
        };
        let counter = Counter::Budget { at: Utc::now() };
        match self.store.increment(&counter, &[step]).await {
            Ok(Tally::Counted(v)) => {
                let used = v.first().copied().unwrap_or(0);
                tracing::debug!(used, limit, "daily budget");
                true
            }
            Ok(Tally::Refused(v)) => {
                tracing::warn!(
                    used = v.first().copied().unwrap_or(0),
                    limit,
                    asked = chars,
                    "daily translation budget used up: delivering untranslated"
                );
                false
            }
            Err(e) => {
                tracing::warn!(error = %e, "daily budget unreadable: delivering untranslated");
                false
            }
        }
    }
}

/// What the flood guard says about one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    /// Over the rate: answer `rate_limited`.
    Refuse,
    /// Over the rate for too long: close the connection (1008).
    Close,
}

/// Per-connection frame rate and strikes, in memory.
pub struct Flood {
    rate: DefaultKeyedRateLimiter<ConnectionId>,
    strikes: Mutex<HashMap<ConnectionId, u32>>,
    strikes_before_close: u32,
    forgotten: AtomicU32,
}

impl Flood {
    pub fn new(policy: &Policy) -> Self {
        let per_minute = NonZeroU32::new(policy.messages_per_minute).unwrap_or(NonZeroU32::MIN);
        Self {
            rate: RateLimiter::keyed(Quota::per_minute(per_minute)),
            strikes: Mutex::new(HashMap::new()),
            strikes_before_close: policy.strikes_before_close.max(1),
            forgotten: AtomicU32::new(0),
        }
    }

    /// Counts one frame from `id`.
    pub fn frame(&self, id: &ConnectionId) -> Verdict {
        if self.rate.check_key(id).is_ok() {
            self.strikes
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(id);
            return Verdict::Allow;
        }
        self.strike(id)
    }

    /// A refused frame.
    fn strike(&self, id: &ConnectionId) -> Verdict {
        let mut strikes = self.strikes.lock().unwrap_or_else(|p| p.into_inner());
        let n = strikes.entry(id.clone()).or_default();
        *n += 1;
        if *n >= self.strikes_before_close {
            Verdict::Close
        } else {
            Verdict::Refuse
        }
    }

    /// Forgets a connection that is gone.
    pub fn forget(&self, id: &ConnectionId) {
        self.strikes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
        // The limiter keeps an entry per key; dropping the idle ones walks
        // them all, so do it once in a while, not on every disconnect.
        if self.forgotten.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 {
            self.rate.retain_recent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_over_the_rate_then_closes() {
        let guard = Flood::new(&Policy {
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
}
