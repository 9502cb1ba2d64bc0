//! v1.2 on DynamoDB: edits and deletes are one conditional `UpdateItem`
//! on the message (it must exist and not be deleted), then exactly the
//! translations it lists go (`translations.rs`), 25 to a batch; a
//! correction is one transaction — the message still live and listing the
//! language, its translation with `by`, the remembered entry, the room memory's index
//! under a condition on its `version` (a race retries), the oldest entry
//! past the bound deleted; the glossary is one item put under a
//! condition on its `version`.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValue, TransactWriteItem};

use super::capacity::{TOTAL, Units};
use super::ext::{AttributeValuesExt, Item, n, s};
use super::items::{self, PK, TTL};
use super::translations::{LANGS, LIVE, OR_LEGACY, langs_value, legacy_value, listed, listed_raw};
use super::{DynamoStore, Expiry, SortKeys, build, sdk};
use crate::model::{
    Author, ClientTag, Glossary, GlossaryTerm, Lang, MemoryEntry, Message, MessageKey, Requote,
    RoomName, Translation, UserName,
};
use crate::ports::{Amend, StoreError, corrected_translation};
use crate::store::{keys, now_s};

/// Tries of a correction that lost a race for the memory's index.
const INDEX_TRIES: usize = 5;

fn author_fields(fields: &mut Item, by: &Author) {
    fields.insert("by_name".into(), s(by.name.as_str()));
    if let Some(tag) = &by.tag {
        fields.insert("by_tag".into(), s(tag.as_str()));
    }
}

/// `by_name` / `by_tag` of an item, when it has them.
pub fn parse_author(item: &Item) -> Option<Author> {
    Some(Author {
        name: UserName::parse(item.get_s("by_name")?).ok()?,
        tag: item.get_s("by_tag").map(ClientTag::from_stored),
    })
}

fn memory_entry(room: &RoomName, e: &MemoryEntry) -> Item {
    let mut item = items::key(keys::room_pk(room), keys::memory_sk(&e.source, e.lang));
    item.insert("source".into(), s(&e.source));
    item.insert("lang".into(), s(e.lang.as_str()));
    item.insert("text".into(), s(&e.text));
    item.insert("at".into(), n(e.at));
    author_fields(&mut item, &e.by);
    item
}

fn parse_memory_entry(item: &Item) -> Result<MemoryEntry, StoreError> {
    let r = items::Reader { item };
    Ok(MemoryEntry {
        source: r.s("source")?.to_owned(),
        lang: r.parse("lang", Lang::parse)?,
        text: r.s("text")?.to_owned(),
        by: parse_author(item).ok_or_else(|| r.corrupt("by_name is missing".into()))?,
        at: r.i64("at")?,
    })
}

fn glossary_item(room: &RoomName, g: &Glossary) -> Result<Item, StoreError> {
    let terms =
        serde_json::to_string(&g.terms).map_err(|e| StoreError::caused("encoding terms", e))?;
    let mut item = items::key(keys::room_pk(room), keys::GLOSSARY);
    item.insert(
        "version".into(),
        n(i64::try_from(g.version).unwrap_or(i64::MAX)),
    );
    item.insert("terms".into(), s(terms));
    if let Some(by) = &g.by {
        author_fields(&mut item, by);
    }
    Ok(item)
}

fn parse_glossary(item: &Item) -> Result<Glossary, StoreError> {
    let r = items::Reader { item };
    let terms: Vec<GlossaryTerm> =
        serde_json::from_str(r.s("terms")?).map_err(|e| r.corrupt(format!("terms: {e}")))?;
    Ok(Glossary {
        version: u64::try_from(r.i64("version")?).map_err(|e| r.corrupt(e.to_string()))?,
        terms,
        by: parse_author(item),
    })
}

