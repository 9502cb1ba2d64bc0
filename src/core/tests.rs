//! Unit tests of the routes with the memory store, the pseudo engine and a
//! push that records what each connection would receive.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde_json::Value;

use super::{App, ConnectParams};
use crate::model::{ConnectionId, Lang, Translation};
use crate::ports::{Push, PushError, TranslateError, Translator};
use crate::store::MemoryStore;
use crate::translate::PseudoTranslator;

#[derive(Default)]
struct Inbox {
    frames: Mutex<HashMap<String, Vec<Value>>>,
    gone: Mutex<Vec<String>>,
}

impl Inbox {
    fn take(&self, id: &str) -> Vec<Value> {
        self.frames.lock().unwrap().remove(id).unwrap_or_default()
    }
}

#[async_trait]
impl Push for Inbox {
    async fn post(&self, to: &ConnectionId, frame: &str) -> Result<(), PushError> {
        if self.gone.lock().unwrap().iter().any(|g| g == to.as_str()) {
            return Err(PushError::Gone);
        }
        let v: Value = serde_json::from_str(frame).unwrap();
        self.frames
            .lock()
            .unwrap()
            .entry(to.as_str().to_owned())
            .or_default()
            .push(v);
        Ok(())
    }
}

/// Counts engine calls; fails for `ko`.
#[derive(Default)]
struct Counting {
    calls: AtomicUsize,
}

#[async_trait]
impl Translator for Counting {
    async fn translate(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
    ) -> Result<Translation, TranslateError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if to.as_str() == "ko" {
            return Err(TranslateError::UnsupportedPair {
                from: from.as_str(),
                to: to.as_str(),
            });
        }
        PseudoTranslator.translate(text, from, to).await
    }
}

struct Fixture {
    app: App,
    inbox: Arc<Inbox>,
    engine: Arc<Counting>,
}

fn fixture() -> Fixture {
    let inbox = Arc::new(Inbox::default());
    let engine = Arc::new(Counting::default());
    let app = App::new(
        Arc::new(MemoryStore::in_memory()),
        engine.clone(),
        inbox.clone(),
    );
    Fixture { app, inbox, engine }
}

impl Fixture {
    async fn join(&self, id: &str, room: &str, lang: &str) {
        let params = ConnectParams {
            room: Some(room.into()),
            lang: Some(lang.into()),
            name: Some(format!("n-{id}")),
            ..ConnectParams::default()
        };
        self.app
            .connect(ConnectionId::new(id), params, super::now_ms())
            .await
            .unwrap();
    }

    async fn send(&self, id: &str, frame: Value) {
        self.app
            .message(&ConnectionId::new(id), &frame.to_string())
            .await;
    }
}

#[tokio::test]
async fn six_members_three_languages_cost_two_engine_calls() {
    let f = fixture();
    for (id, lang) in [
        ("a", "ja"),
        ("b", "ja"),
        ("c", "es"),
        ("d", "es"),
        ("e", "en"),
        ("f", "en"),
    ] {
        f.join(id, "r", lang).await;
    }
    f.inbox.frames.lock().unwrap().clear();
    f.send(
        "a",
        serde_json::json!({"action":"translate","text":"こんにちは","clientMsgId":"c-1"}),
    )
    .await;
    assert_eq!(f.engine.calls.load(Ordering::SeqCst), 2);
    let mine = f.inbox.take("a");
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["clientMsgId"], "c-1");
    assert_eq!(mine[0]["translated"], false);
    assert!(mine[0].get("original").is_none());
    let b = f.inbox.take("b");
    assert!(b[0].get("clientMsgId").is_none());
    let c = f.inbox.take("c");
    assert_eq!(c[0]["text"], "[es] こんにちは");
    assert_eq!(c[0]["original"], "こんにちは");
    assert_eq!(c[0]["engine"], "pseudo");
    assert_eq!(c[0]["sourceLang"], "ja");
    assert_eq!(c[0]["lang"], "es");
}

