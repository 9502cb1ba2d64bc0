//! The fan-out worker's entry: an SQS event from the fan-out queue's event
//! source mapping, one [`FanoutBatch`] per record, each delivered by the
//! core. The answer is a partial batch response: the records whose
//! recipients were not all reached are listed in `batchItemFailures`, so
//! SQS redelivers those alone (`FunctionResponseTypes:
//! [ReportBatchItemFailures]` in the template) and, after a few tries,
//! moves them to the dead-letter queue.

use std::fmt::Display;
use std::future::Future;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use futures_util::future::join_all;
use serde_json::Value;

use crate::ports::FanoutBatch;
use crate::queue::sqs::ENDPOINT_ATTRIBUTE;

/// Whether a raw invocation payload is an SQS event.
pub fn is_sqs_event(payload: &Value) -> bool {
    payload
        .get("Records")
        .and_then(Value::as_array)
        .and_then(|records| records.first())
        .and_then(|record| record.get("eventSource"))
        .and_then(Value::as_str)
        == Some("aws:sqs")
}

/// The endpoint a record's batch was queued from, if it names one.
pub fn endpoint_of(record: &SqsMessage) -> Option<&str> {
    let value = record
        .message_attributes
        .get(ENDPOINT_ATTRIBUTE)?
        .string_value
        .as_deref()?;
    (value.starts_with("https://") || value.starts_with("http://")).then_some(value)
}

/// Delivers every record's batch with `deliver` (all at once: at most the
/// mapping's batch size), and lists the records to try again: those whose
/// delivery failed, and those that are no fan-out batch at all (they land
/// in the dead-letter queue, where the alarm shows them).
pub async fn handle<F, Fut, E>(event: SqsEvent, deliver: F) -> SqsBatchResponse
where
    F: Fn(FanoutBatch) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: Display,
{
    let outcomes = join_all(event.records.into_iter().map(|record| {
        let id = record.message_id.clone().unwrap_or_default();
        let batch = record
            .body
            .as_deref()
            .map(serde_json::from_str::<FanoutBatch>);
        let delivery = match batch {
            Some(Ok(batch)) => Ok(deliver(batch)),
            Some(Err(e)) => Err(e.to_string()),
            None => Err("no body".to_owned()),
        };
        async move {
            match delivery {
                Ok(delivery) => match delivery.await {
                    Ok(()) => None,
                    Err(e) => {
                        tracing::warn!(message_id = %id, error = %e, "fan-out batch not fully delivered; SQS will retry it");
                        Some(id)
                    }
                },
                Err(why) => {
                    tracing::error!(message_id = %id, error = %why, "SQS record is no fan-out batch");
                    Some(id)
                }
            }
        }
    }))
    .await;
    let mut response = SqsBatchResponse::default();
    for id in outcomes.into_iter().flatten() {
        response.add_failure(id);
    }
    response
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use serde_json::json;

    use super::*;

    fn record(id: &str, body: &str) -> Value {
        json!({
            "messageId": id,
            "receiptHandle": "r",
            "body": body,
            "attributes": {"ApproximateReceiveCount": "1"},
            "messageAttributes": {
                "endpoint": {"stringValue": "https://abc.execute-api.us-east-1.amazonaws.com/prod",
                             "dataType": "String", "stringListValues": [], "binaryListValues": []}
            },
            "md5OfBody": "",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:fanout",
            "awsRegion": "us-east-1"
        })
    }

    fn batch(n: usize) -> String {
        json!({"id": format!("01ABC#{n}"), "room": "lobby", "frame": "{}", "to": ["c1", "c2"]})
            .to_string()
    }

    #[tokio::test]
    async fn failed_and_unreadable_records_are_reported() {
        let payload = json!({"Records": [
            record("m0", &batch(0)),
            record("m1", &batch(1)),
            record("m2", "not json"),
        ]});
        assert!(is_sqs_event(&payload));
        let event: SqsEvent = serde_json::from_value(payload).unwrap();
        assert_eq!(
            endpoint_of(&event.records[0]),
            Some("https://abc.execute-api.us-east-1.amazonaws.com/prod")
        );
        let seen = Mutex::new(Vec::new());
        let response = handle(event, |b: FanoutBatch| {
            seen.lock().unwrap().push(b.id.clone());
            async move {
                if b.id.ends_with("#1") {
                    Err("one recipient throttled")
                } else {
                    Ok(())
                }
            }
        })
        .await;
        let failed: Vec<&str> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        assert_eq!(failed, ["m1", "m2"]);
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        assert_eq!(seen, ["01ABC#0", "01ABC#1"]);
        // What Lambda reads back.
        let wire = serde_json::to_value(&response).unwrap();
        assert_eq!(wire["batchItemFailures"][0]["itemIdentifier"], json!("m1"));
    }

    #[test]
    fn other_events_are_not_sqs() {
        assert!(!is_sqs_event(&json!({"requestContext": {}})));
        assert!(!is_sqs_event(&json!({"Records": []})));
        assert!(!is_sqs_event(
            &json!({"Records": [{"eventSource": "aws:s3"}]})
        ));
    }
}
