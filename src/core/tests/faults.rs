//! Fault injection around real adapters: pushes that fail for some members
//! in every way API Gateway can, a store that fails then recovers, an engine
//! slower than its budget. Every live member still gets each message
//! exactly once, and the sender always hears something clean.

use std::time::Duration;

use serde_json::json;

use super::{fixture, fixture_with};
use crate::core::Policy;
use crate::model::{Lang, RoomName};
use crate::store::StoreOp;
use crate::testing::Fault;

// Paused time: the throttled member's retry pauses pass without waiting.
#[tokio::test(start_paused = true)]
async fn failing_recipients_never_cost_the_others_their_message() {
    let f = fixture();
    for (id, lang) in [
        ("s", "en"),
        ("ok1", "es"),
        ("gone", "es"),
        ("big", "fr"),
        ("slow", "fr"),
        ("ok2", "en"),
    ] {
        f.join(id, "f", lang).await;
    }
    f.push.fail("gone", Fault::Gone);
    f.push.fail("big", Fault::TooLarge);
    f.push.fail("slow", Fault::Throttled(2));
    f.send(
        "s",
        json!({"action":"translate","text":"hello","clientMsgId":"x1"}),
    )
    .await;
    for live in ["s", "ok1", "slow", "ok2"] {
        assert_eq!(f.take_type(live, "message").len(), 1, "{live}");
    }
    assert!(f.take_type("big", "message").is_empty());
    // The gone member's rows were removed; the others stay.
    let room = RoomName::parse("f").unwrap();
    let page = f.app.store().room_members(&room, None, 100).await.unwrap();
    let ids: Vec<&str> = page
        .members
        .iter()
        .map(|m| m.connection_id.as_str())
        .collect();
    assert!(
        !ids.contains(&"gone") && ids.contains(&"big") && ids.len() == 5,
        "{ids:?}"
    );
    assert_eq!(f.app.store().room_count(&room).await.unwrap(), 5);
}

#[tokio::test]
async fn a_store_failure_is_a_clean_error_and_the_retry_lands_once() {
    let f = fixture();
    f.join("s", "f", "en").await;
    f.join("r", "f", "es").await;
    f.clear(&["s", "r"]);
    f.store.hook().fail(StoreOp::PutMessage, 1);
    let frame = json!({"action":"translate","text":"hello","clientMsgId":"retry-me"});
    f.send("s", frame.clone()).await;
    let err = f.take_type("s", "error").remove(0);
    assert_eq!(err["code"], "internal");
    assert_eq!(err["clientMsgId"], "retry-me");
    assert!(
        !err["message"].as_str().unwrap().contains("injected"),
        "no internals leak"
    );
    assert!(f.take("r").is_empty());
    // The client resends with the same id: delivered, once.
    f.send("s", frame.clone()).await;
    f.send("s", frame).await;
    assert_eq!(f.take_type("r", "message").len(), 1);
    assert_eq!(f.take_type("s", "message").len(), 1);
}

// Paused time: the engine's budget passes without waiting, and the clock
// below reads tokio's, so it measures the budget, not the machine's speed.
#[tokio::test(start_paused = true)]
async fn a_slow_engine_is_cut_off_and_the_message_still_arrives() {
    let f = fixture_with(Policy {
        engine_timeout: Duration::from_millis(200),
        ..Policy::default()
    });
    f.engine
        .slow_for(Lang::parse("ko").unwrap(), Duration::from_secs(30));
    f.join("s", "f", "en").await;
    f.join("k", "f", "ko").await;
    f.join("e", "f", "es").await;
    let t = tokio::time::Instant::now();
    f.send("s", json!({"action":"translate","text":"hello"}))
        .await;
    // Cut off at the budget, long before the slow engine's 30 s.
    let waited = t.elapsed();
    assert!(
        waited >= Duration::from_millis(200) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    let k = f.take_type("k", "message");
    assert_eq!(
        (k[0]["text"].as_str(), k[0]["error"].as_str()),
        (Some("hello"), Some("translation_unavailable"))
    );
    assert_eq!(f.take_type("e", "message")[0]["text"], "[es] hello");
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
        "\"members\"",
        "\"after\"",
        "\"typing\"",
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
