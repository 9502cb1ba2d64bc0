//! The Lambda function: configuration read once from the environment,
//! SDK clients built once at init, then one [`lambda::handle`] per
//! WebSocket event (with the Management API endpoint taken from the event)
//! or [`lambda::rest::handle`] per HTTP API event, and one EMF
//! metrics line per invocation. `honyaku-lambda` only wires this to
//! `lambda_runtime`.

use std::sync::Arc;

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayWebsocketProxyRequest};
use lambda_runtime::LambdaEvent;
use serde_json::Value;

use super::sdk;
use crate::config::ConfigError;
use crate::core::{App, Policy, TokenSecret};
use crate::lambda;
use crate::metrics::emf::Emf;
use crate::metrics::{Counters, Metered};
use crate::ports::{Push, Store, Translator};
use crate::push::ApiGatewayPush;
use crate::store::DynamoStore;
use crate::translate::AmazonTranslate;

/// Everything the function reads from its environment, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaConfig {
    /// `TABLE_NAME`: the single table.
    pub table: String,
    /// `AWS_REGION` (set by Lambda); the SDK's default chain otherwise.
    pub region: Option<String>,
    /// `PUSH_ENDPOINT`: a fixed Management API endpoint (e.g. behind a
    /// custom domain); by default each event's `domainName/stage`.
    pub push_endpoint: Option<String>,
    /// `METRICS_NAMESPACE`, default `honyaku`.
    pub metrics_namespace: String,
    /// `AWS_LAMBDA_FUNCTION_NAME` (set by Lambda): the metrics' dimension.
    pub function_name: String,
    /// `ALLOWED_ORIGINS`: comma-separated `Origin`s accepted at `$connect`
    /// (`*`: any); any when unset, as the page is usually hosted on
    /// another origin than the API.
    pub allowed_origins: Vec<String>,
    /// `TOKEN_SECRET`: when set, `$connect` requires a room token.
    pub token_secret: Option<TokenSecret>,
    /// `RATE_LIMIT_PER_MINUTE`, `MAX_ROOM_MEMBERS`, `CHARS_PER_HOUR`: the
    /// policy's limits; its defaults when unset.
    pub limits: (Option<u32>, Option<usize>, Option<u32>),
}

impl LambdaConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(|k| std::env::var(k).ok())
    }

    /// From any source of variables; empty values count as unset.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |k: &str| var(k).filter(|v| !v.trim().is_empty());
        Ok(Self {
            table: var("TABLE_NAME").ok_or_else(|| {
                ConfigError("TABLE_NAME is not set: name the DynamoDB table".into())
            })?,
            region: var("AWS_REGION"),
            push_endpoint: var("PUSH_ENDPOINT"),
            metrics_namespace: var("METRICS_NAMESPACE").unwrap_or_else(|| "honyaku".into()),
            function_name: var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_else(|| "honyaku".into()),
            allowed_origins: var("ALLOWED_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|o| !o.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_else(|| vec!["*".into()]),
            token_secret: var("TOKEN_SECRET")
                .map(|s| TokenSecret::parse(&s))
                .transpose()
                .map_err(|e| ConfigError(format!("TOKEN_SECRET: {e}")))?,
            limits: (
                number(&var, "RATE_LIMIT_PER_MINUTE")?,
                number(&var, "MAX_ROOM_MEMBERS")?,
                number(&var, "CHARS_PER_HOUR")?,
            ),
        })
    }

    /// The routes' policy: the defaults with what the environment sets.
    pub fn policy(&self) -> Policy {
        let defaults = Policy::default();
        Policy {
            messages_per_minute: self.limits.0.unwrap_or(defaults.messages_per_minute),
            max_room_members: self.limits.1.unwrap_or(defaults.max_room_members),
            chars_per_hour: self.limits.2.unwrap_or(defaults.chars_per_hour),
            allowed_origins: self.allowed_origins.clone(),
            token_secret: self.token_secret.clone(),
            ..defaults
        }
    }
}

/// An optional numeric variable; a value that is not a number is an error.
fn number<T: std::str::FromStr>(
    var: &impl Fn(&str) -> Option<String>,
    key: &str,
) -> Result<Option<T>, ConfigError> {
    var(key)
        .map(|v| {
            v.trim()
                .parse()
                .map_err(|_| ConfigError(format!("{key} must be a number; got {v:?}")))
        })
        .transpose()
}

/// The initialised function: the core on DynamoDB, Amazon Translate and
/// the Management API, each port counted for the metrics.
#[derive(Clone)]
pub struct Function {
    app: App,
    push: Arc<ApiGatewayPush>,
    counters: Arc<Counters>,
    emf: Emf,
}

