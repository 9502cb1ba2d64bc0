//! The single table's rows as DynamoDB items: the same keys as the
//! embedded stores (`store::keys`) and the same field names as their JSON
//! rows (`store::items`), so one layout holds everywhere.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;

use super::ext::{AttributeValuesExt, Item, n, s};
use crate::model::{
    ClientMsgId, Connection, ConnectionId, Lang, Member, Message, RoomName, Translation,
    TranslationRecord, UserName,
};
use crate::ports::StoreError;
use crate::store::keys;

pub const PK: &str = "pk";
pub const SK: &str = "sk";
/// Epoch seconds; the table's TTL attribute.
pub const TTL: &str = "ttl";

/// The primary key of one row.
pub fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([(PK.to_owned(), s(pk)), (SK.to_owned(), s(sk))])
}

fn with_key(pk: String, sk: String, fields: Vec<(&str, AttributeValue)>) -> Item {
    let mut item = key(pk, sk);
    item.extend(fields.into_iter().map(|(k, v)| (k.to_owned(), v)));
    item
}

/// `CONN#{id}` / `META`.
pub fn connection(conn: &Connection) -> Item {
    with_key(
        keys::connection_pk(&conn.id),
        keys::META.to_owned(),
        vec![
            ("id", s(conn.id.as_str())),
            ("room", s(conn.room.as_str())),
            ("lang", s(conn.lang.as_str())),
            ("name", s(conn.name.as_str())),
            ("connected_at", n(conn.connected_at)),
            (TTL, n(conn.ttl())),
        ],
    )
}

/// `ROOM#{room}` / `CONN#{id}`.
pub fn member(conn: &Connection) -> Item {
    with_key(
        keys::room_pk(&conn.room),
        keys::member_sk(&conn.id),
        vec![
            ("lang", s(conn.lang.as_str())),
            ("name", s(conn.name.as_str())),
            (TTL, n(conn.ttl())),
        ],
    )
}

/// `ROOM#{room}` / `CMID#…{sender}#{clientMsgId}`: marks the id as used by
/// this sender in this room, for a day (reconnects included).
pub fn client_msg(msg: &Message, cmid: &ClientMsgId) -> Item {
    let ttl = crate::store::items::client_msg_ttl(msg.ts);
    let (pk, sk) = keys::client_msg_key(&msg.room, &msg.from_name, cmid);
    with_key(
        pk,
        sk,
        vec![
            ("message_sk", s(keys::message_sk(&msg.key()))),
            (TTL, n(ttl)),
        ],
    )
}

/// `{text, engine, via?}`, one entry of a message's `translations` map.
pub fn translation(t: &Translation) -> AttributeValue {
    let mut m = HashMap::from([
        ("text".to_owned(), s(&t.text)),
        ("engine".to_owned(), s(&t.engine)),
    ]);
    if let Some(via) = t.via {
        m.insert("via".to_owned(), s(via.as_str()));
    }
    AttributeValue::M(m)
}

fn parse_translation(value: &AttributeValue) -> Option<Translation> {
    let m = value.as_m().ok()?;
    Some(Translation {
        text: m.get_s("text")?.to_owned(),
        engine: m.get_s("engine")?.to_owned(),
        via: match m.get_s("via") {
            Some(via) => Some(Lang::parse(via).ok()?),
            None => None,
        },
    })
}

/// `ROOM#{room}` / `MSG#{ts}#{id}`.
pub fn message(msg: &Message) -> Item {
    let translations = msg
        .translations
        .iter()
        .map(|(lang, t)| (lang.as_str().to_owned(), translation(t)))
        .collect();
    let mut fields = vec![
        ("id", s(&msg.id)),
        ("room", s(msg.room.as_str())),
        ("ts", n(msg.ts)),
        ("from_name", s(msg.from_name.as_str())),
        ("from_connection", s(msg.from_connection.as_str())),
        ("source_lang", s(msg.source_lang.as_str())),
        ("text", s(&msg.text)),
        ("translations", AttributeValue::M(translations)),
    ];
    if let Some(cmid) = &msg.client_msg_id {
        fields.push(("client_msg_id", s(cmid.as_str())));
    }
    with_key(
        keys::room_pk(&msg.room),
        keys::message_sk(&msg.key()),
        fields,
    )
}

