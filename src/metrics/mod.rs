//! Counting what the function does — messages, translations, characters
//! translated, gone connections, refused posts, the daily budget, errors —
//! so a deployment shows volume and cost without extra code. The counting
//! wraps the ports ([`Metered`], and [`Counters`] as a store hook), so the
//! core knows nothing of it; `emf.rs` writes the counts as CloudWatch
//! Embedded Metric Format lines.

pub mod emf;
mod metered;

use std::sync::atomic::{AtomicU64, Ordering};

pub use metered::Metered;

use crate::ports::StoreError;
use crate::store::{Outcome, StoreHook, StoreOp};

/// Running counts, shared by the wrapped ports of one process.
#[derive(Debug, Default)]
pub struct Counters {
    messages: AtomicU64,
    translations: AtomicU64,
    characters: AtomicU64,
    gone: AtomicU64,
    too_large: AtomicU64,
    budget_refusals: AtomicU64,
    /// The highest share of the daily budget seen used, in percent (0
    /// when there is no budget or none was seen).
    budget_percent: AtomicU64,
    errors: AtomicU64,
    /// The daily budget in characters; 0: none.
    chars_per_day: u64,
}

/// The counts since the last [`Counters::take`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Chat messages stored (duplicates not counted).
    pub messages: u64,
    /// Successful engine calls.
    pub translations: u64,
    /// Characters sent to the engine in those calls (what Amazon bills).
    pub characters: u64,
    /// Connections found gone while posting to them.
    pub gone: u64,
    /// Posts refused as over 128 KB (by construction, never).
    pub too_large: u64,
    /// Messages or calls left untranslated because the daily budget was
    /// spent.
    pub budget_refusals: u64,
    /// How much of the daily budget is used, in percent (a gauge).
    pub budget_percent: u64,
    /// Store failures, failed translations and failed posts.
    pub errors: u64,
}

impl Counts {
    /// Whether nothing was counted.
    pub fn is_zero(&self) -> bool {
        *self == Self::default()
    }
}

impl Counters {
    /// Counters that also report the share of a daily budget of
    /// `chars_per_day` (0: no budget).
    pub fn with_budget(chars_per_day: u64) -> Self {
        Self {
            chars_per_day,
            ..Self::default()
        }
    }

    pub(crate) fn translation(&self, characters: usize) {
        self.translations.fetch_add(1, Ordering::Relaxed);
        self.characters
            .fetch_add(characters as u64, Ordering::Relaxed);
    }

    pub(crate) fn gone(&self) {
        self.gone.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn too_large(&self) {
        self.too_large.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }

    /// The counts so far, resetting them to zero.
    pub fn take(&self) -> Counts {
        let take = |c: &AtomicU64| c.swap(0, Ordering::Relaxed);
        Counts {
            messages: take(&self.messages),
            translations: take(&self.translations),
            characters: take(&self.characters),
            gone: take(&self.gone),
            too_large: take(&self.too_large),
            budget_refusals: take(&self.budget_refusals),
            budget_percent: take(&self.budget_percent),
            errors: take(&self.errors),
        }
    }
}

/// The store's part: failures, stored messages, and the daily budget.
impl StoreHook for std::sync::Arc<Counters> {
    fn before(&self, _op: StoreOp) -> Result<(), StoreError> {
        Ok(())
    }

    fn after(&self, op: StoreOp, outcome: Outcome) {
        match (op, outcome) {
            (_, Outcome::Failed) => self.error(),
            (StoreOp::PutMessage, Outcome::Ok) => {
                self.messages.fetch_add(1, Ordering::Relaxed);
            }
            (StoreOp::IncrementBudget, Outcome::Counted(used)) if self.chars_per_day > 0 => {
                let percent = u64::try_from(used).unwrap_or(0) * 100 / self.chars_per_day;
                self.budget_percent.fetch_max(percent, Ordering::Relaxed);
            }
            (StoreOp::IncrementBudget, Outcome::Refused) => {
                self.budget_refusals.fetch_add(1, Ordering::Relaxed);
                self.budget_percent.fetch_max(100, Ordering::Relaxed);
            }
            _ => {}
        }
    }
}
