//! The single-table keys, in one place so every store writes the same
//! layout:
//!
//! | item | pk | sk |
//! |---|---|---|
//! | connection | `CONN#{id}` | `META` |
//! | typing mark | `CONN#{id}` | `TYPING` |
//! | room member | `ROOM#{room}` | `MEMBER#{joinedAt:013}#{id}` |
//! | room count | `ROOM#{room}` | `COUNT` |
//! | message | `ROOM#{room}` | `MSG#{ts:013}#{id}` |
//! | translation | `ROOM#{room}` | `TR#{lang}#{ts:013}#{id}` (DynamoDB); `TRM#{ts:013}#{id}#{lang}` (embedded) |
//! | `clientMsgId` mark | `ROOM#{room}` | `CMID#{len}:{scope}#{clientMsgId}` |
//! | remembered correction (v1.2) | `ROOM#{room}` | `CORR#{sourceHash}#{lang}` |
//! | the room memory's index (v1.2) | `ROOM#{room}` | `CORRINDEX` |
//! | room glossary (v1.2) | `ROOM#{room}` | `GLOSSARY` |
//! | reactions' tally (v1.2) | `ROOM#{room}` | `REACT#{ts:013}#{id}` |
//! | one reaction (v1.2) | `ROOM#{room}` | `REACTOR#{ts:013}#{id}#{len}:{who}#{emoji}` |
//! | instance's connection | `INST#{instance}` | `CONN#{id}` |
//! | fan-out delivery | `FANOUT#{batch}` | `META` |
//! | sender's limits | `LIMIT#{who}` | `{yyyy-mm-ddThh}` |
//! | daily budget | `BUDGET` | `{yyyy-mm-dd}` |
//! | REST record | `XLATE#{yyyy-mm-dd}` | `{ts:013}#{id}` |
//!
//! Translations sit beside their message, one item each (no item can
//! outgrow 400 KB), under a prefix per language: a history page in one
//! language reads its messages, then that language's translations of the
//! same time range, and nothing else. A correction (v1.2) is the
//! translation item of its message and language, written with `by`; the
//! room remembers it under the hash of its source text, so one `Query` on
//! `CORR#{sourceHash}#` finds it in every language before any engine call.
//! The index lists the remembered corrections oldest first, so the room's
//! memory stays bounded. An edited message's item keeps `edited_at`; a
//! deleted one becomes a tombstone (`deleted_at`, no `text`) and its
//! translations go.
//!
//! The embedded stores keep a message's translations together instead
//! (`TRM#…`, one prefix per message): redb copies every B-tree page a
//! commit touches, and a message whose translations sat under one prefix
//! per language touched one page per language. A history page there reads
//! each message's translation by key, which costs a B-tree lookup, not a
//! request.

use chrono::{DateTime, NaiveDate};

use crate::model::{
    ClientMsgId, ClientTag, ConnectionId, Lang, MemberKey, MessageKey, RoomName, TranslationRecord,
};
use crate::ports::Counter;

/// Sort key of a connection's own row (and of a delivery marker).
pub const META: &str = "META";
/// Sort key of a connection's last `typing`.
pub const TYPING: &str = "TYPING";
/// Sort key of a room's member count.
pub const COUNT: &str = "COUNT";
/// Field of the room count item.
pub const COUNT_FIELD: &str = "n";
/// Sort key prefix of room member rows.
pub const MEMBER_PREFIX: &str = "MEMBER#";
/// Sort key prefix of message rows.
pub const MESSAGE_PREFIX: &str = "MSG#";
/// Partition key prefix of rooms.
pub const ROOM_PREFIX: &str = "ROOM#";
/// Partition key prefix of connection rows.
pub const CONNECTION_PREFIX: &str = "CONN#";
/// Partition key prefix of the REST API's history: one partition per UTC
/// day, so no partition grows without bound.
pub const REST_PREFIX: &str = "XLATE#";

/// The upper bound of all keys starting with `prefix`.
pub fn prefix_end(prefix: &str) -> String {
    format!("{prefix}{}", char::MAX)
}

pub fn connection_pk(id: &ConnectionId) -> String {
    format!("{CONNECTION_PREFIX}{id}")
}

pub fn room_pk(room: &RoomName) -> String {
    format!("{ROOM_PREFIX}{}", room.as_str())
}

/// `MEMBER#{joinedAt:013}#{id}`: key order is join order.
pub fn member_sk(key: &MemberKey) -> String {
    format!("{MEMBER_PREFIX}{:013}#{}", key.joined_at, key.id)
}

