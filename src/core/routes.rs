//! `$connect`, `$disconnect`, `join`, `members`, `ping`, and the dispatch of
//! one client frame to its handler.

use futures_util::StreamExt;
use futures_util::stream;

use super::guard::Verdict;
use super::{App, ConnectError, RouteError, access, now_ms};
use crate::limits::FANOUT_CONCURRENCY;
use crate::model::{Connection, ConnectionId, Lang, Member, RoomName, UserName};
use crate::ports::PushError;
use crate::protocol::{
    Command, FrameError, MemberView, PresenceEvent, ServerFrame, parse_command, route_key,
};

/// `$connect` query parameters as they came; `None` when absent.
#[derive(Debug, Clone, Default)]
pub struct ConnectParams {
    pub room: Option<String>,
    pub lang: Option<String>,
    pub name: Option<String>,
    /// `token` from the query string (never logged).
    pub token: Option<String>,
    /// The handshake's `Origin` header.
    pub origin: Option<String>,
    /// The handshake's `Host` header: the page's own origin is allowed.
    pub host: Option<String>,
}

impl App {
    /// `$connect`: stores the connection and tells the room, before the
    /// gateway completes the handshake.
    #[tracing::instrument(skip(self, params), fields(conn = %id))]
    pub async fn connect(
        &self,
        id: ConnectionId,
        params: ConnectParams,
        connected_at: i64,
    ) -> Result<(), ConnectError> {
        let asked = params.room.as_deref().map(RoomName::parse).transpose()?;
        let opened = access::admit(
            &self.policy,
            params.origin.as_deref(),
            params.host.as_deref(),
            params.token.as_deref(),
            asked.as_ref(),
            connected_at / 1000,
        )?;
        // A token's room is the default room.
        let room = asked.or(opened).unwrap_or_else(RoomName::lobby);
        let lang = params
            .lang
            .as_deref()
            .map(Lang::parse)
            .transpose()?
            .unwrap_or(Lang::EN);
        let name = match params.name.as_deref() {
            Some(n) => UserName::parse(n)?,
            None => UserName::guest(&id),
        };
        if self.store.room_members(&room).await?.len() >= self.policy.max_room_members {
            return Err(ConnectError::RoomFull(room.as_str().to_owned()));
        }
        let conn = Connection {
            id,
            room,
            lang,
            name,
            connected_at,
        };
        self.store.put_connection(&conn).await?;
        let members = self.store.room_members(&conn.room).await?;
        self.presence(&conn, PresenceEvent::Join, &members).await;
        Ok(())
    }

