//! [`ManglingTranslator`]: an engine stand-in that damages the
//! placeholders of protected terms the way real engines do — spacing them
//! out (recoverable), or dropping them (the term would be lost) — so the
//! glossary's guarantee is tested against more than well-behaved engines.

use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;

use crate::model::{Lang, Translation};
use crate::ports::{Hints, Reach, TranslateError, Translator};
use crate::translate::glossary::{CLOSE, OPEN};

/// What the stand-in does to a placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mangle {
    /// `⟦0⟧` → `⟦ 0 ⟧`.
    Space,
    /// `⟦0⟧` → `0`: the brackets are gone.
    Drop,
}

/// Translates as the pseudo engine does (`[es] …`) after damaging every
/// placeholder; counts its calls.
pub struct ManglingTranslator {
    /// What it does to every placeholder.
    pub mangle: Mangle,
    calls: AtomicUsize,
}

impl ManglingTranslator {
    /// A stand-in that damages placeholders as `mangle` says.
    pub fn new(mangle: Mangle) -> Self {
        Self {
            mangle,
            calls: AtomicUsize::new(0),
        }
    }

    /// How many translations it was asked for.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Translator for ManglingTranslator {
    async fn translate(
        &self,
        text: &str,
        _from: Lang,
        to: Lang,
    ) -> Result<Translation, TranslateError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let damaged = match self.mangle {
            Mangle::Space => text
                .replace(OPEN, &format!("{OPEN} "))
                .replace(CLOSE, &format!(" {CLOSE}")),
            Mangle::Drop => text.replace([OPEN, CLOSE], ""),
        };
        Ok(Translation {
            text: format!("[{}] {damaged}", to.as_str()),
            engine: "mangler".into(),
            via: None,
        })
    }

    /// Names are no placeholders: it leaves them as the pseudo engine does.
    async fn translate_with(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
        _hints: &Hints,
    ) -> Result<Translation, TranslateError> {
        self.translate(text, from, to).await
    }

    async fn detect(&self, _text: &str) -> Option<Lang> {
        None
    }

    fn reach(&self) -> Reach {
        Reach::All
    }
}
