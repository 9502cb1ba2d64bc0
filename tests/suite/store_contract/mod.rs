//! The store contract: every `Store` implementation runs this same suite
//! (memory and redb; with `--features aws`, DynamoDB against DynamoDB
//! Local at `HONYAKU_DYNAMODB_ENDPOINT`, a fresh table per test).
//!
//! - `rooms.rs`: connections, members, counts, capacity, typing.
//! - `messages.rs`: messages, translations, history, `clientMsgId`, the
//!   400 KB item limit.
//! - `upkeep.rs`: counters, delivery markers, REST records, expiry.
//! - `amend.rs`: v1.2's edits, deletes, corrections and room memory, glossary.
//! - `social.rs`: v1.2's reply quotes and reactions.
//! - `quotes.rs`: a deleted message's text leaves the replies quoting it,
//!   an edited one's quotes read the edit (searched for in a dump of
//!   every row).

mod amend;
mod messages;
mod quotes;
mod rooms;
mod social;
mod upkeep;

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::future::BoxFuture;

use honyaku::model::{ClientMsgId, Connection, ConnectionId, Lang, Message, RoomName, UserName};
use honyaku::ports::Store;
use honyaku::store::{MemoryStore, RedbStore};

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn conn(id: &str, room: &str, lang: &str) -> Connection {
    let now = now_ms();
    Connection {
        id: ConnectionId::new(id),
        room: RoomName::parse(room).unwrap(),
        lang: Lang::parse(lang).unwrap(),
        name: UserName::parse(&format!("n-{id}")).unwrap(),
        connected_at: now,
        joined_at: now,
        client: None,
        source_ip: None,
        instance: None,
        admin: false,
    }
}

fn msg(room: &str, ts: i64, id: &str, from: &str, cmid: Option<&str>) -> Message {
    Message {
        id: id.into(),
        room: RoomName::parse(room).unwrap(),
        ts,
        from_name: UserName::parse(&format!("n-{from}")).unwrap(),
        from_connection: ConnectionId::new(from),
        from_tag: None,
        source_lang: Lang::parse("ja").unwrap(),
        text: format!("text {id}"),
        translations: BTreeMap::new(),
        client_msg_id: cmid.map(|c| ClientMsgId::parse(c).unwrap()),
        ttl: None,
        from_client: None,
        edited_at: None,
        deleted_at: None,
        corrected: BTreeMap::new(),
        reply_to: None,
    }
}

fn room(s: &str) -> RoomName {
    RoomName::parse(s).unwrap()
}

fn lang(s: &str) -> Lang {
    Lang::parse(s).unwrap()
}

/// Every row of a store's table as text, to search for what must be gone.
pub type Dump = Arc<dyn Fn() -> BoxFuture<'static, Vec<String>> + Send + Sync>;

/// [`Dump`] of an embedded store (its `dump`).
macro_rules! embedded_dump {
    ($store:expr) => {{
        let store = $store.clone();
        let dump: Dump = Arc::new(move || {
            let store = store.clone();
            Box::pin(async move {
                store
                    .dump()
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|(pk, sk, v)| format!("{pk} {sk} {}", String::from_utf8_lossy(&v)))
                    .collect()
            })
        });
        dump
    }};
}

/// One `#[tokio::test]` per contract case, for one store.
macro_rules! contract {
    ($store:ident, $make:expr) => {
        mod $store {
            use super::*;

            macro_rules! case {
                ($name:ident, $path:path) => {
                    #[tokio::test]
                    async fn $name() {
                        let (_guard, store, _dump) = $make;
                        $path(store).await;
                    }
                };
                ($name:ident, $path:path, dump) => {
                    #[tokio::test]
                    async fn $name() {
                        let (_guard, store, dump) = $make;
                        $path(store, dump).await;
                    }
                };
            }

            case!(members_in_join_order, rooms::members_in_join_order);
            case!(capacity_is_atomic, rooms::capacity_is_atomic);
            case!(moving_and_deleting, rooms::moving_and_deleting);
            case!(expired_rows_are_skipped, rooms::expired_rows_are_skipped);
            case!(
                stale_members_give_their_place_back,
                rooms::stale_members_give_their_place_back
            );
            case!(instances_and_sweeping, rooms::instances_and_sweeping);
            case!(typing_is_throttled, rooms::typing_is_throttled);
            case!(
                departures_are_noted_for_the_grace,
                rooms::departures_are_noted_for_the_grace
            );
            case!(
                client_msg_ids_are_once_per_scope,
                messages::client_msg_ids_are_once_per_scope
            );
            case!(
                history_pages_newest_first,
                messages::history_pages_newest_first
            );
            case!(
                translations_in_the_readers_language,
                messages::translations_in_the_readers_language
            );
            case!(
                many_languages_of_long_text,
                messages::many_languages_of_long_text
            );
            case!(
                items_over_400_kb_are_refused,
                messages::items_over_400_kb_are_refused
            );
            case!(counters_count_and_refuse, upkeep::counters_count_and_refuse);
            case!(delivery_markers, upkeep::delivery_markers);
            case!(rest_translations_by_day, upkeep::rest_translations_by_day);
            case!(expired_rows_are_purged, upkeep::expired_rows_are_purged);
            case!(
                expired_messages_take_their_translations,
                upkeep::expired_messages_take_their_translations,
                dump
            );
            case!(
                edits_replace_text_and_translations,
                amend::edits_replace_text_and_translations
            );
            case!(deletes_leave_a_tombstone, amend::deletes_leave_a_tombstone);
            case!(
                translations_added_later_go_with_edits_and_deletes,
                amend::translations_added_later_go_with_edits_and_deletes
            );
            case!(
                corrections_are_kept_and_remembered,
                amend::corrections_are_kept_and_remembered
            );
            case!(
                room_memory_is_bounded_oldest_first,
                amend::room_memory_is_bounded_oldest_first
            );
            case!(
                glossary_is_versioned_and_holds_its_maximum,
                amend::glossary_is_versioned_and_holds_its_maximum
            );
            case!(
                reply_quotes_are_kept_with_their_message,
                social::reply_quotes_are_kept_with_their_message
            );
            case!(
                reactions_toggle_atomically,
                social::reactions_toggle_atomically
            );
            case!(
                reactions_at_their_bound_with_many_reactors,
                social::reactions_at_their_bound_with_many_reactors
            );
            case!(
                a_deleted_text_leaves_every_quote,
                quotes::a_deleted_text_leaves_every_quote,
                dump
            );
            case!(
                an_edit_refreshes_every_quote,
                quotes::an_edit_refreshes_every_quote,
                dump
            );
        }
    };
}

