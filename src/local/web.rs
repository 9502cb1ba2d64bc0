//! The chat page at `/`: the copy of `web/` built into the binary, or with
//! `--web DIR` a directory on disk (for work on the page), where nothing
//! outside the directory is served (no symlinks out, no `..`) and no
//! dotfiles — judged on the path with its symlinks resolved. Every response carries the security headers: a CSP whose
//! `connect-src` names exactly this page's WebSocket endpoint (and the `ws`
//! of the served `config.json`, when set), `Referrer-Policy: no-referrer`
//! and `nosniff`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode, header};
use include_dir::{Dir, include_dir};

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/web");

/// Where the page comes from, and what its `config.json` names.
pub struct Site {
    /// `None`: the embedded copy.
    root: Option<PathBuf>,
    /// `ws` of `config.json`, when it names an endpoint.
    config_ws: Option<String>,
    /// The WebSocket's stage, which the CSP names.
    stage: String,
}

/// `--web DIR` is not a directory.
#[derive(Debug, thiserror::Error)]
#[error("--web {0}: {1}")]
pub struct SiteError(String, std::io::Error);

impl Site {
    /// The page of `--web DIR` (the embedded copy without one), for a
    /// WebSocket at `/{stage}`.
    pub fn new(dir: Option<&Path>, stage: &str) -> Result<Self, SiteError> {
        let root = match dir {
            None => None,
            Some(dir) => {
                let root = dir
                    .canonicalize()
                    .map_err(|e| SiteError(dir.display().to_string(), e))?;
                if !root.is_dir() {
                    let e = std::io::Error::other("not a directory");
                    return Err(SiteError(dir.display().to_string(), e));
                }
                Some(root)
            }
        };
        let mut site = Self {
            root,
            config_ws: None,
            stage: stage.to_owned(),
        };
        site.config_ws = site.read("config.json").and_then(|bytes| config_ws(&bytes));
        Ok(site)
    }

    /// The bytes of a page file, `path` relative and already checked.
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        match &self.root {
            None => EMBEDDED.get_file(path).map(|f| f.contents().to_vec()),
            Some(root) => {
                // Symlinks resolved, the rules apply to where the path
                // really leads: inside the directory, and no dotfile on the
                // way (`gitlink -> .git` must not serve `.git/config`).
                let file = root.join(path).canonicalize().ok()?;
                let inside = file.strip_prefix(root).ok()?;
                let hidden = inside
                    .components()
                    .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
                if hidden || !file.is_file() {
                    return None;
                }
                std::fs::read(file).ok()
            }
        }
    }
}

/// The `ws` endpoint a `config.json` names, if it is a plain ws/wss URL.
fn config_ws(bytes: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let ws = v.get("ws")?.as_str()?.trim();
    if ws.is_empty() {
        return None;
    }
    let ok = (ws.starts_with("ws://") || ws.starts_with("wss://"))
        && ws
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b";,'\"".contains(&b));
    if !ok {
        tracing::warn!("config.json: ws is not a ws:// or wss:// URL; ignored in the CSP");
    }
    ok.then(|| ws.to_owned())
}

