//! The API Gateway Management API for local connections:
//! `POST|GET|DELETE /{stage}/@connections/{id}`, with API Gateway's status
//! codes and error shapes so the AWS SDKs work against it unchanged.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use http::StatusCode;
use serde_json::json;

use super::connections::Outbound;
use super::gateway::Gateway;
use crate::limits::MAX_MESSAGE_BYTES;
use crate::model::ConnectionId;
use crate::ports::PushError;

/// An error the SDKs recognise: the type in `x-amzn-ErrorType`, a message
/// in the body.
pub(super) fn aws_error(status: StatusCode, error_type: &'static str, message: &str) -> Response {
    (
        status,
        [
            ("x-amzn-ErrorType", error_type),
            ("content-type", "application/json"),
        ],
        json!({ "message": message }).to_string(),
    )
        .into_response()
}

fn gone() -> Response {
    aws_error(
        StatusCode::GONE,
        "GoneException",
        "the connection does not exist or is closed",
    )
}

/// `PostToConnection`: the body becomes one frame to the client.
#[tracing::instrument(skip(gw, body), fields(bytes = body.len()))]
pub async fn post(State(gw): State<Arc<Gateway>>, Path(id): Path<String>, body: Bytes) -> Response {
    if body.len() > MAX_MESSAGE_BYTES {
        return aws_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLargeException",
            &format!(
                "payload is {} bytes; the limit is {MAX_MESSAGE_BYTES}",
                body.len()
            ),
        );
    }
    let out = if std::str::from_utf8(&body).is_ok() {
        Outbound::Text(body)
    } else {
        Outbound::Binary(body)
    };
    match gw.registry.send(&ConnectionId::new(id), out) {
        Ok(()) => StatusCode::OK.into_response(),
        Err(PushError::Gone) => gone(),
        Err(e) => aws_error(
            StatusCode::TOO_MANY_REQUESTS,
            "LimitExceededException",
            &e.to_string(),
        ),
    }
}

/// `GetConnection`.
#[tracing::instrument(skip(gw))]
pub async fn get(State(gw): State<Arc<Gateway>>, Path(id): Path<String>) -> Response {
    let Some(info) = gw.registry.info(&ConnectionId::new(id)) else {
        return gone();
    };
    let iso = |ms: i64| {
        DateTime::<Utc>::from_timestamp_millis(ms)
            .unwrap_or_default()
            .to_rfc3339_opts(SecondsFormat::Millis, true)
    };
    let body = json!({
        "connectedAt": iso(info.ctx.connected_at_ms),
        "lastActiveAt": iso(info.last_active_ms()),
        "identity": { "sourceIp": info.ctx.source_ip, "userAgent": info.ctx.user_agent },
    });
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// `DeleteConnection`: 204 at once; the socket closes and `$disconnect` runs.
#[tracing::instrument(skip(gw))]
pub async fn delete(State(gw): State<Arc<Gateway>>, Path(id): Path<String>) -> Response {
    match gw.registry.send(
        &ConnectionId::new(id),
        Outbound::Close(1000, "Connection closed by server"),
    ) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(PushError::Gone) => gone(),
        Err(e) => aws_error(
            StatusCode::TOO_MANY_REQUESTS,
            "LimitExceededException",
            &e.to_string(),
        ),
    }
}
