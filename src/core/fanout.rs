//! `translate`: read the room once, charge the sender and the daily
//! budget, translate once per distinct target language (concurrently, none
//! for the source language; the room's memory and glossary first, see
//! `translation.rs`) keeping the members' names untouched (and, for an
//! engine that takes it, with the room's previous two messages as
//! context), store the message and its translations, then hand each
//! language's frame — encoded once — to every member reading it.

use std::collections::BTreeMap;

use super::deliver::Rendered;
use super::ids::message_id;
use super::plan::FanoutPlan;
use super::quota::{Refusal, who};
use super::{App, RouteError, now_ms};
use crate::model::{
    ChatText, ClientMsgId, Connection, ConnectionId, Lang, Member, Message, MessageKey, RoomName,
    SourceLang,
};
use crate::ports::{Hints, HistoryQuery, PutOutcome, StoreError};
use crate::protocol::FrameError;

/// Whose `clientMsgId`s a message's id competes with: the sender's
/// `client` (so a resend after a reconnect is recognised) or, without
/// one, its connection — never its display name, which anyone can take.
pub(super) fn dedupe_scope(conn: &Connection) -> String {
    match &conn.client {
        Some(key) => format!("c:{}", key.as_str()),
        None => format!("conn:{}", conn.id),
    }
}

/// Messages sent as context to engines that take it.
const CONTEXT_MESSAGES: usize = 2;

/// The members' display names, each once: never translated.
pub(super) fn member_names(members: &[Member]) -> Vec<String> {
    let mut names: Vec<String> = members.iter().map(|m| m.name.as_str().to_owned()).collect();
    names.sort_unstable();
    names.dedup();
    names
}

impl App {
    /// Charges a chat message (or an edit, charged alike) of `cost`
    /// characters to its sender: one of its messages a minute, and the
    /// characters of its hour. A refusal names the request's `clientMsgId`.
    pub(super) async fn charge_like_a_message(
        &self,
        me: &Connection,
        cost: usize,
        action: &str,
        client_msg_id: Option<&ClientMsgId>,
    ) -> Result<(), RouteError> {
        let per_minute = Some(self.policy.messages_per_minute);
        let Err(refusal) = self.charge_sender(who(me), per_minute, cost).await? else {
            return Ok(());
        };
        let message = match refusal {
            Refusal::Rate => format!(
                "too many messages; the limit is {} a minute",
                self.policy.messages_per_minute
            ),
            Refusal::Hourly => format!(
                "translation budget used up: {} characters an hour",
                self.policy.chars_per_hour
            ),
        };
        let cmid = client_msg_id.map(|c| c.as_str().to_owned());
        Err(FrameError::new("rate_limited", message, Some(action))
            .with_client_msg_id(cmid)
            .into())
    }

    /// The room's last messages, oldest first, when the engine takes
    /// context and something is to be translated; a failed read only
    /// costs the context.
    pub(super) async fn context(&self, room: &RoomName, nothing_to_translate: bool) -> Vec<String> {
        if nothing_to_translate || !self.translator.wants_context() {
            return Vec::new();
        }
        let query = HistoryQuery {
            before: None,
            limit: CONTEXT_MESSAGES,
            lang: Lang::EN,
            since_ms: self.policy.kept_since(now_ms()),
        };
        match self.store.messages_before(room, &query).await {
            Ok(page) => page.messages.into_iter().map(|m| m.text).collect(),
            Err(e) => {
                tracing::warn!(error = %e, "reading context; translating without");
                Vec::new()
            }
        }
    }

    /// Every live member's connection, and `me`'s even when it has just
    /// left: whoever acted hears the answer too.
    pub(super) async fn members_and(
        &self,
        room: &RoomName,
        me: &ConnectionId,
    ) -> Result<Vec<ConnectionId>, StoreError> {
        let mut to: Vec<ConnectionId> = self
            .all_members(room)
            .await?
            .into_iter()
            .map(|m| m.connection_id)
            .collect();
        if !to.contains(me) {
            to.push(me.clone());
        }
        Ok(to)
    }

    /// Every live member of a room, page by page.
    pub(super) async fn all_members(&self, room: &RoomName) -> Result<Vec<Member>, StoreError> {
        const PAGE: usize = 1000;
        let mut members = Vec::new();
        let mut after = None;
        loop {
            let page = self.store.room_members(room, after.as_ref(), PAGE).await?;
            members.extend(page.members);
            match page.next {
                Some(next) => after = Some(next),
                None => return Ok(members),
            }
        }
    }
}

