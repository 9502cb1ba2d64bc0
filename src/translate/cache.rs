//! A translation cache in front of an engine, shared by fan-out and
//! history: the same (text, source, target) is translated once while it
//! stays among the most recently used.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use async_trait::async_trait;
use lru::LruCache;

use crate::model::{Lang, Translation};
use crate::ports::{EngineStatus, Hints, Reach, TranslateError, Translator};

/// (from, to, text, the kept words found in the text joined by `\n`):
/// a name kept in one room and not in another changes the translation.
type Key = (Lang, Lang, String, String);

/// Wraps an engine with a bounded LRU cache of its successes.
pub struct Cached<T> {
    inner: T,
    entries: Mutex<LruCache<Key, Translation>>,
}

impl<T> Cached<T> {
    /// Wraps `inner`, keeping at most `capacity` translations.
    pub fn new(inner: T, capacity: NonZeroUsize) -> Self {
        Self {
            inner,
            entries: Mutex::new(LruCache::new(capacity)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<Key, Translation>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl<T: Translator> Translator for Cached<T> {
    async fn translate(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
    ) -> Result<Translation, TranslateError> {
        self.translate_with(text, from, to, &Hints::default()).await
    }

    /// Context is left out of the key: it only steers wording.
    async fn translate_with(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
        hints: &Hints,
    ) -> Result<Translation, TranslateError> {
        let key = (from, to, text.to_owned(), hints.keep_in(text).join("\n"));
        if let Some(hit) = self.lock().get(&key) {
            return Ok(hit.clone());
        }
        let fresh = self.inner.translate_with(text, from, to, hints).await?;
        self.lock().put(key, fresh.clone());
        Ok(fresh)
    }

    async fn detect(&self, text: &str) -> Option<Lang> {
        self.inner.detect(text).await
    }

    fn reach(&self) -> Reach {
        self.inner.reach()
    }

    fn engines(&self) -> Vec<EngineStatus> {
        self.inner.engines()
    }

    fn wants_context(&self) -> bool {
        self.inner.wants_context()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::CountingTranslator;

    #[tokio::test]
    async fn same_text_and_pair_is_translated_once() {
        let cached = Cached::new(CountingTranslator::default(), NonZeroUsize::new(2).unwrap());
        let (en, es, fr) = (
            Lang::EN,
            Lang::parse("es").unwrap(),
            Lang::parse("fr").unwrap(),
        );
        for _ in 0..3 {
            assert_eq!(
                cached.translate("hi", en, es).await.unwrap().text,
                "[es] hi"
            );
        }
        assert_eq!(cached.inner.calls(), 1);
        cached.translate("hi", en, fr).await.unwrap();
        cached.translate("yo", en, fr).await.unwrap();
        // Capacity 2: the first entry was evicted.
        cached.translate("hi", en, es).await.unwrap();
        assert_eq!(cached.inner.calls(), 4);
    }
}
