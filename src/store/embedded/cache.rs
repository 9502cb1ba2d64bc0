//! What the message path reads of a room, kept per room until a write
//! changes it: the member list (decoded once: decoding a thousand JSON
//! rows per message cost a fifth of the server's CPU at 1,000 members),
//! the glossary, and which texts the room's memory holds (a text it does
//! not hold needs no read); and the sender's connection row. A write to
//! one room leaves every other room's entries alone.
//!
//! Consistency: a read takes a ticket from one counter before it starts,
//! and a write that changed a room (its `ROOM#` partition's members,
//! glossary or memory) stamps the room with a ticket after it has
//! committed — when its result is dropped, on whichever side that happens,
//! so even a write whose caller went away stamps it. An entry is kept and
//! used only while it was read after the room's last stamp; a read that
//! raced a change is simply not kept.

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::WriteTx;
use crate::ports::StoreError;
use crate::store::keys;

/// Rooms past which the cache starts again empty (bounds its memory on a
/// server that saw many rooms come and go).
const MAX_ROOMS: usize = 20_000;

/// What is kept of a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Members,
    Glossary,
    /// The sources the room's memory holds corrections of.
    MemorySources,
    /// A connection's row (read by every message its socket sends); kept
    /// under the connection's partition, stamped like a room.
    Connection,
}

const KINDS: [Kind; 4] = [
    Kind::Members,
    Kind::Glossary,
    Kind::MemorySources,
    Kind::Connection,
];

type Value = Arc<dyn Any + Send + Sync>;

#[derive(Default)]
struct Inner {
    /// The ticket of each room's last change.
    stamps: HashMap<String, u64>,
    /// Rooms without a stamp count as changed at this ticket (raised when
    /// the stamps are cleared).
    floor: u64,
    kept: HashMap<(String, Kind), (u64, Value)>,
}

impl Inner {
    fn stamp(&self, pk: &str) -> u64 {
        self.stamps.get(pk).copied().unwrap_or(self.floor)
    }
}

/// Per-room entries, each valid until the room changes.
pub struct RoomCache {
    tickets: AtomicU64,
    inner: Mutex<Inner>,
}

impl Default for RoomCache {
    fn default() -> Self {
        Self {
            tickets: AtomicU64::new(1),
            inner: Mutex::default(),
        }
    }
}

impl RoomCache {
    /// The ticket of a read about to start.
    pub fn ticket(&self) -> u64 {
        self.tickets.fetch_add(1, Ordering::AcqRel)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The room's entry of `kind`, if read since the room last changed.
    pub fn get<T: Send + Sync + 'static>(&self, pk: &str, kind: Kind) -> Option<Arc<T>> {
        let inner = self.lock();
        let (at, value) = inner.kept.get(&(pk.to_owned(), kind))?;
        if *at <= inner.stamp(pk) {
            return None;
        }
        value.clone().downcast::<T>().ok()
    }

    /// Keeps what a read with `ticket` found, unless the room changed since.
    pub fn put<T: Send + Sync + 'static>(&self, pk: &str, kind: Kind, ticket: u64, value: Arc<T>) {
        let mut inner = self.lock();
        if ticket <= inner.stamp(pk) {
            return;
        }
        if inner.kept.len() >= MAX_ROOMS * 3 {
            inner.kept.clear();
        }
        inner.kept.insert((pk.to_owned(), kind), (ticket, value));
    }

    /// After a commit: the rooms changed; what was read of them before goes.
    fn changed(&self, rooms: &HashSet<String>) {
        let ticket = self.ticket();
        let mut inner = self.lock();
        if inner.stamps.len() + rooms.len() > MAX_ROOMS {
            inner.stamps.clear();
            inner.kept.clear();
            inner.floor = ticket;
        }
        for pk in rooms {
            inner.stamps.insert(pk.clone(), ticket);
            for kind in KINDS {
                inner.kept.remove(&(pk.clone(), kind));
            }
        }
    }

    /// Entries kept (for tests).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().kept.len()
    }
}

