//! v1.2: a reply's quote kept with its message (and gone with it when it
//! is deleted), the translations a quote reads, and reactions — toggled
//! atomically under concurrency, bounded to 20 distinct emoji (each item
//! well under 400 KB at the bound with many reactors), read back by
//! range, dropped with their message.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::future::join_all;
use honyaku::limits::{REACTION_TAGS_LISTED, REACTIONS_MAX_EMOJI};
use honyaku::model::{
    Author, ClientTag, Emoji, Lang, MemoryEntry, Message, Quote, ReactionToggle, Toggled,
    Translation, UserName, source_hash,
};
use honyaku::ports::{HistoryQuery, Store};

use super::{lang, msg, now_ms, room};

fn t(text: &str) -> Translation {
    Translation {
        text: text.into(),
        engine: "pseudo".into(),
        via: None,
    }
}

fn toggle(who: &str, tag: Option<String>, emoji: &str) -> ReactionToggle {
    ReactionToggle {
        who: who.into(),
        tag: tag.map(ClientTag::from_stored),
        emoji: Emoji::parse(emoji).unwrap(),
    }
}

fn tag(i: usize) -> Option<String> {
    Some(format!("{i:012x}"))
}

async fn put(store: &Arc<dyn Store>, m: &Message) {
    store.put_message(m, "conn:a").await.unwrap();
}

pub async fn reply_quotes_are_kept_with_their_message(store: Arc<dyn Store>) {
    let now = now_ms();
    let mut quoted = msg("q", now, "Q1", "a", None);
    quoted.translations.insert(lang("es"), t("[es] text Q1"));
    quoted.translations.insert(lang("en"), t("[en] text Q1"));
    put(&store, &quoted).await;
    // A reader's correction is what its language reads.
    let entry = MemoryEntry {
        source: source_hash(lang("ja"), &quoted.text),
        lang: lang("en"),
        text: "better Q1".into(),
        by: Author {
            name: UserName::parse("Bea").unwrap(),
            tag: None,
        },
        at: now,
    };
    assert!(
        store
            .put_correction(&room("q"), &quoted.key(), &entry, 10)
            .await
            .unwrap()
    );
    let langs = [lang("es"), lang("en"), lang("de")];
    let found = store
        .translations_of(&room("q"), &quoted.key(), &langs)
        .await
        .unwrap();
    assert_eq!(found.len(), 2, "no German translation");
    assert_eq!(found[&lang("es")].0.text, "[es] text Q1");
    assert_eq!(found[&lang("en")].0.text, "better Q1");
    assert_eq!(found[&lang("en")].1.as_ref().unwrap().name.as_str(), "Bea");

    // A quote in every language there is, each at its 200 characters of
    // four bytes: still far from 400 KB.
    let texts: BTreeMap<Lang, String> = Lang::all().map(|l| (l, "𝄞".repeat(200))).collect();
    let quote = Quote {
        id: quoted.id.clone(),
        from: Author {
            name: quoted.from_name.clone(),
            tag: Some(ClientTag::from_stored("0123456789ab")),
        },
        source_lang: quoted.source_lang,
        texts,
        deleted: false,
    };
    let mut reply = msg("q", now + 1, "R1", "b", None);
    reply.text = "x".repeat(10_000);
    reply.reply_to = Some(quote.clone());
    put(&store, &reply).await;
    let got = store
        .get_message(&room("q"), &reply.key())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.reply_to.as_ref(), Some(&quote));
    let q = HistoryQuery {
        before: None,
        limit: 10,
        lang: lang("es"),
        since_ms: 0,
    };
    let page = store.messages_before(&room("q"), &q).await.unwrap();
    assert_eq!(page.messages[1].reply_to.as_ref(), Some(&quote));
    assert_eq!(page.messages[0].reply_to, None);
    // A deleted reply keeps no quote.
    assert!(
        store
            .delete_message(&room("q"), &reply.key(), now + 2)
            .await
            .unwrap()
    );
    let gone = store
        .get_message(&room("q"), &reply.key())
        .await
        .unwrap()
        .unwrap();
    assert!(gone.is_deleted() && gone.reply_to.is_none());
}

