//! The commands about one message or the room (protocol v1.2): `/edit`,
//! `/delete`, `/correct`, `/reply` (a `translate` with `replyTo`),
//! `/react`, `/glossary`, `/export`. A
//! message is named by its handle (`#12`) or id; `/edit` and `/delete`
//! without one take this person's last message in the room.

use honyaku::protocol::ClientFrame;

use crate::chat::{Chat, Flow, HistoryUse, State};
use crate::commands::{Command, translate_frame};
use crate::export::{self, Export};
use crate::handles::MsgRef;
use crate::screen::Screen;

/// Own messages remembered for `/edit` and `/delete` without a number.
pub const MINE_KEPT: usize = 100;

impl<S: Screen> Chat<S> {
    pub(crate) fn request(&mut self, st: &mut State, command: Command) -> Flow {
        let frame = match self.request_frame(st, command) {
            Ok(Some(frame)) => frame,
            Ok(None) => return Flow::Go,
            Err(why) => return self.usage(st, &why),
        };
        if !st.outbox.is_online() {
            let note = self
                .render
                .note("offline: this goes out when the connection is back");
            self.screen.warn(&note);
        }
        st.outbox.push(frame, &self.conn);
        Flow::Go
    }

    fn request_frame(
        &mut self,
        st: &mut State,
        command: Command,
    ) -> Result<Option<ClientFrame>, String> {
        Ok(Some(match command {
            Command::Edit(target, text) => ClientFrame::Edit {
                id: Some(self.own(st, target.as_ref(), "edit")?),
                text: Some(text),
                client_msg_id: Some(st.ids.next()),
            },
            Command::Delete(target) => ClientFrame::Delete {
                id: Some(self.own(st, target.as_ref(), "delete")?),
                client_msg_id: Some(st.ids.next()),
            },
            Command::Correct(target, text) => ClientFrame::Correct {
                id: Some(self.resolve(&target)?),
                text: Some(text),
                client_msg_id: Some(st.ids.next()),
            },
            Command::Glossary(op) => {
                st.glossary_wants.push_back(op);
                ClientFrame::Glossary {}
            }
            Command::Reply(target, text) => {
                let reply_to = self.resolve(&target)?;
                let frame = translate_frame(&text, st.ids.next());
                if !st.outbox.is_online() {
                    self.screen.warn(&self.render.queued(&text));
                }
                st.outbox.push_reply(frame, reply_to, &self.conn);
                return Ok(None);
            }
            Command::React(target, emoji) => ClientFrame::React {
                id: Some(self.resolve(&target)?),
                emoji: Some(emoji),
                client_msg_id: Some(st.ids.next()),
            },
            Command::Export(path, format) => {
                if let Some(e) = &st.export {
                    return Err(format!(
                        "an export to {} is under way; wait for it to finish",
                        e.path.display()
                    ));
                }
                let note = self
                    .render
                    .note(&format!("exporting to {}…", path.display()));
                self.screen.status(&note);
                st.export = Some(Export::new(path, format));
                st.history_uses.push_back(HistoryUse::Export);
                ClientFrame::History {
                    limit: Some(export::PAGE),
                    before: None,
                }
            }
            _ => return Ok(None),
        }))
    }

    /// The id a handle or id stands for.
    pub(crate) fn resolve(&self, r: &MsgRef) -> Result<String, String> {
        match &self.render.handles {
            Some(handles) => handles.lock().unwrap_or_else(|e| e.into_inner()).resolve(r),
            None => match r {
                MsgRef::Id(id) => Ok(id.clone()),
                MsgRef::Handle(_) => Err("give the message's full id here".into()),
            },
        }
    }

    /// The message to edit or delete: the one named, or this person's last.
    fn own(&self, st: &State, target: Option<&MsgRef>, verb: &str) -> Result<String, String> {
        match target {
            Some(r) => self.resolve(r),
            None => st.mine.back().cloned().ok_or_else(|| {
                format!("you have no message in this room to {verb} yet; name one: /{verb} #N")
            }),
        }
    }
}

/// Notes one of this person's messages (ids sort by time).
pub(crate) fn note_mine(st: &mut State, id: &str) {
    if st.mine.iter().any(|m| m == id) {
        return;
    }
    let at = st
        .mine
        .iter()
        .position(|m| m.as_str() > id)
        .unwrap_or(st.mine.len());
    st.mine.insert(at, id.to_owned());
    if st.mine.len() > MINE_KEPT {
        st.mine.pop_front();
    }
}
