//! Who may call the local management API (docs/PROTOCOL.md, "Management API
//! (local mode)"): signed with the management key by the real AWS SDK →
//! delivered; a wrong secret, an unknown key, a stale signature, no
//! signature, a browser, or (without a key) another machine → 403 with
//! API Gateway's `x-amzn-ErrorType`, and nothing is delivered.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, SystemTime};

use crate::helpers::{Client, Connect, TestServer, config, spawn};
use aws_sdk_apigatewaymanagement::Client as Sdk;
use aws_sdk_apigatewaymanagement::config::retry::RetryConfig;
use aws_sdk_apigatewaymanagement::config::{Credentials, Region};
use aws_sdk_apigatewaymanagement::primitives::Blob;
use honyaku::config::{ManagementKey, ServeConfig};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const KEY_ID: &str = "AKIDLOCALTEST";
const SECRET: &str = "local/secret+key";

fn keyed() -> ServeConfig {
    ServeConfig {
        management_key: Some(format!("{KEY_ID}:{SECRET}").parse().unwrap()),
        ..config()
    }
}

/// The SDK client for `addr`, signing with `id`/`secret`, its clock
/// `skew` behind. No retries: on a refused signature the SDK would learn
/// the server's clock from the `Date` header and sign again, as it does
/// with AWS.
fn sdk_at(addr: SocketAddr, id: &str, secret: &str, skew: Duration) -> Sdk {
    let conf = crate::helpers::management_sdk(addr)
        .region(Region::new("eu-west-3"))
        .credentials_provider(Credentials::new(id, secret, None, None, "test"))
        .time_source(aws_smithy_async::time::StaticTimeSource::new(
            SystemTime::now() - skew,
        ))
        .build();
    Sdk::from_conf(conf)
}

fn sdk(server: &TestServer, id: &str, secret: &str) -> Sdk {
    sdk_at(server.addr, id, secret, Duration::ZERO)
}

