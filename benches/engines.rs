//! Engines: what the router costs per message against calling one engine
//! directly (the pseudo engine, so only the router's own work shows: pair
//! lookup, timeout, breaker, fallback past an engine without the pair), and
//! engine calls per message in a room of 5 languages through the whole
//! core (router behind the cache): one per distinct target language, none
//! for a text seen before. Seconds, not minutes.
//!
//! `cargo bench --bench engines`

mod common;

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use honyaku::config::EngineConfig;
use honyaku::core::{App, ConnectParams};
use honyaku::model::{ConnectionId, Lang};
use honyaku::ports::{Hints, Store, Translator};
use honyaku::store::MemoryStore;
use honyaku::testing::{CountingTranslator, RecordingPush};
use honyaku::translate::PseudoTranslator;
use honyaku::translate::cache::Cached;
use honyaku::translate::engine::Engine;
use honyaku::translate::router::Router;

use common::{Table, report};

const CALLS: u32 = 20_000;
const ROOM_LANGS: [&str; 5] = ["en", "ja", "es", "fr", "de"];
const MESSAGES: usize = 20;

fn l(s: &str) -> Lang {
    Lang::parse(s).unwrap()
}

/// Mean time of one `translate_with` through `engine`.
async fn per_call(engine: &dyn Translator) -> Duration {
    let hints = Hints {
        keep: vec!["Ann".into(), "Aki".into()],
        context: vec![],
    };
    let text = "Good morning Ann, the build is green again.";
    let start = Instant::now();
    for _ in 0..CALLS {
        let out = engine.translate_with(text, l("en"), l("ja"), &hints).await;
        std::hint::black_box(out.unwrap());
    }
    start.elapsed() / CALLS
}

/// An engine with no pair at all: the router looks past it.
fn nothing() -> Arc<dyn Engine> {
    Arc::new(honyaku::translate::NoTranslator)
}

async fn router_cost() -> Table {
    let config = EngineConfig::default().router;
    let direct = per_call(&PseudoTranslator).await;
    let one = Router::new(vec![Arc::new(PseudoTranslator)], config);
    let behind = Router::new(
        vec![nothing(), nothing(), Arc::new(PseudoTranslator)],
        config,
    );
    let via_router = per_call(&one).await;
    let past_two = per_call(&behind).await;
    let mut t = Table::new(
        "Router cost per engine call (pseudo engine, no I/O)",
        &["path", "per call", "router's share"],
    );
    let us = |d: Duration| format!("{:.2} µs", d.as_secs_f64() * 1e6);
    let extra = |d: Duration| us(d.saturating_sub(direct));
    t.row(vec!["engine directly".into(), us(direct), "—".into()]);
    t.row(vec![
        "router, one engine".into(),
        us(via_router),
        extra(via_router),
    ]);
    t.row(vec![
        "router, third engine has the pair".into(),
        us(past_two),
        extra(past_two),
    ]);
    t.note(format!(
        "{CALLS} calls each; a LibreTranslate or DeepL call costs milliseconds, so the router's share is noise next to it"
    ));
    t
}

async fn calls_per_message() -> Table {
    let engine = Arc::new(CountingTranslator::default());
    let router = Router::new(vec![engine.clone()], EngineConfig::default().router);
    let translator: Arc<dyn Translator> =
        Arc::new(Cached::new(router, NonZeroUsize::new(4096).unwrap()));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::in_memory());
    let app = App::new(store, translator, Arc::new(RecordingPush::default()));
    let id = |i: usize| ConnectionId::new(format!("m{i}"));
    for (i, lang) in ROOM_LANGS.iter().enumerate() {
        let params = ConnectParams {
            room: Some("bench".into()),
            lang: Some((*lang).into()),
            name: Some(format!("member-{i}")),
            ..ConnectParams::default()
        };
        app.connect(id(i), params, chrono::Utc::now().timestamp_millis())
            .await
            .expect("connect");
    }
    let mut t = Table::new(
        "Engine calls per message, 5 languages in one room (router behind the cache)",
        &["messages", "engine calls per message", "expected"],
    );
    for (label, repeat) in [("new texts", false), ("the same texts again", true)] {
        let before = engine.calls();
        for n in 0..MESSAGES {
            let text = format!("status update number {n}");
            let frame = json!({"action": "translate", "text": text});
            app.message(&id(0), &frame.to_string()).await;
        }
        let per = (engine.calls() - before) as f64 / MESSAGES as f64;
        let expected = if repeat {
            "0 (cache hits)"
        } else {
            "4 (one per other language)"
        };
        t.row(vec![label.into(), format!("{per:.2}"), expected.into()]);
    }
    t
}

#[tokio::main]
async fn main() {
    let tables = vec![router_cost().await, calls_per_message().await];
    report("engines", &tables, json!({}));
}
