//! The single table's rows as DynamoDB items: the same keys as the
//! embedded stores (`store::keys`) and the same field names as their JSON
//! rows, so one layout holds everywhere.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;

use super::ext::{AttributeValuesExt, Item, n, s};
use crate::model::{
    ClientKey, ClientMsgId, ClientTag, Connection, ConnectionId, Lang, Member, Message, MessageKey,
    RoomName, Translation, TranslationRecord, UserName,
};
use crate::ports::StoreError;
use crate::store::{client_msg_ttl, keys};

pub const PK: &str = "pk";
pub const SK: &str = "sk";
/// Epoch seconds; the table's TTL attribute.
pub const TTL: &str = "ttl";
/// Epoch seconds after which a member row is stale. Not `ttl`: DynamoDB's
/// TTL would delete the row without giving its place in the room back,
/// so stale member rows are reaped by the store itself (row and count in
/// one transaction).
pub const EXPIRES: &str = "expires";

/// The message item's list of its translations' languages (`translations.rs`).
pub const LANGS: &str = "tr_langs";

/// `langs` as the list attribute.
pub fn langs_value(langs: impl IntoIterator<Item = Lang>) -> AttributeValue {
    AttributeValue::L(langs.into_iter().map(|l| s(l.as_str())).collect())
}

/// The primary key of one row.
pub fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([(PK.to_owned(), s(pk)), (SK.to_owned(), s(sk))])
}

fn with_key(pk: String, sk: String, fields: Vec<(&str, AttributeValue)>) -> Item {
    let mut item = key(pk, sk);
    item.extend(fields.into_iter().map(|(k, v)| (k.to_owned(), v)));
    item
}

