//! [`DynamoStore`]: the [`Store`] port on one DynamoDB table, the layout of
//! `store::keys` key for key. Members, history and translations come from
//! one `Query` each on a sort-key range, never a `Scan`. Rows carry `ttl`,
//! and reads skip expired rows because DynamoDB's TTL deletion may lag by
//! days. Conditions do what must not happen twice: a room's place counted
//! with `UpdateItem ADD` under a capacity condition, a repeated
//! `clientMsgId`, a second delete of one connection.
//!
//! Reads are strongly consistent: `$connect` writes a member row and reads
//! the room right after, and must see itself.
//!
//! - `ext.rs`: typed getters on an item, and its size.
//! - `items.rs`: rows ⇄ items.
//! - `rooms.rs`, `history.rs`, `upkeep.rs`: the port's methods.
//! - `amend.rs`: v1.2's edits, deletes, corrections, room memory, glossary.
//! - `social.rs`: v1.2's reply quotes and reactions.
//! - `quotes.rs`: a deleted message's text leaves the replies quoting it,
//!   an edited one's quotes read the edit.
//! - `translations.rs`: which translation items a message has (its
//!   `tr_langs` list), so an edit or a delete removes exactly those.
//! - `table.rs`: creating the table (`create_table_if_missing`).

mod amend;
mod capacity;
mod ext;
mod history;
mod items;
mod quotes;
mod rejoins;
mod rooms;
mod social;
mod table;
mod translations;
mod upkeep;

use std::error::Error as StdError;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Delete, Put, PutRequest, TransactWriteItem, WriteRequest};
use chrono::NaiveDate;

use self::capacity::{TOTAL, Units};
use self::ext::{Item, item_size, n, s};
use self::items::{PK, SK, TTL};
use crate::limits::{BATCH_WRITE_MAX, MAX_ITEM_BYTES};
use crate::model::{
    ClientMsgId, Connection, ConnectionId, Lang, MemberKey, MembersPage, Message, MessageKey,
    RoomName, Translation, TranslationRecord,
};
use crate::ports::{
    Admission, Counter, Delivery, Departure, HistoryPage, HistoryQuery, PutOutcome, Step, Store,
    StoreError, Tally,
};
use crate::store::now_s;

pub use self::table::TableError;

/// The single table in DynamoDB.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    spent: Arc<capacity::Spent>,
}

/// Which rows a query keeps, by an epoch-seconds attribute.
#[derive(Debug, Clone, Copy)]
enum Expiry {
    /// Rows not yet past it (or without it).
    Live(&'static str),
    /// Rows past it.
    Expired(&'static str),
    /// Every row.
    Any,
}

/// Which sort keys a query reads.
#[derive(Debug, Clone)]
enum SortKeys {
    All,
    BeginsWith(String),
    /// Inclusive at both ends.
    Between(String, String),
}

impl DynamoStore {
    /// A store on `table`; the client carries region, credentials and
    /// endpoint (DynamoDB Local in tests).
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            spent: Arc::default(),
        }
    }

