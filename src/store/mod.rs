//! [`Store`](crate::ports::Store) adapters, all on the single-table layout of
//! DESIGN.md: `memory` (tests), `redb` (embedded, the local default),
//! `dynamodb` (on AWS; feature `aws`).
//! `keys.rs` names every key; `table.rs` holds the logic shared by the
//! embedded stores.

#[cfg(feature = "aws")]
pub mod dynamodb;
pub mod items;
pub mod keys;
pub mod memory;
#[cfg(feature = "local")]
pub mod redb;
pub mod table;

#[cfg(feature = "local")]
pub use self::redb::RedbStore;
#[cfg(feature = "aws")]
pub use dynamodb::DynamoStore;
pub use memory::MemoryStore;
