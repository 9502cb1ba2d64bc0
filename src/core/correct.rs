//! `correct` (v1.2): a reader of another language than the message's
//! proposes a better translation into its own. It replaces the stored
//! translation, every member reading that language gets `corrected`, and
//! the room remembers it: the same source text, sent again, reaches that
//! language as corrected (`engine: "memory"`) without an engine call.
//! Rate limited as a message is; it costs no engine characters.

use super::edit::refuse;
use super::{App, RouteError, now_ms};
use crate::limits::ROOM_MEMORY_MAX;
use crate::model::{
    Author, ChatText, ClientMsgId, ConnectionId, MemoryEntry, MessageKey, source_hash,
};
use crate::protocol::{AuthorView, ServerFrame};

#[tracing::instrument(skip_all, fields(conn = %id, msg = %key.id))]
pub(super) async fn correct(
    app: &App,
    id: &ConnectionId,
    key: MessageKey,
    text: ChatText,
    client_msg_id: Option<ClientMsgId>,
) -> Result<(), RouteError> {
    let me = app.sender(id).await?;
    let cmid = client_msg_id.as_ref();
    let msg = app
        .store
        .get_message(&me.room, &key)
        .await?
        .filter(|m| !m.is_deleted() && m.id == key.id)
        .ok_or_else(|| refuse("not_found", "no such message in this room", "correct", cmid))?;
    if msg.source_lang == me.lang {
        return Err(refuse(
            "forbidden",
            "only readers of another language can correct a translation",
            "correct",
            cmid,
        ));
    }
    app.charge_like_a_message(&me, 0, "correct", cmid).await?;
    let by = Author {
        name: me.name.clone(),
        tag: me.tag(),
    };
    let entry = MemoryEntry {
        source: source_hash(msg.source_lang, &msg.text),
        lang: me.lang,
        text: text.into_string(),
        by: by.clone(),
        at: now_ms(),
    };
    if !app
        .store
        .put_correction(&me.room, &key, &entry, ROOM_MEMORY_MAX)
        .await?
    {
        return Err(refuse("not_found", "the message is gone", "correct", cmid));
    }
    let to = app
        .all_members(&me.room)
        .await?
        .into_iter()
        .filter(|m| m.lang == me.lang)
        .map(|m| m.connection_id)
        .collect();
    let frame = ServerFrame::Corrected {
        room: me.room.as_str().to_owned(),
        id: key.id.clone(),
        lang: me.lang.as_str().to_owned(),
        text: entry.text,
        by: AuthorView::from(&by),
    };
    let batch = format!("{}@c{}{}", key.id, me.lang.as_str(), entry.at);
    app.broadcast(&batch, &me.room, &frame, to).await;
    Ok(())
}
