//! Parsing client frames: errors, route selection, v1.1 and v1.2 frames.

use super::*;
use crate::model::MessageKey;

fn code(body: &str) -> &'static str {
    parse_command(body).unwrap_err().code
}

#[test]
fn default_route_errors() {
    assert_eq!(code("not json"), "bad_request");
    assert_eq!(code("[1,2]"), "bad_request");
    assert_eq!(code("\"translate\""), "bad_request");
    assert_eq!(code("{}"), "unknown_action");
    assert_eq!(code(r#"{"action":"dance"}"#), "unknown_action");
    assert_eq!(code(r#"{"action":5}"#), "unknown_action");
    assert_eq!(route_key(r#"{"action":"dance"}"#), None);
    assert_eq!(route_key(r#"{"action":"ping"}"#), Some("ping"));
    assert_eq!(route_key(r#"{"action":"typing"}"#), Some("typing"));
    assert_eq!(route_key("nope"), None);
}

/// On AWS each action needs its route, or it arrives as `$default`.
#[test]
fn the_template_routes_every_action() {
    let template = include_str!("../../template.yaml");
    for action in ACTIONS {
        assert!(
            template.contains(&format!("RouteKey: {action}\n")),
            "template.yaml has no route for {action}"
        );
    }
}

#[test]
fn duplicate_keys_are_a_bad_request() {
    assert_eq!(
        code(r#"{"action":"ping","action":"translate","text":"hi"}"#),
        "bad_request"
    );
    assert_eq!(
        code(r#"{"action":"translate","text":"a","text":"b"}"#),
        "bad_request"
    );
    assert_eq!(
        code(r#"{"action":"ping","x":{"y":1,"y":2}}"#),
        "bad_request"
    );
    assert_eq!(
        parse_command(r#"{"action":"ping","x":[{"y":1},{"y":2}]}"#).unwrap(),
        Command::Ping
    );
}

#[test]
fn field_errors() {
    assert_eq!(code(r#"{"action":"translate"}"#), "bad_request");
    assert_eq!(code(r#"{"action":"translate","text":5}"#), "bad_request");
    assert_eq!(code(r#"{"action":"translate","text":"  "}"#), "empty_text");
    let long = format!(
        r#"{{"action":"translate","text":"{}","clientMsgId":"c-9"}}"#,
        "a".repeat(10_001)
    );
    let e = parse_command(&long).unwrap_err();
    assert_eq!(
        (e.code, e.client_msg_id.as_deref()),
        ("text_too_long", Some("c-9"))
    );
    assert_eq!(
        code(r#"{"action":"translate","text":"hi","sourceLang":"xx"}"#),
        "invalid_lang"
    );
    assert_eq!(code(r#"{"action":"join","room":"a b"}"#), "invalid_room");
    assert_eq!(code(r#"{"action":"join","name":""}"#), "invalid_name");
    assert_eq!(code(r#"{"action":"join","lang":7}"#), "bad_request");
    assert_eq!(code(r#"{"action":"history","limit":0}"#), "bad_request");
    assert_eq!(code(r#"{"action":"history","limit":101}"#), "bad_request");
    assert_eq!(code(r#"{"action":"history","limit":"5"}"#), "bad_request");
    assert_eq!(code(r#"{"action":"members","after":5}"#), "bad_request");
    let e = parse_command(r#"{"action":"translate","text":5}"#).unwrap_err();
    assert_eq!(e.action.as_deref(), Some("translate"));
}

#[test]
fn good_frames() {
    assert_eq!(
        parse_command(r#"{"action":"history"}"#).unwrap(),
        Command::History {
            limit: 50,
            before: None
        }
    );
    assert_eq!(
        parse_command(r#"{"action":"members","after":"x"}"#).unwrap(),
        Command::Members {
            after: Some("x".into())
        }
    );
    assert_eq!(
        parse_command(r#"{"action":"typing"}"#).unwrap(),
        Command::Typing
    );
    assert_eq!(
        parse_command(r#"{"action":"ping","x":1}"#).unwrap(),
        Command::Ping
    );
    let Command::Translate {
        text, source_lang, ..
    } = parse_command(r#"{"action":"translate","text":" hi ","sourceLang":"auto"}"#).unwrap()
    else {
        panic!("not a translate");
    };
    assert_eq!(text.as_str(), "hi");
    assert_eq!(source_lang, Some(SourceLang::Auto));
}

#[test]
fn v12_frames() {
    let id = "01JD0000000000000000000000";
    let Command::Edit {
        key,
        text,
        client_msg_id,
    } = parse_command(&format!(
        r#"{{"action":"edit","id":"{id}","text":" new ","clientMsgId":"c-18"}}"#
    ))
    .unwrap()
    else {
        panic!("not an edit");
    };
    assert_eq!((key.id.as_str(), text.as_str()), (id, "new"));
    assert_eq!(key, MessageKey::from_id(id).unwrap());
    assert_eq!(client_msg_id.unwrap().as_str(), "c-18");
    let e =
        parse_command(r#"{"action":"edit","id":"x","text":"a","clientMsgId":"c-2"}"#).unwrap_err();
    assert_eq!(
        (e.code, e.client_msg_id.as_deref()),
        ("bad_request", Some("c-2"))
    );
    assert_eq!(code(r#"{"action":"delete"}"#), "bad_request");
    assert_eq!(
        code(&format!(r#"{{"action":"correct","id":"{id}","text":" "}}"#)),
        "empty_text"
    );
    assert_eq!(
        parse_command(r#"{"action":"glossary"}"#).unwrap(),
        Command::Glossary
    );
    let set = parse_command(
        r#"{"action":"glossary_set","version":3,"terms":[{"term":"honyaku"},{"term":"deploy","lang":"ja","as":"デプロイ"}]}"#,
    )
    .unwrap();
    let Command::GlossarySet { version, terms, .. } = set else {
        panic!("not a glossary_set");
    };
    assert_eq!((version, terms.len()), (3, 2));
    assert_eq!(
        code(r#"{"action":"glossary_set","terms":[]}"#),
        "bad_request"
    );
    assert_eq!(
        code(r#"{"action":"glossary_set","version":1,"terms":[{"term":"a","lang":"ja"}]}"#),
        "bad_request"
    );
    assert_eq!(
        code(r#"{"action":"glossary_set","version":1,"terms":[{"term":"a","x":1}]}"#),
        "bad_request"
    );
    assert_eq!(
        route_key(r#"{"action":"glossary_set"}"#),
        Some("glossary_set")
    );
}

#[test]
fn v12_replies_and_reactions_parse() {
    let id = "01JD0000000000000000000000";
    let Command::Translate { reply_to, .. } = parse_command(&format!(
        r#"{{"action":"translate","text":"yes","replyTo":"{id}"}}"#
    ))
    .unwrap() else {
        panic!("not a translate");
    };
    assert_eq!(reply_to.unwrap().id, id);
    let e =
        parse_command(r#"{"action":"translate","text":"x","replyTo":"nope","clientMsgId":"c-1"}"#)
            .unwrap_err();
    assert_eq!(
        (e.code, e.client_msg_id.as_deref()),
        ("bad_request", Some("c-1"))
    );
    assert_eq!(
        code(r#"{"action":"translate","text":"x","replyTo":5}"#),
        "bad_request"
    );
    let Command::React { key, emoji, .. } =
        parse_command(&format!(r#"{{"action":"react","id":"{id}","emoji":"👍🏽"}}"#)).unwrap()
    else {
        panic!("not a react");
    };
    assert_eq!((key.id.as_str(), emoji.as_str()), (id, "👍🏽"));
    for bad in ["", "ok", "👍👍"] {
        let body = format!(r#"{{"action":"react","id":"{id}","emoji":"{bad}"}}"#);
        assert_eq!(code(&body), "bad_request", "{bad}");
    }
    assert_eq!(code(r#"{"action":"react","emoji":"👍"}"#), "bad_request");
    assert_eq!(route_key(r#"{"action":"react"}"#), Some("react"));
}
