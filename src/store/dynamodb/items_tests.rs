//! The item mapping: every record round-trips, sizes as DynamoDB counts them.

use super::*;

fn conn() -> Connection {
    Connection {
        id: ConnectionId::new("ZLnPzcHhoAMCJoA="),
        room: RoomName::parse("lobby").unwrap(),
        lang: Lang::parse("ja").unwrap(),
        name: UserName::parse("Aki").unwrap(),
        connected_at: 1_764_150_000_123,
        joined_at: 1_764_150_000_456,
        client: Some(ClientKey::parse("abcdefghijklmnop").unwrap()),
        source_ip: Some("10.0.0.1".into()),
        instance: None,
        admin: true,
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
fn message_and_translation_round_trip() {
    let mut m = Message {
        id: "01JD".into(),
        room: RoomName::parse("lobby").unwrap(),
        ts: 1_764_150_000_000,
        from_name: UserName::parse("Aki").unwrap(),
        from_connection: ConnectionId::new("a"),
        from_tag: None,
        source_lang: Lang::parse("ja").unwrap(),
        text: "こんにちは".into(),
        translations: BTreeMap::new(),
        client_msg_id: None,
        ttl: None,
        from_client: None,
        edited_at: None,
        deleted_at: None,
        corrected: BTreeMap::new(),
        reply_to: None,
    };
    assert_eq!(parse_message(&message(&m)).unwrap(), m);
    m.edited_at = Some(1_764_150_000_500);
    m.from_client = Some(ClientKey::from_stored("k"));
    assert_eq!(parse_message(&message(&m)).unwrap(), m);
    let tomb = Message {
        text: String::new(),
        deleted_at: Some(1_764_150_001_000),
        ..m.clone()
    };
    assert!(!message(&tomb).contains_key("text"));
    assert_eq!(parse_message(&message(&tomb)).unwrap(), tomb);
    m.client_msg_id = Some(ClientMsgId::parse("c-17").unwrap());
    m.from_tag = Some(ClientTag::from_stored("0123456789ab"));
    m.ttl = Some(1_766_742_000);
    let item = message(&m);
    assert_eq!(item.get_s(SK), Some("MSG#1764150000000#01JD"));
    assert_eq!(parse_message(&item).unwrap(), m);
    let t = Translation {
        text: "Olá".into(),
        engine: "apertium".into(),
        via: Some(Lang::parse("es").unwrap()),
    };
    let pt = Lang::parse("pt").unwrap();
    let item = translation(&m.room, &m.key(), pt, &t, m.ttl);
    assert_eq!(item.get_s(SK), Some("TR#pt#1764150000000#01JD"));
    assert_eq!(parse_translation(&item), Some(t));
}

#[test]
fn rest_translation_round_trip() {
    let mut r = TranslationRecord {
        engine: Some("amazon-translate".into()),
        ttl: Some(1_766_742_000),
        ..TranslationRecord::sample()
    };
    let item = rest_translation(&r);
    assert_eq!(item.get_s(PK), Some("XLATE#2025-11-26"));
    assert_eq!(item.get_s(SK), Some("1764150000000#01JD"));
    assert_eq!(parse_rest_translation(&item).unwrap(), r);
    r.engine = None;
    r.ttl = None;
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
