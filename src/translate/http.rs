//! The HTTP engines' client: JSON (or form) requests to one base URL,
//! bounded answers. hyper-util's pooled client over rustls with ring (see
//! Cargo.toml's `http-engines`); the machine's roots are read only for an
//! `https` URL, once, when the engine is made.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, StatusCode, Uri, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// Largest answer read from an engine: a 10,000-byte text's translation
/// with JSON escapes is far below it.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;
/// A TCP connection to an engine must be made within this long.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Why a request got no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The URL cannot be used (its text, why).
    #[error("bad engine URL {0:?}: {1}")]
    Url(String, String),
    /// No connection, or it broke before an answer.
    #[error("cannot reach the engine: {0}")]
    Connect(String),
    /// The answer's body broke off or was too big.
    #[error("the engine's answer could not be read: {0}")]
    Body(String),
}

/// An answer: its status and body.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The HTTP status.
    pub status: StatusCode,
    /// The body, at most 1 MiB.
    pub body: Bytes,
    /// `Retry-After` in seconds, when given.
    pub retry_after: Option<u64>,
}

/// A client for one engine's base URL.
#[derive(Clone)]
pub struct EngineHttp {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    base: String,
}

impl EngineHttp {
    /// A client for `base` (e.g. `http://127.0.0.1:5000`, `https://api.deepl.com`).
    pub fn new(base: &str) -> Result<Self, HttpError> {
        let base = base.trim_end_matches('/').to_owned();
        let uri: Uri = base
            .parse()
            .map_err(|e: http::uri::InvalidUri| HttpError::Url(base.clone(), e.to_string()))?;
        let tls = match uri.scheme_str() {
            Some("https") => rustls_config(true)?,
            Some("http") => rustls_config(false)?,
            _ => return Err(HttpError::Url(base, "use http:// or https://".into())),
        };
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(CONNECT_TIMEOUT));
        http.set_nodelay(true);
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Self { client, base })
    }

    /// The base URL, for `/status.json` and the logs.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends `body` (with its content type) to `path` with `headers`.
    #[tracing::instrument(skip(self, headers, body), fields(base = %self.base))]
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(header::HeaderName, HeaderValue)],
        body: Option<(&'static str, Vec<u8>)>,
    ) -> Result<Answer, HttpError> {
        let url = format!("{}{path}", self.base);
        let mut req = Request::builder().method(method).uri(&url);
        for (name, value) in headers {
            req = req.header(name, value);
        }
        req = req.header(header::ACCEPT, "application/json");
        let body = match body {
            Some((content_type, bytes)) => {
                req = req.header(header::CONTENT_TYPE, content_type);
                Full::new(Bytes::from(bytes))
            }
            None => Full::new(Bytes::new()),
        };
        let req = req
            .body(body)
            .map_err(|e| HttpError::Url(url.clone(), e.to_string()))?;
        let res = self
            .client
            .request(req)
            .await
            .map_err(|e| HttpError::Connect(error_chain(&e)))?;
        let status = res.status();
        let retry_after = res
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        let body = Limited::new(res.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|e| HttpError::Body(e.to_string()))?
            .to_bytes();
        tracing::debug!(%status, bytes = body.len(), "engine answered");
        Ok(Answer {
            status,
            body,
            retry_after,
        })
    }
}

/// rustls with ring; the machine's roots for `https`, none for `http`.
fn rustls_config(with_roots: bool) -> Result<rustls::ClientConfig, HttpError> {
    let mut roots = rustls::RootCertStore::empty();
    if with_roots {
        let found = rustls_native_certs_load();
        roots.add_parsable_certificates(found);
        if roots.is_empty() {
            return Err(HttpError::Url(
                "https".into(),
                "no trusted root certificates found on this machine".into(),
            ));
        }
    }
    rustls::ClientConfig::builder_with_provider(rustls::crypto::ring::default_provider().into())
        .with_safe_default_protocol_versions()
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
        .map_err(|e| HttpError::Url("https".into(), e.to_string()))
}

/// The machine's trusted roots (what `native-tokio` reads).
fn rustls_native_certs_load() -> Vec<rustls::pki_types::CertificateDer<'static>> {
    let result = rustls_native_certs::load_native_certs();
    for e in &result.errors {
        tracing::warn!(error = %e, "reading the machine's root certificates");
    }
    result.certs
}

/// An error with its sources, for the log and `/status.json`.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