/// Held by the result of a write that changed rooms: dropping it, after
/// the commit, stamps them.
pub struct Changed(Arc<RoomCache>, HashSet<String>);

impl Drop for Changed {
    fn drop(&mut self) {
        self.0.changed(&self.1);
    }
}

/// A write transaction that notes which rooms' kept rows it changes.
pub struct Watched<'a> {
    tx: &'a mut dyn WriteTx,
    rooms: HashSet<String>,
}

impl<'a> Watched<'a> {
    pub fn new(tx: &'a mut dyn WriteTx) -> Self {
        Self {
            tx,
            rooms: HashSet::new(),
        }
    }

    /// What the write's result carries back, if it changed a room.
    pub fn changed(self, cache: &Arc<RoomCache>) -> Option<Changed> {
        (!self.rooms.is_empty()).then(|| Changed(cache.clone(), self.rooms))
    }

    /// Member rows, the glossary, the memory's index and entries, and
    /// connection rows: the rows the cache keeps something of.
    fn note(&mut self, pk: &str, sk: &str) {
        let kept = sk.starts_with(keys::MEMBER_PREFIX)
            || sk == keys::GLOSSARY
            || sk == keys::MEMORY_INDEX
            || sk.starts_with(keys::MEMORY_PREFIX)
            || (sk == keys::META && pk.starts_with(keys::CONNECTION_PREFIX));
        if kept && !self.rooms.contains(pk) {
            self.rooms.insert(pk.to_owned());
        }
    }
}

impl WriteTx for Watched<'_> {
    fn get(&self, pk: &str, sk: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.tx.get(pk, sk)
    }

    fn put(&mut self, pk: &str, sk: &str, value: Vec<u8>) -> Result<(), StoreError> {
        self.note(pk, sk);
        self.tx.put(pk, sk, value)
    }

    fn delete(&mut self, pk: &str, sk: &str) -> Result<(), StoreError> {
        self.note(pk, sk);
        self.tx.delete(pk, sk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changed(cache: &Arc<RoomCache>, pk: &str) {
        drop(Changed(cache.clone(), HashSet::from([pk.to_owned()])));
    }

    #[test]
    fn a_change_drops_only_its_own_room() {
        let cache = Arc::new(RoomCache::default());
        for pk in ["ROOM#a", "ROOM#b"] {
            let t = cache.ticket();
            cache.put(pk, Kind::Members, t, Arc::new(1u32));
        }
        changed(&cache, "ROOM#a");
        assert!(cache.get::<u32>("ROOM#a", Kind::Members).is_none());
        assert_eq!(*cache.get::<u32>("ROOM#b", Kind::Members).unwrap(), 1);
    }

    #[test]
    fn a_read_that_raced_a_change_is_not_kept() {
        let cache = Arc::new(RoomCache::default());
        let t = cache.ticket();
        changed(&cache, "ROOM#a");
        cache.put("ROOM#a", Kind::Glossary, t, Arc::new(1u32));
        assert!(cache.get::<u32>("ROOM#a", Kind::Glossary).is_none());
        let t = cache.ticket();
        cache.put("ROOM#a", Kind::Glossary, t, Arc::new(2u32));
        assert_eq!(*cache.get::<u32>("ROOM#a", Kind::Glossary).unwrap(), 2);
        assert!(cache.get::<u32>("ROOM#a", Kind::Members).is_none());
    }

    #[test]
    fn too_many_rooms_start_again_empty() {
        let cache = Arc::new(RoomCache::default());
        let t = cache.ticket();
        cache.put("ROOM#kept", Kind::Members, t, Arc::new(1u32));
        let many: HashSet<String> = (0..=MAX_ROOMS).map(|i| format!("ROOM#{i}")).collect();
        drop(Changed(cache.clone(), many));
        assert_eq!(cache.len(), 0);
        assert!(cache.get::<u32>("ROOM#kept", Kind::Members).is_none());
    }
}
