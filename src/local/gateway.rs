//! The WebSocket handshake at `/{stage}`, API Gateway style: a fresh
//! connection id, `$connect` run to completion before the 101, and a refusal
//! passed through as the handler's HTTP status with no connection left over.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicI64;

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::encodings::Body as LambdaBody;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use hyper_util::rt::TokioIo;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::connections::{ConnInfo, Registry};
use super::events::{EventContext, connect_event, new_id};
use super::session;
use crate::config::ServeConfig;
use crate::core::App;
use crate::limits::{LOCAL_SEND_QUEUE, MAX_FRAME_BYTES, MAX_MESSAGE_BYTES};
use crate::model::ConnectionId;

/// Shared state of the local gateway.
pub struct Gateway {
    pub app: App,
    pub registry: Arc<Registry>,
    pub config: ServeConfig,
    pub domain_name: String,
    /// Cancelled on shutdown: every session closes and runs `$disconnect`.
    pub shutdown: CancellationToken,
    /// Live sessions, so shutdown can wait for their `$disconnect`.
    pub sessions: TaskTracker,
}

impl Gateway {
    /// Hands an event to the Lambda entry the way the Lambda runtime does:
    /// through its JSON form, so a field that would not survive the trip to
    /// AWS does not survive here either.
    pub async fn invoke(&self, event: ApiGatewayWebsocketProxyRequest) -> ApiGatewayProxyResponse {
        let event = serde_json::to_vec(&event)
            .and_then(|json| serde_json::from_slice::<ApiGatewayWebsocketProxyRequest>(&json));
        match event {
            Ok(event) => crate::lambda::handle(&self.app, event).await,
            Err(e) => {
                tracing::error!(error = %e, "event did not survive its JSON form");
                let mut r = ApiGatewayProxyResponse::default();
                r.status_code = 500;
                r
            }
        }
    }

    fn ws_config(&self) -> WebSocketConfig {
        // A small read buffer: tungstenite's default (128 KiB, zero-filled
        // on first read) would keep 128 KiB resident per idle chat socket.
        // Larger frames still arrive whole; the buffer only sets the chunk.
        WebSocketConfig::default()
            .read_buffer_size(1024)
            .max_frame_size(Some(MAX_FRAME_BYTES))
            .max_message_size(Some(MAX_MESSAGE_BYTES))
    }
}

/// `GET /{stage}` with `Upgrade: websocket`.
pub async fn handshake(
    State(gw): State<Arc<Gateway>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut req: Request,
) -> Response {
    let Some(key) = websocket_key(&req) else {
        return (
            StatusCode::UPGRADE_REQUIRED,
            "this endpoint speaks WebSocket only\n",
        )
            .into_response();
    };
    // Like API Gateway at its limit: refused before `$connect` runs.
    if gw.registry.len() >= gw.config.max_connections {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            "the server is at its connection limit\n",
        )
            .into_response();
    }
    if gw.shutdown.is_cancelled() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is shutting down\n",
        )
            .into_response();
    }
    let now = chrono::Utc::now().timestamp_millis();
    let ctx = EventContext {
        stage: gw.config.stage.clone(),
        domain_name: gw.domain_name.clone(),
        connection_id: new_id(),
        connected_at_ms: now,
        source_ip: peer.ip().to_string(),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    let event = connect_event(&ctx, req.headers(), req.uri().query().unwrap_or(""));
    let reply = gw.invoke(event).await;
    if !(200..300).contains(&reply.status_code) {
        return refusal(reply);
    }

    let id = ConnectionId::new(&ctx.connection_id);
    let info = Arc::new(ConnInfo {
        connected_at_ms: now,
        last_active_ms: AtomicI64::new(now),
        source_ip: ctx.source_ip.clone(),
        user_agent: ctx.user_agent.clone(),
    });
    let (tx, rx) = mpsc::channel(LOCAL_SEND_QUEUE);
    gw.registry.register(id, tx.clone(), info.clone());

    let on_upgrade = hyper::upgrade::on(&mut req);
    let config = gw.ws_config();
    let gw2 = gw.clone();
    gw.sessions.spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                let ws = WebSocketStream::from_raw_socket(
                    TokioIo::new(upgraded),
                    Role::Server,
                    Some(config),
                )
                .await;
                session::run(gw2, ctx, info, ws, tx, rx).await;
            }
            Err(e) => {
                tracing::info!(conn = %ctx.connection_id, error = %e, "upgrade failed");
                session::end(&gw2, &ctx, 1006, "upgrade failed").await;
            }
        }
    });

    Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::UPGRADE, "websocket")
        .header(header::CONNECTION, "Upgrade")
        .header(
            header::SEC_WEBSOCKET_ACCEPT,
            derive_accept_key(key.as_bytes()),
        )
        .body(Body::empty())
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// The `Sec-WebSocket-Key` of a well-formed upgrade request.
fn websocket_key(req: &Request) -> Option<HeaderValue> {
    let h = req.headers();
    let has = |name: header::HeaderName, token: &str| {
        h.get_all(name).iter().any(|v| {
            v.to_str()
                .map(|s| s.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
                .unwrap_or(false)
        })
    };
    let ok = req.method() == http::Method::GET
        && has(header::UPGRADE, "websocket")
        && has(header::CONNECTION, "upgrade")
        && h.get(header::SEC_WEBSOCKET_VERSION)
            .is_some_and(|v| v == "13");
    ok.then(|| h.get(header::SEC_WEBSOCKET_KEY).cloned())
        .flatten()
}

/// A refused `$connect`: the handler's status and body, nothing else.
fn refusal(reply: ApiGatewayProxyResponse) -> Response {
    let status = u16::try_from(reply.status_code)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = match reply.body {
        Some(LambdaBody::Text(t)) => Body::from(t),
        Some(LambdaBody::Binary(b)) => Body::from(b),
        _ => Body::empty(),
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    for (k, v) in reply.headers.iter() {
        resp.headers_mut().insert(k.clone(), v.clone());
    }
    resp
}
