//! The LibreTranslate engine, over its documented HTTP API (LibreTranslate
//! itself, LTEngine, anything that speaks it):
//!
//! - `POST /translate` with `q` an array (a message's pieces in one call:
//!   names, URLs, code, emoji and numbers never leave honyaku), `source`,
//!   `target`, `format: "text"` and `api_key` when one is set.
//! - `GET /languages` at start and on every refresh gives the pairs.
//! - `POST /detect` when local detection is not sure.
//! - Errors are `{"error": …}`: 400 → `translation_failed`; 403 (a wrong
//!   or missing key) → `translation_unavailable`, said once in the log and
//!   shown in `/status.json`; 429 → back off for `Retry-After` (or a
//!   moment) and answer `translation_unavailable` meanwhile; 5xx and
//!   unreachable → `translation_unavailable`.
//!
//! `codes.rs`: their language codes against ours.

pub mod codes;

use std::sync::RwLock;
use std::time::Duration;

use async_trait::async_trait;
use http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::json;

use self::codes::{Languages, Listed};
use super::engine::Engine;
use super::http::{Answer, EngineHttp, HttpError};
use super::pieces::Pieces;
use super::standing::Standing;
use crate::model::{Lang, Translation};
use crate::ports::{Hints, Reach, TranslateError, Translator};

/// The engine's name in `message` frames and `/status.json`.
pub const ENGINE: &str = "libretranslate";
/// A 429 without `Retry-After` backs off this long.
const DEFAULT_BACKOFF: Duration = Duration::from_secs(2);
/// `/detect`'s confidence (0–100) below which its guess is not used.
const DETECT_CONFIDENCE: f64 = 50.0;

/// The LibreTranslate engine: its client, key, pairs and standing.
pub struct LibreTranslate {
    http: EngineHttp,
    api_key: Option<String>,
    languages: RwLock<Languages>,
    standing: Standing,
}

#[derive(Deserialize)]
struct Translated {
    #[serde(rename = "translatedText")]
    translated_text: Vec<String>,
}

#[derive(Deserialize)]
struct Detection {
    language: String,
    confidence: f64,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
}

impl LibreTranslate {
    /// An engine for the server at `url`; its pairs come with
    /// [`Engine::refresh`].
    pub fn new(url: &str, api_key: Option<String>) -> Result<Self, HttpError> {
        Ok(Self {
            http: EngineHttp::new(url)?,
            api_key: api_key.filter(|k| !k.is_empty()),
            languages: RwLock::new(Languages::default()),
            standing: Standing::new(ENGINE),
        })
    }

    fn languages(&self) -> std::sync::RwLockReadGuard<'_, Languages> {
        self.languages.read().unwrap_or_else(|p| p.into_inner())
    }

    /// A JSON `POST` with the key added when set.
    async fn post(
        &self,
        path: &str,
        mut body: serde_json::Value,
    ) -> Result<Answer, TranslateError> {
        if let Some(key) = &self.api_key {
            body["api_key"] = json!(key);
        }
        let bytes = serde_json::to_vec(&body).map_err(|e| TranslateError::Failed(e.to_string()))?;
        self.http
            .send(Method::POST, path, &[], Some(("application/json", bytes)))
            .await
            .map_err(|e| TranslateError::Unavailable(e.to_string()))
    }

    /// Maps an error answer, remembering what outlasts the call.
    fn failure(&self, answer: &Answer) -> TranslateError {
        let detail = serde_json::from_slice::<ErrorBody>(&answer.body)
            .map(|e| e.error)
            .unwrap_or_else(|_| format!("HTTP {}", answer.status));
        match answer.status {
            StatusCode::FORBIDDEN => self.standing.key_refused(format!(
                "the server at {} refused the API key (403: {detail}); set LIBRETRANSLATE_API_KEY",
                self.http.base()
            )),
            StatusCode::TOO_MANY_REQUESTS => {
                let wait = answer
                    .retry_after
                    .map_or(DEFAULT_BACKOFF, Duration::from_secs);
                self.standing
                    .block(wait, "LibreTranslate is rate limiting".into(), None)
            }
            s if s.is_server_error() => {
                TranslateError::Unavailable(format!("LibreTranslate failed: {detail}"))
            }
            _ => TranslateError::Failed(format!("LibreTranslate refused: {detail}")),
        }
    }
}