/// Posts through `sdk`; the error's (status, x-amzn-ErrorType) on failure.
async fn post(sdk: &Sdk, id: &str) -> Result<(), (u16, String)> {
    let result = sdk
        .post_to_connection()
        .connection_id(id)
        .data(Blob::new(br#"{"type":"custom"}"#.to_vec()))
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        refused => Err(crate::helpers::refusal(refused)),
    }
}

/// A raw POST to the management API with extra header lines.
async fn raw_post(addr: SocketAddr, path: &str, extra: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let body = r#"{"type":"forged"}"#;
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Content-Type: text/plain\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(crate::helpers::WAIT, s.read_to_end(&mut buf))
        .await
        .expect("no response in time")
        .unwrap();
    let text = String::from_utf8_lossy(&buf).to_lowercase();
    (crate::helpers::status_of(&text), text)
}

fn path(id: &str) -> String {
    format!(
        "/local/@connections/{}",
        id.replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    )
}

#[tokio::test]
async fn only_calls_signed_with_the_key_get_through() {
    let server = spawn(keyed()).await;
    let mut c = server.connect("room=k&name=Kay").await;
    let id = c.connection_id().await;

    // The right key: post, get and delete all work.
    let good = sdk(&server, KEY_ID, SECRET);
    post(&good, &id).await.expect("signed post");
    assert_eq!(c.recv().await, json!({"type":"custom"}));
    good.get_connection()
        .connection_id(&id)
        .send()
        .await
        .expect("signed get");

    let refusals = [
        (
            sdk(&server, KEY_ID, "not the secret"),
            "InvalidSignatureException",
        ),
        (
            sdk(&server, "AKIDSTRANGER", SECRET),
            "UnrecognizedClientException",
        ),
        (
            sdk_at(server.addr, KEY_ID, SECRET, Duration::from_secs(20 * 60)),
            "InvalidSignatureException",
        ),
    ];
    for (client, expected) in &refusals {
        // Nothing is delivered.
        assert_eq!(
            post(client, &id).await,
            Err((403, expected.to_string())),
            "{expected}"
        );
    }
    // With its retries, the SDK corrects its clock from the refusal's
    // `Date` header, as it does with AWS.
    let late = Sdk::from_conf(
        refusals[2]
            .0
            .config()
            .to_builder()
            .retry_config(RetryConfig::standard())
            .build(),
    );
    post(&late, &id).await.expect("the SDK corrects its clock");
    assert_eq!(c.recv().await, json!({"type":"custom"}));
    // Unsigned, from this very machine.
    let (status, head) = raw_post(server.addr, &path(&id), "").await;
    assert_eq!(status, 403);
    assert!(
        head.contains("x-amzn-errortype: missingauthenticationtokenexception"),
        "{head}"
    );
    // A signature a browser page could never make is still a browser.
    let (status, head) = raw_post(server.addr, &path(&id), "Origin: http://evil.example\r\n").await;
    assert_eq!(status, 403);
    assert!(
        head.contains("x-amzn-errortype: forbiddenexception"),
        "{head}"
    );
    // Nothing of the refused calls reached the client.
    c.assert_silent().await;

    good.delete_connection()
        .connection_id(&id)
        .send()
        .await
        .expect("signed delete");
    assert!(c.closed(Duration::from_secs(5)).await.is_some());
    server.stop().await;
}

#[tokio::test]
async fn without_a_key_browsers_are_refused_even_on_loopback() {
    let server = spawn(config()).await;
    let mut c = server.connect("room=b&name=Bo").await;
    let id = c.connection_id().await;
    for header in [
        "Origin: http://evil.example\r\n",
        "Origin: null\r\n",
        "Sec-Fetch-Site: cross-site\r\n",
    ] {
        let (status, head) = raw_post(server.addr, &path(&id), header).await;
        assert_eq!(status, 403, "{header}");
        assert!(
            head.contains("x-amzn-errortype: forbiddenexception"),
            "{head}"
        );
    }
    // A local tool (no Origin) still posts.
    let (status, _) = raw_post(server.addr, &path(&id), "").await;
    assert_eq!(status, 200);
    assert_eq!(c.recv().await, json!({"type":"forged"}));
    c.assert_silent().await;
    server.stop().await;
}

/// An address of this machine that is not loopback, so a connection to it
/// arrives from a non-loopback peer.
fn non_loopback_address() -> Option<IpAddr> {
    let s = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    // No packet is sent: connecting a UDP socket only picks a route.
    s.connect("192.0.2.1:9").ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn other_machines_need_the_key() {
    let Some(lan) = non_loopback_address() else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "this machine has no non-loopback address to test from"
        );
        eprintln!("SKIP: no non-loopback address");
        return;
    };
    for keyed_server in [false, true] {
        let cfg = if keyed_server { keyed() } else { config() };
        // `--addr 0.0.0.0:0`: reachable from this machine's other address.
        let server = honyaku::testing::start_server_on("0.0.0.0:0".parse().unwrap(), cfg).await;
        let port = server.addr.port();
        let local = SocketAddr::from(([127, 0, 0, 1], port));
        let remote = SocketAddr::new(lan, port);
        let mut c = Client::connect(&format!("ws://{local}/local?room=n&name=Ned")).await;
        let id = c.connection_id().await;

        let from_lan = sdk_at(remote, KEY_ID, SECRET, Duration::ZERO);
        let (status, head) = raw_post(remote, &path(&id), "").await;
        assert_eq!(status, 403);
        if keyed_server {
            // Any peer may call, signed.
            assert!(
                head.contains("missingauthenticationtokenexception"),
                "{head}"
            );
            post(&from_lan, &id)
                .await
                .expect("signed post from the LAN");
            assert_eq!(c.recv().await, json!({"type":"custom"}));
        } else {
            assert!(
                head.contains("x-amzn-errortype: forbiddenexception"),
                "{head}"
            );
            assert_eq!(
                post(&from_lan, &id).await,
                Err((403, "ForbiddenException".into()))
            );
            // Loopback is fine.
            let (status, _) = raw_post(local, &path(&id), "").await;
            assert_eq!(status, 200);
            assert_eq!(c.recv().await, json!({"type":"forged"}));
        }
        c.assert_silent().await;
        server.stop().await;
    }
}

#[test]
fn management_keys_parse_and_hide_their_secret() {
    let k: ManagementKey = format!("{KEY_ID}:{SECRET}").parse().unwrap();
    assert_eq!(k.id, KEY_ID);
    assert!(!format!("{k:?}").contains(SECRET));
}

/// The Lambda's push adapter signs with its SDK credentials, so a keyed
/// local server takes its posts when given the same key.
#[cfg(feature = "aws")]
#[tokio::test]
async fn the_push_adapter_signs_its_posts() {
    use aws_sdk_apigatewaymanagement::config::BehaviorVersion;
    use aws_sdk_apigatewaymanagement::config::SharedCredentialsProvider;
    use honyaku::model::ConnectionId;
    use honyaku::ports::{Frame, Push, PushError};

    let server = spawn(keyed()).await;
    let mut c = server.connect("room=p&name=Pu").await;
    let id = c.connection_id().await;
    let push_with = |secret: &str| {
        let sdk = aws_config::SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                KEY_ID, secret, None, None, "test",
            )))
            .http_client(honyaku::aws::sdk::http_client())
            .build();
        honyaku::push::ApiGatewayPush::new(sdk, Some(format!("http://{}/local", server.addr)))
    };
    push_with(SECRET)
        .post(
            &ConnectionId::new(&id),
            &Frame::new(r#"{"type":"pushed"}"#.into()),
        )
        .await
        .expect("signed push");
    assert_eq!(c.recv().await, json!({"type":"pushed"}));
    let refused = push_with("wrong")
        .post(&ConnectionId::new(&id), &Frame::new("{}".into()))
        .await;
    assert!(matches!(refused, Err(PushError::Other(_))), "{refused:?}");
    c.assert_silent().await;
    server.stop().await;
}
