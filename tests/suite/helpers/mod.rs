//! Helpers for the end-to-end suite: the library's test server
//! (`honyaku::testing::start_server`), real WebSocket clients (`Client`),
//! a tiny HTTP client, and the real binary (`binary`).

pub mod apertium;
pub mod binary;
pub mod lambda;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use aws_sdk_apigatewaymanagement::config::http::HttpResponse;
use aws_sdk_apigatewaymanagement::error::{ProvideErrorMetadata, SdkError};
use futures_util::{SinkExt, StreamExt};
use honyaku::config::{ServeConfig, StoreKind};
use honyaku::core::Policy;
pub use honyaku::testing::{TestServer, start_server, test_config};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for a reply on a socket it reads to the end.
pub const WAIT: Duration = Duration::from_secs(5);
/// How long a test waits for a frame that should come. Generous: a cold
/// DynamoDB Local on a busy 2-CPU CI machine took over 5 s for a first
/// message's store calls; a frame that never comes fails all the same.
pub const FRAME_WAIT: Duration = Duration::from_secs(20);
/// How long a test listens to be sure a frame does not come.
pub const QUIET: Duration = Duration::from_millis(300);

/// Tests that load the machine (hundreds of sockets, the real binary under
/// load) take turns: on 2 cores, two of them at once measure the machine,
/// not the server.
pub async fn heavy() -> tokio::sync::MutexGuard<'static, ()> {
    static HEAVY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    HEAVY.lock().await
}

/// The memory store and the pseudo engine.
pub fn config() -> ServeConfig {
    test_config()
}

/// [`config`] with `policy`.
pub fn with_policy(policy: Policy) -> ServeConfig {
    ServeConfig { policy, ..config() }
}

pub fn redb_config(dir: PathBuf) -> ServeConfig {
    ServeConfig {
        store: StoreKind::Redb,
        data_dir: dir,
        ..config()
    }
}

/// Starts `honyaku serve` in-process on a free port.
pub async fn spawn(config: ServeConfig) -> TestServer {
    start_server(config).await
}

/// Opening WebSocket clients on a test server.
pub trait Connect {
    fn connect(&self, query: &str) -> impl std::future::Future<Output = Client>;
}

impl Connect for TestServer {
    async fn connect(&self, query: &str) -> Client {
        Client::connect(&self.ws(query)).await
    }
}

pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    pub async fn connect(url: &str) -> Client {
        let (ws, resp) = tokio_tungstenite::connect_async(url)
            .await
            .unwrap_or_else(|e| panic!("connect {url}: {e}"));
        assert_eq!(resp.status(), 101);
        Client { ws }
    }

    /// Connects in `room` as `name` speaking `lang`, and drains nothing.
    pub async fn join(server: &TestServer, room: &str, lang: &str, name: &str) -> Client {
        server
            .connect(&format!("room={room}&lang={lang}&name={name}"))
            .await
    }

    pub async fn send(&mut self, frame: Value) {
        self.ws
            .send(Message::text(frame.to_string()))
            .await
            .unwrap();
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.ws.send(Message::text(text.to_owned())).await.unwrap();
    }

    /// The next text frame, as JSON.
    pub async fn recv(&mut self) -> Value {
        loop {
            let msg = tokio::time::timeout(FRAME_WAIT, self.ws.next())
                .await
                .expect("no frame in time")
                .expect("socket ended")
                .expect("socket error");
            match msg {
                Message::Text(t) => return serde_json::from_str(&t).expect("frame is JSON"),
                Message::Close(c) => panic!("closed while waiting for a frame: {c:?}"),
                _ => {}
            }
        }
    }

    /// The next frame of type `ty`, skipping others (presence, ...).
    pub async fn recv_type(&mut self, ty: &str) -> Value {
        loop {
            let f = self.recv().await;
            if f["type"] == ty {
                return f;
            }
        }
    }

    /// Asserts no frame arrives for a while.
    pub async fn assert_silent(&mut self) {
        if let Ok(Some(Ok(msg))) = tokio::time::timeout(QUIET, self.ws.next()).await {
            panic!("expected silence, got {msg:?}");
        }
    }

    /// Waits for the server's close frame.
    pub async fn closed(&mut self, within: Duration) -> Option<CloseFrame> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let next = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .expect("socket not closed in time");
            match next {
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// Joins (staying where it is) and returns its connection id, as the
    /// management API names it.
    pub async fn connection_id(&mut self) -> String {
        let joined = self
            .request(serde_json::json!({"action":"join"}), "joined")
            .await;
        joined["connectionId"].as_str().unwrap().to_owned()
    }

    /// Every message of the current room's history, oldest first, read
    /// page by page (each `history` frame no larger than `max_frame`
    /// bytes) in the reader's language.
    pub async fn whole_history(&mut self, max_frame: usize) -> Vec<Value> {
        let mut older_first = Vec::new();
        let mut ask = serde_json::json!({"action":"history","limit":100});
        loop {
            let page = self.request(ask.clone(), "history").await;
            assert!(
                page.to_string().len() <= max_frame,
                "a page over {max_frame} bytes"
            );
            let mut messages = page["messages"].as_array().cloned().unwrap_or_default();
            messages.append(&mut older_first);
            older_first = messages;
            if page["next"].is_null() {
                return older_first;
            }
            ask["before"] = page["next"].clone();
        }
    }

    /// The code of the server's close frame, which must come within `within`.
    pub async fn close_code(&mut self, within: Duration) -> u16 {
        let frame = self.closed(within).await.expect("a close frame");
        u16::from(frame.code)
    }

    pub async fn request(&mut self, frame: Value, ty: &str) -> Value {
        self.send(frame).await;
        self.recv_type(ty).await
    }
}

