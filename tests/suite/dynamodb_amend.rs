//! v1.2's edits and deletes on DynamoDB Local, read behind the store's
//! back: the message item lists exactly the translation items it has
//! (`tr_langs`), an edit or a delete removes those and leaves no text in
//! the table, and a message item from before the list (none on it) still
//! loses every translation.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::AttributeValue;
use honyaku::model::{ConnectionId, Lang, Message, RoomName, Translation, UserName};
use honyaku::ports::{Amend, Store};

use crate::dynamodb_local::{Table, fresh_table};

fn lang(l: &str) -> Lang {
    Lang::parse(l).unwrap()
}

fn t(text: &str) -> Translation {
    Translation {
        text: text.into(),
        engine: "pseudo".into(),
        via: None,
    }
}

/// A message of `text` in room `r` with Spanish and Japanese translations.
fn message(r: &str, id: &str, text: &str) -> Message {
    Message {
        id: id.into(),
        room: RoomName::parse(r).unwrap(),
        ts: chrono::Utc::now().timestamp_millis(),
        from_name: UserName::parse("Aki").unwrap(),
        from_connection: ConnectionId::new("a"),
        from_tag: None,
        source_lang: lang("ja"),
        text: text.into(),
        translations: BTreeMap::from([
            (lang("es"), t(&format!("[es] {text}"))),
            (lang("ja"), t(&format!("[ja] {text}"))),
        ]),
        client_msg_id: None,
        ttl: None,
        from_client: None,
        edited_at: None,
        deleted_at: None,
        corrected: BTreeMap::new(),
        reply_to: None,
    }
}

/// The message item's key (`ROOM#{room}` / `MSG#{ts:013}#{id}`, as
/// docs/ARCHITECTURE.md's single table has it).
fn message_key(m: &Message) -> std::collections::HashMap<String, AttributeValue> {
    std::collections::HashMap::from([
        (
            "pk".to_owned(),
            AttributeValue::S(format!("ROOM#{}", m.room.as_str())),
        ),
        (
            "sk".to_owned(),
            AttributeValue::S(format!("MSG#{:013}#{}", m.ts, m.id)),
        ),
    ])
}

/// The message item's `tr_langs`, sorted; `None` when it has none.
async fn listed(table: &Table, m: &Message) -> Option<Vec<String>> {
    let item = table
        .client
        .get_item()
        .table_name(&table.name)
        .set_key(Some(message_key(m)))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item?;
    let mut langs: Vec<String> = item
        .get("tr_langs")?
        .as_l()
        .unwrap()
        .iter()
        .map(|v| v.as_s().unwrap().clone())
        .collect();
    langs.sort();
    langs.dedup();
    Some(langs)
}

/// How many items of the table hold `text`.
async fn holding(table: &Table, text: &str) -> usize {
    table
        .scan()
        .await
        .iter()
        .filter(|i| i.contains(text))
        .count()
}

#[tokio::test]
async fn edits_and_deletes_remove_exactly_the_listed_translations() {
    let Some(table) = fresh_table(module_path!()).await else {
        return;
    };
    let store = &table.store;
    let m = message("x", "X1", "secret-one");
    store.put_message(&m, "conn:a").await.unwrap();
    assert_eq!(listed(&table, &m).await.unwrap(), ["es", "ja"]);
    store
        .put_translation(&m.room, &m.key(), lang("fr"), &t("[fr] secret-one"), None)
        .await
        .unwrap();
    assert_eq!(listed(&table, &m).await.unwrap(), ["es", "fr", "ja"]);
    assert_eq!(holding(&table, "secret-one").await, 4);

    let only_es = BTreeMap::from([(lang("es"), t("[es] secret-two"))]);
    store
        .edit_message(&m.room, &m.key(), "secret-two", m.ts + 1, &only_es)
        .await
        .unwrap();
    assert_eq!(listed(&table, &m).await.unwrap(), ["es"]);
    assert_eq!(holding(&table, "secret-one").await, 0);
    assert_eq!(holding(&table, "secret-two").await, 2);

    store
        .delete_message(&m.room, &m.key(), m.ts + 2)
        .await
        .unwrap();
    assert_eq!(listed(&table, &m).await.unwrap(), Vec::<String>::new());
    assert_eq!(holding(&table, "secret").await, 0);
    // Late: nothing is written for a deleted message.
    store
        .put_translation(&m.room, &m.key(), lang("de"), &t("[de] secret-two"), None)
        .await
        .unwrap();
    assert_eq!(holding(&table, "secret").await, 0);
}

#[tokio::test]
async fn a_message_from_before_the_list_loses_every_translation() {
    let Some(table) = fresh_table(module_path!()).await else {
        return;
    };
    let store = &table.store;
    let old = message("y", "Y1", "legacy-text");
    store.put_message(&old, "conn:a").await.unwrap();
    // As an earlier version wrote it: no list on the message item.
    table
        .client
        .update_item()
        .table_name(&table.name)
        .set_key(Some(message_key(&old)))
        .update_expression("REMOVE tr_langs")
        .send()
        .await
        .unwrap();
    assert_eq!(listed(&table, &old).await, None);
    store
        .put_translation(
            &old.room,
            &old.key(),
            lang("fr"),
            &t("[fr] legacy-text"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(holding(&table, "legacy-text").await, 4);
    store
        .delete_message(&old.room, &old.key(), old.ts + 1)
        .await
        .unwrap();
    assert_eq!(holding(&table, "legacy-text").await, 0);
    assert_eq!(listed(&table, &old).await.unwrap(), Vec::<String>::new());
}
