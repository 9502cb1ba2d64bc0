//! The request/response mapping against the SDK's own mocks
//! (`aws-smithy-mocks`): what is sent, what comes back, and every error.

use aws_sdk_translate::config::http::HttpResponse;
use aws_sdk_translate::config::retry::RetryConfig;
use aws_sdk_translate::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_translate::operation::translate_text::{TranslateTextError, TranslateTextOutput};
use aws_sdk_translate::types::error::{
    DetectedLanguageLowConfidenceException, InternalServerException, InvalidRequestException,
    ServiceUnavailableException, TextSizeLimitExceededException, TooManyRequestsException,
    UnsupportedLanguagePairException,
};
use aws_sdk_translate::{Client, Config};
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};

use aws_smithy_types::body::SdkBody;

use super::*;

/// The SDK's standard retries. The tests run on paused time, so its
/// backoff passes without waiting.
const ATTEMPTS: u32 = 3;

fn engine(rules: &[&Rule]) -> AmazonTranslate {
    let mut mocks = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for rule in rules {
        mocks = mocks.with_rule(rule);
    }
    let conf = Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .http_client(create_mock_http_client())
        .interceptor(mocks)
        .retry_config(RetryConfig::standard().with_max_attempts(ATTEMPTS))
        .build();
    AmazonTranslate::new(Client::from_conf(conf))
}

fn lang(code: &str) -> Lang {
    Lang::parse(code).unwrap()
}

fn output(text: &str, from: &str, to: &str) -> TranslateTextOutput {
    TranslateTextOutput::builder()
        .translated_text(text)
        .source_language_code(from)
        .target_language_code(to)
        .build()
        .unwrap()
}

async fn translate_with(
    error: impl Fn() -> TranslateTextError + Send + Sync + 'static,
) -> TranslateError {
    let rule = mock!(Client::translate_text).then_error(error);
    let err = engine(&[&rule])
        .translate("Hello", Lang::EN, lang("ja"))
        .await
        .unwrap_err();
    assert!(rule.num_calls() >= 1);
    err
}

