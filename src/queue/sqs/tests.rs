//! Packing (pure), resending refused entries (the SDK's mocks), and the
//! real client against moto's SQS (`HONYAKU_SQS_ENDPOINT`).

use std::time::Duration;

use aws_sdk_sqs::operation::send_message_batch::SendMessageBatchOutput;
use aws_sdk_sqs::types::{BatchResultErrorEntry, QueueAttributeName, SendMessageBatchResultEntry};
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};

use super::*;
use crate::aws::moto;

fn counts(calls: &[Vec<usize>]) -> Vec<usize> {
    calls.iter().map(Vec::len).collect()
}

#[test]
fn packs_ten_to_a_call() {
    let (calls, too_big) = pack(&[1; 23]);
    assert_eq!(counts(&calls), [10, 10, 3]);
    assert!(too_big.is_empty());
    let flat: Vec<usize> = calls.into_iter().flatten().collect();
    assert_eq!(flat, (0..23).collect::<Vec<_>>());
}

#[test]
fn packs_by_size() {
    // 100 KiB each: two fit in 256 KiB, a third does not.
    let (calls, _) = pack(&[100 * 1024; 5]);
    assert_eq!(counts(&calls), [2, 2, 1]);
    // Exactly at the limit is one call of its own.
    let (calls, _) = pack(&[1, MAX_QUEUE_MESSAGE_BYTES, 1]);
    assert_eq!(counts(&calls), [1, 1, 1]);
    let half = MAX_QUEUE_MESSAGE_BYTES / 2;
    assert_eq!(counts(&pack(&[half, half]).0), [2]);
    assert_eq!(counts(&pack(&[half + 1, half]).0), [1, 1]);
    assert!(pack(&[]).0.is_empty());
}

#[test]
fn a_message_over_the_limit_is_set_aside() {
    let (calls, too_big) = pack(&[5, MAX_QUEUE_MESSAGE_BYTES + 1, 5]);
    assert_eq!(calls, [vec![0, 2]]);
    assert_eq!(too_big, [1]);
}

fn batch(n: usize, frame_bytes: usize) -> FanoutBatch {
    FanoutBatch {
        id: format!("01JTESTMESSAGE#{n}"),
        room: crate::model::RoomName::parse("lobby").unwrap(),
        frame: "f".repeat(frame_bytes),
        to: (0..3)
            .map(|i| crate::model::ConnectionId::new(format!("conn{n}x{i}=")))
            .collect(),
    }
}

