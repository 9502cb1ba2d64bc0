//! v1.2's replies: `translate` with `replyTo` quotes another message of
//! the room. The quote is a snapshot taken when the reply is sent — the
//! quoted text in every language the room reads then (its stored
//! translation, a reader's correction included, else the original), each
//! cut to 200 characters — kept in the reply's own item, so every copy
//! (live, `edited`, `history`) reads it without another store call; only
//! `history` in a language nobody read then looks for one more.

use futures_util::future::join_all;

use super::edit::refuse;
use super::{App, RouteError};
use crate::model::{Author, ClientMsgId, Lang, Message, MessageKey, Quote, RoomName, cut_quote};
use crate::ports::StoreError;

impl App {
    /// The message a reply quotes: any message of the room, a deleted
    /// one included (it is quoted as deleted); `not_found` otherwise.
    pub(super) async fn quoted(
        &self,
        room: &RoomName,
        key: &MessageKey,
        cmid: Option<&ClientMsgId>,
    ) -> Result<Message, RouteError> {
        self.store
            .get_message(room, key)
            .await?
            .filter(|m| m.id == key.id)
            .ok_or_else(|| {
                refuse(
                    "not_found",
                    "replyTo: no such message in this room",
                    "translate",
                    cmid,
                )
            })
    }

    /// `quoted` as readers of `langs` read it now.
    pub(super) async fn quote(
        &self,
        quoted: &Message,
        langs: &[Lang],
    ) -> Result<Quote, StoreError> {
        let mut quote = Quote {
            id: quoted.id.clone(),
            from: Author {
                name: quoted.from_name.clone(),
                tag: quoted.from_tag.clone(),
            },
            source_lang: quoted.source_lang,
            texts: Default::default(),
            deleted: quoted.is_deleted(),
        };
        if quote.deleted {
            return Ok(quote);
        }
        quote
            .texts
            .insert(quoted.source_lang, cut_quote(&quoted.text));
        let others: Vec<Lang> = langs
            .iter()
            .copied()
            .filter(|l| *l != quoted.source_lang)
            .collect();
        if others.is_empty() {
            return Ok(quote);
        }
        let found = self
            .store
            .translations_of(&quoted.room, &quoted.key(), &others)
            .await?;
        for (lang, (t, _)) in found {
            quote.texts.insert(lang, cut_quote(&t.text));
        }
        Ok(quote)
    }
}

impl App {
    /// `history` in a language a page's quotes were not taken in (nobody
    /// read it when they were sent): each reads the quoted message's
    /// stored translation into it, if one was made since, else keeps the
    /// original. One read per such quote, all at once; a failed read
    /// keeps the original.
    pub(super) async fn fill_quotes(&self, room: &RoomName, lang: Lang, page: &mut [Message]) {
        let wanted: Vec<(usize, MessageKey)> = page
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                let q = m.reply_to.as_ref()?;
                let missing = !q.deleted && q.source_lang != lang && !q.texts.contains_key(&lang);
                missing.then(|| Some((i, MessageKey::from_id(&q.id).ok()?)))?
            })
            .collect();
        let reads = wanted
            .iter()
            .map(|(_, key)| async move { self.store.translations_of(room, key, &[lang]).await });
        for ((i, _), found) in wanted.iter().zip(join_all(reads).await) {
            match found {
                Ok(mut found) => {
                    if let (Some((t, _)), Some(q)) =
                        (found.remove(&lang), page[*i].reply_to.as_mut())
                    {
                        q.texts.insert(lang, cut_quote(&t.text));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "reading a quote's translation"),
            }
        }
    }
}
