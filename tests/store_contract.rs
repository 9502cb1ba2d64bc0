//! The store contract: every `Store` implementation runs this same suite
//! (memory and redb; with `--features aws`, DynamoDB against DynamoDB
//! Local at `HONYAKU_DYNAMODB_ENDPOINT`, a fresh table per test).

#[cfg(feature = "aws")]
mod dynamodb_local;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use honyaku::model::{
    ClientMsgId, Connection, ConnectionId, Lang, Message, MessageKey, RoomName, Translation,
    TranslationRecord, UserName,
};
use honyaku::ports::{PutOutcome, Store};
use honyaku::store::{MemoryStore, RedbStore};

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn conn(id: &str, room: &str, lang: &str) -> Connection {
    Connection {
        id: ConnectionId::new(id),
        room: RoomName::parse(room).unwrap(),
        lang: Lang::parse(lang).unwrap(),
        name: UserName::parse(&format!("n-{id}")).unwrap(),
        connected_at: now_ms(),
    }
}

fn msg(room: &str, ts: i64, id: &str, from: &str, cmid: Option<&str>) -> Message {
    Message {
        id: id.into(),
        room: RoomName::parse(room).unwrap(),
        ts,
        from_name: UserName::parse(&format!("n-{from}")).unwrap(),
        from_connection: ConnectionId::new(from),
        source_lang: Lang::parse("ja").unwrap(),
        text: format!("text {id}"),
        translations: BTreeMap::new(),
        client_msg_id: cmid.map(|c| ClientMsgId::parse(c).unwrap()),
    }
}

fn room(s: &str) -> RoomName {
    RoomName::parse(s).unwrap()
}

async fn connections_and_members(store: Arc<dyn Store>) {
    let a = conn("a", "r", "en");
    let b = conn("b", "r", "ja");
    let c = conn("c", "r2", "es");
    for x in [&a, &b, &c] {
        store.put_connection(x).await.unwrap();
    }
    assert_eq!(store.get_connection(&a.id).await.unwrap(), Some(a.clone()));
    assert_eq!(
        store
            .get_connection(&ConnectionId::new("zz"))
            .await
            .unwrap(),
        None
    );
    let members = store.room_members(&room("r")).await.unwrap();
    let ids: Vec<&str> = members.iter().map(|m| m.connection_id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(members[1].lang.as_str(), "ja");
    assert_eq!(members[1].name.as_str(), "n-b");
    // "r" is not a prefix match for "r2".
    assert_eq!(store.room_members(&room("r2")).await.unwrap().len(), 1);
    assert!(store.room_members(&room("empty")).await.unwrap().is_empty());
}

async fn moving_and_deleting(store: Arc<dyn Store>) {
    let a = conn("a", "r", "en");
    store.put_connection(&a).await.unwrap();
    let moved = Connection {
        room: room("s"),
        lang: Lang::parse("de").unwrap(),
        ..a.clone()
    };
    store.update_connection(&a, &moved).await.unwrap();
    assert!(store.room_members(&room("r")).await.unwrap().is_empty());
    let s = store.room_members(&room("s")).await.unwrap();
    assert_eq!((s.len(), s[0].lang.as_str()), (1, "de"));
    assert_eq!(
        store.get_connection(&a.id).await.unwrap(),
        Some(moved.clone())
    );

    // Same room, new name: the member row follows.
    let renamed = Connection {
        name: UserName::parse("Zed").unwrap(),
        ..moved.clone()
    };
    store.update_connection(&moved, &renamed).await.unwrap();
    assert_eq!(
        store.room_members(&room("s")).await.unwrap()[0]
            .name
            .as_str(),
        "Zed"
    );

    assert_eq!(store.delete_connection(&a.id).await.unwrap(), Some(renamed));
    assert_eq!(store.get_connection(&a.id).await.unwrap(), None);
    assert!(store.room_members(&room("s")).await.unwrap().is_empty());
    // Deleting twice is harmless.
    assert_eq!(store.delete_connection(&a.id).await.unwrap(), None);
}

async fn expired_rows_are_skipped(store: Arc<dyn Store>) {
    let old = Connection {
        connected_at: now_ms() - 3 * 3600 * 1000,
        ..conn("old", "r", "en")
    };
    store.put_connection(&old).await.unwrap();
    store.put_connection(&conn("new", "r", "en")).await.unwrap();
    let ids: Vec<String> = store
        .room_members(&room("r"))
        .await
        .unwrap()
        .iter()
        .map(|m| m.connection_id.to_string())
        .collect();
    assert_eq!(ids, ["new"]);
    assert_eq!(store.get_connection(&old.id).await.unwrap(), None);
}

async fn client_msg_ids_are_once_per_sender(store: Arc<dyn Store>) {
    let t = now_ms();
    let first = msg("r", t, "A", "a", Some("c-1"));
    assert_eq!(store.put_message(&first).await.unwrap(), PutOutcome::Stored);
    let cmid = ClientMsgId::parse("c-1").unwrap();
    let name = |n: &str| UserName::parse(n).unwrap();
    assert!(
        store
            .has_client_msg(&room("r"), &name("n-a"), &cmid)
            .await
            .unwrap()
    );
    assert!(
        !store
            .has_client_msg(&room("r"), &name("n-b"), &cmid)
            .await
            .unwrap()
    );
    assert!(
        !store
            .has_client_msg(&room("r2"), &name("n-a"), &cmid)
            .await
            .unwrap()
    );
    // The same sender again, even from a new connection after a reconnect.
    let again = Message {
        from_connection: ConnectionId::new("a-reconnected"),
        ..msg("r", t + 1, "B", "a", Some("c-1"))
    };
    assert_eq!(
        store.put_message(&again).await.unwrap(),
        PutOutcome::Duplicate
    );
    let other_sender = msg("r", t + 2, "C", "b", Some("c-1"));
    assert_eq!(
        store.put_message(&other_sender).await.unwrap(),
        PutOutcome::Stored
    );
    let other_room = msg("r2", t + 3, "D", "a", Some("c-1"));
    assert_eq!(
        store.put_message(&other_room).await.unwrap(),
        PutOutcome::Stored
    );
    let page = store.messages_before(&room("r"), None, 10).await.unwrap();
    let ids: Vec<&str> = page.messages.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["A", "C"]);
    // A day-old marker no longer counts.
    let old = msg("r", t - 25 * 3600 * 1000, "E", "e", Some("c-9"));
    assert_eq!(store.put_message(&old).await.unwrap(), PutOutcome::Stored);
    let fresh = msg("r", t, "F", "e", Some("c-9"));
    assert_eq!(store.put_message(&fresh).await.unwrap(), PutOutcome::Stored);
}

