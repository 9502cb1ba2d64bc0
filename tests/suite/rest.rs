//! The REST API, `POST /translate`: end to end against `honyaku serve` on
//! port 0 over raw HTTP (success, `auto`, every refusal, the history row),
//! and a real HTTP API (payload 2.0) event (`fixtures/apigw-http-translate.json`)
//! through `lambda::rest::handle`, the entry `honyaku-lambda` calls.

use std::net::SocketAddr;
use std::sync::Arc;

use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use aws_lambda_events::encodings::Body;
use honyaku::core::App;
use honyaku::lambda::rest::{TranslateResponse, handle, is_http_event};
use honyaku::model::Lang;
use honyaku::ports::Store;
use honyaku::store::{MemoryStore, RedbStore};
use honyaku::testing::{CountingTranslator, RecordingPush};
use serde_json::{Value, json};

use crate::helpers::{config, http_post, redb_config, spawn};

const HTTP_EVENT: &[u8] = include_bytes!("fixtures/apigw-http-translate.json");
const WS_EVENT: &[u8] = include_bytes!("fixtures/apigw-message.json");

/// A minimal HTTP/1.1 POST: (status, headers lowercased, body).
/// POSTs `body` as JSON; the status and the parsed JSON answer.
async fn post_json(addr: SocketAddr, body: &Value) -> (u16, Value) {
    let (status, head, body) = http_post(addr, "/translate", body.to_string().as_bytes()).await;
    assert!(head.contains("content-type: application/json"), "{head}");
    (status, serde_json::from_str(&body).expect("answer is JSON"))
}

