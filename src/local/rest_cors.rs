//! Who may call `POST /translate` from a web page: a browser's request
//! from another site (an `Origin` that is not the page's own, or
//! `Sec-Fetch-Site: cross-site`) is refused 403 unless `--allowed-origin`
//! lists its origin; then, and only then, the answer carries CORS headers
//! for that origin, and its preflight (`OPTIONS`) is answered. Clients that
//! are not browsers send neither header and pass. (The body must be JSON
//! too — `lambda::rest` — so a page cannot send it without a preflight.)

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

use super::gateway::Gateway;
use crate::core::Policy;
use crate::core::access::origin_allowed;

/// How long a browser may cache an accepted preflight.
const PREFLIGHT_MAX_AGE: &str = "600";

/// What the headers say about the caller.
#[derive(Debug, PartialEq, Eq)]
enum Caller {
    /// No browser, or the page's own origin: no CORS needed.
    Plain,
    /// A page elsewhere that `--allowed-origin` lists.
    Listed(HeaderValue),
    Refused,
}

fn classify(policy: &Policy, headers: &HeaderMap) -> Caller {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let cross_site = headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"));
    let Some(origin) = origin else {
        // Sec-Fetch-Site without Origin: a cross-site navigation or form.
        return if cross_site {
            Caller::Refused
        } else {
            Caller::Plain
        };
    };
    let listed = policy
        .allowed_origins
        .iter()
        .any(|o| o == "*" || *o == origin);
    if listed {
        return HeaderValue::from_str(&origin).map_or(Caller::Refused, Caller::Listed);
    }
    if !cross_site && origin_allowed(&Policy::default(), Some(&origin), host) {
        // The page's own origin.
        Caller::Plain
    } else {
        Caller::Refused
    }
}

/// Middleware on `/translate`: refuses cross-site browsers, answers the
/// preflight of a listed origin, adds CORS headers for it.
pub async fn guard(State(gw): State<Arc<Gateway>>, req: Request, next: Next) -> Response {
    let caller = classify(&gw.config.policy, req.headers());
    let preflight = req.method() == Method::OPTIONS;
    match caller {
        Caller::Refused => {
            tracing::info!("cross-site POST /translate refused");
            refusal()
        }
        Caller::Plain if preflight => StatusCode::NO_CONTENT.into_response(),
        Caller::Plain => next.run(req).await,
        Caller::Listed(origin) => {
            let mut resp = if preflight {
                let mut r = StatusCode::NO_CONTENT.into_response();
                let h = r.headers_mut();
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static("POST"),
                );
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static("content-type"),
                );
                h.insert(
                    header::ACCESS_CONTROL_MAX_AGE,
                    HeaderValue::from_static(PREFLIGHT_MAX_AGE),
                );
                r
            } else {
                next.run(req).await
            };
            let h = resp.headers_mut();
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            h.append(header::VARY, HeaderValue::from_static("Origin"));
            resp
        }
    }
}

fn refusal() -> Response {
    let body = serde_json::json!({
        "code": "forbidden",
        "message": "web pages on other sites may not call this API; start the server with \
                    --allowed-origin ORIGIN to allow one",
    })
    .to_string();
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn who_may_call() {
        let open = Policy::default();
        let host = ("host", "127.0.0.1:8080");
        assert_eq!(classify(&open, &headers(&[host])), Caller::Plain);
        let own = ("origin", "http://127.0.0.1:8080");
        assert_eq!(classify(&open, &headers(&[host, own])), Caller::Plain);
        let same = ("sec-fetch-site", "same-origin");
        assert_eq!(classify(&open, &headers(&[host, own, same])), Caller::Plain);
        let evil = ("origin", "https://evil.example");
        assert_eq!(classify(&open, &headers(&[host, evil])), Caller::Refused);
        let cross = ("sec-fetch-site", "cross-site");
        assert_eq!(classify(&open, &headers(&[host, cross])), Caller::Refused);
        assert_eq!(
            classify(&open, &headers(&[host, ("origin", "null")])),
            Caller::Refused
        );
        let listed = Policy {
            allowed_origins: vec!["https://evil.example".into()],
            ..Policy::default()
        };
        assert_eq!(
            classify(&listed, &headers(&[host, evil, cross])),
            Caller::Listed(HeaderValue::from_static("https://evil.example"))
        );
    }
}