async fn connections_are_listed_for_sweeping(store: Arc<dyn Store>) {
    let old = Connection {
        connected_at: now_ms() - 60_000,
        ..conn("old", "r", "en")
    };
    store.put_connection(&old).await.unwrap();
    store.put_connection(&conn("new", "r", "en")).await.unwrap();
    let listed = store.connections_before(now_ms() - 30_000).await.unwrap();
    // Stores with their own expiry (DynamoDB's TTL) may list nothing.
    assert!(listed.is_empty() || listed == [old], "{listed:?}");
}

async fn history_pages_newest_first(store: Arc<dyn Store>) {
    for i in 0..7 {
        store
            .put_message(&msg("h", 1000 + i, &format!("M{i}"), "a", None))
            .await
            .unwrap();
    }
    store
        .put_message(&msg("other", 5000, "X", "a", None))
        .await
        .unwrap();
    let p = store.messages_before(&room("h"), None, 3).await.unwrap();
    let ids: Vec<&str> = p.messages.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["M4", "M5", "M6"]);
    assert!(p.more);
    let before = p.messages[0].key();
    let p = store
        .messages_before(&room("h"), Some(&before), 3)
        .await
        .unwrap();
    let ids: Vec<&str> = p.messages.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["M1", "M2", "M3"]);
    assert!(p.more);
    let p = store
        .messages_before(&room("h"), Some(&p.messages[0].key()), 3)
        .await
        .unwrap();
    assert_eq!(p.messages.len(), 1);
    assert!(!p.more);
    // Exactly `limit` left: no more.
    let p = store
        .messages_before(
            &room("h"),
            Some(&MessageKey {
                ts: 1003,
                id: "M3".into(),
            }),
            3,
        )
        .await
        .unwrap();
    assert_eq!(p.messages.len(), 3);
    assert!(!p.more);
    assert!(
        store
            .messages_before(&room("nothing"), None, 5)
            .await
            .unwrap()
            .messages
            .is_empty()
    );
}

