//! A stand-in for the API Gateway Management API on 127.0.0.1, for the
//! real `honyaku-lambda` (`PUSH_ENDPOINT=http://ADDR/STAGE`): it records
//! every `PostToConnection` by connection, answers `DeleteConnection`,
//! and refuses as API Gateway does — 410 `GoneException` for connections
//! marked gone, 413 `PayloadTooLargeException` over 128 KB.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};

use super::http1::{read_request, respond};
use crate::limits::MAX_MESSAGE_BYTES;

#[derive(Default)]
struct State {
    frames: HashMap<String, Vec<Value>>,
    sizes: Vec<usize>,
    gone: HashSet<String>,
    deleted: Vec<String>,
}

/// The Management API stand-in; dropped, it stops accepting.
pub struct ManagementApi {
    addr: String,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ManagementApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ManagementApi {
    /// Listens on a free port of 127.0.0.1.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the Management API stand-in");
        let addr = listener.local_addr().expect("its address").to_string();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone()));
            }
        });
        Self { addr, state, task }
    }

    /// The endpoint for `stage`: what `PUSH_ENDPOINT` holds.
    pub fn endpoint(&self, stage: &str) -> String {
        format!("http://{}/{stage}", self.addr)
    }

    /// Posts to `id` fail from now on with 410 `GoneException`.
    pub fn gone(&self, id: &str) {
        self.lock().gone.insert(id.to_owned());
    }

    /// Every frame posted to `id` so far, removing them.
    pub fn take(&self, id: &str) -> Vec<Value> {
        self.lock().frames.remove(id).unwrap_or_default()
    }

    /// The frames of one `type` posted to `id`, leaving the rest.
    pub fn of_type(&self, id: &str, kind: &str) -> Vec<Value> {
        let state = self.lock();
        state
            .frames
            .get(id)
            .into_iter()
            .flatten()
            .filter(|f| f["type"] == kind)
            .cloned()
            .collect()
    }

    /// The size in bytes of every post, accepted or not.
    pub fn sizes(&self) -> Vec<usize> {
        self.lock().sizes.clone()
    }

    /// The connections `DeleteConnection` was called for.
    pub fn deleted(&self) -> Vec<String> {
        self.lock().deleted.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// API Gateway's error document, with the type the SDK reads.
async fn refuse(stream: &mut TcpStream, status: &str, kind: &str) -> bool {
    let body = format!(r#"{{"message":"{kind}"}}"#);
    let headers = [
        ("content-type", "application/json"),
        ("x-amzn-errortype", kind),
    ];
    respond(stream, status, &headers, body.as_bytes()).await
}

fn record(state: &Mutex<State>, f: impl FnOnce(&mut State)) {
    f(&mut state.lock().unwrap_or_else(|p| p.into_inner()));
}

async fn serve(mut stream: TcpStream, state: Arc<Mutex<State>>) {
    while let Some(req) = read_request(&mut stream).await {
        let (method, path) = req.line();
        let id = path
            .split_once("/@connections/")
            .map(|(_, id)| percent_decode(id));
        let Some(id) = id else {
            if !refuse(&mut stream, "404 Not Found", "NotFoundException").await {
                return;
            }
            continue;
        };
        let (gone, too_big) = {
            let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
            if method == "POST" {
                s.sizes.push(req.body.len());
            }
            (s.gone.contains(&id), req.body.len() > MAX_MESSAGE_BYTES)
        };
        let ok = match method {
            _ if gone => refuse(&mut stream, "410 Gone", "GoneException").await,
            "POST" if too_big => {
                refuse(
                    &mut stream,
                    "413 Payload Too Large",
                    "PayloadTooLargeException",
                )
                .await
            }
            "POST" => {
                let frame = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
                record(&state, |s| s.frames.entry(id).or_default().push(frame));
                respond(&mut stream, "200 OK", &[], b"").await
            }
            "DELETE" => {
                record(&state, |s| {
                    s.deleted.push(id.clone());
                    s.gone.insert(id);
                });
                respond(&mut stream, "204 No Content", &[], b"").await
            }
            _ => {
                let body = br#"{"connectedAt":"2026-01-01T00:00:00Z"}"#;
                respond(&mut stream, "200 OK", &[], body).await
            }
        };
        if !ok {
            return;
        }
    }
}

/// Connection ids end in `=`, which the SDK sends as `%3D`.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
