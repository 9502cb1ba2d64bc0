//! Frames from the server in a chat session: the bookkeeping each one needs
//! (echoes, replies, who we are, paging), then the lines a person sees.

use crate::chat::{Chat, Flow, State};
use crate::outbox::{Refusal, Reply, Unanswered};
use crate::render::Me;
use crate::screen::Screen;
use honyaku::protocol::{ClientFrame, HistoryItem, MessageFrame, PresenceEvent, ServerFrame};

/// Message ids remembered to drop repeats.
const SHOWN_KEPT: usize = 256;

impl<S: Screen> Chat<S> {
    pub(crate) fn on_frame(
        &mut self,
        st: &mut State,
        raw: String,
        frame: Option<ServerFrame>,
    ) -> Flow {
        let refused = frame.as_ref().and_then(|f| self.account(st, f));
        if self.json {
            return self.show(st, &raw);
        }
        let Some(frame) = frame else {
            return Flow::Go;
        };
        match frame {
            ServerFrame::Message(m) => {
                st.typists.stopped(&m.from.name, m.from.tag.as_deref());
                if !see(st, &m) {
                    return Flow::Go;
                }
                let line = self.render.message(&m);
                self.show(st, &line)
            }
            ServerFrame::History { room, messages, .. } => {
                let catching_up = std::mem::take(&mut st.catching_up);
                let unseen: Vec<&MessageFrame> = messages
                    .iter()
                    .filter_map(HistoryItem::as_message)
                    .filter(|m| {
                        !catching_up || st.catch_up_after.as_ref().is_none_or(|s| m.id > *s)
                    })
                    .filter(|m| !catching_up || !st.shown.contains(&m.id))
                    .collect();
                for m in &unseen {
                    see(st, m);
                }
                if catching_up && unseen.is_empty() && st.last_seen.is_some() {
                    return Flow::Go;
                }
                let text = self.render.history(&room, &unseen);
                self.show(st, &text)
            }
            ServerFrame::Joined { .. } if std::mem::take(&mut st.quiet_joined) => Flow::Go,
            ServerFrame::Error { action, code, .. }
                if action.as_deref() == Some("typing") && code == "unknown_action" =>
            {
                Flow::Go
            }
            ServerFrame::Error {
                code,
                message,
                action,
                ..
            } => {
                let line = match refused {
                    Some(Refusal::Message(Unanswered { text, .. })) => {
                        self.render.unanswered(&text, &code, &message)
                    }
                    Some(Refusal::Slowed { pause, first }) => {
                        if !first {
                            return Flow::Go;
                        }
                        self.render.note(&format!(
                            "slowing down ({}); sending again in {}s",
                            crate::render::clean(&message),
                            pause.as_secs()
                        ))
                    }
                    _ => self.render.error(&code, &message, action.as_deref()),
                };
                self.screen.warn(&line);
                Flow::Go
            }
            ServerFrame::Typing { name, tag, .. } => {
                if self.interactive {
                    st.typists
                        .typing(&name, tag.as_deref(), tokio::time::Instant::now());
                    self.show_typing(st);
                }
                Flow::Go
            }
            other => {
                if let ServerFrame::Presence {
                    event: PresenceEvent::Leave,
                    name,
                    tag,
                    ..
                } = &other
                {
                    st.typists.stopped(name, tag.as_deref());
                }
                match self.render.frame(&other) {
                    Some(line) => self.show(st, &line),
                    None => Flow::Go,
                }
            }
        }
    }

    /// Bookkeeping every frame needs, shown or not. Returns what an
    /// `error` meant for what was sent.
    fn account(&mut self, st: &mut State, frame: &ServerFrame) -> Option<Refusal> {
        match frame {
            ServerFrame::Message(m) => {
                st.outbox.echo(m.client_msg_id.as_deref(), &self.conn);
            }
            ServerFrame::Joined {
                connection_id,
                room,
                lang,
                name,
                tag,
                next,
                ..
            } => {
                if let Some(warning) = self.capability.language_changed(lang) {
                    let line = self.render.note(&warning);
                    self.screen.warn(&line);
                }
                self.render.me = Me {
                    name: Some(name.clone()),
                    tag: tag.clone(),
                    connection_id: Some(connection_id.clone()),
                };
                st.members_next = next.clone();
                if st.room.as_deref() != Some(room) {
                    st.last_seen = None;
                    st.catch_up_after = None;
                    st.room = Some(room.clone());
                }
                // History only now: its messages are marked as ours by the
                // tag this `joined` brought. Sent before the reply is
                // counted, so no queued message slips in between.
                if let Some(limit) = st.catch_up.take() {
                    st.catching_up = true;
                    let history = ClientFrame::History {
                        limit: Some(limit),
                        before: None,
                    };
                    st.outbox.send_now(history, &self.conn);
                }
                st.outbox.reply(Reply::Joined, &self.conn);
            }
            ServerFrame::History { .. } => st.outbox.reply(Reply::History, &self.conn),
            ServerFrame::Members { next, .. } => {
                st.members_next = next.clone();
                st.outbox.reply(Reply::Members, &self.conn);
            }
            ServerFrame::Error { action, code, .. }
                if action.as_deref() == Some("typing") && code == "unknown_action" =>
            {
                tracing::info!("the server does not relay typing; not sending it");
                st.no_typing = true;
            }
            ServerFrame::Error {
                action,
                client_msg_id,
                code,
                ..
            } => {
                let refusal = st.outbox.error(
                    action.as_deref(),
                    client_msg_id.as_deref(),
                    code,
                    &self.conn,
                );
                if !matches!(refusal, Refusal::Slowed { .. }) {
                    st.refused += 1;
                }
                return Some(refusal);
            }
            ServerFrame::Presence { .. }
            | ServerFrame::Typing { .. }
            | ServerFrame::Pong { .. }
            | ServerFrame::Edited(_)
            | ServerFrame::Deleted { .. }
            | ServerFrame::Corrected { .. }
            | ServerFrame::Glossary { .. }
            | ServerFrame::Reaction { .. } => {}
        }
        None
    }
}

/// Notes a message as shown; `false` if it already was.
fn see(st: &mut State, m: &MessageFrame) -> bool {
    if st.shown.contains(&m.id) {
        return false;
    }
    if st.shown.len() == SHOWN_KEPT {
        st.shown.pop_front();
    }
    st.shown.push_back(m.id.clone());
    if st.last_seen.as_ref().is_none_or(|s| m.id > *s) {
        st.last_seen = Some(m.id.clone());
    }
    true
}
