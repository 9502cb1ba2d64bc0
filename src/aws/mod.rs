//! The AWS SDK setup every AWS adapter shares (feature `aws`): the SDK
//! configuration, one HTTP client with rustls, and clients made on first
//! use (`sdk.rs`); moto's server for the SQS and SSM tests (`moto.rs`).
//! Nothing here knows about routes or the Lambda function: the adapters
//! (`store::dynamodb`, `translate::amazon`, `push::apigw`, `queue::sqs`)
//! import it, and `lambda::function` assembles them.

#[cfg(test)]
pub(crate) mod moto;
pub mod sdk;
