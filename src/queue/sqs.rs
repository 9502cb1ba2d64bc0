//! [`SqsQueue`]: the fan-out [`Queue`] on Amazon SQS. Each
//! [`FanoutBatch`] is one SQS message (its JSON); `SendMessageBatch` takes
//! at most 10 messages and 256 KiB per call, so the batches are packed by
//! size into as few calls as that allows. Entries SQS refuses for a reason
//! of its own (throttling, an internal error) are sent again, a few
//! times, with a short backoff; a refusal that is the request's fault, or
//! one that outlasts the retries, fails the whole `enqueue`.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sqs::types::{MessageAttributeValue, SendMessageBatchRequestEntry};
use futures_util::future::try_join_all;

use crate::aws::sdk::OnFirstUse;
use crate::aws::worker::ENDPOINT_ATTRIBUTE;
use crate::ports::{FanoutBatch, Queue, QueueError};

/// Messages per `SendMessageBatch` (SQS's limit).
pub const MAX_ENTRIES: usize = 10;
/// Bytes of message bodies per `SendMessageBatch`, and per message
/// (SQS's limit: 256 KiB).
pub const MAX_CALL_BYTES: usize = 256 * 1024;
/// Sends of one entry before it counts as failed.
const ATTEMPTS: u32 = 4;
/// Wait before the first resend; doubled for each next one.
const FIRST_BACKOFF: Duration = Duration::from_millis(50);

/// Where the worker should post: the Management API endpoint in use.
type EndpointSource = Box<dyn Fn() -> Option<String> + Send + Sync>;

/// Queues fan-out batches on one SQS queue.
pub struct SqsQueue {
    client: OnFirstUse<Client>,
    url: String,
    endpoint: Option<EndpointSource>,
}

impl SqsQueue {
    /// A queue at `url` (`FANOUT_QUEUE_URL`); the client is built on the
    /// first `enqueue`, so invocations that never fan out never pay for it.
    pub fn new(client: OnFirstUse<Client>, url: impl Into<String>) -> Self {
        Self {
            client,
            url: url.into(),
            endpoint: None,
        }
    }

    /// Names the Management API endpoint on every message (the message
    /// attribute `endpoint`): the worker's SQS events carry no request
    /// context to learn it from.
    pub fn with_endpoint(
        self,
        endpoint: impl Fn() -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        Self {
            endpoint: Some(Box::new(endpoint)),
            ..self
        }
    }

    /// One `SendMessageBatch` of `bodies`, resending what SQS refused
    /// until all are in or [`ATTEMPTS`] run out.
    #[tracing::instrument(skip_all, fields(messages = bodies.len()))]
    async fn send(
        &self,
        bodies: &[String],
        endpoint: Option<&MessageAttributeValue>,
    ) -> Result<(), QueueError> {
        // Entry ids are positions: unique within the call, as SQS wants.
        let mut pending: Vec<usize> = (0..bodies.len()).collect();
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1..=ATTEMPTS {
            let entries = pending
                .iter()
                .map(|&i| {
                    SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(&bodies[i])
                        .set_message_attributes(
                            endpoint.map(|e| [(ENDPOINT_ATTRIBUTE.to_owned(), e.clone())].into()),
                        )
                        .build()
                        .map_err(|e| QueueError::Backend(format!("batch entry: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let out = self
                .client
                .get()
                .send_message_batch()
                .queue_url(&self.url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(call_error)?;
            let mut again = Vec::new();
            for failed in out.failed {
                if failed.sender_fault {
                    return Err(QueueError::Backend(format!(
                        "SQS refused a batch: {}",
                        failed.code
                    )));
                }
                let i = failed
                    .id
                    .parse::<usize>()
                    .ok()
                    .filter(|i| *i < bodies.len());
                let Some(i) = i else {
                    return Err(QueueError::Backend(format!(
                        "SQS reported an unknown entry {:?}",
                        failed.id
                    )));
                };
                tracing::info!(code = %failed.code, attempt, "SQS entry not taken; sending again");
                again.push(i);
            }
            if again.is_empty() {
                return Ok(());
            }
            pending = again;
            if attempt < ATTEMPTS {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
        }
        Err(QueueError::Backend(format!(
            "{} fan-out batches not taken by SQS after {ATTEMPTS} attempts",
            pending.len()
        )))
    }
}

#[async_trait]
impl Queue for SqsQueue {
    async fn enqueue(&self, batches: Vec<FanoutBatch>) -> Result<(), QueueError> {
        let bodies = batches
            .iter()
            .map(|b| {
                serde_json::to_string(b)
                    .map_err(|e| QueueError::Backend(format!("fan-out batch as JSON: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let endpoint = match self.endpoint.as_ref().and_then(|f| f()) {
            Some(e) => Some(
                MessageAttributeValue::builder()
                    .data_type("String")
                    .string_value(e)
                    .build()
                    .map_err(|e| QueueError::Backend(format!("endpoint attribute: {e}")))?,
            ),
            None => None,
        };
        // SQS counts an attribute's name, type and value in the size.
        let extra = endpoint.as_ref().map_or(0, |e| {
            ENDPOINT_ATTRIBUTE.len() + "String".len() + e.string_value().map_or(0, str::len)
        });
        let calls = pack(bodies, extra)?;
        // A few calls at most (10 messages each): all at once.
        try_join_all(calls.iter().map(|call| self.send(call, endpoint.as_ref()))).await?;
        Ok(())
    }
}

/// Groups message bodies into `SendMessageBatch` calls of at most
/// [`MAX_ENTRIES`] messages and [`MAX_CALL_BYTES`] bytes, in order, each
/// message counting its body and `extra` bytes of attributes. A message
/// over the limit alone cannot be sent at all.
pub fn pack(bodies: Vec<String>, extra: usize) -> Result<Vec<Vec<String>>, QueueError> {
    let mut calls: Vec<Vec<String>> = Vec::new();
    let mut bytes = 0;
    for body in bodies {
        let size = body.len() + extra;
        if size > MAX_CALL_BYTES {
            return Err(QueueError::Backend(format!(
                "a fan-out batch is {size} bytes; SQS takes at most {MAX_CALL_BYTES}"
            )));
        }
        match calls.last_mut() {
            Some(call) if call.len() < MAX_ENTRIES && bytes + size <= MAX_CALL_BYTES => {
                bytes += size;
                call.push(body);
            }
            _ => {
                bytes = size;
                calls.push(vec![body]);
            }
        }
    }
    Ok(calls)
}

/// A failed call as a [`QueueError`]: the service's code, never a body.
fn call_error<E: ProvideErrorMetadata, R>(e: SdkError<E, R>) -> QueueError {
    let why = match &e {
        SdkError::ServiceError(ctx) => ctx.err().code().unwrap_or("unknown error").to_owned(),
        SdkError::TimeoutError(_) => "timed out".into(),
        SdkError::DispatchFailure(_) => "could not reach SQS".into(),
        SdkError::ResponseError(_) => "unreadable response from SQS".into(),
        _ => "the request could not be built".into(),
    };
    QueueError::Backend(format!("SendMessageBatch: {why}"))
}

#[cfg(test)]
mod tests;
