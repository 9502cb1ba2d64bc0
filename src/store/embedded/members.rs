//! Rooms' members, decoded once and kept until a write changes any member
//! row. The core reads a room's members for every message it fans out;
//! decoding a thousand JSON rows each time cost a fifth of the server's
//! CPU at 1,000 members. Expiry is checked at every read, as with the rows.
//!
//! Consistency: a list is kept under the version it was read at, and used
//! only while no write has changed a member row since. The version moves
//! on after such a write has committed — when its result is dropped, on
//! whichever side that happens, so even a write whose caller went away
//! moves it on — and a list read meanwhile is not kept.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::rows::{MemberRow, decode};
use super::{Query, ReadTx, WriteTx};
use crate::model::{Member, MemberKey, MembersPage};
use crate::ports::StoreError;
use crate::store::keys;

/// One member row, decoded.
#[derive(Debug)]
pub struct Entry {
    sk: String,
    member: Member,
    ttl: i64,
}

/// A room's members and the version they were read at.
type Kept = (u64, Arc<Vec<Entry>>);

/// Rooms' member lists, by room partition key.
#[derive(Default)]
pub struct MemberCache {
    version: AtomicU64,
    rooms: Mutex<HashMap<String, Kept>>,
}

impl MemberCache {
    /// The version a read about to start will be kept under.
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Kept>> {
        self.rooms.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The room's members, if read since the last change to any member.
    pub fn get(&self, pk: &str) -> Option<Arc<Vec<Entry>>> {
        let rooms = self.lock();
        let (at, list) = rooms.get(pk)?;
        (*at == self.version()).then(|| list.clone())
    }

    /// Keeps a list read at `version`, unless a member changed since.
    pub fn put(&self, pk: String, version: u64, list: Arc<Vec<Entry>>) {
        let mut rooms = self.lock();
        if self.version() != version {
            return;
        }
        // What an earlier version left goes: only current lists are kept.
        rooms.retain(|_, (at, _)| *at == version);
        rooms.insert(pk, (version, list));
    }

    fn changed(&self) {
        self.version.fetch_add(1, Ordering::AcqRel);
    }
}

/// Held by the result of a write that changed member rows: dropping it,
/// after the commit, moves the version on.
pub struct Changed(Arc<MemberCache>);

impl Drop for Changed {
    fn drop(&mut self) {
        self.0.changed();
    }
}

/// A write transaction that notes whether it changes a member row.
pub struct Watched<'a> {
    tx: &'a mut dyn WriteTx,
    pub changed_members: bool,
}

impl<'a> Watched<'a> {
    pub fn new(tx: &'a mut dyn WriteTx) -> Self {
        Self {
            tx,
            changed_members: false,
        }
    }

    /// What the write's result carries back, if it changed a member.
    pub fn changed(&self, cache: &Arc<MemberCache>) -> Option<Changed> {
        self.changed_members.then(|| Changed(cache.clone()))
    }

    /// Member rows are the only rows under a `MEMBER#` sort key.
    fn note(&mut self, sk: &str) {
        if sk.starts_with(keys::MEMBER_PREFIX) {
            self.changed_members = true;
        }
    }
}

impl WriteTx for Watched<'_> {
    fn get(&self, pk: &str, sk: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.tx.get(pk, sk)
    }

    fn put(&mut self, pk: &str, sk: &str, value: Vec<u8>) -> Result<(), StoreError> {
        self.note(sk);
        self.tx.put(pk, sk, value)
    }

    fn delete(&mut self, pk: &str, sk: &str) -> Result<(), StoreError> {
        self.note(sk);
        self.tx.delete(pk, sk)
    }
}

/// Every member row of a room partition, decoded, in key (join) order.
pub fn read_all(tx: &dyn ReadTx, pk: &str) -> Result<Vec<Entry>, StoreError> {
    let q = Query {
        prefix: keys::MEMBER_PREFIX,
        ..Query::default()
    };
    tx.query(pk, &q)?
        .into_iter()
        .map(|(sk, bytes)| {
            let row: MemberRow = decode(pk, &sk, &bytes)?;
            let key = keys::parse_member_sk(&sk).ok_or_else(|| StoreError::Corrupt {
                pk: pk.to_owned(),
                sk: sk.clone(),
                reason: "not a member key".into(),
            })?;
            let member = Member {
                connection_id: key.id,
                name: row.name,
                lang: row.lang,
                tag: row.tag,
                joined_at: key.joined_at,
            };
            Ok(Entry {
                sk,
                member,
                ttl: row.ttl,
            })
        })
        .collect()
}

/// The page of live members after `start` (at most `limit`), and where the
/// next page starts; rows past their `ttl` (left by a crash, not yet
/// purged) are skipped.
pub fn page(list: &[Entry], start: Option<&MemberKey>, limit: usize, now_s: i64) -> MembersPage {
    let from = start.map_or(0, |k| {
        let sk = keys::member_sk(k);
        list.partition_point(|e| e.sk <= sk)
    });
    let mut members: Vec<Member> = list[from..]
        .iter()
        .filter(|e| e.ttl >= now_s)
        .take(limit.saturating_add(1))
        .map(|e| e.member.clone())
        .collect();
    let next = if members.len() > limit {
        members.truncate(limit);
        members.last().map(Member::key)
    } else {
        None
    };
    MembersPage { members, next }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConnectionId, Lang, UserName};

    fn entry(joined_at: i64, id: &str, ttl: i64) -> Entry {
        let key = MemberKey {
            joined_at,
            id: ConnectionId::new(id),
        };
        Entry {
            sk: keys::member_sk(&key),
            member: Member {
                connection_id: key.id.clone(),
                name: UserName::parse(id).unwrap(),
                lang: Lang::EN,
                tag: None,
                joined_at,
            },
            ttl,
        }
    }

    #[test]
    fn pages_skip_the_expired_and_say_where_to_go_on() {
        let list = vec![
            entry(1, "a", 100),
            entry(2, "b", 5),
            entry(3, "c", 100),
            entry(4, "d", 100),
        ];
        let first = page(&list, None, 2, 10);
        let names: Vec<&str> = first.members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["a", "c"]);
        let rest = page(&list, first.next.as_ref(), 2, 10);
        let names: Vec<&str> = rest.members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["d"]);
        assert_eq!(rest.next, None);
    }

    #[test]
    fn a_list_read_before_a_change_is_not_kept() {
        let cache = Arc::new(MemberCache::default());
        let at = cache.version();
        drop(Changed(cache.clone()));
        cache.put("ROOM#r".into(), at, Arc::new(vec![entry(1, "a", 100)]));
        assert!(cache.get("ROOM#r").is_none());
        let at = cache.version();
        cache.put("ROOM#r".into(), at, Arc::new(vec![entry(1, "a", 100)]));
        assert_eq!(cache.get("ROOM#r").unwrap().len(), 1);
        drop(Changed(cache.clone()));
        assert!(cache.get("ROOM#r").is_none());
    }
}
