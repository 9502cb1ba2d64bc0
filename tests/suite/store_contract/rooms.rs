//! Connections and rooms: join order, the atomic count, moving, expiry,
//! instance lists, typing marks.

use std::sync::Arc;

use honyaku::model::{ClientKey, Connection, ConnectionId, UserName};
use honyaku::ports::{Admission, Store};

use super::{conn, lang, now_ms, room};

fn ids(members: &[honyaku::model::Member]) -> Vec<&str> {
    members.iter().map(|m| m.connection_id.as_str()).collect()
}

pub async fn members_in_join_order(store: Arc<dyn Store>) {
    let t = now_ms();
    // Ids sort the other way round from join times.
    let mut c = conn("c", "r", "en");
    c.joined_at = t;
    let mut b = conn("b", "r", "ja");
    b.joined_at = t + 1;
    b.client = Some(ClientKey::parse("bbbbbbbbbbbbbbbbbb").unwrap());
    let mut a = conn("a", "r", "es");
    a.joined_at = t + 2;
    let other = conn("x", "r2", "es");
    for (i, x) in [&c, &b, &a, &other].into_iter().enumerate() {
        let expected = if x.room == room("r") { i + 1 } else { 1 };
        assert_eq!(
            store.put_connection(x, 100).await.unwrap(),
            Admission::Admitted { count: expected }
        );
    }
    assert_eq!(store.get_connection(&a.id).await.unwrap(), Some(a.clone()));
    assert_eq!(
        store
            .get_connection(&ConnectionId::new("zz"))
            .await
            .unwrap(),
        None
    );
    let page = store.room_members(&room("r"), None, 10).await.unwrap();
    assert_eq!(ids(&page.members), ["c", "b", "a"]);
    assert_eq!(page.members[1].lang.as_str(), "ja");
    assert_eq!(page.members[1].name.as_str(), "n-b");
    assert_eq!(page.members[1].tag, b.tag());
    assert!(page.next.is_none());
    // Pages of two.
    let first = store.room_members(&room("r"), None, 2).await.unwrap();
    assert_eq!(ids(&first.members), ["c", "b"]);
    let after = first.next.expect("a next page");
    let second = store
        .room_members(&room("r"), Some(&after), 2)
        .await
        .unwrap();
    assert_eq!(ids(&second.members), ["a"]);
    assert!(second.next.is_none());
    // "r" is not a prefix match for "r2".
    assert_eq!(store.room_count(&room("r")).await.unwrap(), 3);
    assert_eq!(store.room_count(&room("r2")).await.unwrap(), 1);
    assert_eq!(store.room_count(&room("empty")).await.unwrap(), 0);
    assert!(
        store
            .room_members(&room("empty"), None, 5)
            .await
            .unwrap()
            .members
            .is_empty()
    );
}

pub async fn capacity_is_atomic(store: Arc<dyn Store>) {
    let joins = (0..40).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .put_connection(&conn(&format!("c{i}"), "cap", "en"), 7)
                .await
        })
    });
    let results = futures_util::future::join_all(joins).await;
    let admitted = results
        .into_iter()
        .filter(|r| matches!(r.as_ref().unwrap(), Ok(Admission::Admitted { .. })))
        .count();
    assert_eq!(admitted, 7);
    assert_eq!(store.room_count(&room("cap")).await.unwrap(), 7);
    assert_eq!(
        store
            .room_members(&room("cap"), None, 50)
            .await
            .unwrap()
            .members
            .len(),
        7
    );
    // Refused ones left nothing behind.
    let stored = futures_util::future::join_all(
        (0..40).map(|i| store.get_connection_owned(format!("c{i}"))),
    )
    .await;
    assert_eq!(stored.iter().filter(|c| c.is_some()).count(), 7);
}

/// `get_connection` with an owned id, for joining many at once.
trait GetOwned {
    fn get_connection_owned(
        &self,
        id: String,
    ) -> impl std::future::Future<Output = Option<Connection>>;
}

impl GetOwned for Arc<dyn Store> {
    async fn get_connection_owned(&self, id: String) -> Option<Connection> {
        self.get_connection(&ConnectionId::new(id)).await.unwrap()
    }
}

pub async fn moving_and_deleting(store: Arc<dyn Store>) {
    let a = conn("a", "r", "en");
    store.put_connection(&a, 10).await.unwrap();
    store
        .put_connection(&conn("s1", "s", "en"), 10)
        .await
        .unwrap();
    let moved = Connection {
        room: room("s"),
        lang: lang("de"),
        joined_at: now_ms() + 1_000,
        ..a.clone()
    };
    assert_eq!(
        store.update_connection(&a, &moved, 10).await.unwrap(),
        Admission::Admitted { count: 2 }
    );
    assert_eq!(store.room_count(&room("r")).await.unwrap(), 0);
    assert!(
        store
            .room_members(&room("r"), None, 5)
            .await
            .unwrap()
            .members
            .is_empty()
    );
    let s = store
        .room_members(&room("s"), None, 5)
        .await
        .unwrap()
        .members;
    assert_eq!((s.len(), s[1].lang.as_str()), (2, "de"));
    assert_eq!(
        store.get_connection(&a.id).await.unwrap(),
        Some(moved.clone())
    );

    // Same room, new name: the member row follows, the count stays.
    let renamed = Connection {
        name: UserName::parse("Zed").unwrap(),
        ..moved.clone()
    };
    assert_eq!(
        store.update_connection(&moved, &renamed, 10).await.unwrap(),
        Admission::Admitted { count: 2 }
    );
    let s = store
        .room_members(&room("s"), None, 5)
        .await
        .unwrap()
        .members;
    assert_eq!(s[1].name.as_str(), "Zed");

    // A full room refuses the move and nothing changes.
    store
        .put_connection(&conn("f1", "full", "en"), 1)
        .await
        .unwrap();
    let into_full = Connection {
        room: room("full"),
        ..renamed.clone()
    };
    assert_eq!(
        store
            .update_connection(&renamed, &into_full, 1)
            .await
            .unwrap(),
        Admission::Full
    );
    assert_eq!(
        store.get_connection(&a.id).await.unwrap(),
        Some(renamed.clone())
    );
    assert_eq!(store.room_count(&room("s")).await.unwrap(), 2);

    let gone = store
        .delete_connection(&a.id)
        .await
        .unwrap()
        .expect("it existed");
    assert_eq!((gone.conn, gone.count), (renamed, 1));
    assert_eq!(store.get_connection(&a.id).await.unwrap(), None);
    assert_eq!(store.room_count(&room("s")).await.unwrap(), 1);
    // Deleting twice is harmless and frees nothing more.
    assert_eq!(store.delete_connection(&a.id).await.unwrap(), None);
    assert_eq!(store.room_count(&room("s")).await.unwrap(), 1);
}

