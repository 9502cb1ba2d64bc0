//! v1.2 on the memory store: edit and delete by the sender only, within
//! the window; corrections and the room's memory of them; the glossary,
//! its versions, who may change it, and terms an engine mangles.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::{Fixture, error, fixture, fixture_with};
use crate::core::{App, ConnectParams, Policy, TokenSecret, access};
use crate::model::{ConnectionId, MessageKey, RoomName};
use crate::ports::{Amend, Store};
use crate::store::MemoryStore;
use crate::testing::{Mangle, ManglingTranslator, RecordingPush};

const CLIENT_A: &str = "client-a-0123456789";

/// `a` (en, with a `client`) sends `text` to a room with `b` (es) and
/// `c` (ja); returns the message id.
async fn room_of_three(f: &Fixture, text: &str) -> String {
    f.connect("a", "r", "en", Some(CLIENT_A)).await;
    f.join("b", "r", "es").await;
    f.join("c", "r", "ja").await;
    f.clear(&["a", "b", "c"]);
    f.send(
        "a",
        json!({"action":"translate","text":text,"clientMsgId":"m1"}),
    )
    .await;
    let id = f.take_type("a", "message")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    f.clear(&["b", "c"]);
    id
}

#[tokio::test]
async fn an_edit_is_translated_again_for_every_reader() {
    let f = fixture();
    let id = room_of_three(&f, "Great work tema").await;
    let calls = f.engine.calls();
    f.send(
        "a",
        json!({"action":"edit","id":id,"text":"Great work team","clientMsgId":"e1"}),
    )
    .await;
    assert_eq!(f.engine.calls(), calls + 2, "once per reader language");
    let mine = f.take_type("a", "edited").remove(0);
    assert_eq!(
        (mine["text"].as_str(), mine["clientMsgId"].as_str()),
        (Some("Great work team"), Some("e1"))
    );
    let es = f.take_type("b", "edited").remove(0);
    assert_eq!(es["text"], "[es] Great work team");
    assert_eq!(es["original"], "Great work team");
    assert_eq!(es["id"], id.as_str());
    assert!(es["editedAt"].as_i64().unwrap() >= es["ts"].as_i64().unwrap());
    assert_eq!(
        f.take_type("c", "edited")[0]["text"],
        "[ja] Great work team"
    );
    // History: the latest text, marked edited, in each language.
    f.send("b", json!({"action":"history"})).await;
    let page = f.take_type("b", "history").remove(0);
    let entry = &page["messages"][0];
    assert_eq!(entry["text"], "[es] Great work team");
    assert!(entry["editedAt"].is_i64());
}

#[tokio::test]
async fn only_the_sender_may_edit_even_after_a_reconnect() {
    let f = fixture();
    let id = room_of_three(&f, "hello").await;
    f.send(
        "b",
        json!({"action":"edit","id":id,"text":"mine now","clientMsgId":"x"}),
    )
    .await;
    let e = error(f.take("b"));
    assert_eq!(
        (e["code"].as_str(), e["clientMsgId"].as_str()),
        (Some("not_yours"), Some("x"))
    );
    f.send("b", json!({"action":"delete","id":id})).await;
    assert_eq!(error(f.take("b"))["code"], "not_yours");
    // The same client on a new connection is the same sender.
    f.connect("a2", "r", "en", Some(CLIENT_A)).await;
    f.send("a2", json!({"action":"edit","id":id,"text":"hello again"}))
        .await;
    assert_eq!(f.take_type("b", "edited")[0]["original"], "hello again");
    // Nobody can change what is not there.
    let missing = crate::core::ids::message_id(1_764_150_000_000);
    f.send(
        "a",
        json!({"action":"edit","id":missing,"text":"x","clientMsgId":"y"}),
    )
    .await;
    let e = error(f.take("a"));
    assert_eq!(
        (e["code"].as_str(), e["clientMsgId"].as_str()),
        (Some("not_found"), Some("y"))
    );
    f.send(
        "a",
        json!({"action":"edit","id":"nope","text":"x","clientMsgId":"z"}),
    )
    .await;
    let e = error(f.take("a"));
    assert_eq!(
        (e["code"].as_str(), e["clientMsgId"].as_str()),
        (Some("bad_request"), Some("z"))
    );
}

#[tokio::test]
async fn without_a_client_only_the_same_connection_may_edit() {
    let f = fixture();
    f.join("a", "r", "en").await;
    f.join("b", "r", "es").await;
    f.send(
        "a",
        json!({"action":"translate","text":"hi","clientMsgId":"m"}),
    )
    .await;
    let id = f.take_type("a", "message")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    f.send("b", json!({"action":"delete","id":id})).await;
    assert_eq!(error(f.take("b"))["code"], "not_yours");
    f.send("a", json!({"action":"delete","id":id})).await;
    assert_eq!(f.take_type("b", "deleted")[0]["id"], id.as_str());
}