    /// `$disconnect`: forgets the connection and tells the room.
    #[tracing::instrument(skip(self), fields(conn = %id))]
    pub async fn disconnect(&self, id: &ConnectionId) {
        self.guard.forget(id);
        match self.store.delete_connection(id).await {
            Ok(Some(conn)) => match self.store.room_members(&conn.room).await {
                Ok(members) => self.presence(&conn, PresenceEvent::Leave, &members).await,
                Err(e) => tracing::warn!(error = %e, "members after disconnect"),
            },
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "delete connection"),
        }
    }

    /// One client frame (any route other than `$connect`/`$disconnect`).
    /// Every failure becomes an `error` frame to the sender.
    pub async fn message(&self, id: &ConnectionId, body: &str) {
        match self.guard.frame(id) {
            Verdict::Allow => {}
            Verdict::Refuse => {
                let e = FrameError::new(
                    "rate_limited",
                    format!(
                        "too many messages; the limit is {} a minute",
                        self.policy.messages_per_minute
                    ),
                    route_key(body),
                );
                self.reply(id, &e.to_frame()).await;
                return;
            }
            Verdict::Close => {
                tracing::warn!(conn = %id, "closing a connection that keeps flooding");
                if let Err(e) = self.push.close(id, 1008, "Policy Violation").await {
                    tracing::warn!(conn = %id, error = %e, "close failed");
                }
                return;
            }
        }
        let result = match parse_command(body) {
            Ok(cmd) => {
                let action = action_name(&cmd);
                self.dispatch(id, cmd).await.map_err(|e| {
                    if let RouteError::Store(s) = &e {
                        tracing::error!(conn = %id, action, error = %s, "store failed");
                    }
                    e.into_frame_error(action)
                })
            }
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            tracing::debug!(conn = %id, code = e.code, "error frame");
            self.reply(id, &e.to_frame()).await;
        }
    }

    async fn dispatch(&self, id: &ConnectionId, cmd: Command) -> Result<(), RouteError> {
        match cmd {
            Command::Translate {
                text,
                client_msg_id,
                source_lang,
            } => self.translate(id, text, client_msg_id, source_lang).await,
            Command::Join { room, lang, name } => self.join(id, room, lang, name).await,
            Command::History { limit, before } => self.history(id, limit, before).await,
            Command::Members => {
                let me = self.sender(id).await?;
                let members = self.store.room_members(&me.room).await?;
                let frame = ServerFrame::Members {
                    room: me.room.as_str().to_owned(),
                    members: views(&members),
                };
                self.reply(id, &frame).await;
                Ok(())
            }
            Command::Ping => {
                self.reply(id, &ServerFrame::Pong { ts: now_ms() }).await;
                Ok(())
            }
        }
    }

    #[tracing::instrument(skip_all, fields(conn = %id))]
    async fn join(
        &self,
        id: &ConnectionId,
        room: Option<RoomName>,
        lang: Option<Lang>,
        name: Option<UserName>,
    ) -> Result<(), RouteError> {
        let old = self.sender(id).await?;
        if let Some(room) = &room
            && *room != old.room
        {
            if self.policy.token_secret.is_some() {
                return Err(FrameError::new(
                    "unauthorized",
                    "your access token opens this room only",
                    Some("join"),
                )
                .into());
            }
            if self.store.room_members(room).await?.len() >= self.policy.max_room_members {
                return Err(FrameError::new(
                    "rate_limited",
                    format!("room {} is full", room.as_str()),
                    Some("join"),
                )
                .into());
            }
        }
        let new = Connection {
            room: room.unwrap_or_else(|| old.room.clone()),
            lang: lang.unwrap_or(old.lang),
            name: name.unwrap_or_else(|| old.name.clone()),
            ..old.clone()
        };
        if new != old {
            self.store.update_connection(&old, &new).await?;
        }
        let members = self.store.room_members(&new.room).await?;
        let joined = ServerFrame::Joined {
            connection_id: id.as_str().to_owned(),
            room: new.room.as_str().to_owned(),
            lang: new.lang.as_str().to_owned(),
            name: new.name.as_str().to_owned(),
            members: views(&members),
        };
        self.reply(id, &joined).await;
        if new.room != old.room {
            let left = self.store.room_members(&old.room).await?;
            self.presence(&old, PresenceEvent::Leave, &left).await;
            self.presence(&new, PresenceEvent::Join, &members).await;
        }
        Ok(())
    }

    /// The sender's stored connection.
    pub(super) async fn sender(&self, id: &ConnectionId) -> Result<Connection, RouteError> {
        self.store
            .get_connection(id)
            .await?
            .ok_or(RouteError::NotConnected)
    }

    /// Tells every member but `who` that `who` joined or left; `members` is
    /// the room after the change.
    async fn presence(&self, who: &Connection, event: PresenceEvent, members: &[Member]) {
        let frame = ServerFrame::Presence {
            room: who.room.as_str().to_owned(),
            event,
            name: who.name.as_str().to_owned(),
            lang: who.lang.as_str().to_owned(),
            count: members.len(),
        }
        .to_json();
        let posts = members
            .iter()
            .filter(|m| m.connection_id != who.id)
            .map(|m| (m.connection_id.clone(), frame.clone()));
        self.post_all(posts).await;
    }

    /// Posts one frame per connection with bounded concurrency. One
    /// recipient's failure never affects the others; a gone one is removed.
    pub(super) async fn post_all(&self, posts: impl Iterator<Item = (ConnectionId, String)>) {
        stream::iter(posts)
            .for_each_concurrent(FANOUT_CONCURRENCY, |(to, frame)| async move {
                self.post(&to, &frame).await;
            })
            .await;
    }

    pub(super) async fn reply(&self, to: &ConnectionId, frame: &ServerFrame) {
        self.post(to, &frame.to_json()).await;
    }

    async fn post(&self, to: &ConnectionId, frame: &str) {
        let mut result = self.push.post(to, frame).await;
        // The SDK retries throttling itself; a few more tries here cover
        // gateways that do not, without holding the fan-out for long.
        for pause_ms in [50, 150, 400] {
            if result != Err(PushError::Throttled) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(pause_ms)).await;
            result = self.push.post(to, frame).await;
        }
        match result {
            Ok(()) => {}
            Err(PushError::Gone) => self.forget_gone(to).await,
            Err(e) => tracing::warn!(conn = %to, error = %e, "post failed"),
        }
    }
}

impl App {
    /// A post answered Gone: remove the connection's rows, unless it is so
    /// young that its own `$connect` may still be running (a gateway cannot
    /// deliver to a connection before `$connect` returns, so a room joined
    /// by many at once would otherwise lose its newest members).
    async fn forget_gone(&self, id: &ConnectionId) {
        match self.store.get_connection(id).await {
            Ok(Some(conn)) if now_ms() - conn.connected_at < CONNECT_GRACE_MS => {
                tracing::debug!(conn = %id, "gone while still connecting; kept");
            }
            Ok(_) => {
                tracing::info!(conn = %id, "gone; removing its rows");
                if let Err(e) = self.store.delete_connection(id).await {
                    tracing::warn!(conn = %id, error = %e, "delete gone connection");
                }
            }
            Err(e) => tracing::warn!(conn = %id, error = %e, "reading a gone connection"),
        }
    }
}

/// How young a connection is still treated as connecting (see `forget_gone`).
const CONNECT_GRACE_MS: i64 = 30_000;

fn action_name(cmd: &Command) -> &'static str {
    match cmd {
        Command::Translate { .. } => "translate",
        Command::Join { .. } => "join",
        Command::History { .. } => "history",
        Command::Members => "members",
        Command::Ping => "ping",
    }
}

pub(super) fn views(members: &[Member]) -> Vec<MemberView> {
    members
        .iter()
        .map(|m| MemberView {
            name: m.name.as_str().to_owned(),
            lang: m.lang.as_str().to_owned(),
        })
        .collect()
}

impl From<FrameError> for RouteError {
    fn from(e: FrameError) -> Self {
        Self::Frame(e)
    }
}
