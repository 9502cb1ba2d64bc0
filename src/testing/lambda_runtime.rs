//! A stand-in for the Lambda Runtime API on 127.0.0.1, and the rest of
//! what a Lambda binary (`honyaku-lambda`, the bench's hello-world) needs
//! to run here: Lambda's environment ([`lambda_env`]) and a DynamoDB that
//! answers `{}` ([`dynamodb_stub`]). The end-to-end suite runs the real
//! binary against it; `benches/lambda_start.rs` times starts with it.
//!
//! [`RuntimeApi`] hands out the events it is given, one per poll of
//! `GET /2018-06-01/runtime/invocation/next` (a poll waits until there
//! is one, as on Lambda), and reports each poll and each posted
//! response or error, with the time it arrived.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, mpsc};

use super::http1::{read_request, respond};

const NEXT: &str = "/2018-06-01/runtime/invocation/next";
const INVOCATION: &str = "/2018-06-01/runtime/invocation/";

/// What the binary did, as the Runtime API saw it.
#[derive(Debug, Clone)]
pub enum Seen {
    /// A poll for the next event.
    Poll(Instant),
    /// The response to invocation `id`.
    Response {
        /// The invocation's request id.
        id: String,
        /// The function's result, as JSON (`Null` if it was not).
        body: Value,
        /// When it arrived.
        at: Instant,
    },
    /// An invocation failed (`/error`), or the init did (`id` empty).
    Error {
        /// The invocation's request id; empty for an init error.
        id: String,
        /// Lambda's error document.
        body: Value,
    },
}

/// The Runtime API stand-in; dropped, it stops accepting.
pub struct RuntimeApi {
    addr: String,
    events: mpsc::UnboundedSender<(String, String)>,
    seen: mpsc::UnboundedReceiver<Seen>,
    count: AtomicUsize,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RuntimeApi {
    /// Listens on a free port of 127.0.0.1.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the Runtime API stand-in");
        let addr = listener.local_addr().expect("its address").to_string();
        let (events, queue) = mpsc::unbounded_channel();
        let (report, seen) = mpsc::unbounded_channel();
        let queue = Arc::new(Mutex::new(queue));
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, queue.clone(), report.clone()));
            }
        });
        Self {
            addr,
            events,
            seen,
            count: AtomicUsize::new(0),
            task,
        }
    }

    /// `host:port`, what `AWS_LAMBDA_RUNTIME_API` holds.
    pub fn address(&self) -> &str {
        &self.addr
    }

    /// Queues `event` for the next poll; its request id.
    pub fn give(&self, event: &Value) -> String {
        let id = format!("req-{}", self.count.fetch_add(1, Ordering::SeqCst) + 1);
        let _ = self.events.send((id.clone(), event.to_string()));
        id
    }

    /// The next thing the binary did; `None` after `wait` without one.
    pub async fn seen(&mut self, wait: Duration) -> Option<Seen> {
        tokio::time::timeout(wait, self.seen.recv())
            .await
            .ok()
            .flatten()
    }

    /// Hands out `event` and waits up to `wait` for its result: the
    /// function's response, or what went wrong, as a sentence.
    pub async fn invoke(&mut self, event: &Value, wait: Duration) -> Result<Value, String> {
        let id = self.give(event);
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.seen(left).await {
                Some(Seen::Response { id: got, body, .. }) if got == id => return Ok(body),
                Some(Seen::Error { id: got, body }) if got == id || got.is_empty() => {
                    return Err(format!("invocation {id} failed: {body}"));
                }
                Some(_) => {}
                None => return Err(format!("no response to {id} within {wait:?}")),
            }
        }
    }
}

/// One connection of the binary's: polls, responses, errors, in turn.
async fn serve(
    mut stream: TcpStream,
    queue: Arc<Mutex<mpsc::UnboundedReceiver<(String, String)>>>,
    report: mpsc::UnboundedSender<Seen>,
) {
    while let Some(req) = read_request(&mut stream).await {
        let (method, path) = req.line();
        let body = || serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        if method == "GET" && path == NEXT {
            let _ = report.send(Seen::Poll(Instant::now()));
            // Waits for an event as Lambda does (for ever, if none comes).
            let Some((id, event)) = queue.lock().await.recv().await else {
                return;
            };
            let headers = [
                ("content-type", "application/json"),
                ("lambda-runtime-aws-request-id", id.as_str()),
                ("lambda-runtime-deadline-ms", "4102444800000"),
                (
                    "lambda-runtime-invoked-function-arn",
                    "arn:aws:lambda:us-east-1:123456789012:function:honyaku",
                ),
                (
                    "lambda-runtime-trace-id",
                    "Root=1-00000000-000000000000000000000000",
                ),
            ];
            if !respond(&mut stream, "200 OK", &headers, event.as_bytes()).await {
                return;
            }
            continue;
        }
        let seen = match path
            .strip_prefix(INVOCATION)
            .and_then(|p| p.split_once('/'))
        {
            Some((id, "response")) => Seen::Response {
                id: id.to_owned(),
                body: body(),
                at: Instant::now(),
            },
            Some((id, _)) => Seen::Error {
                id: id.to_owned(),
                body: body(),
            },
            None => Seen::Error {
                id: String::new(),
                body: body(),
            },
        };
        let _ = report.send(seen);
        if !respond(&mut stream, "202 Accepted", &[], b"").await {
            return;
        }
    }
}

/// What Lambda sets for a function, plus what `honyaku-lambda` reads to
/// find its table: the Runtime API at `api`, DynamoDB at `dynamodb`
/// (`AWS_ENDPOINT_URL_DYNAMODB`), table `table`. Credentials are dummies
/// (DynamoDB Local and the stand-ins take any); nothing from the user's
/// AWS configuration is read.
pub fn lambda_env(api: &str, dynamodb: &str, table: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_LAMBDA_RUNTIME_API", api.to_owned()),
        ("AWS_LAMBDA_FUNCTION_NAME", "honyaku-test".into()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".into()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/honyaku".into()),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "test".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_DEFAULT_REGION", "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID", "AKIDTESTONLY".into()),
        ("AWS_SECRET_ACCESS_KEY", "test-only-not-a-secret".into()),
        ("AWS_SESSION_TOKEN", "test-only".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_CONFIG_FILE", "/nonexistent/aws-config".into()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-creds".into(),
        ),
        ("AWS_ENDPOINT_URL_DYNAMODB", dynamodb.to_owned()),
        ("TABLE_NAME", table.to_owned()),
        ("_HANDLER", "bootstrap".into()),
        ("TZ", ":UTC".into()),
    ]
}

/// A DynamoDB that answers `{}` to everything, counting the connections
/// it is opened: its URL and the count.
pub async fn dynamodb_stub() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the DynamoDB stub");
    let url = format!("http://{}", listener.local_addr().expect("its address"));
    let connections = Arc::new(AtomicUsize::new(0));
    let count = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let json = [("content-type", "application/x-amz-json-1.0")];
                while read_request(&mut stream).await.is_some() {
                    if !respond(&mut stream, "200 OK", &json, b"{}").await {
                        break;
                    }
                }
            });
        }
    });
    (url, connections)
}
