//! Fault injection around real adapters: pushes that fail for some members
//! in every way API Gateway can, a store that fails then recovers, an engine
//! slower than its budget. Every live member still gets each message
//! exactly once, and the sender always hears something clean.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{App, ConnectParams, Policy};
use crate::model::{
    ClientMsgId, Connection, ConnectionId, Lang, Member, Message, MessageKey, RoomName,
    Translation, TranslationRecord, UserName,
};
use crate::ports::{
    HistoryPage, Push, PushError, PutOutcome, Store, StoreError, TranslateError, Translator,
};
use crate::store::MemoryStore;
use crate::translate::PseudoTranslator;

/// A push that records deliveries and fails for chosen members.
#[derive(Default)]
struct FaultyPush {
    delivered: Mutex<HashMap<String, Vec<Value>>>,
    /// Member → how it fails: "gone", "too-large", or "throttled-N" (N
    /// throttles, then success).
    faults: Mutex<HashMap<String, String>>,
    throttles: AtomicUsize,
}

impl FaultyPush {
    fn messages(&self, id: &str) -> Vec<Value> {
        let all = self.delivered.lock().unwrap();
        all.get(id)
            .into_iter()
            .flatten()
            .filter(|f| f["type"] == "message")
            .cloned()
            .collect()
    }
}

#[async_trait]
impl Push for FaultyPush {
    async fn post(&self, to: &ConnectionId, frame: &str) -> Result<(), PushError> {
        let fault = self.faults.lock().unwrap().get(to.as_str()).cloned();
        match fault.as_deref() {
            Some("gone") => return Err(PushError::Gone),
            Some("too-large") => return Err(PushError::PayloadTooLarge),
            Some(t) if t.starts_with("throttled-") => {
                let n: usize = t["throttled-".len()..].parse().unwrap();
                if self.throttles.fetch_add(1, Ordering::SeqCst) < n {
                    return Err(PushError::Throttled);
                }
            }
            _ => {}
        }
        self.delivered
            .lock()
            .unwrap()
            .entry(to.as_str().to_owned())
            .or_default()
            .push(serde_json::from_str(frame).unwrap());
        Ok(())
    }
}

/// The memory store, with `put_message` failing the first `fail` times.
struct FlakyStore {
    inner: MemoryStore,
    fail: AtomicUsize,
}

#[async_trait]
impl Store for FlakyStore {
    async fn put_connection(&self, c: &Connection) -> Result<(), StoreError> {
        self.inner.put_connection(c).await
    }
    async fn get_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError> {
        self.inner.get_connection(id).await
    }
    async fn update_connection(
        &self,
        old: &Connection,
        new: &Connection,
    ) -> Result<(), StoreError> {
        self.inner.update_connection(old, new).await
    }
    async fn delete_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError> {
        self.inner.delete_connection(id).await
    }
    async fn room_members(&self, room: &RoomName) -> Result<Vec<Member>, StoreError> {
        self.inner.room_members(room).await
    }
    async fn has_client_msg(
        &self,
        room: &RoomName,
        sender: &UserName,
        id: &ClientMsgId,
    ) -> Result<bool, StoreError> {
        self.inner.has_client_msg(room, sender, id).await
    }
    async fn put_message(&self, msg: &Message) -> Result<PutOutcome, StoreError> {
        if self.fail.load(Ordering::SeqCst) > 0 {
            self.fail.fetch_sub(1, Ordering::SeqCst);
            return Err(StoreError::Backend("ProvisionedThroughputExceeded".into()));
        }
        self.inner.put_message(msg).await
    }
    async fn messages_before(
        &self,
        room: &RoomName,
        before: Option<&MessageKey>,
        limit: usize,
    ) -> Result<HistoryPage, StoreError> {
        self.inner.messages_before(room, before, limit).await
    }
    async fn put_translation(
        &self,
        room: &RoomName,
        key: &MessageKey,
        lang: Lang,
        t: &Translation,
    ) -> Result<(), StoreError> {
        self.inner.put_translation(room, key, lang, t).await
    }
    async fn put_rest_translation(&self, record: &TranslationRecord) -> Result<(), StoreError> {
        self.inner.put_rest_translation(record).await
    }
    async fn rest_translations(
        &self,
        day: chrono::NaiveDate,
        limit: usize,
    ) -> Result<Vec<TranslationRecord>, StoreError> {
        self.inner.rest_translations(day, limit).await
    }
}

/// An engine that never answers in time for Korean.
struct SlowForKorean;

