//! The shared counters: per sender (its client, else its address), across
//! reconnects, charged for every engine call; and the daily budget.

use serde_json::json;

use super::{Fixture, fixture_with};
use crate::core::{Caller, ConnectParams, Policy, TranslateRequest};
use crate::model::{ChatText, ConnectionId, Lang, SourceLang};

async fn connect_from(f: &Fixture, id: &str, lang: &str, client: Option<&str>, ip: &str) {
    let params = ConnectParams {
        room: Some("r".into()),
        lang: Some(lang.into()),
        name: Some(format!("n-{id}")),
        client: client.map(str::to_owned),
        source_ip: Some(ip.into()),
        ..ConnectParams::default()
    };
    f.app
        .connect(
            ConnectionId::new(id),
            params,
            super::super::now_ms() - 60_000,
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn the_rate_is_per_sender_and_survives_a_reconnect() {
    let f = fixture_with(Policy {
        messages_per_minute: 3,
        ..Policy::default()
    });
    let client = "one-client-secret-123";
    connect_from(&f, "a1", "en", Some(client), "10.0.0.1").await;
    connect_from(&f, "b", "es", None, "10.0.0.2").await;
    for i in 0..2 {
        f.send("a1", json!({"action":"translate","text":format!("m{i}")}))
            .await;
    }
    // The same client on a second connection shares the count.
    connect_from(&f, "a2", "en", Some(client), "10.0.0.3").await;
    f.send("a2", json!({"action":"translate","text":"m2"}))
        .await;
    f.clear(&["a2"]);
    f.send(
        "a2",
        json!({"action":"translate","text":"m3","clientMsgId":"q"}),
    )
    .await;
    let e = f.take("a2").remove(0);
    assert_eq!(
        (e["code"].as_str(), e["clientMsgId"].as_str()),
        (Some("rate_limited"), Some("q"))
    );
    // Someone else is not affected.
    f.clear(&["b"]);
    f.send("b", json!({"action":"translate","text":"hola"}))
        .await;
    assert_eq!(f.take_type("b", "message").len(), 1);
}

#[tokio::test]
async fn history_translations_are_charged_to_the_reader() {
    let f = fixture_with(Policy {
        chars_per_hour: 100,
        ..Policy::default()
    });
    connect_from(&f, "w", "en", None, "10.0.0.9").await;
    for i in 0..8 {
        f.send(
            "w",
            json!({"action":"translate","text":format!("{i}{}", "x".repeat(19))}),
        )
        .await;
    }
    // The reader switches languages to have history translated anew: 8
    // messages of 20 characters are 160, over its 100 an hour.
    connect_from(&f, "r", "en", None, "10.0.0.7").await;
    let mut translated = 0;
    for lang in ["de", "fr", "es"] {
        f.send("r", json!({"action":"join","lang":lang})).await;
        f.clear(&["r"]);
        f.send("r", json!({"action":"history"})).await;
        let page = f.take_type("r", "history").remove(0);
        for m in page["messages"].as_array().unwrap() {
            if m["translated"] == true {
                translated += 1;
            } else {
                assert_eq!(m["error"], "translation_unavailable");
            }
        }
    }
    assert!(
        translated <= 5,
        "{translated} translated against a 100-character budget"
    );
    assert!(
        f.engine.characters() <= 100,
        "{} characters sent",
        f.engine.characters()
    );
}

#[tokio::test]
async fn past_the_daily_budget_messages_go_out_untranslated() {
    let f = fixture_with(Policy {
        chars_per_day: 10,
        ..Policy::default()
    });
    f.join("a", "r", "en").await;
    f.join("b", "r", "es").await;
    f.clear(&["a", "b"]);
    f.send("a", json!({"action":"translate","text":"hello"}))
        .await;
    assert_eq!(f.take("b")[0]["translated"], true);
    f.send("a", json!({"action":"translate","text":"a longer one"}))
        .await;
    let m = f.take("b").remove(0);
    assert_eq!(m["type"], "message", "never dropped");
    assert_eq!(
        (m["text"].as_str(), m["error"].as_str()),
        (Some("a longer one"), Some("translation_unavailable"))
    );
    assert_eq!(f.engine.calls(), 1);
    // The REST API shares the budget: 429.
    let req = TranslateRequest {
        text: ChatText::parse("more words").unwrap(),
        source: SourceLang::Code(Lang::EN),
        target: Lang::parse("es").unwrap(),
    };
    let caller = Caller {
        source_ip: "10.1.1.1".into(),
    };
    let e = f.app.translate_text(req, &caller).await.unwrap_err();
    assert_eq!((e.status(), e.code()), (429, "translation_unavailable"));
}

#[tokio::test]
async fn rest_calls_are_limited_per_address() {
    let f = fixture_with(Policy {
        rest_per_minute: 2,
        ..Policy::default()
    });
    let req = || TranslateRequest {
        text: ChatText::parse("hi").unwrap(),
        source: SourceLang::Code(Lang::EN),
        target: Lang::parse("es").unwrap(),
    };
    let one = Caller {
        source_ip: "10.0.0.1".into(),
    };
    let two = Caller {
        source_ip: "10.0.0.2".into(),
    };
    assert!(f.app.translate_text(req(), &one).await.is_ok());
    assert!(f.app.translate_text(req(), &one).await.is_ok());
    let e = f.app.translate_text(req(), &one).await.unwrap_err();
    assert_eq!((e.status(), e.code()), (429, "rate_limited"));
    assert!(f.app.translate_text(req(), &two).await.is_ok());
}

#[tokio::test]
async fn a_fresh_client_per_connection_does_not_reset_the_address() {
    let f = fixture_with(Policy {
        messages_per_minute: 3,
        ..Policy::default()
    });
    connect_from(&f, "b", "es", None, "10.0.0.2").await;
    let cap = 3 * crate::limits::ADDRESS_LIMIT_MULTIPLE as usize;
    let mut sent = 0;
    let mut refused = 0;
    // A new `client` for every message, all from one address.
    for i in 0..cap + 5 {
        let id = format!("x{i}");
        connect_from(
            &f,
            &id,
            "en",
            Some(&format!("fresh-client-{i:04}-xxxx")),
            "10.0.0.1",
        )
        .await;
        f.send(&id, json!({"action":"translate","text":format!("m{i}")}))
            .await;
        let frames = f.take(&id);
        if frames.iter().any(|e| e["code"] == "rate_limited") {
            refused += 1;
        } else {
            sent += 1;
        }
    }
    assert_eq!((sent, refused), (cap, 5));
    // Another address is not affected.
    f.clear(&["b"]);
    f.send("b", json!({"action":"translate","text":"hola"}))
        .await;
    assert_eq!(f.take_type("b", "message").len(), 1);
}
