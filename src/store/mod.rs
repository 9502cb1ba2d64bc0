//! [`Store`](crate::ports::Store) adapters, all on the single-table layout
//! of `keys.rs`: `embedded` holds the memory store (tests, `--store
//! memory`) and the redb store (embedded, the local default) on one shared
//! implementation; `dynamodb` is the one for AWS (feature `aws`).

#[cfg(feature = "aws")]
pub mod dynamodb;
mod embedded;
pub mod hooked;
pub(crate) mod keys;
#[cfg(feature = "local")]
pub(crate) mod private_files;

#[cfg(feature = "aws")]
pub use dynamodb::DynamoStore;
#[cfg(feature = "local")]
pub use embedded::RedbStore;
pub use embedded::{EmbeddedStore, MemoryStore};
pub use hooked::{Hooked, Outcome, StoreHook, StoreOp};

/// Epoch seconds, to compare with `ttl`.
pub(crate) fn now_s() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The `ttl` of a `clientMsgId` marker for a message sent at `ts_ms`.
pub(crate) fn client_msg_ttl(ts_ms: i64) -> i64 {
    ts_ms / 1000 + crate::limits::CLIENT_MSG_ID_TTL.as_secs() as i64
}

/// The `ttl` of a delivery marker written now.
pub(crate) fn delivery_ttl() -> i64 {
    now_s() + crate::limits::DELIVERY_MARKER_TTL.as_secs() as i64
}
