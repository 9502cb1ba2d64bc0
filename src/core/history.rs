//! `history`: newest-first pages of a room behind an opaque cursor, each
//! message in the reader's language, translated on demand (the room's
//! memory of corrections first, free; then the engine with the glossary
//! applied, charged to the reader and to the daily budget; then kept), and as many of `limit` as
//! fit in one 128 KB frame — `next` continues from the oldest one sent.

use std::collections::HashMap;

use futures_util::future::join_all;

use super::cursor::Cursor;
use super::deliver::fitted;
use super::quota::who;
use super::translation::{terms_for, translate_protected};
use super::{App, RouteError, now_ms};
use crate::limits::{HISTORY_TRANSLATE_CONCURRENCY, MAX_MESSAGE_BYTES};
use crate::model::{Connection, ConnectionId, Glossary, Lang, Message, MessageKey, Translation};
use crate::ports::{Hints, HistoryQuery, TranslateError};
use crate::protocol::{HistoryItem, ReactionView, ServerFrame};

/// Where an entry sits in the room's history.
fn item_key(item: &HistoryItem) -> MessageKey {
    match item {
        HistoryItem::Message(m) => MessageKey {
            ts: m.ts,
            id: m.id.clone(),
        },
        HistoryItem::Deleted(d) => MessageKey {
            ts: d.ts,
            id: d.id.clone(),
        },
    }
}

impl App {
    /// Translates what was never read in the reader's language: the
    /// room's memory of corrections first (free, `engine: "memory"`), then
    /// the engine with the room glossary's terms protected, charging the
    /// reader and the daily budget for that; keeps each translation.
    /// Returns the failures by index into `chunk`.
    async fn translate_missing(
        &self,
        me: &Connection,
        chunk: &mut [Message],
    ) -> HashMap<usize, TranslateError> {
        let lang = me.lang;
        let missing: Vec<usize> = (0..chunk.len())
            .filter(|i| {
                let m = &chunk[*i];
                !m.is_deleted() && m.source_lang != lang && !m.translations.contains_key(&lang)
            })
            .collect();
        let mut failures = HashMap::new();
        if missing.is_empty() {
            return failures;
        }
        let texts: Vec<(Lang, &str)> = missing
            .iter()
            .map(|i| (chunk[*i].source_lang, chunk[*i].text.as_str()))
            .collect();
        let remembered = self.recall_each(&me.room, lang, &texts).await;
        let mut engine = Vec::new();
        for (i, found) in missing.into_iter().zip(remembered) {
            match found {
                Some(t) => self.keep(&mut chunk[i], lang, t).await,
                None => engine.push(i),
            }
        }
        let missing = engine;
        if missing.is_empty() {
            return failures;
        }
        let cost: usize = missing.iter().map(|i| chunk[*i].text.chars().count()).sum();
        let allowed = match self.charge_sender(who(me), None, cost).await {
            Ok(Ok(())) => self.charge_budget(cost).await,
            Ok(Err(_)) => false,
            Err(e) => {
                tracing::warn!(error = %e, "charging a history translation");
                false
            }
        };
        if !allowed {
            for i in missing {
                failures.insert(
                    i,
                    TranslateError::Unavailable("translation budget used up".into()),
                );
            }
            return failures;
        }
        // The senders on this page and the reader: the names these
        // messages most likely hold, without reading the room again.
        let mut keep: Vec<String> = chunk
            .iter()
            .map(|m| m.from_name.as_str().to_owned())
            .collect();
        keep.push(me.name.as_str().to_owned());
        keep.sort_unstable();
        keep.dedup();
        let hints = Hints {
            keep,
            context: Vec::new(),
        };
        let limit = self.policy.engine_timeout;
        // The room glossary holds for history too (v1.2).
        let glossary = match self.store.glossary(&me.room).await {
            Ok(g) => g,
            Err(e) => {
                tracing::warn!(error = %e, "reading the glossary for history");
                Glossary::default()
            }
        };
        let terms = terms_for(&glossary, lang);
        let calls = missing.iter().map(|i| {
            let m = &chunk[*i];
            translate_protected(
                self.translator.as_ref(),
                limit,
                &terms,
                &m.text,
                m.source_lang,
                lang,
                &hints,
            )
        });
        let results = join_all(calls).await;
        for (i, result) in missing.into_iter().zip(results) {
            match result {
                Ok(t) => self.keep(&mut chunk[i], lang, t).await,
                Err(e) => {
                    failures.insert(i, e);
                }
            }
        }
        failures
    }

