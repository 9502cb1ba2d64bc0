//! The translation path every route that translates a room's text shares
//! (`translate`, `edit`, and `history` on demand, through
//! [`App::recall_each`] and [`translate_protected`]): first the room's
//! memory of corrections (`engine: "memory"`, no engine call, no charge),
//! then the engine with the room glossary's terms protected and put back.
//! A term the engine lost makes that language's copy the original, marked
//! `translation_failed`, never a translation without it.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use futures_util::future::join_all;

use super::App;
use super::engine::translate_one;
use crate::model::{Glossary, Lang, MemoryEntry, RoomName, Translation, source_hash};
use crate::ports::{Hints, StoreError, TranslateError, Translator, corrected_translation};
use crate::translate::glossary::{Term, protect};

/// What a room knows about one text before any engine is asked.
#[derive(Debug, Default)]
pub(super) struct RoomKnowledge {
    /// The remembered corrections of this text, by language.
    pub memory: BTreeMap<Lang, MemoryEntry>,
    pub glossary: Glossary,
}

impl RoomKnowledge {
    /// The targets no correction covers: those the engine must do.
    pub fn engine_targets(&self, targets: &[Lang]) -> Vec<Lang> {
        targets
            .iter()
            .copied()
            .filter(|l| !self.memory.contains_key(l))
            .collect()
    }
}

/// Every language's result.
#[derive(Debug, Default)]
pub(super) struct Translated {
    pub translations: BTreeMap<Lang, Translation>,
    pub failures: HashMap<Lang, TranslateError>,
}

/// The glossary's terms as they apply to `to`: a term with a rendering
/// in `to` becomes it; a term alone is kept as written.
pub(super) fn terms_for(glossary: &Glossary, to: Lang) -> Vec<Term<'_>> {
    let mut out: Vec<Term<'_>> = Vec::new();
    for t in &glossary.terms {
        match (&t.lang, &t.render) {
            (Some(lang), Some(render)) if *lang == to => {
                out.retain(|o| o.term != t.term);
                out.push(Term {
                    term: &t.term,
                    render,
                });
            }
            (None, _) if !out.iter().any(|o| o.term == t.term) => out.push(Term {
                term: &t.term,
                render: &t.term,
            }),
            _ => {}
        }
    }
    out
}

/// One engine call with the glossary's `terms` protected (placeholders
/// put back after, or the call fails) and the `hints` (members' names
/// kept as whole words, the room's context) handed to the engine.
pub(super) async fn translate_protected(
    translator: &dyn Translator,
    limit: Duration,
    terms: &[Term<'_>],
    text: &str,
    from: Lang,
    to: Lang,
    hints: &Hints,
) -> Result<Translation, TranslateError> {
    let protected = protect(text, terms);
    if protected.is_empty() {
        return translate_one(translator, limit, text, from, to, hints).await;
    }
    let mut t = translate_one(translator, limit, &protected.text, from, to, hints).await?;
    match protected.restore(&t.text) {
        Some(restored) => {
            t.text = restored;
            Ok(t)
        }
        None => {
            tracing::warn!(engine = %t.engine, %to, "the engine lost a protected term");
            Err(TranslateError::Failed(
                "the engine lost a glossary term; delivered as written".into(),
            ))
        }
    }
}

impl App {
    /// The room's memory of `text` and its glossary, read together; not
    /// read at all when nothing is to be translated (`targets` empty: a
    /// room of one language).
    pub(super) async fn room_knowledge(
        &self,
        room: &RoomName,
        source: Lang,
        text: &str,
        targets: &[Lang],
    ) -> Result<RoomKnowledge, StoreError> {
        if targets.is_empty() {
            return Ok(RoomKnowledge::default());
        }
        let hash = source_hash(source, text);
        let (memory, glossary) =
            tokio::join!(self.store.recall(room, &hash), self.store.glossary(room));
        Ok(RoomKnowledge {
            memory: memory?.into_iter().map(|e| (e.lang, e)).collect(),
            glossary: glossary?,
        })
    }

    /// The room memory's rendering into `to` of each `(source, text)`,
    /// where it remembers a correction (one read per text, together): what
    /// `history` delivers before it asks an engine or charges anyone. A
    /// failed read only means the engine is asked.
    pub(super) async fn recall_each(
        &self,
        room: &RoomName,
        to: Lang,
        texts: &[(Lang, &str)],
    ) -> Vec<Option<Translation>> {
        let hashes: Vec<String> = texts
            .iter()
            .map(|(source, text)| source_hash(*source, text))
            .collect();
        let reads = hashes.iter().map(|h| self.store.recall(room, h));
        join_all(reads)
            .await
            .into_iter()
            .map(|found| match found {
                Ok(entries) => entries
                    .iter()
                    .find(|e| e.lang == to)
                    .map(|e| corrected_translation(e).0),
                Err(e) => {
                    tracing::warn!(error = %e, "reading the room memory");
                    None
                }
            })
            .collect()
    }

    /// Translates `text` into each of `targets`: the memory's corrections
    /// first, then the engine (concurrently) for the rest, if the daily
    /// budget allows `engine_chars`. The sender was charged already.
    pub(super) async fn translate_for_room(
        &self,
        known: &RoomKnowledge,
        text: &str,
        source: Lang,
        targets: &[Lang],
        hints: &Hints,
    ) -> Translated {
        let mut out = Translated::default();
        for lang in targets {
            if let Some(entry) = known.memory.get(lang) {
                out.translations
                    .insert(*lang, corrected_translation(entry).0);
            }
        }
        let engine_targets = known.engine_targets(targets);
        let cost = text.chars().count() * engine_targets.len();
        if !self.charge_budget(cost).await {
            for lang in engine_targets {
                out.failures.insert(
                    lang,
                    TranslateError::Unavailable("the daily translation budget is used up".into()),
                );
            }
            return out;
        }
        let limit = self.policy.engine_timeout;
        let terms: Vec<Vec<Term<'_>>> = engine_targets
            .iter()
            .map(|to| terms_for(&known.glossary, *to))
            .collect();
        let calls = engine_targets.iter().zip(&terms).map(|(to, terms)| {
            translate_protected(
                self.translator.as_ref(),
                limit,
                terms,
                text,
                source,
                *to,
                hints,
            )
        });
        let results = join_all(calls).await;
        for (lang, result) in engine_targets.into_iter().zip(results) {
            match result {
                Ok(t) => {
                    out.translations.insert(lang, t);
                }
                Err(e) => {
                    if e.code().is_some() {
                        tracing::warn!(%lang, error = %e, "translation failed");
                    }
                    out.failures.insert(lang, e);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::GlossaryTerm;

    #[test]
    fn a_rendering_wins_in_its_language_only() {
        let g = Glossary {
            version: 1,
            terms: vec![
                GlossaryTerm::parse("sprint", None, None).unwrap(),
                GlossaryTerm::parse("sprint", Some("ja"), Some("スプリント")).unwrap(),
                GlossaryTerm::parse("deploy", Some("ja"), Some("デプロイ")).unwrap(),
            ],
            by: None,
        };
        let ja = terms_for(&g, Lang::parse("ja").unwrap());
        assert_eq!(ja.len(), 2);
        assert!(
            ja.iter()
                .any(|t| t.term == "sprint" && t.render == "スプリント")
        );
        let es = terms_for(&g, Lang::parse("es").unwrap());
        assert_eq!(
            es,
            [Term {
                term: "sprint",
                render: "sprint"
            }]
        );
    }
}