#[tokio::test]
async fn past_the_window_a_message_is_too_old() {
    let f = fixture_with(Policy {
        edit_window: Duration::ZERO,
        ..Policy::default()
    });
    let id = room_of_three(&f, "hello").await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    f.send(
        "a",
        json!({"action":"edit","id":id,"text":"x","clientMsgId":"late"}),
    )
    .await;
    let e = error(f.take("a"));
    assert_eq!(
        (e["code"].as_str(), e["clientMsgId"].as_str()),
        (Some("too_old"), Some("late"))
    );
    f.send("a", json!({"action":"delete","id":id})).await;
    assert_eq!(error(f.take("a"))["code"], "too_old");
}

#[tokio::test]
async fn a_delete_leaves_only_a_tombstone_and_costs_nothing() {
    let f = fixture();
    let id = room_of_three(&f, "oops, secret").await;
    let calls = f.engine.calls();
    f.send("a", json!({"action":"delete","id":id})).await;
    assert_eq!(f.engine.calls(), calls);
    for who in ["a", "b", "c"] {
        let d = f.take_type(who, "deleted").remove(0);
        assert_eq!(
            (d["room"].as_str(), d["id"].as_str()),
            (Some("r"), Some(id.as_str()))
        );
        assert!(d["deletedAt"].is_i64());
    }
    let key = MessageKey::from_id(&id).unwrap();
    let stored = f
        .store
        .get_message(&RoomName::parse("r").unwrap(), &key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((stored.text.as_str(), stored.is_deleted()), ("", true));
    f.send("b", json!({"action":"history"})).await;
    let page = f.take_type("b", "history").remove(0);
    let entry = &page["messages"][0];
    assert_eq!(entry["deleted"], true);
    assert_eq!(entry["id"], id.as_str());
    assert!(entry.get("text").is_none() && entry.get("type").is_none());
    assert_eq!(f.engine.calls(), calls, "a tombstone is never translated");
    // A second delete, or an edit, finds nothing.
    f.send("a", json!({"action":"edit","id":id,"text":"back"}))
        .await;
    assert_eq!(error(f.take("a"))["code"], "not_found");
}

#[tokio::test]
async fn a_correction_is_shown_and_remembered() {
    let f = fixture();
    f.join("b2", "r", "es").await;
    let id = room_of_three(&f, "Great work team").await;
    f.clear(&["b2"]);
    f.send(
        "b",
        json!({"action":"correct","id":id,"text":"¡Buen trabajo, equipo!"}),
    )
    .await;
    for who in ["b", "b2"] {
        let c = f.take_type(who, "corrected").remove(0);
        assert_eq!(c["text"], "¡Buen trabajo, equipo!");
        assert_eq!(
            (c["lang"].as_str(), c["id"].as_str()),
            (Some("es"), Some(id.as_str()))
        );
        assert_eq!(c["by"]["name"], "n-b");
    }
    assert!(
        f.take_type("c", "corrected").is_empty(),
        "ja readers keep theirs"
    );
    // The sender reads the source language: nothing to correct.
    f.send(
        "a",
        json!({"action":"correct","id":id,"text":"x","clientMsgId":"k"}),
    )
    .await;
    let e = error(f.take("a"));
    assert_eq!(
        (e["code"].as_str(), e["clientMsgId"].as_str()),
        (Some("forbidden"), Some("k"))
    );
    // History in Spanish: the correction, and who made it.
    f.send("b2", json!({"action":"history"})).await;
    let entry = f.take_type("b2", "history").remove(0)["messages"][0].clone();
    assert_eq!(entry["text"], "¡Buen trabajo, equipo!");
    assert_eq!(entry["correctedBy"]["name"], "n-b");
    // The same words again: Spanish from the memory, no engine call for it.
    let calls = f.engine.calls();
    f.send(
        "a",
        json!({"action":"translate","text":"  Great work team "}),
    )
    .await;
    assert_eq!(
        f.engine.calls(),
        calls + 1,
        "only Japanese went to the engine"
    );
    let es = f.take_type("b", "message").remove(0);
    assert_eq!(
        (es["text"].as_str(), es["engine"].as_str()),
        (Some("¡Buen trabajo, equipo!"), Some("memory"))
    );
    assert_eq!(f.take_type("c", "message")[0]["engine"], "pseudo");
}

#[tokio::test]
async fn the_glossary_is_versioned_and_applied() {
    let f = fixture();
    let _ = room_of_three(&f, "warm-up").await;
    f.send("b", json!({"action":"glossary"})).await;
    let g = f.take_type("b", "glossary").remove(0);
    assert_eq!(
        (g["version"].as_u64(), g["terms"].as_array().map(Vec::len)),
        (Some(0), Some(0))
    );
    let terms = json!([{"term":"honyaku"},{"term":"deploy","lang":"es","as":"desplegar"}]);
    f.send(
        "b",
        json!({"action":"glossary_set","version":0,"terms":terms}),
    )
    .await;
    for who in ["a", "b", "c"] {
        let g = f.take_type(who, "glossary").remove(0);
        assert_eq!(g["version"], 1);
        assert_eq!(g["by"]["name"], "n-b");
        assert_eq!(g["terms"][1]["as"], "desplegar");
    }
    // Someone who saved from version 0 too is told, not overwritten.
    f.send(
        "c",
        json!({"action":"glossary_set","version":0,"terms":[],"clientMsgId":"g"}),
    )
    .await;
    let e = error(f.take("c"));
    assert_eq!(
        (e["code"].as_str(), e["clientMsgId"].as_str()),
        (Some("conflict"), Some("g"))
    );
    f.send(
        "a",
        json!({"action":"translate","text":"deploy honyaku now"}),
    )
    .await;
    assert_eq!(
        f.take_type("b", "message")[0]["text"],
        "[es] desplegar honyaku now"
    );
    assert_eq!(
        f.take_type("c", "message")[0]["text"],
        "[ja] deploy honyaku now"
    );
    // The largest glossary admitted reaches everyone in one frame.
    let max: Vec<Value> = (0..200)
        .map(|i| json!({"term":format!("{i:03}{}", "t".repeat(97)),"lang":"ja","as":"r".repeat(100)}))
        .collect();
    f.send(
        "a",
        json!({"action":"glossary_set","version":1,"terms":max}),
    )
    .await;
    let g = f.take_type("c", "glossary").remove(0);
    assert_eq!(
        (g["version"].as_u64(), g["terms"].as_array().map(Vec::len)),
        (Some(2), Some(200))
    );
    f.clear(&["a", "b"]);
    // Too many terms is a bad request before anything is stored.
    let many: Vec<Value> = (0..201).map(|i| json!({"term":format!("t{i}")})).collect();
    f.send(
        "a",
        json!({"action":"glossary_set","version":1,"terms":many}),
    )
    .await;
    assert_eq!(error(f.take("a"))["code"], "bad_request");
}

#[tokio::test]
async fn with_tokens_only_an_admin_changes_the_glossary() {
    let secret = TokenSecret::new("0123456789abcdef0123");
    let f = fixture_with(Policy {
        token_secret: Some(secret.clone()),
        ..Policy::default()
    });
    let room = RoomName::parse("r").unwrap();
    for (id, admin) in [("plain", false), ("boss", true)] {
        let params = ConnectParams {
            room: Some("r".into()),
            lang: Some("en".into()),
            token: Some(access::mint_as(&secret, &room, i64::MAX / 2, admin)),
            ..ConnectParams::default()
        };
        f.app
            .connect(ConnectionId::new(id), params, crate::core::now_ms())
            .await
            .unwrap();
    }
    f.send(
        "plain",
        json!({"action":"glossary_set","version":0,"terms":[],"clientMsgId":"p"}),
    )
    .await;
    let e = error(f.take("plain"));
    assert_eq!(
        (e["code"].as_str(), e["clientMsgId"].as_str()),
        (Some("forbidden"), Some("p"))
    );
    f.send(
        "boss",
        json!({"action":"glossary_set","version":0,"terms":[{"term":"x"}]}),
    )
    .await;
    assert_eq!(f.take_type("plain", "glossary")[0]["version"], 1);
}

/// A room of `en` and `es` over an engine that damages placeholders.
async fn mangled(mangle: Mangle) -> Value {
    let push = Arc::new(RecordingPush::default());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::in_memory());
    let engine = Arc::new(ManglingTranslator::new(mangle));
    let app = App::new(store, engine.clone(), push.clone());
    for (id, lang) in [("a", "en"), ("b", "es")] {
        let params = ConnectParams {
            room: Some("r".into()),
            lang: Some(lang.into()),
            ..ConnectParams::default()
        };
        let at = crate::core::now_ms() - 60_000;
        app.connect(ConnectionId::new(id), params, at)
            .await
            .unwrap();
    }
    let a = ConnectionId::new("a");
    let set = json!({"action":"glossary_set","version":0,"terms":[{"term":"Tomas"}]});
    app.message(&a, &set.to_string()).await;
    let send = json!({"action":"translate","text":"Great work Tomas"});
    app.message(&a, &send.to_string()).await;
    assert_eq!(engine.calls(), 1);
    push.of_type("b", "message").remove(0)
}

#[tokio::test]
async fn a_mangled_term_is_restored_or_the_original_delivered_marked() {
    let spaced = mangled(Mangle::Space).await;
    assert_eq!(spaced["text"], "[es] Great work Tomas");
    assert_eq!(spaced["translated"], true);
    let dropped = mangled(Mangle::Drop).await;
    assert_eq!(dropped["text"], "Great work Tomas");
    assert_eq!(dropped["translated"], false);
    assert_eq!(dropped["error"], "translation_failed");
}