    /// Stores `m`'s translation into `lang` and puts it on the page.
    async fn keep(&self, m: &mut Message, lang: Lang, t: Translation) {
        if let Err(e) = self
            .store
            .put_translation(&m.room, &m.key(), lang, &t, m.ttl)
            .await
        {
            tracing::warn!(error = %e, "keeping a history translation");
        }
        m.translations.insert(lang, t);
    }
}

#[tracing::instrument(skip_all, fields(conn = %id, limit))]
pub(super) async fn history(
    app: &App,
    id: &ConnectionId,
    limit: u32,
    before: Option<String>,
) -> Result<(), RouteError> {
    let me = app.sender(id).await?;
    let before = before.map(|c| Cursor::history(&c, &me.room)).transpose()?;
    let query = HistoryQuery {
        before,
        limit: limit as usize,
        lang: me.lang,
        since_ms: app.policy.kept_since(now_ms()),
    };
    let mut page = app.store.messages_before(&me.room, &query).await?;
    app.fill_quotes(&me.room, me.lang, &mut page.messages).await;
    // v1.2: each entry carries its reactions (counted in its size below).
    let reactions = app.page_reactions(&me.room, &page.messages).await;

    // Newest first, until the frame is full.
    let empty = ServerFrame::History {
        room: me.room.as_str().to_owned(),
        lang: me.lang.as_str().to_owned(),
        messages: Vec::new(),
        next: Some("x".repeat(128)),
    };
    let mut size = empty.to_json().len();
    let mut sent: Vec<HistoryItem> = Vec::new();
    let mut full = false;
    let mut newest_first: Vec<Message> = page.messages.into_iter().rev().collect();
    for chunk in newest_first.chunks_mut(HISTORY_TRANSLATE_CONCURRENCY) {
        let failures = app.translate_missing(&me, chunk).await;
        for (i, msg) in chunk.iter().enumerate() {
            let mut item = HistoryItem::render(msg, me.lang, failures.get(&i));
            if let (HistoryItem::Message(frame), Some(r)) = (&mut item, reactions.get(&msg.id)) {
                frame.reactions = Some(r.iter().map(ReactionView::from).collect());
            }
            let bytes = match &item {
                HistoryItem::Message(frame) => fitted(frame.clone()).map(|f| f.len()),
                HistoryItem::Deleted(d) => serde_json::to_vec(d).ok().map(|v| v.len()),
            };
            let Some(bytes) = bytes else {
                continue;
            };
            // One comma between entries.
            if size + bytes + 1 > MAX_MESSAGE_BYTES {
                if sent.is_empty() {
                    // Alone it is too big for any page: skip it rather
                    // than stall every page after it.
                    tracing::warn!(msg = %msg.id, bytes, "history message too big to send");
                    continue;
                }
                full = true;
                break;
            }
            size += bytes + 1;
            sent.push(item);
        }
        if full {
            break;
        }
    }
    let next = match (full || page.more, sent.last()) {
        (true, Some(oldest)) => Some(
            Cursor::History {
                room: me.room.clone(),
                key: item_key(oldest),
            }
            .encode(),
        ),
        _ => None,
    };
    sent.reverse();
    let frame = ServerFrame::History {
        room: me.room.as_str().to_owned(),
        lang: me.lang.as_str().to_owned(),
        messages: sent,
        next,
    };
    app.reply(id, &frame).await;
    Ok(())
}
