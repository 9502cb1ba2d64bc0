//! `edit` (v1.2): the sender rewrites its own message within the edit
//! window. The new text is translated again once per reader language, as
//! a new message is (the room's memory and glossary first), and charged
//! and rate limited like one; every member gets `edited` in its language.

use super::deliver::Rendered;
use super::plan::FanoutPlan;
use super::{App, RouteError, now_ms};
use crate::model::{ChatText, ClientMsgId, Connection, ConnectionId, Lang, Message, MessageKey};
use crate::ports::Hints;
use crate::protocol::FrameError;

/// A refusal of `action` naming the request's `clientMsgId`.
pub(super) fn refuse(
    code: &'static str,
    message: impl Into<String>,
    action: &str,
    cmid: Option<&ClientMsgId>,
) -> RouteError {
    FrameError::new(code, message, Some(action))
        .with_client_msg_id(cmid.map(|c| c.as_str().to_owned()))
        .into()
}

/// Whether `me` sent `msg`: the same `client` in the room, or, for a
/// message sent without one, the same connection.
pub(super) fn sent_by(msg: &Message, me: &Connection) -> bool {
    match &msg.from_client {
        Some(key) => me.client.as_ref() == Some(key),
        None => msg.from_connection == me.id,
    }
}

impl App {
    /// The live message at `key` in `me`'s room, if `me` sent it and may
    /// still change it (the edit window).
    pub(super) async fn own_message(
        &self,
        me: &Connection,
        key: &MessageKey,
        action: &str,
        cmid: Option<&ClientMsgId>,
    ) -> Result<Message, RouteError> {
        let msg = self
            .store
            .get_message(&me.room, key)
            .await?
            .filter(|m| !m.is_deleted() && m.id == key.id)
            .ok_or_else(|| refuse("not_found", "no such message in this room", action, cmid))?;
        if !sent_by(&msg, me) {
            return Err(refuse(
                "not_yours",
                "only its sender may change a message",
                action,
                cmid,
            ));
        }
        let window = i64::try_from(self.policy.edit_window.as_millis()).unwrap_or(i64::MAX);
        if now_ms().saturating_sub(msg.ts) > window {
            return Err(refuse(
                "too_old",
                format!(
                    "a message can be changed for {} hours after it was sent",
                    self.policy.edit_window.as_secs() / 3600
                ),
                action,
                cmid,
            ));
        }
        Ok(msg)
    }
}

#[tracing::instrument(skip_all, fields(conn = %id, msg = %key.id))]
pub(super) async fn edit(
    app: &App,
    id: &ConnectionId,
    key: MessageKey,
    text: ChatText,
    client_msg_id: Option<ClientMsgId>,
) -> Result<(), RouteError> {
    let me = app.sender(id).await?;
    let cmid = client_msg_id.as_ref();
    let old = app.own_message(&me, &key, "edit", cmid).await?;
    let mut members = app.all_members(&me.room).await?;
    if !members.iter().any(|m| m.connection_id == me.id) {
        members.push(me.member());
    }
    let source = old.source_lang;
    let plan = FanoutPlan::new(source, &members);
    let targets: Vec<Lang> = plan.targets().collect();
    let known = app
        .room_knowledge(&me.room, source, text.as_str(), &targets)
        .await?;
    let cost = text.as_str().chars().count() * known.engine_targets(&targets).len();
    app.charge_like_a_message(&me, cost, "edit", cmid).await?;
    // Names kept as in a new message; no context: the edit replaces a
    // message already in it.
    let hints = Hints {
        keep: super::fanout::member_names(&members),
        context: Vec::new(),
    };
    let done = app
        .translate_for_room(&known, text.as_str(), source, &targets, &hints)
        .await;
    let edited_at = now_ms();
    if !app
        .store
        .edit_message(&me.room, &key, text.as_str(), edited_at, &done.translations)
        .await?
    {
        return Err(refuse("not_found", "the message is gone", "edit", cmid));
    }
    let msg = Message {
        text: text.into_string(),
        translations: done.translations,
        edited_at: Some(edited_at),
        client_msg_id,
        ..old
    };
    tracing::info!(recipients = members.len(), "edit fan-out");
    app.fan_out(&msg, &plan, &done.failures, id, Rendered::Edited)
        .await;
    Ok(())
}
