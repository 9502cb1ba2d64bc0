//! The Lambda function: configuration read once from the environment
//! ([`LambdaConfig`]), the SDK configuration and the room-token secret at
//! init, SDK clients on first use; then one [`lambda::handle`] per
//! WebSocket event (with the Management API endpoint taken from the
//! event), [`lambda::rest::handle`] per HTTP API event, or one fan-out
//! worker run ([`worker::handle`]) per SQS event, and one EMF metrics line
//! per invocation. `honyaku-lambda` only wires this to `lambda_runtime`.

use std::sync::Arc;

use aws_config::SdkConfig;
use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::sqs::SqsEvent;
use lambda_runtime::LambdaEvent;
use serde_json::Value;

pub use super::config::{LambdaConfig, Limits, SecretSource};
use super::sdk::{self, OnFirstUse};
use super::secret::{self, SecretError};
use super::worker;
use crate::core::App;
use crate::lambda;
use crate::metrics::emf::Emf;
use crate::metrics::{Counters, Metered};
use crate::ports::{FanoutBatch, Push, Queue, Store, Translator};
use crate::push::ApiGatewayPush;
use crate::queue::SqsQueue;
use crate::store::DynamoStore;
use crate::translate::AmazonTranslate;

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
    /// Everything the invocations share. Only the store's client is built
    /// here (nearly every event needs it); Amazon Translate's, the
    /// Management API's and SQS's are built on first use. Reads the
    /// room-token secret when one is configured; failing that, init fails
    /// rather than run without the tokens it was told to require.
    pub async fn init(config: &LambdaConfig) -> Result<Self, SecretError> {
        let sdk = sdk::load(config.region.clone()).await;
        let token_secret = match &config.token_secret {
            None => None,
            Some(SecretSource::Value(v)) => Some(v.clone()),
            Some(SecretSource::SsmParameter(name)) => {
                Some(secret::from_ssm(&aws_sdk_ssm::Client::new(&sdk), name).await?)
            }
        };
        let counters = Arc::new(Counters::default());
        let store: Arc<dyn Store> = Arc::new(DynamoStore::new(
            aws_sdk_dynamodb::Client::new(&sdk),
            &config.table,
        ));
        let translator: Arc<dyn Translator> = Arc::new(AmazonTranslate::on_first_use(&sdk));
        let push = Arc::new(ApiGatewayPush::new(
            sdk.clone(),
            config.push_endpoint.clone(),
        ));
        let push_port: Arc<dyn Push> = push.clone();
        let app = App::new(
            Arc::new(Metered::new(store, counters.clone())),
            Arc::new(Metered::new(translator, counters.clone())),
            Arc::new(Metered::new(push_port, counters.clone())),
        )
        .with_policy(config.policy(token_secret));
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

    /// One invocation: an SQS event (fan-out batches), an HTTP API event
    /// (`POST /translate`) or a WebSocket API event (the chat), told apart
    /// by their shape since one function serves all three. Every outcome
    /// of the APIs' events is an API Gateway response, and of the queue's
    /// a partial batch response; only an event of no known shape fails the
    /// invocation.
    pub async fn handle(&self, event: LambdaEvent<Value>) -> Result<Value, EventError> {
        let payload = event.payload;
        let response = if worker::is_sqs_event(&payload) {
            let event: SqsEvent = serde_json::from_value(payload)?;
            // Every batch of one deployment comes from the same API.
            if let Some(endpoint) = event.records.iter().find_map(worker::endpoint_of) {
                self.push.use_endpoint(endpoint);
            }
            let response = worker::handle(event, |batch| self.app.deliver(batch)).await;
            serde_json::to_value(response)
        } else if lambda::rest::is_http_event(&payload) {
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

/// Stands in for the core's `App::deliver(&self, FanoutBatch) ->
/// Result<(), DeliverError>` until the core has it: the inherent method
/// takes precedence over this trait's, which then goes. Meanwhile every
/// queued batch counts as undelivered (SQS retries it, then the DLQ).
trait CoreDeliver {
    async fn deliver(&self, batch: FanoutBatch) -> Result<(), Undelivered>;
}

impl CoreDeliver for App {
    async fn deliver(&self, batch: FanoutBatch) -> Result<(), Undelivered> {
        Err(Undelivered(batch.to.len()))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("this build's core has no fan-out delivery: {0} recipients undelivered")]
struct Undelivered(usize);

/// An invocation payload that is no event this function knows.
#[derive(Debug, thiserror::Error)]
#[error("not an SQS, API Gateway WebSocket or HTTP API (2.0) event: {0}")]
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
