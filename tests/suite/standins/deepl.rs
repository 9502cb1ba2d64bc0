//! A DeepL API v2 stand-in: `POST /v2/translate` (JSON: `text` an array of
//! at most 50, `target_lang` one of the listed targets — variants such as
//! `EN-US`, never the retired plain `EN`/`PT` —, `source_lang`, `context`),
//! `GET /v2/languages?type=source|target`, the `DeepL-Auth-Key`
//! header, and its errors with `{"message": …}`: 400, 403 (wrong key), 429,
//! 456 (quota used up). A translation reads `[deepl:JA] text`. Texts and
//! contexts received are recorded; a forbidden word is answered 500 and
//! counted.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::{Served, json};

pub const KEY: &str = "test-key:fx";

#[derive(Default)]
pub struct Script {
    pub sources: Vec<&'static str>,
    pub targets: Vec<&'static str>,
    /// Characters left on the account; at 0 every call gets 456.
    pub quota: usize,
    pub forbidden: Vec<String>,
    pub received: Vec<String>,
    pub contexts: Vec<String>,
    pub calls: usize,
    pub violations: Vec<String>,
}

pub struct DeeplStandin {
    pub served: Served,
    pub script: Arc<Mutex<Script>>,
}

impl DeeplStandin {
    pub async fn start() -> Self {
        Self::start_with(Script {
            sources: vec!["EN", "JA", "DE", "ZH", "PT"],
            targets: vec![
                "EN-US", "EN-GB", "JA", "DE", "ZH-HANS", "ZH-HANT", "PT-BR", "PT-PT",
            ],
            quota: 500_000,
            ..Script::default()
        })
        .await
    }

    pub async fn start_with(script: Script) -> Self {
        let script = Arc::new(Mutex::new(script));
        let served = Served::start("127.0.0.1:0".parse().unwrap(), app(script.clone())).await;
        Self { served, script }
    }

    pub fn url(&self) -> String {
        self.served.url()
    }

    pub fn script(&self) -> std::sync::MutexGuard<'_, Script> {
        self.script.lock().unwrap()
    }
}

fn app(script: Arc<Mutex<Script>>) -> axum::Router {
    axum::Router::new()
        .route("/v2/languages", get(languages))
        .route("/v2/translate", post(translate))
        .with_state(script)
}

fn authorised(headers: &HeaderMap) -> Result<(), Box<Response>> {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if auth == format!("DeepL-Auth-Key {KEY}") {
        Ok(())
    } else {
        Err(Box::new(json(
            403,
            json!({"message": "Authorization failed"}),
        )))
    }
}

async fn languages(
    State(script): State<Arc<Mutex<Script>>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Err(e) = authorised(&headers) {
        return *e;
    }
    let script = script.lock().unwrap();
    let target = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .any(|kv| kv == "type=target");
    let codes = if target {
        &script.targets
    } else {
        &script.sources
    };
    json(
        200,
        json!(
            codes
                .iter()
                .map(|c| json!({"language": c, "name": c}))
                .collect::<Vec<_>>()
        ),
    )
}

async fn translate(
    State(script): State<Arc<Mutex<Script>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(e) = authorised(&headers) {
        return *e;
    }
    let mut script = script.lock().unwrap();
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return json(400, json!({"message": "Bad request"}));
    };
    let Some(texts) = req["text"].as_array() else {
        return json(400, json!({"message": "Parameter 'text' not specified."}));
    };
    if texts.is_empty() || texts.len() > 50 {
        return json(400, json!({"message": "Too many texts"}));
    }
    let target = req["target_lang"].as_str().unwrap_or_default();
    if !script.targets.contains(&target) {
        return json(
            400,
            json!({"message": "Value for 'target_lang' not supported."}),
        );
    }
    let source = req["source_lang"].as_str().unwrap_or_default();
    if !script.sources.contains(&source) {
        return json(
            400,
            json!({"message": "Value for 'source_lang' not supported."}),
        );
    }
    let texts: Vec<String> = texts
        .iter()
        .map(|t| t.as_str().unwrap_or_default().to_owned())
        .collect();
    let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
    if chars > script.quota {
        script.quota = 0;
        return json(456, json!({"message": "Quota exceeded"}));
    }
    script.quota -= chars;
    if let Some(context) = req["context"].as_str() {
        script.contexts.push(context.to_owned());
    }
    for text in &texts {
        for word in script.forbidden.clone() {
            if text.contains(&word) {
                script.violations.push(word);
            }
        }
        script.received.push(text.clone());
    }
    if !script.violations.is_empty() {
        return json(500, json!({"message": "received a forbidden word"}));
    }
    script.calls += 1;
    let out: Vec<Value> = texts
        .iter()
        .map(|t| json!({"detected_source_language": source, "text": format!("[deepl:{target}] {t}")}))
        .collect();
    json(200, json!({"translations": out}))
}
