//! The AWS adapters against real things here (feature `aws`): the
//! Management API push against the local gateway over HTTP, `honyaku
//! serve --store dynamodb` and the DynamoDB store against DynamoDB Local.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::helpers::{Client, Connect, TestServer, config, spawn};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};
use aws_sdk_dynamodb::types::TimeToLiveStatus;
use honyaku::config::{ServeConfig, StoreKind};
use honyaku::core::{App, ConnectParams};
use honyaku::model::{ClientMsgId, ConnectionId, Lang, Message, RoomName, Translation, UserName};
use honyaku::ports::{Frame, HistoryQuery, Push, PushError, Store};
use honyaku::push::ApiGatewayPush;
use honyaku::store::{DynamoStore, MemoryStore};
use honyaku::translate::PseudoTranslator;
use serde_json::json;

/// SDK configuration for local endpoints: fixed keys, no environment.
async fn local_sdk() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "test", "test", None, None, "test",
        )))
        .http_client(honyaku::aws::sdk::http_client())
        .load()
        .await
}

/// A push aimed at the local gateway's management API.
async fn push_to(server: &TestServer) -> ApiGatewayPush {
    ApiGatewayPush::new(
        local_sdk().await,
        Some(format!("http://{}/local", server.addr)),
    )
}

fn frame(json: &str) -> Frame {
    Frame::new(json.to_owned())
}

fn query(before: Option<honyaku::model::MessageKey>, limit: usize) -> HistoryQuery {
    HistoryQuery {
        before,
        limit,
        lang: Lang::parse("es").unwrap(),
        since_ms: 0,
    }
}

