//! The local management API driven by the real AWS SDK client
//! (`aws-sdk-apigatewaymanagement`) pointed at the server with
//! `endpoint_url`: post, get, delete, and the errors the SDK must recognise.

use std::time::Duration;

use crate::helpers::{Connect, TestServer, config, management_sdk, refusal, spawn};
use aws_sdk_apigatewaymanagement::Client as Sdk;
use aws_sdk_apigatewaymanagement::primitives::Blob;
use serde_json::json;

fn sdk(server: &TestServer) -> Sdk {
    Sdk::from_conf(management_sdk(server.addr).build())
}

#[tokio::test]
async fn post_get_delete_through_the_sdk() {
    let server = spawn(config()).await;
    let sdk = sdk(&server);
    let mut c = server.connect("room=m&name=Mo").await;
    let mut other = server.connect("room=m&name=Ot").await;
    let id = c.connection_id().await;

    sdk.post_to_connection()
        .connection_id(&id)
        .data(Blob::new(br#"{"type":"custom","n":1}"#.to_vec()))
        .send()
        .await
        .expect("post");
    assert_eq!(c.recv().await, json!({"type":"custom","n":1}));

    let got = sdk
        .get_connection()
        .connection_id(&id)
        .send()
        .await
        .expect("get");
    let connected = got.connected_at().expect("connectedAt");
    let now =
        aws_sdk_apigatewaymanagement::primitives::DateTime::from(std::time::SystemTime::now());
    assert!(connected.secs() <= now.secs() && connected.secs() > now.secs() - 60);
    assert!(got.last_active_at().is_some());
    let identity = got.identity().expect("identity");
    assert_eq!(identity.source_ip(), Some("127.0.0.1"));
    assert!(identity.user_agent().is_some());

    sdk.delete_connection()
        .connection_id(&id)
        .send()
        .await
        .expect("delete");
    let close = c.closed(Duration::from_secs(5)).await;
    assert!(close.is_some(), "the server sends a close frame");
    // `$disconnect` ran: the room heard it.
    let leave = other.recv_type("presence").await;
    assert_eq!(
        (leave["event"].as_str(), leave["name"].as_str()),
        (Some("leave"), Some("Mo"))
    );

    // Every call on a closed connection is GoneException.
    let gone = (410, "GoneException".to_owned());
    let post = sdk
        .post_to_connection()
        .connection_id(&id)
        .data(Blob::new("x"))
        .send()
        .await;
    assert_eq!(refusal(post), gone);
    let get = sdk.get_connection().connection_id(&id).send().await;
    assert_eq!(refusal(get), gone);
    let delete = sdk.delete_connection().connection_id(&id).send().await;
    assert_eq!(refusal(delete), gone);
    server.stop().await;
}

#[tokio::test]
async fn unknown_ids_are_gone_and_big_payloads_too_large() {
    let server = spawn(config()).await;
    let sdk = sdk(&server);
    let unknown = sdk
        .post_to_connection()
        .connection_id("Nope+/=")
        .data(Blob::new("x"))
        .send()
        .await;
    assert_eq!(refusal(unknown), (410, "GoneException".to_owned()));

    let mut c = server.connect("").await;
    let id = c.connection_id().await;
    let big = vec![b'x'; 128 * 1024 + 1];
    let big = sdk
        .post_to_connection()
        .connection_id(&id)
        .data(Blob::new(big))
        .send()
        .await;
    assert_eq!(refusal(big), (413, "PayloadTooLargeException".to_owned()));
    // Exactly 128 KB goes through.
    let max = vec![b'y'; 128 * 1024];
    sdk.post_to_connection()
        .connection_id(&id)
        .data(Blob::new(max))
        .send()
        .await
        .expect("128 KB");
    server.stop().await;
}

#[tokio::test]
async fn wire_shapes_match_api_gateway() {
    let server = spawn(config()).await;
    let (status, head, body) =
        crate::helpers::http_get(server.addr, "/local/@connections/abc%3D").await;
    assert_eq!(status, 410);
    assert!(head.contains("x-amzn-errortype: goneexception"), "{head}");
    assert!(serde_json::from_str::<serde_json::Value>(&body).unwrap()["message"].is_string());

    let mut c = server.connect("").await;
    let id = c.connection_id().await;
    let path = format!(
        "/local/@connections/{}",
        id.replace('=', "%3D")
            .replace('+', "%2B")
            .replace('/', "%2F")
    );
    let (status, _, body) = crate::helpers::http_get(server.addr, &path).await;
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let at = v["connectedAt"].as_str().unwrap();
    // 2026-11-26T10:00:00.000Z
    assert_eq!(at.len(), 24, "{at}");
    assert!(at.ends_with('Z') && at.as_bytes()[19] == b'.');
    assert!(v["lastActiveAt"].is_string());
    assert_eq!(v["identity"]["sourceIp"], "127.0.0.1");
    server.stop().await;
}