#[async_trait]
impl Translator for SlowForKorean {
    async fn translate(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
    ) -> Result<Translation, TranslateError> {
        if to.as_str() == "ko" {
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        PseudoTranslator.translate(text, from, to).await
    }
}

async fn join(app: &App, id: &str, lang: &str) {
    let params = ConnectParams {
        room: Some("f".into()),
        lang: Some(lang.into()),
        name: Some(format!("n-{id}")),
        ..ConnectParams::default()
    };
    // Connected a minute ago: past the grace a connecting member gets.
    app.connect(ConnectionId::new(id), params, super::now_ms() - 60_000)
        .await
        .unwrap();
}

async fn send(app: &App, id: &str, frame: Value) {
    app.message(&ConnectionId::new(id), &frame.to_string())
        .await;
}

#[tokio::test]
async fn failing_recipients_never_cost_the_others_their_message() {
    let push = Arc::new(FaultyPush::default());
    let app = App::new(
        Arc::new(MemoryStore::in_memory()),
        Arc::new(PseudoTranslator),
        push.clone(),
    );
    for (id, lang) in [
        ("s", "en"),
        ("ok1", "es"),
        ("gone", "es"),
        ("big", "fr"),
        ("slow", "fr"),
        ("ok2", "en"),
    ] {
        join(&app, id, lang).await;
    }
    {
        let mut faults = push.faults.lock().unwrap();
        faults.insert("gone".into(), "gone".into());
        faults.insert("big".into(), "too-large".into());
        faults.insert("slow".into(), "throttled-2".into());
    }
    send(
        &app,
        "s",
        json!({"action":"translate","text":"hello","clientMsgId":"x1"}),
    )
    .await;
    for live in ["s", "ok1", "slow", "ok2"] {
        assert_eq!(push.messages(live).len(), 1, "{live}");
    }
    assert!(push.messages("big").is_empty());
    // The gone member's rows were removed; the others stay.
    let members = app
        .store()
        .room_members(&RoomName::parse("f").unwrap())
        .await
        .unwrap();
    let ids: Vec<&str> = members.iter().map(|m| m.connection_id.as_str()).collect();
    assert!(
        !ids.contains(&"gone") && ids.contains(&"big") && ids.len() == 5,
        "{ids:?}"
    );
}

#[tokio::test]
async fn a_store_failure_is_a_clean_error_and_the_retry_lands_once() {
    let push = Arc::new(FaultyPush::default());
    let store = Arc::new(FlakyStore {
        inner: MemoryStore::in_memory(),
        fail: AtomicUsize::new(1),
    });
    let app = App::new(store, Arc::new(PseudoTranslator), push.clone());
    join(&app, "s", "en").await;
    join(&app, "r", "es").await;
    let frame = json!({"action":"translate","text":"hello","clientMsgId":"retry-me"});
    send(&app, "s", frame.clone()).await;
    let errors: Vec<Value> = push.delivered.lock().unwrap()["s"].clone();
    let err = errors
        .iter()
        .find(|f| f["type"] == "error")
        .expect("an error frame");
    assert_eq!(err["code"], "internal");
    assert!(
        !err["message"].as_str().unwrap().contains("Provisioned"),
        "no internals leak"
    );
    assert!(push.messages("r").is_empty());
    // The client resends with the same id: delivered, once.
    send(&app, "s", frame.clone()).await;
    send(&app, "s", frame).await;
    assert_eq!(push.messages("r").len(), 1);
    assert_eq!(push.messages("s").len(), 1);
}

#[tokio::test]
async fn a_slow_engine_is_cut_off_and_the_message_still_arrives() {
    let push = Arc::new(FaultyPush::default());
    let app = App::new(
        Arc::new(MemoryStore::in_memory()),
        Arc::new(SlowForKorean),
        push.clone(),
    )
    .with_policy(Policy {
        engine_timeout: Duration::from_millis(200),
        ..Policy::default()
    });
    join(&app, "s", "en").await;
    join(&app, "k", "ko").await;
    join(&app, "e", "es").await;
    let t = Instant::now();
    send(&app, "s", json!({"action":"translate","text":"hello"})).await;
    assert!(t.elapsed() < Duration::from_secs(5));
    let k = push.messages("k");
    assert_eq!(
        (k[0]["text"].as_str(), k[0]["error"].as_str()),
        (Some("hello"), Some("translation_unavailable"))
    );
    assert_eq!(push.messages("e")[0]["text"], "[es] hello");
}

#[test]
fn the_frame_parser_survives_random_input() {
    // A small xorshift stream of JSON-ish fragments: no input may panic.
    let pieces = [
        "{",
        "}",
        "[",
        "]",
        "\"action\"",
        ":",
        ",",
        "\"translate\"",
        "\"join\"",
        "\"history\"",
        "\"text\"",
        "\"limit\"",
        "\"before\"",
        "null",
        "true",
        "-1",
        "1e999",
        "\"\\u0000\"",
        "\"\\ud800\"",
        "\"room\"",
        "\"lang\"",
        "\"name\"",
        "0",
        "\"clientMsgId\"",
        "\"sourceLang\"",
        "\"auto\"",
        "é",
        "\u{0}",
    ];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..50_000 {
        let mut s = String::new();
        for _ in 0..(x % 24) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s.push_str(pieces[(x % pieces.len() as u64) as usize]);
        }
        let _ = crate::protocol::parse_command(&s);
        let _ = crate::protocol::route_key(&s);
    }
}
