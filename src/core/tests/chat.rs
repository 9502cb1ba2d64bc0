//! `translate`: one engine call per language, the sender's own copy,
//! `clientMsgId` once-only, failures delivered marked.

use serde_json::json;

use super::fixture;
use crate::model::Lang;
use crate::ports::TranslateError;

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
    f.clear(&["a", "b", "c", "d", "e", "f"]);
    f.send(
        "a",
        json!({"action":"translate","text":"こんにちは","clientMsgId":"c-1"}),
    )
    .await;
    assert_eq!(f.engine.calls(), 2);
    let mine = f.take("a");
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["clientMsgId"], "c-1");
    assert_eq!(mine[0]["translated"], false);
    assert!(mine[0].get("original").is_none());
    let b = f.take("b");
    assert!(b[0].get("clientMsgId").is_none());
    let c = f.take("c");
    assert_eq!(c[0]["text"], "[es] こんにちは");
    assert_eq!(c[0]["original"], "こんにちは");
    assert_eq!(c[0]["engine"], "pseudo");
    assert_eq!(c[0]["sourceLang"], "ja");
    assert_eq!(c[0]["lang"], "es");
}

#[tokio::test]
async fn failed_pair_delivers_the_original_marked() {
    let f = fixture();
    let ko = Lang::parse("ko").unwrap();
    f.engine.fail_for(
        ko,
        TranslateError::UnsupportedPair {
            from: "en",
            to: "ko",
        },
    );
    f.join("a", "r", "en").await;
    f.join("k", "r", "ko").await;
    f.send("a", json!({"action":"translate","text":"hi"})).await;
    let msg = f.take_type("k", "message").remove(0);
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
    f.clear(&["a", "b"]);
    let frame = json!({"action":"translate","text":"hi","clientMsgId":"x"});
    f.send("a", frame.clone()).await;
    f.send("a", frame).await;
    assert_eq!(f.take("a").len(), 1);
    assert_eq!(f.take("b").len(), 1);
    assert_eq!(f.engine.calls(), 1);
    // A rejected translate does not use up its id, and its error names it.
    f.send(
        "a",
        json!({"action":"translate","text":" ","clientMsgId":"y"}),
    )
    .await;
    let e = f.take("a").remove(0);
    assert_eq!(
        (e["code"].as_str(), e["clientMsgId"].as_str()),
        (Some("empty_text"), Some("y"))
    );
    f.send(
        "a",
        json!({"action":"translate","text":"ok","clientMsgId":"y"}),
    )
    .await;
    assert_eq!(f.take("a")[0]["clientMsgId"], "y");
}

/// Someone calling themselves by the same name cannot use up another's
/// `clientMsgId`s: ids are per client (or per connection), not per name.
#[tokio::test]
async fn client_msg_ids_belong_to_a_client_not_a_name() {
    let f = fixture();
    let alice = "alice-secret-0123456789";
    f.connect("a1", "r", "en", Some(alice)).await;
    // An impostor with the same display name, no client.
    f.connect("imp", "r", "en", None).await;
    let params = crate::core::ConnectParams {
        room: Some("r".into()),
        name: Some("n-a1".into()),
        ..Default::default()
    };
    f.app
        .connect(
            crate::model::ConnectionId::new("imp2"),
            params,
            super::super::now_ms(),
        )
        .await
        .unwrap();
    f.send(
        "imp2",
        json!({"action":"translate","text":"fake","clientMsgId":"m-1"}),
    )
    .await;
    f.clear(&["a1", "imp", "imp2"]);
    f.send(
        "a1",
        json!({"action":"translate","text":"real","clientMsgId":"m-1"}),
    )
    .await;
    let seen = f.take_type("imp", "message");
    assert_eq!(seen.len(), 1, "the real message still goes out");
    assert_eq!(seen[0]["text"], "real");
    // A reconnect of the same client is recognised: the resend is dropped.
    f.connect("a2", "r", "en", Some(alice)).await;
    f.clear(&["imp"]);
    f.send(
        "a2",
        json!({"action":"translate","text":"real","clientMsgId":"m-1"}),
    )
    .await;
    assert!(f.take_type("imp", "message").is_empty());
}

#[tokio::test]
async fn messages_carry_the_senders_tag() {
    let f = fixture();
    f.connect("a", "r", "en", Some("0123456789abcdefXYZ")).await;
    f.join("b", "r", "es").await;
    f.send("a", json!({"action":"translate","text":"hi"})).await;
    let m = f.take_type("b", "message").remove(0);
    let tag = m["from"]["tag"].as_str().unwrap();
    assert_eq!(tag.len(), 12);
    assert!(
        !m.to_string().contains("0123456789abcdefXYZ"),
        "the client never travels"
    );
    f.send("b", json!({"action":"translate","text":"hola"}))
        .await;
    let m = f.take_type("a", "message").pop().unwrap();
    assert!(m["from"].get("tag").is_none());
}

#[tokio::test]
async fn auto_source_is_detected_or_falls_back_to_the_senders_language() {
    let f = fixture();
    f.join("a", "r", "en").await;
    f.join("b", "r", "es").await;
    f.send(
        "a",
        json!({"action":"translate","text":"今日は","sourceLang":"auto"}),
    )
    .await;
    let m = f.take_type("b", "message").remove(0);
    assert_eq!(m["sourceLang"], "ja");
    f.send(
        "a",
        json!({"action":"translate","text":"hello","sourceLang":"auto"}),
    )
    .await;
    let m = f.take_type("b", "message").remove(0);
    assert_eq!(m["sourceLang"], "en");
}

#[tokio::test]
async fn member_names_and_the_last_two_messages_go_with_each_call() {
    let f = fixture();
    f.join("tomas", "r", "en").await;
    f.join("aki", "r", "ja").await;
    for text in ["one", "two", "three"] {
        f.send("tomas", json!({"action":"translate","text":text}))
            .await;
    }
    f.send(
        "tomas",
        json!({"action":"translate","text":"while n-tomas types"}),
    )
    .await;
    let hints = f.engine.hints();
    assert_eq!(hints.len(), 4, "one call per message (one target)");
    let last = hints.last().unwrap();
    assert_eq!(last.keep, ["n-aki", "n-tomas"]);
    assert_eq!(last.context, ["two", "three"], "oldest first");
    assert!(hints[0].context.is_empty(), "a new room has no context");
}
