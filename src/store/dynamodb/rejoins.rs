//! [`Rejoins`] on DynamoDB: one item per member that left,
//! `ROOM#{room}` / `LEFT#{tag}`, with a `ttl`
//! [`REJOIN_GRACE`](crate::limits::REJOIN_GRACE) on (read as gone past
//! it: TTL deletion lags).

use async_trait::async_trait;

use super::DynamoStore;
use super::ext::{AttributeValuesExt, n};
use super::items::{self, TTL};
use crate::limits::REJOIN_GRACE;
use crate::model::{ClientTag, RoomName};
use crate::ports::{Rejoins, StoreError};
use crate::store::{keys, now_s};

#[async_trait]
impl Rejoins for DynamoStore {
    #[tracing::instrument(skip_all, fields(room = %room.as_str()))]
    async fn note_left(
        &self,
        room: &RoomName,
        tag: &ClientTag,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut item = items::key(keys::room_pk(room), keys::left_sk(tag));
        item.insert("at".into(), n(at_ms));
        item.insert(TTL.into(), n(at_ms / 1000 + REJOIN_GRACE.as_secs() as i64));
        self.put_item(item).await
    }

    #[tracing::instrument(skip_all, fields(room = %room.as_str()))]
    async fn left_at(&self, room: &RoomName, tag: &ClientTag) -> Result<Option<i64>, StoreError> {
        let item = self
            .get_item(items::key(keys::room_pk(room), keys::left_sk(tag)))
            .await?;
        Ok(item
            .filter(|i| i.get_i64(TTL).is_some_and(|t| t >= now_s()))
            .and_then(|i| i.get_i64("at")))
    }
}