/// `XLATE#{day}` / `{ts}#{id}`: one call of the REST API.
pub fn rest_translation(record: &TranslationRecord) -> Item {
    let (pk, sk) = keys::rest_translation_key(record);
    let mut fields = vec![
        ("id", s(&record.id)),
        ("ts", n(record.ts)),
        ("source_lang", s(record.source_lang.as_str())),
        ("target_lang", s(record.target_lang.as_str())),
        ("text", s(&record.text)),
        ("translated_text", s(&record.translated_text)),
    ];
    if let Some(engine) = &record.engine {
        fields.push(("engine", s(engine)));
    }
    with_key(pk, sk, fields)
}

/// Reads one item back, naming the row and the field when it is wrong.
struct Reader<'a> {
    item: &'a Item,
}

impl<'a> Reader<'a> {
    fn corrupt(&self, reason: String) -> StoreError {
        StoreError::Corrupt {
            pk: self.item.get_s(PK).unwrap_or("?").to_owned(),
            sk: self.item.get_s(SK).unwrap_or("?").to_owned(),
            reason,
        }
    }

    fn s(&self, field: &str) -> Result<&'a str, StoreError> {
        self.item
            .get_s(field)
            .ok_or_else(|| self.corrupt(format!("{field} is missing or not a string")))
    }

    fn i64(&self, field: &str) -> Result<i64, StoreError> {
        self.item
            .get_i64(field)
            .ok_or_else(|| self.corrupt(format!("{field} is missing or not a whole number")))
    }

    fn parse<T, E: std::fmt::Display>(
        &self,
        field: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, StoreError> {
        parse(self.s(field)?).map_err(|e| self.corrupt(format!("{field}: {e}")))
    }
}

/// A connection row and its `ttl`.
pub fn parse_connection(item: &Item) -> Result<(Connection, i64), StoreError> {
    let r = Reader { item };
    let conn = Connection {
        id: ConnectionId::new(r.s("id")?),
        room: r.parse("room", RoomName::parse)?,
        lang: r.parse("lang", Lang::parse)?,
        name: r.parse("name", UserName::parse)?,
        connected_at: r.i64("connected_at")?,
    };
    Ok((conn, r.i64(TTL)?))
}

/// A member row and its `ttl`; the connection id is the sort key's tail.
pub fn parse_member(item: &Item) -> Result<(Member, i64), StoreError> {
    let r = Reader { item };
    let sk = r.s(SK)?;
    let id = sk
        .strip_prefix(keys::MEMBER_PREFIX)
        .ok_or_else(|| r.corrupt("not a member row".into()))?;
    let member = Member {
        connection_id: ConnectionId::new(id),
        name: r.parse("name", UserName::parse)?,
        lang: r.parse("lang", Lang::parse)?,
    };
    Ok((member, r.i64(TTL)?))
}

pub fn parse_message(item: &Item) -> Result<Message, StoreError> {
    let r = Reader { item };
    let mut translations = BTreeMap::new();
    let map = item
        .get_m("translations")
        .ok_or_else(|| r.corrupt("translations is missing or not a map".into()))?;
    for (lang, value) in map {
        let lang = Lang::parse(lang).map_err(|e| r.corrupt(format!("translations: {e}")))?;
        let t = parse_translation(value).ok_or_else(|| {
            r.corrupt(format!("translations.{lang} is not {{text, engine, via?}}"))
        })?;
        translations.insert(lang, t);
    }
    Ok(Message {
        id: r.s("id")?.to_owned(),
        room: r.parse("room", RoomName::parse)?,
        ts: r.i64("ts")?,
        from_name: r.parse("from_name", UserName::parse)?,
        from_connection: ConnectionId::new(r.s("from_connection")?),
        source_lang: r.parse("source_lang", Lang::parse)?,
        text: r.s("text")?.to_owned(),
        translations,
        client_msg_id: match item.get_s("client_msg_id") {
            Some(c) => Some(ClientMsgId::parse(c).map_err(|e| r.corrupt(e.to_string()))?),
            None => None,
        },
    })
}

