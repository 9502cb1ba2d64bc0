//! A LibreTranslate stand-in: `POST /translate` (`q` a string or an array,
//! `source` (`auto` allowed), `target`, `format`, `api_key`), `GET
//! /languages` (`targets` per source), `POST /detect`, and errors as
//! `{"error": …}` with 400, 403, 429 and 500, as LibreTranslate's API
//! documents them. A translation reads `[lt:ja] text`. Every text it is
//! sent is recorded; one holding a forbidden word (a name, a URL: what
//! honyaku must never send) is answered 500 and counted.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::{Served, json};

/// What the stand-in serves and how it behaves; shared with the test.
#[derive(Default)]
pub struct Script {
    /// `(code, targets)` as `GET /languages` lists them.
    pub languages: Vec<(&'static str, Vec<&'static str>)>,
    /// When set, requests must carry this `api_key`.
    pub api_key: Option<String>,
    /// Never to be received.
    pub forbidden: Vec<String>,
    /// The next this many `/translate` calls get 429.
    pub rate_limited: usize,
    /// The next this many `/translate` calls get 500.
    pub failing: usize,
    /// Every text received, in order.
    pub received: Vec<String>,
    /// `/translate` calls answered.
    pub calls: usize,
    /// Forbidden words that arrived.
    pub violations: Vec<String>,
}

/// A running stand-in and its script.
pub struct LibreStandin {
    pub served: Served,
    pub script: Arc<Mutex<Script>>,
}

/// Languages like a LibreTranslate started with `--load-only en,ja,es,zh,zt,pt,de`:
/// no Catalan (that comes from Apertium, through Spanish).
pub fn default_languages() -> Vec<(&'static str, Vec<&'static str>)> {
    let all = ["en", "ja", "es", "zh", "zt", "pt", "de"];
    all.iter()
        .map(|code| {
            let targets: Vec<&str> = all.iter().copied().filter(|t| t != code).collect();
            (*code, targets)
        })
        .collect()
}

impl LibreStandin {
    pub async fn start() -> Self {
        Self::start_with(Script {
            languages: default_languages(),
            ..Script::default()
        })
        .await
    }

    pub async fn start_with(script: Script) -> Self {
        let script = Arc::new(Mutex::new(script));
        let served = Served::start("127.0.0.1:0".parse().unwrap(), app(script.clone())).await;
        Self { served, script }
    }

    /// Starts again on `addr` with the same script (a restarted server).
    pub async fn restart(addr: SocketAddr, script: Arc<Mutex<Script>>) -> Self {
        let served = Served::start(addr, app(script.clone())).await;
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
        .route("/languages", get(languages))
        .route("/translate", post(translate))
        .route("/detect", post(detect))
        .with_state(script)
}

async fn languages(State(script): State<Arc<Mutex<Script>>>) -> Response {
    let script = script.lock().unwrap();
    let list: Vec<Value> = script
        .languages
        .iter()
        .map(|(code, targets)| json!({"code": code, "name": code, "targets": targets}))
        .collect();
    json(200, json!(list))
}

/// The body as JSON, the key checked; an error answer otherwise.
fn request(script: &Script, body: &Bytes) -> Result<Value, Box<Response>> {
    let Ok(req) = serde_json::from_slice::<Value>(body) else {
        return Err(Box::new(json(
            400,
            json!({"error": "Invalid request: body is not JSON"}),
        )));
    };
    if let Some(key) = &script.api_key
        && req["api_key"].as_str() != Some(key)
    {
        return Err(Box::new(json(403, json!({"error": "Invalid API key"}))));
    }
    Ok(req)
}

async fn translate(State(script): State<Arc<Mutex<Script>>>, body: Bytes) -> Response {
    let mut script = script.lock().unwrap();
    let req = match request(&script, &body) {
        Ok(r) => r,
        Err(answer) => return *answer,
    };
    if script.rate_limited > 0 {
        script.rate_limited -= 1;
        return json(429, json!({"error": "Too many request limits violations"}));
    }
    if script.failing > 0 {
        script.failing -= 1;
        return json(500, json!({"error": "Cannot translate text: model failed"}));
    }
    let (Some(source), Some(target)) = (req["source"].as_str(), req["target"].as_str()) else {
        return json(
            400,
            json!({"error": "Invalid request: missing source or target parameter"}),
        );
    };
    if req["format"] != "text" {
        return json(400, json!({"error": "honyaku must send format text"}));
    }
    let known = |code: &str| script.languages.iter().find(|(c, _)| *c == code);
    match known(source) {
        Some((_, targets)) if targets.contains(&target) => {}
        _ if source == "auto" && known(target).is_some() => {}
        _ => {
            return json(
                400,
                json!({"error": format!("{source} to {target} is not supported")}),
            );
        }
    }
    let (texts, single) = match &req["q"] {
        Value::String(s) => (vec![s.clone()], true),
        Value::Array(items) => (
            items
                .iter()
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect(),
            false,
        ),
        _ => {
            return json(
                400,
                json!({"error": "Invalid request: missing q parameter"}),
            );
        }
    };
    for text in &texts {
        for word in script.forbidden.clone() {
            if text.contains(&word) {
                script.violations.push(word);
            }
        }
        script.received.push(text.clone());
    }
    if !script.violations.is_empty() {
        return json(500, json!({"error": "received a forbidden word"}));
    }
    script.calls += 1;
    let out: Vec<String> = texts.iter().map(|t| format!("[lt:{target}] {t}")).collect();
    if single {
        json(200, json!({"translatedText": out[0]}))
    } else {
        json(200, json!({"translatedText": out}))
    }
}

async fn detect(State(script): State<Arc<Mutex<Script>>>, body: Bytes) -> Response {
    let script = script.lock().unwrap();
    let req = match request(&script, &body) {
        Ok(r) => r,
        Err(answer) => return *answer,
    };
    let text = req["q"].as_str().unwrap_or_default();
    let (language, confidence) = if text.chars().any(|c| ('\u{3040}'..='\u{30FF}').contains(&c)) {
        ("ja", 92.0)
    } else {
        ("en", 30.0)
    };
    json(
        200,
        json!([{"language": language, "confidence": confidence}]),
    )
}
