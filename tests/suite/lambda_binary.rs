//! The real `honyaku-lambda` end to end (feature `aws`): the binary
//! polls a Lambda Runtime API stand-in for API Gateway WebSocket events
//! (made from `fixtures/apigw-*.json`), keeps its table on DynamoDB Local
//! (skipped without it; a failure under `CI=true`), translates with the
//! pseudo engine (`TRANSLATORS=pseudo`) and posts frames to a Management
//! API stand-in (`PUSH_ENDPOINT`). Every route a client can take:
//! `$connect`, `translate` (with `replyTo`), `history`, `edit`, `delete`,
//! `correct`, `glossary`, `glossary_set`, `react`, `$disconnect`.

use serde_json::{Value, json};

use crate::helpers::lambda::{
    AKI, LambdaBinary, connect_json, disconnect_json, event_json, routed_json,
};

const BEA: &str = "CkTMAbCdoAMCFxA=";
const CID: &str = "CkTNzYxWoAMCGyB=";
/// `client` keys (16–64 characters).
const AKI_KEY: &str = "aki-client-key-0001";
const BEA_KEY: &str = "bea-client-key-0002";

fn message(id: &str, body: Value) -> Value {
    let route = body["action"].as_str().unwrap_or("$default").to_owned();
    routed_json(id, &route, &body)
}

/// `$connect` to the lobby.
fn join(id: &str, name: &str, lang: &str, client: Option<&str>) -> Value {
    let mut q = vec![("room", "lobby"), ("lang", lang), ("name", name)];
    q.extend(client.map(|c| ("client", c)));
    connect_json(id, &q)
}

/// The one frame of `kind` `to` got since the last take; the rest go too.
fn only(lambda: &LambdaBinary, to: &str, kind: &str) -> Value {
    let frames = lambda.push.take(to);
    let of: Vec<&Value> = frames.iter().filter(|f| f["type"] == kind).collect();
    assert_eq!(of.len(), 1, "one {kind} to {to}: {frames:?}");
    of[0].clone()
}

