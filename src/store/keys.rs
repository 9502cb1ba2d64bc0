//! The single-table keys (DESIGN.md "One table"), in one place so every
//! store writes the same layout.

use chrono::{DateTime, NaiveDate};

use crate::model::{ClientMsgId, ConnectionId, MessageKey, RoomName, TranslationRecord, UserName};

/// Sort key of a connection's own row.
pub const META: &str = "META";
/// Sort key prefix of room member rows (and of nothing else in a room).
pub const MEMBER_PREFIX: &str = "CONN#";
/// Sort key prefix of message rows.
pub const MESSAGE_PREFIX: &str = "MSG#";

/// Partition key prefix of connection rows.
pub const CONNECTION_PREFIX: &str = "CONN#";

pub fn connection_pk(id: &ConnectionId) -> String {
    format!("{CONNECTION_PREFIX}{id}")
}

pub fn room_pk(room: &RoomName) -> String {
    format!("ROOM#{}", room.as_str())
}

pub fn member_sk(id: &ConnectionId) -> String {
    format!("{MEMBER_PREFIX}{id}")
}

/// `MSG#{ts:013}#{id}`: zero-padded so that key order is time order.
pub fn message_sk(key: &MessageKey) -> String {
    format!("{MESSAGE_PREFIX}{:013}#{}", key.ts, key.id)
}

/// Marks that a sender used a `clientMsgId` in a room (a conditional
/// write). Keyed by the sender's name, not the connection, so a client that
/// reconnects and resends is recognised; the name's length keeps
/// `a#b`+`c` apart from `a`+`b#c`.
pub fn client_msg_key(room: &RoomName, sender: &UserName, id: &ClientMsgId) -> (String, String) {
    let name = sender.as_str();
    (
        room_pk(room),
        format!("CMID#{}:{name}#{}", name.len(), id.as_str()),
    )
}

/// Partition key prefix of the REST API's history: one partition per UTC
/// day, so no partition grows without bound.
pub const REST_PREFIX: &str = "XLATE#";

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
        let a = message_sk(&MessageKey {
            ts: 999,
            id: "Z".into(),
        });
        let b = message_sk(&MessageKey {
            ts: 1_000,
            id: "A".into(),
        });
        assert!(a < b);
        assert_eq!(b, "MSG#0000000001000#A");
    }

    #[test]
    fn rest_keys_are_per_day_and_sort_by_time() {
        let record = TranslationRecord {
            id: "01JD".into(),
            ts: 1_764_150_000_000,
            source_lang: crate::model::Lang::EN,
            target_lang: crate::model::Lang::parse("es").unwrap(),
            text: "Hello".into(),
            translated_text: "Hola".into(),
            engine: None,
        };
        let (pk, sk) = rest_translation_key(&record);
        assert_eq!(pk, "XLATE#2025-11-26");
        assert_eq!(sk, "1764150000000#01JD");
        assert_eq!(
            rest_day_pk(NaiveDate::from_ymd_opt(2025, 11, 26).unwrap()),
            pk
        );
    }
}
