//! Counting what the function does — messages, translations, characters
//! translated, gone connections, errors — so a deployment shows volume and
//! cost without extra code. The counting wraps the ports ([`Metered`]), so
//! the core knows nothing of it; `emf.rs` writes the counts as CloudWatch
//! Embedded Metric Format lines.

pub mod emf;
mod metered;

use std::sync::atomic::{AtomicU64, Ordering};

pub use metered::Metered;

/// Running counts, shared by the wrapped ports of one process.
#[derive(Debug, Default)]
pub struct Counters {
    messages: AtomicU64,
    translations: AtomicU64,
    characters: AtomicU64,
    gone: AtomicU64,
    errors: AtomicU64,
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
    /// Store failures, failed translations and failed posts.
    pub errors: u64,
}

impl Counts {
    pub fn is_zero(&self) -> bool {
        *self == Self::default()
    }
}

impl Counters {
    pub(crate) fn message(&self) {
        self.messages.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn translation(&self, characters: usize) {
        self.translations.fetch_add(1, Ordering::Relaxed);
        self.characters
            .fetch_add(characters as u64, Ordering::Relaxed);
    }

    pub(crate) fn gone(&self) {
        self.gone.fetch_add(1, Ordering::Relaxed);
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
            errors: take(&self.errors),
        }
    }
}
