//! [`Store`](crate::ports::Store) adapters, all on the single-table layout of
//! DESIGN.md: `memory` (tests), `redb` (embedded, the local default).
//! `keys.rs` names every key; `table.rs` holds the logic shared by the
//! embedded stores.

pub mod items;
pub mod keys;
pub mod memory;
#[cfg(feature = "local")]
pub mod redb;
pub mod table;

#[cfg(feature = "local")]
pub use self::redb::RedbStore;
pub use memory::MemoryStore;
