//! `--translator none`: translation switched off; everyone reads originals.

use async_trait::async_trait;

use crate::model::{Lang, Translation};
use crate::ports::{Hints, Reach, TranslateError, Translator};

/// The engine of `--translator none`: translates nothing, detects nothing.
#[derive(Debug, Default, Clone)]
pub struct NoTranslator;

#[async_trait]
impl Translator for NoTranslator {
    async fn translate(
        &self,
        _text: &str,
        _from: Lang,
        _to: Lang,
    ) -> Result<Translation, TranslateError> {
        Err(TranslateError::Disabled)
    }

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
        Reach::Pairs(Default::default())
    }
}
