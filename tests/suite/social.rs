//! v1.2's replies and reactions end to end on the real server (redb)
//! with WebSocket clients: a reply quoted in each reader's language, live
//! and in history — without the quoted text once that message is
//! deleted, with the edit once it is edited; reactions toggled on and off
//! by two people, seen by everyone and returned by history.

use serde_json::json;

use crate::helpers::{Client, Connect, TestServer, redb_config, spawn};

const AKI: &str = "e2e-social-aki-0123456789";
const BEA: &str = "e2e-social-bea-0123456789";

/// Aki (en, with a `client`) says `text` in `room`; Bea (es) replies to it.
/// Both have read both messages; gives the first's id and Bea's quote.
async fn aki_says_bea_replies(
    server: &TestServer,
    room: &str,
    text: &str,
    reply: &str,
) -> (Client, Client, String, serde_json::Value) {
    let mut aki = server
        .connect(&format!("room={room}&lang=en&name=Aki&client={AKI}"))
        .await;
    let mut bea = Client::join(server, room, "es", "Bea").await;
    aki.send(json!({"action":"translate","text":text})).await;
    let id = aki.recv_type("message").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    bea.recv_type("message").await;
    bea.send(json!({"action":"translate","text":reply,"replyTo":id}))
        .await;
    let quoted = bea.recv_type("message").await["replyTo"].clone();
    aki.recv_type("message").await;
    (aki, bea, id, quoted)
}

#[tokio::test]
async fn a_reply_is_quoted_in_each_readers_language() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(redb_config(dir.path().to_owned())).await;
    let mut en = server
        .connect(&format!("room=rp&lang=en&name=Aki&client={AKI}"))
        .await;
    let mut es = Client::join(&server, "rp", "es", "Bea").await;
    let mut ja = Client::join(&server, "rp", "ja", "Chie").await;
    en.send(json!({"action":"translate","text":"Lunch at noon?"}))
        .await;
    let id = en.recv_type("message").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tag = es.recv_type("message").await["from"]["tag"].clone();
    ja.recv_type("message").await;

    es.send(json!({"action":"translate","text":"¡Sí!","replyTo":id,"clientMsgId":"r-1"}))
        .await;
    for (c, quote) in [
        (&mut en, "Lunch at noon?"),
        (&mut es, "[es] Lunch at noon?"),
        (&mut ja, "[ja] Lunch at noon?"),
    ] {
        let m = c.recv_type("message").await;
        assert_eq!(m["replyTo"]["id"], id.as_str(), "{m}");
        assert_eq!(m["replyTo"]["text"], quote, "{m}");
        assert_eq!(m["replyTo"]["from"]["name"], "Aki");
        assert_eq!(m["replyTo"]["from"]["tag"], tag);
    }
    let page = ja.request(json!({"action":"history"}), "history").await;
    assert_eq!(
        page["messages"][1]["replyTo"]["text"],
        "[ja] Lunch at noon?"
    );
    assert!(page["messages"][0].get("replyTo").is_none());

    // Unknown: refused, naming the request.
    es.send(json!({"action":"translate","text":"?","replyTo":"01JD0000000000000000000000","clientMsgId":"r-2"}))
        .await;
    let e = es.recv_type("error").await;
    assert_eq!(
        (e["code"].as_str(), e["clientMsgId"].as_str()),
        (Some("not_found"), Some("r-2"))
    );
    drop((en, es, ja));
    server.stop().await;
}

