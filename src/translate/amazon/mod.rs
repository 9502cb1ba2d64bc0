//! Amazon Translate (`TranslateText`). Its language codes are the
//! protocol's (docs/PROTOCOL.md "Languages"), so codes pass through unchanged.
//!
//! Detection: Amazon Translate detects only as part of a translation
//! (`SourceLanguageCode=auto`, through Amazon Comprehend). So `detect`
//! translates into English, keeps that translation, and the fan-out's
//! later call for English is answered from it: `auto` costs no extra call
//! whenever someone in the room reads English, and one call otherwise.
//! `auto` needs Amazon Comprehend, which some regions do not offer; there
//! Amazon Translate refuses it. The first such refusal switches detection
//! off for the life of the engine: `detect` then answers `None` at once,
//! and the core uses the sender's declared language, as for any text it
//! cannot place — never an error to the user.
//!
//! Errors after the SDK's own retries map to docs/PROTOCOL.md's codes:
//! `UnsupportedLanguagePairException` → `unsupported_language_pair`;
//! throttling, 5xx, timeouts and network failures →
//! `translation_unavailable`; anything else → `translation_failed`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use aws_sdk_translate::Client;
use aws_sdk_translate::config::http::HttpResponse;
use aws_sdk_translate::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_translate::operation::translate_text::TranslateTextError;

use crate::aws::sdk::OnFirstUse;
use crate::limits::MAX_TEXT_BYTES;
use crate::model::{Lang, Translation};
use crate::ports::{Hints, Reach, TranslateError, Translator};
use crate::translate::pieces::Pieces;

/// The engine's name in `message` frames and records.
pub const ENGINE: &str = "amazon-translate";

/// `SourceLanguageCode` that asks Amazon Translate to detect.
const AUTO: &str = "auto";

/// What `detect` learnt: the text, its language, and its English.
struct Detected {
    text: String,
    lang: Lang,
    english: Translation,
}

/// The Amazon Translate engine.
pub struct AmazonTranslate {
    client: OnFirstUse<Client>,
    /// The last detection, so its English is not paid for twice.
    last: Mutex<Option<Detected>>,
    /// Set once Amazon Translate has said `auto` is not offered here.
    no_auto: AtomicBool,
}

impl AmazonTranslate {
    /// The engine on a client already built.
    pub fn new(client: Client) -> Self {
        Self::with(OnFirstUse::ready(client))
    }

    /// The engine with its client built on the first call: most Lambda
    /// invocations (`$connect`, `join`, `ping`, ...) translate nothing.
    pub fn on_first_use(sdk: &aws_config::SdkConfig) -> Self {
        Self::with(OnFirstUse::client(sdk, Client::new))
    }

    fn with(client: OnFirstUse<Client>) -> Self {
        Self {
            client,
            last: Mutex::new(None),
            no_auto: AtomicBool::new(false),
        }
    }

    /// One `TranslateText` call; `from` is a code or `auto`. Returns the
    /// translation and the source code Amazon reports.
    #[tracing::instrument(skip(self, text), fields(bytes = text.len()))]
    async fn call(
        &self,
        text: &str,
        from: &'static str,
        to: Lang,
    ) -> Result<(Translation, String), CallError> {
        if text.len() > MAX_TEXT_BYTES {
            // Checked here too: Amazon would charge nothing but still fail.
            return Err(CallError::Engine(TranslateError::Failed(format!(
                "text is {} bytes; Amazon Translate takes at most {MAX_TEXT_BYTES}",
                text.len()
            ))));
        }
        let out = self
            .client
            .get()
            .translate_text()
            .text(text)
            .source_language_code(from)
            .target_language_code(to.as_str())
            .send()
            .await
            .map_err(|e| {
                if from == AUTO && auto_refused(&e) {
                    let code = e.code().unwrap_or("unknown error").to_owned();
                    CallError::NoAuto(code)
                } else {
                    CallError::Engine(map_error(e, from, to.as_str()))
                }
            })?;
        let translation = Translation {
            text: out.translated_text,
            engine: ENGINE.into(),
            via: None,
        };
        Ok((translation, out.source_language_code))
    }

    fn remembered(&self, text: &str, from: Lang, to: Lang) -> Option<Translation> {
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        last.as_ref()
            .filter(|d| to == Lang::EN && d.lang == from && d.text == text)
            .map(|d| d.english.clone())
    }
}

#[async_trait]
impl Translator for AmazonTranslate {
    async fn translate(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
    ) -> Result<Translation, TranslateError> {
        if let Some(t) = self.remembered(text, from, to) {
            return Ok(t);
        }
        Ok(self.call(text, from.as_str(), to).await?.0)
    }

