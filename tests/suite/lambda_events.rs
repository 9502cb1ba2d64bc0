//! Real API Gateway WebSocket events (`tests/suite/fixtures/apigw-*.json`, as
//! API Gateway sends them to a Lambda) through `lambda::handle` in-process (the real
//! binary gets them in `lambda_binary.rs`), the entry
//! `honyaku-lambda` calls: `$connect`, a `translate` MESSAGE, `$disconnect`,
//! and v1.2's `edit`, `glossary_set`, `delete` and `react` routes and
//! `replyTo`, with the memory store, the pseudo engine and a push that
//! records.

use std::sync::Arc;

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use honyaku::core::App;
use honyaku::model::ConnectionId;
use honyaku::ports::Store;
use honyaku::store::MemoryStore;
use honyaku::testing::RecordingPush;
use honyaku::translate::PseudoTranslator;
use serde_json::{Value, json};

use crate::helpers::lambda::{
    AKI, CONNECT, DISCONNECT, MESSAGE, connect_json, disconnect_json, event, routed_json,
};

fn app() -> (App, Arc<dyn Store>, Arc<RecordingPush>) {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::in_memory());
    let push = Arc::new(RecordingPush::default());
    // The fixtures come from a page hosted apart from the API: any Origin,
    // as the Lambda's policy is when ALLOWED_ORIGINS is unset.
    let policy = honyaku::core::Policy {
        allowed_origins: vec!["*".into()],
        ..honyaku::core::Policy::default()
    };
    let app = App::new(store.clone(), Arc::new(PseudoTranslator), push.clone()).with_policy(policy);
    (app, store, push)
}

#[test]
fn fixtures_parse_as_api_gateway_sends_them() {
    for bytes in [CONNECT, MESSAGE, DISCONNECT] {
        let e: ApiGatewayWebsocketProxyRequest = serde_json::from_slice(bytes).unwrap();
        assert_eq!(e.request_context.connection_id.as_deref(), Some(AKI));
        assert_eq!(e.request_context.stage.as_deref(), Some("prod"));
        assert_eq!(
            e.request_context.domain_name.as_deref(),
            Some("abc123defg.execute-api.us-east-1.amazonaws.com")
        );
    }
    let e: ApiGatewayWebsocketProxyRequest = serde_json::from_slice(CONNECT).unwrap();
    assert_eq!(e.query_string_parameters.first("lang"), Some("ja"));
}

#[tokio::test]
async fn connect_message_disconnect() {
    let (app, store, push) = app();

    // Aki (ja) connects, as in the fixture; then Bea (es) on another id.
    let r = honyaku::lambda::handle(&app, event(CONNECT, |_| {})).await;
    assert_eq!(r.status_code, 200);
    let bea = "CkTMAbCdoAMCFxA=";
    let r = honyaku::lambda::handle(
        &app,
        parsed(connect_json(
            bea,
            &[("room", "lobby"), ("lang", "es"), ("name", "Bea")],
        )),
    )
    .await;
    assert_eq!(r.status_code, 200);
    let presence = push.take(AKI);
    assert_eq!(presence.len(), 1);
    assert_eq!(
        (presence[0]["type"].as_str(), presence[0]["name"].as_str()),
        (Some("presence"), Some("Bea"))
    );
    assert_eq!(
        store
            .room_count(&honyaku::model::RoomName::lobby())
            .await
            .unwrap(),
        2
    );

    // Aki's `translate` from the fixture reaches both, each in their language.
    let r = honyaku::lambda::handle(&app, event(MESSAGE, |_| {})).await;
    assert_eq!(r.status_code, 200);
    let to_aki = push.take(AKI);
    let to_bea = push.take(bea);
    assert_eq!(to_aki.len(), 1);
    assert_eq!(to_aki[0]["text"], "こんにちは");
    assert_eq!(to_aki[0]["clientMsgId"], "c-1");
    assert_eq!(to_aki[0]["translated"], false);
    assert_eq!(to_bea.len(), 1);
    assert_eq!(to_bea[0]["type"], "message");
    assert_eq!(to_bea[0]["lang"], "es");
    assert_eq!(to_bea[0]["text"], "[es] こんにちは");
    assert_eq!(to_bea[0]["original"], "こんにちは");
    assert_eq!(to_bea[0]["from"]["name"], "Aki");
    assert!(to_bea[0].get("clientMsgId").is_none());

    // The same event again (API Gateway may redeliver): dropped silently.
    honyaku::lambda::handle(&app, event(MESSAGE, |_| {})).await;
    assert!(push.take(AKI).is_empty());
    assert!(push.take(bea).is_empty());

    // Aki leaves: rows gone, Bea told.
    let r = honyaku::lambda::handle(&app, parsed(disconnect_json(AKI))).await;
    assert_eq!(r.status_code, 200);
    assert_eq!(
        store.get_connection(&ConnectionId::new(AKI)).await.unwrap(),
        None
    );
    let leave = push.take(bea);
    assert_eq!(leave.len(), 1);
    assert_eq!(
        (leave[0]["event"].as_str(), leave[0]["count"].as_u64()),
        (Some("leave"), Some(1))
    );
}

