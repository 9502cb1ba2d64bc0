//! Counters, fan-out delivery markers, REST records, expiry.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate};
use honyaku::model::{ConnectionId, Lang, Translation, TranslationRecord};
use honyaku::ports::{Counter, Delivery, Step, Store, Tally};

use super::{Dump, conn, lang, msg, now_ms, room};

pub async fn counters_count_and_refuse(store: Arc<dyn Store>) {
    let at = chrono::Utc::now();
    let who = format!("c:{}", ulid::Ulid::generate());
    let counter = Counter::Sender { who, at };
    let steps = |chars| {
        [
            Step {
                field: "m07",
                add: 1,
                max: Some(3),
            },
            Step {
                field: "chars",
                add: chars,
                max: Some(100),
            },
        ]
    };
    assert_eq!(
        store.increment(&counter, &steps(40)).await.unwrap(),
        Tally::Counted(vec![1, 40])
    );
    assert_eq!(
        store.increment(&counter, &steps(60)).await.unwrap(),
        Tally::Counted(vec![2, 100])
    );
    // Over the characters: refused, nothing changes.
    assert_eq!(
        store.increment(&counter, &steps(1)).await.unwrap(),
        Tally::Refused(vec![2, 100])
    );
    assert_eq!(
        store.increment(&counter, &steps(0)).await.unwrap(),
        Tally::Counted(vec![3, 100])
    );
    // Over the rate.
    assert_eq!(
        store.increment(&counter, &steps(0)).await.unwrap(),
        Tally::Refused(vec![3, 100])
    );
    // A bigger step than the whole maximum.
    let day = Counter::Budget {
        at: DateTime::from_timestamp(1_000_000_000, 0).unwrap(),
    };
    let big = Step {
        field: "chars",
        add: 11,
        max: Some(10),
    };
    assert_eq!(
        store.increment(&day, &[big]).await.unwrap(),
        Tally::Refused(vec![0])
    );
    // Without a maximum it just counts.
    let free = Step {
        field: "chars",
        add: 11,
        max: None,
    };
    assert_eq!(
        store.increment(&day, &[free]).await.unwrap(),
        Tally::Counted(vec![11])
    );
    // Concurrent increments are all counted.
    let at = chrono::Utc::now();
    let shared = Counter::Sender {
        who: format!("c:{}", ulid::Ulid::generate()),
        at,
    };
    let adds = (0..20).map(|_| {
        let (store, shared) = (store.clone(), shared.clone());
        tokio::spawn(async move {
            let step = Step {
                field: "chars",
                add: 1,
                max: Some(15),
            };
            store.increment(&shared, &[step]).await.unwrap()
        })
    });
    let counted = futures_util::future::join_all(adds)
        .await
        .into_iter()
        .filter(|t| matches!(t.as_ref().unwrap(), Tally::Counted(_)))
        .count();
    assert_eq!(counted, 15);
}

pub async fn delivery_markers(store: Arc<dyn Store>) {
    assert_eq!(store.delivery("01M#0").await.unwrap(), None);
    let left = Delivery::Remaining(vec![ConnectionId::new("a="), ConnectionId::new("b")]);
    store.put_delivery("01M#0", &left).await.unwrap();
    assert_eq!(store.delivery("01M#0").await.unwrap(), Some(left));
    store.put_delivery("01M#0", &Delivery::Done).await.unwrap();
    assert_eq!(store.delivery("01M#0").await.unwrap(), Some(Delivery::Done));
    assert_eq!(store.delivery("01M#1").await.unwrap(), None);
}

pub async fn rest_translations_by_day(store: Arc<dyn Store>) {
    let day = |d: u32| NaiveDate::from_ymd_opt(2025, 11, d).unwrap();
    // 2025-11-26T00:00:00Z and its last millisecond.
    let midnight = 1_764_115_200_000;
    let record = |ts: i64, id: &str, engine: Option<&str>| TranslationRecord {
        id: id.into(),
        ts,
        source_lang: Lang::EN,
        target_lang: Lang::parse("es").unwrap(),
        text: format!("text {id}"),
        translated_text: format!("[es] text {id}"),
        engine: engine.map(str::to_owned),
        ttl: None,
    };
    let a = record(midnight, "A", Some("pseudo"));
    let b = record(midnight + 1_000, "B", None);
    let c = record(midnight + 86_400_000 - 1, "C", Some("pseudo"));
    let next_day = record(midnight + 86_400_000, "D", Some("pseudo"));
    let day_before = record(midnight - 1, "E", Some("pseudo"));
    let mut expired = record(midnight + 2_000, "X", Some("pseudo"));
    expired.ttl = Some(now_ms() / 1000 - 60);
    for r in [&b, &a, &next_day, &c, &day_before, &expired] {
        store.put_rest_translation(r).await.unwrap();
    }
    assert_eq!(
        store.rest_translations(day(26), 10).await.unwrap(),
        [c.clone(), b.clone(), a]
    );
    assert_eq!(store.rest_translations(day(26), 2).await.unwrap(), [c, b]);
    assert_eq!(
        store.rest_translations(day(27), 10).await.unwrap(),
        [next_day]
    );
    assert_eq!(
        store.rest_translations(day(25), 10).await.unwrap(),
        [day_before]
    );
    assert!(
        store
            .rest_translations(day(1), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Embedded stores delete what has expired (DynamoDB's TTL does it on
/// AWS, so that store purges nothing itself).
pub async fn expired_rows_are_purged(store: Arc<dyn Store>) {
    let long_ago = now_ms() - 3 * 3600 * 1000;
    let mut old = conn("old", "p", "en");
    old.connected_at = long_ago;
    store.put_connection(&old, 10).await.unwrap();
    store
        .put_connection(&conn("new", "p", "en"), 10)
        .await
        .unwrap();
    assert_eq!(store.room_count(&room("p")).await.unwrap(), 2);
    let purged = store.purge_expired(now_ms() / 1000, 1000).await.unwrap();
    if purged == 0 {
        return;
    }
    // The expired connection went as a `$disconnect` would take it.
    assert_eq!(store.room_count(&room("p")).await.unwrap(), 1);
    assert_eq!(store.purge_expired(now_ms() / 1000, 1000).await.unwrap(), 0);
}

/// An expired message goes with every translation of it: in the embedded
/// stores a translation has no expiry entry of its own.
pub async fn expired_messages_take_their_translations(store: Arc<dyn Store>, dump: Dump) {
    let now = now_ms();
    let translated = |id: &str, ts: i64, es: &str| {
        let mut m = msg("xp", ts, id, "a", None);
        for (l, text) in [("es", es.to_owned()), ("fr", format!("{es}-fr"))] {
            let t = Translation {
                text,
                engine: "pseudo".into(),
                via: None,
            };
            m.translations.insert(lang(l), t);
        }
        m
    };
    let mut old = translated("OLD", now - 10_000, "gone-translation");
    old.ttl = Some(now / 1000 - 5);
    let mut kept = translated("NEW", now, "kept-translation");
    kept.ttl = Some(now / 1000 + 3600);
    for m in [&old, &kept] {
        store.put_message(m, "conn:a").await.unwrap();
    }
    if store.purge_expired(now / 1000, 1000).await.unwrap() == 0 {
        // DynamoDB's TTL does it on AWS; that store purges nothing itself.
        return;
    }
    let rows = dump().await;
    assert!(!rows.iter().any(|r| r.contains("gone-")), "{rows:#?}");
    assert_eq!(
        rows.iter()
            .filter(|r| r.contains("kept-translation"))
            .count(),
        2
    );
}