#[tokio::test]
async fn a_deleted_message_leaves_its_replies_quoting_it_as_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(redb_config(dir.path().to_owned())).await;
    let (mut aki, mut bea, id, quoted) =
        aki_says_bea_replies(&server, "rd", "My number is 555-0199", "¡Anotado!").await;
    assert_eq!(quoted["text"], "[es] My number is 555-0199");

    aki.send(json!({"action":"delete","id":id})).await;
    for c in [&mut aki, &mut bea] {
        assert_eq!(c.recv_type("deleted").await["id"], id.as_str());
    }
    // Every reader's history, a language nobody read then included.
    let mut de = Client::join(&server, "rd", "de", "Dora").await;
    for c in [&mut aki, &mut bea, &mut de] {
        let page = c.request(json!({"action":"history"}), "history").await;
        assert_eq!(page["messages"][0]["deleted"], true, "{page}");
        let reply = &page["messages"][1];
        assert_eq!(
            reply["replyTo"],
            json!({"id":id,"from":quoted["from"],"deleted":true}),
            "{page}"
        );
        assert!(!page.to_string().contains("555-0199"), "{page}");
    }
    drop((aki, bea, de));
    server.stop().await;
}

#[tokio::test]
async fn an_edit_of_the_quoted_message_refreshes_the_quote_in_history() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(redb_config(dir.path().to_owned())).await;
    let (mut aki, mut bea, id, _) = aki_says_bea_replies(&server, "re", "Meet at 9", "Vale").await;
    aki.send(json!({"action":"edit","id":id,"text":"Meet at 10"}))
        .await;
    for c in [&mut aki, &mut bea] {
        c.recv_type("edited").await;
    }
    for (c, quote) in [(&mut aki, "Meet at 10"), (&mut bea, "[es] Meet at 10")] {
        let page = c.request(json!({"action":"history"}), "history").await;
        assert_eq!(page["messages"][1]["replyTo"]["text"], quote, "{page}");
        assert!(!page.to_string().contains("Meet at 9"), "{page}");
    }
    drop((aki, bea));
    server.stop().await;
}

#[tokio::test]
async fn reactions_toggle_for_everyone_and_come_back_with_history() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(redb_config(dir.path().to_owned())).await;
    let mut aki = server
        .connect(&format!("room=rx&lang=en&name=Aki&client={AKI}"))
        .await;
    let mut bea = server
        .connect(&format!("room=rx&lang=es&name=Bea&client={BEA}"))
        .await;
    let mut chie = Client::join(&server, "rx", "ja", "Chie").await;
    aki.send(json!({"action":"translate","text":"Shipped!"}))
        .await;
    let m = aki.recv_type("message").await;
    let (id, aki_tag) = (
        m["id"].as_str().unwrap().to_owned(),
        m["from"]["tag"].clone(),
    );
    bea.recv_type("message").await;
    chie.recv_type("message").await;

    let steps = [
        (&AKI, "👍", true, 1),
        (&BEA, "👍", true, 2),
        (&AKI, "🎉", true, 1),
        (&BEA, "👍", false, 1),
    ];
    for (who, emoji, on, count) in steps {
        let sender = if *who == AKI { &mut aki } else { &mut bea };
        sender
            .send(json!({"action":"react","id":id,"emoji":emoji}))
            .await;
        for c in [&mut aki, &mut bea, &mut chie] {
            let r = c.recv_type("reaction").await;
            assert_eq!(
                (
                    r["id"].as_str(),
                    r["emoji"].as_str(),
                    r["on"].as_bool(),
                    r["count"].as_u64()
                ),
                (Some(id.as_str()), Some(emoji), Some(on), Some(count)),
                "{r}"
            );
            assert_eq!(r["from"]["name"], if *who == AKI { "Aki" } else { "Bea" });
        }
    }
    let page = chie.request(json!({"action":"history"}), "history").await;
    let reactions = &page["messages"][0]["reactions"];
    assert_eq!(
        reactions,
        &json!([
            {"emoji":"👍","count":1,"tags":[aki_tag]},
            {"emoji":"🎉","count":1,"tags":[aki_tag]},
        ])
    );
    // Not one emoji: refused.
    bea.send(json!({"action":"react","id":id,"emoji":"lol"}))
        .await;
    assert_eq!(bea.recv_type("error").await["code"], "bad_request");
    drop((aki, bea, chie));
    server.stop().await;
}