#[async_trait]
impl Translator for LibreTranslate {
    async fn translate(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
    ) -> Result<Translation, TranslateError> {
        self.translate_with(text, from, to, &Hints::default()).await
    }

    #[tracing::instrument(skip_all, fields(bytes = text.len(), %from, %to))]
    async fn translate_with(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
        hints: &Hints,
    ) -> Result<Translation, TranslateError> {
        let (source, target) = {
            let langs = self.languages();
            match (langs.has(from, to), langs.code(from), langs.code(to)) {
                (true, Some(s), Some(t)) => (s.to_owned(), t.to_owned()),
                _ => return Err(TranslateError::unsupported(from, to)),
            }
        };
        if let Some(e) = self.standing.blocked() {
            return Err(e);
        }
        let pieces = Pieces::new(text, hints);
        let q = pieces.to_send();
        let done = |text: String| Translation {
            text,
            engine: ENGINE.into(),
            via: None,
        };
        if q.is_empty() {
            return Ok(done(text.to_owned()));
        }
        let body = json!({"q": q, "source": source, "target": target, "format": "text"});
        let answer = self.post("/translate", body).await?;
        if !answer.status.is_success() {
            return Err(self.failure(&answer));
        }
        let out: Translated = serde_json::from_slice(&answer.body).map_err(|e| {
            TranslateError::Failed(format!("LibreTranslate answered unexpectedly: {e}"))
        })?;
        self.standing.recovered();
        pieces
            .join(&out.translated_text)
            .map(done)
            .ok_or_else(|| TranslateError::Failed("LibreTranslate lost a piece".into()))
    }

    /// Local detection first; the server's `/detect` when it is not sure.
    async fn detect(&self, text: &str) -> Option<Lang> {
        #[cfg(feature = "local")]
        if let Some(lang) = super::detect::detect(text) {
            return Some(lang);
        }
        let answer = self.post("/detect", json!({"q": text})).await.ok()?;
        if !answer.status.is_success() {
            self.failure(&answer);
            return None;
        }
        let found: Vec<Detection> = serde_json::from_slice(&answer.body).ok()?;
        let best = found
            .into_iter()
            .max_by(|a, b| a.confidence.total_cmp(&b.confidence))?;
        (best.confidence >= DETECT_CONFIDENCE)
            .then(|| codes::ours(&best.language).into_iter().next())
            .flatten()
    }

    fn reach(&self) -> Reach {
        Reach::Pairs(self.languages().pairs.clone())
    }
}

#[async_trait]
impl Engine for LibreTranslate {
    fn name(&self) -> &'static str {
        ENGINE
    }

    fn url(&self) -> Option<String> {
        Some(self.http.base().to_owned())
    }

    fn notice(&self) -> Option<String> {
        self.standing.notice()
    }

    fn pairs(&self) -> Option<usize> {
        Some(self.languages().count())
    }

    /// `GET /languages`; on failure the pairs known before are kept (an
    /// engine that was down a moment still has its models).
    async fn refresh(&self) -> Result<(), String> {
        let answer = self
            .http
            .send(Method::GET, "/languages", &[], None)
            .await
            .map_err(|e| e.to_string())?;
        if !answer.status.is_success() {
            return Err(self.failure(&answer).to_string());
        }
        let listing: Vec<Listed> = serde_json::from_slice(&answer.body)
            .map_err(|e| format!("GET /languages answered unexpectedly: {e}"))?;
        let languages = Languages::from_listing(&listing);
        tracing::debug!(engine = ENGINE, pairs = languages.count(), "languages read");
        *self.languages.write().unwrap_or_else(|p| p.into_inner()) = languages;
        Ok(())
    }
}
