//! v1.2's replies and reactions on the memory store: the quote in each
//! reader's language, unknown and deleted quotes, toggles, the bound of
//! distinct emoji, history.

use serde_json::json;

use super::{Fixture, error, fixture};

const CLIENT_A: &str = "client-a-0123456789";
const CLIENT_B: &str = "client-b-0123456789";

/// `a` (en, client), `b` (es, client) and `c` (ja); `a` sends `text`.
async fn room(f: &Fixture, text: &str) -> String {
    f.connect("a", "r", "en", Some(CLIENT_A)).await;
    f.connect("b", "r", "es", Some(CLIENT_B)).await;
    f.join("c", "r", "ja").await;
    f.clear(&["a", "b", "c"]);
    f.send("a", json!({"action":"translate","text":text})).await;
    let id = f.take_type("a", "message")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    f.clear(&["b", "c"]);
    id
}

#[tokio::test]
async fn a_reply_quotes_in_each_readers_language() {
    let f = fixture();
    let id = room(&f, "Lunch at noon?").await;
    f.send(
        "b",
        json!({"action":"translate","text":"Sí","replyTo":id,"clientMsgId":"r1"}),
    )
    .await;
    let quote = |who: &str| f.take_type(who, "message").remove(0)["replyTo"].clone();
    let (qa, qb, qc) = (quote("a"), quote("b"), quote("c"));
    assert_eq!(qa["text"], "Lunch at noon?");
    assert_eq!(qb["text"], "[es] Lunch at noon?");
    assert_eq!(qc["text"], "[ja] Lunch at noon?");
    assert_eq!(qa["id"], id.as_str());
    assert_eq!(qa["from"]["name"], "n-a");
    assert!(qa["from"]["tag"].is_string());
    // History carries the same quote.
    f.send("c", json!({"action":"history"})).await;
    let page = f.take_type("c", "history").remove(0);
    assert_eq!(
        page["messages"][1]["replyTo"]["text"],
        "[ja] Lunch at noon?"
    );
    assert!(page["messages"][0].get("replyTo").is_none());
}

#[tokio::test]
async fn a_reply_to_nothing_is_not_found_and_a_deleted_quote_has_no_text() {
    let f = fixture();
    let id = room(&f, "oops").await;
    f.send(
        "b",
        json!({"action":"translate","text":"hm","replyTo":"01JD0000000000000000000000","clientMsgId":"q"}),
    )
    .await;
    let e = error(f.take("b"));
    assert_eq!(
        (e["code"].as_str(), e["clientMsgId"].as_str()),
        (Some("not_found"), Some("q"))
    );
    f.send("a", json!({"action":"delete","id":id})).await;
    f.send(
        "b",
        json!({"action":"translate","text":"what?","replyTo":id}),
    )
    .await;
    let m = f.take_type("c", "message").remove(0);
    assert_eq!(m["replyTo"]["deleted"], true);
    assert!(m["replyTo"].get("text").is_none());
}

#[tokio::test]
async fn a_long_quote_is_cut() {
    let f = fixture();
    let id = room(&f, &"word ".repeat(100)).await;
    f.send("b", json!({"action":"translate","text":"ok","replyTo":id}))
        .await;
    let text = f.take_type("a", "message").remove(0)["replyTo"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text.chars().count() <= 200 && text.ends_with('…'), "{text}");
}

#[tokio::test]
async fn reactions_toggle_and_come_back_with_history() {
    let f = fixture();
    let id = room(&f, "Shipped!").await;
    f.send("b", json!({"action":"react","id":id,"emoji":"🎉"}))
        .await;
    let r = f.take_type("c", "reaction").remove(0);
    assert_eq!(
        (
            r["id"].as_str(),
            r["emoji"].as_str(),
            r["on"].as_bool(),
            r["count"].as_u64()
        ),
        (Some(id.as_str()), Some("🎉"), Some(true), Some(1))
    );
    assert_eq!(r["from"]["name"], "n-b");
    assert_eq!(f.take_type("b", "reaction").len(), 1, "the reactor too");
    f.send("c", json!({"action":"react","id":id,"emoji":"🎉"}))
        .await;
    f.send("a", json!({"action":"react","id":id,"emoji":"👍"}))
        .await;
    f.send("a", json!({"action":"history"})).await;
    let page = f.take_type("a", "history").remove(0);
    let reactions = &page["messages"][0]["reactions"];
    assert_eq!(reactions[0]["emoji"], "🎉");
    assert_eq!(reactions[0]["count"], 2);
    // `c` has no client: counted, not listed.
    assert_eq!(reactions[0]["tags"].as_array().unwrap().len(), 1);
    assert_eq!(reactions[1]["emoji"], "👍");
    // Toggled off by the same person.
    f.send("b", json!({"action":"react","id":id,"emoji":"🎉"}))
        .await;
    let off = f.take_type("a", "reaction").pop().unwrap();
    assert_eq!(
        (off["on"].as_bool(), off["count"].as_u64()),
        (Some(false), Some(1))
    );
}

