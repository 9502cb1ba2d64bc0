//! The `Host` check (DNS rebinding): a page at `http://rebind.example:P`
//! whose name later resolves to this machine is same-origin with itself,
//! so the `Origin` check alone lets it in. Every request must therefore
//! name this server in `Host`: the address it listens on (with its port),
//! `localhost` and the loopback addresses when it listens on loopback, any
//! address literal when it listens on all of them (an address cannot be
//! rebound), or a name given with `--allowed-host`. Anything else is
//! answered 421 Misdirected Request, on every route, before any handler.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};

/// The `Host` values this server answers to.
#[derive(Debug, Clone)]
pub struct Hosts {
    listen: SocketAddr,
    /// `--allowed-host`, lowercased: `name` (any port) or `name:port`.
    names: Vec<String>,
}

impl Hosts {
    pub fn new(listen: SocketAddr, allowed: &[String]) -> Self {
        Self {
            listen,
            names: allowed
                .iter()
                .map(|n| n.trim().trim_end_matches('.').to_ascii_lowercase())
                .filter(|n| !n.is_empty())
                .collect(),
        }
    }

    /// Whether a request with this `Host` header is meant for this server.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let Some((name, port)) = split_host(&host) else {
            return false;
        };
        let name = name.trim_end_matches('.');
        let port_or_80 = port.unwrap_or(80);
        let allowed_name = self.names.iter().any(|n| match split_host(n) {
            Some((n_name, Some(n_port))) => n_name == name && Some(n_port) == port,
            Some((n_name, None)) => n_name == name,
            None => false,
        });
        if allowed_name {
            return true;
        }
        if port_or_80 != self.listen.port() {
            return false;
        }
        let listen_ip = self.listen.ip().to_canonical();
        if name == "localhost" {
            return listen_ip.is_loopback() || listen_ip.is_unspecified();
        }
        let Some(ip) = parse_ip(name) else {
            return false;
        };
        let ip = ip.to_canonical();
        ip == listen_ip
            || listen_ip.is_unspecified()
            || (listen_ip.is_loopback() && ip.is_loopback())
    }
}

/// `name` or `name:port`, `[v6]` or `[v6]:port`; `None` when malformed.
fn split_host(host: &str) -> Option<(&str, Option<u16>)> {
    if host.is_empty() {
        return None;
    }
    if let Some(rest) = host.strip_prefix('[') {
        let (inner, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?.parse().ok()?),
        };
        return Some((inner, port));
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') => Some((name, Some(port.parse().ok()?))),
        Some(_) => None,
        None => Some((host, None)),
    }
}

fn parse_ip(name: &str) -> Option<IpAddr> {
    name.parse().ok()
}

/// Middleware in front of every route.
pub async fn guard(State(hosts): State<Arc<Hosts>>, req: Request, next: Next) -> Response {
    // HTTP/1.1 requires exactly one Host; a request without one names no
    // server (HTTP/1.0 clients are not browsers that could be rebound).
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    match host {
        Some(h) if hosts.allows(h) => next.run(req).await,
        _ => {
            tracing::info!(
                host = host.unwrap_or("-"),
                path = req.uri().path(),
                "request for another host refused (421)"
            );
            (
                StatusCode::MISDIRECTED_REQUEST,
                [(header::CONNECTION, "close")],
                "this server does not answer to that Host; start it with --allowed-host NAME \
                 to serve it under another name\n",
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_listener() {
        let h = Hosts::new("127.0.0.1:8080".parse().unwrap(), &[]);
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST:8080",
            "[::1]:8080",
            "127.0.0.2:8080",
            "localhost.:8080",
        ] {
            assert!(h.allows(ok), "{ok}");
        }
        for bad in [
            "rebind.test:8080",
            "127.0.0.1:8081",
            "127.0.0.1",
            "localhost",
            "192.168.1.2:8080",
            "",
            "a:b:c",
            "[::1",
            "127.0.0.1.nip.io:8080",
        ] {
            assert!(!h.allows(bad), "{bad}");
        }
    }

    #[test]
    fn wildcard_listener_and_names() {
        let h = Hosts::new(
            "0.0.0.0:80".parse().unwrap(),
            &["Chat.Example".into(), "other.example:8443".into()],
        );
        assert!(h.allows("192.168.1.2"));
        assert!(h.allows("192.168.1.2:80"));
        assert!(h.allows("[fe80::1]"));
        assert!(h.allows("chat.example"));
        assert!(h.allows("chat.example:443"));
        assert!(h.allows("other.example:8443"));
        assert!(!h.allows("other.example"));
        assert!(!h.allows("rebind.test"));
        let v6 = Hosts::new("[::1]:9000".parse().unwrap(), &[]);
        assert!(v6.allows("[::1]:9000") && v6.allows("localhost:9000"));
        assert!(v6.allows("127.0.0.1:9000"));
    }
}
