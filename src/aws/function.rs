//! The Lambda function: configuration read once from the environment,
//! SDK clients built once at init, then one [`lambda::handle`] per event
//! with the Management API endpoint taken from the event, and one EMF
//! metrics line per invocation. `honyaku-lambda` only wires this to
//! `lambda_runtime`.

use std::convert::Infallible;
use std::sync::Arc;

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use lambda_runtime::LambdaEvent;

use super::sdk;
use crate::config::ConfigError;
use crate::core::App;
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
        })
    }
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
        let counters = Arc::new(Counters::default());
        let store: Arc<dyn Store> = Arc::new(DynamoStore::new(
            aws_sdk_dynamodb::Client::new(&sdk),
            &config.table,
        ));
        let translator: Arc<dyn Translator> =
            Arc::new(AmazonTranslate::new(aws_sdk_translate::Client::new(&sdk)));
        let push = Arc::new(ApiGatewayPush::new(sdk, config.push_endpoint.clone()));
        let push_port: Arc<dyn Push> = push.clone();
        let app = App::new(
            Arc::new(Metered::new(store, counters.clone())),
            Arc::new(Metered::new(translator, counters.clone())),
            Arc::new(Metered::new(push_port, counters.clone())),
        );
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

    /// One invocation. Never fails: every outcome is an API Gateway
    /// response, and the client hears of errors through its frames.
    pub async fn handle(
        &self,
        event: LambdaEvent<ApiGatewayWebsocketProxyRequest>,
    ) -> Result<ApiGatewayProxyResponse, Infallible> {
        self.push.use_event(&event.payload.request_context);
        let response = lambda::handle(&self.app, event.payload).await;
        self.emf.write(&self.counters.take());
        Ok(response)
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
            }
        );
        let err = LambdaConfig::from_vars(|_| None).unwrap_err();
        assert!(err.to_string().contains("TABLE_NAME"), "{err}");
    }
}
