//! Which translation items a message has, so an edit or a delete removes
//! exactly those. A message's translations are items of their own keyed
//! `TR#{lang}#{ts}#{id}` (history reads one language's range), so no
//! query lists one message's; instead the message item keeps `tr_langs`,
//! the languages a translation item was written for. Every write of a
//! translation adds its language in the same transaction, as a condition
//! that the message is live — so the list is never short of an item, and
//! no translation is kept for a deleted message. Duplicates are harmless
//! (read as one). A message item from before the list has none: its
//! translations were never listed, so every language counts as listed.

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, TransactWriteItem, Update, WriteRequest,
};

use super::capacity::{TOTAL, Units};
use super::ext::{Item, n};
use super::items::{self, PK};
pub use super::items::{LANGS, langs_value};
use super::{DynamoStore, build, sdk};
use crate::model::{Lang, MessageKey, RoomName, Translation};
use crate::ports::StoreError;
use crate::store::keys;

/// A message that exists and is not a tombstone.
pub const LIVE: &str = "attribute_exists(#pk) AND attribute_not_exists(deleted_at)";
/// What the list starts as on a message item from before it: every
/// language, since any may have a translation.
pub const OR_LEGACY: &str = "if_not_exists(#langs, :legacy)";

/// `:legacy`: every language.
pub fn legacy_value() -> AttributeValue {
    langs_value(Lang::all())
}

/// The list as stored (duplicates and all); every language for an item
/// from before it.
pub fn listed_raw(item: &Item) -> Vec<Lang> {
    match item.get(LANGS) {
        Some(AttributeValue::L(list)) => list
            .iter()
            .filter_map(|v| Lang::parse(v.as_s().ok()?).ok())
            .collect(),
        _ => Lang::all().collect(),
    }
}

/// The languages a message item lists, each once.
pub fn listed(item: &Item) -> Vec<Lang> {
    let mut langs = listed_raw(item);
    langs.sort_unstable();
    langs.dedup();
    langs
}

impl DynamoStore {
    /// For a transaction: the message at `key` must be live, and lists
    /// `lang` from now on.
    pub(super) fn list_translation(
        &self,
        room: &RoomName,
        key: &MessageKey,
        lang: Lang,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(items::key(keys::room_pk(room), keys::message_sk(key))))
            .update_expression(format!("SET #langs = list_append({OR_LEGACY}, :lang)"))
            .condition_expression(LIVE)
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#langs", LANGS)
            .expression_attribute_values(":legacy", legacy_value())
            .expression_attribute_values(":lang", langs_value([lang]))
            .build()
            .map_err(build)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// A translation made later (history in a new language), listed on its
    /// message in the same transaction; nothing is kept when the message
    /// is gone or deleted.
    pub(super) async fn put_translation_impl(
        &self,
        room: &RoomName,
        key: &MessageKey,
        lang: Lang,
        translation: &Translation,
        ttl: Option<i64>,
    ) -> Result<(), StoreError> {
        let writes = vec![
            self.list_translation(room, key, lang)?,
            self.put(items::translation(room, key, lang, translation, ttl))?,
        ];
        match self.transact(writes).await {
            Ok(()) => Ok(()),
            Err(e) => match e.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(t))
                    if t.cancellation_reasons()
                        .first()
                        .is_some_and(|r| r.code() == Some("ConditionalCheckFailed")) =>
                {
                    tracing::debug!("message gone or deleted; its translation not kept");
                    Ok(())
                }
                _ => Err(sdk("TransactWriteItems", e)),
            },
        }
    }

    /// Deletes the translation items of `langs`, 25 to a batch.
    pub(super) async fn delete_translations(
        &self,
        room: &RoomName,
        key: &MessageKey,
        langs: impl IntoIterator<Item = Lang>,
    ) -> Result<(), StoreError> {
        let pk = keys::room_pk(room);
        let requests = langs
            .into_iter()
            .map(|l| {
                let d = DeleteRequest::builder()
                    .set_key(Some(items::key(pk.clone(), keys::translation_sk(l, key))))
                    .build()
                    .map_err(build)?;
                Ok(WriteRequest::builder().delete_request(d).build())
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.batch_write(requests).await
    }

    /// Once the translations it no longer has are deleted, the list
    /// becomes `langs` — unless it changed since it was `len` long (a
    /// translation was added meanwhile): then it stays longer than needed,
    /// which only costs a delete of a missing item later.
    pub(super) async fn trim_list(
        &self,
        room: &RoomName,
        key: &MessageKey,
        langs: impl IntoIterator<Item = Lang>,
        len: usize,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(items::key(keys::room_pk(room), keys::message_sk(key))))
            .update_expression("SET #langs = :langs")
            .condition_expression("size(#langs) = :len")
            .expression_attribute_names("#langs", LANGS)
            .expression_attribute_values(":langs", langs_value(langs))
            .expression_attribute_values(":len", n(i64::try_from(len).unwrap_or(i64::MAX)))
            .return_consumed_capacity(TOTAL)
            .send()
            .await;
        match result {
            Ok(out) => {
                self.spent(Units::Write, out.consumed_capacity());
                Ok(())
            }
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => Ok(()),
                _ => Err(sdk("UpdateItem", e)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_reads_each_language_once_and_an_old_item_as_all() {
        let es = Lang::parse("es").unwrap();
        let ja = Lang::parse("ja").unwrap();
        let mut item = Item::new();
        item.insert(LANGS.into(), langs_value([ja, es, ja]));
        assert_eq!(listed_raw(&item).len(), 3);
        assert_eq!(listed(&item), {
            let mut v = vec![es, ja];
            v.sort_unstable();
            v
        });
        item.insert(LANGS.into(), langs_value([]));
        assert!(listed(&item).is_empty());
        assert_eq!(listed(&Item::new()).len(), Lang::all().count());
    }
}