#[tokio::test]
async fn failed_pair_delivers_the_original_marked() {
    let f = fixture();
    f.join("a", "r", "en").await;
    f.join("k", "r", "ko").await;
    f.send("a", serde_json::json!({"action":"translate","text":"hi"}))
        .await;
    let k = f.inbox.take("k");
    let msg = k.iter().find(|v| v["type"] == "message").unwrap();
    assert_eq!(msg["text"], "hi");
    assert_eq!(msg["translated"], false);
    assert_eq!(msg["error"], "unsupported_language_pair");
    assert!(msg.get("engine").is_none());
}

#[tokio::test]
async fn repeated_client_msg_id_is_dropped_silently() {
    let f = fixture();
    f.join("a", "r", "en").await;
    f.join("b", "r", "es").await;
    f.inbox.frames.lock().unwrap().clear();
    let frame = serde_json::json!({"action":"translate","text":"hi","clientMsgId":"x"});
    f.send("a", frame.clone()).await;
    f.send("a", frame).await;
    assert_eq!(f.inbox.take("a").len(), 1);
    assert_eq!(f.inbox.take("b").len(), 1);
    assert_eq!(f.engine.calls.load(Ordering::SeqCst), 1);
    // A rejected translate does not use up its id.
    f.send(
        "a",
        serde_json::json!({"action":"translate","text":" ","clientMsgId":"y"}),
    )
    .await;
    assert_eq!(f.inbox.take("a")[0]["code"], "empty_text");
    f.send(
        "a",
        serde_json::json!({"action":"translate","text":"ok","clientMsgId":"y"}),
    )
    .await;
    assert_eq!(f.inbox.take("a")[0]["clientMsgId"], "y");
}

#[tokio::test]
async fn history_pages_and_translates_once() {
    let f = fixture();
    f.join("a", "r", "en").await;
    for i in 0..5 {
        f.send(
            "a",
            serde_json::json!({"action":"translate","text":format!("m{i}")}),
        )
        .await;
        // Distinct timestamps keep the order observable.
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    f.join("z", "r", "de").await;
    f.inbox.frames.lock().unwrap().clear();
    f.send("z", serde_json::json!({"action":"history","limit":2}))
        .await;
    let page = f.inbox.take("z").remove(0);
    let texts: Vec<&str> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["[de] m3", "[de] m4"]);
    assert_eq!(page["lang"], "de");
    let next = page["next"].as_str().unwrap().to_owned();
    f.send(
        "z",
        serde_json::json!({"action":"history","limit":2,"before":next}),
    )
    .await;
    let page = f.inbox.take("z").remove(0);
    let texts: Vec<&str> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["original"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["m1", "m2"]);
    let next = page["next"].as_str().unwrap().to_owned();
    f.send(
        "z",
        serde_json::json!({"action":"history","limit":2,"before":next}),
    )
    .await;
    let page = f.inbox.take("z").remove(0);
    assert_eq!(page["messages"].as_array().unwrap().len(), 1);
    assert!(page["next"].is_null());

    // A second reader in the same language costs nothing more.
    let calls = f.engine.calls.load(Ordering::SeqCst);
    assert_eq!(calls, 5);
    f.join("y", "r", "de").await;
    f.send("y", serde_json::json!({"action":"history"})).await;
    assert_eq!(f.engine.calls.load(Ordering::SeqCst), calls);
    let page = f.inbox.take("y").remove(0);
    assert_eq!(page["messages"].as_array().unwrap().len(), 5);
    assert!(page["messages"][0].get("clientMsgId").is_none());
}

#[tokio::test]
async fn cursor_from_another_room_is_refused() {
    let f = fixture();
    f.join("a", "r1", "en").await;
    for i in 0..3 {
        f.send(
            "a",
            serde_json::json!({"action":"translate","text":format!("m{i}")}),
        )
        .await;
    }
    f.send("a", serde_json::json!({"action":"history","limit":1}))
        .await;
    let page = f
        .inbox
        .take("a")
        .into_iter()
        .find(|v| v["type"] == "history")
        .unwrap();
    let next = page["next"].as_str().unwrap().to_owned();
    f.join("b", "r2", "en").await;
    f.send("b", serde_json::json!({"action":"history","before":next}))
        .await;
    let e = f.inbox.take("b").remove(0);
    assert_eq!(e["type"], "error");
    assert_eq!(e["code"], "bad_request");
    assert_eq!(e["action"], "history");
}

