//! Who is calling: the TCP peer, unless the peer is a proxy named with
//! `--trusted-proxy`; then `X-Forwarded-For`, read from the right (each
//! proxy appends the address it was called from), skipping trusted
//! proxies: the right-most hop that is not one of them is the caller.
//! Anything to its left was written by the caller and proves nothing.
//! Without `--trusted-proxy` the header is ignored: anyone could send it.

use std::net::{IpAddr, SocketAddr};

use http::HeaderMap;

use crate::config::Cidr;

/// The caller's address for limits and `identity.sourceIp`.
pub fn client_ip(peer: SocketAddr, headers: &HeaderMap, trusted: &[Cidr]) -> IpAddr {
    let mut ip = peer.ip().to_canonical();
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(ip) {
        return ip;
    }
    // Every X-Forwarded-For line, in order, as one list.
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        match parse_hop(hop) {
            Some(hop) => {
                ip = hop;
                if !is_trusted(ip) {
                    break;
                }
            }
            // A hop that is not an address: the last good one stands.
            None => break,
        }
    }
    ip
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:5678`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    hop.parse::<SocketAddr>()
        .ok()
        .map(|s| s.ip().to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_right_most_untrusted_hop() {
        let proxy: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let trusted: Vec<Cidr> = vec![
            "127.0.0.1/32".parse().unwrap(),
            "10.0.0.0/8".parse().unwrap(),
        ];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // Not trusted: the header is ignored.
        assert_eq!(
            client_ip(proxy, &with_xff(&["203.0.113.1"]), &[]),
            ip("127.0.0.1")
        );
        let other: SocketAddr = "198.51.100.1:1".parse().unwrap();
        assert_eq!(
            client_ip(other, &with_xff(&["203.0.113.1"]), &trusted),
            ip("198.51.100.1")
        );
        // Trusted: the right-most hop that is not a trusted proxy.
        assert_eq!(
            client_ip(proxy, &with_xff(&["203.0.113.1"]), &trusted),
            ip("203.0.113.1")
        );
        assert_eq!(
            client_ip(
                proxy,
                &with_xff(&["6.6.6.6, 203.0.113.1, 10.1.1.1"]),
                &trusted
            ),
            ip("203.0.113.1")
        );
        assert_eq!(
            client_ip(proxy, &with_xff(&["6.6.6.6", "203.0.113.1:443"]), &trusted),
            ip("203.0.113.1")
        );
        assert_eq!(
            client_ip(proxy, &with_xff(&["[2001:db8::1]:80"]), &trusted),
            ip("2001:db8::1")
        );
        // A forged entry that is not an address stops the walk.
        assert_eq!(
            client_ip(proxy, &with_xff(&["203.0.113.1, junk, 10.1.1.1"]), &trusted),
            ip("10.1.1.1")
        );
        // No header: the proxy itself.
        assert_eq!(
            client_ip(proxy, &HeaderMap::new(), &trusted),
            ip("127.0.0.1")
        );
    }
}