async fn translations_are_kept(store: Arc<dyn Store>) {
    let m = msg("t", 1000, "T", "a", None);
    store.put_message(&m).await.unwrap();
    let es = Translation {
        text: "hola".into(),
        engine: "pseudo".into(),
        via: None,
    };
    store
        .put_translation(&m.room, &m.key(), Lang::parse("es").unwrap(), &es)
        .await
        .unwrap();
    let page = store.messages_before(&m.room, None, 1).await.unwrap();
    assert_eq!(
        page.messages[0]
            .translations
            .get(&Lang::parse("es").unwrap()),
        Some(&es)
    );
    // A translation for a message that is gone is dropped quietly.
    let missing = MessageKey {
        ts: 1,
        id: "nope".into(),
    };
    store
        .put_translation(&m.room, &missing, Lang::EN, &es)
        .await
        .unwrap();
}

async fn rest_translations_are_kept_by_day(store: Arc<dyn Store>) {
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
    };
    let a = record(midnight, "A", Some("pseudo"));
    let b = record(midnight + 1_000, "B", None);
    let c = record(midnight + 86_400_000 - 1, "C", Some("pseudo"));
    let next_day = record(midnight + 86_400_000, "D", Some("pseudo"));
    let day_before = record(midnight - 1, "E", Some("pseudo"));
    for r in [&b, &a, &next_day, &c, &day_before] {
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

macro_rules! contract {
    ($store:ident, $make:expr) => {
        mod $store {
            use super::*;

            #[tokio::test]
            async fn connections_and_members() {
                let (_guard, store) = $make;
                super::connections_and_members(store).await;
            }
            #[tokio::test]
            async fn moving_and_deleting() {
                let (_guard, store) = $make;
                super::moving_and_deleting(store).await;
            }
            #[tokio::test]
            async fn expired_rows_are_skipped() {
                let (_guard, store) = $make;
                super::expired_rows_are_skipped(store).await;
            }
            #[tokio::test]
            async fn client_msg_ids_are_once_per_sender() {
                let (_guard, store) = $make;
                super::client_msg_ids_are_once_per_sender(store).await;
            }
            #[tokio::test]
            async fn connections_are_listed_for_sweeping() {
                let (_guard, store) = $make;
                super::connections_are_listed_for_sweeping(store).await;
            }
            #[tokio::test]
            async fn history_pages_newest_first() {
                let (_guard, store) = $make;
                super::history_pages_newest_first(store).await;
            }
            #[tokio::test]
            async fn translations_are_kept() {
                let (_guard, store) = $make;
                super::translations_are_kept(store).await;
            }
            #[tokio::test]
            async fn rest_translations_are_kept_by_day() {
                let (_guard, store) = $make;
                super::rest_translations_are_kept_by_day(store).await;
            }
        }
    };
}

contract!(
    memory,
    ((), Arc::new(MemoryStore::in_memory()) as Arc<dyn Store>)
);
contract!(redb, {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(RedbStore::open(dir.path()).unwrap()) as Arc<dyn Store>;
    (dir, store)
});

#[cfg(feature = "aws")]
contract!(dynamodb, {
    match dynamodb_local::contract_store(concat!(module_path!(), " (DynamoDB contract)")).await {
        Some(made) => made,
        None => return,
    }
});

#[tokio::test]
async fn redb_keeps_everything_across_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = RedbStore::open(dir.path()).unwrap();
        store
            .put_message(&msg("p", now_ms(), "P", "a", Some("k")))
            .await
            .unwrap();
        store.put_connection(&conn("a", "p", "en")).await.unwrap();
    }
    let store = RedbStore::open(dir.path()).unwrap();
    let page = store.messages_before(&room("p"), None, 10).await.unwrap();
    assert_eq!(page.messages[0].id, "P");
    assert_eq!(store.room_members(&room("p")).await.unwrap().len(), 1);
    assert_eq!(
        store
            .put_message(&msg("p", now_ms() + 1, "Q", "a", Some("k")))
            .await
            .unwrap(),
        PutOutcome::Duplicate
    );
}

#[test]
fn redb_refuses_a_path_it_cannot_use() {
    let file = tempfile::NamedTempFile::new().unwrap();
    // A file where a directory should be.
    let err = RedbStore::open(file.path()).err().expect("must fail");
    assert!(err.to_string().contains("creating"), "{err}");
}
