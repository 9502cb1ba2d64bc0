//! The dispatch of one client frame (any route but `$connect` and
//! `$disconnect`) to its handler, and `ping`.

use super::limits::Verdict;

/// The close reason a flooding connection gets with 1008.
pub const FLOOD_CLOSE_REASON: &str = "Policy Violation: too many messages";
use super::{App, RouteError, now_ms};
use crate::model::{Connection, ConnectionId};
use crate::protocol::{Command, FrameError, ServerFrame, parse_command, route_key};

impl App {
    /// One client frame. Every failure becomes an `error` frame to the
    /// sender.
    pub async fn message(&self, id: &ConnectionId, body: &str) {
        match self.flood.frame(id) {
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
                self.close_flooder(id).await;
                return;
            }
        }
        let result = match parse_command(body) {
            Ok(cmd) => {
                let action = cmd.action();
                // Whatever refuses a `translate`, its error names the id.
                let cmid = match &cmd {
                    Command::Translate { client_msg_id, .. } => {
                        client_msg_id.as_ref().map(|c| c.as_str().to_owned())
                    }
                    _ => None,
                };
                self.dispatch(id, cmd).await.map_err(|e| {
                    if let RouteError::Store(s) = &e {
                        tracing::error!(conn = %id, action, error = %s, "store failed");
                    }
                    let e = e.into_frame_error(action);
                    match e.client_msg_id {
                        Some(_) => e,
                        None => e.with_client_msg_id(cmid),
                    }
                })
            }
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            tracing::debug!(conn = %id, code = e.code, "error frame");
            // A shared limit's refusal (the sender's or its address's) is
            // answered, not struck: the flood state is this connection's
            // own, and others behind its address must not be closed for it.
            self.reply(id, &e.to_frame()).await;
        }
    }

    /// Closes a connection that kept sending past its rate with 1008; the
    /// reason tells the client why (the gateway lingers so it arrives).
    async fn close_flooder(&self, id: &ConnectionId) {
        tracing::warn!(conn = %id, "closing a connection that keeps flooding");
        if let Err(e) = self.push.close(id, 1008, FLOOD_CLOSE_REASON).await {
            tracing::warn!(conn = %id, error = %e, "close failed");
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
            Command::Members { after } => self.members(id, after).await,
            Command::Typing => self.typing(id).await,
            Command::Ping => {
                self.reply(id, &ServerFrame::Pong { ts: now_ms() }).await;
                Ok(())
            }
        }
    }

    /// The sender's stored connection.
    pub(super) async fn sender(&self, id: &ConnectionId) -> Result<Connection, RouteError> {
        self.store
            .get_connection(id)
            .await?
            .ok_or(RouteError::NotConnected)
    }
}