    /// The table's name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// Up to `want` live items of partition `pk` in the sort-key range,
    /// after `start`, in key order (`forward`) or newest first. A page
    /// ends at 1 MB or `Limit` before the filter drops expired rows, so
    /// this reads on until it has enough or the range is exhausted.
    async fn query(
        &self,
        pk: &str,
        keys: SortKeys,
        expiry: Expiry,
        forward: bool,
        mut start: Option<Item>,
        want: usize,
    ) -> Result<Vec<Item>, StoreError> {
        let filter = match expiry {
            Expiry::Live(a) => Some(("attribute_not_exists(#e) OR #e >= :now", a)),
            Expiry::Expired(a) => Some(("#e < :now", a)),
            Expiry::Any => None,
        };
        let mut rows: Vec<Item> = Vec::with_capacity(want.min(1000));
        while rows.len() < want {
            let mut q = self
                .client
                .query()
                .table_name(&self.table)
                .consistent_read(true)
                .expression_attribute_names("#pk", PK)
                .expression_attribute_values(":pk", s(pk))
                .scan_index_forward(forward)
                .limit(i32::try_from(want - rows.len()).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start)
                .return_consumed_capacity(TOTAL);
            if let Some((filter, attribute)) = filter {
                q = q
                    .filter_expression(filter)
                    .expression_attribute_names("#e", attribute)
                    .expression_attribute_values(":now", n(now_s()));
            }
            q = match &keys {
                SortKeys::All => q.key_condition_expression("#pk = :pk"),
                SortKeys::BeginsWith(prefix) => q
                    .key_condition_expression("#pk = :pk AND begins_with(#sk, :lo)")
                    .expression_attribute_names("#sk", SK)
                    .expression_attribute_values(":lo", s(prefix)),
                SortKeys::Between(lo, hi) => q
                    .key_condition_expression("#pk = :pk AND #sk BETWEEN :lo AND :hi")
                    .expression_attribute_names("#sk", SK)
                    .expression_attribute_values(":lo", s(lo))
                    .expression_attribute_values(":hi", s(hi)),
            };
            let out = q.send().await.map_err(|e| sdk("Query", e))?;
            self.spent(Units::Read, out.consumed_capacity());
            rows.extend(out.items.unwrap_or_default());
            start = out.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        rows.truncate(want);
        Ok(rows)
    }

    fn checked(item: Item) -> Result<Item, StoreError> {
        let bytes = item_size(&item);
        if bytes > MAX_ITEM_BYTES {
            let key = |k| {
                ext::AttributeValuesExt::get_s(&item, k)
                    .unwrap_or("?")
                    .to_owned()
            };
            return Err(StoreError::ItemTooLarge {
                pk: key(PK),
                sk: key(SK),
                bytes,
            });
        }
        Ok(item)
    }

    async fn put_item(&self, item: Item) -> Result<(), StoreError> {
        let out = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(Self::checked(item)?))
            .return_consumed_capacity(TOTAL)
            .send()
            .await
            .map_err(|e| sdk("PutItem", e))?;
        self.spent(Units::Write, out.consumed_capacity());
        Ok(())
    }

    async fn get_item(&self, key: Item) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .return_consumed_capacity(TOTAL)
            .send()
            .await
            .map_err(|e| sdk("GetItem", e))?;
        self.spent(Units::Read, out.consumed_capacity());
        Ok(out.item)
    }

    fn put(&self, item: Item) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(Self::checked(item)?))
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

    async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
    ) -> Result<(), SdkError<TransactWriteItemsError, aws_sdk_dynamodb::config::http::HttpResponse>>
    {
        let out = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .return_consumed_capacity(TOTAL)
            .send()
            .await?;
        self.spent(Units::Write, out.consumed_capacity());
        Ok(())
    }

    /// Puts items in batches of 25, resending what DynamoDB left
    /// unprocessed (it does so under throttling).
    async fn put_all(&self, items: Vec<Item>) -> Result<(), StoreError> {
        let requests = items
            .into_iter()
            .map(|item| {
                let put = PutRequest::builder()
                    .set_item(Some(Self::checked(item)?))
                    .build()
                    .map_err(build)?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.batch_write(requests).await
    }

    /// Sends `requests` in `BatchWriteItem`s of 25, resending what
    /// DynamoDB left unprocessed (it does so under throttling) with a
    /// growing pause, a few times.
    pub(super) async fn batch_write(&self, requests: Vec<WriteRequest>) -> Result<(), StoreError> {
        for chunk in requests.chunks(BATCH_WRITE_MAX) {
            let mut requests = chunk.to_vec();
            for attempt in 0u32.. {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .return_consumed_capacity(TOTAL)
                    .send()
                    .await
                    .map_err(|e| sdk("BatchWriteItem", e))?;
                self.spent(Units::Write, out.consumed_capacity());
                requests = out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(&self.table))
                    .unwrap_or_default();
                if requests.is_empty() {
                    break;
                }
                if attempt == 8 {
                    return Err(StoreError::backend(format!(
                        "BatchWriteItem left {} items unprocessed",
                        requests.len()
                    )));
                }
                tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
            }
        }
        Ok(())
    }
}

