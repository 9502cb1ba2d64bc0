//! v1.2's replies and reactions on DynamoDB. A toggle is one
//! `TransactWriteItems`: the message still live (a condition check), the
//! reactor's mark put or deleted, and the message's tally put under a
//! condition on its `version` — a toggle that loses a race reads again
//! and retries, so concurrent toggles never lose a count or pass the
//! bound of distinct emoji.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    ConditionCheck, Delete, DeleteRequest, Put, TransactWriteItem, WriteRequest,
};
use futures_util::future::try_join_all;

use super::amend::parse_author;
use super::ext::{AttributeValuesExt, Item, n, s};
use super::items::{self, PK, SK, TTL};
use super::{DynamoStore, Expiry, SortKeys, build, sdk};
use crate::model::{
    Author, Lang, MessageKey, Reaction, ReactionToggle, RoomName, Toggled, Translation,
    apply_reaction_toggle,
};
use crate::ports::{Social, StoreError};
use crate::store::{keys, now_s};

/// A message that exists and is not a tombstone.
const LIVE: &str = "attribute_exists(#pk) AND attribute_not_exists(deleted_at)";
/// Tries of a toggle that lost a race for the tally: toggles of one
/// message are serialized, so a hot message's reactors retry, each
/// waiting a random while (up to 40 ms, then 80, … 320) so they spread out.
const TOGGLE_TRIES: u32 = 30;

fn live(item: &Item) -> bool {
    item.get_i64(TTL).is_none_or(|t| t >= now_s())
}

fn parse_tally(item: &Item) -> Result<Vec<Reaction>, StoreError> {
    let r = items::Reader { item };
    serde_json::from_str(r.s("reactions")?).map_err(|e| r.corrupt(format!("reactions: {e}")))
}

