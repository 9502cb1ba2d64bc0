//! The REST translation API (`POST /translate`), the first API honyaku had: one
//! text into one language, through the same engine call (and time budget)
//! as the chat, with every call kept as history in the single table. The
//! edges (`lambda::rest`, the local gateway) parse the JSON; this sees a
//! typed request.

use super::engine::translate_one;
use super::ids::message_id;
use super::quota::{Refusal, Sender};
use super::{App, now_ms};
use crate::model::{ChatText, InvalidInput, Lang, SourceLang, TranslationRecord};
use crate::ports::{Hints, StoreError, TranslateError};

/// A parsed `POST /translate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranslateRequest {
    /// `text`, trimmed and within the limit.
    pub text: ChatText,
    /// `sourceLang`: a code or `auto`.
    pub source: SourceLang,
    /// `targetLang`.
    pub target: Lang,
}

/// Who calls the REST API: its address keys the rate limit and the
/// hourly characters (there is no `client` on the REST API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The caller's address (`sourceIp`).
    pub source_ip: String,
}

/// Why `POST /translate` failed; the edge answers with `status()` and
/// `{"code","message"}`, the message from [`RestError::public_message`].
#[derive(Debug, thiserror::Error)]
pub enum RestError {
    /// A field is missing or invalid (400, with the field's code).
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// `sourceLang: "auto"` and the engine could not tell. There is no
    /// sender's language to fall back on, as the chat has.
    #[error("the language of the text could not be detected")]
    Undetected,
    /// The engine did not translate (400 for the pair, 502 failed, 503 unavailable).
    #[error(transparent)]
    Engine(TranslateError),
    /// Over the caller's calls per minute or characters per hour.
    #[error("rate limited")]
    RateLimited(&'static str),
    /// The deployment's characters for today are spent.
    #[error("the daily translation budget is used up")]
    BudgetUsedUp,
    /// The store failed (500 `internal`).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl RestError {
    /// The HTTP status to answer with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid(_) | Self::Undetected => 400,
            Self::Engine(TranslateError::UnsupportedPair { .. }) => 400,
            Self::Engine(TranslateError::Failed(_)) => 502,
            Self::Engine(TranslateError::Unavailable(_) | TranslateError::Disabled) => 503,
            Self::RateLimited(_) | Self::BudgetUsedUp => 429,
            Self::Store(_) => 500,
        }
    }

    /// The docs/PROTOCOL.md error code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(e) => e.code(),
            Self::Undetected => "invalid_lang",
            // Switched off reads as unavailable: nothing here will translate.
            Self::Engine(e) => e.code().unwrap_or("translation_unavailable"),
            Self::RateLimited(_) => "rate_limited",
            Self::BudgetUsedUp => "translation_unavailable",
            Self::Store(_) => "internal",
        }
    }

    /// A sentence safe to show the client: engine and store details stay
    /// in the logs.
    pub fn public_message(&self) -> String {
        match self {
            Self::Invalid(e) => e.to_string(),
            Self::Undetected => "the language of the text could not be detected; \
                                 give sourceLang as a language code"
                .into(),
            Self::Engine(e @ TranslateError::UnsupportedPair { .. }) => e.to_string(),
            Self::Engine(TranslateError::Failed(_)) => {
                "the translation engine failed on this text; try again".into()
            }
            Self::Engine(TranslateError::Unavailable(_)) => {
                "the translation engine is unavailable; try again shortly".into()
            }
            Self::Engine(TranslateError::Disabled) => {
                "translation is switched off on this server".into()
            }
            Self::RateLimited(why) => (*why).to_owned(),
            Self::BudgetUsedUp => {
                "the daily translation budget of this deployment is used up; try again tomorrow (UTC)"
                    .into()
            }
            Self::Store(_) => "the server could not store the translation; try again".into(),
        }
    }
}

