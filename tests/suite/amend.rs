//! v1.2 end to end on the real server with WebSocket clients: an edit
//! reaches readers in three languages, a delete leaves no text in the
//! store, a correction is reused for a repeated message with no engine
//! call, glossary terms survive Apertium and an engine that mangles them,
//! and every refusal names the request's `clientMsgId`.

use std::sync::Arc;
use std::time::Duration;

use honyaku::config::{ServeConfig, TranslatorKind};
use honyaku::core::{Policy, TokenSecret, access};
use honyaku::model::{Lang, MessageKey, RoomName};
use honyaku::ports::{Amend, HistoryQuery, Store};
use honyaku::store::RedbStore;
use honyaku::testing::{CountingTranslator, Mangle, ManglingTranslator, start_server_with_engine};
use serde_json::{Value, json};

use crate::helpers::{Client, Connect, QUIET, TestServer, config, redb_config, spawn, with_policy};

const CLIENT: &str = "e2e-client-0123456789";

/// `a` (en, with a `client`) sends `text`; returns its id once `others`
/// have it.
async fn send(a: &mut Client, others: &mut [&mut Client], text: &str) -> String {
    a.send(json!({"action":"translate","text":text,"clientMsgId":"m-1"}))
        .await;
    let id = a.recv_type("message").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for c in others.iter_mut() {
        assert_eq!(c.recv_type("message").await["id"], id.as_str());
    }
    id
}

async fn sender(server: &TestServer, room: &str) -> Client {
    server
        .connect(&format!("room={room}&lang=en&name=Aki&client={CLIENT}"))
        .await
}

fn refusal(e: &Value, code: &str, cmid: &str) {
    assert_eq!(e["code"], code, "{e}");
    assert_eq!(e["clientMsgId"], cmid, "{e}");
}

#[tokio::test]
async fn an_edit_reaches_readers_in_three_languages() {
    let server = spawn(config()).await;
    let mut a = sender(&server, "ed").await;
    let mut es = Client::join(&server, "ed", "es", "Bea").await;
    let mut ja = Client::join(&server, "ed", "ja", "Chie").await;
    let mut de = Client::join(&server, "ed", "de", "Dora").await;
    let id = send(&mut a, &mut [&mut es, &mut ja, &mut de], "Great work tema").await;
    a.send(json!({"action":"edit","id":id,"text":"Great work team","clientMsgId":"e-1"}))
        .await;
    let mine = a.recv_type("edited").await;
    assert_eq!(
        (mine["text"].as_str(), mine["clientMsgId"].as_str()),
        (Some("Great work team"), Some("e-1"))
    );
    for (c, lang) in [(&mut es, "es"), (&mut ja, "ja"), (&mut de, "de")] {
        let f = c.recv_type("edited").await;
        assert_eq!(f["id"], id.as_str());
        assert_eq!(f["text"], format!("[{lang}] Great work team"));
        assert_eq!(f["original"], "Great work team");
        assert!(f["editedAt"].as_i64().unwrap() >= f["ts"].as_i64().unwrap());
    }
    let page = es.request(json!({"action":"history"}), "history").await;
    assert_eq!(page["messages"][0]["text"], "[es] Great work team");
    assert!(page["messages"][0]["editedAt"].is_i64());
    server.stop().await;
}

#[tokio::test]
async fn a_delete_leaves_no_text_in_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(redb_config(dir.path().to_owned())).await;
    let mut a = sender(&server, "del").await;
    let mut es = Client::join(&server, "del", "es", "Bea").await;
    let secret = "my password is hunter2";
    let id = send(&mut a, &mut [&mut es], secret).await;
    a.send(json!({"action":"delete","id":id})).await;
    for c in [&mut a, &mut es] {
        let d = c.recv_type("deleted").await;
        assert_eq!(
            (d["room"].as_str(), d["id"].as_str()),
            (Some("del"), Some(id.as_str()))
        );
    }
    let page = es.request(json!({"action":"history"}), "history").await;
    let entry = &page["messages"][0];
    assert_eq!(
        (entry["deleted"].as_bool(), entry["id"].as_str()),
        (Some(true), Some(id.as_str()))
    );
    assert!(!page.to_string().contains("hunter2"));
    drop((a, es));
    server.stop().await;
    // The table itself: a tombstone, with no text and no translation.
    let store = RedbStore::open(dir.path()).unwrap();
    let room = RoomName::parse("del").unwrap();
    let key = MessageKey::from_id(&id).unwrap();
    let tomb = store.get_message(&room, &key).await.unwrap().unwrap();
    assert!(tomb.is_deleted() && tomb.text.is_empty());
    for lang in ["es", "en", "ja"] {
        let q = HistoryQuery {
            before: None,
            limit: 10,
            lang: Lang::parse(lang).unwrap(),
            since_ms: 0,
        };
        let page = store.messages_before(&room, &q).await.unwrap();
        assert!(page.messages[0].translations.is_empty());
        assert!(!format!("{page:?}").contains("hunter2"));
    }
}

