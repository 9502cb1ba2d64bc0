//! `react` (v1.2): a member toggles its reaction (one emoji) to a message
//! of its room; every member gets `reaction`. The reactor is its `client`
//! in the room, or its connection without one (as for `edit`). Rate
//! limited as a message is; free of engine characters.

use std::collections::BTreeMap;

use super::edit::refuse;
use super::fanout::dedupe_scope;
use super::ids::message_id;
use super::{App, RouteError, now_ms};
use crate::limits::REACTIONS_MAX_EMOJI;
use crate::model::{
    ClientMsgId, ConnectionId, Emoji, Message, MessageKey, Reaction, ReactionToggle, RoomName,
    Toggled,
};
use crate::protocol::{AuthorView, ServerFrame};

#[tracing::instrument(skip_all, fields(conn = %id, msg = %key.id))]
pub(super) async fn react(
    app: &App,
    id: &ConnectionId,
    key: MessageKey,
    emoji: Emoji,
    client_msg_id: Option<ClientMsgId>,
) -> Result<(), RouteError> {
    let me = app.sender(id).await?;
    let cmid = client_msg_id.as_ref();
    let gone = || refuse("not_found", "no such message in this room", "react", cmid);
    let msg = app
        .store
        .get_message(&me.room, &key)
        .await?
        .filter(|m| !m.is_deleted() && m.id == key.id)
        .ok_or_else(gone)?;
    app.charge_like_a_message(&me, 0, "react", cmid).await?;
    let toggle = ReactionToggle {
        who: dedupe_scope(&me),
        tag: me.tag(),
        emoji,
    };
    let (on, count) = match app
        .store
        .toggle_reaction(&me.room, &key, &toggle, msg.ttl)
        .await?
    {
        Toggled::Done { on, count } => (on, count),
        Toggled::Gone => return Err(gone()),
        Toggled::Full => {
            return Err(refuse(
                "too_many_reactions",
                format!("a message takes at most {REACTIONS_MAX_EMOJI} different emoji"),
                "react",
                cmid,
            ));
        }
    };
    let to = app.members_and(&me.room, &me.id).await?;
    let frame = ServerFrame::Reaction {
        room: me.room.as_str().to_owned(),
        id: key.id.clone(),
        emoji: toggle.emoji.as_str().to_owned(),
        on,
        count,
        from: AuthorView {
            name: me.name.as_str().to_owned(),
            tag: toggle.tag.as_ref().map(|t| t.as_str().to_owned()),
        },
    };
    // Every toggle is a fan-out of its own (its own delivery marker).
    let batch = format!("{}@r{}", key.id, message_id(now_ms()));
    app.broadcast(&batch, &me.room, &frame, to).await;
    Ok(())
}

impl App {
    /// The tallies of a history page's messages, by id: one range read.
    /// A failed read costs the page its reactions, not the page.
    pub(super) async fn page_reactions(
        &self,
        room: &RoomName,
        page: &[Message],
    ) -> BTreeMap<String, Vec<Reaction>> {
        let (Some(first), Some(last)) = (page.first(), page.last()) else {
            return Default::default();
        };
        match self.store.reactions(room, &first.key(), &last.key()).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "reading a history page's reactions");
                Default::default()
            }
        }
    }
}