impl DynamoStore {
    /// A conditional update of a live message; `None` when it is not.
    /// `expression` names `#text` and `#langs` (the list of its
    /// translations, `:legacy` for an item from before it).
    async fn update_live(
        &self,
        room: &RoomName,
        key: &MessageKey,
        expression: &str,
        values: Vec<(&str, AttributeValue)>,
    ) -> Result<Option<Item>, StoreError> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(items::key(keys::room_pk(room), keys::message_sk(key))))
            .update_expression(expression)
            .condition_expression(LIVE)
            .expression_attribute_names("#pk", PK)
            // `text` is one of DynamoDB's reserved words.
            .expression_attribute_names("#text", "text")
            .expression_attribute_names("#langs", LANGS)
            .expression_attribute_values(":legacy", legacy_value())
            .return_values(ReturnValue::AllNew)
            .return_consumed_capacity(TOTAL);
        for (name, value) in values {
            update = update.expression_attribute_values(name, value);
        }
        match update.send().await {
            Ok(out) => {
                self.spent(Units::Write, out.consumed_capacity());
                Ok(Some(out.attributes.unwrap_or_default()))
            }
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => Ok(None),
                _ => Err(sdk("UpdateItem", e)),
            },
        }
    }

    /// One try at a correction: `Ok(None)` when the index moved under it.
    async fn try_correction(
        &self,
        room: &RoomName,
        key: &MessageKey,
        entry: &MemoryEntry,
        bound: usize,
    ) -> Result<Option<bool>, StoreError> {
        let pk = keys::room_pk(room);
        let index = self
            .get_item(items::key(pk.clone(), keys::MEMORY_INDEX))
            .await?;
        let version = index.as_ref().and_then(|i| i.get_i64("version"));
        let mut entries: Vec<String> = match index.as_ref().and_then(|i| i.get("entries")) {
            Some(AttributeValue::L(l)) => l.iter().filter_map(|v| v.as_s().ok().cloned()).collect(),
            _ => Vec::new(),
        };
        let this = keys::memory_sk(&entry.source, entry.lang);
        entries.retain(|e| *e != this);
        entries.push(this);
        let excess = entries.len().saturating_sub(bound);
        let evicted: Vec<String> = entries.drain(..excess).collect();

        let msg = self
            .get_item(items::key(pk.clone(), keys::message_sk(key)))
            .await?;
        let ttl = msg.as_ref().and_then(|m| m.get_i64(TTL));
        let (translation, by) = corrected_translation(entry);
        let mut corrected = items::translation(room, key, entry.lang, &translation, ttl);
        author_fields(&mut corrected, &by);
        let mut index_item = items::key(pk.clone(), keys::MEMORY_INDEX);
        index_item.insert(
            "entries".into(),
            AttributeValue::L(entries.into_iter().map(s).collect()),
        );
        index_item.insert("version".into(), n(version.unwrap_or(0) + 1));
        let index_put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(index_item))
            .condition_expression(match version {
                Some(_) => "#v = :v",
                None => "attribute_not_exists(#v)",
            })
            .expression_attribute_names("#v", "version")
            .set_expression_attribute_values(
                version.map(|v| std::collections::HashMap::from([(":v".to_owned(), n(v))])),
            )
            .build()
            .map_err(build)?;
        let mut writes = vec![
            self.list_translation(room, key, entry.lang)?,
            self.put(corrected)?,
            self.put(memory_entry(room, entry))?,
            TransactWriteItem::builder().put(index_put).build(),
        ];
        for sk in evicted {
            writes.push(self.delete(items::key(pk.clone(), sk))?);
        }
        match self.transact(writes).await {
            Ok(()) => Ok(Some(true)),
            Err(e) => match e.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(t)) => {
                    let failed = |i: usize| {
                        t.cancellation_reasons()
                            .get(i)
                            .is_some_and(|r| r.code() == Some("ConditionalCheckFailed"))
                    };
                    if failed(0) {
                        Ok(Some(false))
                    } else if failed(3) {
                        Ok(None)
                    } else {
                        Err(sdk("TransactWriteItems", e))
                    }
                }
                _ => Err(sdk("TransactWriteItems", e)),
            },
        }
    }
}

#[async_trait]
impl Amend for DynamoStore {
    #[tracing::instrument(skip_all, fields(room = %room.as_str()))]
    async fn get_message(
        &self,
        room: &RoomName,
        key: &MessageKey,
    ) -> Result<Option<Message>, StoreError> {
        let item = self
            .get_item(items::key(keys::room_pk(room), keys::message_sk(key)))
            .await?;
        let now = now_s();
        match item {
            Some(item) if item.get_i64(TTL).is_none_or(|t| t >= now) => {
                items::parse_message(&item).map(Some)
            }
            _ => Ok(None),
        }
    }

