//! Big rooms: the fan-out goes through the queue in batches, and the
//! worker never posts twice to one connection, whatever the redeliveries.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde_json::json;

use super::Fixture;
use crate::core::Policy;
use crate::ports::{FanoutBatch, Queue, QueueError};
use crate::testing::Fault;

/// A queue that keeps what it is given.
#[derive(Default)]
struct Held(Mutex<Vec<FanoutBatch>>);

#[async_trait]
impl Queue for Held {
    async fn enqueue(&self, batches: Vec<FanoutBatch>) -> Result<(), QueueError> {
        self.0.lock().unwrap().extend(batches);
        Ok(())
    }
}

fn queued(policy: Policy) -> (Fixture, Arc<Held>) {
    let held = Arc::new(Held::default());
    let mut f = super::fixture_with(policy);
    f.app = f.app.clone().with_queue(held.clone());
    (f, held)
}

#[tokio::test]
async fn past_the_threshold_recipients_go_through_the_queue_once_each() {
    let (f, held) = queued(Policy {
        fanout_direct_max: 10,
        presence_max_members: 0,
        ..Policy::default()
    });
    f.join("s", "r", "en").await;
    for i in 0..40 {
        let lang = if i % 2 == 0 { "es" } else { "de" };
        f.join(&format!("m{i:02}"), "r", lang).await;
    }
    f.send(
        "s",
        json!({"action":"translate","text":"hi","clientMsgId":"k"}),
    )
    .await;
    // The sender's own copy went directly; the rest waits in the queue.
    assert_eq!(f.take_type("s", "message")[0]["clientMsgId"], "k");
    assert!(f.take("m00").is_empty());
    let batches = held.0.lock().unwrap().clone();
    assert_eq!(batches.len(), 2, "one batch per language");
    f.push.fail("m03", Fault::Broken);
    let mut undelivered = 0;
    for b in &batches {
        if f.app.deliver(b.clone()).await.is_err() {
            undelivered += 1;
        }
    }
    assert_eq!(
        undelivered, 1,
        "the batch with a failing recipient is retried"
    );
    // Redelivery of everything: only the one still waiting is posted to.
    f.push.fail("m03", Fault::Throttled(0));
    let before = f.push.posts();
    for b in &batches {
        f.app.deliver(b.clone()).await.unwrap();
    }
    assert_eq!(f.push.posts() - before, 1);
    for i in 0..40 {
        let id = format!("m{i:02}");
        assert_eq!(f.take_type(&id, "message").len(), 1, "{id}");
    }
}
