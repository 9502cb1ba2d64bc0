//! Connections and rooms on DynamoDB. A room's size is one counter item
//! (`ROOM#{room}` / `COUNT`). `$connect` takes a place with one
//! conditional `UpdateItem ADD` — atomic however many join at once, and
//! nobody reads the member list to count — then writes the connection's
//! rows (giving the place back if that fails); `$disconnect` deletes the
//! rows and gives the place back. The counter is a plain `UpdateItem`, not
//! part of a transaction, so a crowd joining one room never conflicts on
//! it.
//!
//! Member rows carry `expires`, not `ttl`: DynamoDB's TTL would delete a
//! stale row (a lost `$disconnect`) without giving its place back. When a
//! room looks full, its stale member rows are reaped instead — each row's
//! delete and the count's decrement in one transaction, under the
//! condition that the row is stale, so each is counted back exactly once.

use aws_sdk_dynamodb::types::{Delete, ReturnValue, TransactWriteItem, Update};

use super::capacity::{TOTAL, Units};
use super::ext::{AttributeValuesExt, n};
use super::items::{self, EXPIRES, PK, SK};
use super::{DynamoStore, Expiry, SortKeys, build, condition_failed, sdk};
use crate::model::{Connection, ConnectionId, MemberKey, MembersPage, RoomName};
use crate::ports::{Admission, Departure, StoreError};
use crate::store::{keys, now_s};