    #[tracing::instrument(skip_all, fields(room = %room.as_str()))]
    async fn edit_message(
        &self,
        room: &RoomName,
        key: &MessageKey,
        text: &str,
        edited_at: i64,
        translations: &BTreeMap<Lang, Translation>,
    ) -> Result<bool, StoreError> {
        let expression =
            format!("SET #text = :text, edited_at = :at, #langs = list_append({OR_LEGACY}, :new)");
        let new = langs_value(translations.keys().copied());
        let values = vec![(":text", s(text)), (":at", n(edited_at)), (":new", new)];
        let Some(updated) = self.update_live(room, key, &expression, values).await? else {
            return Ok(false);
        };
        let ttl = updated.get_i64(TTL);
        // The list as it was, then the new languages after it.
        let all = listed_raw(&updated);
        let old = &all[..all.len().saturating_sub(translations.len())];
        let mut gone: Vec<Lang> = old
            .iter()
            .copied()
            .filter(|l| !translations.contains_key(l))
            .collect();
        gone.sort_unstable();
        gone.dedup();
        let fresh = translations
            .iter()
            .map(|(lang, t)| items::translation(room, key, *lang, t, ttl))
            .collect();
        self.delete_translations(room, key, gone).await?;
        self.put_all(fresh).await?;
        self.trim_list(room, key, translations.keys().copied(), all.len())
            .await?;
        self.requote(room, key, &Requote::Edited(text.to_owned()))
            .await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all, fields(room = %room.as_str()))]
    async fn delete_message(
        &self,
        room: &RoomName,
        key: &MessageKey,
        deleted_at: i64,
    ) -> Result<bool, StoreError> {
        let expression =
            format!("SET deleted_at = :at, #langs = {OR_LEGACY} REMOVE #text, reply_to");
        let updated = self
            .update_live(room, key, &expression, vec![(":at", n(deleted_at))])
            .await?;
        let done = updated.is_some();
        // Even when it was deleted already: a delete cut short earlier
        // leaves no translation behind.
        let tomb = match updated {
            Some(item) => Some(item),
            None => {
                self.get_item(items::key(keys::room_pk(room), keys::message_sk(key)))
                    .await?
            }
        };
        if let Some(tomb) = tomb {
            let all = listed_raw(&tomb);
            self.delete_translations(room, key, listed(&tomb)).await?;
            self.trim_list(room, key, [], all.len()).await?;
        }
        self.drop_reactions(room, key).await?;
        // And no reply keeps a quote of its text (a reply that raced the
        // delete is caught by the delete the reply route repeats).
        self.requote(room, key, &Requote::Deleted).await?;
        Ok(done)
    }

    #[tracing::instrument(skip_all, fields(room = %room.as_str()))]
    async fn put_correction(
        &self,
        room: &RoomName,
        key: &MessageKey,
        entry: &MemoryEntry,
        bound: usize,
    ) -> Result<bool, StoreError> {
        for _ in 0..INDEX_TRIES {
            if let Some(done) = self.try_correction(room, key, entry, bound).await? {
                return Ok(done);
            }
        }
        Err(StoreError::backend(
            "the room memory's index kept changing; try again",
        ))
    }

    #[tracing::instrument(skip_all, fields(room = %room.as_str()))]
    async fn recall(&self, room: &RoomName, source: &str) -> Result<Vec<MemoryEntry>, StoreError> {
        let pk = keys::room_pk(room);
        let prefix = SortKeys::BeginsWith(keys::memory_prefix(source));
        let rows = self
            .query(&pk, prefix, Expiry::Any, true, None, usize::MAX)
            .await?;
        rows.iter().map(parse_memory_entry).collect()
    }

    #[tracing::instrument(skip_all, fields(room = %room.as_str()))]
    async fn glossary(&self, room: &RoomName) -> Result<Glossary, StoreError> {
        match self
            .get_item(items::key(keys::room_pk(room), keys::GLOSSARY))
            .await?
        {
            Some(item) => parse_glossary(&item),
            None => Ok(Glossary::default()),
        }
    }

    #[tracing::instrument(skip_all, fields(room = %room.as_str()))]
    async fn put_glossary(
        &self,
        room: &RoomName,
        glossary: &Glossary,
        expected: u64,
    ) -> Result<bool, StoreError> {
        let item = Self::checked(glossary_item(room, glossary)?)?;
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .expression_attribute_names("#v", "version")
            .return_consumed_capacity(TOTAL);
        put = if expected == 0 {
            put.condition_expression("attribute_not_exists(#v)")
        } else {
            put.condition_expression("#v = :v")
                .expression_attribute_values(":v", n(i64::try_from(expected).unwrap_or(i64::MAX)))
        };
        match put.send().await {
            Ok(out) => {
                self.spent(Units::Write, out.consumed_capacity());
                Ok(true)
            }
            Err(e) => match e.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(_)) => Ok(false),
                _ => Err(sdk("PutItem", e)),
            },
        }
    }
}
