//! The accept loop: every TCP connection reserves its place under the
//! connection cap first, then is served as HTTP/1.1 with API Gateway's
//! limits on the request head (10 KB → 431) and a deadline for it
//! (slowloris), and one for the whole request, body included
//! (`deadline.rs`), upgrades allowed. At shutdown, open HTTP connections finish
//! their request and close; every connection task is tracked.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use super::deadline::DeadlineBody;
use super::gateway::Gateway;
use super::slots::ConnSlot;
use crate::limits::MAX_REQUEST_HEAD_BYTES;

/// Connections over the cap that are still answered 429 (beyond this many
/// at once they are simply closed): a flood costs a bounded amount.
const REFUSALS_AT_ONCE: usize = 256;
/// How long an open HTTP connection gets to finish at shutdown.
const DRAIN: Duration = Duration::from_secs(5);

/// Accepts until shutdown. Returns an error only when accepting itself
/// fails for good.
pub async fn accept_loop(
    gw: Arc<Gateway>,
    listener: TcpListener,
    router: Router,
) -> std::io::Result<()> {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(gw.config.header_read_timeout)
        .max_header_size(MAX_REQUEST_HEAD_BYTES)
        // The read buffer bounds a head that never completes.
        .max_buf_size(MAX_REQUEST_HEAD_BYTES + 8 * 1024);
    let refusals = Arc::new(Semaphore::new(REFUSALS_AT_ONCE));
    loop {
        let (stream, peer) = tokio::select! {
            _ = gw.shutdown.cancelled() => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) if is_transient(&e) => {
                    // Out of file descriptors, or a connection reset before
                    // it was accepted: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accepting a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
                Err(e) => return Err(e),
            },
        };
        match gw.slots.acquire(peer.ip()) {
            Some(slot) => {
                let service = connection_service(
                    router.clone(),
                    peer,
                    ConnSlot::new(slot),
                    gw.config.request_read_timeout,
                );
                spawn_connection(&gw, &http, stream, service);
            }
            None => {
                let Ok(permit) = refusals.clone().try_acquire_owned() else {
                    continue;
                };
                tracing::debug!(%peer, "at the connection limit");
                let service = hyper::service::service_fn(|_req: http::Request<Incoming>| async {
                    Ok::<_, Infallible>(at_capacity())
                });
                let conn = http.serve_connection(TokioIo::new(stream), service);
                gw.tasks.spawn(async move {
                    let _ = conn.await;
                    drop(permit);
                });
            }
        }
    }
}

/// The router for one connection, with its peer address (for
/// `ConnectInfo`) and its place under the cap in every request, and each
/// request's body due within `read_timeout` of its head (else 408).
fn connection_service(
    router: Router,
    peer: SocketAddr,
    slot: ConnSlot,
    read_timeout: Duration,
) -> impl hyper::service::Service<
    http::Request<Incoming>,
    Response = Response,
    Error = Infallible,
    Future = impl Future<Output = Result<Response, Infallible>> + Send,
> + Clone
+ Send
+ 'static {
    let tower = TowerToHyperService::new(router);
    hyper::service::service_fn(move |req: http::Request<Incoming>| {
        let expired = CancellationToken::new();
        let deadline = tokio::time::Instant::now() + read_timeout;
        let (mut parts, body) = req.into_parts();
        parts.extensions.insert(ConnectInfo(peer));
        parts.extensions.insert(slot.clone());
        let body = Body::new(DeadlineBody::new(body, deadline, expired.clone()));
        let call = hyper::service::Service::call(&tower, http::Request::from_parts(parts, body));
        async move {
            // The handler may answer the failed body itself (400): the
            // deadline's own answer wins.
            tokio::select! {
                _ = expired.cancelled() => Ok(too_slow()),
                answered = call => Ok(if expired.is_cancelled() { too_slow() } else { answered? }),
            }
        }
    })
}

/// What a request whose body came too slowly gets; the connection closes
/// (the rest of the body is never read).
fn too_slow() -> Response {
    (
        StatusCode::REQUEST_TIMEOUT,
        [(header::CONNECTION, "close")],
        Body::from("the request did not arrive in time\n"),
    )
        .into_response()
}

fn spawn_connection<S>(gw: &Arc<Gateway>, http: &http1::Builder, stream: TcpStream, service: S)
where
    S: hyper::service::Service<http::Request<Incoming>, Response = Response, Error = Infallible>
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let conn = http
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    let shutdown = gw.shutdown.clone();
    gw.tasks.spawn(async move {
        let mut conn = std::pin::pin!(conn);
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "HTTP connection ended with an error");
                }
            }
            _ = shutdown.cancelled() => {
                conn.as_mut().graceful_shutdown();
                let _ = tokio::time::timeout(DRAIN, conn).await;
            }
        }
    });
}

/// What a connection over the cap gets, whatever it asked.
fn at_capacity() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::CONNECTION, "close")],
        Body::from("the server is at its connection limit\n"),
    )
        .into_response()
}

fn is_transient(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | Interrupted | WouldBlock
    ) || matches!(e.raw_os_error(), Some(23 | 24))
}
