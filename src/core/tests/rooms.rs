//! Presence, `join`, `members`, `typing`, and a room's capacity.

use std::sync::Arc;

use serde_json::json;

use super::{fixture, fixture_with};
use crate::core::{ConnectParams, Policy};
use crate::model::ConnectionId;

#[tokio::test]
async fn presence_goes_to_others_only_with_counts() {
    let f = fixture();
    f.join("a", "r", "en").await;
    f.join("b", "r", "ja").await;
    assert!(f.take("b").is_empty());
    let a = f.take("a");
    assert_eq!(a[0]["type"], "presence");
    assert_eq!(a[0]["event"], "join");
    assert_eq!(a[0]["count"], 2);
    assert_eq!(a[0]["lang"], "ja");
    // Changing only the language (or name) is an update.
    f.send("b", json!({"action":"join","lang":"es","name":"Bea"}))
        .await;
    let a = f.take("a");
    assert_eq!(
        (
            a[0]["event"].as_str(),
            a[0]["lang"].as_str(),
            a[0]["name"].as_str()
        ),
        (Some("update"), Some("es"), Some("Bea"))
    );
    assert_eq!(a[0]["previousName"], "n-b");
    assert_eq!(a[0]["count"], 2);
    assert_eq!(f.take("b")[0]["type"], "joined");
    // Only the language: no previousName.
    f.send("b", json!({"action":"join","lang":"ja"})).await;
    assert!(f.take("a")[0].get("previousName").is_none());
    f.clear(&["b"]);
    // A room switch: leave to the old room, join to the new.
    f.join("c", "s", "en").await;
    f.send("b", json!({"action":"join","room":"s"})).await;
    let a = f.take("a");
    assert_eq!(
        (a[0]["event"].as_str(), a[0]["count"].as_u64()),
        (Some("leave"), Some(1))
    );
    let c = f.take("c");
    assert_eq!(
        (c[0]["event"].as_str(), c[0]["count"].as_u64()),
        (Some("join"), Some(2))
    );
    let joined = f.take("b").remove(0);
    assert_eq!(joined["room"], "s");
    assert_eq!(joined["count"], 2);
    assert!(joined["next"].is_null());
    // Oldest member first.
    let names: Vec<&str> = joined["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["n-c", "Bea"]);
    // Disconnect tells the room.
    f.app.disconnect(&ConnectionId::new("c")).await;
    let b = f.take("b");
    assert_eq!(
        (b[0]["event"].as_str(), b[0]["count"].as_u64()),
        (Some("leave"), Some(1))
    );
}

#[tokio::test]
async fn members_come_in_pages_with_the_rooms_count() {
    let f = fixture();
    for i in 0..1_203 {
        f.join(&format!("m{i:04}"), "big", "en").await;
    }
    f.clear(&["m0000"]);
    f.send("m0000", json!({"action":"members"})).await;
    let page = f.take("m0000").remove(0);
    assert_eq!(page["count"], 1_203);
    assert_eq!(page["members"].as_array().unwrap().len(), 500);
    assert_eq!(page["members"][0]["name"], "n-m0000");
    let mut seen = 500;
    let mut next = page["next"].as_str().unwrap().to_owned();
    loop {
        f.send("m0000", json!({"action":"members","after":next}))
            .await;
        let page = f.take("m0000").remove(0);
        seen += page["members"].as_array().unwrap().len();
        match page["next"].as_str() {
            Some(n) => next = n.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, 1_203);
    // A cursor from elsewhere, or garbage, is a bad request.
    f.send("m0000", json!({"action":"members","after":"nope"}))
        .await;
    assert_eq!(f.take("m0000")[0]["code"], "bad_request");
}

#[tokio::test]
async fn big_rooms_hear_no_presence_and_no_typing() {
    let f = fixture_with(Policy {
        presence_max_members: 3,
        ..Policy::default()
    });
    for id in ["a", "b", "c"] {
        f.join(id, "r", "en").await;
    }
    assert_eq!(f.take("a").len(), 2, "joins while the room is small");
    f.join("d", "r", "en").await;
    assert!(f.take("a").is_empty(), "the fourth member is not announced");
    f.send("b", json!({"action":"typing"})).await;
    assert!(f.take("a").is_empty());
    f.app.disconnect(&ConnectionId::new("d")).await;
    assert_eq!(
        f.take("a")[0]["event"],
        "leave",
        "back to 3: presence again"
    );
}

#[tokio::test]
async fn typing_is_relayed_to_others_at_most_every_three_seconds() {
    let f = fixture();
    f.connect("a", "r", "en", Some("aki-client-secret-01"))
        .await;
    f.join("b", "r", "es").await;
    f.clear(&["a", "b"]);
    for _ in 0..5 {
        f.send("a", json!({"action":"typing"})).await;
    }
    let b = f.take("b");
    assert_eq!(b.len(), 1);
    assert_eq!(b[0]["type"], "typing");
    assert_eq!(b[0]["name"], "n-a");
    assert_eq!(b[0]["tag"].as_str().unwrap().len(), 12);
    assert!(f.take("a").is_empty(), "nothing to the sender");
}

#[tokio::test]
async fn a_full_room_refuses_at_connect_and_at_join() {
    let f = fixture_with(Policy {
        max_room_members: 2,
        ..Policy::default()
    });
    f.join("a", "r", "en").await;
    f.join("b", "r", "en").await;
    let params = ConnectParams {
        room: Some("r".into()),
        ..ConnectParams::default()
    };
    let e = f
        .app
        .connect(ConnectionId::new("c"), params, super::super::now_ms())
        .await
        .unwrap_err();
    assert_eq!((e.status(), e.code()), (429, "room_full"));
    f.join("d", "s", "en").await;
    f.send("d", json!({"action":"join","room":"r"})).await;
    let e = f.take("d").pop().unwrap();
    assert_eq!(
        (e["code"].as_str(), e["action"].as_str()),
        (Some("room_full"), Some("join"))
    );
    // Leaving frees the place.
    f.app.disconnect(&ConnectionId::new("a")).await;
    f.send("d", json!({"action":"join","room":"r"})).await;
    assert_eq!(f.take_type("d", "joined")[0]["count"], 2);
}

#[tokio::test]
async fn concurrent_joins_never_overfill_a_room() {
    let f = Arc::new(fixture_with(Policy {
        max_room_members: 25,
        presence_max_members: 0,
        ..Policy::default()
    }));
    let joins = (0..200).map(|i| {
        let f = f.clone();
        tokio::spawn(async move {
            let params = ConnectParams {
                room: Some("race".into()),
                ..ConnectParams::default()
            };
            f.app
                .connect(
                    ConnectionId::new(format!("c{i}")),
                    params,
                    super::super::now_ms(),
                )
                .await
                .is_ok()
        })
    });
    let admitted = futures_util::future::join_all(joins)
        .await
        .into_iter()
        .filter(|r| *r.as_ref().unwrap())
        .count();
    assert_eq!(admitted, 25);
    let room = crate::model::RoomName::parse("race").unwrap();
    assert_eq!(f.app.store().room_count(&room).await.unwrap(), 25);
}

/// v1.2: a member whose `client` left the room moments ago and comes back
/// (a reload, a server restart) is `returning`, so nobody sees it "join"
/// again; a new member, one without `client`, or one back in another room
/// is not.
#[tokio::test]
async fn a_client_back_within_the_grace_is_returning() {
    let f = fixture();
    f.join("a", "r", "en").await;
    f.connect("b", "r", "es", Some("bea-client-key-0001")).await;
    f.connect("c", "r", "ja", None).await;
    let first: Vec<_> = f.take_type("a", "presence");
    assert!(
        first.iter().all(|p| p.get("returning").is_none()),
        "{first:?}"
    );
    for id in ["b", "c"] {
        f.app.disconnect(&ConnectionId::new(id)).await;
    }
    f.clear(&["a"]);
    f.connect("b2", "r", "es", Some("bea-client-key-0001"))
        .await;
    f.connect("c2", "r", "ja", None).await;
    let back = f.take_type("a", "presence");
    assert_eq!(back.len(), 2);
    assert_eq!(
        (back[0]["name"].as_str(), back[0]["returning"].as_bool()),
        (Some("n-b2"), Some(true))
    );
    assert_eq!(back[0]["event"], "join");
    assert!(
        back[1].get("returning").is_none(),
        "no client: {:?}",
        back[1]
    );
    // The same client in another room is new there.
    f.join("z", "other", "en").await;
    f.clear(&["z"]);
    f.connect("b3", "other", "es", Some("bea-client-key-0001"))
        .await;
    assert!(f.take_type("z", "presence")[0].get("returning").is_none());
}