#[tokio::test(start_paused = true)]
async fn sends_the_codes_and_returns_the_translation() {
    let rule = mock!(Client::translate_text)
        .match_requests(|r| {
            r.text() == Some("こんにちは")
                && r.source_language_code() == Some("ja")
                && r.target_language_code() == Some("zh-TW")
        })
        .then_output(|| output("你好", "ja", "zh-TW"));
    let t = engine(&[&rule])
        .translate("こんにちは", lang("ja"), lang("zh-TW"))
        .await
        .unwrap();
    assert_eq!(
        t,
        Translation {
            text: "你好".into(),
            engine: "amazon-translate".into(),
            via: None,
        }
    );
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn unsupported_pair() {
    let err = translate_with(|| {
        TranslateTextError::UnsupportedLanguagePairException(
            UnsupportedLanguagePairException::builder()
                .message("no")
                .build(),
        )
    })
    .await;
    assert_eq!(err, TranslateError::unsupported(Lang::EN, lang("ja")));
    assert_eq!(err.code(), Some("unsupported_language_pair"));
}

#[tokio::test(start_paused = true)]
async fn throttling_and_server_errors_are_unavailable() {
    let throttled = translate_with(|| {
        TranslateTextError::TooManyRequestsException(TooManyRequestsException::builder().build())
    })
    .await;
    let down = translate_with(|| {
        TranslateTextError::ServiceUnavailableException(
            ServiceUnavailableException::builder().build(),
        )
    })
    .await;
    let internal = translate_with(|| {
        TranslateTextError::InternalServerException(InternalServerException::builder().build())
    })
    .await;
    for err in [throttled, down, internal] {
        assert!(matches!(err, TranslateError::Unavailable(_)), "{err:?}");
        assert_eq!(err.code(), Some("translation_unavailable"));
    }
}

#[tokio::test(start_paused = true)]
async fn other_service_errors_fail() {
    let invalid = translate_with(|| {
        TranslateTextError::InvalidRequestException(InvalidRequestException::builder().build())
    })
    .await;
    let too_big = translate_with(|| {
        TranslateTextError::TextSizeLimitExceededException(
            TextSizeLimitExceededException::builder().build(),
        )
    })
    .await;
    for err in [invalid, too_big] {
        assert!(matches!(err, TranslateError::Failed(_)), "{err:?}");
        assert_eq!(err.code(), Some("translation_failed"));
    }
}

#[tokio::test(start_paused = true)]
async fn a_5xx_is_retried_then_unavailable() {
    let rule = mock!(Client::translate_text)
        .sequence()
        .http_status(503, None)
        .times(ATTEMPTS as usize)
        .build();
    let err = engine(&[&rule])
        .translate("Hello", Lang::EN, lang("es"))
        .await
        .unwrap_err();
    assert!(matches!(err, TranslateError::Unavailable(_)), "{err:?}");
    assert_eq!(rule.num_calls(), ATTEMPTS as usize, "the SDK retried");
}

#[tokio::test(start_paused = true)]
async fn a_5xx_then_success_is_a_translation() {
    let rule = mock!(Client::translate_text)
        .sequence()
        .http_status(500, None)
        .output(|| output("Hola", "en", "es"))
        .build();
    let t = engine(&[&rule])
        .translate("Hello", Lang::EN, lang("es"))
        .await
        .unwrap();
    assert_eq!(t.text, "Hola");
    assert_eq!(rule.num_calls(), 2);
}

/// An error body as Amazon Translate sends it: RPC v2 CBOR, a map of
/// text to text (`__type`, `message`).
fn cbor_error(code: &str) -> Vec<u8> {
    fn text(out: &mut Vec<u8>, s: &str) {
        // Major type 3; these strings are all under 256 bytes.
        match s.len() {
            n @ 0..=23 => out.push(0x60 | n as u8),
            n => out.extend([0x78, n as u8]),
        }
        out.extend(s.as_bytes());
    }
    let mut out = vec![0xa2];
    for (k, v) in [("__type", code), ("message", "x")] {
        text(&mut out, k);
        text(&mut out, v);
    }
    out
}

#[tokio::test(start_paused = true)]
async fn errors_over_the_wire_are_read_like_modeled_ones() {
    let wire = |status: u16, body: Vec<u8>| {
        mock!(Client::translate_text)
            .sequence()
            .http_response(move || {
                HttpResponse::new(status.try_into().unwrap(), SdkBody::from(body.clone()))
            })
            .times(ATTEMPTS as usize)
            .build()
    };
    let cases = [
        (
            wire(400, cbor_error("UnsupportedLanguagePairException")),
            "unsupported_language_pair",
            1,
        ),
        (
            wire(400, cbor_error("InvalidRequestException")),
            "translation_failed",
            1,
        ),
        // Throttling is retried, then given up on, whatever the status.
        (
            wire(400, cbor_error("ThrottlingException")),
            "translation_unavailable",
            ATTEMPTS as usize,
        ),
        (
            wire(429, cbor_error("TooManyRequestsException")),
            "translation_unavailable",
            ATTEMPTS as usize,
        ),
        (
            wire(500, cbor_error("InternalServerException")),
            "translation_unavailable",
            ATTEMPTS as usize,
        ),
        // A body that is not the engine's answer (a proxy's page).
        (wire(400, b"<html>".to_vec()), "translation_unavailable", 1),
    ];
    for (rule, code, calls) in cases {
        let err = engine(&[&rule])
            .translate("Hello", Lang::EN, lang("es"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(code), "{err:?}");
        assert_eq!(rule.num_calls(), calls, "{err:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn errors_never_carry_the_text() {
    let rule = mock!(Client::translate_text).then_error(|| {
        TranslateTextError::InvalidRequestException(
            InvalidRequestException::builder()
                .message("secret words")
                .build(),
        )
    });
    let err = engine(&[&rule])
        .translate("secret words", Lang::EN, lang("es"))
        .await
        .unwrap_err();
    assert!(!err.to_string().contains("secret"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn too_long_is_refused_before_any_call() {
    let rule = mock!(Client::translate_text).then_output(|| output("x", "en", "es"));
    let translator = engine(&[&rule]);
    let err = translator
        .translate(&"a".repeat(MAX_TEXT_BYTES + 1), Lang::EN, lang("es"))
        .await
        .unwrap_err();
    assert!(matches!(err, TranslateError::Failed(_)), "{err:?}");
    assert_eq!(rule.num_calls(), 0);
    // Exactly at the limit is sent.
    translator
        .translate(&"a".repeat(MAX_TEXT_BYTES), Lang::EN, lang("es"))
        .await
        .unwrap();
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn detect_sends_auto_and_reuses_its_english() {
    let rule = mock!(Client::translate_text)
        .match_requests(|r| r.source_language_code() == Some("auto"))
        .then_output(|| output("Good morning", "ja", "en"));
    let translator = engine(&[&rule]);
    assert_eq!(translator.detect("おはよう").await, Some(lang("ja")));
    assert_eq!(rule.num_calls(), 1);
    // The fan-out's English is the one detection paid for.
    let en = translator
        .translate("おはよう", lang("ja"), Lang::EN)
        .await
        .unwrap();
    assert_eq!(en.text, "Good morning");
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn detect_gives_up_quietly() {
    let rule = mock!(Client::translate_text).then_error(|| {
        TranslateTextError::DetectedLanguageLowConfidenceException(
            DetectedLanguageLowConfidenceException::builder().build(),
        )
    });
    assert_eq!(engine(&[&rule]).detect("hmm").await, None);
    // A code outside the protocol's list is no detection either.
    let rule = mock!(Client::translate_text).then_output(|| output("x", "la", "en"));
    assert_eq!(engine(&[&rule]).detect("lorem").await, None);
}

/// What Amazon Translate answers `auto` where Amazon Comprehend is not
/// offered.
fn no_comprehend() -> TranslateTextError {
    TranslateTextError::InvalidRequestException(
        InvalidRequestException::builder()
            .message("Auto detection of source language is not supported in this region")
            .build(),
    )
}

#[tokio::test(start_paused = true)]
async fn auto_where_comprehend_is_not_offered_is_dropped_quietly() {
    let auto = mock!(Client::translate_text)
        .match_requests(|r| r.source_language_code() == Some("auto"))
        .then_error(no_comprehend);
    let coded = mock!(Client::translate_text)
        .match_requests(|r| r.source_language_code() == Some("ja"))
        .then_output(|| output("Good morning", "ja", "en"));
    let translator = engine(&[&auto, &coded]);
    assert_eq!(translator.detect("おはよう").await, None);
    assert_eq!(auto.num_calls(), 1);
    // Not asked again: the region will not learn Comprehend meanwhile.
    assert_eq!(translator.detect("おはよう").await, None);
    assert_eq!(auto.num_calls(), 1);
    // Translating from a named language is unaffected.
    let en = translator
        .translate("おはよう", lang("ja"), Lang::EN)
        .await
        .unwrap();
    assert_eq!(en.text, "Good morning");
    // Other refusals of `auto` (about the text) do not switch it off.
    let other = mock!(Client::translate_text).then_error(|| {
        TranslateTextError::InvalidRequestException(
            InvalidRequestException::builder()
                .message("Text is malformed")
                .build(),
        )
    });
    let translator = engine(&[&other]);
    assert_eq!(translator.detect("x").await, None);
    assert_eq!(translator.detect("x").await, None);
    assert_eq!(other.num_calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_chat_message_sent_as_auto_falls_back_to_the_senders_language() {
    use std::sync::Arc;

    use crate::core::{App, ConnectParams};
    use crate::model::ConnectionId;

    let auto = mock!(Client::translate_text)
        .match_requests(|r| r.source_language_code() == Some("auto"))
        .then_error(no_comprehend);
    let from_ja = mock!(Client::translate_text)
        .match_requests(|r| r.source_language_code() == Some("ja"))
        .then_output(|| output("Good morning", "ja", "en"));
    let frames = Arc::new(crate::testing::RecordingPush::default());
    let app = App::new(
        Arc::new(crate::store::MemoryStore::in_memory()),
        Arc::new(engine(&[&auto, &from_ja])),
        frames.clone(),
    );
    for (id, lang) in [("ja-sender", "ja"), ("en-reader", "en")] {
        let params = ConnectParams {
            room: Some("lobby".into()),
            lang: Some(lang.into()),
            name: Some(id.into()),
            ..ConnectParams::default()
        };
        app.connect(
            ConnectionId::new(id),
            params,
            chrono::Utc::now().timestamp_millis(),
        )
        .await
        .unwrap();
    }
    frames.take("ja-sender");
    frames.take("en-reader");
    for _ in 0..2 {
        app.message(
            &ConnectionId::new("ja-sender"),
            r#"{"action":"translate","text":"おはよう","sourceLang":"auto"}"#,
        )
        .await;
    }
    let (mine, read) = (frames.take("ja-sender"), frames.take("en-reader"));
    let errors: Vec<_> = mine
        .iter()
        .chain(&read)
        .filter(|f| f["type"] == "error" || f.get("error").is_some_and(|e| !e.is_null()))
        .collect();
    assert!(errors.is_empty(), "no error reaches anyone: {errors:?}");
    let read: Vec<_> = read.iter().filter(|f| f["type"] == "message").collect();
    assert_eq!(read.len(), 2, "{read:?}");
    for f in read {
        assert_eq!(f["sourceLang"], "ja", "the sender's language: {f}");
        assert_eq!(f["text"], "Good morning", "{f}");
        assert_eq!(f["translated"], true, "{f}");
    }
    // One `auto` call in all: the second message did not try again.
    assert_eq!(auto.num_calls(), 1);
}
