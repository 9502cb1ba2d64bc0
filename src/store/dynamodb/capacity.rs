//! What the DynamoDB store's calls cost: every call asks for
//! `ReturnConsumedCapacity: TOTAL`, and the store adds up the capacity
//! units DynamoDB reports (what the cost bench prints; DynamoDB Local
//! reports them the same way).

use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_dynamodb::types::{ConsumedCapacity, ReturnConsumedCapacity};

use super::DynamoStore;

/// Capacity units the store's calls consumed, as DynamoDB reports them
/// (every call asks for `ReturnConsumedCapacity: TOTAL`), in thousandths.
/// A call that fails a condition consumes units too, unreported.
#[derive(Debug, Default)]
pub struct Spent {
    read: AtomicU64,
    write: AtomicU64,
}

/// Whether a call reads or writes, for [`DynamoStore::capacity_units`].
#[derive(Debug, Clone, Copy)]
pub enum Units {
    Read,
    Write,
}

/// Every call asks DynamoDB what it consumed.
pub const TOTAL: ReturnConsumedCapacity = ReturnConsumedCapacity::Total;

impl DynamoStore {
    /// Read and write capacity units consumed so far by this store and its
    /// clones, as DynamoDB reported them (what the cost bench prints).
    pub fn capacity_units(&self) -> (f64, f64) {
        let units = |a: &AtomicU64| a.load(Ordering::Relaxed) as f64 / 1000.0;
        (units(&self.spent.read), units(&self.spent.write))
    }

    /// Counts what one call reported it consumed.
    pub(super) fn spent<'a>(
        &self,
        kind: Units,
        reported: impl IntoIterator<Item = &'a ConsumedCapacity>,
    ) {
        let milli: u64 = reported
            .into_iter()
            .filter_map(ConsumedCapacity::capacity_units)
            .map(|u| (u * 1000.0).round() as u64)
            .sum();
        let counter = match kind {
            Units::Read => &self.spent.read,
            Units::Write => &self.spent.write,
        };
        counter.fetch_add(milli, Ordering::Relaxed);
    }
}
