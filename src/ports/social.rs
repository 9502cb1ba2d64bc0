//! The store's v1.2 social part: what a reply quotes, and reactions
//! (docs/ARCHITECTURE.md, "One table"). A supertrait of
//! [`Store`](super::Store), so every store has it.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::StoreError;
use crate::model::{
    Author, Lang, MessageKey, Reaction, ReactionToggle, RoomName, Toggled, Translation,
};

/// Replies and reactions in the single table.
#[async_trait]
pub trait Social: Send + Sync {
    /// The stored translations of one message into each of `langs` that
    /// has one (with who corrected it, for a correction): what a reply's
    /// quote reads in each language.
    async fn translations_of(
        &self,
        room: &RoomName,
        key: &MessageKey,
        langs: &[Lang],
    ) -> Result<BTreeMap<Lang, (Translation, Option<Author>)>, StoreError>;
    /// Toggles one reactor's reaction on a live message, atomically with
    /// the message's tally (concurrent toggles never lose a count or pass
    /// the bound of distinct emoji). `ttl` is the message's.
    async fn toggle_reaction(
        &self,
        room: &RoomName,
        key: &MessageKey,
        toggle: &ReactionToggle,
        ttl: Option<i64>,
    ) -> Result<Toggled, StoreError>;
    /// The tallies of the messages from `first` to `last` (both
    /// included), by message id: one range read.
    async fn reactions(
        &self,
        room: &RoomName,
        first: &MessageKey,
        last: &MessageKey,
    ) -> Result<BTreeMap<String, Vec<Reaction>>, StoreError>;
}