pub fn parse_rest_translation(item: &Item) -> Result<TranslationRecord, StoreError> {
    let r = Reader { item };
    Ok(TranslationRecord {
        id: r.s("id")?.to_owned(),
        ts: r.i64("ts")?,
        source_lang: r.parse("source_lang", Lang::parse)?,
        target_lang: r.parse("target_lang", Lang::parse)?,
        text: r.s("text")?.to_owned(),
        translated_text: r.s("translated_text")?.to_owned(),
        engine: item.get_s("engine").map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        Connection {
            id: ConnectionId::new("ZLnPzcHhoAMCJoA="),
            room: RoomName::parse("lobby").unwrap(),
            lang: Lang::parse("ja").unwrap(),
            name: UserName::parse("Aki").unwrap(),
            connected_at: 1_764_150_000_123,
        }
    }

    #[test]
    fn connection_and_member_round_trip() {
        let c = conn();
        let item = connection(&c);
        assert_eq!(item.get_s(PK), Some("CONN#ZLnPzcHhoAMCJoA="));
        assert_eq!(item.get_s(SK), Some("META"));
        assert_eq!(parse_connection(&item).unwrap(), (c.clone(), c.ttl()));
        let item = member(&c);
        assert_eq!(item.get_s(PK), Some("ROOM#lobby"));
        assert_eq!(parse_member(&item).unwrap(), (c.member(), c.ttl()));
    }

    #[test]
    fn message_round_trip_with_and_without_translations() {
        let mut m = Message {
            id: "01JD".into(),
            room: RoomName::parse("lobby").unwrap(),
            ts: 1_764_150_000_000,
            from_name: UserName::parse("Aki").unwrap(),
            from_connection: ConnectionId::new("a"),
            source_lang: Lang::parse("ja").unwrap(),
            text: "こんにちは".into(),
            translations: BTreeMap::new(),
            client_msg_id: None,
        };
        assert_eq!(parse_message(&message(&m)).unwrap(), m);
        m.translations.insert(
            Lang::parse("es").unwrap(),
            Translation {
                text: "Hola".into(),
                engine: "amazon-translate".into(),
                via: None,
            },
        );
        m.translations.insert(
            Lang::parse("pt").unwrap(),
            Translation {
                text: "Olá".into(),
                engine: "apertium".into(),
                via: Some(Lang::parse("es").unwrap()),
            },
        );
        m.client_msg_id = Some(ClientMsgId::parse("c-17").unwrap());
        let item = message(&m);
        assert_eq!(item.get_s(SK), Some("MSG#1764150000000#01JD"));
        assert_eq!(parse_message(&item).unwrap(), m);
    }

    #[test]
    fn rest_translation_round_trip() {
        let mut r = TranslationRecord {
            id: "01JD".into(),
            ts: 1_764_150_000_000,
            source_lang: Lang::EN,
            target_lang: Lang::parse("es").unwrap(),
            text: "Hello".into(),
            translated_text: "Hola".into(),
            engine: Some("amazon-translate".into()),
        };
        let item = rest_translation(&r);
        assert_eq!(item.get_s(PK), Some("XLATE#2025-11-26"));
        assert_eq!(item.get_s(SK), Some("1764150000000#01JD"));
        assert_eq!(parse_rest_translation(&item).unwrap(), r);
        r.engine = None;
        assert_eq!(parse_rest_translation(&rest_translation(&r)).unwrap(), r);
    }

    #[test]
    fn a_bad_row_is_corrupt_and_named() {
        let mut item = connection(&conn());
        item.insert("lang".into(), s("klingon"));
        let err = parse_connection(&item).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("CONN#ZLnPzcHhoAMCJoA=/META"), "{text}");
        assert!(text.contains("lang"), "{text}");
        item.remove("ttl");
        item.insert("lang".into(), s("en"));
        assert!(parse_connection(&item).is_err());
    }
}
