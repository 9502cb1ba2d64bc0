//! Ids of what the routes store (chat messages, REST records): ULIDs,
//! unique and sortable by time.

use std::sync::Mutex;
use std::time::{Duration, UNIX_EPOCH};

/// A ULID for the instant `ts`: ids sort by time, and within one
/// millisecond by the order this process made them.
pub(crate) fn message_id(ts: i64) -> String {
    static IDS: Mutex<ulid::Generator> = Mutex::new(ulid::Generator::new());
    let at = UNIX_EPOCH + Duration::from_millis(u64::try_from(ts).unwrap_or_default());
    let mut ids = IDS.lock().unwrap_or_else(|p| p.into_inner());
    match ids.generate_from_datetime(at) {
        Ok(id) => id.to_string(),
        // 2^80 ids in one millisecond: fall back to a fresh random one.
        Err(_) => ulid::Ulid::from_datetime(at).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_in_creation_order_within_a_millisecond() {
        let ids: Vec<String> = (0..100).map(|_| message_id(1_764_150_000_000)).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
    }
}
