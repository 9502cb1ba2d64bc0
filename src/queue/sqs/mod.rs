//! [`SqsQueue`]: the fan-out [`Queue`] on Amazon SQS. Each
//! [`FanoutBatch`] is one SQS message (its JSON); `SendMessageBatch` takes
//! at most 10 messages and 256 KiB per call, so the batches are packed by
//! size into as few calls as that allows. Entries SQS refuses for a reason
//! of its own (throttling, an internal error) are sent again, a few
//! times, with a short backoff. What SQS does not take in the end (a
//! refusal that is the request's fault, one that outlasts the retries, a
//! failed call) comes back in the error, batch for batch, for the core to
//! post directly; the rest is queued, so nothing is delivered twice.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sqs::types::{MessageAttributeValue, SendMessageBatchRequestEntry};
use futures_util::future::join_all;

use crate::aws::sdk::OnFirstUse;
use crate::limits::{MAX_QUEUE_MESSAGE_BYTES, QUEUE_BATCH_MAX};
use crate::ports::{FanoutBatch, Queue, QueueError};

/// The message attribute naming the Management API endpoint a batch was
/// queued from: SQS events carry no request context to learn it from, so
/// the fan-out worker (`lambda::worker`) reads it back.
pub const ENDPOINT_ATTRIBUTE: &str = "endpoint";

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

    /// One `SendMessageBatch` of the messages `call` (positions in
    /// `bodies`), resending what SQS refused until all are in or
    /// [`ATTEMPTS`] run out. Says which it could not queue, and why.
    #[tracing::instrument(skip_all, fields(messages = call.len()))]
    async fn send(
        &self,
        bodies: &[String],
        call: &[usize],
        endpoint: Option<&MessageAttributeValue>,
    ) -> Result<(), (String, Vec<usize>)> {
        let mut pending = call.to_vec();
        let mut refused = Vec::new();
        let mut reason = String::new();
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1..=ATTEMPTS {
            // Entry ids are positions: unique within the call, as SQS wants.
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
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| (format!("batch entry: {e}"), pending.clone()))?;
            let out = self
                .client
                .get()
                .send_message_batch()
                .queue_url(&self.url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| (call_error(e), pending.clone()))?;
            let mut again = Vec::new();
            for failed in out.failed {
                let Some(i) = failed
                    .id
                    .parse::<usize>()
                    .ok()
                    .filter(|i| pending.contains(i))
                else {
                    tracing::warn!(id = %failed.id, "SQS reported an entry it was not sent");
                    continue;
                };
                if failed.sender_fault {
                    // The request's own fault: sending it again changes nothing.
                    reason = format!("SQS refused a batch: {}", failed.code);
                    refused.push(i);
                } else {
                    tracing::info!(code = %failed.code, attempt, "SQS entry not taken; sending again");
                    again.push(i);
                }
            }
            pending = again;
            if pending.is_empty() {
                break;
            }
            if attempt < ATTEMPTS {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            } else {
                reason = format!("SQS did not take a batch in {ATTEMPTS} attempts");
            }
        }
        refused.extend(pending);
        if refused.is_empty() {
            Ok(())
        } else {
            Err((reason, refused))
        }
    }
}

#[async_trait]
impl Queue for SqsQueue {
    /// Queues what it can; on failure, the error holds exactly the batches
    /// SQS does not have (the core posts those directly).
    async fn enqueue(&self, batches: Vec<FanoutBatch>) -> Result<(), QueueError> {
        let all = |reason: String, batches: Vec<FanoutBatch>| QueueError {
            reason,
            unsent: batches,
        };
        let bodies = match batches
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(b) => b,
            Err(e) => return Err(all(format!("fan-out batch as JSON: {e}"), batches)),
        };
        let endpoint = self.endpoint.as_ref().and_then(|f| f()).map(|e| {
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value(e)
                .build()
        });
        let endpoint = match endpoint.transpose() {
            Ok(e) => e,
            Err(e) => return Err(all(format!("endpoint attribute: {e}"), batches)),
        };
        // SQS counts an attribute's name, type and value in the size.
        let extra = endpoint.as_ref().map_or(0, |e| {
            ENDPOINT_ATTRIBUTE.len() + "String".len() + e.string_value().map_or(0, str::len)
        });
        let sizes: Vec<usize> = bodies.iter().map(|b| b.len() + extra).collect();
        let (calls, too_big) = pack(&sizes);
        let mut unsent: Vec<usize> = too_big;
        let mut reason = String::new();
        if !unsent.is_empty() {
            reason = format!("a fan-out batch is over SQS's {MAX_QUEUE_MESSAGE_BYTES} bytes");
        }
        // A few calls at most (10 messages each): all at once.
        let results = join_all(
            calls
                .iter()
                .map(|call| self.send(&bodies, call, endpoint.as_ref())),
        )
        .await;
        for (why, refused) in results.into_iter().filter_map(Result::err) {
            reason = why;
            unsent.extend(refused);
        }
        if unsent.is_empty() {
            return Ok(());
        }
        unsent.sort_unstable();
        let unsent = batches
            .into_iter()
            .enumerate()
            .filter(|(i, _)| unsent.binary_search(i).is_ok())
            .map(|(_, b)| b)
            .collect();
        Err(QueueError { reason, unsent })
    }
}

/// Groups messages of `sizes` bytes into `SendMessageBatch` calls of at
/// most [`QUEUE_BATCH_MAX`] messages and [`MAX_QUEUE_MESSAGE_BYTES`] bytes, in order,
/// as positions; and the positions of those too big to send at all.
pub fn pack(sizes: &[usize]) -> (Vec<Vec<usize>>, Vec<usize>) {
    let mut calls: Vec<Vec<usize>> = Vec::new();
    let mut too_big = Vec::new();
    let mut bytes = 0;
    for (i, &size) in sizes.iter().enumerate() {
        if size > MAX_QUEUE_MESSAGE_BYTES {
            too_big.push(i);
            continue;
        }
        match calls.last_mut() {
            Some(call)
                if call.len() < QUEUE_BATCH_MAX && bytes + size <= MAX_QUEUE_MESSAGE_BYTES =>
            {
                bytes += size;
                call.push(i);
            }
            _ => {
                bytes = size;
                calls.push(vec![i]);
            }
        }
    }
    (calls, too_big)
}

/// Why a call failed: the service's code, never a body.
fn call_error<E: ProvideErrorMetadata, R>(e: SdkError<E, R>) -> String {
    let why = match &e {
        SdkError::ServiceError(ctx) => ctx.err().code().unwrap_or("unknown error").to_owned(),
        SdkError::TimeoutError(_) => "timed out".into(),
        SdkError::DispatchFailure(_) => "could not reach SQS".into(),
        SdkError::ResponseError(_) => "unreadable response from SQS".into(),
        _ => "the request could not be built".into(),
    };
    format!("SendMessageBatch: {why}")
}

#[cfg(test)]
mod tests;