contract!(memory, {
    let store = Arc::new(MemoryStore::in_memory());
    let dump = embedded_dump!(store);
    ((), store as Arc<dyn Store>, dump)
});
contract!(redb, {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(RedbStore::open(dir.path()).unwrap());
    let dump = embedded_dump!(store);
    (dir, store as Arc<dyn Store>, dump)
});

#[cfg(feature = "aws")]
contract!(dynamodb, {
    match crate::dynamodb_local::contract_store(concat!(module_path!(), " (DynamoDB contract)"))
        .await
    {
        Some(made) => made,
        None => return,
    }
});

#[tokio::test]
async fn redb_keeps_everything_across_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let query = honyaku::ports::HistoryQuery {
        before: None,
        limit: 10,
        lang: lang("es"),
        since_ms: 0,
    };
    {
        let store = RedbStore::open(dir.path()).unwrap();
        store
            .put_message(&msg("p", now_ms(), "P", "a", Some("k")), "conn:a")
            .await
            .unwrap();
        store
            .put_connection(&conn("a", "p", "en"), 10)
            .await
            .unwrap();
    }
    let store = RedbStore::open(dir.path()).unwrap();
    let page = store.messages_before(&room("p"), &query).await.unwrap();
    assert_eq!(page.messages[0].id, "P");
    assert_eq!(store.room_count(&room("p")).await.unwrap(), 1);
    assert_eq!(
        store
            .put_message(&msg("p", now_ms() + 1, "Q", "a", Some("k")), "conn:a")
            .await
            .unwrap(),
        honyaku::ports::PutOutcome::Duplicate
    );
}

/// Counters are answered before their commit is durable (a message does
/// not wait for a commit per counter), but groups commit in order: once a
/// later write is durable, so is every counter step answered before it.
#[tokio::test]
async fn redb_counters_are_durable_with_the_next_write() {
    use honyaku::ports::{Counter, Step, Tally};
    let dir = tempfile::tempdir().unwrap();
    let counter = Counter::Sender {
        who: "c:early".into(),
        at: chrono::Utc::now(),
    };
    let step = |add| Step {
        field: "chars",
        add,
        max: Some(100),
    };
    {
        let store = RedbStore::open(dir.path()).unwrap();
        assert_eq!(
            store.increment(&counter, &[step(60)]).await.unwrap(),
            Tally::Counted(vec![60])
        );
        store
            .put_connection(&conn("a", "p", "en"), 10)
            .await
            .unwrap();
    }
    let store = RedbStore::open(dir.path()).unwrap();
    assert_eq!(
        store.increment(&counter, &[step(60)]).await.unwrap(),
        Tally::Refused(vec![60]),
        "the first 60 survived the reopen"
    );
}

/// Counters are counted in memory and written behind: concurrent steps
/// still hold the limit exactly, and what was counted is on disk once a
/// later write is durable.
#[tokio::test]
async fn redb_counters_in_memory_hold_the_limit_and_persist() {
    use honyaku::ports::{Counter, Step, Tally};
    let dir = tempfile::tempdir().unwrap();
    let counter = Counter::Sender {
        who: "c:many".into(),
        at: chrono::Utc::now(),
    };
    let step = Step {
        field: "n",
        add: 1,
        max: Some(10),
    };
    {
        let store = std::sync::Arc::new(RedbStore::open(dir.path()).unwrap());
        let tasks: Vec<_> = (0..40)
            .map(|_| {
                let (store, counter) = (store.clone(), counter.clone());
                tokio::spawn(async move { store.increment(&counter, &[step]).await.unwrap() })
            })
            .collect();
        let mut counted = 0;
        for t in tasks {
            if matches!(t.await.unwrap(), Tally::Counted(_)) {
                counted += 1;
            }
        }
        assert_eq!(counted, 10, "exactly the limit");
        store
            .put_connection(&conn("a", "p", "en"), 10)
            .await
            .unwrap();
    }
    let store = RedbStore::open(dir.path()).unwrap();
    assert_eq!(
        store.increment(&counter, &[step]).await.unwrap(),
        Tally::Refused(vec![10]),
        "the ten steps survived the reopen"
    );
}

#[test]
fn redb_refuses_a_path_it_cannot_use() {
    let file = tempfile::NamedTempFile::new().unwrap();
    // A file where a directory should be.
    let err = RedbStore::open(file.path()).err().expect("must fail");
    assert!(err.to_string().contains("creating"), "{err}");
}
