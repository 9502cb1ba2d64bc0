//! The DeepL engine, over its documented API v2:
//!
//! - `POST /v2/translate`, JSON, `text` an array (a message's pieces: names,
//!   URLs, code, emoji and numbers never leave honyaku; 50 items a call at
//!   most), `source_lang`, `target_lang` (a variant: `EN-US`, `PT-BR`,
//!   `ZH-HANT`, …), and `context`: the room's previous two messages, which
//!   DeepL reads to translate better and does not bill.
//! - `Authorization: DeepL-Auth-Key KEY`. A key ending in `:fx` is an API
//!   Free key and goes to `api-free.deepl.com`, others to `api.deepl.com`,
//!   unless `DEEPL_API_URL` says otherwise.
//! - `GET /v2/languages?type=source` and `?type=target` give the pairs.
//! - Errors: 403 a wrong key (said once, in `/status.json` too); 456 the
//!   quota is used up (no calls for a while, so the router goes to the next
//!   engine, and `/status.json` says so); 429 backs off; 5xx and
//!   unreachable → `translation_unavailable`; other 4xx →
//!   `translation_failed`.
//!
//! `codes.rs`: their language codes against ours.

pub mod codes;

use std::sync::RwLock;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::future::try_join_all;
use http::{HeaderValue, Method, StatusCode, header};
use serde::Deserialize;
use serde_json::json;

use self::codes::{Languages, source_code};
use super::engine::Engine;
use super::http::{Answer, EngineHttp, HttpError};
use super::pieces::Pieces;
use super::standing::Standing;
use crate::model::{Lang, Translation};
use crate::ports::{Hints, Reach, TranslateError, Translator};

/// The engine's name in `message` frames and `/status.json`.
pub const ENGINE: &str = "deepl";
/// DeepL API Free, for keys ending in `:fx`.
pub const FREE_URL: &str = "https://api-free.deepl.com";
/// DeepL API Pro.
pub const PRO_URL: &str = "https://api.deepl.com";
/// `text` items one call takes.
const MAX_TEXTS: usize = 50;
/// A 429 without `Retry-After` backs off this long.
const DEFAULT_BACKOFF: Duration = Duration::from_secs(2);
/// After a 456 (quota used up) DeepL is not called for this long.
const QUOTA_PAUSE: Duration = Duration::from_secs(15 * 60);

/// Why the engine could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum DeeplError {
    /// No key was given.
    #[error("DeepL needs an API key: set DEEPL_AUTH_KEY")]
    NoKey,
    /// The key holds characters no header can.
    #[error("the DeepL key cannot be sent in a header")]
    BadKey,
    /// The endpoint URL is unusable.
    #[error(transparent)]
    Http(#[from] HttpError),
}

/// The DeepL engine: its client, key, pairs and standing.
pub struct Deepl {
    http: EngineHttp,
    auth: HeaderValue,
    languages: RwLock<Languages>,
    standing: Standing,
}

#[derive(Deserialize)]
struct Translated {
    translations: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    text: String,
}

#[derive(Deserialize)]
struct Listed {
    language: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    message: String,
}

/// The endpoint a key implies: API Free keys end in `:fx`.
pub fn endpoint_for(key: &str) -> &'static str {
    if key.ends_with(":fx") {
        FREE_URL
    } else {
        PRO_URL
    }
}

impl Deepl {
    /// The engine for `key`, at `url` or the endpoint the key implies.
    pub fn new(key: Option<&str>, url: Option<&str>) -> Result<Self, DeeplError> {
        let key = key
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or(DeeplError::NoKey)?;
        let mut auth = HeaderValue::from_str(&format!("DeepL-Auth-Key {key}"))
            .map_err(|_| DeeplError::BadKey)?;
        auth.set_sensitive(true);
        Ok(Self {
            http: EngineHttp::new(url.unwrap_or_else(|| endpoint_for(key)))?,
            auth,
            languages: RwLock::new(Languages::default()),
            standing: Standing::new(ENGINE),
        })
    }

    fn languages(&self) -> std::sync::RwLockReadGuard<'_, Languages> {
        self.languages.read().unwrap_or_else(|p| p.into_inner())
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<Answer, TranslateError> {
        let body = body.map(|b| ("application/json", b.to_string().into_bytes()));
        self.http
            .send(
                method,
                path,
                &[(header::AUTHORIZATION, self.auth.clone())],
                body,
            )
            .await
            .map_err(|e| TranslateError::Unavailable(e.to_string()))
    }

