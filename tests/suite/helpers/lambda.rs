//! API Gateway WebSocket events made from the fixtures
//! (`tests/suite/fixtures/apigw-*.json`), for `lambda::handle` in-process
//! and for the real binary; and, with feature `aws`, [`LambdaBinary`]: the
//! real `honyaku-lambda` against the Runtime API and Management API
//! stand-ins (`honyaku::testing`), its table on DynamoDB Local.

use serde_json::{Value, json};

pub const CONNECT: &[u8] = include_bytes!("../fixtures/apigw-connect.json");
pub const MESSAGE: &[u8] = include_bytes!("../fixtures/apigw-message.json");
pub const DISCONNECT: &[u8] = include_bytes!("../fixtures/apigw-disconnect.json");

/// The fixtures' connection.
pub const AKI: &str = "CkTLtdGQoAMCE0g=";

/// A fixture as JSON with its times moved to now (stored rows expire 2 h
/// after `connectedAt`, and the fixtures were recorded long ago), then
/// `patch`ed.
pub fn event_json(bytes: &[u8], patch: impl FnOnce(&mut Value)) -> Value {
    let mut v: Value = serde_json::from_slice(bytes).expect("fixture is JSON");
    let now = chrono::Utc::now().timestamp_millis();
    v["requestContext"]["connectedAt"] = json!(now);
    v["requestContext"]["requestTimeEpoch"] = json!(now);
    patch(&mut v);
    v
}

/// [`event_json`] as the event type `lambda::handle` takes.
pub fn event(
    bytes: &[u8],
    patch: impl FnOnce(&mut Value),
) -> aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest {
    serde_json::from_value(event_json(bytes, patch))
        .expect("fixture is an ApiGatewayWebsocketProxyRequest")
}

/// The `$connect` fixture for connection `id` with this query string.
pub fn connect_json(id: &str, query: &[(&str, &str)]) -> Value {
    event_json(CONNECT, |v| {
        v["requestContext"]["connectionId"] = json!(id);
        let single: serde_json::Map<String, Value> =
            query.iter().map(|(k, q)| ((*k).into(), json!(q))).collect();
        let multi: serde_json::Map<String, Value> = query
            .iter()
            .map(|(k, q)| ((*k).into(), json!([q])))
            .collect();
        v["queryStringParameters"] = Value::Object(single);
        v["multiValueQueryStringParameters"] = Value::Object(multi);
    })
}

/// The MESSAGE fixture from connection `id` with `body` on `route`.
pub fn routed_json(id: &str, route: &str, body: &Value) -> Value {
    event_json(MESSAGE, |v| {
        v["requestContext"]["connectionId"] = json!(id);
        v["requestContext"]["routeKey"] = json!(route);
        v["requestContext"]["messageId"] = json!(ulid::Ulid::generate().to_string());
        v["body"] = json!(body.to_string());
    })
}

/// The DISCONNECT fixture for connection `id`.
pub fn disconnect_json(id: &str) -> Value {
    event_json(DISCONNECT, |v| {
        v["requestContext"]["connectionId"] = json!(id);
    })
}

#[cfg(feature = "aws")]
pub use binary::LambdaBinary;

#[cfg(feature = "aws")]
mod binary {
    use std::process::Stdio;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use honyaku::testing::lambda_runtime::{RuntimeApi, lambda_env};
    use honyaku::testing::management_api::ManagementApi;
    use serde_json::Value;
    use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

    use crate::dynamodb_local;

    /// How long one invocation may take (the first builds the SDK's
    /// clients and reads the engines).
    const INVOKE: Duration = Duration::from_secs(20);
    /// The stage the Management API stand-in serves.
    const STAGE: &str = "prod";

    /// The real `honyaku-lambda`, as Lambda runs it: polling a Runtime
    /// API stand-in, its table on DynamoDB Local, posting to a
    /// Management API stand-in, the pseudo engine (no cloud).
    pub struct LambdaBinary {
        pub api: RuntimeApi,
        pub push: ManagementApi,
        /// The table, for reading behind the function's back.
        pub table: dynamodb_local::Table,
        logs: Arc<Mutex<String>>,
        child: tokio::process::Child,
    }

    impl LambdaBinary {
        /// Starts it with `env` on top of Lambda's environment; `None`
        /// when DynamoDB Local is not there (a failure under `CI=true`).
        pub async fn start(test: &str, env: &[(&str, &str)]) -> Option<Self> {
            let table = dynamodb_local::fresh_table(test).await?;
            let api = RuntimeApi::start().await;
            let push = ManagementApi::start().await;
            let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_honyaku-lambda"))
                .env_clear()
                .envs(lambda_env(api.address(), &table.endpoint, &table.name))
                .env("TRANSLATORS", "pseudo")
                .env("PUSH_ENDPOINT", push.endpoint(STAGE))
                .env("RUST_LOG", "info")
                .envs(env.iter().copied())
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .expect("spawn honyaku-lambda");
            let logs = Arc::new(Mutex::new(String::new()));
            collect(child.stdout.take(), logs.clone());
            collect(child.stderr.take(), logs.clone());
            Some(Self {
                api,
                push,
                table,
                logs,
                child,
            })
        }

        /// One event in, the function's API Gateway response out.
        pub async fn invoke(&mut self, event: &Value) -> Value {
            match self.api.invoke(event, INVOKE).await {
                Ok(r) => r,
                Err(e) => panic!("{e}\nhonyaku-lambda's output:\n{}", self.logs()),
            }
        }

        /// The status code of the response to `event`.
        pub async fn status(&mut self, event: &Value) -> i64 {
            let r = self.invoke(event).await;
            r["statusCode"]
                .as_i64()
                .unwrap_or_else(|| panic!("no statusCode in {r}"))
        }

        /// Everything the binary wrote so far (JSON log lines).
        pub fn logs(&self) -> String {
            self.logs.lock().unwrap().clone()
        }

        /// Stops the process.
        pub async fn stop(mut self) {
            let _ = self.child.kill().await;
        }
    }

    fn collect(pipe: Option<impl AsyncRead + Unpin + Send + 'static>, into: Arc<Mutex<String>>) {
        let Some(pipe) = pipe else { return };
        tokio::spawn(async move {
            let mut lines = BufReader::new(pipe).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let mut all = into.lock().unwrap();
                all.push_str(&line);
                all.push('\n');
            }
        });
    }
}
