//! Connections and rooms in the embedded stores: the connection row, its
//! member row, the room's count (changed in the same transaction as the
//! member rows, so it is exact), typing marks and instance lists.

use super::rows::{ConnectionRow, CounterRow, InstanceRow, MemberRow, TypingRow, decode};
use super::{Query, ReadTx, WriteTx, put_row};
use crate::model::{Connection, ConnectionId, MemberKey, RoomName};
use crate::ports::{Admission, Departure, StoreError};
use crate::store::{keys, now_s};

/// A connection's row and its `ttl`, expired or not.
pub fn connection_row(
    tx: &dyn ReadTx,
    id: &ConnectionId,
) -> Result<Option<(Connection, i64)>, StoreError> {
    let pk = keys::connection_pk(id);
    match tx.get(&pk, keys::META)? {
        Some(bytes) => {
            let row: ConnectionRow = decode(&pk, keys::META, &bytes)?;
            Ok(Some((row.conn, row.ttl)))
        }
        None => Ok(None),
    }
}

fn count_in(bytes: Option<Vec<u8>>, pk: &str) -> Result<usize, StoreError> {
    let Some(bytes) = bytes else { return Ok(0) };
    let row: CounterRow = decode(pk, keys::COUNT, &bytes)?;
    let n = row.fields.get(keys::COUNT_FIELD).copied().unwrap_or(0);
    Ok(usize::try_from(n).unwrap_or(0))
}

fn write_count(tx: &mut dyn WriteTx, room: &RoomName, n: usize) -> Result<(), StoreError> {
    let pk = keys::room_pk(room);
    if n == 0 {
        return tx.delete(&pk, keys::COUNT);
    }
    let mut row = CounterRow::default();
    row.fields.insert(keys::COUNT_FIELD.to_owned(), n as i64);
    put_row(tx, &pk, keys::COUNT, &row, None)
}

pub fn room_count(tx: &dyn ReadTx, room: &RoomName) -> Result<usize, StoreError> {
    let pk = keys::room_pk(room);
    count_in(tx.get(&pk, keys::COUNT)?, &pk)
}

fn put_member(tx: &mut dyn WriteTx, conn: &Connection) -> Result<(), StoreError> {
    let row = MemberRow {
        lang: conn.lang,
        name: conn.name.clone(),
        tag: conn.tag(),
        ttl: conn.ttl(),
    };
    let sk = keys::member_sk(&conn.member().key());
    put_row(tx, &keys::room_pk(&conn.room), &sk, &row, Some(conn.ttl()))
}

fn put_meta(tx: &mut dyn WriteTx, conn: &Connection) -> Result<(), StoreError> {
    let row = ConnectionRow {
        conn: conn.clone(),
        ttl: conn.ttl(),
    };
    put_row(
        tx,
        &keys::connection_pk(&conn.id),
        keys::META,
        &row,
        Some(conn.ttl()),
    )
}

/// Takes a place in the connection's room and writes its member row.
fn enter(tx: &mut dyn WriteTx, conn: &Connection, max: usize) -> Result<Admission, StoreError> {
    let pk = keys::room_pk(&conn.room);
    let n = count_in(tx.get(&pk, keys::COUNT)?, &pk)?;
    if n >= max {
        return Ok(Admission::Full);
    }
    write_count(tx, &conn.room, n + 1)?;
    put_member(tx, conn)?;
    Ok(Admission::Admitted { count: n + 1 })
}

/// Removes a member row, freeing its place if it was there; the room's
/// count after.
pub fn leave(tx: &mut dyn WriteTx, room: &RoomName, key: &MemberKey) -> Result<usize, StoreError> {
    let pk = keys::room_pk(room);
    let n = count_in(tx.get(&pk, keys::COUNT)?, &pk)?;
    let sk = keys::member_sk(key);
    if tx.get(&pk, &sk)?.is_none() {
        return Ok(n);
    }
    tx.delete(&pk, &sk)?;
    let n = n.saturating_sub(1);
    write_count(tx, room, n)?;
    Ok(n)
}

pub fn put_connection(
    tx: &mut dyn WriteTx,
    conn: &Connection,
    max: usize,
) -> Result<Admission, StoreError> {
    let admission = enter(tx, conn, max)?;
    if let Admission::Admitted { .. } = admission {
        put_meta(tx, conn)?;
        if let Some(instance) = &conn.instance {
            let row = InstanceRow { ttl: conn.ttl() };
            let (pk, sk) = (keys::instance_pk(instance), keys::connection_pk(&conn.id));
            put_row(tx, &pk, &sk, &row, Some(conn.ttl()))?;
        }
    }
    Ok(admission)
}

