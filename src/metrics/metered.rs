//! [`Metered`]: a port wrapped so that what passes through it is counted.
//! Each wrapper forwards every call unchanged.

use std::sync::Arc;

use async_trait::async_trait;

use super::Counters;
use chrono::NaiveDate;

use crate::model::{
    ClientMsgId, Connection, ConnectionId, Lang, Member, Message, MessageKey, RoomName,
    Translation, TranslationRecord, UserName,
};
use crate::ports::{
    HistoryPage, Push, PushError, PutOutcome, Store, StoreError, TranslateError, Translator,
};

/// A port that counts into shared [`Counters`].
pub struct Metered<T: ?Sized> {
    inner: Arc<T>,
    counters: Arc<Counters>,
}

impl<T: ?Sized> Metered<T> {
    pub fn new(inner: Arc<T>, counters: Arc<Counters>) -> Self {
        Self { inner, counters }
    }

    fn count<R, E>(&self, result: Result<R, E>) -> Result<R, E> {
        if result.is_err() {
            self.counters.error();
        }
        result
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
        let result = self.inner.translate(text, from, to).await;
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
}

#[async_trait]
impl Push for Metered<dyn Push> {
    async fn post(&self, to: &ConnectionId, frame: &str) -> Result<(), PushError> {
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
            Err(_) => self.counters.error(),
        }
    }
}

#[async_trait]
impl Store for Metered<dyn Store> {
    async fn put_connection(&self, conn: &Connection) -> Result<(), StoreError> {
        self.count(self.inner.put_connection(conn).await)
    }

    async fn get_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError> {
        self.count(self.inner.get_connection(id).await)
    }

    async fn update_connection(
        &self,
        old: &Connection,
        new: &Connection,
    ) -> Result<(), StoreError> {
        self.count(self.inner.update_connection(old, new).await)
    }

    async fn delete_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError> {
        self.count(self.inner.delete_connection(id).await)
    }

    async fn room_members(&self, room: &RoomName) -> Result<Vec<Member>, StoreError> {
        self.count(self.inner.room_members(room).await)
    }

    async fn has_client_msg(
        &self,
        room: &RoomName,
        sender: &UserName,
        id: &ClientMsgId,
    ) -> Result<bool, StoreError> {
        self.count(self.inner.has_client_msg(room, sender, id).await)
    }

    async fn put_message(&self, msg: &Message) -> Result<PutOutcome, StoreError> {
        let result = self.count(self.inner.put_message(msg).await);
        if let Ok(PutOutcome::Stored) = result {
            self.counters.message();
        }
        result
    }

    async fn connections_before(&self, cutoff_ms: i64) -> Result<Vec<Connection>, StoreError> {
        self.count(self.inner.connections_before(cutoff_ms).await)
    }

    async fn messages_before(
        &self,
        room: &RoomName,
        before: Option<&MessageKey>,
        limit: usize,
    ) -> Result<HistoryPage, StoreError> {
        self.count(self.inner.messages_before(room, before, limit).await)
    }

    async fn put_translation(
        &self,
        room: &RoomName,
        key: &MessageKey,
        lang: Lang,
        translation: &Translation,
    ) -> Result<(), StoreError> {
        self.count(
            self.inner
                .put_translation(room, key, lang, translation)
                .await,
        )
    }

    async fn put_rest_translation(&self, record: &TranslationRecord) -> Result<(), StoreError> {
        self.count(self.inner.put_rest_translation(record).await)
    }

    async fn rest_translations(
        &self,
        day: NaiveDate,
        limit: usize,
    ) -> Result<Vec<TranslationRecord>, StoreError> {
        self.count(self.inner.rest_translations(day, limit).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::App;
    use crate::metrics::Counts;
    use crate::store::MemoryStore;
    use crate::translate::PseudoTranslator;
    use std::sync::Mutex;

    /// Remembers frames; connection `gone` is gone, `broken` fails.
    #[derive(Default)]
    struct Recorder(Mutex<Vec<String>>);

    #[async_trait]
    impl Push for Recorder {
        async fn post(&self, to: &ConnectionId, frame: &str) -> Result<(), PushError> {
            match to.as_str() {
                "gone" => Err(PushError::Gone),
                "broken" => Err(PushError::Other("boom".into())),
                _ => {
                    self.0.lock().unwrap().push(frame.to_owned());
                    Ok(())
                }
            }
        }
    }

    #[tokio::test]
    async fn counts_a_fan_out() {
        let counters = Arc::new(Counters::default());
        let store: Arc<dyn Store> = Arc::new(MemoryStore::in_memory());
        let translator: Arc<dyn Translator> = Arc::new(PseudoTranslator);
        let push: Arc<dyn Push> = Arc::new(Recorder::default());
        let app = App::new(
            Arc::new(Metered::new(store.clone(), counters.clone())),
            Arc::new(Metered::new(translator, counters.clone())),
            Arc::new(Metered::new(push, counters.clone())),
        );
        let now = chrono::Utc::now().timestamp_millis();
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
            }
        );
        assert!(counters.take().is_zero());
    }
}