fn push_opt(fields: &mut Vec<(&'static str, AttributeValue)>, name: &'static str, v: Option<&str>) {
    if let Some(v) = v {
        fields.push((name, s(v)));
    }
}

/// `CONN#{id}` / `META`.
pub fn connection(conn: &Connection) -> Item {
    let mut fields = vec![
        ("id", s(conn.id.as_str())),
        ("room", s(conn.room.as_str())),
        ("lang", s(conn.lang.as_str())),
        ("name", s(conn.name.as_str())),
        ("connected_at", n(conn.connected_at)),
        ("joined_at", n(conn.joined_at)),
        (TTL, n(conn.ttl())),
    ];
    push_opt(
        &mut fields,
        "client",
        conn.client.as_ref().map(ClientKey::as_str),
    );
    push_opt(&mut fields, "source_ip", conn.source_ip.as_deref());
    push_opt(&mut fields, "instance", conn.instance.as_deref());
    if conn.admin {
        fields.push(("admin", AttributeValue::Bool(true)));
    }
    with_key(keys::connection_pk(&conn.id), keys::META.to_owned(), fields)
}

/// `ROOM#{room}` / `MEMBER#{joinedAt}#{id}`.
pub fn member(conn: &Connection) -> Item {
    let tag = conn.tag();
    let mut fields = vec![
        ("lang", s(conn.lang.as_str())),
        ("name", s(conn.name.as_str())),
        (EXPIRES, n(conn.ttl())),
    ];
    push_opt(&mut fields, "tag", tag.as_ref().map(ClientTag::as_str));
    with_key(
        keys::room_pk(&conn.room),
        keys::member_sk(&conn.member().key()),
        fields,
    )
}

/// The key of a connection's member row.
pub fn member_key(conn: &Connection) -> Item {
    key(
        keys::room_pk(&conn.room),
        keys::member_sk(&conn.member().key()),
    )
}

/// `INST#{instance}` / `CONN#{id}`: lists a local instance's connections.
pub fn instance_row(conn: &Connection, instance: &str) -> Item {
    with_key(
        keys::instance_pk(instance),
        keys::connection_pk(&conn.id),
        vec![(TTL, n(conn.ttl()))],
    )
}

/// `ROOM#{room}` / `CMID#…`: marks the id as used by this sender in this
/// room, for a day (reconnects included).
pub fn client_msg(msg: &Message, scope: &str, cmid: &ClientMsgId) -> Item {
    let (pk, sk) = keys::client_msg_key(&msg.room, scope, cmid);
    with_key(
        pk,
        sk,
        vec![
            ("message_sk", s(keys::message_sk(&msg.key()))),
            (TTL, n(client_msg_ttl(msg.ts))),
        ],
    )
}

/// `ROOM#{room}` / `TR#{lang}#{ts}#{id}`: one translation of a message.
pub fn translation(
    room: &RoomName,
    key: &MessageKey,
    lang: Lang,
    t: &Translation,
    ttl: Option<i64>,
) -> Item {
    let mut fields = vec![("text", s(&t.text)), ("engine", s(&t.engine))];
    push_opt(&mut fields, "via", t.via.map(|v| v.as_str()));
    if let Some(ttl) = ttl {
        fields.push((TTL, n(ttl)));
    }
    with_key(keys::room_pk(room), keys::translation_sk(lang, key), fields)
}

pub fn parse_translation(item: &Item) -> Option<Translation> {
    Some(Translation {
        text: item.get_s("text")?.to_owned(),
        engine: item.get_s("engine")?.to_owned(),
        via: match item.get_s("via") {
            Some(via) => Some(Lang::parse(via).ok()?),
            None => None,
        },
    })
}

/// `ROOM#{room}` / `MSG#{ts}#{id}`: the message alone; its translations
/// are items of their own.
pub fn message(msg: &Message) -> Item {
    let mut fields = vec![
        ("id", s(&msg.id)),
        ("room", s(msg.room.as_str())),
        ("ts", n(msg.ts)),
        ("from_name", s(msg.from_name.as_str())),
        ("from_connection", s(msg.from_connection.as_str())),
        ("source_lang", s(msg.source_lang.as_str())),
    ];
    // A tombstone keeps no text at all.
    if msg.deleted_at.is_none() {
        fields.push(("text", s(&msg.text)));
    }
    // Which translation items it has (`translations.rs`).
    fields.push((LANGS, langs_value(msg.translations.keys().copied())));
    push_opt(
        &mut fields,
        "from_client",
        msg.from_client.as_ref().map(ClientKey::as_str),
    );
    for (name, at) in [("edited_at", msg.edited_at), ("deleted_at", msg.deleted_at)] {
        if let Some(at) = at {
            fields.push((name, n(at)));
        }
    }
    push_opt(
        &mut fields,
        "from_tag",
        msg.from_tag.as_ref().map(ClientTag::as_str),
    );
    push_opt(
        &mut fields,
        "client_msg_id",
        msg.client_msg_id.as_ref().map(ClientMsgId::as_str),
    );
    // v1.2: the quote as one JSON attribute (a tombstone keeps none).
    if let Some(q) = msg.reply_to.as_ref().filter(|_| msg.deleted_at.is_none()) {
        fields.push(("reply_to", s(serde_json::to_string(q).unwrap_or_default())));
    }
    if let Some(ttl) = msg.ttl {
        fields.push((TTL, n(ttl)));
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
    push_opt(&mut fields, "engine", record.engine.as_deref());
    if let Some(ttl) = record.ttl {
        fields.push((TTL, n(ttl)));
    }
    with_key(pk, sk, fields)
}

/// Reads one item back, naming the row and the field when it is wrong.
pub struct Reader<'a> {
    pub item: &'a Item,
}

impl<'a> Reader<'a> {
    pub fn corrupt(&self, reason: String) -> StoreError {
        StoreError::Corrupt {
            pk: self.item.get_s(PK).unwrap_or("?").to_owned(),
            sk: self.item.get_s(SK).unwrap_or("?").to_owned(),
            reason,
        }
    }

    pub fn s(&self, field: &str) -> Result<&'a str, StoreError> {
        self.item
            .get_s(field)
            .ok_or_else(|| self.corrupt(format!("{field} is missing or not a string")))
    }

    pub fn i64(&self, field: &str) -> Result<i64, StoreError> {
        self.item
            .get_i64(field)
            .ok_or_else(|| self.corrupt(format!("{field} is missing or not a whole number")))
    }

    pub fn parse<T, E: std::fmt::Display>(
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
    let connected_at = r.i64("connected_at")?;
    let conn = Connection {
        id: ConnectionId::new(r.s("id")?),
        room: r.parse("room", RoomName::parse)?,
        lang: r.parse("lang", Lang::parse)?,
        name: r.parse("name", UserName::parse)?,
        connected_at,
        joined_at: item.get_i64("joined_at").unwrap_or(connected_at),
        client: item.get_s("client").map(ClientKey::from_stored),
        source_ip: item.get_s("source_ip").map(str::to_owned),
        instance: item.get_s("instance").map(str::to_owned),
        admin: matches!(item.get("admin"), Some(AttributeValue::Bool(true))),
    };
    Ok((conn, r.i64(TTL)?))
}

/// A member row and its `ttl`; join time and connection id are the sort
/// key's.
pub fn parse_member(item: &Item) -> Result<(Member, i64), StoreError> {
    let r = Reader { item };
    let key =
        keys::parse_member_sk(r.s(SK)?).ok_or_else(|| r.corrupt("not a member row".into()))?;
    let member = Member {
        connection_id: key.id,
        name: r.parse("name", UserName::parse)?,
        lang: r.parse("lang", Lang::parse)?,
        tag: item.get_s("tag").map(ClientTag::from_stored),
        joined_at: key.joined_at,
    };
    Ok((member, r.i64(EXPIRES)?))
}

pub fn parse_message(item: &Item) -> Result<Message, StoreError> {
    let r = Reader { item };
    let mut translations = BTreeMap::new();
    // Older versions kept translations inside the message.
    if let Some(map) = item.get_m("translations") {
        for (lang, value) in map {
            let lang = Lang::parse(lang).map_err(|e| r.corrupt(format!("translations: {e}")))?;
            let t = value
                .as_m()
                .ok()
                .and_then(parse_translation)
                .ok_or_else(|| r.corrupt(format!("translations.{lang} is not {{text, engine}}")))?;
            translations.insert(lang, t);
        }
    }
    Ok(Message {
        id: r.s("id")?.to_owned(),
        room: r.parse("room", RoomName::parse)?,
        ts: r.i64("ts")?,
        from_name: r.parse("from_name", UserName::parse)?,
        from_connection: ConnectionId::new(r.s("from_connection")?),
        from_tag: item.get_s("from_tag").map(ClientTag::from_stored),
        source_lang: r.parse("source_lang", Lang::parse)?,
        text: match item.get_i64("deleted_at") {
            Some(_) => String::new(),
            None => r.s("text")?.to_owned(),
        },
        translations,
        client_msg_id: match item.get_s("client_msg_id") {
            Some(c) => Some(ClientMsgId::parse(c).map_err(|e| r.corrupt(e.to_string()))?),
            None => None,
        },
        ttl: item.get_i64(TTL),
        from_client: item.get_s("from_client").map(ClientKey::from_stored),
        edited_at: item.get_i64("edited_at"),
        deleted_at: item.get_i64("deleted_at"),
        corrected: BTreeMap::new(),
        reply_to: match item.get_s("reply_to") {
            Some(j) => {
                Some(serde_json::from_str(j).map_err(|e| r.corrupt(format!("reply_to: {e}")))?)
            }
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
        ttl: item.get_i64(TTL),
    })
}

#[cfg(test)]
#[path = "items_tests.rs"]
mod tests;