#[tokio::test]
async fn a_refused_connect_answers_with_a_status_and_stores_nothing() {
    let (app, store, push) = app();
    let r = honyaku::lambda::handle(
        &app,
        event(CONNECT, |v| {
            v["queryStringParameters"]["lang"] = json!("klingon");
        }),
    )
    .await;
    assert_eq!(r.status_code, 400);
    assert_eq!(
        store.get_connection(&ConnectionId::new(AKI)).await.unwrap(),
        None
    );
    assert!(push.take(AKI).is_empty());
}

/// v1.2's routes through the same entry: the fixture's MESSAGE event
/// with each new route key and body.
fn routed(route: &str, body: Value) -> ApiGatewayWebsocketProxyRequest {
    parsed(routed_json(AKI, route, &body))
}

fn parsed(event: Value) -> ApiGatewayWebsocketProxyRequest {
    serde_json::from_value(event).expect("an ApiGatewayWebsocketProxyRequest")
}

#[tokio::test]
async fn edit_and_glossary_set_through_the_lambda_entry() {
    let (app, _store, push) = app();
    let bea = "CkTMAbCdoAMCFxA=";
    honyaku::lambda::handle(&app, event(CONNECT, |_| {})).await;
    honyaku::lambda::handle(
        &app,
        parsed(connect_json(
            bea,
            &[("room", "lobby"), ("lang", "es"), ("name", "Bea")],
        )),
    )
    .await;
    honyaku::lambda::handle(&app, event(MESSAGE, |_| {})).await;
    let id = push.of_type(AKI, "message")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    push.take(AKI);
    push.take(bea);

    let r = honyaku::lambda::handle(
        &app,
        routed(
            "edit",
            json!({"action":"edit","id":id,"text":"こんばんは","clientMsgId":"c-2"}),
        ),
    )
    .await;
    assert_eq!(r.status_code, 200);
    let mine = push.take(AKI);
    assert_eq!(
        (mine[0]["type"].as_str(), mine[0]["clientMsgId"].as_str()),
        (Some("edited"), Some("c-2"))
    );
    let edited = push.take(bea);
    assert_eq!(edited[0]["type"], "edited");
    assert_eq!(edited[0]["text"], "[es] こんばんは");

    let set = json!({"action":"glossary_set","version":0,"terms":[{"term":"honyaku"}]});
    let r = honyaku::lambda::handle(&app, routed("glossary_set", set)).await;
    assert_eq!(r.status_code, 200);
    for who in [AKI, bea] {
        let g = push.take(who);
        assert_eq!(
            (g[0]["type"].as_str(), g[0]["version"].as_u64()),
            (Some("glossary"), Some(1))
        );
    }
    let r =
        honyaku::lambda::handle(&app, routed("delete", json!({"action":"delete","id":id}))).await;
    assert_eq!(r.status_code, 200);
    assert_eq!(push.take(bea)[0]["type"], "deleted");
}

#[tokio::test]
async fn reply_and_react_through_the_lambda_entry() {
    let (app, _store, push) = app();
    let bea = "CkTMAbCdoAMCFxA=";
    honyaku::lambda::handle(&app, event(CONNECT, |_| {})).await;
    honyaku::lambda::handle(
        &app,
        event(CONNECT, |v| {
            v["requestContext"]["connectionId"] = json!(bea);
            v["queryStringParameters"] = json!({"room": "lobby", "lang": "es", "name": "Bea"});
        }),
    )
    .await;
    honyaku::lambda::handle(&app, event(MESSAGE, |_| {})).await;
    let first = push.of_type(AKI, "message")[0].clone();
    let id = first["id"].as_str().unwrap().to_owned();
    push.take(AKI);
    push.take(bea);

    let reply = json!({"action":"translate","text":"はい","replyTo":id,"clientMsgId":"c-3"});
    let r = honyaku::lambda::handle(&app, routed("translate", reply)).await;
    assert_eq!(r.status_code, 200);
    let mine = push.take(AKI);
    assert_eq!(mine[0]["replyTo"]["id"], id.as_str());
    assert_eq!(mine[0]["replyTo"]["text"], first["text"]);
    let theirs = push.take(bea);
    assert_eq!(
        theirs[0]["replyTo"]["text"].as_str().unwrap(),
        format!("[es] {}", first["text"].as_str().unwrap())
    );
    let unknown = json!({"action":"translate","text":"?","replyTo":"01JD0000000000000000000000","clientMsgId":"c-4"});
    honyaku::lambda::handle(&app, routed("translate", unknown)).await;
    let e = push.take(AKI);
    assert_eq!(
        (e[0]["code"].as_str(), e[0]["clientMsgId"].as_str()),
        (Some("not_found"), Some("c-4"))
    );

    let react = json!({"action":"react","id":id,"emoji":"👍"});
    let r = honyaku::lambda::handle(&app, routed("react", react)).await;
    assert_eq!(r.status_code, 200);
    for who in [AKI, bea] {
        let f = push.take(who);
        assert_eq!(
            (
                f[0]["type"].as_str(),
                f[0]["emoji"].as_str(),
                f[0]["on"].as_bool()
            ),
            (Some("reaction"), Some("👍"), Some(true))
        );
    }
    let history = json!({"action":"history"});
    honyaku::lambda::handle(&app, routed("history", history)).await;
    let page = push.take(AKI);
    assert_eq!(page[0]["messages"][0]["reactions"][0]["count"], 1);
    assert_eq!(page[0]["messages"][1]["replyTo"]["id"], id.as_str());
}