/// Asserts a `{"code","message"}` refusal.
fn assert_refused(status: u16, answer: &Value, want_status: u16, want_code: &str) {
    assert_eq!(status, want_status, "{answer}");
    assert_eq!(answer["code"], want_code, "{answer}");
    assert!(
        answer["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{answer}"
    );
}

#[tokio::test]
async fn translates_and_answers_json() {
    let server = spawn(config()).await;
    let (status, answer) = post_json(
        server.addr,
        &json!({"text": "Hello", "sourceLang": "en", "targetLang": "es"}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let r: TranslateResponse = serde_json::from_value(answer).unwrap();
    assert_eq!(r.translated_text, "[es] Hello");
    assert_eq!(
        (r.source_lang.as_str(), r.target_lang.as_str()),
        ("en", "es")
    );
    assert_eq!(r.id.len(), 26, "a ULID: {}", r.id);

    // Same language: as written, no engine.
    let (status, answer) = post_json(
        server.addr,
        &json!({"text": " Hallo ", "sourceLang": "de", "targetLang": "de"}),
    )
    .await;
    assert_eq!((status, &answer["translatedText"]), (200, &json!("Hallo")));
    server.stop().await;
}

#[tokio::test]
async fn auto_that_cannot_be_detected_is_a_400() {
    // The pseudo engine detects nothing, and there is no sender's
    // language to fall back on.
    let server = spawn(config()).await;
    let (status, answer) = post_json(
        server.addr,
        &json!({"text": "Hello there", "sourceLang": "auto", "targetLang": "es"}),
    )
    .await;
    assert_refused(status, &answer, 400, "invalid_lang");
    assert!(
        answer["message"].as_str().unwrap().contains("sourceLang"),
        "{answer}"
    );
    server.stop().await;
}

#[tokio::test]
async fn bad_input_is_a_400_with_a_json_error() {
    let server = spawn(config()).await;
    let long = "a".repeat(10_001);
    let cases = [
        (
            json!({"sourceLang": "en", "targetLang": "es"}),
            "bad_request",
        ),
        (json!({"text": "Hi", "targetLang": "es"}), "bad_request"),
        (json!({"text": "Hi", "sourceLang": "en"}), "bad_request"),
        (
            json!({"text": 7, "sourceLang": "en", "targetLang": "es"}),
            "bad_request",
        ),
        (
            json!({"text": "Hi", "sourceLang": ["en"], "targetLang": "es"}),
            "bad_request",
        ),
        (
            json!({"text": "Hi", "sourceLang": "en", "targetLang": null}),
            "bad_request",
        ),
        (json!(["Hi", "en", "es"]), "bad_request"),
        (
            json!({"text": "   ", "sourceLang": "en", "targetLang": "es"}),
            "empty_text",
        ),
        (
            json!({"text": long, "sourceLang": "en", "targetLang": "es"}),
            "text_too_long",
        ),
        (
            json!({"text": "Hi", "sourceLang": "klingon", "targetLang": "es"}),
            "invalid_lang",
        ),
        (
            json!({"text": "Hi", "sourceLang": "en", "targetLang": "auto"}),
            "invalid_lang",
        ),
    ];
    for (body, code) in cases {
        let (status, answer) = post_json(server.addr, &body).await;
        assert_refused(status, &answer, 400, code);
    }

    // Not JSON at all.
    let (status, head, body) = http_post(server.addr, "/translate", b"{\"text\": ").await;
    assert!(head.contains("content-type: application/json"), "{head}");
    assert_refused(
        status,
        &serde_json::from_str(&body).unwrap(),
        400,
        "bad_request",
    );
    server.stop().await;
}

#[tokio::test]
async fn over_64_kb_is_a_413_and_other_methods_a_405() {
    let server = spawn(config()).await;
    let text = "a".repeat(64 * 1024);
    let body = json!({"text": text, "sourceLang": "en", "targetLang": "es"}).to_string();
    let (status, _, answer) = http_post(server.addr, "/translate", body.as_bytes()).await;
    assert_refused(
        status,
        &serde_json::from_str(&answer).unwrap(),
        413,
        "payload_too_large",
    );
    let (status, _, _) = crate::helpers::http_get(server.addr, "/translate").await;
    assert_eq!(status, 405);
    server.stop().await;
}

#[tokio::test]
async fn every_call_lands_in_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(redb_config(dir.path().to_owned())).await;
    let mut ids = Vec::new();
    for (text, target) in [("Good morning", "fr"), ("Good night", "ja")] {
        let (status, answer) = post_json(
            server.addr,
            &json!({"text": text, "sourceLang": "en", "targetLang": target}),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        ids.push(answer["id"].as_str().unwrap().to_owned());
    }
    // Refused calls leave nothing behind.
    post_json(
        server.addr,
        &json!({"text": "", "sourceLang": "en", "targetLang": "fr"}),
    )
    .await;
    server.stop().await;

    // The ULID carries the time, and so the day's partition.
    let ms = ulid::Ulid::from_string(&ids[1]).unwrap().timestamp_ms();
    let day = chrono::DateTime::from_timestamp_millis(ms as i64)
        .unwrap()
        .date_naive();
    let store = RedbStore::open(dir.path()).unwrap();
    let records = store.rest_translations(day, 10).await.unwrap();
    let got: Vec<(&str, &str, &str)> = records
        .iter()
        .map(|r| (r.id.as_str(), r.text.as_str(), r.translated_text.as_str()))
        .collect();
    // Newest first.
    assert_eq!(
        got,
        [
            (ids[1].as_str(), "Good night", "[ja] Good night"),
            (ids[0].as_str(), "Good morning", "[fr] Good morning"),
        ]
    );
    assert_eq!(records[0].engine.as_deref(), Some("pseudo"));
    assert_eq!(records[0].source_lang, Lang::EN);
}

// ---- the Lambda entry, with a real HTTP API event ----

fn app() -> (App, Arc<MemoryStore>) {
    let store = Arc::new(MemoryStore::in_memory());
    let app = App::new(
        store.clone(),
        Arc::new(CountingTranslator::default()),
        Arc::new(RecordingPush::default()),
    );
    (app, store)
}

fn event(patch: impl FnOnce(&mut Value)) -> ApiGatewayV2httpRequest {
    let mut v: Value = serde_json::from_slice(HTTP_EVENT).expect("fixture is JSON");
    patch(&mut v);
    serde_json::from_value(v).expect("fixture is an ApiGatewayV2httpRequest")
}

fn body_json(body: &Option<Body>) -> Value {
    match body {
        Some(Body::Text(t)) => serde_json::from_str(t).expect("body is JSON"),
        other => panic!("expected a text body, got {other:?}"),
    }
}

#[test]
fn the_function_tells_the_two_apis_apart() {
    let http: Value = serde_json::from_slice(HTTP_EVENT).unwrap();
    let ws: Value = serde_json::from_slice(WS_EVENT).unwrap();
    assert!(is_http_event(&http));
    assert!(!is_http_event(&ws));
    let e = event(|_| {});
    assert_eq!(e.route_key.as_deref(), Some("POST /translate"));
    assert_eq!(e.request_context.http.method, http::Method::POST);
}

#[tokio::test]
async fn the_fixture_through_the_lambda_entry() {
    let (app, store) = app();
    let r = handle(&app, event(|_| {})).await;
    assert_eq!(r.status_code, 200);
    assert_eq!(r.headers["content-type"], "application/json");
    let answer = body_json(&r.body);
    assert_eq!(answer["translatedText"], "[es] Hello");
    assert_eq!(
        (&answer["sourceLang"], &answer["targetLang"]),
        (&json!("en"), &json!("es"))
    );

    // What the Lambda runtime sends back to API Gateway.
    let wire = serde_json::to_value(&r).unwrap();
    assert_eq!(wire["statusCode"], 200);
    assert_eq!(wire["headers"]["content-type"], "application/json");
    assert_eq!(wire["isBase64Encoded"], false);

    let today = chrono::Utc::now().date_naive();
    let kept = store.rest_translations(today, 10).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].id, answer["id"].as_str().unwrap());
}

#[tokio::test]
async fn auto_base64_and_refusals_through_the_lambda_entry() {
    let (app, _) = app();
    // `auto`, detected, and the body base64-encoded as API Gateway may send it.
    use base64::Engine as _;
    let body = json!({"text": "今日は", "sourceLang": "auto", "targetLang": "en"}).to_string();
    let r = handle(
        &app,
        event(|v| {
            v["body"] = json!(base64::engine::general_purpose::STANDARD.encode(body));
            v["isBase64Encoded"] = json!(true);
        }),
    )
    .await;
    assert_eq!(r.status_code, 200);
    let answer = body_json(&r.body);
    assert_eq!(answer["sourceLang"], "ja");
    assert_eq!(answer["translatedText"], "[en] 今日は");

    let r = handle(&app, event(|v| v["body"] = json!("nope"))).await;
    assert_eq!(r.status_code, 400);
    assert_eq!(body_json(&r.body)["code"], "bad_request");
    assert_eq!(r.headers["content-type"], "application/json");

    let r = handle(
        &app,
        event(|v| v["body"] = json!("x".repeat(64 * 1024 + 1))),
    )
    .await;
    assert_eq!(r.status_code, 413);

    let r = handle(&app, event(|v| v["routeKey"] = json!("GET /translate"))).await;
    assert_eq!(r.status_code, 404);
    assert_eq!(body_json(&r.body)["code"], "not_found");
}