    /// A text naming a kept word is translated in pieces around it (and
    /// around URLs, code and the like), concurrently: Amazon Translate has
    /// no way to mark a word as not to be translated short of a custom
    /// terminology, which is per account, not per room.
    async fn translate_with(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
        hints: &Hints,
    ) -> Result<Translation, TranslateError> {
        if hints.keep_in(text).is_empty() {
            return self.translate(text, from, to).await;
        }
        let pieces = Pieces::new(text, hints);
        let answers = futures_util::future::try_join_all(
            pieces
                .to_send()
                .into_iter()
                .map(|p| self.translate(p, from, to)),
        )
        .await?;
        let answers: Vec<String> = answers.into_iter().map(|t| t.text).collect();
        let text = pieces
            .join(&answers)
            .ok_or_else(|| TranslateError::Failed("pieces lost".into()))?;
        Ok(Translation {
            text,
            engine: ENGINE.into(),
            via: None,
        })
    }

    /// Amazon Translate translates between all of its languages.
    fn reach(&self) -> Reach {
        Reach::All
    }

    async fn detect(&self, text: &str) -> Option<Lang> {
        if self.no_auto.load(Ordering::Relaxed) {
            return None;
        }
        match self.call(text, AUTO, Lang::EN).await {
            Ok((english, code)) => {
                let lang = Lang::parse(&code).ok()?;
                let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
                *last = Some(Detected {
                    text: text.to_owned(),
                    lang,
                    english,
                });
                Some(lang)
            }
            Err(CallError::NoAuto(detail)) => {
                tracing::warn!(%detail, "auto-detection is not offered in this region (no Amazon Comprehend); senders' languages are used from now on");
                self.no_auto.store(true, Ordering::Relaxed);
                None
            }
            Err(CallError::Engine(e)) => {
                tracing::info!(error = %e, "language not detected");
                None
            }
        }
    }
}

/// How one `TranslateText` call can fail.
enum CallError {
    Engine(TranslateError),
    /// `auto` is not offered here (the detail: the service's code).
    NoAuto(String),
}

impl From<CallError> for TranslateError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Engine(e) => e,
            CallError::NoAuto(detail) => Self::Failed(detail),
        }
    }
}

/// Whether Amazon Translate refused an `auto` call because it cannot
/// detect here: Amazon Comprehend absent from the region (an
/// `InvalidRequestException` about auto-detection), or not allowed to the
/// caller. Its message names auto-detection or Comprehend; a refusal of
/// the text itself (too long, low confidence) does not.
fn auto_refused(e: &SdkError<TranslateTextError, HttpResponse>) -> bool {
    let SdkError::ServiceError(ctx) = e else {
        return false;
    };
    use TranslateTextError as E;
    // The modeled exception's own message, else the response's.
    let message = match ctx.err() {
        E::DetectedLanguageLowConfidenceException(_) | E::TextSizeLimitExceededException(_) => {
            return false;
        }
        E::InvalidRequestException(e) => e.message(),
        E::UnsupportedLanguagePairException(e) => e.message(),
        _ => None,
    }
    .or_else(|| ProvideErrorMetadata::message(ctx.err()))
    .unwrap_or("")
    .to_ascii_lowercase();
    ["auto", "detect", "comprehend"]
        .iter()
        .any(|w| message.contains(w))
}

/// Error codes AWS uses for throttling, whatever the HTTP status (the
/// SDK's retry classifier knows the same list).
const THROTTLING: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "LimitExceededException",
];

/// An SDK error as a [`TranslateError`]. The detail names the service's
/// error code and HTTP status only: never the text, never the SDK's chain.
fn map_error(
    e: SdkError<TranslateTextError, HttpResponse>,
    from: &'static str,
    to: &'static str,
) -> TranslateError {
    use TranslateTextError as E;
    match &e {
        SdkError::ServiceError(ctx) => {
            let status = ctx.raw().status().as_u16();
            let code = ctx.err().code().unwrap_or("unknown error").to_owned();
            let detail = format!("{code} (HTTP {status})");
            match ctx.err() {
                E::UnsupportedLanguagePairException(_) => {
                    TranslateError::UnsupportedPair { from, to }
                }
                E::TooManyRequestsException(_)
                | E::ServiceUnavailableException(_)
                | E::InternalServerException(_) => TranslateError::Unavailable(detail),
                _ if status == 429 || status >= 500 || THROTTLING.contains(&code.as_str()) => {
                    TranslateError::Unavailable(detail)
                }
                _ => TranslateError::Failed(detail),
            }
        }
        SdkError::TimeoutError(_) => TranslateError::Unavailable("timed out".into()),
        SdkError::DispatchFailure(_) => {
            TranslateError::Unavailable("could not reach Amazon Translate".into())
        }
        SdkError::ResponseError(_) => {
            TranslateError::Unavailable("unreadable response from Amazon Translate".into())
        }
        _ => TranslateError::Failed("the request could not be built".into()),
    }
}

#[cfg(test)]
mod tests;