/// The member key back from its sort key.
pub fn parse_member_sk(sk: &str) -> Option<MemberKey> {
    let rest = sk.strip_prefix(MEMBER_PREFIX)?;
    let (joined_at, id) = rest.split_once('#')?;
    Some(MemberKey {
        joined_at: joined_at.parse().ok()?,
        id: ConnectionId::new(id),
    })
}

/// `MSG#{ts:013}#{id}`: zero-padded so that key order is time order.
pub fn message_sk(key: &MessageKey) -> String {
    format!("{MESSAGE_PREFIX}{:013}#{}", key.ts, key.id)
}

/// `TR#{lang}#`: every translation of a room into one language.
#[cfg(feature = "aws")]
pub fn translation_prefix(lang: Lang) -> String {
    format!("TR#{}#", lang.as_str())
}

/// `TR#{lang}#{ts:013}#{id}`.
#[cfg(feature = "aws")]
pub fn translation_sk(lang: Lang, key: &MessageKey) -> String {
    format!("{}{:013}#{}", translation_prefix(lang), key.ts, key.id)
}

/// `TRM#{ts:013}#{id}#`: every translation of one message, in the
/// embedded stores.
pub fn translations_of_prefix(key: &MessageKey) -> String {
    format!("TRM#{:013}#{}#", key.ts, key.id)
}

/// The prefix of a message's translations (embedded layout), from the
/// message's sort key; `None` for any other sort key.
pub fn translations_of_message_sk(sk: &str) -> Option<String> {
    let key = sk.strip_prefix(MESSAGE_PREFIX)?;
    Some(format!("TRM#{key}#"))
}

/// `TRM#{ts:013}#{id}#{lang}`: one translation, beside the message's
/// others (the embedded stores' layout; see the module's notes).
pub fn embedded_translation_sk(lang: Lang, key: &MessageKey) -> String {
    format!("{}{}", translations_of_prefix(key), lang.as_str())
}

/// Marks that a sender used a `clientMsgId` in a room (a conditional
/// write). `scope` names the sender: its client key when it has one (so a
/// reconnect and resend is recognised), else its connection. The scope's
/// length keeps `a#b`+`c` apart from `a`+`b#c`.
pub fn client_msg_key(room: &RoomName, scope: &str, id: &ClientMsgId) -> (String, String) {
    (
        room_pk(room),
        format!("CMID#{}:{scope}#{}", scope.len(), id.as_str()),
    )
}

/// `LEFT#{tag}`: when the member with this client tag last left the room
/// (v1.2's `returning`).
pub fn left_sk(tag: &ClientTag) -> String {
    format!("LEFT#{}", tag.as_str())
}

/// Sort key of a room's glossary (one versioned item).
pub const GLOSSARY: &str = "GLOSSARY";
/// Sort key of the index of a room's remembered corrections.
pub const MEMORY_INDEX: &str = "CORRINDEX";

/// Sort key prefix of a message's reactions' tally (v1.2).
pub const REACTIONS_PREFIX: &str = "REACT#";

/// `REACT#{ts:013}#{id}`: one message's reactions' tally, in time order
/// like the messages, so a history page's tallies are one range.
pub fn reactions_sk(key: &MessageKey) -> String {
    format!("{REACTIONS_PREFIX}{:013}#{}", key.ts, key.id)
}

/// `REACTOR#{ts:013}#{id}#`: every reaction of one message.
pub fn reactor_prefix(key: &MessageKey) -> String {
    format!("REACTOR#{:013}#{}#", key.ts, key.id)
}

/// `REACTOR#{ts:013}#{id}#{len}:{who}#{emoji}`: that `who` reacted with
/// `emoji` (an emoji may hold `#`: the length keeps `who` apart).
pub fn reactor_sk(key: &MessageKey, who: &str, emoji: &str) -> String {
    format!("{}{}:{who}#{emoji}", reactor_prefix(key), who.len())
}

/// Sort key prefix of remembered corrections.
pub const MEMORY_PREFIX: &str = "CORR#";

/// `CORR#{sourceHash}#`: every remembered correction of one source text.
pub fn memory_prefix(source: &str) -> String {
    format!("{MEMORY_PREFIX}{source}#")
}

/// `CORR#{sourceHash}#{lang}`.
pub fn memory_sk(source: &str, lang: Lang) -> String {
    format!("{}{}", memory_prefix(source), lang.as_str())
}

pub fn instance_pk(instance: &str) -> String {
    format!("INST#{instance}")
}

pub fn delivery_pk(batch: &str) -> String {
    format!("FANOUT#{batch}")
}