/// A minimal HTTP/1.1 GET: (status, headers lowercased, body).
pub async fn http_get(addr: SocketAddr, path: &str) -> (u16, String, String) {
    http_request(addr, "GET", path, None).await
}

/// A minimal HTTP/1.1 POST of a JSON body: (status, headers lowercased, body).
pub async fn http_post(addr: SocketAddr, path: &str, body: &[u8]) -> (u16, String, String) {
    http_request(addr, "POST", path, Some(body)).await
}

async fn http_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&[u8]>,
) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let length = body.map_or(String::new(), |b| {
        format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        )
    });
    let head =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{length}Connection: close\r\n\r\n");
    s.write_all(head.as_bytes()).await.unwrap();
    if let Some(body) = body {
        // A server may answer (413) and close before reading an oversized body.
        let _ = s.write_all(body).await;
    }
    let mut buf = Vec::new();
    // A server may reset right after an error response: keep what came.
    let _ = tokio::time::timeout(WAIT, s.read_to_end(&mut buf))
        .await
        .expect("no HTTP response in time");
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (status_of(head), head.to_lowercase(), body.to_owned())
}

/// The status code of a raw HTTP response (0 when there is none).
pub fn status_of(response: &str) -> u16 {
    response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The HTTP status of a WebSocket handshake sent with `Origin: origin`
/// (101 when accepted).
pub async fn status_with_origin(url: &str, origin: &str) -> u16 {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = url.into_client_request().unwrap();
    req.headers_mut().insert("Origin", origin.parse().unwrap());
    match tokio_tungstenite::connect_async(req).await {
        Ok((_, resp)) => resp.status().as_u16(),
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => resp.status().as_u16(),
        Err(e) => panic!("{e}"),
    }
}

/// The HTTP status of a refused WebSocket handshake.
pub async fn rejected_status(url: &str) -> u16 {
    match tokio_tungstenite::connect_async(url).await {
        Ok(_) => panic!("handshake to {url} was accepted"),
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => resp.status().as_u16(),
        Err(e) => panic!("unexpected error for {url}: {e}"),
    }
}

/// What the management API answered an SDK call it refused: the HTTP
/// status and the error type (`GoneException`, ...).
pub fn refusal<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(
    result: Result<T, SdkError<E, HttpResponse>>,
) -> (u16, String) {
    let err = result.expect_err("the call is refused");
    let status = err.raw_response().map_or(0, |r| r.status().as_u16());
    (status, err.code().unwrap_or_default().to_owned())
}

/// The management API client of the AWS SDK for the server at `addr`
/// (stage `local`): test credentials, no retries, plain HTTP. Callers
/// change what their test is about (credentials, clock).
pub fn management_sdk(addr: SocketAddr) -> aws_sdk_apigatewaymanagement::config::Builder {
    use aws_sdk_apigatewaymanagement::config::retry::RetryConfig;
    use aws_sdk_apigatewaymanagement::config::{BehaviorVersion, Credentials, Region};
    aws_sdk_apigatewaymanagement::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .endpoint_url(format!("http://{addr}/local"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(RetryConfig::disabled())
}
