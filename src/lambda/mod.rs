//! The Lambda-shaped entry: one API Gateway WebSocket event in, one proxy
//! response out, dispatched on `routeKey`. `honyaku-lambda` runs it behind
//! `lambda_runtime`; the local gateway calls it with events it builds, so
//! both paths share every line below.
//!
//! - `rest.rs`: the REST API's entry, for HTTP API events (`POST /translate`).
//!
//! With feature `aws`, the Lambda function behind `honyaku-lambda`:
//!
//! - `function.rs`: init, the dispatch on the event's kind, the SDK
//!   clients made on first use;
//! - `environment.rs`: its configuration, read once from the environment;
//! - `secret.rs`: secrets from SSM (the room-token secret, the DeepL key);
//! - `engines.rs`: `TRANSLATORS` and the engines behind the router;
//! - `worker.rs`: the fan-out worker's SQS entry.

#[cfg(feature = "aws")]
pub mod engines;
#[cfg(feature = "aws")]
pub mod environment;
#[cfg(feature = "aws")]
pub mod function;
pub mod rest;
#[cfg(feature = "aws")]
pub mod secret;
#[cfg(feature = "aws")]
pub mod worker;

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::encodings::Body;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::core::{App, ConnectParams};
use crate::model::ConnectionId;

/// Handles one event. Replies to the client travel through the `Push` port,
/// so every route answers 200 except a refused `$connect`.
#[tracing::instrument(skip_all, fields(route, conn, request))]
pub async fn handle(app: &App, event: ApiGatewayWebsocketProxyRequest) -> ApiGatewayProxyResponse {
    let ctx = &event.request_context;
    let span = tracing::Span::current();
    span.record("route", ctx.route_key.as_deref().unwrap_or("-"));
    span.record("request", ctx.request_id.as_deref().unwrap_or("-"));
    let Some(id) = ctx.connection_id.as_deref() else {
        return response(400, "bad_request", "the event has no connectionId");
    };
    span.record("conn", id);
    let id = ConnectionId::new(id);
    match ctx.route_key.as_deref() {
        Some("$connect") => {
            let q = &event.query_string_parameters;
            let params = ConnectParams {
                room: q.first("room").map(str::to_owned),
                lang: q.first("lang").map(str::to_owned),
                name: q.first("name").map(str::to_owned),
                token: q.first("token").map(str::to_owned),
                client: q.first("client").map(str::to_owned),
                origin: header(&event, http::header::ORIGIN),
                host: header(&event, http::header::HOST),
                source_ip: ctx.identity.source_ip.clone(),
            };
            match app.connect(id, params, ctx.connected_at).await {
                Ok(()) => ok(),
                Err(e) => {
                    tracing::info!(code = e.code(), "connect refused");
                    response(e.status(), e.code(), &e.public_message())
                }
            }
        }
        Some("$disconnect") => {
            app.disconnect(&id).await;
            ok()
        }
        Some(_) => {
            app.message(&id, &body_text(&event)).await;
            ok()
        }
        None => response(400, "bad_request", "the event has no routeKey"),
    }
}

/// A header of the handshake, if present and readable.
fn header(
    event: &ApiGatewayWebsocketProxyRequest,
    name: http::header::HeaderName,
) -> Option<String> {
    event
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The frame as text; a binary frame arrives base64-encoded and, not being
/// JSON, ends up as a `bad_request`.
fn body_text(event: &ApiGatewayWebsocketProxyRequest) -> String {
    let body = event.body.as_deref().unwrap_or_default();
    if event.is_base64_encoded {
        let bytes = STANDARD.decode(body).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        body.to_owned()
    }
}

fn ok() -> ApiGatewayProxyResponse {
    let mut r = ApiGatewayProxyResponse::default();
    r.status_code = 200;
    r
}

fn response(status: u16, code: &str, message: &str) -> ApiGatewayProxyResponse {
    let mut r = ApiGatewayProxyResponse::default();
    r.status_code = i64::from(status);
    r.headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    r.body = Some(Body::Text(
        serde_json::json!({ "code": code, "message": message }).to_string(),
    ));
    r
}