#[tokio::test]
async fn every_route_through_the_real_binary() {
    let Some(mut lambda) = LambdaBinary::start(module_path!(), &[]).await else {
        return;
    };
    // `$connect`: refused with a status and a JSON body, stored nothing;
    // then Aki (ja), Bea (es), Cid (en), each told of the later ones.
    let bad = join(AKI, "Aki", "klingon", None);
    let r = lambda.invoke(&bad).await;
    assert_eq!(r["statusCode"], 400, "{r}");
    let body: Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["code"], "invalid_lang");
    for (id, name, lang, key) in [
        (AKI, "Aki", "ja", Some(AKI_KEY)),
        (BEA, "Bea", "es", Some(BEA_KEY)),
        (CID, "Cid", "en", None),
    ] {
        let mut e = join(id, name, lang, key);
        if id == CID {
            // Connected a minute ago: past the grace in which a post that
            // finds it gone keeps its rows (its `$connect` may be running).
            let then = chrono::Utc::now().timestamp_millis() - 60_000;
            e["requestContext"]["connectedAt"] = json!(then);
        }
        assert_eq!(lambda.status(&e).await, 200, "{name} connects");
    }
    let presence = lambda.push.of_type(AKI, "presence");
    assert_eq!(
        presence
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["Bea", "Cid"]
    );
    for who in [AKI, BEA, CID] {
        lambda.push.take(who);
    }

    // `translate`: each member in its language; the sender's copy with its
    // `clientMsgId`.
    let send = json!({"action":"translate","text":"こんにちは","clientMsgId":"c-1"});
    assert_eq!(lambda.status(&message(AKI, send)).await, 200);
    let mine = only(&lambda, AKI, "message");
    assert_eq!(
        (mine["text"].as_str(), mine["clientMsgId"].as_str()),
        (Some("こんにちは"), Some("c-1"))
    );
    let id = mine["id"].as_str().unwrap().to_owned();
    let es = only(&lambda, BEA, "message");
    assert_eq!(
        (es["text"].as_str(), es["original"].as_str()),
        (Some("[es] こんにちは"), Some("こんにちは"))
    );
    assert!(es.get("clientMsgId").is_none());
    assert_eq!(only(&lambda, CID, "message")["text"], "[en] こんにちは");

    // `history`: to the asker only, in its language.
    let ask = json!({"action":"history","limit":10});
    lambda.status(&message(BEA, ask)).await;
    let h = only(&lambda, BEA, "history");
    assert_eq!(h["messages"][0]["text"], "[es] こんにちは");
    assert!(lambda.push.take(AKI).is_empty());

    // `edit`: only by its sender; the others get `not_yours`, with their
    // `clientMsgId`.
    let theirs = json!({"action":"edit","id":id,"text":"乗っ取り","clientMsgId":"b-1"});
    lambda.status(&message(BEA, theirs)).await;
    let e = only(&lambda, BEA, "error");
    assert_eq!(
        (e["code"].as_str(), e["clientMsgId"].as_str()),
        (Some("not_yours"), Some("b-1"))
    );
    assert!(lambda.push.take(AKI).is_empty());
    let edit = json!({"action":"edit","id":id,"text":"こんばんは","clientMsgId":"c-2"});
    lambda.status(&message(AKI, edit)).await;
    let mine = only(&lambda, AKI, "edited");
    assert_eq!(mine["clientMsgId"], "c-2");
    assert!(mine["editedAt"].as_i64().is_some());
    assert_eq!(only(&lambda, BEA, "edited")["text"], "[es] こんばんは");
    assert_eq!(only(&lambda, CID, "edited")["text"], "[en] こんばんは");

    // `correct`: by a reader of another language; to that language's
    // readers only. The sender's language cannot be corrected.
    let fix = json!({"action":"correct","id":id,"text":"Buenas noches","clientMsgId":"b-2"});
    lambda.status(&message(BEA, fix)).await;
    let c = only(&lambda, BEA, "corrected");
    assert_eq!(
        (
            c["lang"].as_str(),
            c["text"].as_str(),
            c["by"]["name"].as_str()
        ),
        (Some("es"), Some("Buenas noches"), Some("Bea"))
    );
    assert!(lambda.push.take(AKI).is_empty() && lambda.push.take(CID).is_empty());
    let own = json!({"action":"correct","id":id,"text":"違う"});
    lambda.status(&message(AKI, own)).await;
    assert_eq!(only(&lambda, AKI, "error")["code"], "forbidden");

    // `glossary`, then `glossary_set` to every member; a stale version is
    // a `conflict`.
    lambda
        .status(&message(CID, json!({"action":"glossary"})))
        .await;
    let g = only(&lambda, CID, "glossary");
    assert_eq!(
        (g["version"].as_u64(), g["terms"].as_array().map(Vec::len)),
        (Some(0), Some(0))
    );
    let set = json!({"action":"glossary_set","version":0,"terms":[{"term":"honyaku"}]});
    lambda.status(&message(CID, set.clone())).await;
    for who in [AKI, BEA, CID] {
        let g = only(&lambda, who, "glossary");
        assert_eq!(
            (g["version"].as_u64(), g["by"]["name"].as_str()),
            (Some(1), Some("Cid"))
        );
    }
    lambda.status(&message(BEA, set)).await;
    assert_eq!(only(&lambda, BEA, "error")["code"], "conflict");

    // `react`: a toggle, to every member, the sender included; a second
    // person counts; `history` carries the tally; not an emoji is refused.
    let thumbs = json!({"action":"react","id":id,"emoji":"👍"});
    lambda.status(&message(BEA, thumbs.clone())).await;
    for who in [AKI, BEA, CID] {
        let r = only(&lambda, who, "reaction");
        assert_eq!(
            (r["emoji"].as_str(), r["on"].as_bool(), r["count"].as_u64()),
            (Some("👍"), Some(true), Some(1))
        );
    }
    lambda.status(&message(AKI, thumbs)).await;
    assert_eq!(only(&lambda, CID, "reaction")["count"], 2);
    lambda.push.take(AKI);
    lambda.push.take(BEA);
    let words = json!({"action":"react","id":id,"emoji":"nice","clientMsgId":"x-1"});
    lambda.status(&message(CID, words)).await;
    let e = only(&lambda, CID, "error");
    assert_eq!(
        (e["code"].as_str(), e["clientMsgId"].as_str()),
        (Some("bad_request"), Some("x-1"))
    );
    lambda
        .status(&message(CID, json!({"action":"history"})))
        .await;
    let h = only(&lambda, CID, "history");
    assert_eq!(h["messages"][0]["reactions"][0]["count"], 2);

    let before = lambda.table.scan().await.join("\n");
    for text in ["こんばんは", "[en] こんばんは", "Buenas noches"] {
        assert!(
            before.contains(text),
            "{text} is in the table before the delete"
        );
    }

    // `delete`: not by another; by its sender, to every member, and the
    // table keeps no text of it — not the edit, not a translation, not the
    // correction of the message.
    lambda
        .status(&message(CID, json!({"action":"delete","id":id})))
        .await;
    assert_eq!(only(&lambda, CID, "error")["code"], "not_yours");
    lambda
        .status(&message(AKI, json!({"action":"delete","id":id})))
        .await;
    for who in [AKI, BEA, CID] {
        let d = only(&lambda, who, "deleted");
        assert_eq!(d["id"], id.as_str());
    }
    let items = lambda.table.scan().await;
    assert!(!items.is_empty());
    for text in ["こんにちは", "こんばんは", "[es]", "[en]", "👍"] {
        let left: Vec<&String> = items.iter().filter(|i| i.contains(text)).collect();
        assert!(left.is_empty(), "{text} is left in the table: {left:?}");
    }
    lambda
        .status(&message(BEA, json!({"action":"history"})))
        .await;
    let h = only(&lambda, BEA, "history");
    assert_eq!(h["messages"][0]["deleted"], true);

    // The room remembers Bea's correction: the same text again reaches
    // Spanish as corrected, with no engine (`engine: "memory"`).
    let again = json!({"action":"translate","text":"こんばんは"});
    lambda.status(&message(AKI, again)).await;
    let m = only(&lambda, BEA, "message");
    assert_eq!(
        (m["text"].as_str(), m["engine"].as_str()),
        (Some("Buenas noches"), Some("memory"))
    );
    let again_id = only(&lambda, CID, "message");
    assert_eq!(again_id["engine"], "pseudo");
    let again_id = again_id["id"].as_str().unwrap().to_owned();
    lambda.push.take(AKI);

    // `replyTo`: each reader gets the quote in its own language (Bea's the
    // remembered correction); a reply to the deleted message quotes no
    // text; an unknown id is `not_found`, with the `clientMsgId`.
    let reply = json!({"action":"translate","text":"Yes","replyTo":again_id});
    lambda.status(&message(CID, reply)).await;
    let quotes: Vec<Value> = [AKI, BEA, CID]
        .iter()
        .map(|who| only(&lambda, who, "message")["replyTo"].clone())
        .collect();
    assert_eq!(quotes[0]["text"], "こんばんは");
    assert_eq!(quotes[1]["text"], "Buenas noches");
    assert_eq!(quotes[2]["text"], "[en] こんばんは");
    assert!(quotes.iter().all(|q| q["id"] == again_id.as_str()));
    let to_gone = json!({"action":"translate","text":"What?","replyTo":id});
    lambda.status(&message(CID, to_gone)).await;
    let q = &only(&lambda, BEA, "message")["replyTo"];
    assert_eq!((q["deleted"].as_bool(), q.get("text")), (Some(true), None));
    lambda.push.take(AKI);
    lambda.push.take(CID);
    let unknown = json!({"action":"translate","text":"?","replyTo":"01JZZZZZZZZZZZZZZZZZZZZZZZ","clientMsgId":"x-2"});
    lambda.status(&message(CID, unknown)).await;
    let e = only(&lambda, CID, "error");
    assert_eq!(
        (e["code"].as_str(), e["clientMsgId"].as_str()),
        (Some("not_found"), Some("x-2"))
    );
    assert!(lambda.push.take(BEA).is_empty());

    // A gone connection's rows go when a post finds it gone.
    lambda.push.gone(CID);
    let send = json!({"action":"translate","text":"さようなら"});
    lambda.status(&message(AKI, send)).await;
    let cid = honyaku::model::ConnectionId::new(CID);
    use honyaku::ports::Store;
    assert_eq!(lambda.table.store.get_connection(&cid).await.unwrap(), None);

    // `$disconnect`: rows gone, the others told.
    for who in [AKI, BEA] {
        lambda.push.take(who);
    }
    assert_eq!(lambda.status(&disconnect_json(BEA)).await, 200);
    let bea = honyaku::model::ConnectionId::new(BEA);
    assert_eq!(lambda.table.store.get_connection(&bea).await.unwrap(), None);
    let leave = only(&lambda, AKI, "presence");
    assert_eq!(
        (leave["event"].as_str(), leave["count"].as_u64()),
        (Some("leave"), Some(1))
    );

    // Every post fitted API Gateway's 128 KB; no message text in the logs.
    let sizes = lambda.push.sizes();
    assert!(sizes.len() > 20, "{sizes:?}");
    assert!(sizes.iter().all(|s| *s <= 128 * 1024), "{sizes:?}");
    let logs = lambda.logs();
    for text in [
        "こんにちは",
        "こんばんは",
        "Buenas noches",
        AKI_KEY,
        BEA_KEY,
    ] {
        assert!(!logs.contains(text), "{text} logged:\n{logs}");
    }
    lambda.stop().await;
}

