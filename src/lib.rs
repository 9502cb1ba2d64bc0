//! honyaku (翻訳): a realtime translation chat. People join a room, each in
//! their own language, and read everyone else's messages in theirs.
//!
//! The same route handlers run on AWS (API Gateway WebSocket API → Lambda →
//! DynamoDB, Amazon Translate) and locally (`honyaku serve`: a gateway that
//! speaks API Gateway's protocol, an embedded store, a local engine).
//!
//! # Layout
//!
//! Every arrow points down; the core sees only the four ports.
//!
//! - [`local`]: `honyaku serve` — the local API Gateway (WebSocket ⇄ events,
//!   the `@connections` management API, the page) (feature `local`).
//! - [`lambda`]: `ApiGatewayWebsocketProxyRequest` → core →
//!   `ApiGatewayProxyResponse`, the one entry both gateways call; and
//!   `lambda::rest`, the same for the REST API's HTTP API events
//!   (`POST /translate`).
//! - [`core`]: the route handlers, the fan-out plan, history paging.
//! - [`protocol`]: the wire frames of docs/PROTOCOL.md.
//! - [`store`], [`translate`], [`push`], [`queue`]: adapters of the ports
//!   (the AWS ones — DynamoDB, Amazon Translate, the Management API, SQS —
//!   with feature `aws`).
//! - [`aws`]: SDK configuration, the Lambda function behind
//!   `honyaku-lambda`, the AWS adapters for `honyaku serve` (feature `aws`).
//! - [`metrics`]: counts kept by wrapping the ports, written as CloudWatch
//!   Embedded Metric Format lines.
//! - [`ports`]: `Store`, `Translator`, `Push`, `Queue`.
//! - [`model`]: parsed domain types; [`limits`]: every limit; [`config`]:
//!   typed configuration; [`contract`]: the languages the page shares.
//! - `testing` (feature `testing`): shared test doubles and
//!   `start_server`.

#[cfg(feature = "aws")]
pub mod aws;
pub mod config;
pub mod contract;
pub mod core;
pub mod lambda;
pub mod limits;
#[cfg(feature = "local")]
pub mod local;
pub mod metrics;
pub mod model;
pub mod ports;
pub mod protocol;
#[cfg(feature = "aws")]
pub mod push;
pub mod queue;
pub mod store;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod translate;
