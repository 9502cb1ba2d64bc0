//! Who may connect: the `Origin` check and HMAC-signed room tokens.
//!
//! `Origin`: a browser page may open the WebSocket only from the page's own
//! origin (`http(s)://` + the handshake's `Host`) or an origin the policy
//! lists; `"*"` in the list accepts any. Clients that send no `Origin`
//! (CLIs, SDKs) are not browsers and pass. Without this, any web site a
//! user visits could join a chat on their machine (cross-site WebSocket
//! hijacking).
//!
//! A token names the room it opens and when it expires:
//! `base64url("v1|{room}|{exp}") . base64url(HMAC-SHA256)`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::policy::{Policy, TokenSecret};
use crate::model::RoomName;

/// Why `$connect` was refused at the door.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// The handshake's `Origin` is neither the page's own nor a listed one (403).
    #[error("origin not allowed")]
    Origin,
    /// The deployment requires tokens and the handshake had none (401).
    #[error("a token is required")]
    MissingToken,
    /// The token is malformed or its signature does not match (401).
    #[error("the token is not valid")]
    BadToken,
    /// The token's expiry has passed (401).
    #[error("the token has expired")]
    Expired,
    /// The token opens a different room (401).
    #[error("the token is for another room")]
    OtherRoom,
}

impl AccessError {
    /// The handshake's HTTP status: 403 for the origin, 401 for a token.
    pub fn status(&self) -> u16 {
        match self {
            Self::Origin => 403,
            _ => 401,
        }
    }
}

/// Mints a token for `room`, valid until `expires` (epoch seconds).
pub fn mint(secret: &TokenSecret, room: &RoomName, expires: i64) -> String {
    let payload = format!("v1|{}|{expires}", room.as_str());
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&payload),
        URL_SAFE_NO_PAD.encode(sign(secret, &payload))
    )
}

fn sign(secret: &TokenSecret, payload: &str) -> Vec<u8> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.bytes()).expect("HMAC takes any key length");
    mac.update(payload.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The room a valid token opens.
pub fn verify(secret: &TokenSecret, token: &str, now: i64) -> Result<RoomName, AccessError> {
    let (payload, sig) = token.split_once('.').ok_or(AccessError::BadToken)?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(AccessError::BadToken)?;
    let sig = URL_SAFE_NO_PAD
        .decode(sig)
        .map_err(|_| AccessError::BadToken)?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.bytes()).expect("HMAC takes any key length");
    mac.update(payload.as_bytes());
    // Constant-time comparison.
    mac.verify_slice(&sig).map_err(|_| AccessError::BadToken)?;
    let mut parts = payload.split('|');
    let (Some("v1"), Some(room), Some(exp), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AccessError::BadToken);
    };
    let exp: i64 = exp.parse().map_err(|_| AccessError::BadToken)?;
    if exp < now {
        return Err(AccessError::Expired);
    }
    RoomName::parse(room).map_err(|_| AccessError::BadToken)
}

/// Whether a handshake with this `Origin` (and `Host`) may connect.
pub fn origin_allowed(policy: &Policy, origin: Option<&str>, host: Option<&str>) -> bool {
    // Browsers always send Origin; other clients may not, and could forge
    // it anyway, so its absence is not refused.
    let Some(origin) = origin else {
        return true;
    };
    if policy
        .allowed_origins
        .iter()
        .any(|o| o == "*" || o == origin)
    {
        return true;
    }
    // The page's own origin: same host and port, over http or https.
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => return false,
    };
    let normal = |a: &str| {
        let a = a.to_ascii_lowercase();
        a.strip_suffix(default_port).map(str::to_owned).unwrap_or(a)
    };
    host.is_some_and(|h| !h.is_empty() && normal(h) == normal(authority))
}