#[tracing::instrument(skip_all, fields(conn = %id))]
pub(super) async fn translate(
    app: &App,
    id: &ConnectionId,
    text: ChatText,
    client_msg_id: Option<ClientMsgId>,
    source: Option<SourceLang>,
    reply_to: Option<MessageKey>,
) -> Result<(), RouteError> {
    let me = app.sender(id).await?;
    let scope = dedupe_scope(&me);
    if let Some(cmid) = &client_msg_id {
        // Cheap early exit before paying for translation; the
        // conditional write below is what guarantees once-only.
        if app.store.has_client_msg(&me.room, &scope, cmid).await? {
            return Ok(());
        }
    }
    // v1.2: the quoted message must exist before anything is paid for.
    let quoted = match &reply_to {
        Some(key) => Some(app.quoted(&me.room, key, client_msg_id.as_ref()).await?),
        None => None,
    };
    let mut members = app.all_members(&me.room).await?;
    if !members.iter().any(|m| m.connection_id == me.id) {
        members.push(me.member());
    }
    let source = match source {
        None => me.lang,
        Some(SourceLang::Code(lang)) => lang,
        Some(SourceLang::Auto) => app
            .translator
            .detect(text.as_str())
            .await
            .unwrap_or(me.lang),
    };
    let plan = FanoutPlan::new(source, &members);
    let targets: Vec<Lang> = plan.targets().collect();
    let known = app
        .room_knowledge(&me.room, source, text.as_str(), &targets)
        .await?;
    // What would be billed: characters × the targets the engine must do
    // (a remembered correction costs nothing).
    let cost = text.as_str().chars().count() * known.engine_targets(&targets).len();
    app.charge_like_a_message(&me, cost, "translate", client_msg_id.as_ref())
        .await?;
    let hints = Hints {
        keep: member_names(&members),
        context: app.context(&me.room, targets.is_empty()).await,
    };
    let done = app
        .translate_for_room(&known, text.as_str(), source, &targets, &hints)
        .await;
    let reply_to = match &quoted {
        Some(q) => {
            let langs: Vec<Lang> = plan.by_lang.keys().copied().collect();
            Some(app.quote(q, &langs).await?)
        }
        None => None,
    };
    // The key is derived from the id (`MessageKey::from_id`), so `ts` is
    // the id's own time.
    let msg_id = message_id(now_ms());
    let ts = MessageKey::from_id(&msg_id).map_or_else(|_| now_ms(), |k| k.ts);
    let mut msg = Message {
        id: msg_id,
        room: me.room.clone(),
        ts,
        from_name: me.name.clone(),
        from_connection: me.id.clone(),
        from_tag: me.tag(),
        source_lang: source,
        text: text.into_string(),
        translations: done.translations,
        client_msg_id,
        ttl: app.policy.expiry(ts),
        from_client: me.client.clone(),
        edited_at: None,
        deleted_at: None,
        corrected: BTreeMap::new(),
        reply_to,
    };
    if app.store.put_message(&msg, &scope).await? == PutOutcome::Duplicate {
        return Ok(());
    }
    if let Some(q) = msg.reply_to.as_mut() {
        app.settle_quote(&me.room, q).await;
    }
    tracing::info!(msg = %msg.id, recipients = members.len(), langs = plan.by_lang.len(), "fan-out");
    app.fan_out(&msg, &plan, &done.failures, id, Rendered::Message)
        .await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::UserName;

    fn member(id: &str, lang: &str) -> Member {
        Member {
            connection_id: ConnectionId::new(id),
            name: UserName::parse(id).unwrap(),
            lang: Lang::parse(lang).unwrap(),
            tag: None,
            joined_at: 0,
        }
    }

    #[test]
    fn groups_by_language_and_skips_the_source() {
        let members = [
            member("a", "ja"),
            member("b", "es"),
            member("c", "ja"),
            member("d", "en"),
            member("e", "es"),
        ];
        let plan = FanoutPlan::new(Lang::parse("ja").unwrap(), &members);
        let targets: Vec<&str> = plan.targets().map(|l| l.as_str()).collect();
        assert_eq!(targets, ["en", "es"]);
        assert_eq!(plan.by_lang.len(), 3);
        assert_eq!(plan.by_lang[&Lang::parse("ja").unwrap()].len(), 2);
    }

    #[test]
    fn one_language_room_needs_no_engine() {
        let members = [member("a", "de"), member("b", "de")];
        let plan = FanoutPlan::new(Lang::parse("de").unwrap(), &members);
        assert_eq!(plan.targets().count(), 0);
    }
}