#[tokio::test]
async fn push_delivers_closes_and_finds_a_closed_connection_gone() {
    let server = spawn(config()).await;
    let push = push_to(&server).await;
    let mut live = server.connect("room=p&name=Live").await;
    let live_id = live.connection_id().await;
    let mut closing = server.connect("room=q&name=Closing").await;
    let closing_id = closing.connection_id().await;

    push.post(
        &ConnectionId::new(&live_id),
        &frame(r#"{"type":"pong","ts":1}"#),
    )
    .await
    .expect("post to a live connection");
    assert_eq!(live.recv().await, json!({"type":"pong","ts":1}));

    closing.ws.close(None).await.unwrap();
    // The gateway forgets it once its `$disconnect` has run.
    let gone = ConnectionId::new(&closing_id);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match push.post(&gone, &frame("{}")).await {
            Err(PushError::Gone) => break,
            other if tokio::time::Instant::now() > deadline => panic!("still there: {other:?}"),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    assert_eq!(
        push.post(&ConnectionId::new("NeverWas0000="), &frame("{}"))
            .await,
        Err(PushError::Gone)
    );
    let too_big = "x".repeat(128 * 1024 + 1);
    assert_eq!(
        push.post(&ConnectionId::new(&live_id), &frame(&too_big))
            .await,
        Err(PushError::PayloadTooLarge)
    );

    // `close` is DeleteConnection: the socket closes; after that, Gone.
    push.close(&ConnectionId::new(&live_id), 1008, "Policy Violation")
        .await
        .expect("DeleteConnection");
    assert!(live.closed(Duration::from_secs(5)).await.is_some());
    assert_eq!(
        push.close(&ConnectionId::new("NeverWas0000="), 1008, "x")
            .await,
        Err(PushError::Gone)
    );
    server.stop().await;
}

#[tokio::test]
async fn push_without_an_endpoint_learns_it_from_the_event() {
    let push = ApiGatewayPush::new(local_sdk().await, None);
    assert_eq!(push.endpoint(), None);
    assert!(matches!(
        push.post(&ConnectionId::new("a"), &frame("{}")).await,
        Err(PushError::Other(_))
    ));
    let event: ApiGatewayWebsocketProxyRequest =
        serde_json::from_slice(include_bytes!("fixtures/apigw-message.json")).unwrap();
    push.use_event(&event.request_context);
    assert_eq!(
        push.endpoint().as_deref(),
        Some("https://abc123defg.execute-api.us-east-1.amazonaws.com/prod")
    );
    // A configured endpoint is never replaced.
    let fixed = ApiGatewayPush::new(local_sdk().await, Some("http://127.0.0.1:9/x".into()));
    fixed.use_event(&event.request_context);
    assert_eq!(fixed.endpoint().as_deref(), Some("http://127.0.0.1:9/x"));
}

/// The core fanning out through the Management API: each recipient on its
/// own, a gone one's rows deleted, the others served.
#[tokio::test]
async fn fan_out_through_the_management_api_survives_a_gone_recipient() {
    let server = spawn(config()).await;
    let store: Arc<dyn Store> = Arc::new(MemoryStore::in_memory());
    let app = App::new(
        store.clone(),
        Arc::new(PseudoTranslator),
        Arc::new(push_to(&server).await),
    );
    // Three sockets on the local gateway; the app under test keeps its own
    // rows for them, as the Lambda's DynamoDB would.
    let mut sockets = Vec::new();
    for (name, lang) in [("Aki", "ja"), ("Bea", "es"), ("Gus", "de")] {
        let mut c = server.connect(&format!("room=f{name}")).await;
        let id = c.connection_id().await;
        let params = ConnectParams {
            room: Some("fan".into()),
            lang: Some(lang.into()),
            name: Some(name.into()),
            ..ConnectParams::default()
        };
        // Connected a minute ago: a Gone answer for a younger connection is
        // taken for one whose `$connect` is still running, and kept.
        let then = chrono::Utc::now().timestamp_millis() - 60_000;
        app.connect(ConnectionId::new(&id), params, then)
            .await
            .unwrap();
        sockets.push((id, c));
    }
    let (gus_id, gus) = sockets.pop().unwrap();
    let mut gus = gus;
    gus.ws.close(None).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let (aki_id, _) = &sockets[0];
    app.message(
        &ConnectionId::new(aki_id),
        r#"{"action":"translate","text":"こんにちは"}"#,
    )
    .await;
    let bea = &mut sockets[1].1;
    let frame = bea.recv_type("message").await;
    assert_eq!(frame["text"], "[es] こんにちは");
    let aki = &mut sockets[0].1;
    assert_eq!(aki.recv_type("message").await["text"], "こんにちは");
    assert_eq!(
        store
            .get_connection(&ConnectionId::new(&gus_id))
            .await
            .unwrap(),
        None,
        "a gone recipient's rows are deleted"
    );
    server.stop().await;
}

#[tokio::test]
async fn dynamodb_table_is_created_once_with_ttl() {
    let Some(url) = crate::dynamodb_local::endpoint("dynamodb_table_is_created_once_with_ttl")
    else {
        return;
    };
    let client = crate::dynamodb_local::client(&url);
    let store = DynamoStore::new(client.clone(), crate::dynamodb_local::table_name());
    assert!(store.create_table_if_missing().await.unwrap());
    assert!(!store.create_table_if_missing().await.unwrap());
    let table = client
        .describe_table()
        .table_name(store.table())
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let keys: Vec<(String, String)> = table
        .key_schema()
        .iter()
        .map(|k| {
            (
                k.attribute_name().to_owned(),
                k.key_type().as_str().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [("pk".into(), "HASH".into()), ("sk".into(), "RANGE".into())]
    );
    let ttl = client
        .describe_time_to_live()
        .table_name(store.table())
        .send()
        .await
        .unwrap()
        .time_to_live_description
        .unwrap();
    assert_eq!(ttl.attribute_name(), Some("ttl"));
    assert_eq!(ttl.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
}

fn message(i: usize, from: &str, text: String) -> Message {
    Message {
        id: format!("M{i:04}"),
        room: RoomName::parse("big").unwrap(),
        ts: chrono::Utc::now().timestamp_millis() + i as i64,
        from_name: UserName::parse("Aki").unwrap(),
        from_connection: ConnectionId::new(from),
        source_lang: Lang::parse("ja").unwrap(),
        from_tag: None,
        text,
        translations: BTreeMap::new(),
        client_msg_id: Some(ClientMsgId::parse(&format!("c-{i}")).unwrap()),
        ttl: None,
        from_client: None,
        edited_at: None,
        deleted_at: None,
        corrected: BTreeMap::new(),
        reply_to: None,
    }
}

#[tokio::test]
async fn dynamodb_deletes_a_busy_connection_but_keeps_its_message_ids() {
    let Some(store) = crate::dynamodb_local::fresh_store("dynamodb_deletes_every_row").await else {
        return;
    };
    let conn = honyaku::model::Connection {
        id: ConnectionId::new("busy"),
        room: RoomName::parse("big").unwrap(),
        lang: Lang::parse("ja").unwrap(),
        name: UserName::parse("Aki").unwrap(),
        connected_at: chrono::Utc::now().timestamp_millis(),
        joined_at: chrono::Utc::now().timestamp_millis(),
        client: None,
        source_ip: None,
        instance: None,
        admin: false,
    };
    store.put_connection(&conn, 10).await.unwrap();
    // Many messages, each with a clientMsgId marker.
    for i in 0..60 {
        store
            .put_message(&message(i, "busy", "hi".into()), "conn:busy")
            .await
            .unwrap();
    }
    assert!(store.delete_connection(&conn.id).await.unwrap().is_some());
    // The markers belong to the sender in the room, not to the connection:
    // a client that reconnects and resends is still recognised.
    for i in [0, 29, 59] {
        let cmid = ClientMsgId::parse(&format!("c-{i}")).unwrap();
        assert!(
            store
                .has_client_msg(&conn.room, "conn:busy", &cmid)
                .await
                .unwrap()
        );
    }
    assert!(
        store
            .room_members(&conn.room, None, 10)
            .await
            .unwrap()
            .members
            .is_empty()
    );
    assert_eq!(store.room_count(&conn.room).await.unwrap(), 0);
    // The messages themselves stay in the room's history.
    let page = store
        .messages_before(&conn.room, &query(None, 100))
        .await
        .unwrap();
    assert_eq!(page.messages.len(), 60);
}

#[tokio::test]
async fn dynamodb_history_pages_past_the_one_megabyte_query_limit() {
    let Some(store) = crate::dynamodb_local::fresh_store("dynamodb_history_pages_past_1mb").await
    else {
        return;
    };
    // 60 items of about 20 KB: one Query page (1 MB) holds about 50.
    let text = "あ".repeat(3_333);
    for i in 0..60 {
        let mut m = message(i, "a", text.clone());
        m.client_msg_id = None;
        m.translations.insert(
            Lang::parse("es").unwrap(),
            Translation {
                text: "a".repeat(10_000),
                engine: "pseudo".into(),
                via: None,
            },
        );
        store.put_message(&m, "conn:a").await.unwrap();
    }
    let room = RoomName::parse("big").unwrap();
    let page = store
        .messages_before(&room, &query(None, 55))
        .await
        .unwrap();
    assert_eq!(page.messages.len(), 55);
    assert!(page.more);
    assert_eq!(page.messages[0].id, "M0005");
    assert_eq!(page.messages[54].id, "M0059");
    let rest = store
        .messages_before(&room, &query(Some(page.messages[0].key()), 55))
        .await
        .unwrap();
    assert_eq!(rest.messages.len(), 5);
    assert!(!rest.more);
}

#[tokio::test]
async fn serve_with_the_dynamodb_store() {
    let Some(url) = crate::dynamodb_local::endpoint("serve_with_the_dynamodb_store") else {
        return;
    };
    let table = crate::dynamodb_local::table_name();
    let server = spawn(ServeConfig {
        store: StoreKind::Dynamodb,
        dynamodb_endpoint: Some(url.clone()),
        table: table.clone(),
        ..config()
    })
    .await;
    let mut aki = Client::join(&server, "ddb", "ja", "Aki").await;
    let mut bea = Client::join(&server, "ddb", "es", "Bea").await;
    aki.send(json!({"action":"translate","text":"おはよう"}))
        .await;
    assert_eq!(bea.recv_type("message").await["text"], "[es] おはよう");
    let history = bea.request(json!({"action":"history"}), "history").await;
    assert_eq!(history["messages"][0]["original"], "おはよう");
    // v1.2: a reply and a reaction on DynamoDB.
    let id = history["messages"][0]["id"].clone();
    aki.recv_type("message").await; // its own copy
    bea.send(json!({"action":"translate","text":"¡Hola!","replyTo":id}))
        .await;
    assert_eq!(
        aki.recv_type("message").await["replyTo"]["text"],
        "おはよう"
    );
    bea.send(json!({"action":"react","id":id,"emoji":"👋"}))
        .await;
    assert_eq!(aki.recv_type("reaction").await["count"], 1);
    let history = aki.request(json!({"action":"history"}), "history").await;
    assert_eq!(history["messages"][0]["reactions"][0]["emoji"], "👋");
    assert_eq!(history["messages"][1]["replyTo"]["text"], "おはよう");
    server.stop().await;

    // The table was created, and holds the room.
    let store = DynamoStore::new(crate::dynamodb_local::client(&url), table);
    let page = store
        .messages_before(&RoomName::parse("ddb").unwrap(), &query(None, 10))
        .await
        .unwrap();
    assert_eq!(page.messages.len(), 2);
}