/// Checks the handshake against the policy; returns the room a token
/// opened, if tokens are on.
pub fn admit(
    policy: &Policy,
    origin: Option<&str>,
    host: Option<&str>,
    token: Option<&str>,
    room: Option<&RoomName>,
    now: i64,
) -> Result<Option<RoomName>, AccessError> {
    if !origin_allowed(policy, origin, host) {
        return Err(AccessError::Origin);
    }
    let Some(secret) = &policy.token_secret else {
        return Ok(None);
    };
    let token = token
        .filter(|t| !t.is_empty())
        .ok_or(AccessError::MissingToken)?;
    let opened = verify(secret, token, now)?;
    if room.is_some_and(|r| *r != opened) {
        return Err(AccessError::OtherRoom);
    }
    Ok(Some(opened))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(s: &str) -> RoomName {
        RoomName::parse(s).unwrap()
    }

    #[test]
    fn tokens_open_their_room_until_they_expire() {
        let secret = TokenSecret::new("s3cret");
        let t = mint(&secret, &room("team"), 1_000);
        assert_eq!(verify(&secret, &t, 999), Ok(room("team")));
        assert_eq!(verify(&secret, &t, 1_001), Err(AccessError::Expired));
        assert_eq!(
            verify(&TokenSecret::new("other"), &t, 0),
            Err(AccessError::BadToken)
        );
        // A changed payload breaks the signature.
        let (_, sig) = t.split_once('.').unwrap();
        let forged = format!("{}.{sig}", URL_SAFE_NO_PAD.encode("v1|team|99999"));
        assert_eq!(verify(&secret, &forged, 0), Err(AccessError::BadToken));
        for junk in ["", ".", "abc", "a.b.c", "!!.!!"] {
            assert_eq!(
                verify(&secret, junk, 0),
                Err(AccessError::BadToken),
                "{junk}"
            );
        }
    }

    #[test]
    fn admission() {
        let secret = TokenSecret::new("k");
        let policy = Policy {
            allowed_origins: vec!["https://chat.example".into()],
            token_secret: Some(secret.clone()),
            ..Policy::default()
        };
        let t = mint(&secret, &room("a"), i64::MAX);
        assert_eq!(
            admit(
                &policy,
                Some("https://chat.example"),
                None,
                Some(&t),
                None,
                0
            ),
            Ok(Some(room("a")))
        );
        assert_eq!(
            admit(&policy, None, None, Some(&t), Some(&room("a")), 0),
            Ok(Some(room("a")))
        );
        assert_eq!(
            admit(
                &policy,
                Some("https://evil.example"),
                None,
                Some(&t),
                None,
                0
            ),
            Err(AccessError::Origin)
        );
        assert_eq!(
            admit(&policy, None, None, None, None, 0),
            Err(AccessError::MissingToken)
        );
        assert_eq!(
            admit(&policy, None, None, Some(""), None, 0),
            Err(AccessError::MissingToken)
        );
        assert_eq!(
            admit(&policy, None, None, Some(&t), Some(&room("b")), 0),
            Err(AccessError::OtherRoom)
        );
        assert_eq!(
            admit(&Policy::default(), Some("https://any"), None, None, None, 0),
            Err(AccessError::Origin)
        );
        assert_eq!(
            admit(&Policy::default(), None, None, None, None, 0),
            Ok(None)
        );
    }

    #[test]
    fn the_default_origin_is_the_page_itself() {
        let p = Policy::default();
        let ok = |origin: &str, host: &str| origin_allowed(&p, Some(origin), Some(host));
        assert!(ok("http://127.0.0.1:8080", "127.0.0.1:8080"));
        assert!(ok("https://Chat.Example", "chat.example"));
        assert!(ok("https://chat.example", "chat.example:443"));
        assert!(ok("http://chat.example:80", "chat.example"));
        assert!(ok("http://[::1]:8080", "[::1]:8080"));
        assert!(!ok("http://127.0.0.1:9999", "127.0.0.1:8080"));
        assert!(!ok("https://evil.example", "127.0.0.1:8080"));
        assert!(!ok("http://chat.example.evil", "chat.example"));
        assert!(!ok("null", "127.0.0.1:8080"));
        assert!(!ok("file://", ""));
        assert!(!origin_allowed(&p, Some("http://h"), None));
        assert!(origin_allowed(&p, None, None));
        let listed = Policy {
            allowed_origins: vec!["https://chat.example".into()],
            ..Policy::default()
        };
        assert!(origin_allowed(
            &listed,
            Some("https://chat.example"),
            Some("x")
        ));
        assert!(origin_allowed(&listed, Some("http://x"), Some("x")));
        assert!(!origin_allowed(
            &listed,
            Some("https://evil.example"),
            Some("x")
        ));
        let any = Policy {
            allowed_origins: vec!["*".into()],
            ..Policy::default()
        };
        assert!(origin_allowed(
            &any,
            Some("https://evil.example"),
            Some("x")
        ));
    }
}
