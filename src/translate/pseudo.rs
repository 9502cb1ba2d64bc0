//! A deterministic fake engine for tests and demos: `[es] Hello`. It marks
//! every output so nobody mistakes it for a real translation.

use async_trait::async_trait;

use crate::model::{Lang, Translation};
use crate::ports::{Hints, Reach, TranslateError, Translator};

pub const ENGINE: &str = "pseudo";

/// The fake engine: `[es] Hello` for any pair.
#[derive(Debug, Default, Clone)]
pub struct PseudoTranslator;

#[async_trait]
impl Translator for PseudoTranslator {
    async fn translate(
        &self,
        text: &str,
        _from: Lang,
        to: Lang,
    ) -> Result<Translation, TranslateError> {
        Ok(Translation {
            text: format!("[{}] {text}", to.as_str()),
            engine: ENGINE.into(),
            via: None,
        })
    }

    /// The marked original keeps every name as it is.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn marks_the_target() {
        let t = PseudoTranslator
            .translate("Hello", Lang::EN, Lang::parse("es").unwrap())
            .await
            .unwrap();
        assert_eq!(t.text, "[es] Hello");
        assert_eq!(t.engine, "pseudo");
    }
}