#[tokio::test]
async fn reactions_are_checked() {
    let f = fixture();
    let id = room(&f, "hi").await;
    f.send("b", json!({"action":"react","id":id,"emoji":"ok"}))
        .await;
    assert_eq!(error(f.take("b"))["code"], "bad_request");
    f.send(
        "b",
        json!({"action":"react","id":"01JD0000000000000000000000","emoji":"👍"}),
    )
    .await;
    assert_eq!(error(f.take("b"))["code"], "not_found");
    for i in 0..20u32 {
        let e = char::from_u32(0x1F600 + i).unwrap().to_string();
        f.send("b", json!({"action":"react","id":id,"emoji":e}))
            .await;
    }
    f.clear(&["b"]);
    f.send("b", json!({"action":"react","id":id,"emoji":"🦀"}))
        .await;
    assert_eq!(error(f.take("b"))["code"], "too_many_reactions");
    // A deleted message drops its reactions.
    f.send("a", json!({"action":"delete","id":id})).await;
    f.send("b", json!({"action":"react","id":id,"emoji":"😀"}))
        .await;
    assert_eq!(error(f.take("b"))["code"], "not_found");
    f.send("b", json!({"action":"history"})).await;
    let page = f.take_type("b", "history").remove(0);
    assert!(page["messages"][0].get("reactions").is_none());
}

#[tokio::test]
async fn a_language_that_joined_later_reads_the_quote_once_translated() {
    let f = fixture();
    let id = room(&f, "Lunch?").await;
    f.send("b", json!({"action":"translate","text":"Sí","replyTo":id}))
        .await;
    f.join("d", "r", "de").await;
    // The first page translates the quoted message into German, on demand;
    // a quote taken before German was read shows the original until then.
    f.send("d", json!({"action":"history"})).await;
    let first = f.take_type("d", "history").remove(0);
    assert_eq!(first["messages"][0]["text"], "[de] Lunch?");
    f.send("d", json!({"action":"history"})).await;
    let page = f.take_type("d", "history").remove(0);
    assert_eq!(page["messages"][1]["replyTo"]["text"], "[de] Lunch?");
}

/// Quotes and reactions at their bounds count in a history page's 128 KB:
/// the page is cut, and the next one continues.
#[tokio::test]
async fn history_pages_with_quotes_and_full_reactions_fit_one_frame() {
    use crate::limits::MAX_MESSAGE_BYTES;
    use crate::model::{ClientTag, Emoji, MessageKey, ReactionToggle, RoomName};
    use crate::ports::Social;

    let f = fixture();
    let first = room(&f, &"quote ".repeat(60)).await;
    let mut ids = vec![first.clone()];
    for i in 0..40 {
        f.send(
            "a",
            json!({"action":"translate","text":format!("{i} {}", "y".repeat(300)),"replyTo":first}),
        )
        .await;
        ids.push(
            f.take_type("a", "message")[0]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let r = RoomName::parse("r").unwrap();
    for id in &ids {
        let key = MessageKey::from_id(id).unwrap();
        for e in 0..20u32 {
            for who in 0..20 {
                let t = ReactionToggle {
                    who: format!("c:{who}"),
                    tag: Some(ClientTag::from_stored(format!("{who:012x}"))),
                    emoji: Emoji::parse(&char::from_u32(0x1F600 + e).unwrap().to_string()).unwrap(),
                };
                f.store.toggle_reaction(&r, &key, &t, None).await.unwrap();
            }
        }
    }
    f.clear(&["a", "b", "c"]);
    f.send("b", json!({"action":"history","limit":100})).await;
    let page = f.take_type("b", "history").remove(0);
    assert!(page.to_string().len() <= MAX_MESSAGE_BYTES);
    let n = page["messages"].as_array().unwrap().len();
    assert!((1..41).contains(&n), "{n} entries");
    assert!(page["next"].is_string());
    let newest = &page["messages"][n - 1];
    assert_eq!(newest["reactions"].as_array().unwrap().len(), 20);
    assert!(newest["replyTo"]["text"].as_str().unwrap().ends_with('…'));
}
