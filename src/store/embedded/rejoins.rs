//! [`Rejoins`] on the embedded stores: one row per member that left,
//! `ROOM#{room}` / `LEFT#{tag}`, expiring after
//! [`REJOIN_GRACE`](crate::limits::REJOIN_GRACE) like any row with a
//! `ttl`.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::rows::decode;
use super::{Backend, EmbeddedStore, put_row};
use crate::limits::REJOIN_GRACE;
use crate::model::{ClientTag, RoomName};
use crate::ports::{Rejoins, StoreError};
use crate::store::{keys, now_s};

#[derive(Debug, Serialize, Deserialize)]
struct LeftRow {
    at: i64,
    ttl: i64,
}

#[async_trait]
impl<B: Backend> Rejoins for EmbeddedStore<B> {
    async fn note_left(
        &self,
        room: &RoomName,
        tag: &ClientTag,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let (pk, sk) = (keys::room_pk(room), keys::left_sk(tag));
        let row = LeftRow {
            at: at_ms,
            ttl: at_ms / 1000 + REJOIN_GRACE.as_secs() as i64,
        };
        self.write(move |tx| put_row(tx, &pk, &sk, &row, Some(row.ttl)))
            .await
    }

    async fn left_at(&self, room: &RoomName, tag: &ClientTag) -> Result<Option<i64>, StoreError> {
        let (pk, sk) = (keys::room_pk(room), keys::left_sk(tag));
        self.read(move |tx| {
            let Some(bytes) = tx.get(&pk, &sk)? else {
                return Ok(None);
            };
            let row: LeftRow = decode(&pk, &sk, &bytes)?;
            Ok((row.ttl >= now_s()).then_some(row.at))
        })
        .await
    }
}