/// An SDK failure as a store error, keeping the SDK's error as its source
/// (it names the operation and the service's error code; no item contents).
fn sdk<E: StdError + Send + Sync + 'static, R: std::fmt::Debug + Send + Sync + 'static>(
    op: &str,
    e: SdkError<E, R>,
) -> StoreError {
    StoreError::Backend {
        context: format!("DynamoDB {op}: {}", DisplayErrorContext(&e)),
        source: Some(Box::new(e)),
    }
}

fn build(e: BuildError) -> StoreError {
    StoreError::caused("building a DynamoDB request", e)
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
    async fn put_connection(
        &self,
        conn: &Connection,
        max_members: usize,
    ) -> Result<Admission, StoreError> {
        self.put_connection_impl(conn, max_members).await
    }

    async fn get_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError> {
        self.get_connection_impl(id).await
    }

    async fn update_connection(
        &self,
        old: &Connection,
        new: &Connection,
        max_members: usize,
    ) -> Result<Admission, StoreError> {
        self.update_connection_impl(old, new, max_members).await
    }

    async fn delete_connection(&self, id: &ConnectionId) -> Result<Option<Departure>, StoreError> {
        self.delete_connection_impl(id).await
    }

    async fn room_count(&self, room: &RoomName) -> Result<usize, StoreError> {
        self.room_count_impl(room).await
    }

    async fn room_members(
        &self,
        room: &RoomName,
        after: Option<&MemberKey>,
        limit: usize,
    ) -> Result<MembersPage, StoreError> {
        self.room_members_impl(room, after, limit).await
    }

    async fn touch_typing(
        &self,
        id: &ConnectionId,
        now_ms: i64,
        interval_ms: i64,
    ) -> Result<bool, StoreError> {
        self.touch_typing_impl(id, now_ms, interval_ms).await
    }

    async fn connections_of_instance(&self, instance: &str) -> Result<Vec<Connection>, StoreError> {
        self.connections_of_instance_impl(instance).await
    }

    async fn connections_before(&self, _cutoff_ms: i64) -> Result<Vec<Connection>, StoreError> {
        // Rows expire by TTL, and API Gateway always runs `$disconnect`.
        Ok(Vec::new())
    }

    async fn has_client_msg(
        &self,
        room: &RoomName,
        scope: &str,
        id: &ClientMsgId,
    ) -> Result<bool, StoreError> {
        self.has_client_msg_impl(room, scope, id).await
    }

    async fn put_message(&self, msg: &Message, scope: &str) -> Result<PutOutcome, StoreError> {
        self.put_message_impl(msg, scope).await
    }

    async fn messages_before(
        &self,
        room: &RoomName,
        query: &HistoryQuery,
    ) -> Result<HistoryPage, StoreError> {
        self.messages_before_impl(room, query).await
    }

    async fn put_translation(
        &self,
        room: &RoomName,
        key: &MessageKey,
        lang: Lang,
        translation: &Translation,
        ttl: Option<i64>,
    ) -> Result<(), StoreError> {
        self.put_translation_impl(room, key, lang, translation, ttl)
            .await
    }

    async fn increment(&self, counter: &Counter, steps: &[Step<'_>]) -> Result<Tally, StoreError> {
        self.increment_impl(counter, steps).await
    }

    async fn delivery(&self, batch: &str) -> Result<Option<Delivery>, StoreError> {
        self.delivery_impl(batch).await
    }

    async fn put_delivery(&self, batch: &str, delivery: &Delivery) -> Result<(), StoreError> {
        self.put_delivery_impl(batch, delivery).await
    }

    async fn put_rest_translation(&self, record: &TranslationRecord) -> Result<(), StoreError> {
        self.put_item(items::rest_translation(record)).await
    }

    async fn rest_translations(
        &self,
        day: NaiveDate,
        limit: usize,
    ) -> Result<Vec<TranslationRecord>, StoreError> {
        let pk = crate::store::keys::rest_day_pk(day);
        let rows = self
            .query(&pk, SortKeys::All, Expiry::Live(TTL), false, None, limit)
            .await?;
        rows.iter().map(items::parse_rest_translation).collect()
    }

    async fn purge_expired(&self, _now_s: i64, _max: usize) -> Result<usize, StoreError> {
        // DynamoDB's TTL deletes expired items by itself.
        Ok(0)
    }
}
