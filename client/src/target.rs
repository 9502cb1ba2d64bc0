//! Where to connect and as whom: the WebSocket URL with its `room`, `lang`,
//! `name`, `token` and `client` query parameters. The parameters are kept apart from
//! the URL so that a reconnect can carry the room, language and name the
//! connection had last (after `/join`, `/lang`, `/name`), not the ones it
//! started with.

use http::Uri;

use crate::error::ClientError;

/// The query parameters `$connect` reads (docs/PROTOCOL.md "Connecting").
const PARAMS: &[&str] = &["room", "lang", "name", "token", "client"];

#[derive(Debug, Clone)]
pub struct Target {
    /// `scheme://authority/path`, without the query.
    base: String,
    /// Query pairs as they will be sent, already percent-encoded; the
    /// parameters we do not know about are passed through untouched.
    query: Vec<(String, String)>,
}

impl Target {
    /// Parses `url` (ws:// or wss://). Parameters already in its query string
    /// stay unless a flag sets them too.
    pub fn parse(url: &str) -> Result<Self, ClientError> {
        let bad = |reason: &str| ClientError::BadUrl {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let uri: Uri = url
            .parse()
            .map_err(|e: http::uri::InvalidUri| bad(&e.to_string()))?;
        match uri.scheme_str() {
            Some("ws" | "wss") => {}
            Some("http" | "https") => {
                return Err(bad(
                    "use ws:// or wss:// (the WebSocket URL), not http(s)://",
                ));
            }
            Some(_) | None => {
                return Err(bad("expected ws://HOST[:PORT]/STAGE or wss://..."));
            }
        }
        let Some(authority) = uri.authority() else {
            return Err(bad("the URL has no host"));
        };
        if authority.host().is_empty() {
            return Err(bad("the URL has no host"));
        }
        let base = format!(
            "{}://{}{}",
            uri.scheme_str().unwrap_or("ws"),
            authority,
            uri.path()
        );
        let query = uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k.to_owned(), v.to_owned()),
                None => (p.to_owned(), String::new()),
            })
            .collect();
        Ok(Self { base, query })
    }

    /// Sets (or replaces) one of the `$connect` parameters.
    pub fn set(&mut self, key: &'static str, value: &str) {
        debug_assert!(PARAMS.contains(&key));
        let encoded = percent_encode(value);
        match self.query.iter_mut().find(|(k, _)| k == key) {
            Some(pair) => pair.1 = encoded,
            None => self.query.push((key.to_owned(), encoded)),
        }
    }

    /// Whether the URL or a flag set `key`.
    pub fn has(&self, key: &str) -> bool {
        self.query.iter().any(|(k, _)| k == key)
    }

    /// A parameter's value as sent (percent-encoded), when set.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The full URL to connect to. It may hold the token and the client
    /// secret: never log it.
    pub fn url(&self) -> String {
        if self.query.is_empty() {
            return self.base.clone();
        }
        let query: Vec<String> = self.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{}?{}", self.base, query.join("&"))
    }

    /// The URL without its query: safe for messages and logs.
    pub fn endpoint(&self) -> &str {
        &self.base
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so a
/// name in any script survives the query string.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_join_and_override_the_query() {
        let mut t = Target::parse("ws://127.0.0.1:8080/local?room=a&x=1").unwrap();
        t.set("room", "b");
        t.set("name", "Aki 秋");
        assert_eq!(
            t.url(),
            "ws://127.0.0.1:8080/local?room=b&x=1&name=Aki%20%E7%A7%8B"
        );
        assert_eq!(t.endpoint(), "ws://127.0.0.1:8080/local");
    }

    #[test]
    fn plain_urls() {
        let t = Target::parse("wss://abc.example/prod").unwrap();
        assert_eq!(t.url(), "wss://abc.example/prod");
    }

    #[test]
    fn bad_urls() {
        for url in [
            "http://127.0.0.1:8080/local",
            "127.0.0.1:8080",
            "ws://",
            "ws://exa mple/",
            "",
        ] {
            let e = Target::parse(url).unwrap_err();
            assert!(matches!(e, ClientError::BadUrl { .. }), "{url}: {e}");
        }
    }
}
