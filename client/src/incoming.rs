//! Frames from the server in a chat session: the bookkeeping each one needs
//! (echoes, replies, who we are, paging), then the lines a person sees.

use crate::chat::{Chat, Flow, HistoryUse, State};
use crate::outbox::{Refusal, Reply, Unanswered};
use crate::reasons;
use crate::render::Me;
use crate::requests::note_mine;
use crate::screen::Screen;
use honyaku::protocol::{ClientFrame, HistoryItem, PresenceEvent, ServerFrame};

/// Message ids remembered to drop repeats.
const SHOWN_KEPT: usize = 256;

impl<S: Screen> Chat<S> {
    pub(crate) fn on_frame(
        &mut self,
        st: &mut State,
        raw: String,
        frame: Option<ServerFrame>,
    ) -> Flow {
        // What answers the session's own requests is handled first, in
        // --json mode too: a glossary change goes on from the list it read,
        // an export's pages are collected, not shown.
        let glossary_line = match &frame {
            Some(ServerFrame::Glossary {
                version, terms, by, ..
            }) => self.on_glossary(st, *version, terms, by.as_ref()),
            _ => None,
        };
        let refused = frame.as_ref().and_then(|f| self.account(st, f));
        let history_use = match &frame {
            Some(ServerFrame::History { .. }) if !st.catching_up => st.history_uses.pop_front(),
            Some(ServerFrame::Error {
                action: Some(a), ..
            }) if a == "history" && !st.catching_up => st.history_uses.pop_front(),
            _ => None,
        };
        if history_use == Some(HistoryUse::Export) {
            return match frame {
                Some(ServerFrame::History {
                    room,
                    lang,
                    messages,
                    next,
                }) => self.export_page(st, &room, &lang, messages, next),
                Some(ServerFrame::Error { message, .. }) => self.export_failed(st, &message),
                _ => Flow::Go,
            };
        }
        if self.json {
            return self.show(st, &raw);
        }
        let Some(frame) = frame else {
            return Flow::Go;
        };
        match frame {
            ServerFrame::Message(m) => {
                st.typists.stopped(&m.from.name, m.from.tag.as_deref());
                if !see(st, &m.id) {
                    return Flow::Go;
                }
                let line = self.render.message(&m);
                self.show(st, &line)
            }
            ServerFrame::History { room, messages, .. } => {
                let catching_up = std::mem::take(&mut st.catching_up);
                let unseen: Vec<&HistoryItem> = messages
                    .iter()
                    .filter(|m| {
                        !catching_up || st.catch_up_after.as_deref().is_none_or(|s| item_id(m) > s)
                    })
                    .filter(|m| !catching_up || !st.shown.iter().any(|s| s == item_id(m)))
                    .collect();
                for m in &unseen {
                    see(st, item_id(m));
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
                    _ => match reasons::refused(&code, action.as_deref()) {
                        Some(words) => self.render.refused(action.as_deref(), &words),
                        None => self.render.error(&code, &message, action.as_deref()),
                    },
                };
                self.screen.warn(&line);
                Flow::Go
            }
            ServerFrame::Glossary { .. } => match glossary_line {
                Some(line) => self.show(st, &line),
                None => Flow::Go,
            },
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
                if self.render.me.wrote(m) {
                    note_mine(st, &m.id);
                }
                st.outbox.echo(m.client_msg_id.as_deref(), &self.conn);
            }
            ServerFrame::Edited(m) if m.client_msg_id.is_some() => {
                st.outbox.reply(Reply::Edited, &self.conn);
            }
            ServerFrame::Deleted { id, .. } => {
                st.mine.retain(|m| m != id);
                st.outbox.reply(Reply::Deleted, &self.conn);
            }
            ServerFrame::Corrected { .. } => st.outbox.reply(Reply::Corrected, &self.conn),
            ServerFrame::Reaction { .. } => st.outbox.reply(Reply::Reacted, &self.conn),
            ServerFrame::Glossary { .. } => st.outbox.reply(Reply::Glossary, &self.conn),
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
                    st.mine.clear();
                    st.glossary = None;
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
            ServerFrame::History { messages, .. } => {
                for m in messages.iter().filter_map(HistoryItem::as_message) {
                    if self.render.me.wrote(m) {
                        note_mine(st, &m.id);
                    }
                }
                st.outbox.reply(Reply::History, &self.conn);
            }
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
                match (action.as_deref(), code.as_str()) {
                    (Some("glossary"), _) => {
                        st.glossary_wants.pop_front();
                    }
                    // Someone saved first: read the list again, to show it.
                    (Some("glossary_set"), "conflict") => {
                        st.glossary_wants.push_back(None);
                        st.outbox.send_now(ClientFrame::Glossary {}, &self.conn);
                    }
                    _ => {}
                }
                return Some(refusal);
            }
            ServerFrame::Presence { .. }
            | ServerFrame::Typing { .. }
            | ServerFrame::Pong { .. }
            | ServerFrame::Edited(_) => {}
        }
        None
    }
}

/// Notes a message as shown; `false` if it already was.
fn see(st: &mut State, id: &str) -> bool {
    if st.shown.iter().any(|s| s == id) {
        return false;
    }
    if st.shown.len() == SHOWN_KEPT {
        st.shown.pop_front();
    }
    st.shown.push_back(id.to_owned());
    if st.last_seen.as_deref().is_none_or(|s| id > s) {
        st.last_seen = Some(id.to_owned());
    }
    true
}

/// A history entry's message id, deleted or not.
fn item_id(item: &HistoryItem) -> &str {
    match item {
        HistoryItem::Message(m) => &m.id,
        HistoryItem::Deleted(d) => &d.id,
    }
}