impl DynamoStore {
    /// Adds `by` to a room's count; with `max`, only while the count is
    /// below it. `None` when the condition refused it.
    async fn add_to_room(
        &self,
        room: &RoomName,
        by: i64,
        max: Option<usize>,
    ) -> Result<Option<usize>, StoreError> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(items::key(keys::room_pk(room), keys::COUNT)))
            .update_expression("ADD #n :by")
            .expression_attribute_names("#n", keys::COUNT_FIELD)
            .expression_attribute_values(":by", n(by))
            .return_values(ReturnValue::UpdatedNew)
            .return_consumed_capacity(TOTAL);
        if let Some(max) = max {
            update = update
                .condition_expression("attribute_not_exists(#n) OR #n < :max")
                .expression_attribute_values(":max", n(max as i64));
        }
        match update.send().await {
            Ok(out) => {
                self.spent(Units::Write, out.consumed_capacity());
                let count = out
                    .attributes
                    .and_then(|a| a.get_i64(keys::COUNT_FIELD))
                    .unwrap_or(0);
                Ok(Some(usize::try_from(count).unwrap_or(0)))
            }
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(None)
            }
            Err(e) => Err(sdk("UpdateItem", e)),
        }
    }

    /// Takes a place in `room`; a room that looks full has its stale
    /// member rows reaped, then is tried once more.
    async fn reserve(&self, room: &RoomName, max: usize) -> Result<Admission, StoreError> {
        if let Some(count) = self.add_to_room(room, 1, Some(max)).await? {
            return Ok(Admission::Admitted { count });
        }
        if self.reap_stale_members(room).await? > 0
            && let Some(count) = self.add_to_room(room, 1, Some(max)).await?
        {
            return Ok(Admission::Admitted { count });
        }
        Ok(Admission::Full)
    }

    /// Gives a place back.
    async fn release(&self, room: &RoomName) -> Result<usize, StoreError> {
        Ok(self.add_to_room(room, -1, None).await?.unwrap_or(0))
    }

    /// Deletes the room's stale member rows, each with its place; returns
    /// how many. Reads the member rows: for a full room only.
    async fn reap_stale_members(&self, room: &RoomName) -> Result<usize, StoreError> {
        let pk = keys::room_pk(room);
        let prefix = SortKeys::BeginsWith(keys::MEMBER_PREFIX.to_owned());
        let stale = self
            .query(
                &pk,
                prefix,
                Expiry::Expired(EXPIRES),
                true,
                None,
                usize::MAX,
            )
            .await?;
        let mut reaped = 0;
        for row in stale {
            let Some(sk) = row.get_s(SK) else { continue };
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(items::key(pk.clone(), sk)))
                .condition_expression("#e < :now")
                .expression_attribute_names("#e", EXPIRES)
                .expression_attribute_values(":now", n(now_s()))
                .build()
                .map_err(build)?;
            let count = Update::builder()
                .table_name(&self.table)
                .set_key(Some(items::key(pk.clone(), keys::COUNT)))
                .update_expression("ADD #n :minus")
                .expression_attribute_names("#n", keys::COUNT_FIELD)
                .expression_attribute_values(":minus", n(-1))
                .build()
                .map_err(build)?;
            let writes = vec![
                TransactWriteItem::builder().delete(delete).build(),
                TransactWriteItem::builder().update(count).build(),
            ];
            match self.transact(writes).await {
                Ok(()) => reaped += 1,
                // Someone else reaped it first.
                Err(e) if condition_failed(&e) => {}
                Err(e) => return Err(sdk("TransactWriteItems", e)),
            }
        }
        if reaped > 0 {
            tracing::warn!(room = room.as_str(), reaped, "stale members reaped");
        }
        Ok(reaped)
    }

    #[tracing::instrument(skip_all, fields(conn = %conn.id))]
    pub(super) async fn put_connection_impl(
        &self,
        conn: &Connection,
        max: usize,
    ) -> Result<Admission, StoreError> {
        let admission = self.reserve(&conn.room, max).await?;
        if admission == Admission::Full {
            return Ok(admission);
        }
        let mut writes = vec![
            self.put(items::connection(conn))?,
            self.put(items::member(conn))?,
        ];
        if let Some(instance) = &conn.instance {
            writes.push(self.put(items::instance_row(conn, instance))?);
        }
        if let Err(e) = self.transact(writes).await {
            // Nobody is in that place after all.
            if let Err(undo) = self.release(&conn.room).await {
                tracing::warn!(error = %undo, "giving back a room place");
            }
            return Err(sdk("TransactWriteItems", e));
        }
        Ok(admission)
    }

    #[tracing::instrument(skip_all, fields(conn = %id))]
    pub(super) async fn get_connection_impl(
        &self,
        id: &ConnectionId,
    ) -> Result<Option<Connection>, StoreError> {
        match self
            .get_item(items::key(keys::connection_pk(id), keys::META))
            .await?
        {
            Some(item) => {
                let (conn, ttl) = items::parse_connection(&item)?;
                Ok((ttl >= now_s()).then_some(conn))
            }
            None => Ok(None),
        }
    }

    #[tracing::instrument(skip_all, fields(conn = %new.id))]
    pub(super) async fn update_connection_impl(
        &self,
        old: &Connection,
        new: &Connection,
        max: usize,
    ) -> Result<Admission, StoreError> {
        let moving = old.room != new.room;
        let admission = if moving {
            let admission = self.reserve(&new.room, max).await?;
            if admission == Admission::Full {
                return Ok(admission);
            }
            Some(admission)
        } else {
            None
        };
        let mut writes = vec![self.put(items::connection(new))?];
        if moving || old.member().key() != new.member().key() {
            writes.push(self.delete(items::member_key(old))?);
        }
        writes.push(self.put(items::member(new))?);
        if let Err(e) = self.transact(writes).await {
            if moving && let Err(undo) = self.release(&new.room).await {
                tracing::warn!(error = %undo, "giving back a room place");
            }
            return Err(sdk("TransactWriteItems", e));
        }
        match admission {
            Some(admission) => {
                self.release(&old.room).await?;
                Ok(admission)
            }
            None => Ok(Admission::Admitted {
                count: self.room_count_impl(&new.room).await?,
            }),
        }
    }

    #[tracing::instrument(skip_all, fields(conn = %id))]
    pub(super) async fn delete_connection_impl(
        &self,
        id: &ConnectionId,
    ) -> Result<Option<Departure>, StoreError> {
        let pk = keys::connection_pk(id);
        let Some(item) = self.get_item(items::key(pk.clone(), keys::META)).await? else {
            return Ok(None);
        };
        let (conn, _) = items::parse_connection(&item)?;
        // The member row's condition makes a second delete (or a reaping)
        // find nothing, so the room's place is given back once.
        let member = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(items::member_key(&conn)))
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()
            .map_err(build)?;
        let mut writes = vec![
            self.delete(items::key(pk.clone(), keys::META))?,
            TransactWriteItem::builder().delete(member).build(),
        ];
        if let Some(instance) = &conn.instance {
            writes.push(self.delete(items::key(keys::instance_pk(instance), pk.clone()))?);
        }
        let count = match self.transact(writes).await {
            Ok(()) => self.release(&conn.room).await?,
            Err(e) if condition_failed(&e) => {
                // The member row was gone (reaped): the rest can go.
                let mut rest = vec![self.delete(items::key(pk.clone(), keys::META))?];
                if let Some(instance) = &conn.instance {
                    rest.push(self.delete(items::key(keys::instance_pk(instance), pk))?);
                }
                self.transact(rest)
                    .await
                    .map_err(|e| sdk("TransactWriteItems", e))?;
                return Ok(None);
            }
            Err(e) => return Err(sdk("TransactWriteItems", e)),
        };
        Ok(Some(Departure { conn, count }))
    }

    pub(super) async fn room_count_impl(&self, room: &RoomName) -> Result<usize, StoreError> {
        let item = self
            .get_item(items::key(keys::room_pk(room), keys::COUNT))
            .await?;
        let count = item.and_then(|i| i.get_i64(keys::COUNT_FIELD)).unwrap_or(0);
        Ok(usize::try_from(count).unwrap_or(0))
    }

    #[tracing::instrument(skip(self))]
    pub(super) async fn room_members_impl(
        &self,
        room: &RoomName,
        after: Option<&MemberKey>,
        limit: usize,
    ) -> Result<MembersPage, StoreError> {
        let pk = keys::room_pk(room);
        let start = after.map(|k| items::key(pk.clone(), keys::member_sk(k)));
        let prefix = SortKeys::BeginsWith(keys::MEMBER_PREFIX.to_owned());
        // One more than asked tells whether a next page exists.
        let rows = self
            .query(
                &pk,
                prefix,
                Expiry::Live(EXPIRES),
                true,
                start,
                limit.saturating_add(1),
            )
            .await?;
        let mut members = Vec::with_capacity(rows.len());
        for row in &rows {
            members.push(items::parse_member(row)?.0);
        }
        let next = if members.len() > limit {
            members.truncate(limit);
            members.last().map(|m| m.key())
        } else {
            None
        };
        Ok(MembersPage { members, next })
    }

    pub(super) async fn touch_typing_impl(
        &self,
        id: &ConnectionId,
        now_ms: i64,
        interval_ms: i64,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(items::key(keys::connection_pk(id), keys::META)))
            .update_expression("SET #typing = :now")
            .condition_expression(
                "attribute_exists(#pk) AND (attribute_not_exists(#typing) OR #typing <= :cutoff)",
            )
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#typing", "typing_at")
            .expression_attribute_values(":now", n(now_ms))
            .expression_attribute_values(":cutoff", n(now_ms - interval_ms))
            .return_consumed_capacity(TOTAL)
            .send()
            .await;
        match result {
            Ok(out) => {
                self.spent(Units::Write, out.consumed_capacity());
                Ok(true)
            }
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(e) => Err(sdk("UpdateItem", e)),
        }
    }

    pub(super) async fn connections_of_instance_impl(
        &self,
        instance: &str,
    ) -> Result<Vec<Connection>, StoreError> {
        let pk = keys::instance_pk(instance);
        let rows = self
            .query(&pk, SortKeys::All, Expiry::Any, true, None, usize::MAX)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let Some(conn_pk) = row.get_s(SK) else {
                continue;
            };
            if let Some(item) = self.get_item(items::key(conn_pk, keys::META)).await? {
                out.push(items::parse_connection(&item)?.0);
            }
        }
        Ok(out)
    }
}
