//! `history`: newest-first pages of a room behind an opaque cursor, each
//! message in the reader's language, translated on demand and kept.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::StreamExt;
use futures_util::stream;

use super::fanout::translate_one;
use super::{App, RouteError};
use crate::limits::HISTORY_TRANSLATE_CONCURRENCY;
use crate::model::{ConnectionId, MessageKey, RoomName};
use crate::protocol::{FrameError, HistoryItem, MessageFrame, ServerFrame};

/// Where the next older page starts. Opaque to clients; it names its room so
/// a cursor cannot be replayed against another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub room: RoomName,
    pub key: MessageKey,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!(
            "v1|{}|{}|{}",
            self.room.as_str(),
            self.key.ts,
            self.key.id
        ))
    }

    /// Decodes a cursor for `room`; anything else is a `bad_request`.
    pub fn decode(s: &str, room: &RoomName) -> Result<Self, FrameError> {
        let bad = |why: &str| FrameError::new("bad_request", why, Some("history"));
        let raw = URL_SAFE_NO_PAD
            .decode(s)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| bad("malformed history cursor"))?;
        let mut parts = raw.split('|');
        let (Some("v1"), Some(r), Some(ts), Some(id), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(bad("malformed history cursor"));
        };
        let cursor_room = RoomName::parse(r).map_err(|_| bad("malformed history cursor"))?;
        let ts = ts
            .parse::<i64>()
            .map_err(|_| bad("malformed history cursor"))?;
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(bad("malformed history cursor"));
        }
        if &cursor_room != room {
            return Err(bad("history cursor belongs to another room"));
        }
        Ok(Self {
            room: cursor_room,
            key: MessageKey {
                ts,
                id: id.to_owned(),
            },
        })
    }
}

impl App {
    #[tracing::instrument(skip_all, fields(conn = %id, limit))]
    pub(super) async fn history(
        &self,
        id: &ConnectionId,
        limit: u32,
        before: Option<String>,
    ) -> Result<(), RouteError> {
        let me = self.sender(id).await?;
        let before = before
            .map(|c| Cursor::decode(&c, &me.room))
            .transpose()?
            .map(|c| c.key);
        let mut page = self
            .store
            .messages_before(&me.room, before.as_ref(), limit as usize)
            .await?;

        // Translate what was never read in this language, keep it, and
        // remember failures to mark those copies.
        let lang = me.lang;
        let missing: Vec<usize> = page
            .messages
            .iter()
            .enumerate()
            .filter(|(_, m)| m.source_lang != lang && !m.translations.contains_key(&lang))
            .map(|(i, _)| i)
            .collect();
        let messages = &page.messages;
        let results: Vec<_> = stream::iter(missing)
            .map(|i| async move {
                let m = &messages[i];
                (
                    i,
                    translate_one(
                        self.translator.as_ref(),
                        self.policy.engine_timeout,
                        &m.text,
                        m.source_lang,
                        lang,
                    )
                    .await,
                )
            })
            .buffer_unordered(HISTORY_TRANSLATE_CONCURRENCY)
            .collect()
            .await;
        let mut failures = HashMap::new();
        for (i, result) in results {
            match result {
                Ok(t) => {
                    let m = &mut page.messages[i];
                    if let Err(e) = self
                        .store
                        .put_translation(&m.room, &m.key(), lang, &t)
                        .await
                    {
                        tracing::warn!(error = %e, "keeping a history translation");
                    }
                    m.translations.insert(lang, t);
                }
                Err(e) => {
                    failures.insert(i, e);
                }
            }
        }

        let next = match (page.more, page.messages.first()) {
            (true, Some(oldest)) => Some(
                Cursor {
                    room: me.room.clone(),
                    key: oldest.key(),
                }
                .encode(),
            ),
            _ => None,
        };
        let frame = ServerFrame::History {
            room: me.room.as_str().to_owned(),
            lang: lang.as_str().to_owned(),
            messages: page
                .messages
                .iter()
                .enumerate()
                .map(|(i, m)| HistoryItem::Message(MessageFrame::render(m, lang, failures.get(&i))))
                .collect(),
            next,
        };
        self.reply(id, &frame).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(s: &str) -> RoomName {
        RoomName::parse(s).unwrap()
    }

    #[test]
    fn cursor_round_trip() {
        let c = Cursor {
            room: room("lobby"),
            key: MessageKey {
                ts: 1_764_150_000_000,
                id: "01JD0000000000000000000000".into(),
            },
        };
        assert_eq!(Cursor::decode(&c.encode(), &room("lobby")).unwrap(), c);
    }

    #[test]
    fn cursor_rejects_other_rooms_and_garbage() {
        let c = Cursor {
            room: room("a"),
            key: MessageKey {
                ts: 1,
                id: "X".into(),
            },
        };
        let e = Cursor::decode(&c.encode(), &room("b")).unwrap_err();
        assert_eq!(e.code, "bad_request");
        for junk in [
            "",
            "!!!",
            "djE",
            &URL_SAFE_NO_PAD.encode("v1|a|x|X"),
            &URL_SAFE_NO_PAD.encode("v1|a|1|X|extra"),
        ] {
            assert_eq!(
                Cursor::decode(junk, &room("a")).unwrap_err().code,
                "bad_request",
                "{junk}"
            );
        }
    }
}
