//! [`Queue`](crate::ports::Queue) adapters that leave the process: `sqs`
//! hands big rooms' fan-out batches to Amazon SQS, whose event source
//! mapping invokes the same Lambda function with them (feature `aws`).

#[cfg(feature = "aws")]
pub mod sqs;

#[cfg(feature = "aws")]
pub use sqs::SqsQueue;
