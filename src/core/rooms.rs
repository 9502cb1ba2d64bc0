//! `join`, `members`, `typing`, and the `presence` a room hears. Rooms of
//! more than `presence_max_members` hear no presence and no typing: each
//! would be a post to every member, and filling a room of N would cost N²
//! posts. Their members learn the size from `count`.

use super::cursor::Cursor;
use super::{App, RouteError, now_ms};
use crate::limits::{MAX_MESSAGE_BYTES, MEMBERS_PAGE_MAX, TYPING_INTERVAL};
use crate::model::{Connection, ConnectionId, Lang, Member, MemberKey, RoomName, UserName};
use crate::ports::{Admission, StoreError};
use crate::protocol::{FrameError, MemberView, PresenceEvent, ServerFrame};

impl App {
    /// The members other than `who` of a room of `count` members, unless
    /// the room is too big for presence and typing.
    async fn small_room(
        &self,
        who: &Connection,
        count: usize,
    ) -> Result<Option<Vec<Member>>, StoreError> {
        let max = self.policy.presence_max_members;
        if count > max {
            return Ok(None);
        }
        // The count says the room is small: one page holds it.
        let page = self
            .store
            .room_members(&who.room, None, max.saturating_add(1))
            .await?;
        Ok(Some(
            page.members
                .into_iter()
                .filter(|m| m.connection_id != who.id)
                .collect(),
        ))
    }

    /// Tells the room's other members that `who` joined, left or changed;
    /// `count` is the room after the change.
    pub(super) async fn presence(
        &self,
        who: &Connection,
        event: PresenceEvent,
        count: usize,
        previous_name: Option<&UserName>,
    ) {
        self.presence_of(who, event, count, previous_name, false)
            .await;
    }

    /// `who` joined: `returning` when its `client` left this room less
    /// than [`REJOIN_GRACE`](crate::limits::REJOIN_GRACE) ago (v1.2), so nobody sees it "join" again.
    pub(super) async fn presence_join(&self, who: &Connection, count: usize) {
        let returning = match who.tag() {
            None => false,
            Some(tag) => match self.store.left_at(&who.room, &tag).await {
                Ok(left) => left.is_some(),
                Err(e) => {
                    tracing::warn!(error = %e, "reading when the member left");
                    false
                }
            },
        };
        self.presence_of(who, PresenceEvent::Join, count, None, returning)
            .await;
    }

    /// `who` left: noted for [`REJOIN_GRACE`](crate::limits::REJOIN_GRACE) when it has a `client`.
    pub(super) async fn presence_leave(&self, who: &Connection, count: usize) {
        self.note_left(who).await;
        self.presence_of(who, PresenceEvent::Leave, count, None, false)
            .await;
    }

    /// Notes that `who` left its room, if it has a `client` to know it by.
    pub(super) async fn note_left(&self, who: &Connection) {
        if let Some(tag) = who.tag()
            && let Err(e) = self.store.note_left(&who.room, &tag, now_ms()).await
        {
            tracing::warn!(error = %e, "noting that a member left");
        }
    }

    async fn presence_of(
        &self,
        who: &Connection,
        event: PresenceEvent,
        count: usize,
        previous_name: Option<&UserName>,
        returning: bool,
    ) {
        let others = match self.small_room(who, count).await {
            Ok(Some(others)) => others,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "members for presence");
                return;
            }
        };
        let frame = ServerFrame::Presence {
            room: who.room.as_str().to_owned(),
            event,
            name: who.name.as_str().to_owned(),
            lang: who.lang.as_str().to_owned(),
            count,
            tag: who.tag().map(|t| t.as_str().to_owned()),
            previous_name: previous_name.map(|n| n.as_str().to_owned()),
            returning,
        }
        .to_frame();
        self.post_all(others.into_iter().map(|m| (m.connection_id, frame.clone())))
            .await;
    }
}

