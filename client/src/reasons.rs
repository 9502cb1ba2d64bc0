//! Why a connection failed or ended, in words a person uses. tungstenite and
//! the OS speak of "Connection reset without closing handshake" or "os error
//! 104"; someone chatting wants "the connection dropped". The same for the
//! refusals of protocol v1.2 (`not_found`, `not_yours`, …).

use std::io;

use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::tungstenite::error::ProtocolError;

/// A close frame from the server (`code` 1005 when it carried none).
pub fn close(code: u16, why: &str) -> String {
    let said = |what: &str| {
        let why = why.trim();
        if why.is_empty() {
            what.to_owned()
        } else {
            format!("{what}: {why}")
        }
    };
    match code {
        1000 => said("the server closed the connection"),
        // The local server says "Going away" for a restart, the idle timeout
        // and the connection's time limit alike; so does API Gateway.
        1001 => "the server went away (a restart, or a time limit)".into(),
        1005 => "the server closed the connection without saying why".into(),
        1006 => "the connection dropped".into(),
        1008 => said("the server ended the connection over its rules"),
        1009 => "a message was too big for the server".into(),
        1011 => "the server ran into an error".into(),
        1012 => "the server is restarting".into(),
        1013 => "the server is busy; try again later".into(),
        _ => said(&format!("the server closed the connection (code {code})")),
    }
}

/// An error on an open connection.
pub fn socket(e: &WsError) -> String {
    match e {
        WsError::ConnectionClosed | WsError::AlreadyClosed => "the connection closed".into(),
        WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => {
            "the connection dropped".into()
        }
        WsError::Io(e) => network(e),
        WsError::Capacity(_) => "the server sent a message too big to read".into(),
        WsError::Utf8(_) => "the server sent text that is not UTF-8".into(),
        WsError::Tls(e) => format!("the secure connection failed ({e})"),
        _ => "the connection broke".into(),
    }
}

/// A network error, while connecting or connected.
pub fn network(e: &io::Error) -> String {
    use io::ErrorKind::*;
    match e.kind() {
        ConnectionRefused => "connection refused (is the server running on that port?)".into(),
        ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof => {
            "the connection dropped".into()
        }
        TimedOut => "the network timed out".into(),
        NetworkUnreachable | NetworkDown => "the network is unreachable (offline?)".into(),
        HostUnreachable => "the server's host is unreachable".into(),
        AddrNotAvailable => "no network address to connect from (offline?)".into(),
        // tokio-rustls reports a failed TLS handshake this way.
        InvalidData => format!("TLS failed ({e}); does the server speak wss://?"),
        _ => match e.raw_os_error() {
            // The OS's own sentence, without "(os error N)".
            Some(_) => {
                let s = e.to_string();
                s.split(" (os error").next().unwrap_or(&s).to_lowercase()
            }
            None => e.to_string(),
        },
    }
}

/// A v1.2 refusal of `action` in words (`too_many_reactions` too); `None` for the codes whose
/// server sentence says it already (`bad_request`, `rate_limited`, …).
pub fn refused(code: &str, action: Option<&str>) -> Option<String> {
    let verb = match action {
        Some("edit") => "edit",
        Some("delete") => "delete",
        Some("correct") => "correct",
        Some("react") => "react to",
        Some("reply") | Some("translate") => "reply to",
        _ => "change",
    };
    Some(match (code, action) {
        ("not_found", _) => format!(
            "there is no such message in this room to {verb} (it may have been deleted, or be in another room)"
        ),
        ("not_yours", _) => format!("only the person who sent a message may {verb} it"),
        ("too_old", _) => format!(
            "that message is too old to {verb}: messages can be changed for a while after they are sent (24 hours unless the server says otherwise)"
        ),
        ("conflict", _) => {
            "someone else changed the glossary just before you; here it is now, and yours was not saved: type your change again".into()
        }
        ("forbidden", Some("correct")) => {
            "you read this message in the language it was written in: there is no translation of it to correct".into()
        }
        ("forbidden", Some("glossary_set")) => {
            "on this server only an admin may change the glossary (with a token from `honyaku token --admin`)".into()
        }
        ("forbidden", _) => "that is not allowed on this server".into(),
        ("too_many_reactions", _) => {
            "that message already has 20 different reactions: add one of those instead".into()
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_in_words() {
        let s = refused("not_yours", Some("edit")).unwrap();
        assert_eq!(s, "only the person who sent a message may edit it");
        assert!(
            refused("not_found", Some("delete"))
                .unwrap()
                .contains("to delete")
        );
        assert!(
            refused("too_old", Some("edit"))
                .unwrap()
                .contains("too old to edit")
        );
        assert!(
            refused("conflict", Some("glossary_set"))
                .unwrap()
                .contains("someone else")
        );
        assert!(
            refused("forbidden", Some("correct"))
                .unwrap()
                .contains("no translation")
        );
        assert!(
            refused("forbidden", Some("glossary_set"))
                .unwrap()
                .contains("admin")
        );
        assert!(
            refused("too_many_reactions", Some("react"))
                .unwrap()
                .contains("20 different")
        );
        assert_eq!(refused("rate_limited", Some("edit")), None);
    }

    #[test]
    fn no_jargon() {
        let reset = WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake);
        assert_eq!(socket(&reset), "the connection dropped");
        let io = WsError::Io(io::Error::from_raw_os_error(104));
        assert_eq!(socket(&io), "the connection dropped");
        assert_eq!(close(1001, "Going away"), close(1001, ""));
        assert!(close(1005, "").contains("without saying why"));
        assert_eq!(
            close(1008, "rate limited"),
            "the server ended the connection over its rules: rate limited"
        );
        assert!(close(4000, "").contains("code 4000"));
        let other = network(&io::Error::from_raw_os_error(5));
        assert!(!other.contains("os error"), "{other}");
        for code in [1000, 1001, 1006, 1009, 1011] {
            let s = close(code, "");
            assert!(!s.contains("handshake") && !s.contains("frame"), "{s}");
        }
    }
}