/// `POST /translate`: detects the source if asked, translates once,
/// stores the record, and returns it; nothing translated is returned that
/// was not stored. Source and target the same: the text comes back
/// untouched, and nothing is counted or stored.
#[tracing::instrument(skip_all, fields(target = %req.target))]
pub(super) async fn translate_text(
    app: &App,
    req: TranslateRequest,
    caller: &Caller,
) -> Result<TranslationRecord, RestError> {
    let limit = app.policy.engine_timeout;
    let text = req.text.as_str();
    let source = match req.source {
        SourceLang::Code(lang) => lang,
        SourceLang::Auto => match tokio::time::timeout(limit, app.translator.detect(text)).await {
            Ok(Some(lang)) => lang,
            Ok(None) => return Err(RestError::Undetected),
            Err(_) => {
                return Err(RestError::Engine(TranslateError::Unavailable(
                    "detection timed out".into(),
                )));
            }
        },
    };
    if source == req.target {
        // Nothing to translate: the text comes back as it is, with no
        // engine call, no count against the caller and nothing stored (an
        // echo must not fill the table for the retention period).
        let ts = now_ms();
        return Ok(TranslationRecord {
            id: message_id(ts),
            ts,
            source_lang: source,
            target_lang: req.target,
            translated_text: text.to_owned(),
            text: req.text.into_string(),
            engine: None,
            ttl: None,
        });
    }
    let cost = text.chars().count();
    let who = Sender::keyed(format!("rest-ip:{}", caller.source_ip));
    match app
        .charge_sender(who, Some(app.policy.rest_per_minute), cost)
        .await?
    {
        Ok(()) => {}
        Err(Refusal::Rate) => {
            return Err(RestError::RateLimited(
                "too many requests from this address; try again in a minute",
            ));
        }
        Err(Refusal::Hourly) => {
            return Err(RestError::RateLimited(
                "this address has used its characters for this hour",
            ));
        }
    }
    if !app.charge_budget(cost).await {
        return Err(RestError::BudgetUsedUp);
    }
    let t = translate_one(
        app.translator.as_ref(),
        limit,
        text,
        source,
        req.target,
        &Hints::default(),
    )
    .await
    .map_err(|e| {
        tracing::warn!(%source, code = e.code(), error = %e, "translation failed");
        RestError::Engine(e)
    })?;
    let (translated_text, engine) = (t.text, Some(t.engine));
    let ts = now_ms();
    let record = TranslationRecord {
        id: message_id(ts),
        ts,
        source_lang: source,
        target_lang: req.target,
        text: req.text.into_string(),
        translated_text,
        engine,
        ttl: app.policy.expiry(ts),
    };
    app.store
        .put_rest_translation(&record)
        .await
        .inspect_err(|e| tracing::error!(error = %e, "storing a REST translation"))?;
    tracing::info!(id = %record.id, %source, "translated");
    Ok(record)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::Lang;
    use crate::store::MemoryStore;
    use crate::testing::{CountingTranslator, RecordingPush};

    type Engine = CountingTranslator;

    fn caller() -> Caller {
        Caller {
            source_ip: "127.0.0.1".into(),
        }
    }

    fn app(engine: Arc<Engine>) -> (App, Arc<MemoryStore>) {
        let store = Arc::new(MemoryStore::in_memory());
        (
            App::new(store.clone(), engine, Arc::new(RecordingPush::default())),
            store,
        )
    }

    fn req(text: &str, source: &str, target: &str) -> TranslateRequest {
        TranslateRequest {
            text: ChatText::parse(text).unwrap(),
            source: SourceLang::parse(source).unwrap(),
            target: Lang::parse(target).unwrap(),
        }
    }

    async fn stored(store: &MemoryStore) -> Vec<TranslationRecord> {
        let today = chrono::Utc::now().date_naive();
        crate::ports::Store::rest_translations(store, today, 10)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn translates_once_and_keeps_the_record() {
        let engine = Arc::new(Engine::default());
        let (app, store) = app(engine.clone());
        let r = app
            .translate_text(req(" Hello ", "en", "es"), &caller())
            .await
            .unwrap();
        assert_eq!(r.translated_text, "[es] Hello");
        assert_eq!(
            (r.source_lang.as_str(), r.target_lang.as_str()),
            ("en", "es")
        );
        assert_eq!(r.engine.as_deref(), Some("pseudo"));
        assert_eq!(engine.calls(), 1);
        assert_eq!(stored(&store).await, [r]);
    }

    #[tokio::test]
    async fn same_language_needs_no_engine() {
        let engine = Arc::new(Engine::default());
        let (app, store) = app(engine.clone());
        let r = app
            .translate_text(req("Hallo", "de", "de"), &caller())
            .await
            .unwrap();
        assert_eq!((r.translated_text.as_str(), r.engine), ("Hallo", None));
        // Detected as the target: the same.
        let r = app
            .translate_text(req("今日は", "auto", "ja"), &caller())
            .await
            .unwrap();
        assert_eq!(r.translated_text, "今日は");
        assert_eq!(engine.calls(), 0);
        // Neither stored nor counted: long echoes fill nothing and use up
        // nothing of the caller's limits.
        assert!(stored(&store).await.is_empty());
        let app = app.with_policy(crate::core::Policy {
            rest_per_minute: 1,
            chars_per_hour: 9_000,
            ..crate::core::Policy::default()
        });
        let long = "x".repeat(9_990);
        for _ in 0..3 {
            app.translate_text(req(&long, "en", "en"), &caller())
                .await
                .unwrap();
        }
        assert!(stored(&store).await.is_empty());
        assert_eq!(
            app.translate_text(req("Hi", "en", "es"), &caller())
                .await
                .unwrap()
                .translated_text,
            "[es] Hi"
        );
    }

    #[tokio::test]
    async fn auto_detects_or_refuses() {
        let (app, store) = app(Arc::new(Engine::default()));
        let r = app
            .translate_text(req("今日は", "auto", "en"), &caller())
            .await
            .unwrap();
        assert_eq!(r.source_lang.as_str(), "ja");
        assert_eq!(r.translated_text, "[en] 今日は");
        let e = app
            .translate_text(req("??", "auto", "en"), &caller())
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (400, "invalid_lang"));
        assert!(e.public_message().contains("sourceLang"));
        assert_eq!(stored(&store).await.len(), 1);
    }

    #[tokio::test]
    async fn engine_errors_map_to_statuses_and_store_nothing() {
        let cases = [
            (
                TranslateError::UnsupportedPair {
                    from: "en",
                    to: "es",
                },
                400,
                "unsupported_language_pair",
            ),
            (
                TranslateError::Failed("secret detail".into()),
                502,
                "translation_failed",
            ),
            (
                TranslateError::Unavailable("throttled".into()),
                503,
                "translation_unavailable",
            ),
            (TranslateError::Disabled, 503, "translation_unavailable"),
        ];
        for (fail, status, code) in cases {
            let engine = Arc::new(Engine::default());
            engine.fail_for(Lang::parse("es").unwrap(), fail);
            let (app, store) = app(engine);
            let e = app
                .translate_text(req("Hello", "en", "es"), &caller())
                .await
                .unwrap_err();
            assert_eq!((e.status(), e.code()), (status, code));
            assert!(
                !e.public_message().contains("secret"),
                "{}",
                e.public_message()
            );
            assert!(stored(&store).await.is_empty());
        }
    }
}
