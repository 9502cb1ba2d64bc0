//! `translate`: read the room once, translate once per distinct target
//! language (concurrently, none for the source language), store the message
//! with its translations, then post to every member in their language.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, UNIX_EPOCH};

use futures_util::future::join_all;

use super::{App, RouteError, now_ms};
use crate::model::{ChatText, ClientMsgId, ConnectionId, Lang, Member, Message, SourceLang};
use crate::ports::{PutOutcome, TranslateError, Translator};
use crate::protocol::{FrameError, MessageFrame, ServerFrame};

/// Who gets a message in which language: members grouped by language.
#[derive(Debug)]
pub struct FanoutPlan<'a> {
    pub source: Lang,
    pub by_lang: BTreeMap<Lang, Vec<&'a Member>>,
}

impl<'a> FanoutPlan<'a> {
    pub fn new(source: Lang, members: &'a [Member]) -> Self {
        let mut by_lang: BTreeMap<Lang, Vec<&Member>> = BTreeMap::new();
        for m in members {
            by_lang.entry(m.lang).or_default().push(m);
        }
        Self { source, by_lang }
    }

    /// The languages that need an engine call: every member language but
    /// the source, each once.
    pub fn targets(&self) -> impl Iterator<Item = Lang> + '_ {
        self.by_lang.keys().copied().filter(|l| *l != self.source)
    }
}

/// One engine call under the route's time budget.
pub(super) async fn translate_one(
    translator: &dyn Translator,
    limit: Duration,
    text: &str,
    from: Lang,
    to: Lang,
) -> Result<crate::model::Translation, TranslateError> {
    match tokio::time::timeout(limit, translator.translate(text, from, to)).await {
        Ok(result) => result,
        Err(_) => Err(TranslateError::Unavailable("engine timed out".into())),
    }
}

/// A ULID for the instant `ts`: ids sort by time, and within one
/// millisecond by the order this process made them.
pub(super) fn message_id(ts: i64) -> String {
    static IDS: Mutex<ulid::Generator> = Mutex::new(ulid::Generator::new());
    let at = UNIX_EPOCH + Duration::from_millis(u64::try_from(ts).unwrap_or_default());
    let mut ids = IDS.lock().unwrap_or_else(|p| p.into_inner());
    match ids.generate_from_datetime(at) {
        Ok(id) => id.to_string(),
        // 2^80 ids in one millisecond: fall back to a fresh random one.
        Err(_) => ulid::Ulid::from_datetime(at).to_string(),
    }
}

impl App {
    #[tracing::instrument(skip_all, fields(conn = %id))]
    pub(super) async fn translate(
        &self,
        id: &ConnectionId,
        text: ChatText,
        client_msg_id: Option<ClientMsgId>,
        source: Option<SourceLang>,
    ) -> Result<(), RouteError> {
        let me = self.sender(id).await?;
        if let Some(cmid) = &client_msg_id {
            // Cheap early exit before paying for translation; the
            // conditional write below is what guarantees once-only.
            if self.store.has_client_msg(&me.room, &me.name, cmid).await? {
                return Ok(());
            }
        }
        let mut members = self.store.room_members(&me.room).await?;
        if !members.iter().any(|m| m.connection_id == me.id) {
            members.push(me.member());
        }
        let source = match source {
            None => me.lang,
            Some(SourceLang::Code(lang)) => lang,
            Some(SourceLang::Auto) => self
                .translator
                .detect(text.as_str())
                .await
                .unwrap_or(me.lang),
        };
        let plan = FanoutPlan::new(source, &members);
        let targets: Vec<Lang> = plan.targets().collect();
        // The cost guard counts what would be billed: characters × targets.
        let cost = text.as_str().chars().count() * targets.len();
        if !self.guard.spend(id, cost) {
            return Err(FrameError::new(
                "rate_limited",
                format!(
                    "translation budget used up: {} characters an hour",
                    self.policy.chars_per_hour
                ),
                Some("translate"),
            )
            .into());
        }
        let limit = self.policy.engine_timeout;
        let results =
            join_all(targets.iter().map(|to| {
                translate_one(self.translator.as_ref(), limit, text.as_str(), source, *to)
            }))
            .await;

        let mut translations = BTreeMap::new();
        let mut failures = HashMap::new();
        for (lang, result) in targets.into_iter().zip(results) {
            match result {
                Ok(t) => {
                    translations.insert(lang, t);
                }
                Err(e) => {
                    if e.code().is_some() {
                        tracing::warn!(%lang, error = %e, "translation failed");
                    }
                    failures.insert(lang, e);
                }
            }
        }
        let ts = now_ms();
        let msg = Message {
            id: message_id(ts),
            room: me.room.clone(),
            ts,
            from_name: me.name.clone(),
            from_connection: me.id.clone(),
            source_lang: source,
            text: text.into_string(),
            translations,
            client_msg_id,
        };
        if self.store.put_message(&msg).await? == PutOutcome::Duplicate {
            return Ok(());
        }
        tracing::info!(msg = %msg.id, recipients = members.len(), langs = plan.by_lang.len(), "fan-out");

        // One rendering per language, shared by its members.
        let rendered: HashMap<Lang, String> = plan
            .by_lang
            .keys()
            .map(|lang| {
                let frame = MessageFrame::render(&msg, *lang, failures.get(lang));
                (*lang, ServerFrame::Message(frame).to_json())
            })
            .collect();
        let posts = members.iter().map(|m| {
            let frame = if m.connection_id == *id && msg.client_msg_id.is_some() {
                let mut own = MessageFrame::render(&msg, m.lang, failures.get(&m.lang));
                own.client_msg_id = msg.client_msg_id.as_ref().map(|c| c.as_str().to_owned());
                ServerFrame::Message(own).to_json()
            } else {
                rendered[&m.lang].clone()
            };
            (m.connection_id.clone(), frame)
        });
        self.post_all(posts).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConnectionId, UserName};

    fn member(id: &str, lang: &str) -> Member {
        Member {
            connection_id: ConnectionId::new(id),
            name: UserName::parse(id).unwrap(),
            lang: Lang::parse(lang).unwrap(),
        }
    }

    #[test]
    fn groups_by_language_and_skips_the_source() {
        let members = [
            member("a", "ja"),
            member("b", "es"),
            member("c", "ja"),
            member("d", "en"),
            member("e", "es"),
        ];
        let plan = FanoutPlan::new(Lang::parse("ja").unwrap(), &members);
        let targets: Vec<&str> = plan.targets().map(|l| l.as_str()).collect();
        assert_eq!(targets, ["en", "es"]);
        assert_eq!(plan.by_lang.len(), 3);
        assert_eq!(plan.by_lang[&Lang::parse("ja").unwrap()].len(), 2);
    }

    #[test]
    fn ids_sort_in_creation_order_within_a_millisecond() {
        let ids: Vec<String> = (0..100).map(|_| message_id(1_764_150_000_000)).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
    }

    #[test]
    fn one_language_room_needs_no_engine() {
        let members = [member("a", "de"), member("b", "de")];
        let plan = FanoutPlan::new(Lang::parse("de").unwrap(), &members);
        assert_eq!(plan.targets().count(), 0);
    }
}