    /// Maps an error answer, remembering what outlasts the call.
    fn failure(&self, answer: &Answer) -> TranslateError {
        let detail = serde_json::from_slice::<ErrorBody>(&answer.body)
            .map(|e| e.message)
            .unwrap_or_else(|_| format!("HTTP {}", answer.status));
        match answer.status.as_u16() {
            403 => self.standing.key_refused(format!(
                "DeepL refused the key (403: {detail}); check DEEPL_AUTH_KEY (keys ending in \
                 :fx are API Free keys)"
            )),
            456 => self.standing.block(
                QUOTA_PAUSE,
                "the DeepL quota is used up".into(),
                Some(format!(
                    "quota used up (456: {detail}); other engines translate meanwhile"
                )),
            ),
            429 => {
                let wait = answer
                    .retry_after
                    .map_or(DEFAULT_BACKOFF, Duration::from_secs);
                self.standing
                    .block(wait, "DeepL is rate limiting".into(), None)
            }
            s if StatusCode::from_u16(s).is_ok_and(|s| s.is_server_error()) => {
                TranslateError::Unavailable(format!("DeepL failed: {detail}"))
            }
            _ => TranslateError::Failed(format!("DeepL refused: {detail}")),
        }
    }

    /// One `/v2/translate` call for up to [`MAX_TEXTS`] pieces.
    async fn call(
        &self,
        texts: &[&str],
        from: Lang,
        target: &str,
        context: &str,
    ) -> Result<Vec<String>, TranslateError> {
        let mut body = json!({
            "text": texts,
            "source_lang": source_code(from),
            "target_lang": target,
        });
        if !context.is_empty() {
            body["context"] = json!(context);
        }
        let answer = self.send(Method::POST, "/v2/translate", Some(body)).await?;
        if !answer.status.is_success() {
            return Err(self.failure(&answer));
        }
        let out: Translated = serde_json::from_slice(&answer.body)
            .map_err(|e| TranslateError::Failed(format!("DeepL answered unexpectedly: {e}")))?;
        Ok(out.translations.into_iter().map(|t| t.text).collect())
    }

    async fn list(&self, kind: &str) -> Result<Vec<String>, String> {
        let answer = self
            .send(Method::GET, &format!("/v2/languages?type={kind}"), None)
            .await
            .map_err(|e| e.to_string())?;
        if !answer.status.is_success() {
            return Err(self.failure(&answer).to_string());
        }
        let listed: Vec<Listed> = serde_json::from_slice(&answer.body)
            .map_err(|e| format!("GET /v2/languages answered unexpectedly: {e}"))?;
        Ok(listed.into_iter().map(|l| l.language).collect())
    }
}

#[async_trait]
impl Translator for Deepl {
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
        let target = {
            let langs = self.languages();
            match (langs.has(from, to), langs.target(to)) {
                (true, Some(t)) => t.to_owned(),
                _ => return Err(TranslateError::unsupported(from, to)),
            }
        };
        if let Some(e) = self.standing.blocked() {
            return Err(e);
        }
        let pieces = Pieces::new(text, hints);
        let texts = pieces.to_send();
        let context = hints.context.join("\n");
        let answers = try_join_all(
            texts
                .chunks(MAX_TEXTS)
                .map(|batch| self.call(batch, from, &target, &context)),
        )
        .await?;
        let answers: Vec<String> = answers.into_iter().flatten().collect();
        if !texts.is_empty() {
            self.standing.recovered();
        }
        let text = pieces
            .join(&answers)
            .ok_or_else(|| TranslateError::Failed("DeepL lost a piece".into()))?;
        Ok(Translation {
            text,
            engine: ENGINE.into(),
            via: None,
        })
    }

    /// DeepL detects only while translating; local detection serves.
    async fn detect(&self, _text: &str) -> Option<Lang> {
        #[cfg(feature = "local")]
        return super::detect::detect(_text);
        #[cfg(not(feature = "local"))]
        None
    }

    fn reach(&self) -> Reach {
        Reach::Pairs(self.languages().pairs.clone())
    }

    fn wants_context(&self) -> bool {
        true
    }
}

#[async_trait]
impl Engine for Deepl {
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

    /// Both language lists; on failure the pairs known before are kept.
    async fn refresh(&self) -> Result<(), String> {
        let (sources, targets) = tokio::try_join!(self.list("source"), self.list("target"))?;
        let languages = Languages::from_lists(&sources, &targets);
        tracing::debug!(engine = ENGINE, pairs = languages.count(), "languages read");
        *self.languages.write().unwrap_or_else(|p| p.into_inner()) = languages;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_keys_go_to_the_free_endpoint() {
        assert_eq!(endpoint_for("abc-123:fx"), FREE_URL);
        assert_eq!(endpoint_for("abc-123"), PRO_URL);
        assert!(matches!(Deepl::new(None, None), Err(DeeplError::NoKey)));
        assert!(matches!(
            Deepl::new(Some("  "), None),
            Err(DeeplError::NoKey)
        ));
        let d = Deepl::new(Some("k:fx"), Some("http://127.0.0.1:9")).unwrap();
        assert_eq!(d.url().as_deref(), Some("http://127.0.0.1:9"));
    }
}