/// A counter's `(pk, sk, ttl)`. The `ttl` is the end of the counter's
/// hour (or day) and a margin for clocks that disagree: one value for all
/// of its steps, so the embedded store's expiry index gains one entry per
/// row, not one per step.
pub fn counter(counter: &Counter) -> (String, String, Option<i64>) {
    let end_of = |at: &DateTime<chrono::Utc>, span: i64| {
        let t = at.timestamp();
        t - t.rem_euclid(span) + span
    };
    match counter {
        Counter::Sender { who, at } => (
            format!("LIMIT#{who}"),
            at.format("%Y-%m-%dT%H").to_string(),
            Some(end_of(at, 3600) + 2 * 3600),
        ),
        Counter::Budget { at } => (
            "BUDGET".to_owned(),
            at.format("%Y-%m-%d").to_string(),
            Some(end_of(at, 86_400) + 2 * 86_400),
        ),
    }
}

/// `XLATE#{yyyy-mm-dd}`.
pub fn rest_day_pk(day: NaiveDate) -> String {
    format!("{REST_PREFIX}{}", day.format("%Y-%m-%d"))
}

/// `XLATE#{yyyy-mm-dd}` / `{ts:013}#{id}`: the UTC day of `ts`, then
/// zero-padded time so that key order is time order.
pub fn rest_translation_key(record: &TranslationRecord) -> (String, String) {
    let day = DateTime::from_timestamp_millis(record.ts)
        .unwrap_or_default()
        .date_naive();
    (rest_day_pk(day), format!("{:013}#{}", record.ts, record.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_keys_sort_by_time() {
        let a = MessageKey {
            ts: 999,
            id: "Z".into(),
        };
        let b = MessageKey {
            ts: 1_000,
            id: "A".into(),
        };
        assert!(message_sk(&a) < message_sk(&b));
        assert_eq!(message_sk(&b), "MSG#0000000001000#A");
        let es = Lang::parse("es").unwrap();
        #[cfg(feature = "aws")]
        {
            assert_eq!(translation_sk(es, &b), "TR#es#0000000001000#A");
            assert!(translation_sk(es, &b).starts_with(&translation_prefix(es)));
        }
        let embedded = embedded_translation_sk(es, &b);
        assert_eq!(embedded, "TRM#0000000001000#A#es");
        assert!(embedded.starts_with(&translations_of_prefix(&b)));
        assert!(!embedded.starts_with(MESSAGE_PREFIX));
        assert_eq!(
            translations_of_message_sk(&message_sk(&b)),
            Some(translations_of_prefix(&b))
        );
        // A tally range never takes in a reaction.
        let r = reactor_sk(&b, "c:k", "#\u{FE0F}\u{20E3}");
        assert!(r.starts_with(&reactor_prefix(&b)));
        assert!(!(reactions_sk(&a)..=reactions_sk(&b)).contains(&r));
        assert!(!r.starts_with(REACTIONS_PREFIX));
    }

    #[test]
    fn member_keys_sort_by_join_time_and_parse_back() {
        let k = MemberKey {
            joined_at: 1_764_150_000_000,
            id: ConnectionId::new("ZLnPzcHhoAMCJoA="),
        };
        let sk = member_sk(&k);
        assert_eq!(sk, "MEMBER#1764150000000#ZLnPzcHhoAMCJoA=");
        assert_eq!(parse_member_sk(&sk), Some(k));
        let earlier = MemberKey {
            joined_at: 999,
            id: ConnectionId::new("zzz"),
        };
        assert!(member_sk(&earlier) < sk);
    }

    #[test]
    fn counters_are_windowed() {
        let at = DateTime::from_timestamp(1_764_150_000, 0).unwrap();
        let (pk, sk, ttl) = counter(&Counter::Sender {
            who: "c:abc".into(),
            at,
        });
        assert_eq!((pk.as_str(), sk.as_str()), ("LIMIT#c:abc", "2025-11-26T09"));
        assert!(ttl.unwrap() > at.timestamp());
        assert_eq!(counter(&Counter::Budget { at }).1, "2025-11-26");
    }

    #[test]
    fn rest_keys_are_per_day_and_sort_by_time() {
        let (pk, sk) = rest_translation_key(&TranslationRecord::sample());
        assert_eq!(pk, "XLATE#2025-11-26");
        assert_eq!(sk, "1764150000000#01JD");
        assert_eq!(
            rest_day_pk(NaiveDate::from_ymd_opt(2025, 11, 26).unwrap()),
            pk
        );
    }
}