pub fn update_connection(
    tx: &mut dyn WriteTx,
    old: &Connection,
    new: &Connection,
    max: usize,
) -> Result<Admission, StoreError> {
    let admission = if old.room != new.room {
        let admission = enter(tx, new, max)?;
        if admission == Admission::Full {
            return Ok(admission);
        }
        leave(tx, &old.room, &old.member().key())?;
        admission
    } else {
        // Same room, same place: the member row is rewritten in place.
        let (old_key, new_key) = (old.member().key(), new.member().key());
        if old_key != new_key {
            tx.delete(&keys::room_pk(&old.room), &keys::member_sk(&old_key))?;
        }
        put_member(tx, new)?;
        let pk = keys::room_pk(&new.room);
        Admission::Admitted {
            count: count_in(tx.get(&pk, keys::COUNT)?, &pk)?,
        }
    };
    put_meta(tx, new)?;
    Ok(admission)
}

pub fn delete_connection(
    tx: &mut dyn WriteTx,
    id: &ConnectionId,
) -> Result<Option<Departure>, StoreError> {
    let pk = keys::connection_pk(id);
    let Some(bytes) = tx.get(&pk, keys::META)? else {
        return Ok(None);
    };
    let conn = decode::<ConnectionRow>(&pk, keys::META, &bytes)?.conn;
    tx.delete(&pk, keys::META)?;
    tx.delete(&pk, keys::TYPING)?;
    if let Some(instance) = &conn.instance {
        tx.delete(&keys::instance_pk(instance), &pk)?;
    }
    let count = leave(tx, &conn.room, &conn.member().key())?;
    Ok(Some(Departure { conn, count }))
}

/// Member rows of `room` past their `ttl`: left by a lost `$disconnect`.
pub fn stale_members(tx: &dyn ReadTx, room: &RoomName) -> Result<Vec<MemberKey>, StoreError> {
    let pk = keys::room_pk(room);
    let q = Query {
        prefix: keys::MEMBER_PREFIX,
        ..Query::default()
    };
    let now = now_s();
    let mut stale = Vec::new();
    for (sk, bytes) in tx.query(&pk, &q)? {
        if decode::<MemberRow>(&pk, &sk, &bytes)?.ttl < now
            && let Some(key) = keys::parse_member_sk(&sk)
        {
            stale.push(key);
        }
    }
    Ok(stale)
}

/// Deletes stale member rows, each with its place in the room.
pub fn reap(tx: &mut dyn WriteTx, room: &RoomName, stale: &[MemberKey]) -> Result<(), StoreError> {
    for key in stale {
        leave(tx, room, key)?;
    }
    Ok(())
}

pub fn touch_typing(
    tx: &mut dyn WriteTx,
    id: &ConnectionId,
    now_ms: i64,
    interval_ms: i64,
) -> Result<bool, StoreError> {
    let pk = keys::connection_pk(id);
    if tx.get(&pk, keys::META)?.is_none() {
        return Ok(false);
    }
    if let Some(bytes) = tx.get(&pk, keys::TYPING)?
        && decode::<TypingRow>(&pk, keys::TYPING, &bytes)?.at > now_ms - interval_ms
    {
        return Ok(false);
    }
    let ttl = now_ms / 1000 + 60;
    put_row(
        tx,
        &pk,
        keys::TYPING,
        &TypingRow { at: now_ms, ttl },
        Some(ttl),
    )?;
    Ok(true)
}

pub fn connections_of_instance(
    tx: &dyn ReadTx,
    instance: &str,
) -> Result<Vec<Connection>, StoreError> {
    let q = Query {
        prefix: keys::CONNECTION_PREFIX,
        ..Query::default()
    };
    let mut out = Vec::new();
    for (conn_pk, _) in tx.query(&keys::instance_pk(instance), &q)? {
        if let Some(bytes) = tx.get(&conn_pk, keys::META)? {
            out.push(decode::<ConnectionRow>(&conn_pk, keys::META, &bytes)?.conn);
        }
    }
    Ok(out)
}

pub fn connections_before(tx: &dyn ReadTx, cutoff_ms: i64) -> Result<Vec<Connection>, StoreError> {
    let mut out = Vec::new();
    for (pk, bytes) in tx.scan(keys::CONNECTION_PREFIX, keys::META)? {
        let row: ConnectionRow = decode(&pk, keys::META, &bytes)?;
        if row.conn.connected_at < cutoff_ms {
            out.push(row.conn);
        }
    }
    Ok(out)
}
