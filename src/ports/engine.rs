//! The translation engine port.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use crate::model::{Lang, Translation};

/// Why an engine did not translate. Each maps to a docs/PROTOCOL.md code
/// carried in the `message` frame; the original text is delivered either
/// way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TranslateError {
    /// The engine has no way between these two languages
    /// (`unsupported_language_pair`).
    #[error("the engine cannot translate {from} to {to}")]
    UnsupportedPair {
        /// The source language's code.
        from: &'static str,
        /// The target language's code.
        to: &'static str,
    },
    /// The engine was asked and failed on this text (`translation_failed`); says
    /// why, for the logs.
    #[error("translation failed: {0}")]
    Failed(String),
    /// The engine is down, slow or out of budget (`translation_unavailable`);
    /// says why, for the logs.
    #[error("translation engine unavailable: {0}")]
    Unavailable(String),
    /// Translation is switched off (`--translator none`): not a failure.
    #[error("translation is switched off")]
    Disabled,
}

impl TranslateError {
    /// The engine has no way from `from` to `to`.
    pub fn unsupported(from: Lang, to: Lang) -> Self {
        Self::UnsupportedPair {
            from: from.as_str(),
            to: to.as_str(),
        }
    }

    /// The code for the `error` field of a `message` frame, if any.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            Self::UnsupportedPair { .. } => Some("unsupported_language_pair"),
            Self::Failed(_) => Some("translation_failed"),
            Self::Unavailable(_) => Some("translation_unavailable"),
            Self::Disabled => None,
        }
    }
}

/// Which languages an engine can translate between, for the page to say
/// so before anyone picks one (`/status.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Every pair of the protocol's languages (Amazon Translate, pseudo).
    All,
    /// These sources, each with the targets it reaches (directly or
    /// through a pivot). Empty: nothing translates.
    Pairs(BTreeMap<Lang, BTreeSet<Lang>>),
}

/// What a translation is asked with beyond the text and the pair.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hints {
    /// Words passed through untouched, matched as whole words: the room's
    /// member names (and, later, glossary terms).
    pub keep: Vec<String>,
    /// The room's previous messages, oldest first, for engines that take
    /// context (DeepL); never translated nor billed.
    pub context: Vec<String>,
}

impl Hints {
    /// The kept words that occur in `text`, sorted: what can change a
    /// translation of it (and so belongs in a cache key).
    pub fn keep_in(&self, text: &str) -> Vec<&str> {
        let mut found: Vec<&str> = self
            .keep
            .iter()
            .map(String::as_str)
            .filter(|w| !w.is_empty() && text.contains(w))
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// How one engine behind a router stands, for `/status.json` and the
/// start-up lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineStatus {
    /// `apertium`, `libretranslate`, `deepl`, `amazon-translate`, `pseudo`.
    pub name: &'static str,
    /// Whether it is translating now.
    pub ok: bool,
    /// Directed pairs it translates itself; `None`: all of them.
    pub pairs: Option<usize>,
    /// The server it calls, for an HTTP engine.
    pub url: Option<String>,
    /// Why it is not ok (wrong key, quota used up, resting, unreachable).
    pub notice: Option<String>,
}

/// A translation engine.
#[async_trait]
pub trait Translator: Send + Sync {
    /// Translates `text` from one language to another (never equal).
    async fn translate(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
    ) -> Result<Translation, TranslateError>;

    /// [`Translator::translate`] keeping `hints.keep` untouched and, where
    /// the engine takes it, with `hints.context`.
    async fn translate_with(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
        hints: &Hints,
    ) -> Result<Translation, TranslateError>;

    /// Detects the language of `text`; `None` when the engine cannot.
    async fn detect(&self, text: &str) -> Option<Lang>;

    /// The pairs this engine translates.
    fn reach(&self) -> Reach;

    /// The engines behind this one (a router's); empty for a single engine.
    fn engines(&self) -> Vec<EngineStatus> {
        Vec::new()
    }

    /// Whether `hints.context` would be used (so the core reads the
    /// room's previous messages only then). Wrappers pass it on.
    fn wants_context(&self) -> bool {
        false
    }
}