/// An event of no known shape fails the invocation (Lambda's `/error`);
/// the function goes on serving the next.
#[tokio::test]
async fn a_malformed_event_fails_only_its_invocation() {
    let Some(mut lambda) = LambdaBinary::start(module_path!(), &[]).await else {
        return;
    };
    let err = lambda
        .api
        .invoke(
            &json!({"requestContext": 7}),
            std::time::Duration::from_secs(20),
        )
        .await
        .unwrap_err();
    assert!(err.contains("honyaku::EventError"), "{err}");
    let ok = event_json(crate::helpers::lambda::CONNECT, |_| {});
    assert_eq!(lambda.status(&ok).await, 200);
    lambda.stop().await;
}

/// Long messages through the binary and DynamoDB: a `history` page holds
/// what fits in one 128 KB frame, and `next` goes on from there.
#[tokio::test]
async fn a_page_of_long_messages_fits_one_frame() {
    let env = [
        ("CHARS_PER_HOUR", "100000000"),
        ("RATE_LIMIT_PER_MINUTE", "1000"),
    ];
    let Some(mut lambda) = LambdaBinary::start(module_path!(), &env).await else {
        return;
    };
    assert_eq!(lambda.status(&join(AKI, "Aki", "en", None)).await, 200);
    assert_eq!(lambda.status(&join(BEA, "Bea", "es", None)).await, 200);
    for i in 0..16 {
        let text = format!("{i} {}", "long words ".repeat(900));
        let send = json!({"action":"translate","text":text});
        assert_eq!(lambda.status(&message(AKI, send)).await, 200);
    }
    lambda.push.take(BEA);
    lambda
        .status(&message(BEA, json!({"action":"history","limit":100})))
        .await;
    let page = only(&lambda, BEA, "history");
    let n = page["messages"].as_array().unwrap().len();
    assert!((1..16).contains(&n), "{n} of 16 in one page");
    assert!(page["next"].is_string());
    assert!(page.to_string().len() <= 128 * 1024);
    assert!(lambda.push.sizes().iter().all(|s| *s <= 128 * 1024));
    lambda.stop().await;
}
