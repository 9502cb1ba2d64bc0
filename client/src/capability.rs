//! Whether this client's language translates on the server it talks to.
//! `honyaku serve` says what translates at `GET /status.json` on the
//! WebSocket URL's own origin (`ws://HOST:PORT/local` → `http://HOST:PORT/
//! status.json`); it is asked once at start, so a warning can say in one
//! line what the reader will see. A deployment on AWS has no such page:
//! anything but a clear answer (a 404, no answer, `wss://`, bad JSON)
//! means no warning, silently.

use std::time::Duration;

use honyaku::contract;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How much of /status.json is read at most (it is a few KB).
const MAX_BYTES: usize = 256 * 1024;

/// The origin's authority (`HOST:PORT`) when `endpoint` is a `ws://` URL.
/// `wss://` is skipped: behind TLS it is a proxy or AWS, and a warning is
/// not worth a second TLS handshake at start.
pub fn status_authority(endpoint: &str) -> Option<String> {
    let rest = endpoint.strip_prefix("ws://")?;
    let authority = rest.split('/').next()?;
    (!authority.is_empty()).then(|| authority.to_owned())
}

/// `GET http://AUTHORITY/status.json`, parsed; None on any failure or after `timeout`.
#[tracing::instrument(skip_all, fields(authority))]
pub async fn fetch_status(authority: String, timeout: Duration) -> Option<Value> {
    let result = tokio::time::timeout(timeout, get(&authority)).await;
    match result {
        Ok(Some(v)) => Some(v),
        Ok(None) | Err(_) => {
            tracing::debug!("no /status.json: no warning about the language");
            None
        }
    }
}

async fn get(authority: &str) -> Option<Value> {
    let mut stream = TcpStream::connect(socket_address(authority)).await.ok()?;
    let request = format!(
        "GET /status.json HTTP/1.1\r\nHost: {authority}\r\nAccept: application/json\r\n\
         User-Agent: honyaku-chat/{}\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    );
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut raw = Vec::new();
    stream
        .take(MAX_BYTES as u64)
        .read_to_end(&mut raw)
        .await
        .ok()?;
    body_of(&raw).and_then(|body| serde_json::from_slice(&body).ok())
}

/// `HOST:PORT` to connect to: ws:// without a port is port 80, as http:// is.
fn socket_address(authority: &str) -> String {
    let has_port = authority
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && !port.is_empty() && !port.contains(']'));
    if has_port {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    }
}

/// The body of a `200` HTTP/1.1 response, de-chunked when it was chunked.
fn body_of(raw: &[u8]) -> Option<Vec<u8>> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let body = &raw[split + 4..];
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?;
    if status != "200" {
        return None;
    }
    let chunked = lines.any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    if !chunked {
        return Some(body.to_vec());
    }
    let mut out = Vec::new();
    let mut rest = body;
    loop {
        let end = rest.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&rest[..end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..)?;
    }
}

/// What the server said at start, to warn again when `/lang` picks a
/// language that does not translate there.
#[derive(Debug, Default)]
pub struct Capability {
    status: Option<Value>,
    /// The language last warned about (or started with).
    lang: String,
}

impl Capability {
    pub fn new(status: Option<Value>, lang: &str) -> Self {
        Self {
            status,
            lang: lang.to_owned(),
        }
    }

    /// The warning for the language reading and writing now (`joined`),
    /// once per change of language.
    pub fn language_changed(&mut self, lang: &str) -> Option<String> {
        if self.lang == lang {
            return None;
        }
        lang.clone_into(&mut self.lang);
        warning(self.status.as_ref()?, lang)
    }
}

/// "日本語 (ja)", or the code alone when the contract does not know it.
fn label(code: &str) -> String {
    contract::language(code).map_or_else(|| code.to_owned(), |l| format!("{} ({code})", l.name))
}

