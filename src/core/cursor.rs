//! The opaque cursors of `history` (`before`) and `members` (`after`).
//! Each names its room, so a cursor cannot be replayed against another.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::model::{ConnectionId, MemberKey, MessageKey, RoomName};
use crate::protocol::FrameError;

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// The next older history page starts before this message.
    History {
        /// The room the cursor is valid in.
        room: RoomName,
        /// The last message sent (the oldest).
        key: MessageKey,
    },
    /// The next members page starts after this member.
    Members {
        /// The room the cursor is valid in.
        room: RoomName,
        /// The last member sent.
        key: MemberKey,
    },
}

impl Cursor {
    /// The opaque text sent as `next`: base64url of the room and the key.
    pub fn encode(&self) -> String {
        let raw = match self {
            Self::History { room, key } => format!("v1|{}|{}|{}", room.as_str(), key.ts, key.id),
            Self::Members { room, key } => {
                format!("m1|{}|{}|{}", room.as_str(), key.joined_at, key.id)
            }
        };
        URL_SAFE_NO_PAD.encode(raw)
    }

    /// A `history` cursor for `room`; anything else is a `bad_request`.
    pub fn history(s: &str, room: &RoomName) -> Result<MessageKey, FrameError> {
        let (n, id) = decode(s, "v1", room, "history")?;
        if !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(bad("history", "malformed history cursor"));
        }
        Ok(MessageKey { ts: n, id })
    }

    /// A `members` cursor for `room`; anything else is a `bad_request`.
    pub fn members(s: &str, room: &RoomName) -> Result<MemberKey, FrameError> {
        let (n, id) = decode(s, "m1", room, "members")?;
        let id_chars = |c: char| c.is_ascii_alphanumeric() || "+/=_-".contains(c);
        if !id.chars().all(id_chars) {
            return Err(bad("members", "malformed members cursor"));
        }
        Ok(MemberKey {
            joined_at: n,
            id: ConnectionId::new(id),
        })
    }
}

fn bad(action: &str, why: &str) -> FrameError {
    FrameError::new("bad_request", why, Some(action))
}

fn decode(
    s: &str,
    version: &str,
    room: &RoomName,
    action: &str,
) -> Result<(i64, String), FrameError> {
    let malformed = || bad(action, &format!("malformed {action} cursor"));
    let raw = URL_SAFE_NO_PAD
        .decode(s)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(malformed)?;
    let mut parts = raw.split('|');
    let (Some(v), Some(r), Some(n), Some(id), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(malformed());
    };
    if v != version || id.is_empty() {
        return Err(malformed());
    }
    let cursor_room = RoomName::parse(r).map_err(|_| malformed())?;
    let n = n.parse::<i64>().map_err(|_| malformed())?;
    if &cursor_room != room {
        return Err(bad(
            action,
            &format!("{action} cursor belongs to another room"),
        ));
    }
    Ok((n, id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(s: &str) -> RoomName {
        RoomName::parse(s).unwrap()
    }

    #[test]
    fn cursors_round_trip() {
        let key = MessageKey {
            ts: 1_764_150_000_000,
            id: "01JD0000000000000000000000".into(),
        };
        let c = Cursor::History {
            room: room("lobby"),
            key: key.clone(),
        };
        assert_eq!(Cursor::history(&c.encode(), &room("lobby")).unwrap(), key);
        let member = MemberKey {
            joined_at: 1,
            id: ConnectionId::new("ZLnPzcHhoAMCJoA="),
        };
        let c = Cursor::Members {
            room: room("lobby"),
            key: member.clone(),
        };
        assert_eq!(
            Cursor::members(&c.encode(), &room("lobby")).unwrap(),
            member
        );
        // A members cursor is no history cursor.
        assert!(Cursor::history(&c.encode(), &room("lobby")).is_err());
    }

    #[test]
    fn cursors_reject_other_rooms_and_garbage() {
        let c = Cursor::History {
            room: room("a"),
            key: MessageKey {
                ts: 1,
                id: "X".into(),
            },
        };
        let e = Cursor::history(&c.encode(), &room("b")).unwrap_err();
        assert_eq!(e.code, "bad_request");
        for junk in [
            "",
            "!!!",
            "djE",
            &URL_SAFE_NO_PAD.encode("v1|a|x|X"),
            &URL_SAFE_NO_PAD.encode("v1|a|1|X|extra"),
            &URL_SAFE_NO_PAD.encode("v1|a|1|"),
        ] {
            assert_eq!(
                Cursor::history(junk, &room("a")).unwrap_err().code,
                "bad_request",
                "{junk}"
            );
        }
    }
}