#[tokio::test]
async fn a_correction_is_reused_with_no_engine_call() {
    let engine = Arc::new(CountingTranslator::default());
    let server = start_server_with_engine(config(), engine.clone()).await;
    let mut a = sender(&server, "co").await;
    let mut es = Client::join(&server, "co", "es", "Bea").await;
    let id = send(&mut a, &mut [&mut es], "Great work team").await;
    es.send(json!({"action":"correct","id":id,"text":"¡Buen trabajo, equipo!"}))
        .await;
    let c = es.recv_type("corrected").await;
    assert_eq!(
        (c["lang"].as_str(), c["by"]["name"].as_str()),
        (Some("es"), Some("Bea"))
    );
    let calls = engine.calls();
    a.send(json!({"action":"translate","text":"Great work team"}))
        .await;
    let again = es.recv_type("message").await;
    assert_eq!(again["text"], "¡Buen trabajo, equipo!");
    assert_eq!(again["engine"], "memory");
    assert_eq!(
        engine.calls(),
        calls,
        "no engine call for a remembered text"
    );
    server.stop().await;
}

/// A room of en and es with the glossary `terms`; what Spanish reads of
/// `text`.
async fn through_glossary(server: &TestServer, terms: Value, text: &str) -> Value {
    let mut a = sender(server, "gl").await;
    let mut es = Client::join(server, "gl", "es", "Bea").await;
    a.send(json!({"action":"glossary_set","version":0,"terms":terms}))
        .await;
    assert_eq!(es.recv_type("glossary").await["version"], 1);
    a.send(json!({"action":"translate","text":text})).await;
    es.recv_type("message").await
}

#[tokio::test]
async fn glossary_terms_survive_an_engine_that_mangles_them() {
    for (mangle, restored) in [(Mangle::Space, true), (Mangle::Drop, false)] {
        let engine = Arc::new(ManglingTranslator::new(mangle));
        let server = start_server_with_engine(config(), engine).await;
        let terms = json!([{"term":"Tomas"},{"term":"work","lang":"es","as":"trabajo"}]);
        let got = through_glossary(&server, terms, "Great work Tomas").await;
        if restored {
            assert_eq!(got["text"], "[es] Great trabajo Tomas");
            assert_eq!(got["translated"], true);
        } else {
            // Never a translation without the term: the original, marked.
            assert_eq!(got["text"], "Great work Tomas");
            assert_eq!(got["translated"], false);
            assert_eq!(got["error"], "translation_failed");
        }
        server.stop().await;
    }
}

#[tokio::test]
async fn glossary_terms_survive_apertium() {
    if crate::helpers::apertium::apertium().is_none() {
        return;
    }
    let server = spawn(ServeConfig {
        translator: TranslatorKind::Apertium.into(),
        ..config()
    })
    .await;
    let terms = json!([{"term":"Tomas"},{"term":"Great work","lang":"es","as":"¡Bravo!"}]);
    let got = through_glossary(&server, terms, "Great work Tomas, the house is green.").await;
    let text = got["text"].as_str().unwrap();
    eprintln!("en→es with a glossary: {text}");
    assert_eq!(got["engine"], "apertium");
    assert!(text.contains("Tomas") && text.contains("¡Bravo!"), "{text}");
    assert!(text.contains("casa"), "the rest is translated: {text}");
    assert!(!text.contains('⟦'), "{text}");
    server.stop().await;
}

#[tokio::test]
async fn refusals_name_the_request() {
    let server = spawn(with_policy(Policy {
        edit_window: Duration::from_millis(300),
        ..Policy::default()
    }))
    .await;
    let mut a = sender(&server, "no").await;
    let mut es = Client::join(&server, "no", "es", "Bea").await;
    let id = send(&mut a, &mut [&mut es], "hello").await;
    es.send(json!({"action":"edit","id":id,"text":"mine","clientMsgId":"x-1"}))
        .await;
    refusal(&es.recv_type("error").await, "not_yours", "x-1");
    es.send(json!({"action":"delete","id":id,"clientMsgId":"x-2"}))
        .await;
    refusal(&es.recv_type("error").await, "not_yours", "x-2");
    a.send(json!({"action":"glossary_set","version":0,"terms":[]}))
        .await;
    a.recv_type("glossary").await;
    es.send(json!({"action":"glossary_set","version":0,"terms":[],"clientMsgId":"x-3"}))
        .await;
    refusal(&es.recv_type("error").await, "conflict", "x-3");
    tokio::time::sleep(Duration::from_millis(400)).await;
    a.send(json!({"action":"edit","id":id,"text":"late","clientMsgId":"x-4"}))
        .await;
    refusal(&a.recv_type("error").await, "too_old", "x-4");
    es.assert_silent().await;
    server.stop().await;

    // With tokens required, only an admin token changes the glossary.
    let secret = TokenSecret::new("0123456789abcdef0123");
    let server = spawn(with_policy(Policy {
        token_secret: Some(secret.clone()),
        ..Policy::default()
    }))
    .await;
    let room = RoomName::parse("tok").unwrap();
    let exp = chrono::Utc::now().timestamp() + 600;
    let plain = access::mint(&secret, &room, exp);
    let admin = access::mint_as(&secret, &room, exp, true);
    let mut p = server
        .connect(&format!("room=tok&lang=en&token={plain}"))
        .await;
    let mut boss = server
        .connect(&format!("room=tok&lang=en&token={admin}"))
        .await;
    p.send(json!({"action":"glossary_set","version":0,"terms":[],"clientMsgId":"x-5"}))
        .await;
    refusal(&p.recv_type("error").await, "forbidden", "x-5");
    boss.send(json!({"action":"glossary_set","version":0,"terms":[{"term":"x"}]}))
        .await;
    assert_eq!(p.recv_type("glossary").await["version"], 1);
    tokio::time::sleep(QUIET).await;
    server.stop().await;
}
