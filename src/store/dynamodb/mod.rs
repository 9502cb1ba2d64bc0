//! [`DynamoStore`]: the [`Store`] port on one DynamoDB table, the layout of
//! DESIGN.md "One table" key for key (`store::keys`). Members and history
//! come from one `Query` each with `begins_with` on the sort key, never a
//! `Scan`; history pages newest-first with `Limit` and `ExclusiveStartKey`.
//! Rows about a connection carry `ttl`, and reads skip expired rows because
//! DynamoDB's TTL deletion may lag by days. A repeated `clientMsgId` is
//! refused by a condition inside the transaction that stores the message.
//!
//! Reads are strongly consistent: `$connect` writes a member row and reads
//! the room right after, and must see itself.
//!
//! - `ext.rs`: typed getters on an item.
//! - `items.rs`: rows ⇄ items.
//! - `table.rs`: creating the table (`create_table_if_missing`).

mod ext;
mod items;
mod table;

use std::error::Error as StdError;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Delete, DeleteRequest, Put, TransactWriteItem, WriteRequest};
use chrono::NaiveDate;

use self::ext::{AttributeValuesExt, Item, n, s};
use self::items::{PK, SK, TTL};
use crate::model::{
    ClientMsgId, Connection, ConnectionId, Lang, Member, Message, MessageKey, RoomName,
    Translation, TranslationRecord, UserName,
};
use crate::ports::{HistoryPage, PutOutcome, Store, StoreError};
use crate::store::items::now_s;
use crate::store::keys;

pub use self::table::TableError;

/// `BatchWriteItem` takes at most 25 requests.
const BATCH_WRITE_MAX: usize = 25;

/// The single table in DynamoDB.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    /// Up to `want` items of partition `pk` (whose sort key starts with
    /// `prefix`, if given), newest first, after `start`. A DynamoDB page
    /// also ends at 1 MB, before `Limit`, so this goes on until it has
    /// enough or the partition is exhausted.
    async fn query_newest(
        &self,
        pk: &str,
        prefix: Option<&str>,
        mut start: Option<Item>,
        want: usize,
    ) -> Result<Vec<Item>, StoreError> {
        let mut rows: Vec<Item> = Vec::with_capacity(want.min(1000));
        while rows.len() < want {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .consistent_read(true)
                .expression_attribute_names("#pk", PK)
                .expression_attribute_values(":pk", s(pk))
                .scan_index_forward(false)
                .limit(i32::try_from(want - rows.len()).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start);
            query = match prefix {
                Some(prefix) => query
                    .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                    .expression_attribute_names("#sk", SK)
                    .expression_attribute_values(":prefix", s(prefix)),
                None => query.key_condition_expression("#pk = :pk"),
            };
            let out = query.send().await.map_err(|e| sdk("Query", e))?;
            rows.extend(out.items.unwrap_or_default());
            start = out.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        rows.truncate(want);
        Ok(rows)
    }

    /// A store on `table`; the client carries region, credentials and
    /// endpoint (DynamoDB Local in tests).
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    fn put(&self, item: Item) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .build()
            .map_err(build)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn delete(&self, key: Item) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .build()
            .map_err(build)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), StoreError> {
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
            .map_err(|e| sdk("TransactWriteItems", e))?;
        Ok(())
    }

    /// Every row of one partition (whose sort key starts with `prefix`,
    /// if given), following `LastEvaluatedKey` past the 1 MB page limit.
    async fn query_all(
        &self,
        pk: &str,
        prefix: Option<&str>,
        live_only: bool,
    ) -> Result<Vec<Item>, StoreError> {
        let mut rows = Vec::new();
        let mut start = None;
        loop {
            let mut q = self
                .client
                .query()
                .table_name(&self.table)
                .consistent_read(true)
                .expression_attribute_names("#pk", PK)
                .expression_attribute_values(":pk", s(pk))
                .set_exclusive_start_key(start);
            q = match prefix {
                Some(prefix) => q
                    .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                    .expression_attribute_names("#sk", SK)
                    .expression_attribute_values(":prefix", s(prefix)),
                None => q.key_condition_expression("#pk = :pk"),
            };
            if live_only {
                q = q
                    .filter_expression("#ttl >= :now")
                    .expression_attribute_names("#ttl", TTL)
                    .expression_attribute_values(":now", n(now_s()));
            }
            let out = q.send().await.map_err(|e| sdk("Query", e))?;
            rows.extend(out.items.unwrap_or_default());
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(rows);
            }
        }
    }

    /// Deletes rows in batches of 25, resending what DynamoDB left
    /// unprocessed (it does so under throttling).
    async fn delete_all(&self, keys: Vec<Item>) -> Result<(), StoreError> {
        for chunk in keys.chunks(BATCH_WRITE_MAX) {
            let mut requests = chunk
                .iter()
                .map(|key| {
                    let delete = DeleteRequest::builder()
                        .set_key(Some(key.clone()))
                        .build()
                        .map_err(build)?;
                    Ok(WriteRequest::builder().delete_request(delete).build())
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            for attempt in 0u32.. {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .map_err(|e| sdk("BatchWriteItem", e))?;
                requests = out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(&self.table))
                    .unwrap_or_default();
                if requests.is_empty() {
                    break;
                }
                if attempt == 8 {
                    return Err(StoreError::Backend(format!(
                        "BatchWriteItem left {} rows unprocessed",
                        requests.len()
                    )));
                }
                tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
            }
        }
        Ok(())
    }
}

