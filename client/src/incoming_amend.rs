//! The frames that carry on what a command started: a `glossary` read
//! that a `/glossary add` or `remove` makes its change from, and the
//! `history` pages of an `/export`.

use honyaku::model::GlossaryTerm;
use honyaku::protocol::{AuthorView, ClientFrame, HistoryItem};

use crate::chat::{Chat, Flow, HistoryUse, State};
use crate::export;
use crate::glossary::frames;
use crate::screen::Screen;

impl<S: Screen> Chat<S> {
    /// A `glossary` frame: the answer to a read (listed, or changed and
    /// sent back), or someone's change (said, with what changed). Returns
    /// the line to show, if any. Called before the reply is counted, so
    /// the `glossary_set` goes before anything queued.
    pub(crate) fn on_glossary(
        &mut self,
        st: &mut State,
        version: u64,
        terms: &[GlossaryTerm],
        by: Option<&AuthorView>,
    ) -> Option<String> {
        let old = st.glossary.replace((version, terms.to_vec()));
        let changed = old.as_ref().is_some_and(|(v, _)| *v != version);
        let room = st.room.clone().unwrap_or_default();
        match st.glossary_wants.pop_front() {
            // `/glossary`.
            Some(None) => Some(self.render.glossary(&room, version, terms, by)),
            // `/glossary add|remove`: the change goes out on this version.
            Some(Some(op)) => match op.apply(terms) {
                Ok(new) => {
                    let set = ClientFrame::GlossarySet {
                        version: Some(version),
                        terms: Some(frames(&new)),
                        client_msg_id: Some(st.ids.next()),
                    };
                    st.outbox.send_now(set, &self.conn);
                    None
                }
                Err(why) => Some(self.render.note(&why)),
            },
            None if changed || old.is_none() && version > 0 => {
                let before = old.as_ref().map(|(_, t)| t.as_slice());
                Some(self.render.glossary_change(before, terms, version, by))
            }
            None => None,
        }
    }

    /// A page of an `/export`: the next one is asked for, or the file is
    /// written.
    pub(crate) fn export_page(
        &mut self,
        st: &mut State,
        room: &str,
        lang: &str,
        messages: Vec<HistoryItem>,
        next: Option<String>,
    ) -> Flow {
        let Some(export) = st.export.as_mut() else {
            return Flow::Go;
        };
        let more = !messages.is_empty();
        let count = export.page(room, lang, messages);
        if let (true, Some(before)) = (more, next) {
            let note = self
                .render
                .note(&format!("exporting {room}: {count} messages so far…"));
            self.screen.status(&note);
            st.history_uses.push_back(HistoryUse::Export);
            let page = ClientFrame::History {
                limit: Some(export::PAGE),
                before: Some(before),
            };
            st.outbox.push(page, &self.conn);
            return Flow::Go;
        }
        let export = st.export.take().expect("checked above");
        let path = export.path.clone();
        let line = match export.finish() {
            Ok(n) => self.render.note(&format!(
                "exported {n} message{} of {room} to {}",
                if n == 1 { "" } else { "s" },
                path.display()
            )),
            Err(why) => {
                st.refused += 1;
                self.render
                    .error("export", &format!("{why}; nothing was written"), None)
            }
        };
        self.screen.status(&line);
        Flow::Go
    }

    /// An export's page was refused: nothing is written.
    pub(crate) fn export_failed(&mut self, st: &mut State, why: &str) -> Flow {
        if let Some(export) = st.export.take() {
            let line = self.render.error(
                "export",
                &format!(
                    "{} failed after {} messages ({}); nothing was written",
                    export.path.display(),
                    export.count(),
                    crate::render::clean(why)
                ),
                None,
            );
            self.screen.status(&line);
        }
        Flow::Go
    }
}
