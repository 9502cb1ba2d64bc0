//! `glossary` and `glossary_set` (v1.2): the room glossary, one versioned
//! item. Anyone in the room may read it; any member may change it unless
//! the deployment requires tokens, and then only a connection that came
//! with an admin token (`honyaku token --admin`). A change names the
//! version it replaces, so two people saving at once cannot overwrite
//! each other (`conflict`); each is rate limited as a message is, and
//! every member gets the new glossary.

use super::edit::refuse;
use super::{App, RouteError};
use crate::model::{Author, ClientMsgId, ConnectionId, Glossary, GlossaryTerm, RoomName};
use crate::protocol::{AuthorView, ServerFrame};

fn frame(room: &RoomName, g: Glossary) -> ServerFrame {
    ServerFrame::Glossary {
        room: room.as_str().to_owned(),
        version: g.version,
        terms: g.terms,
        by: g.by.as_ref().map(AuthorView::from),
    }
}

#[tracing::instrument(skip_all, fields(conn = %id))]
pub(super) async fn glossary(app: &App, id: &ConnectionId) -> Result<(), RouteError> {
    let me = app.sender(id).await?;
    let g = app.store.glossary(&me.room).await?;
    app.reply(id, &frame(&me.room, g)).await;
    Ok(())
}

#[tracing::instrument(skip_all, fields(conn = %id, version))]
pub(super) async fn glossary_set(
    app: &App,
    id: &ConnectionId,
    version: u64,
    terms: Vec<GlossaryTerm>,
    client_msg_id: Option<ClientMsgId>,
) -> Result<(), RouteError> {
    let me = app.sender(id).await?;
    let cmid = client_msg_id.as_ref();
    if app.policy.token_secret.is_some() && !me.admin {
        return Err(refuse(
            "forbidden",
            "this server lets only admin tokens change the glossary",
            "glossary_set",
            cmid,
        ));
    }
    app.charge_like_a_message(&me, 0, "glossary_set", cmid)
        .await?;
    let new = Glossary {
        version: version.saturating_add(1),
        terms,
        by: Some(Author {
            name: me.name.clone(),
            tag: me.tag(),
        }),
    };
    if !app.store.put_glossary(&me.room, &new, version).await? {
        let now = app.store.glossary(&me.room).await?.version;
        return Err(refuse(
            "conflict",
            format!("the glossary changed meanwhile (now version {now}); load it and try again"),
            "glossary_set",
            cmid,
        ));
    }
    let to = app.members_and(&me.room, &me.id).await?;
    let batch = format!("glossary#{}#{}", me.room.as_str(), new.version);
    app.broadcast(&batch, &me.room, &frame(&me.room, new), to)
        .await;
    Ok(())
}
