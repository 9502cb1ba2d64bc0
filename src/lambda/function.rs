//! The Lambda function: configuration read once from the environment at
//! init ([`LambdaConfig`]); the SDK configuration, the room-token secret
//! and the store on the first event, the other SDK clients on their first
//! use; then one [`super::handle`] per WebSocket event (with the
//! Management API endpoint taken from the event), [`super::rest::handle`]
//! per HTTP API event, or one fan-out worker run ([`worker::handle`]) per
//! SQS event, and one EMF metrics line per invocation. `honyaku-lambda`
//! only wires this to `lambda_runtime`.
//!
//! Why nothing is built at init: the time to the first poll of the Runtime
//! API is what a cold start adds before Lambda can even hand out the
//! event; the first event needs the SDK configuration and the store
//! anyway, so building them then costs it nothing more, and the init stays
//! as short as a hello-world function's (BENCHMARKS.md, "Lambda start").

use std::sync::Arc;

use aws_config::SdkConfig;
use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::sqs::SqsEvent;
use lambda_runtime::LambdaEvent;
use serde_json::Value;
use tokio::sync::OnceCell;

use super::engines::EngineSetupError;
pub use super::environment::{LambdaConfig, Limits, SecretSource};
use super::secret;
use super::worker;
use crate::aws::sdk::{self, OnFirstUse};
use crate::core::App;
use crate::metrics::emf::Emf;
use crate::metrics::{Counters, Metered};
use crate::ports::{Push, Queue, Store, Translator};
use crate::push::ApiGatewayPush;
use crate::queue::SqsQueue;
use crate::store::DynamoStore;

/// The function: its configuration, and what the first event builds.
pub struct Function {
    config: LambdaConfig,
    ready: OnceCell<Ready>,
}

/// The core on DynamoDB, Amazon Translate and the Management API, each
/// port counted for the metrics.
struct Ready {
    app: App,
    push: Arc<ApiGatewayPush>,
    counters: Arc<Counters>,
    emf: Emf,
}

impl Function {
    /// Nothing is built yet: see the module's docs.
    pub fn new(config: LambdaConfig) -> Self {
        Self {
            config,
            ready: OnceCell::new(),
        }
    }

    /// What every invocation shares, built by the first one (and by the
    /// next if that failed).
    async fn ready(&self) -> Result<&Ready, EngineSetupError> {
        // Boxed: its future (the SDK's) is deep, and nested in every
        // invocation's it would pass rustc's layout recursion limit.
        self.ready
            .get_or_try_init(|| Box::pin(Ready::build(&self.config)))
            .await
    }
}

impl Ready {
    /// Only the store's client is built here (nearly every event needs
    /// it); Amazon Translate's, the Management API's and SQS's are built
    /// on first use. Reads the room-token secret when one is configured;
    /// failing that, the invocation fails rather than run without the
    /// tokens it was told to require.
    async fn build(config: &LambdaConfig) -> Result<Self, EngineSetupError> {
        let sdk = sdk::load(config.region.clone()).await;
        let token_secret = match &config.token_secret {
            None => None,
            Some(SecretSource::Value(v)) => Some(v.clone()),
            Some(SecretSource::SsmParameter(name)) => Some(
                secret::from_ssm(&aws_sdk_ssm::Client::new(&sdk), name)
                    .await
                    .map_err(EngineSetupError::Secret)?,
            ),
        };
        let policy = config.policy(token_secret);
        let counters = Arc::new(Counters::with_budget(policy.chars_per_day));
        let store: Arc<dyn Store> = Arc::new(DynamoStore::new(
            aws_sdk_dynamodb::Client::new(&sdk),
            &config.table,
        ));
        // `TRANSLATORS` behind the router (Amazon Translate's client is
        // still built on first use).
        let translator: Arc<dyn Translator> = Arc::new(config.engines.router(&sdk).await?);
        let push = Arc::new(ApiGatewayPush::new(
            sdk.clone(),
            config.push_endpoint.clone(),
        ));
        let push_port: Arc<dyn Push> = push.clone();
        let mut app = App::new(
            Arc::new(Metered::store(store, counters.clone())),
            Arc::new(Metered::new(translator, counters.clone())),
            Arc::new(Metered::new(push_port, counters.clone())),
        )
        .with_policy(policy);
        if let Some(queue) = fanout_queue(config, &sdk, &push) {
            app = app.with_queue(queue);
        }
        Ok(Self {
            app,
            push,
            counters,
            emf: Emf {
                namespace: config.metrics_namespace.clone(),
                function: config.function_name.clone(),
            },
        })
    }
}

impl Function {
    /// One invocation: an SQS event (fan-out batches), an HTTP API event
    /// (`POST /translate`) or a WebSocket API event (the chat), told apart
    /// by their shape since one function serves all three. Every outcome
    /// of the APIs' events is an API Gateway response, and of the queue's
    /// a partial batch response; only an event of no known shape fails the
    /// invocation.
    pub async fn handle(&self, event: LambdaEvent<Value>) -> Result<Value, FunctionError> {
        let Ready {
            app,
            push,
            counters,
            emf,
        } = self.ready().await?;
        let payload = event.payload;
        let response = if worker::is_sqs_event(&payload) {
            let event: SqsEvent = serde_json::from_value(payload)?;
            // Every batch of one deployment comes from the same API.
            if let Some(endpoint) = event.records.iter().find_map(worker::endpoint_of) {
                push.use_endpoint(endpoint);
            }
            let response = worker::handle(event, |batch| app.deliver(batch)).await;
            serde_json::to_value(response)
        } else if super::rest::is_http_event(&payload) {
            let request: ApiGatewayV2httpRequest = serde_json::from_value(payload)?;
            serde_json::to_value(super::rest::handle(app, request).await)
        } else {
            let request: ApiGatewayWebsocketProxyRequest = serde_json::from_value(payload)?;
            push.use_event(&request.request_context);
            serde_json::to_value(super::handle(app, request).await)
        };
        emf.write(&counters.take());
        Ok(response?)
    }
}

/// The fan-out queue, when `FANOUT_QUEUE_URL` names one: SQS, its client
/// built on the first batch, each message naming the Management API
/// endpoint `push` uses, so the worker posts where the message came from.
/// What the core's queue port gets.
pub fn fanout_queue(
    config: &LambdaConfig,
    sdk: &SdkConfig,
    push: &Arc<ApiGatewayPush>,
) -> Option<Arc<dyn Queue>> {
    let url = config.fanout_queue_url.clone()?;
    let push = push.clone();
    let queue = SqsQueue::new(OnFirstUse::client(sdk, aws_sdk_sqs::Client::new), url)
        .with_endpoint(move || push.endpoint());
    Some(Arc::new(queue))
}

/// Why an invocation failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum FunctionError {
    /// A payload that is no event this function knows.
    #[error("not an SQS, API Gateway WebSocket or HTTP API (2.0) event: {0}")]
    Event(#[from] serde_json::Error),
    /// The room-token secret or the DeepL key could not be read, or an
    /// engine set up: nothing is served without them (the next invocation
    /// tries again).
    #[error(transparent)]
    Setup(#[from] EngineSetupError),
}

impl From<FunctionError> for lambda_runtime::Diagnostic {
    fn from(e: FunctionError) -> Self {
        let error_type = match e {
            FunctionError::Event(_) => "honyaku::EventError",
            FunctionError::Setup(EngineSetupError::Secret(_)) => "honyaku::SecretError",
            FunctionError::Setup(EngineSetupError::Engine(_)) => "honyaku::EngineError",
        };
        Self {
            error_type: error_type.into(),
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
