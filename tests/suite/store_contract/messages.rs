//! Messages: once-only `clientMsgId`s, history pages, translations kept as
//! items of their own (none can outgrow 400 KB), and the item limit.

use std::sync::Arc;

use honyaku::model::{ClientMsgId, ConnectionId, Lang, Message, MessageKey, Translation};
use honyaku::ports::{HistoryQuery, PutOutcome, Store, StoreError};

use super::{lang, msg, now_ms, room};

fn query(before: Option<MessageKey>, limit: usize) -> HistoryQuery {
    HistoryQuery {
        before,
        limit,
        lang: lang("es"),
        since_ms: 0,
    }
}

fn ids(messages: &[Message]) -> Vec<&str> {
    messages.iter().map(|m| m.id.as_str()).collect()
}

pub async fn client_msg_ids_are_once_per_scope(store: Arc<dyn Store>) {
    let t = now_ms();
    let cmid = ClientMsgId::parse("c-1").unwrap();
    let first = msg("r", t, "A", "a", Some("c-1"));
    assert_eq!(
        store.put_message(&first, "c:alice").await.unwrap(),
        PutOutcome::Stored
    );
    assert!(
        store
            .has_client_msg(&room("r"), "c:alice", &cmid)
            .await
            .unwrap()
    );
    assert!(
        !store
            .has_client_msg(&room("r"), "c:bob", &cmid)
            .await
            .unwrap()
    );
    assert!(
        !store
            .has_client_msg(&room("r2"), "c:alice", &cmid)
            .await
            .unwrap()
    );
    // The same client again, even from a new connection after a reconnect.
    let again = Message {
        from_connection: ConnectionId::new("a-reconnected"),
        ..msg("r", t + 1, "B", "a", Some("c-1"))
    };
    assert_eq!(
        store.put_message(&again, "c:alice").await.unwrap(),
        PutOutcome::Duplicate
    );
    // Another sender, even with the same display name, is not affected.
    let impostor = msg("r", t + 2, "C", "a", Some("c-1"));
    assert_eq!(
        store.put_message(&impostor, "conn:x").await.unwrap(),
        PutOutcome::Stored
    );
    let other_room = msg("r2", t + 3, "D", "a", Some("c-1"));
    assert_eq!(
        store.put_message(&other_room, "c:alice").await.unwrap(),
        PutOutcome::Stored
    );
    let page = store
        .messages_before(&room("r"), &query(None, 10))
        .await
        .unwrap();
    assert_eq!(ids(&page.messages), ["A", "C"]);
    // A day-old marker no longer counts.
    let old = msg("r", t - 25 * 3600 * 1000, "E", "e", Some("c-9"));
    assert_eq!(
        store.put_message(&old, "conn:e").await.unwrap(),
        PutOutcome::Stored
    );
    let fresh = msg("r", t, "F", "e", Some("c-9"));
    assert_eq!(
        store.put_message(&fresh, "conn:e").await.unwrap(),
        PutOutcome::Stored
    );
}

pub async fn history_pages_newest_first(store: Arc<dyn Store>) {
    for i in 0..7 {
        store
            .put_message(&msg("h", 1000 + i, &format!("M{i}"), "a", None), "conn:a")
            .await
            .unwrap();
    }
    store
        .put_message(&msg("other", 5000, "X", "a", None), "conn:a")
        .await
        .unwrap();
    let h = room("h");
    let p = store.messages_before(&h, &query(None, 3)).await.unwrap();
    assert_eq!(ids(&p.messages), ["M4", "M5", "M6"]);
    assert!(p.more);
    let p = store
        .messages_before(&h, &query(Some(p.messages[0].key()), 3))
        .await
        .unwrap();
    assert_eq!(ids(&p.messages), ["M1", "M2", "M3"]);
    assert!(p.more);
    let p = store
        .messages_before(&h, &query(Some(p.messages[0].key()), 3))
        .await
        .unwrap();
    assert_eq!(ids(&p.messages), ["M0"]);
    assert!(!p.more);
    // Exactly `limit` left: no more.
    let key = MessageKey {
        ts: 1003,
        id: "M3".into(),
    };
    let p = store
        .messages_before(&h, &query(Some(key), 3))
        .await
        .unwrap();
    assert_eq!(p.messages.len(), 3);
    assert!(!p.more);
    // Retention: nothing before `since_ms`.
    let recent = HistoryQuery {
        since_ms: 1004,
        ..query(None, 10)
    };
    let p = store.messages_before(&h, &recent).await.unwrap();
    assert_eq!(ids(&p.messages), ["M4", "M5", "M6"]);
    assert!(!p.more);
    // Expired by their own ttl.
    let mut gone = msg("h", 2000, "G", "a", None);
    gone.ttl = Some(now_ms() / 1000 - 10);
    store.put_message(&gone, "conn:a").await.unwrap();
    let p = store.messages_before(&h, &query(None, 1)).await.unwrap();
    assert_eq!(ids(&p.messages), ["M6"]);
    assert!(
        store
            .messages_before(&room("nothing"), &query(None, 5))
            .await
            .unwrap()
            .messages
            .is_empty()
    );
}