pub async fn expired_rows_are_skipped(store: Arc<dyn Store>) {
    let long_ago = now_ms() - 3 * 3600 * 1000;
    let old = Connection {
        connected_at: long_ago,
        joined_at: long_ago,
        ..conn("old", "r", "en")
    };
    store.put_connection(&old, 10).await.unwrap();
    store
        .put_connection(&conn("new", "r", "en"), 10)
        .await
        .unwrap();
    let page = store.room_members(&room("r"), None, 10).await.unwrap();
    assert_eq!(ids(&page.members), ["new"]);
    assert_eq!(store.get_connection(&old.id).await.unwrap(), None);
}

/// A member whose `$disconnect` never came does not hold its place for
/// ever: a room that looks full reaps stale members first.
pub async fn stale_members_give_their_place_back(store: Arc<dyn Store>) {
    let long_ago = now_ms() - 3 * 3600 * 1000;
    let stale = Connection {
        connected_at: long_ago,
        joined_at: long_ago,
        ..conn("stale", "one", "en")
    };
    store.put_connection(&stale, 1).await.unwrap();
    assert_eq!(
        store
            .put_connection(&conn("fresh", "one", "en"), 1)
            .await
            .unwrap(),
        Admission::Admitted { count: 1 }
    );
    assert_eq!(
        store
            .put_connection(&conn("third", "one", "en"), 1)
            .await
            .unwrap(),
        Admission::Full
    );
    let page = store.room_members(&room("one"), None, 5).await.unwrap();
    assert_eq!(ids(&page.members), ["fresh"]);
    // The stale one's own late `$disconnect` frees nothing more.
    store.delete_connection(&stale.id).await.unwrap();
    assert_eq!(store.room_count(&room("one")).await.unwrap(), 1);
}

pub async fn instances_and_sweeping(store: Arc<dyn Store>) {
    let mut mine = conn("mine", "r", "en");
    mine.instance = Some("inst-1".into());
    mine.connected_at = now_ms() - 60_000;
    let mut theirs = conn("theirs", "r", "en");
    theirs.instance = Some("inst-2".into());
    for c in [&mine, &theirs] {
        store.put_connection(c, 10).await.unwrap();
    }
    assert_eq!(
        store.connections_of_instance("inst-1").await.unwrap(),
        [mine.clone()]
    );
    assert!(
        store
            .connections_of_instance("inst-9")
            .await
            .unwrap()
            .is_empty()
    );
    let listed = store.connections_before(now_ms() - 30_000).await.unwrap();
    // Stores with their own expiry (DynamoDB's TTL) may list nothing.
    assert!(listed.is_empty() || listed == [mine.clone()], "{listed:?}");
    store.delete_connection(&mine.id).await.unwrap();
    assert!(
        store
            .connections_of_instance("inst-1")
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn typing_is_throttled(store: Arc<dyn Store>) {
    let a = conn("a", "r", "en");
    store.put_connection(&a, 10).await.unwrap();
    let t = now_ms();
    assert!(store.touch_typing(&a.id, t, 3_000).await.unwrap());
    assert!(!store.touch_typing(&a.id, t + 1_000, 3_000).await.unwrap());
    assert!(store.touch_typing(&a.id, t + 3_000, 3_000).await.unwrap());
    // Not a connection: never counts.
    assert!(
        !store
            .touch_typing(&ConnectionId::new("nobody"), t, 3_000)
            .await
            .unwrap()
    );
}

/// v1.2: who left a room moments ago, by client tag, until the note
/// expires.
pub async fn departures_are_noted_for_the_grace(store: Arc<dyn Store>) {
    use honyaku::limits::REJOIN_GRACE;
    let r = room("left");
    let key = ClientKey::parse("a-client-key-00001").unwrap();
    let tag = key.tag(&r);
    assert_eq!(store.left_at(&r, &tag).await.unwrap(), None);
    let now = now_ms();
    store.note_left(&r, &tag, now).await.unwrap();
    assert_eq!(store.left_at(&r, &tag).await.unwrap(), Some(now));
    let other = room("elsewhere");
    assert_eq!(store.left_at(&other, &key.tag(&other)).await.unwrap(), None);
    // A note older than the grace is gone.
    let long_ago = now - REJOIN_GRACE.as_millis() as i64 - 5_000;
    store.note_left(&r, &tag, long_ago).await.unwrap();
    assert_eq!(store.left_at(&r, &tag).await.unwrap(), None);
}
