//! Limits held in the store hold across processes: two `honyaku serve`
//! sharing one DynamoDB Local table are what two Lambda instances are. A
//! sender's rate and the deployment's daily budget are counted once,
//! whichever process a message goes through.

use std::time::Duration;

use serde_json::json;

use crate::helpers::Client;
use crate::helpers::binary::{Running, serve_command};

/// `honyaku serve` on the shared table, 3 messages a minute, 60
/// characters a day.
fn serve(endpoint: &str, table: &str) -> Running {
    Running::start(serve_command(&[
        "--store",
        "dynamodb",
        "--dynamodb-endpoint",
        endpoint,
        "--table",
        table,
        "--rate-limit",
        "3",
        "--chars-per-day",
        "60",
    ]))
}

/// The rate is per calendar minute: start early in one, so that the few
/// seconds the rate part takes stay inside it.
async fn inside_a_minute() {
    let second = chrono::Utc::now().timestamp() % 60;
    if second > 20 {
        tokio::time::sleep(Duration::from_secs((61 - second) as u64)).await;
    }
}

async fn connect(server: &Running, query: &str) -> Client {
    Client::connect(&server.ws(query)).await
}

#[tokio::test]
async fn two_processes_share_the_rate_and_the_daily_budget() {
    let Some(url) = crate::dynamodb_local::endpoint("two_processes_share_the_rate") else {
        return;
    };
    let table = crate::dynamodb_local::table_name();
    let a = serve(&url, &table);
    let b = serve(&url, &table);
    inside_a_minute().await;
    let minute = chrono::Utc::now().timestamp() / 60;

    // One client, first through A, then through B: 3 messages a minute in all.
    let me = "client=shared-limits-client-01";
    let mut on_a = connect(&a, &format!("room=rate&lang=en&name=Ann&{me}")).await;
    for i in 0..2 {
        let r = on_a
            .request(
                json!({"action":"translate","text":format!("a{i}"),"clientMsgId":format!("a{i}")}),
                "message",
            )
            .await;
        assert_eq!(r["clientMsgId"], format!("a{i}"));
    }
    let mut on_b = connect(&b, &format!("room=rate&lang=en&name=Ann&{me}")).await;
    let ok = on_b
        .request(
            json!({"action":"translate","text":"b0","clientMsgId":"b0"}),
            "message",
        )
        .await;
    assert_eq!(ok["clientMsgId"], "b0");
    on_b.send(json!({"action":"translate","text":"b1","clientMsgId":"b1"}))
        .await;
    let refused = on_b.recv_type("error").await;
    assert_eq!(
        chrono::Utc::now().timestamp() / 60,
        minute,
        "the rate part took too long"
    );
    assert_eq!(
        (refused["code"].as_str(), refused["clientMsgId"].as_str()),
        (Some("rate_limited"), Some("b1"))
    );

    // The daily budget (60 characters), counted once for both: 25
    // characters to a Spanish reader, twice through A, then once through B
    // is over. (Each process delivers to its own sockets only, as each
    // local gateway does; on AWS API Gateway holds them all.)
    let mut reader_a = connect(&a, "room=budget-a&lang=es&name=Rea").await;
    let mut writer_a = connect(
        &a,
        "room=budget-a&lang=en&name=Wri&client=shared-budget-writer-1",
    )
    .await;
    for i in 0..2 {
        writer_a
            .send(json!({"action":"translate","text":format!("{i}{}", "x".repeat(24))}))
            .await;
        let m = reader_a.recv_type("message").await;
        assert_eq!(m["translated"], true, "message {i}");
    }
    let mut reader_b = connect(&b, "room=budget-b&lang=es&name=Reb").await;
    let mut writer_b = connect(
        &b,
        "room=budget-b&lang=en&name=Wrb&client=shared-budget-writer-2",
    )
    .await;
    writer_b
        .send(json!({"action":"translate","text":"z".repeat(25)}))
        .await;
    let m = reader_b.recv_type("message").await;
    assert_eq!(
        (m["translated"].as_bool(), m["error"].as_str()),
        (Some(false), Some("translation_unavailable"))
    );
}