fn translation(text: &str) -> Translation {
    Translation {
        text: text.into(),
        engine: "pseudo".into(),
        via: None,
    }
}

pub async fn translations_in_the_readers_language(store: Arc<dyn Store>) {
    let mut m = msg("t", 1000, "T", "a", None);
    m.translations.insert(lang("es"), translation("hola"));
    m.translations.insert(lang("de"), translation("hallo"));
    store.put_message(&m, "conn:a").await.unwrap();
    let later = msg("t", 1001, "U", "a", None);
    store.put_message(&later, "conn:a").await.unwrap();
    let page = store
        .messages_before(&m.room, &query(None, 5))
        .await
        .unwrap();
    assert_eq!(ids(&page.messages), ["T", "U"]);
    // Only the reader's language comes back.
    assert_eq!(
        page.messages[0].translations.keys().collect::<Vec<_>>(),
        [&lang("es")]
    );
    assert!(page.messages[1].translations.is_empty());
    // A translation made later is kept beside its message.
    store
        .put_translation(
            &m.room,
            &later.key(),
            lang("es"),
            &translation("luego"),
            None,
        )
        .await
        .unwrap();
    let page = store
        .messages_before(&m.room, &query(None, 5))
        .await
        .unwrap();
    assert_eq!(page.messages[1].translations[&lang("es")].text, "luego");
    let fr = HistoryQuery {
        lang: lang("fr"),
        ..query(None, 5)
    };
    let page = store.messages_before(&m.room, &fr).await.unwrap();
    assert!(page.messages.iter().all(|m| m.translations.is_empty()));
}

/// 10,000 bytes into every one of the 75 languages: no item comes near
/// 400 KB, and every reader gets theirs back.
pub async fn many_languages_of_long_text(store: Arc<dyn Store>) {
    let mut m = msg("big", now_ms(), "BIG", "a", Some("k"));
    m.text = "語".repeat(3_333);
    for l in Lang::all() {
        m.translations
            .insert(l, translation(&format!("{} {}", l, "x".repeat(9_990))));
    }
    assert_eq!(
        store.put_message(&m, "conn:a").await.unwrap(),
        PutOutcome::Stored
    );
    for l in ["ja", "zh-TW", "cy", "es"] {
        let q = HistoryQuery {
            lang: lang(l),
            ..query(None, 1)
        };
        let page = store.messages_before(&m.room, &q).await.unwrap();
        let t = &page.messages[0].translations[&lang(l)];
        assert!(t.text.starts_with(l) && t.text.len() > 9_990, "{l}");
    }
}

pub async fn items_over_400_kb_are_refused(store: Arc<dyn Store>) {
    let m = msg("lim", 1000, "L", "a", None);
    store.put_message(&m, "conn:a").await.unwrap();
    let huge = translation(&"x".repeat(401 * 1024));
    let err = store
        .put_translation(&m.room, &m.key(), lang("es"), &huge, None)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::ItemTooLarge { .. }), "{err}");
    // Just under the limit is fine.
    let big = translation(&"x".repeat(390 * 1024));
    store
        .put_translation(&m.room, &m.key(), lang("es"), &big, None)
        .await
        .unwrap();
}