impl Function {
    /// Builds every SDK client once, for all the invocations to come.
    pub async fn init(config: &LambdaConfig) -> Self {
        let sdk = sdk::load(config.region.clone()).await;
        let counters = Arc::new(Counters::with_budget(config.policy().chars_per_day));
        let store: Arc<dyn Store> = Arc::new(DynamoStore::new(
            aws_sdk_dynamodb::Client::new(&sdk),
            &config.table,
        ));
        let translator: Arc<dyn Translator> =
            Arc::new(AmazonTranslate::new(aws_sdk_translate::Client::new(&sdk)));
        let push = Arc::new(ApiGatewayPush::new(sdk, config.push_endpoint.clone()));
        let push_port: Arc<dyn Push> = push.clone();
        let app = App::new(
            Arc::new(Metered::store(store, counters.clone())),
            Arc::new(Metered::new(translator, counters.clone())),
            Arc::new(Metered::new(push_port, counters.clone())),
        )
        .with_policy(config.policy());
        Self {
            app,
            push,
            counters,
            emf: Emf {
                namespace: config.metrics_namespace.clone(),
                function: config.function_name.clone(),
            },
        }
    }

    /// One invocation: a WebSocket API event (the chat) or an HTTP API
    /// event (`POST /translate`), told apart by their shape since one
    /// function serves both APIs. Every outcome of either is an API Gateway
    /// response; only an event of neither shape fails the invocation.
    pub async fn handle(&self, event: LambdaEvent<Value>) -> Result<Value, EventError> {
        let payload = event.payload;
        let response = if lambda::rest::is_http_event(&payload) {
            let request: ApiGatewayV2httpRequest = serde_json::from_value(payload)?;
            serde_json::to_value(lambda::rest::handle(&self.app, request).await)
        } else {
            let request: ApiGatewayWebsocketProxyRequest = serde_json::from_value(payload)?;
            self.push.use_event(&request.request_context);
            serde_json::to_value(lambda::handle(&self.app, request).await)
        };
        self.emf.write(&self.counters.take());
        Ok(response?)
    }
}

/// An invocation payload that is no API Gateway event this function knows.
#[derive(Debug, thiserror::Error)]
#[error("not an API Gateway WebSocket or HTTP API (2.0) event: {0}")]
pub struct EventError(#[from] serde_json::Error);

impl From<EventError> for lambda_runtime::Diagnostic {
    fn from(e: EventError) -> Self {
        Self {
            error_type: "honyaku::EventError".into(),
            error_message: e.to_string(),
        }
    }
}

/// JSON log lines on stdout, one object per event, with the span fields
/// (Lambda's `requestId`; the route, connection and API Gateway request id
/// from `lambda::handle`). The level comes from `AWS_LAMBDA_LOG_LEVEL` or
/// `RUST_LOG`, default `info`. Message bodies are never logged anywhere.
pub fn init_logging() {
    use lambda_runtime::tracing::subscriber::{EnvFilter, fmt};
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".into())
        .to_lowercase();
    fmt()
        .json()
        .with_current_span(true)
        .with_span_list(true)
        .with_target(false)
        .without_time()
        .with_env_filter(EnvFilter::try_new(&level).unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn config_from_variables() {
        let vars = HashMap::from([
            ("TABLE_NAME", "honyaku-Table"),
            ("AWS_REGION", "eu-west-1"),
            ("PUSH_ENDPOINT", ""),
            ("AWS_LAMBDA_FUNCTION_NAME", "honyaku-Chat"),
        ]);
        let config = LambdaConfig::from_vars(|k| vars.get(k).map(|v| v.to_string())).unwrap();
        assert_eq!(
            config,
            LambdaConfig {
                table: "honyaku-Table".into(),
                region: Some("eu-west-1".into()),
                push_endpoint: None,
                metrics_namespace: "honyaku".into(),
                function_name: "honyaku-Chat".into(),
                allowed_origins: vec!["*".into()],
                token_secret: None,
                limits: (None, None, None),
            }
        );
        let err = LambdaConfig::from_vars(|_| None).unwrap_err();
        assert!(err.to_string().contains("TABLE_NAME"), "{err}");
    }

    #[test]
    fn access_and_limits_from_variables() {
        let vars = HashMap::from([
            ("TABLE_NAME", "t"),
            ("ALLOWED_ORIGINS", "https://a.example, https://b.example"),
            ("TOKEN_SECRET", "s3cret-s3cret-s3cret"),
            ("RATE_LIMIT_PER_MINUTE", "30"),
        ]);
        let config = LambdaConfig::from_vars(|k| vars.get(k).map(|v| v.to_string())).unwrap();
        let policy = config.policy();
        assert_eq!(
            policy.allowed_origins,
            ["https://a.example", "https://b.example"]
        );
        assert_eq!(
            policy.token_secret,
            Some(TokenSecret::new("s3cret-s3cret-s3cret"))
        );
        assert_eq!(policy.messages_per_minute, 30);
        assert!(
            !format!("{config:?}").contains("s3cret"),
            "secrets stay out of Debug"
        );
        let weak = LambdaConfig::from_vars(|k| match k {
            "TABLE_NAME" => Some("t".into()),
            "TOKEN_SECRET" => Some("short".into()),
            _ => None,
        });
        assert!(weak.unwrap_err().to_string().contains("TOKEN_SECRET"));
        let bad = LambdaConfig::from_vars(|k| match k {
            "TABLE_NAME" => Some("t".into()),
            "CHARS_PER_HOUR" => Some("lots".into()),
            _ => None,
        });
        assert!(bad.unwrap_err().to_string().contains("CHARS_PER_HOUR"));
    }
}