#[tokio::test]
async fn presence_goes_to_others_only_with_counts() {
    let f = fixture();
    f.join("a", "r", "en").await;
    f.join("b", "r", "ja").await;
    assert!(f.inbox.take("b").is_empty());
    let a = f.inbox.take("a");
    assert_eq!(a[0]["type"], "presence");
    assert_eq!(a[0]["event"], "join");
    assert_eq!(a[0]["count"], 2);
    assert_eq!(a[0]["lang"], "ja");
    // Changing only the language sends no presence.
    f.send("b", serde_json::json!({"action":"join","lang":"es"}))
        .await;
    assert!(f.inbox.take("a").is_empty());
    assert_eq!(f.inbox.take("b")[0]["type"], "joined");
    // A room switch: leave to the old room, join to the new.
    f.join("c", "s", "en").await;
    f.send("b", serde_json::json!({"action":"join","room":"s"}))
        .await;
    let a = f.inbox.take("a");
    assert_eq!(
        (a[0]["event"].as_str(), a[0]["count"].as_u64()),
        (Some("leave"), Some(1))
    );
    let c = f.inbox.take("c");
    assert_eq!(
        (c[0]["event"].as_str(), c[0]["count"].as_u64()),
        (Some("join"), Some(2))
    );
    let joined = f.inbox.take("b").remove(0);
    assert_eq!(joined["room"], "s");
    assert_eq!(joined["members"].as_array().unwrap().len(), 2);
    // Disconnect tells the room.
    f.app.disconnect(&ConnectionId::new("c")).await;
    let b = f.inbox.take("b");
    assert_eq!(
        (b[0]["event"].as_str(), b[0]["count"].as_u64()),
        (Some("leave"), Some(1))
    );
}

#[tokio::test]
async fn gone_recipients_are_removed_and_others_still_served() {
    let f = fixture();
    f.join("a", "r", "en").await;
    // `b` connected a minute ago and is gone; `y` is gone but still young,
    // as a member whose own `$connect` is running looks to the gateway.
    let old = ConnectParams {
        room: Some("r".into()),
        ..ConnectParams::default()
    };
    f.app
        .connect(ConnectionId::new("b"), old, super::now_ms() - 60_000)
        .await
        .unwrap();
    f.join("y", "r", "en").await;
    f.join("c", "r", "en").await;
    f.inbox
        .gone
        .lock()
        .unwrap()
        .extend(["b".into(), "y".into()]);
    f.inbox.frames.lock().unwrap().clear();
    f.send("a", serde_json::json!({"action":"translate","text":"hi"}))
        .await;
    assert_eq!(f.inbox.take("c").len(), 1);
    f.send("a", serde_json::json!({"action":"members"})).await;
    let members = f.inbox.take("a").pop().unwrap();
    let names: Vec<&str> = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["n-a", "n-c", "n-y"]);
}

#[tokio::test]
async fn connect_validates_parameters() {
    let f = fixture();
    let bad = [
        ConnectParams {
            room: Some(String::new()),
            ..Default::default()
        },
        ConnectParams {
            lang: Some("xx".into()),
            ..Default::default()
        },
        ConnectParams {
            name: Some(String::new()),
            ..Default::default()
        },
        ConnectParams {
            name: Some("x".repeat(33)),
            ..Default::default()
        },
    ];
    for params in bad {
        let e = f
            .app
            .connect(ConnectionId::new("q"), params, 0)
            .await
            .unwrap_err();
        assert_eq!(e.status(), 400);
    }
    assert!(
        f.app
            .store()
            .get_connection(&ConnectionId::new("q"))
            .await
            .unwrap()
            .is_none()
    );
    f.app
        .connect(
            ConnectionId::new("Qw3rty="),
            ConnectParams::default(),
            super::now_ms(),
        )
        .await
        .unwrap();
    let c = f
        .app
        .store()
        .get_connection(&ConnectionId::new("Qw3rty="))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (c.room.as_str(), c.lang.as_str(), c.name.as_str()),
        ("lobby", "en", "guest-Qw3r")
    );
}