#[tracing::instrument(skip_all, fields(conn = %id))]
pub(super) async fn join(
    app: &App,
    id: &ConnectionId,
    room: Option<RoomName>,
    lang: Option<Lang>,
    name: Option<UserName>,
) -> Result<(), RouteError> {
    let old = app.sender(id).await?;
    let moving = room.as_ref().is_some_and(|r| *r != old.room);
    if moving && app.policy.token_secret.is_some() {
        return Err(FrameError::new(
            "unauthorized",
            "your access token opens this room only",
            Some("join"),
        )
        .into());
    }
    let new = Connection {
        room: room.unwrap_or_else(|| old.room.clone()),
        lang: lang.unwrap_or(old.lang),
        name: name.unwrap_or_else(|| old.name.clone()),
        joined_at: if moving { now_ms() } else { old.joined_at },
        ..old.clone()
    };
    let count = if new == old {
        app.store.room_count(&new.room).await?
    } else {
        match app
            .store
            .update_connection(&old, &new, app.policy.max_room_members)
            .await?
        {
            Admission::Full => {
                return Err(FrameError::new(
                    "room_full",
                    format!("room {} is full", new.room.as_str()),
                    Some("join"),
                )
                .into());
            }
            Admission::Admitted { count } => count,
        }
    };
    let page = app
        .store
        .room_members(&new.room, None, MEMBERS_PAGE_MAX)
        .await?;
    let joined = fit_members(&new.room, page.members, page.next, |members, next| {
        ServerFrame::Joined {
            connection_id: id.as_str().to_owned(),
            room: new.room.as_str().to_owned(),
            lang: new.lang.as_str().to_owned(),
            name: new.name.as_str().to_owned(),
            tag: new.tag().map(|t| t.as_str().to_owned()),
            count,
            members,
            next,
        }
    });
    app.reply(id, &joined).await;
    if moving {
        let left = app.store.room_count(&old.room).await?;
        app.presence_leave(&old, left).await;
        app.presence_join(&new, count).await;
    } else if new != old {
        let previous = (new.name != old.name).then_some(&old.name);
        app.presence(&new, PresenceEvent::Update, count, previous)
            .await;
    }
    Ok(())
}

pub(super) async fn members(
    app: &App,
    id: &ConnectionId,
    after: Option<String>,
) -> Result<(), RouteError> {
    let me = app.sender(id).await?;
    let after = after.map(|c| Cursor::members(&c, &me.room)).transpose()?;
    let page = app
        .store
        .room_members(&me.room, after.as_ref(), MEMBERS_PAGE_MAX)
        .await?;
    let count = app.store.room_count(&me.room).await?;
    let frame = fit_members(&me.room, page.members, page.next, |members, next| {
        ServerFrame::Members {
            room: me.room.as_str().to_owned(),
            count,
            members,
            next,
        }
    });
    app.reply(id, &frame).await;
    Ok(())
}

/// `typing`: relayed to the room's other members at most once per
/// connection every 3 s (the rest dropped silently); nothing stored
/// but the time of the last one.
pub(super) async fn typing(app: &App, id: &ConnectionId) -> Result<(), RouteError> {
    let me = app.sender(id).await?;
    let interval = TYPING_INTERVAL.as_millis() as i64;
    if !app.store.touch_typing(id, now_ms(), interval).await? {
        return Ok(());
    }
    let count = app.store.room_count(&me.room).await?;
    let Some(others) = app.small_room(&me, count).await? else {
        return Ok(());
    };
    let frame = ServerFrame::Typing {
        room: me.room.as_str().to_owned(),
        name: me.name.as_str().to_owned(),
        tag: me.tag().map(|t| t.as_str().to_owned()),
    }
    .to_frame();
    app.post_all(others.into_iter().map(|m| (m.connection_id, frame.clone())))
        .await;
    Ok(())
}

/// The frame `make` builds from as many of `members` as fit in one
/// 128 KB frame (all of a page, in practice: 500 of the longest names
/// take about 90 KB), with `next` where the rest continue.
fn fit_members(
    room: &RoomName,
    members: Vec<Member>,
    next: Option<MemberKey>,
    make: impl Fn(Vec<MemberView>, Option<String>) -> ServerFrame,
) -> ServerFrame {
    let cursor = |key: MemberKey| {
        Cursor::Members {
            room: room.clone(),
            key,
        }
        .encode()
    };
    let mut keep = members.len();
    loop {
        let next = if keep < members.len() {
            members[..keep].last().map(|m| cursor(m.key()))
        } else {
            next.clone().map(cursor)
        };
        let frame = make(members[..keep].iter().map(MemberView::from).collect(), next);
        if keep <= 1 || frame.to_json().len() <= MAX_MESSAGE_BYTES {
            return frame;
        }
        keep = keep * 9 / 10;
    }
}