/// GET or HEAD of any path no route claims.
pub async fn page(State(site): State<Arc<Site>>, req: Request) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let Some(path) = relative_path(req.uri().path()) else {
        return not_found();
    };
    // Blocking file reads are small and rare; the embedded copy is memory.
    let bytes = match &site.root {
        None => site.read(&path),
        Some(_) => {
            let site = site.clone();
            let p = path.clone();
            tokio::task::spawn_blocking(move || site.read(&p))
                .await
                .ok()
                .flatten()
        }
    };
    match bytes {
        Some(bytes) => (
            [
                (header::CONTENT_TYPE, content_type(&path)),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            bytes,
        )
            .into_response(),
        None => not_found(),
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

/// The file a URL path names, relative to the page's root: percent-decoded,
/// `index.html` for a directory, and `None` for anything with a segment
/// that starts with a dot (dotfiles, `.`, `..`) or a backslash or NUL.
fn relative_path(url_path: &str) -> Option<String> {
    let decoded = super::events::percent_decode_path(url_path)?;
    let mut segments = Vec::new();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('.') || segment.contains(['\\', '\0']) {
            return None;
        }
        segments.push(segment);
    }
    if decoded.ends_with('/') || segments.is_empty() {
        segments.push("index.html");
    }
    Some(segments.join("/"))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("webmanifest") => "application/manifest+json",
        Some("txt") => "text/plain; charset=utf-8",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// Adds the security headers to every response.
pub async fn security_headers(State(site): State<Arc<Site>>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| is_host(h))
        .map(str::to_owned);
    let mut resp = next.run(req).await;
    let csp = csp(host.as_deref(), &site.stage, site.config_ws.as_deref());
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.entry(header::CONTENT_SECURITY_POLICY).or_insert(v);
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// A Host header fit to be written into a CSP: a name or address and port.
fn is_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
}

/// The page may load only itself, and connect only to itself and to its
/// own WebSocket endpoint (plus `config.json`'s), never to a URL a link
/// could name.
fn csp(host: Option<&str>, stage: &str, config_ws: Option<&str>) -> String {
    let mut connect = String::from("'self'");
    if let Some(host) = host {
        connect.push_str(&format!(" ws://{host}/{stage} wss://{host}/{stage}"));
    }
    if let Some(ws) = config_ws {
        connect.push(' ');
        connect.push_str(ws);
    }
    format!(
        "default-src 'self'; connect-src {connect}; img-src 'self' data:; style-src 'self'; \
         script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(relative_path("/").as_deref(), Some("index.html"));
        assert_eq!(relative_path("/app.js").as_deref(), Some("app.js"));
        assert_eq!(relative_path("/a/").as_deref(), Some("a/index.html"));
        assert_eq!(relative_path("/a%20b.js").as_deref(), Some("a b.js"));
        for bad in [
            "/.env",
            "/a/.git/config",
            "/../x",
            "/%2e%2e/x",
            "/a%5cb",
            "/%00",
        ] {
            assert_eq!(relative_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_csp_names_exactly_the_page_endpoints() {
        let c = csp(Some("127.0.0.1:8080"), "local", None);
        assert!(
            c.contains("connect-src 'self' ws://127.0.0.1:8080/local wss://127.0.0.1:8080/local;"),
            "{c}"
        );
        assert!(!c.contains("ws: ") && !c.contains("wss: "), "{c}");
        let c = csp(None, "local", Some("wss://x.example/prod"));
        assert!(
            c.contains("connect-src 'self' wss://x.example/prod;"),
            "{c}"
        );
        assert!(!is_host("a b") && !is_host("x;y") && is_host("[::1]:80"));
        assert_eq!(config_ws(br#"{"ws":""}"#), None);
        assert_eq!(config_ws(br#"{"ws":"https://x"}"#), None);
        assert_eq!(config_ws(br#"{"ws":"wss://a/b; script-src *"}"#), None);
        assert_eq!(
            config_ws(br#"{"ws":"wss://a.example/prod"}"#).as_deref(),
            Some("wss://a.example/prod")
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_judged_where_they_lead() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let web = dir.path().join("web");
        std::fs::create_dir_all(web.join(".git")).unwrap();
        std::fs::write(web.join(".git/config"), "secret").unwrap();
        std::fs::write(web.join(".env"), "KEY=1").unwrap();
        std::fs::write(web.join("index.html"), "<html>").unwrap();
        std::fs::write(dir.path().join("outside.txt"), "out").unwrap();
        symlink(".git", web.join("gitlink")).unwrap();
        symlink(".env", web.join("env.txt")).unwrap();
        symlink("../outside.txt", web.join("out.txt")).unwrap();
        symlink("index.html", web.join("home.html")).unwrap();
        let site = Site::new(Some(&web), "local").unwrap();
        assert_eq!(site.read("gitlink/config"), None);
        assert_eq!(site.read("env.txt"), None);
        assert_eq!(site.read("out.txt"), None);
        assert_eq!(site.read("home.html").as_deref(), Some(&b"<html>"[..]));
    }

    #[test]
    fn the_page_is_built_in() {
        let site = Site::new(None, "local").unwrap();
        let index = site.read("index.html").expect("index.html embedded");
        assert!(String::from_utf8_lossy(&index).contains("<html"));
        assert!(site.read("nope.html").is_none());
    }
}