/// What a reader and writer of `lang` should know about this server, in
/// one line; None when it translates both from and into `lang`, or when
/// the status does not say (`languages` absent or `"all"`).
pub fn warning(status: &Value, lang: &str) -> Option<String> {
    let graph = status.get("languages")?.as_object()?;
    let mut from = false;
    let mut into = false;
    let mut any = false;
    for (source, targets) in graph {
        let Some(targets) = targets.as_array().filter(|t| !t.is_empty()) else {
            continue;
        };
        any = true;
        from |= source == lang;
        into |= targets.iter().any(|t| t.as_str() == Some(lang));
    }
    let name = label(lang);
    match (any, from, into) {
        (false, ..) => Some(
            "this server translates nothing right now: everyone reads messages as they were written"
                .into(),
        ),
        (true, true, true) => None,
        (true, false, false) => Some(format!(
            "{name} is not translated on this server: you will read others' messages as they \
             were written, and they will read yours as you write them"
        )),
        (true, false, true) => Some(format!(
            "messages are translated into {name} here, but not from it: others will read what \
             you write as you write it"
        )),
        (true, true, false) => Some(format!(
            "what you write in {name} is translated for others, but this server does not \
             translate into {name}: you will read others' messages as they were written"
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_status_page_is_on_the_websocket_origin() {
        assert_eq!(
            status_authority("ws://127.0.0.1:8080/local").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(
            status_authority("ws://[::1]:9/x").as_deref(),
            Some("[::1]:9")
        );
        assert_eq!(socket_address("127.0.0.1:8080"), "127.0.0.1:8080");
        assert_eq!(socket_address("chat.lan"), "chat.lan:80");
        assert_eq!(socket_address("[::1]"), "[::1]:80");
        assert_eq!(socket_address("[::1]:9"), "[::1]:9");
        assert_eq!(
            status_authority("wss://abc.execute-api.eu-west-1.amazonaws.com/prod"),
            None
        );
    }

    #[test]
    fn a_warning_in_plain_words_only_when_something_does_not_translate() {
        let apertium = json!({"languages": {"en": ["es", "ja"], "es": ["en"], "fr": ["en"]}});
        assert_eq!(warning(&apertium, "en"), None);
        let sw = warning(&apertium, "sw").unwrap();
        assert!(
            sw.starts_with("Kiswahili (sw) is not translated on this server"),
            "{sw}"
        );
        let ja = warning(&apertium, "ja").unwrap();
        assert!(
            ja.contains("into 日本語 (ja) here, but not from it"),
            "{ja}"
        );
        assert_eq!(warning(&apertium, "es"), None);
        let fr = warning(&apertium, "fr").unwrap();
        assert!(fr.contains("does not translate into Français (fr)"), "{fr}");
        assert!(
            warning(&json!({"languages": {}}), "en")
                .unwrap()
                .contains("translates nothing")
        );
        assert_eq!(warning(&json!({"languages": "all"}), "ja"), None);
        assert_eq!(warning(&json!({"engine": "aws"}), "ja"), None);
        assert!(!warning(&apertium, "sw").unwrap().contains('\n'));
    }

    #[test]
    fn a_change_of_language_is_warned_about_once() {
        let status = json!({"languages": {"en": ["es"], "es": ["en"]}});
        let mut c = Capability::new(Some(status), "en");
        assert_eq!(c.language_changed("en"), None);
        assert!(
            c.language_changed("ja")
                .unwrap()
                .starts_with("日本語 (ja) is not translated")
        );
        assert_eq!(c.language_changed("ja"), None);
        assert_eq!(c.language_changed("es"), None);
        assert_eq!(Capability::new(None, "en").language_changed("ja"), None);
    }

    #[test]
    fn only_a_200_has_a_body_chunked_or_not() {
        let plain = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(body_of(plain).as_deref(), Some(&b"{}"[..]));
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{\"\r\n3\r\na\":\r\n2\r\n1}\r\n0\r\n\r\n";
        assert_eq!(body_of(chunked).as_deref(), Some(&b"{\"a\":1}"[..]));
        assert_eq!(body_of(b"HTTP/1.1 404 Not Found\r\n\r\nnope"), None);
        assert_eq!(body_of(b"garbage"), None);
    }
}
