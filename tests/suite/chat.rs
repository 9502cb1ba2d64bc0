//! End to end: a server on port 0 and real WebSocket clients — rooms,
//! languages, presence, joins, history.

use crate::helpers::{Client, Connect, config, spawn};
use serde_json::json;

#[tokio::test]
async fn three_languages_in_one_room_and_a_room_that_hears_nothing() {
    let server = spawn(config()).await;
    let mut aki = Client::join(&server, "r1", "ja", "Aki").await;
    let mut bea = Client::join(&server, "r1", "es", "Bea").await;
    let mut cal = Client::join(&server, "r1", "en", "Cal").await;
    let mut other = Client::join(&server, "r2", "es", "Otto").await;

    aki.send(json!({"action":"translate","text":"こんにちは","clientMsgId":"c-17"}))
        .await;
    let own = aki.recv_type("message").await;
    assert_eq!(own["clientMsgId"], "c-17");
    assert_eq!(own["text"], "こんにちは");
    assert_eq!(own["translated"], false);
    assert_eq!(own["from"]["name"], "Aki");

    let es = bea.recv_type("message").await;
    assert_eq!(es["text"], "[es] こんにちは");
    assert_eq!(es["original"], "こんにちは");
    assert_eq!(
        (es["sourceLang"].as_str(), es["lang"].as_str()),
        (Some("ja"), Some("es"))
    );
    assert_eq!(es["translated"], true);
    assert_eq!(es["engine"], "pseudo");
    assert!(es.get("clientMsgId").is_none());
    assert_eq!(es["id"], own["id"]);
    assert_eq!(es["room"], "r1");
    assert!(es["ts"].as_i64().unwrap() > 1_700_000_000_000);
    assert_eq!(es["from"]["connectionId"], own["from"]["connectionId"]);

    let en = cal.recv_type("message").await;
    assert_eq!(en["text"], "[en] こんにちは");

    other.assert_silent().await;
    server.stop().await;
}

#[tokio::test]
async fn presence_join_and_room_switch() {
    let server = spawn(config()).await;
    let mut a = Client::join(&server, "r", "en", "Ann").await;
    let mut b = Client::join(&server, "r", "de", "Ben").await;
    let p = a.recv().await;
    assert_eq!(
        p,
        json!({"type":"presence","room":"r","event":"join","name":"Ben","lang":"de","count":2})
    );
    // The newcomer gets nothing until it asks.
    b.assert_silent().await;

    let joined = b.request(json!({"action":"join"}), "joined").await;
    assert_eq!(joined["room"], "r");
    assert_eq!(joined["name"], "Ben");
    assert!(
        joined["connectionId"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert_eq!(joined["members"].as_array().unwrap().len(), 2);

    // Only a name or language change: an update, with the old name.
    let joined = b
        .request(
            json!({"action":"join","lang":"fr","name":"Benoît"}),
            "joined",
        )
        .await;
    assert_eq!(
        (joined["lang"].as_str(), joined["name"].as_str()),
        (Some("fr"), Some("Benoît"))
    );
    assert_eq!(
        a.recv().await,
        json!({"type":"presence","room":"r","event":"update","name":"Benoît","lang":"fr","count":2,"previousName":"Ben"})
    );
    let members = a.request(json!({"action":"members"}), "members").await;
    assert!(
        members["members"]
            .as_array()
            .unwrap()
            .contains(&json!({"name":"Benoît","lang":"fr"}))
    );

    let mut c = Client::join(&server, "s", "en", "Cy").await;
    b.request(json!({"action":"join","room":"s"}), "joined")
        .await;
    let leave = a.recv().await;
    assert_eq!(
        leave,
        json!({"type":"presence","room":"r","event":"leave","name":"Benoît","lang":"fr","count":1})
    );
    let join = c.recv().await;
    assert_eq!(join["event"], "join");
    assert_eq!(join["count"], 2);

    // Messages follow the switch.
    b.send(json!({"action":"translate","text":"salut"})).await;
    assert_eq!(c.recv_type("message").await["text"], "[en] salut");
    a.assert_silent().await;

    // Closing tells the room.
    c.ws.close(None).await.unwrap();
    let left = b.recv_type("presence").await;
    assert_eq!(
        (left["event"].as_str(), left["count"].as_u64()),
        (Some("leave"), Some(1))
    );
    server.stop().await;
}

#[tokio::test]
async fn history_for_a_newcomer_in_the_newcomers_language() {
    let server = spawn(config()).await;
    let mut a = Client::join(&server, "h", "en", "Ann").await;
    for i in 0..3 {
        a.send(
            json!({"action":"translate","text":format!("hello {i}"),"clientMsgId":format!("m{i}")}),
        )
        .await;
        a.recv_type("message").await;
    }
    let mut late = Client::join(&server, "h", "ja", "Late").await;
    let h = late.request(json!({"action":"history"}), "history").await;
    assert_eq!(h["room"], "h");
    assert_eq!(h["lang"], "ja");
    assert!(h["next"].is_null());
    let texts: Vec<_> = h["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(texts, ["[ja] hello 0", "[ja] hello 1", "[ja] hello 2"]);
    for m in h["messages"].as_array().unwrap() {
        assert!(m.get("clientMsgId").is_none());
        assert_eq!(m["lang"], "ja");
        assert_eq!(m["type"], "message");
    }

    let p1 = late
        .request(json!({"action":"history","limit":2}), "history")
        .await;
    assert_eq!(p1["messages"].as_array().unwrap().len(), 2);
    let next = p1["next"].as_str().unwrap();
    let p2 = late
        .request(
            json!({"action":"history","limit":2,"before":next}),
            "history",
        )
        .await;
    assert_eq!(p2["messages"][0]["original"], "hello 0");
    assert!(p2["next"].is_null());

    let pong = late.request(json!({"action":"ping"}), "pong").await;
    assert!(pong["ts"].as_i64().unwrap() > 0);
    server.stop().await;
}

#[tokio::test]
async fn defaults_when_no_parameters() {
    let server = spawn(config()).await;
    let mut g = server.connect("").await;
    let joined = g.request(json!({"action":"join"}), "joined").await;
    assert_eq!(joined["room"], "lobby");
    assert_eq!(joined["lang"], "en");
    let name = joined["name"].as_str().unwrap();
    assert!(
        name.starts_with("guest-") && name.chars().count() == 10,
        "{name}"
    );
    server.stop().await;
}
