//! [`Metered`]: an engine or a push wrapped so that what passes through it
//! is counted. (The store is counted through its hook: `Hooked<Arc<Counters>>`.)

use std::sync::Arc;

use async_trait::async_trait;

use super::Counters;
use crate::model::{ConnectionId, Lang, Translation};
use crate::ports::{
    EngineStatus, Frame, Hints, Push, PushError, Reach, Store, TranslateError, Translator,
};
use crate::store::Hooked;

/// A port that counts into shared [`Counters`].
pub struct Metered<T: ?Sized> {
    inner: Arc<T>,
    counters: Arc<Counters>,
}

impl<T: ?Sized> Metered<T> {
    /// Wraps `inner`, counting into `counters`.
    pub fn new(inner: Arc<T>, counters: Arc<Counters>) -> Self {
        Self { inner, counters }
    }
}

impl Metered<dyn Store> {
    /// The store, counted.
    pub fn store(inner: Arc<dyn Store>, counters: Arc<Counters>) -> Hooked<Arc<Counters>> {
        Hooked::new(inner, counters)
    }
}

#[async_trait]
impl Translator for Metered<dyn Translator> {
    async fn translate(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
    ) -> Result<Translation, TranslateError> {
        self.translate_with(text, from, to, &Hints::default()).await
    }

    async fn translate_with(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
        hints: &Hints,
    ) -> Result<Translation, TranslateError> {
        let result = self.inner.translate_with(text, from, to, hints).await;
        match &result {
            Ok(_) => self.counters.translation(text.chars().count()),
            // Switched off is no error.
            Err(e) if e.code().is_some() => self.counters.error(),
            Err(_) => {}
        }
        result
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

#[async_trait]
impl Push for Metered<dyn Push> {
    async fn post(&self, to: &ConnectionId, frame: &Frame) -> Result<(), PushError> {
        let result = self.inner.post(to, frame).await;
        self.count_push(&result);
        result
    }

    async fn close(
        &self,
        to: &ConnectionId,
        code: u16,
        reason: &'static str,
    ) -> Result<(), PushError> {
        let result = self.inner.close(to, code, reason).await;
        self.count_push(&result);
        result
    }
}

impl Metered<dyn Push> {
    fn count_push(&self, result: &Result<(), PushError>) {
        match result {
            Ok(()) => {}
            Err(PushError::Gone) => self.counters.gone(),
            Err(PushError::PayloadTooLarge) => self.counters.too_large(),
            Err(_) => self.counters.error(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::App;
    use crate::metrics::Counts;
    use crate::store::MemoryStore;
    use crate::testing::{Fault, RecordingPush};
    use crate::translate::PseudoTranslator;

    #[tokio::test]
    async fn counts_a_fan_out() {
        let counters = Arc::new(Counters::default());
        let store: Arc<dyn Store> = Arc::new(MemoryStore::in_memory());
        let translator: Arc<dyn Translator> = Arc::new(PseudoTranslator);
        let recorder = Arc::new(RecordingPush::default());
        recorder.fail("gone", Fault::Gone);
        recorder.fail("broken", Fault::Broken);
        let push: Arc<dyn Push> = recorder;
        let app = App::new(
            Arc::new(Metered::store(store.clone(), counters.clone())),
            Arc::new(Metered::new(translator, counters.clone())),
            Arc::new(Metered::new(push, counters.clone())),
        );
        let now = chrono::Utc::now().timestamp_millis() - 60_000;
        // `gone` last: the presence of later arrivals would find it gone.
        for (id, lang) in [("a", "ja"), ("broken", "de"), ("c", "es"), ("gone", "es")] {
            let params = crate::core::ConnectParams {
                room: Some("r".into()),
                lang: Some(lang.into()),
                name: Some(id.into()),
                ..Default::default()
            };
            app.connect(ConnectionId::new(id), params, now)
                .await
                .unwrap();
        }
        counters.take();
        app.message(
            &ConnectionId::new("a"),
            r#"{"action":"translate","text":"こんにちは"}"#,
        )
        .await;
        let counts = counters.take();
        assert_eq!(
            counts,
            Counts {
                messages: 1,
                translations: 2,
                characters: 10,
                gone: 1,
                errors: 1,
                ..Counts::default()
            }
        );
        assert!(counters.take().is_zero());
    }
}
