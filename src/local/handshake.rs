//! The WebSocket handshake at `/{stage}`, API Gateway style: a fresh
//! connection id, `$connect` run to completion before the 101, and a refusal
//! passed through as the handler's HTTP status with no connection left over.
//! The connection's place under the cap was reserved when it was accepted;
//! the session keeps it, a refusal gives it back at once.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

use super::client_ip::client_ip;
use super::connections::Live;
use super::events::{EventContext, connect_event, new_id};
use super::gateway::Gateway;
use super::response::into_response;
use super::session;
use super::slots::ConnSlot;
use crate::model::ConnectionId;

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
    // The place this connection reserved when it was accepted.
    let slot = req.extensions().get::<ConnSlot>().and_then(ConnSlot::take);
    if slot.is_none() {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "the server is at its connection limit\n",
        );
    }
    if gw.shutdown.is_cancelled() {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is shutting down\n",
        );
    }
    let now = chrono::Utc::now().timestamp_millis();
    let ctx = EventContext {
        stage: gw.stage.clone(),
        domain_name: gw.domain_name.clone(),
        connection_id: new_id(),
        connected_at_ms: now,
        source_ip: client_ip(peer, req.headers(), &gw.config.trusted_proxies).to_string(),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    let event = connect_event(&ctx, req.headers(), req.uri().query().unwrap_or(""));
    let reply = gw.invoke(event).await;
    if !(200..300).contains(&reply.status_code) {
        // The place is given back before the refusal is even sent.
        drop(slot);
        let mut resp = into_response(reply);
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return resp;
    }

    let live = Arc::new(Live::new(ctx));
    gw.registry
        .register(ConnectionId::new(&live.ctx.connection_id), live.clone());

    let on_upgrade = hyper::upgrade::on(&mut req);
    let config = gw.ws_config();
    let gw2 = gw.clone();
    gw.tasks.spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                let ws = WebSocketStream::from_raw_socket(
                    TokioIo::new(upgraded),
                    Role::Server,
                    Some(config),
                )
                .await;
                session::run(gw2, live, ws, slot).await;
            }
            Err(e) => {
                tracing::info!(conn = %live.ctx.connection_id, error = %e, "upgrade failed");
                session::end(&gw2, &live.ctx, 1006, "upgrade failed").await;
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

/// A refusal before `$connect` ran; the connection closes after it.
fn refuse(status: StatusCode, message: &'static str) -> Response {
    (status, [(header::CONNECTION, "close")], message).into_response()
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
