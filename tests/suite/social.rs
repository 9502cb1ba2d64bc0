//! v1.2's replies and reactions end to end on the real server (redb)
//! with WebSocket clients: a reply quoted in each reader's language, live
//! and in history; reactions toggled on and off by two people, seen by
//! everyone and returned by history.

use serde_json::json;

use crate::helpers::{Client, Connect, redb_config, spawn};

const AKI: &str = "e2e-social-aki-0123456789";
const BEA: &str = "e2e-social-bea-0123456789";

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