impl DynamoStore {
    /// One try at a toggle: `Ok(None)` when the tally moved under it.
    async fn try_toggle(
        &self,
        room: &RoomName,
        key: &MessageKey,
        t: &ReactionToggle,
        ttl: Option<i64>,
    ) -> Result<Option<Toggled>, StoreError> {
        let pk = keys::room_pk(room);
        let tally_key = items::key(pk.clone(), keys::reactions_sk(key));
        let mark_key = items::key(pk.clone(), keys::reactor_sk(key, &t.who, t.emoji.as_str()));
        let (tally, mark) = futures_util::try_join!(
            self.get_item(tally_key.clone()),
            self.get_item(mark_key.clone())
        )?;
        let version = tally.as_ref().and_then(|i| i.get_i64("version"));
        let mut reactions = match &tally {
            Some(item) if live(item) => parse_tally(item)?,
            _ => Vec::new(),
        };
        let was_on = mark.as_ref().is_some_and(live);
        let done = apply_reaction_toggle(&mut reactions, t, was_on);
        let Toggled::Done { on, .. } = done else {
            return Ok(Some(done));
        };

        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(items::key(pk.clone(), keys::message_sk(key))))
            .condition_expression(LIVE)
            .expression_attribute_names("#pk", PK)
            .build()
            .map_err(build)?;
        // The mark must still be as read: the two reads above are not one
        // snapshot, so a toggle committed between them would otherwise be
        // counted twice (the tally's version alone cannot tell).
        let mark_as_read = if mark.is_some() {
            "attribute_exists(#pk)"
        } else {
            "attribute_not_exists(#pk)"
        };
        let mark_write = if on {
            let mut item = mark_key;
            if let Some(ttl) = ttl {
                item.insert(TTL.into(), n(ttl));
            }
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(Self::checked(item)?))
                .condition_expression(mark_as_read)
                .expression_attribute_names("#pk", PK)
                .build()
                .map_err(build)?;
            TransactWriteItem::builder().put(put).build()
        } else {
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(mark_key))
                .condition_expression(mark_as_read)
                .expression_attribute_names("#pk", PK)
                .build()
                .map_err(build)?;
            TransactWriteItem::builder().delete(delete).build()
        };
        let (condition, values) = match version {
            Some(v) => ("#v = :v", Some(HashMap::from([(":v".to_owned(), n(v))]))),
            None => ("attribute_not_exists(#v)", None),
        };
        let tally_write = if reactions.is_empty() {
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(tally_key))
                .condition_expression(condition)
                .expression_attribute_names("#v", "version")
                .set_expression_attribute_values(values)
                .build()
                .map_err(build)?;
            TransactWriteItem::builder().delete(delete).build()
        } else {
            let mut item = tally_key;
            item.insert("message_id".into(), s(&key.id));
            let json = serde_json::to_string(&reactions)
                .map_err(|e| StoreError::caused("encoding reactions", e))?;
            item.insert("reactions".into(), s(json));
            item.insert("version".into(), n(version.unwrap_or(0) + 1));
            if let Some(ttl) = ttl {
                item.insert(TTL.into(), n(ttl));
            }
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(Self::checked(item)?))
                .condition_expression(condition)
                .expression_attribute_names("#v", "version")
                .set_expression_attribute_values(values)
                .build()
                .map_err(build)?;
            TransactWriteItem::builder().put(put).build()
        };
        let writes = vec![
            TransactWriteItem::builder().condition_check(check).build(),
            mark_write,
            tally_write,
        ];
        match self.transact(writes).await {
            Ok(()) => Ok(Some(done)),
            Err(e) => match e.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(c)) => {
                    let failed = |i: usize| {
                        c.cancellation_reasons()
                            .get(i)
                            .is_some_and(|r| r.code() == Some("ConditionalCheckFailed"))
                    };
                    let raced = c
                        .cancellation_reasons()
                        .iter()
                        .any(|r| r.code() == Some("TransactionConflict"));
                    if failed(0) {
                        Ok(Some(Toggled::Gone))
                    } else if failed(1) || failed(2) || raced {
                        Ok(None)
                    } else {
                        Err(sdk("TransactWriteItems", e))
                    }
                }
                _ => Err(sdk("TransactWriteItems", e)),
            },
        }
    }

    /// A deleted message's reactions go after its tombstone: the tally
    /// and every mark (none can be added meanwhile: a toggle needs the
    /// message live).
    pub(super) async fn drop_reactions(
        &self,
        room: &RoomName,
        key: &MessageKey,
    ) -> Result<(), StoreError> {
        let pk = keys::room_pk(room);
        let marks = self
            .query(
                &pk,
                SortKeys::BeginsWith(keys::reactor_prefix(key)),
                Expiry::Any,
                true,
                None,
                usize::MAX,
            )
            .await?;
        let tally = std::iter::once(items::key(pk.clone(), keys::reactions_sk(key)));
        let requests = marks
            .into_iter()
            .filter_map(|m| Some(items::key(pk.clone(), m.get_s(SK)?)))
            .chain(tally)
            .map(|k| {
                let d = DeleteRequest::builder()
                    .set_key(Some(k))
                    .build()
                    .map_err(build)?;
                Ok(WriteRequest::builder().delete_request(d).build())
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.batch_write(requests).await
    }
}

#[async_trait]
impl Social for DynamoStore {
    #[tracing::instrument(skip_all, fields(room = %room.as_str()))]
    async fn translations_of(
        &self,
        room: &RoomName,
        key: &MessageKey,
        langs: &[Lang],
    ) -> Result<BTreeMap<Lang, (Translation, Option<Author>)>, StoreError> {
        let pk = keys::room_pk(room);
        let reads = langs.iter().map(|lang| {
            let k = items::key(pk.clone(), keys::translation_sk(*lang, key));
            async move { Ok::<_, StoreError>((*lang, self.get_item(k).await?)) }
        });
        let mut out = BTreeMap::new();
        for (lang, item) in try_join_all(reads).await? {
            let Some(item) = item.filter(live) else {
                continue;
            };
            if let Some(t) = items::parse_translation(&item) {
                out.insert(lang, (t, parse_author(&item)));
            }
        }
        Ok(out)
    }

    #[tracing::instrument(skip_all, fields(room = %room.as_str()))]
    async fn toggle_reaction(
        &self,
        room: &RoomName,
        key: &MessageKey,
        t: &ReactionToggle,
        ttl: Option<i64>,
    ) -> Result<Toggled, StoreError> {
        for attempt in 0..TOGGLE_TRIES {
            if let Some(done) = self.try_toggle(room, key, t, ttl).await? {
                return Ok(done);
            }
            let ceiling = 40u64 << attempt.min(3);
            let pause = rand::random::<u64>() % ceiling;
            tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
        }
        Err(StoreError::backend(
            "a message's reactions kept changing; try again",
        ))
    }

    #[tracing::instrument(skip_all, fields(room = %room.as_str()))]
    async fn reactions(
        &self,
        room: &RoomName,
        first: &MessageKey,
        last: &MessageKey,
    ) -> Result<BTreeMap<String, Vec<Reaction>>, StoreError> {
        let pk = keys::room_pk(room);
        let range = SortKeys::Between(keys::reactions_sk(first), keys::reactions_sk(last));
        let rows = self
            .query(&pk, range, Expiry::Live(TTL), true, None, usize::MAX)
            .await?;
        let mut out = BTreeMap::new();
        for item in rows {
            let r = items::Reader { item: &item };
            let id = r.s("message_id")?.to_owned();
            let reactions = parse_tally(&item)?;
            if !reactions.is_empty() {
                out.insert(id, reactions);
            }
        }
        Ok(out)
    }
}
