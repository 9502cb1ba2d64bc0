//! Messages on DynamoDB: the message item, one item per translation beside
//! it, and the `clientMsgId` mark. Translations go first (harmless alone:
//! nothing reads a translation without its message), then the message and
//! its mark in one transaction whose condition refuses a repeated id — so a
//! failure leaves nothing the sender was told about, and a message that was
//! stored always has every translation its readers got.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};

use super::amend::parse_author;
use super::ext::{AttributeValuesExt, n};
use super::items::{self, PK, SK, TTL};
use super::{DynamoStore, Expiry, SortKeys, build, condition_failed, sdk};
use crate::model::{ClientMsgId, Message, MessageKey, RoomName};
use crate::ports::{HistoryPage, HistoryQuery, PutOutcome, StoreError};
use crate::store::{keys, now_s};

impl DynamoStore {
    #[tracing::instrument(skip_all, fields(room = %room.as_str()))]
    pub(super) async fn has_client_msg_impl(
        &self,
        room: &RoomName,
        scope: &str,
        id: &ClientMsgId,
    ) -> Result<bool, StoreError> {
        let (pk, sk) = keys::client_msg_key(room, scope, id);
        let item = self.get_item(items::key(pk, sk)).await?;
        // TTL deletion lags; an expired marker no longer counts.
        let now = now_s();
        Ok(item.is_some_and(|item| item.get_i64(TTL).is_none_or(|ttl| ttl >= now)))
    }

    #[tracing::instrument(skip_all, fields(msg = %msg.id, room = %msg.room.as_str()))]
    pub(super) async fn put_message_impl(
        &self,
        msg: &Message,
        scope: &str,
    ) -> Result<PutOutcome, StoreError> {
        let key = msg.key();
        let translations = msg
            .translations
            .iter()
            .map(|(lang, t)| items::translation(&msg.room, &key, *lang, t, msg.ttl))
            .collect();
        self.put_all(translations).await?;
        let Some(cmid) = &msg.client_msg_id else {
            self.put_item(items::message(msg)).await?;
            return Ok(PutOutcome::Stored);
        };
        let marker = Put::builder()
            .table_name(&self.table)
            .set_item(Some(items::client_msg(msg, scope, cmid)))
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
        match self.transact(writes).await {
            Ok(()) => Ok(PutOutcome::Stored),
            Err(e) if condition_failed(&e) => Ok(PutOutcome::Duplicate),
            Err(e) => Err(sdk("TransactWriteItems", e)),
        }
    }

    #[tracing::instrument(skip(self))]
    pub(super) async fn messages_before_impl(
        &self,
        room: &RoomName,
        q: &HistoryQuery,
    ) -> Result<HistoryPage, StoreError> {
        let pk = keys::room_pk(room);
        let since = keys::message_sk(&MessageKey {
            ts: q.since_ms.max(0),
            id: String::new(),
        });
        let range = SortKeys::Between(since, keys::prefix_end(keys::MESSAGE_PREFIX));
        let start = q
            .before
            .as_ref()
            .map(|b| items::key(pk.clone(), keys::message_sk(b)));
        // One more than asked tells whether older messages exist.
        let mut rows = self
            .query(
                &pk,
                range,
                Expiry::Live(TTL),
                false,
                start,
                q.limit.saturating_add(1),
            )
            .await?;
        let more = rows.len() > q.limit;
        rows.truncate(q.limit);
        let mut messages = rows
            .iter()
            .map(items::parse_message)
            .collect::<Result<Vec<_>, _>>()?;
        messages.reverse();
        let (Some(oldest), Some(newest)) = (messages.first(), messages.last()) else {
            return Ok(HistoryPage { messages, more });
        };
        // The same span of time, in the reader's language only.
        let range = SortKeys::Between(
            keys::translation_sk(q.lang, &oldest.key()),
            keys::translation_sk(q.lang, &newest.key()),
        );
        let mut found: HashMap<String, _> = HashMap::new();
        let rows = self
            .query(&pk, range, Expiry::Live(TTL), true, None, usize::MAX)
            .await?;
        for row in rows {
            if let (Some(sk), Some(t)) = (row.get_s(SK), items::parse_translation(&row)) {
                found.insert(sk.to_owned(), (t, parse_author(&row)));
            }
        }
        for msg in &mut messages {
            msg.translations.retain(|l, _| *l == q.lang);
            if let Some((t, by)) = found.remove(&keys::translation_sk(q.lang, &msg.key())) {
                msg.translations.insert(q.lang, t);
                if let Some(by) = by {
                    msg.corrected.insert(q.lang, by);
                }
            }
        }
        Ok(HistoryPage { messages, more })
    }
}