pub async fn reactions_toggle_atomically(store: Arc<dyn Store>) {
    let m = msg("x", now_ms(), "X1", "a", None);
    put(&store, &m).await;
    let (r, key) = (room("x"), m.key());
    // Twelve reactors at once: every one counted.
    let on = join_all((0..12).map(|i| {
        let (store, r, key) = (store.clone(), r.clone(), key.clone());
        async move {
            store
                .toggle_reaction(&r, &key, &toggle(&format!("c:{i}"), tag(i), "👍"), None)
                .await
                .unwrap()
        }
    }))
    .await;
    assert!(
        on.iter()
            .all(|t| matches!(t, Toggled::Done { on: true, .. }))
    );
    let mut counts: Vec<u32> = on
        .iter()
        .map(|t| match t {
            Toggled::Done { count, .. } => *count,
            _ => 0,
        })
        .collect();
    counts.sort_unstable();
    assert_eq!(
        counts,
        (1..=12).collect::<Vec<u32>>(),
        "each saw its own count"
    );
    let tallies = store.reactions(&r, &key, &key).await.unwrap();
    assert_eq!(tallies["X1"][0].count, 12);
    assert_eq!(tallies["X1"][0].tags.len(), 12);
    // The same reactor twice at once: on then off, never counted twice.
    let twice = join_all((0..2).map(|_| {
        let (store, r, key) = (store.clone(), r.clone(), key.clone());
        async move {
            store
                .toggle_reaction(&r, &key, &toggle("c:z", None, "🎉"), None)
                .await
                .unwrap()
        }
    }))
    .await;
    let ons = twice
        .iter()
        .filter(|t| matches!(t, Toggled::Done { on: true, .. }))
        .count();
    assert_eq!(ons, 1, "{twice:?}");
    let tallies = store.reactions(&r, &key, &key).await.unwrap();
    assert_eq!(tallies["X1"].len(), 1, "🎉 is gone again");
    // Everyone takes theirs back: no tally left.
    for i in 0..12 {
        let t = toggle(&format!("c:{i}"), tag(i), "👍");
        let done = store.toggle_reaction(&r, &key, &t, None).await.unwrap();
        assert_eq!(
            done,
            Toggled::Done {
                on: false,
                count: 11 - i as u32
            }
        );
    }
    assert!(store.reactions(&r, &key, &key).await.unwrap().is_empty());
    // A message that does not exist takes none.
    let missing = msg("x", now_ms(), "NOPE", "a", None).key();
    let t = toggle("c:1", None, "👍");
    assert_eq!(
        store.toggle_reaction(&r, &missing, &t, None).await.unwrap(),
        Toggled::Gone
    );
}

pub async fn reactions_at_their_bound_with_many_reactors(store: Arc<dyn Store>) {
    let now = now_ms();
    let r = room("b");
    let before = msg("b", now - 10, "B0", "a", None);
    let m = msg("b", now, "B1", "a", None);
    let after = msg("b", now + 10, "B2", "a", None);
    for x in [&before, &m, &after] {
        put(&store, x).await;
    }
    let key = m.key();
    // Twenty of the longest emoji there are, 30 reactors each (with tags).
    let family = |i: u32| {
        let skin = char::from_u32(0x1F3FB + i % 5).unwrap();
        let person = char::from_u32(0x1F468 + i / 5).unwrap();
        format!("{person}{skin}\u{200D}❤\u{FE0F}\u{200D}💋\u{200D}{person}{skin}")
    };
    let emoji: Vec<String> = (0..REACTIONS_MAX_EMOJI as u32).map(family).collect();
    for (e, em) in emoji.iter().enumerate() {
        // Six at a time: concurrent, without a long queue on one item.
        for batch in 0..5 {
            let toggles = (0..6).map(|j| {
                let i = batch * 6 + j;
                let (store, r, key) = (store.clone(), r.clone(), key.clone());
                let t = toggle(&format!("c:{e}:{i}"), tag(e * 100 + i), em);
                async move { store.toggle_reaction(&r, &key, &t, m.ttl).await.unwrap() }
            });
            for done in join_all(toggles).await {
                assert!(matches!(done, Toggled::Done { on: true, .. }));
            }
        }
    }
    // A 21st emoji is refused; one of the twenty still counts.
    let t = toggle("c:new", tag(9_999), "🦀");
    assert_eq!(
        store.toggle_reaction(&r, &key, &t, m.ttl).await.unwrap(),
        Toggled::Full
    );
    let t = toggle("c:new", tag(9_999), &emoji[3]);
    assert_eq!(
        store.toggle_reaction(&r, &key, &t, m.ttl).await.unwrap(),
        Toggled::Done {
            on: true,
            count: 31
        }
    );
    // Read by range: only the messages asked for.
    store
        .toggle_reaction(&r, &after.key(), &toggle("c:1", None, "👍"), None)
        .await
        .unwrap();
    let tallies = store.reactions(&r, &before.key(), &key).await.unwrap();
    assert_eq!(tallies.len(), 1);
    let tally = &tallies["B1"];
    assert_eq!(tally.len(), REACTIONS_MAX_EMOJI);
    assert_eq!(
        tally.iter().map(|x| x.emoji.as_str()).collect::<Vec<_>>(),
        emoji.iter().map(String::as_str).collect::<Vec<_>>(),
        "first-reaction order"
    );
    assert!(tally.iter().all(|x| x.tags.len() == REACTION_TAGS_LISTED));
    assert_eq!(tally[3].count, 31);
    let first = |t: &ClientTag| u64::from_str_radix(t.as_str(), 16).unwrap() < 30;
    assert!(
        tally[0].tags.iter().all(first),
        "the first emoji's reactors"
    );
    let bytes = serde_json::to_vec(tally).unwrap().len();
    assert!(bytes < 16 * 1024, "the tally at its bound is {bytes} bytes");
    assert_eq!(
        store.reactions(&r, &key, &after.key()).await.unwrap().len(),
        2
    );
    // A deleted message drops them, and takes no more.
    assert!(store.delete_message(&r, &key, now + 1).await.unwrap());
    assert!(
        store
            .reactions(&r, &before.key(), &key)
            .await
            .unwrap()
            .is_empty()
    );
    let t = toggle("c:0:0", tag(0), &emoji[0]);
    assert_eq!(
        store.toggle_reaction(&r, &key, &t, m.ttl).await.unwrap(),
        Toggled::Gone
    );
}
