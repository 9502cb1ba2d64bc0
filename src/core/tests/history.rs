//! `history`: pages behind a cursor, translated once, within one frame.

use serde_json::{Value, json};

use super::{fixture, fixture_with};
use crate::core::Policy;
use crate::limits::MAX_MESSAGE_BYTES;

fn texts<'a>(page: &'a Value, field: &str) -> Vec<&'a str> {
    page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m[field].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn history_pages_and_translates_once() {
    let f = fixture();
    f.join("a", "r", "en").await;
    for i in 0..5 {
        f.send("a", json!({"action":"translate","text":format!("m{i}")}))
            .await;
    }
    f.join("z", "r", "de").await;
    f.clear(&["z"]);
    f.send("z", json!({"action":"history","limit":2})).await;
    let page = f.take("z").remove(0);
    assert_eq!(texts(&page, "text"), ["[de] m3", "[de] m4"]);
    assert_eq!(page["lang"], "de");
    let next = page["next"].as_str().unwrap().to_owned();
    f.send("z", json!({"action":"history","limit":2,"before":next}))
        .await;
    let page = f.take("z").remove(0);
    assert_eq!(texts(&page, "original"), ["m1", "m2"]);
    let next = page["next"].as_str().unwrap().to_owned();
    f.send("z", json!({"action":"history","limit":2,"before":next}))
        .await;
    let page = f.take("z").remove(0);
    assert_eq!(page["messages"].as_array().unwrap().len(), 1);
    assert!(page["next"].is_null());

    // A second reader in the same language costs nothing more.
    let calls = f.engine.calls();
    assert_eq!(calls, 5);
    f.join("y", "r", "de").await;
    f.send("y", json!({"action":"history"})).await;
    assert_eq!(f.engine.calls(), calls);
    let page = f.take_type("y", "history").remove(0);
    assert_eq!(page["messages"].as_array().unwrap().len(), 5);
    assert!(page["messages"][0].get("clientMsgId").is_none());
}

#[tokio::test]
async fn cursor_from_another_room_is_refused() {
    let f = fixture();
    f.join("a", "r1", "en").await;
    for i in 0..3 {
        f.send("a", json!({"action":"translate","text":format!("m{i}")}))
            .await;
    }
    f.send("a", json!({"action":"history","limit":1})).await;
    let page = f.take_type("a", "history").remove(0);
    let next = page["next"].as_str().unwrap().to_owned();
    f.join("b", "r2", "en").await;
    f.send("b", json!({"action":"history","before":next})).await;
    let e = f.take("b").remove(0);
    assert_eq!(e["type"], "error");
    assert_eq!(e["code"], "bad_request");
    assert_eq!(e["action"], "history");
}

/// 100 messages of 9,000 bytes would make a 1.8 MB page: the page holds
/// what fits in 128 KB, and `next` continues from the oldest one sent.
#[tokio::test]
async fn a_page_of_long_messages_fits_one_frame_and_continues() {
    let f = fixture_with(Policy {
        chars_per_hour: u32::MAX,
        chars_per_day: 0,
        ..Policy::default()
    });
    f.join("a", "r", "en").await;
    for i in 0..30 {
        let text = format!("{i:02} {}", "x".repeat(9_000));
        f.send("a", json!({"action":"translate","text":text})).await;
    }
    f.join("z", "r", "es").await;
    f.clear(&["a", "z"]);
    let mut seen = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let mut frame = json!({"action":"history","limit":100});
        if let Some(b) = &before {
            frame["before"] = json!(b);
        }
        f.send("z", frame).await;
        let page = f.take("z").remove(0);
        assert!(page.to_string().len() <= MAX_MESSAGE_BYTES);
        let n = page["messages"].as_array().unwrap().len();
        assert!((1..30).contains(&n), "{n} messages in one page");
        let mut ids: Vec<String> = texts(&page, "original")
            .iter()
            .map(|t| t[..2].to_owned())
            .collect();
        ids.append(&mut seen);
        seen = ids;
        match page["next"].as_str() {
            Some(n) => before = Some(n.to_owned()),
            None => break,
        }
    }
    let expected: Vec<String> = (0..30).map(|i| format!("{i:02}")).collect();
    assert_eq!(seen, expected, "every message exactly once, in order");
}

#[tokio::test]
async fn retention_hides_what_is_older() {
    let f = fixture_with(Policy {
        retention: Some(std::time::Duration::from_millis(1)),
        ..Policy::default()
    });
    f.join("a", "r", "en").await;
    f.send("a", json!({"action":"translate","text":"old"}))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    f.clear(&["a"]);
    f.send("a", json!({"action":"history"})).await;
    let page = f.take("a").remove(0);
    assert!(page["messages"].as_array().unwrap().is_empty());
}

/// `history` translated on demand takes the room's memory first, as live
/// messages do: a text corrected once comes out corrected (`engine:
/// "memory"`), with no engine call and no characters charged.
#[tokio::test]
async fn history_on_demand_takes_the_room_memory_first() {
    let f = fixture();
    f.join("a", "r", "en").await;
    // Nobody reads Spanish yet: no Spanish translation is made.
    f.send("a", json!({"action":"translate","text":"Great work team"}))
        .await;
    f.join("b", "r", "es").await;
    f.send("a", json!({"action":"translate","text":"Great work team"}))
        .await;
    let id = f.take_type("b", "message")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    f.send(
        "b",
        json!({"action":"correct","id":id,"text":"¡Buen trabajo, equipo!"}),
    )
    .await;
    assert_eq!(f.take_type("b", "corrected").len(), 1);
    let (calls, chars) = (f.engine.calls(), f.engine.characters());
    f.clear(&["b"]);
    f.send("b", json!({"action":"history"})).await;
    let page = f.take_type("b", "history").remove(0);
    assert_eq!(
        texts(&page, "text"),
        ["¡Buen trabajo, equipo!", "¡Buen trabajo, equipo!"]
    );
    assert_eq!(texts(&page, "engine"), ["memory", "memory"]);
    assert_eq!((f.engine.calls(), f.engine.characters()), (calls, chars));
    // Kept: the next reader of Spanish reads it from the store.
    f.join("c", "r", "es").await;
    f.send("c", json!({"action":"history"})).await;
    let page = f.take_type("c", "history").remove(0);
    assert_eq!(texts(&page, "engine"), ["memory", "memory"]);
    assert_eq!(f.engine.calls(), calls);
}
