//! Amazon Translate (`TranslateText`). Its language codes are the
//! protocol's (PROTOCOL.md "Languages"), so codes pass through unchanged.
//!
//! Detection: Amazon Translate detects only as part of a translation
//! (`SourceLanguageCode=auto`, through Amazon Comprehend). So `detect`
//! translates into English, keeps that translation, and the fan-out's
//! later call for English is answered from it: `auto` costs no extra call
//! whenever someone in the room reads English, and one call otherwise.
//!
//! Errors after the SDK's own retries map to PROTOCOL.md's codes:
//! `UnsupportedLanguagePairException` → `unsupported_language_pair`;
//! throttling, 5xx, timeouts and network failures →
//! `translation_unavailable`; anything else → `translation_failed`.

use std::sync::Mutex;

use async_trait::async_trait;
use aws_sdk_translate::Client;
use aws_sdk_translate::config::http::HttpResponse;
use aws_sdk_translate::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_translate::operation::translate_text::TranslateTextError;

use crate::limits::MAX_TEXT_BYTES;
use crate::model::{Lang, Translation};
use crate::ports::{Reach, TranslateError, Translator};

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
    client: Client,
    /// The last detection, so its English is not paid for twice.
    last: Mutex<Option<Detected>>,
}

impl AmazonTranslate {
    pub fn new(client: Client) -> Self {
        Self {
            client,
            last: Mutex::new(None),
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
    ) -> Result<(Translation, String), TranslateError> {
        if text.len() > MAX_TEXT_BYTES {
            // Checked here too: Amazon would charge nothing but still fail.
            return Err(TranslateError::Failed(format!(
                "text is {} bytes; Amazon Translate takes at most {MAX_TEXT_BYTES}",
                text.len()
            )));
        }
        let out = self
            .client
            .translate_text()
            .text(text)
            .source_language_code(from)
            .target_language_code(to.as_str())
            .send()
            .await
            .map_err(|e| map_error(e, from, to.as_str()))?;
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

    /// Amazon Translate translates between all of its languages.
    fn reach(&self) -> Reach {
        Reach::All
    }

    async fn detect(&self, text: &str) -> Option<Lang> {
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
            Err(e) => {
                tracing::info!(error = %e, "language not detected");
                None
            }
        }
    }
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
