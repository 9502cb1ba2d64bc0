//! [`Gateway`]: the state every part of the local gateway shares — the
//! core, the live connections, the configuration, the shutdown signal and
//! the tasks to wait for — and [`Gateway::invoke`], the one way an event
//! reaches the Lambda entry.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::connections::Registry;
use super::host_check::Hosts;
use super::slots::Slots;
use super::web::Site;
use crate::config::ServeConfig;
use crate::core::App;
use crate::limits::{MAX_FRAME_BYTES, MAX_MESSAGE_BYTES};
use crate::model::ConnectionId;
use crate::ports::{Frame, Push};

/// Bytes of queued frames written to a socket at once, at most.
const WRITE_BATCH: usize = 16 * 1024;

/// Shared state of the local gateway.
pub struct Gateway {
    pub app: App,
    pub registry: Arc<Registry>,
    pub config: ServeConfig,
    /// `config.stage`, shared by every connection's events.
    pub stage: Arc<str>,
    /// Where this gateway listens (the events' `domainName`).
    pub domain_name: Arc<str>,
    /// Cancelled on shutdown, or when the server loop fails: every task
    /// stops, every session closes and runs `$disconnect`.
    pub shutdown: CancellationToken,
    /// Every task the gateway starts — HTTP connections, sessions, the
    /// sweep — so shutdown can wait for all of them.
    pub tasks: TaskTracker,
    /// Places under `--max-connections`.
    pub slots: Arc<Slots>,
    /// The chat page.
    pub site: Arc<Site>,
    /// The `Host` values this server answers to.
    pub hosts: Hosts,
}

impl Gateway {
    /// Hands an event to the Lambda entry the way the Lambda runtime does:
    /// through its JSON form, so a field that would not survive the trip to
    /// AWS does not survive here either.
    ///
    /// The trip is made at once and the handler's work is boxed: whoever
    /// waits for it holds one pointer, not the event and the handler's
    /// state (a session idles with none of it, and there are thousands).
    pub fn invoke(
        &self,
        event: ApiGatewayWebsocketProxyRequest,
    ) -> Pin<Box<dyn Future<Output = ApiGatewayProxyResponse> + Send + '_>> {
        let rc = &event.request_context;
        let (route, conn, request) = (
            rc.route_key.clone().unwrap_or_default(),
            rc.connection_id.clone().unwrap_or_default(),
            rc.request_id.clone().unwrap_or_default(),
        );
        let event = serde_json::to_vec(&event)
            .and_then(|json| serde_json::from_slice::<ApiGatewayWebsocketProxyRequest>(&json));
        Box::pin(async move {
            let event = match event {
                Ok(event) => event,
                Err(e) => {
                    tracing::error!(error = %e, "event did not survive its JSON form");
                    return status(500);
                }
            };
            let limit = self.config.integration_timeout;
            match tokio::time::timeout(limit, crate::lambda::handle(&self.app, event)).await {
                Ok(reply) => reply,
                Err(_) => self.timed_out(&route, &conn, &request).await,
            }
        })
    }

    /// A handler past the integration timeout is cut off, as Lambda stops
    /// it on AWS; the client hears what API Gateway tells it then (a
    /// handshake: 504).
    async fn timed_out(&self, route: &str, conn: &str, request: &str) -> ApiGatewayProxyResponse {
        tracing::warn!(route, conn, limit = ?self.config.integration_timeout,
            "the handler ran past the integration timeout and was cut off");
        if route != "$connect" && route != "$disconnect" {
            let frame = serde_json::json!({
                "message": "Endpoint request timed out",
                "connectionId": conn,
                "requestId": request,
            });
            let id = ConnectionId::new(conn);
            let _ = self
                .registry
                .post(&id, &Frame::new(frame.to_string()))
                .await;
        }
        status(504)
    }

    pub fn ws_config(&self) -> WebSocketConfig {
        // A small read buffer: tungstenite's default (128 KiB, zero-filled
        // on first read) would keep 128 KiB resident per idle chat socket.
        // Larger frames still arrive whole; the buffer only sets the chunk.
        // Queued frames are written together, up to WRITE_BATCH at a time:
        // the buffer they pass through keeps its size, so it stays small.
        WebSocketConfig::default()
            .read_buffer_size(1024)
            .write_buffer_size(WRITE_BATCH)
            .max_frame_size(Some(MAX_FRAME_BYTES))
            .max_message_size(Some(MAX_MESSAGE_BYTES))
    }
}

fn status(code: i64) -> ApiGatewayProxyResponse {
    let mut r = ApiGatewayProxyResponse::default();
    r.status_code = code;
    r
}
