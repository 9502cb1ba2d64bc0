//! Running on AWS (feature `aws`): SDK configuration (`sdk.rs`), the
//! Lambda function behind `honyaku-lambda` (`function.rs`: its
//! environment in `config.rs`, the room-token secret in `secret.rs`, the
//! fan-out worker's SQS entry in `worker.rs`), and the AWS adapters for
//! `honyaku serve --store dynamodb` / `--translator aws` (`serve.rs`).
//! The adapters themselves live with their ports: `store::dynamodb`,
//! `translate::amazon`, `push::apigw`, `queue::sqs`.

pub mod config;
pub mod function;
#[cfg(test)]
pub(crate) mod moto;
pub mod sdk;
pub mod secret;
#[cfg(feature = "local")]
pub mod serve;
pub mod worker;
