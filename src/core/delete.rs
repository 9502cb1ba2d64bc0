//! `delete` (v1.2): the sender removes its own message within the edit
//! window — its text and every translation leave the store, a tombstone
//! keeps its place in history — and every member gets `deleted`. Free:
//! nothing is translated.

use super::edit::refuse;
use super::{App, RouteError, now_ms};
use crate::model::{ClientMsgId, ConnectionId, MessageKey};
use crate::protocol::ServerFrame;

#[tracing::instrument(skip_all, fields(conn = %id, msg = %key.id))]
pub(super) async fn delete(
    app: &App,
    id: &ConnectionId,
    key: MessageKey,
    client_msg_id: Option<ClientMsgId>,
) -> Result<(), RouteError> {
    let me = app.sender(id).await?;
    let cmid = client_msg_id.as_ref();
    app.own_message(&me, &key, "delete", cmid).await?;
    let deleted_at = now_ms();
    if !app.store.delete_message(&me.room, &key, deleted_at).await? {
        return Err(refuse("not_found", "the message is gone", "delete", cmid));
    }
    let to = app.members_and(&me.room, &me.id).await?;
    let frame = ServerFrame::Deleted {
        room: me.room.as_str().to_owned(),
        id: key.id.clone(),
        deleted_at,
    };
    app.broadcast(&format!("{}@d", key.id), &me.room, &frame, to)
        .await;
    Ok(())
}
