//! Who may call the management API, as API Gateway guards it with IAM:
//! never a browser (an `Origin` or `Sec-Fetch-Site: cross-site` header:
//! a page the user visits must not be able to post frames or kick anyone);
//! with a management key, only requests signed by it (SigV4, service
//! `execute-api`, from any peer); without one, only loopback peers.
//! Refusals are 403 with API Gateway's `x-amzn-ErrorType`, and nothing is
//! delivered.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderMap, StatusCode};

use super::gateway::Gateway;
use super::management::aws_error;
use super::sigv4;
use crate::limits::MAX_MESSAGE_BYTES;

/// The signing name of API Gateway's management API.
const SERVICE: &str = "execute-api";

/// Middleware in front of every `@connections` route.
pub async fn guard(
    State(gw): State<Arc<Gateway>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    let forbidden = |why: &str| aws_error(StatusCode::FORBIDDEN, "ForbiddenException", why);
    let (parts, body) = req.into_parts();
    if is_browser(&parts.headers) {
        tracing::warn!(%peer, "management API call from a browser refused");
        return forbidden("browsers may not call the management API");
    }
    let Some(key) = &gw.config.management_key else {
        if !is_local(peer.ip(), &parts.headers) {
            tracing::warn!(%peer, "management API call from another machine refused");
            return forbidden(
                "the management API answers only this machine; start the server with \
                 --management-key to accept signed calls from elsewhere",
            );
        }
        return next.run(Request::from_parts(parts, body)).await;
    };
    // The signature covers the body: read it (within API Gateway's limit).
    let Ok(bytes) = axum::body::to_bytes(body, MAX_MESSAGE_BYTES).await else {
        return aws_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLargeException",
            &format!("the payload is over {MAX_MESSAGE_BYTES} bytes"),
        );
    };
    if let Err(e) = sigv4::verify(key, SERVICE, &parts, &bytes, chrono::Utc::now()) {
        tracing::warn!(%peer, error_type = e.error_type(), "unsigned or badly signed management API call refused");
        return aws_error(StatusCode::FORBIDDEN, e.error_type(), &e.to_string());
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// A browser always sends `Origin` on a cross-origin POST or DELETE, and
/// `Sec-Fetch-Site` on everything; API Gateway's API cannot be called from
/// a page without AWS keys, so neither can this one.
fn is_browser(headers: &HeaderMap) -> bool {
    headers.contains_key(http::header::ORIGIN)
        || headers
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"))
}

/// A loopback peer that is not a proxy forwarding someone else's request.
fn is_local(ip: IpAddr, headers: &HeaderMap) -> bool {
    let forwarded = ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|h| headers.contains_key(*h));
    ip.to_canonical().is_loopback() && !forwarded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_counts_as_local_and_as_a_browser() {
        let none = HeaderMap::new();
        assert!(is_local("127.0.0.1".parse().unwrap(), &none));
        assert!(is_local("127.8.9.1".parse().unwrap(), &none));
        assert!(is_local("::1".parse().unwrap(), &none));
        assert!(is_local("::ffff:127.0.0.1".parse().unwrap(), &none));
        assert!(!is_local("192.168.1.2".parse().unwrap(), &none));
        let mut proxied = HeaderMap::new();
        proxied.insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
        assert!(!is_local("127.0.0.1".parse().unwrap(), &proxied));

        assert!(!is_browser(&none));
        let mut h = HeaderMap::new();
        h.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert!(!is_browser(&h));
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(is_browser(&h));
        let mut h = HeaderMap::new();
        h.insert("origin", "null".parse().unwrap());
        assert!(is_browser(&h));
    }
}
