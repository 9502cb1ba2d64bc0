//! The dispatch of one client frame (any route but `$connect` and
//! `$disconnect`) to its handler, and `ping`.

use super::quota::Verdict;
use super::{App, RouteError, now_ms};
use super::{correct, delete, edit, fanout, glossary, history, react, rooms};
use crate::model::{Connection, ConnectionId};
use crate::protocol::{Command, FrameError, ServerFrame, parse_command, route_key};

impl App {
    /// The sender's stored connection.
    pub(super) async fn sender(&self, id: &ConnectionId) -> Result<Connection, RouteError> {
        self.store
            .get_connection(id)
            .await?
            .ok_or(RouteError::NotConnected)
    }
}

/// The close reason a flooding connection gets with 1008.
pub const FLOOD_CLOSE_REASON: &str = "Policy Violation: too many messages";

/// Closes a connection that kept sending past its rate with 1008; the
/// reason tells the client why (the gateway lingers so it arrives).
async fn close_flooder(app: &App, id: &ConnectionId) {
    tracing::warn!(conn = %id, "closing a connection that keeps flooding");
    if let Err(e) = app.push.close(id, 1008, FLOOD_CLOSE_REASON).await {
        tracing::warn!(conn = %id, error = %e, "close failed");
    }
}

async fn dispatch(app: &App, id: &ConnectionId, cmd: Command) -> Result<(), RouteError> {
    match cmd {
        Command::Translate {
            text,
            client_msg_id,
            source_lang,
            reply_to,
        } => fanout::translate(app, id, text, client_msg_id, source_lang, reply_to).await,
        Command::Join { room, lang, name } => rooms::join(app, id, room, lang, name).await,
        Command::History { limit, before } => history::history(app, id, limit, before).await,
        Command::Members { after } => rooms::members(app, id, after).await,
        Command::Typing => rooms::typing(app, id).await,
        Command::Ping => {
            app.reply(id, &ServerFrame::Pong { ts: now_ms() }).await;
            Ok(())
        }
        Command::Edit {
            key,
            text,
            client_msg_id,
        } => edit::edit(app, id, key, text, client_msg_id).await,
        Command::Delete { key, client_msg_id } => delete::delete(app, id, key, client_msg_id).await,
        Command::Correct {
            key,
            text,
            client_msg_id,
        } => correct::correct(app, id, key, text, client_msg_id).await,
        Command::Glossary => glossary::glossary(app, id).await,
        Command::GlossarySet {
            version,
            terms,
            client_msg_id,
        } => glossary::glossary_set(app, id, version, terms, client_msg_id).await,
        Command::React {
            key,
            emoji,
            client_msg_id,
        } => react::react(app, id, key, emoji, client_msg_id).await,
    }
}

/// One client frame. Every failure becomes an `error` frame to the
/// sender.
pub(super) async fn message(app: &App, id: &ConnectionId, body: &str) {
    match app.flood.frame(id) {
        Verdict::Allow => {}
        Verdict::Refuse => {
            let e = FrameError::new(
                "rate_limited",
                format!(
                    "too many messages; the limit is {} a minute",
                    app.policy.messages_per_minute
                ),
                route_key(body),
            );
            app.reply(id, &e.to_frame()).await;
            return;
        }
        Verdict::Close => {
            close_flooder(app, id).await;
            return;
        }
    }
    let result = match parse_command(body) {
        Ok(cmd) => {
            let action = cmd.action();
            // Whatever refuses a `translate` (or a v1.2 change), its error
            // names the id.
            let cmid = cmd.client_msg_id().map(|c| c.as_str().to_owned());
            dispatch(app, id, cmd).await.map_err(|e| {
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
        // answered, not struck: the flood state is this connection's own,
        // and others behind its address must not be closed for it.
        app.reply(id, &e.to_frame()).await;
    }
}