/// An SDK failure as a store error, with the SDK's whole error chain (it
/// names the operation and the service's error code; no item contents).
fn sdk<E: StdError + Send + Sync + 'static, R: std::fmt::Debug>(
    op: &str,
    e: SdkError<E, R>,
) -> StoreError {
    StoreError::Backend(format!("DynamoDB {op}: {}", DisplayErrorContext(e)))
}

fn build(e: BuildError) -> StoreError {
    StoreError::Backend(format!("building a DynamoDB request: {e}"))
}

/// Whether a transaction was cancelled only because a condition failed.
fn condition_failed(e: &SdkError<TransactWriteItemsError, impl std::fmt::Debug>) -> bool {
    match e.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(t)) => t
            .cancellation_reasons()
            .iter()
            .any(|r| r.code() == Some("ConditionalCheckFailed")),
        _ => false,
    }
}

#[async_trait]
impl Store for DynamoStore {
    #[tracing::instrument(skip_all, fields(conn = %conn.id))]
    async fn put_connection(&self, conn: &Connection) -> Result<(), StoreError> {
        let writes = vec![
            self.put(items::connection(conn))?,
            self.put(items::member(conn))?,
        ];
        self.transact(writes).await
    }

    #[tracing::instrument(skip_all, fields(conn = %id))]
    async fn get_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(items::key(keys::connection_pk(id), keys::META)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk("GetItem", e))?;
        match out.item {
            Some(item) => {
                let (conn, ttl) = items::parse_connection(&item)?;
                Ok((ttl >= now_s()).then_some(conn))
            }
            None => Ok(None),
        }
    }

    #[tracing::instrument(skip_all, fields(conn = %new.id))]
    async fn update_connection(
        &self,
        old: &Connection,
        new: &Connection,
    ) -> Result<(), StoreError> {
        let mut writes = vec![self.put(items::connection(new))?];
        if old.room != new.room {
            writes.push(self.delete(items::key(
                keys::room_pk(&old.room),
                keys::member_sk(&old.id),
            ))?);
        }
        writes.push(self.put(items::member(new))?);
        self.transact(writes).await
    }

    #[tracing::instrument(skip_all, fields(conn = %id))]
    async fn delete_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError> {
        let pk = keys::connection_pk(id);
        // The connection's own rows: META and its clientMsgId markers.
        let rows = self.query_all(&pk, None, false).await?;
        let mut meta = None;
        let mut doomed = Vec::with_capacity(rows.len() + 1);
        for row in &rows {
            let sk = row.get(SK).and_then(|v| v.as_s().ok()).cloned();
            let Some(sk) = sk else { continue };
            if sk == keys::META {
                meta = Some(items::parse_connection(row)?.0);
            }
            doomed.push(items::key(pk.clone(), sk));
        }
        if let Some(conn) = &meta {
            doomed.push(items::key(
                keys::room_pk(&conn.room),
                keys::member_sk(&conn.id),
            ));
        }
        self.delete_all(doomed).await?;
        Ok(meta)
    }

    #[tracing::instrument(skip(self))]
    async fn room_members(&self, room: &RoomName) -> Result<Vec<Member>, StoreError> {
        let rows = self
            .query_all(&keys::room_pk(room), Some(keys::MEMBER_PREFIX), true)
            .await?;
        let now = now_s();
        let mut members = Vec::with_capacity(rows.len());
        for row in &rows {
            let (member, ttl) = items::parse_member(row)?;
            if ttl >= now {
                members.push(member);
            }
        }
        Ok(members)
    }

    #[tracing::instrument(skip_all, fields(room = %room.as_str()))]
    async fn has_client_msg(
        &self,
        room: &RoomName,
        sender: &UserName,
        id: &ClientMsgId,
    ) -> Result<bool, StoreError> {
        let (pk, sk) = keys::client_msg_key(room, sender, id);
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(items::key(pk, sk)))
            .consistent_read(true)
            .projection_expression("#ttl")
            .expression_attribute_names("#ttl", TTL)
            .send()
            .await
            .map_err(|e| sdk("GetItem", e))?;
        // TTL deletion lags; an expired marker no longer counts.
        let now = now_s();
        Ok(out
            .item
            .is_some_and(|item| item.get_i64(TTL).is_none_or(|ttl| ttl >= now)))
    }

    #[tracing::instrument(skip_all, fields(msg = %msg.id, room = %msg.room.as_str()))]
    async fn put_message(&self, msg: &Message) -> Result<PutOutcome, StoreError> {
        let Some(cmid) = &msg.client_msg_id else {
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(items::message(msg)))
                .send()
                .await
                .map_err(|e| sdk("PutItem", e))?;
            return Ok(PutOutcome::Stored);
        };
        // The marker and the message in one transaction: the marker's
        // condition makes a repeated id cancel both.
        let marker = Put::builder()
            .table_name(&self.table)
            .set_item(Some(items::client_msg(msg, cmid)))
            // A marker past its ttl no longer counts (TTL deletion lags).
            .condition_expression("attribute_not_exists(#pk) OR #ttl < :now")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#ttl", TTL)
            .expression_attribute_values(":now", n(now_s()))
            .build()
            .map_err(build)?;
        let writes = vec![
            TransactWriteItem::builder().put(marker).build(),
            self.put(items::message(msg))?,
        ];
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(writes))
            .send()
            .await
        {
            Ok(_) => Ok(PutOutcome::Stored),
            Err(e) if condition_failed(&e) => Ok(PutOutcome::Duplicate),
            Err(e) => Err(sdk("TransactWriteItems", e)),
        }
    }

    #[tracing::instrument(skip(self))]
    async fn messages_before(
        &self,
        room: &RoomName,
        before: Option<&MessageKey>,
        limit: usize,
    ) -> Result<HistoryPage, StoreError> {
        let pk = keys::room_pk(room);
        // One more than asked tells whether older messages exist.
        let want = limit + 1;
        let start = before.map(|b| items::key(pk.clone(), keys::message_sk(b)));
        let mut rows = self
            .query_newest(&pk, Some(keys::MESSAGE_PREFIX), start, want)
            .await?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let mut messages = rows
            .iter()
            .map(items::parse_message)
            .collect::<Result<Vec<_>, _>>()?;
        messages.reverse();
        Ok(HistoryPage { messages, more })
    }

    #[tracing::instrument(skip(self, translation))]
    async fn put_translation(
        &self,
        room: &RoomName,
        key: &MessageKey,
        lang: Lang,
        translation: &Translation,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(items::key(keys::room_pk(room), keys::message_sk(key))))
            .update_expression("SET #tr.#lang = :t")
            // Never create a message out of a translation.
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#tr", "translations")
            .expression_attribute_names("#lang", lang.as_str())
            .expression_attribute_values(":t", items::translation(translation))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(sdk("UpdateItem", e)),
        }
    }

    #[tracing::instrument(skip_all, fields(id = %record.id))]
    async fn put_rest_translation(&self, record: &TranslationRecord) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(items::rest_translation(record)))
            .send()
            .await
            .map_err(|e| sdk("PutItem", e))?;
        Ok(())
    }

    #[tracing::instrument(skip(self))]
    async fn rest_translations(
        &self,
        day: NaiveDate,
        limit: usize,
    ) -> Result<Vec<TranslationRecord>, StoreError> {
        let pk = keys::rest_day_pk(day);
        let rows = self.query_newest(&pk, None, None, limit).await?;
        rows.iter().map(items::parse_rest_translation).collect()
    }
}
