//! Rooms' members decoded (and kept per room in `cache.rs` until the room
//! changes), and paged. Expiry is checked at every read, as with the rows.

use super::rows::{MemberRow, decode};
use super::{Query, ReadTx};
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
}