fn mocked(rules: &[&Rule]) -> SqsQueue {
    let mut mocks = MockResponseInterceptor::new().rule_mode(RuleMode::Sequential);
    for rule in rules {
        mocks = mocks.with_rule(rule);
    }
    let conf = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .region(aws_sdk_sqs::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sqs::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .http_client(create_mock_http_client())
        .interceptor(mocks)
        .build();
    SqsQueue::new(
        OnFirstUse::ready(Client::from_conf(conf)),
        "https://sqs.us-east-1.amazonaws.com/1/q",
    )
}

fn ok(id: &str) -> SendMessageBatchResultEntry {
    SendMessageBatchResultEntry::builder()
        .id(id)
        .message_id(format!("m-{id}"))
        .md5_of_message_body("x")
        .build()
        .unwrap()
}

fn refused(id: &str, sender_fault: bool) -> BatchResultErrorEntry {
    BatchResultErrorEntry::builder()
        .id(id)
        .sender_fault(sender_fault)
        .code(if sender_fault {
            "InvalidParameterValue"
        } else {
            "InternalError"
        })
        .build()
        .unwrap()
}

#[tokio::test]
async fn refused_entries_are_sent_again() {
    // Three entries; SQS takes the first and refuses two; then takes both.
    let first = mock!(Client::send_message_batch)
        .match_requests(|r| r.entries().len() == 3)
        .then_output(|| {
            SendMessageBatchOutput::builder()
                .successful(ok("0"))
                .failed(refused("1", false))
                .failed(refused("2", false))
                .build()
                .unwrap()
        });
    let again = mock!(Client::send_message_batch)
        .match_requests(|r| {
            let ids: Vec<&str> = r.entries().iter().map(|e| e.id()).collect();
            ids == ["1", "2"]
        })
        .then_output(|| {
            SendMessageBatchOutput::builder()
                .successful(ok("1"))
                .successful(ok("2"))
                .set_failed(Some(vec![]))
                .build()
                .unwrap()
        });
    let queue = mocked(&[&first, &again]);
    queue
        .enqueue((0..3).map(|n| batch(n, 10)).collect())
        .await
        .unwrap();
    assert_eq!((first.num_calls(), again.num_calls()), (1, 1));
}

#[tokio::test]
async fn a_refusal_that_is_the_requests_fault_is_not_resent() {
    let rule = mock!(Client::send_message_batch).then_output(|| {
        SendMessageBatchOutput::builder()
            .successful(ok("0"))
            .failed(refused("1", true))
            .build()
            .unwrap()
    });
    let err = mocked(&[&rule])
        .enqueue(vec![batch(0, 10), batch(1, 10)])
        .await
        .unwrap_err();
    assert!(err.reason.contains("InvalidParameterValue"), "{err}");
    // Only the refused batch is unsent: the other is queued.
    assert_eq!(err.unsent, [batch(1, 10)]);
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn refusals_that_outlast_the_retries_fail() {
    let rule = mock!(Client::send_message_batch)
        .sequence()
        .output(|| {
            SendMessageBatchOutput::builder()
                .set_successful(Some(vec![]))
                .failed(refused("0", false))
                .build()
                .unwrap()
        })
        .times(ATTEMPTS as usize)
        .build();
    let err = mocked(&[&rule])
        .enqueue(vec![batch(0, 10)])
        .await
        .unwrap_err();
    assert!(err.reason.contains("in 4 attempts"), "{err}");
    assert_eq!(err.unsent, [batch(0, 10)]);
    assert_eq!(rule.num_calls(), ATTEMPTS as usize);
}

/// A queue of its own on moto, and its URL.
async fn moto_queue(test: &str) -> Option<(Client, String)> {
    let sdk = moto::sdk(test).await?;
    let client = Client::new(&sdk);
    let name = format!(
        "fanout-{}",
        ulid::Ulid::generate().to_string().to_lowercase()
    );
    let url = client
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .expect("moto: CreateQueue")
        .queue_url
        .expect("a queue URL");
    Some((client, url))
}

#[tokio::test]
async fn every_batch_reaches_moto_once_with_the_endpoint() {
    let Some((client, url)) = moto_queue("every_batch_reaches_moto_once_with_the_endpoint").await
    else {
        return;
    };
    // 25 batches: 20 small, 5 of 100 KB (two to a call at most).
    let batches: Vec<FanoutBatch> = (0..25)
        .map(|n| batch(n, if n % 5 == 0 { 100_000 } else { 50 }))
        .collect();
    let queue = SqsQueue::new(OnFirstUse::ready(client.clone()), url.clone())
        .with_endpoint(|| Some("https://abc.execute-api.us-east-1.amazonaws.com/prod".into()));
    queue.enqueue(batches.clone()).await.unwrap();

    let mut got = Vec::new();
    for _ in 0..20 {
        let out = client
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .message_attribute_names("All")
            .wait_time_seconds(0)
            .send()
            .await
            .unwrap();
        let messages = out.messages.unwrap_or_default();
        if messages.is_empty() && got.len() >= batches.len() {
            break;
        }
        for m in messages {
            let endpoint = m
                .message_attributes()
                .and_then(|a| a.get(ENDPOINT_ATTRIBUTE))
                .and_then(|v| v.string_value());
            assert_eq!(
                endpoint,
                Some("https://abc.execute-api.us-east-1.amazonaws.com/prod")
            );
            let b: FanoutBatch = serde_json::from_str(m.body().unwrap()).unwrap();
            got.push(b);
            client
                .delete_message()
                .queue_url(&url)
                .receipt_handle(m.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    got.sort_by_key(|b| b.id.split('#').nth(1).unwrap().parse::<usize>().unwrap());
    assert_eq!(got, batches, "each batch once, intact");
    let attrs = client
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .send()
        .await
        .unwrap();
    let left = attrs
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::ApproximateNumberOfMessages))
        .cloned();
    assert_eq!(left.as_deref(), Some("0"));
}

#[tokio::test]
async fn a_missing_queue_is_an_error() {
    let Some((client, url)) = moto_queue("a_missing_queue_is_an_error").await else {
        return;
    };
    let queue = SqsQueue::new(OnFirstUse::ready(client), format!("{url}-gone"));
    let err = queue
        .enqueue(vec![batch(0, 10), batch(1, MAX_QUEUE_MESSAGE_BYTES)])
        .await
        .unwrap_err();
    assert!(err.reason.contains("SendMessageBatch"), "{err}");
    // Every batch comes back: the one the call failed, and the one too big.
    assert_eq!(
        err.unsent,
        [batch(0, 10), batch(1, MAX_QUEUE_MESSAGE_BYTES)]
    );
}
