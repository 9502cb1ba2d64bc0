//! The rest of the embedded stores: counters, fan-out delivery markers,
//! the REST API's records, and deleting what has expired.

use chrono::NaiveDate;

use super::rows::{ConnectionRow, CounterRow, DeliveryRow, TtlOnly, decode};
use super::{EXPIRY_PK, Query, ReadTx, WriteTx, put_row, rooms};
use crate::model::TranslationRecord;
use crate::ports::{Counter, Delivery, StoreError, Tally};
use crate::store::{delivery_ttl, keys, now_s};

pub fn increment(
    tx: &mut dyn WriteTx,
    counter: &Counter,
    steps: &[(String, i64, Option<i64>)],
) -> Result<Tally, StoreError> {
    let (pk, sk, ttl) = keys::counter(counter);
    let (pk, sk) = (&pk, &sk);
    let mut row = match tx.get(pk, sk)? {
        Some(bytes) => decode::<CounterRow>(pk, sk, &bytes)?,
        None => CounterRow::default(),
    };
    // An expired counter (not yet purged) starts again, as a new one would.
    if row.ttl.is_some_and(|t| t < now_s()) {
        row = CounterRow::default();
    }
    let indexed = row.ttl;
    let current: Vec<i64> = steps
        .iter()
        .map(|(field, _, _)| row.fields.get(field).copied().unwrap_or(0))
        .collect();
    let refused = steps
        .iter()
        .zip(&current)
        .any(|((_, add, max), now)| max.is_some_and(|m| now + add > m));
    if refused {
        return Ok(Tally::Refused(current));
    }
    let mut after = Vec::with_capacity(steps.len());
    for ((field, add, _), now) in steps.iter().zip(current) {
        row.fields.insert(field.clone(), now + add);
        after.push(now + add);
    }
    row.ttl = ttl;
    // The expiry entry is there already when the ttl has not moved (it
    // moves once an hour): a step writes the row alone.
    put_row(tx, pk, sk, &row, ttl.filter(|t| indexed != Some(*t)))?;
    Ok(Tally::Counted(after))
}

pub fn delivery(tx: &dyn ReadTx, batch: &str) -> Result<Option<Delivery>, StoreError> {
    let pk = keys::delivery_pk(batch);
    let Some(bytes) = tx.get(&pk, keys::META)? else {
        return Ok(None);
    };
    let row: DeliveryRow = decode(&pk, keys::META, &bytes)?;
    Ok(Some(match row.remaining {
        None => Delivery::Done,
        Some(ids) => Delivery::Remaining(ids),
    }))
}

pub fn put_delivery(
    tx: &mut dyn WriteTx,
    batch: &str,
    delivery: &Delivery,
) -> Result<(), StoreError> {
    let row = DeliveryRow {
        remaining: match delivery {
            Delivery::Done => None,
            Delivery::Remaining(ids) => Some(ids.clone()),
        },
        ttl: delivery_ttl(),
    };
    put_row(
        tx,
        &keys::delivery_pk(batch),
        keys::META,
        &row,
        Some(row.ttl),
    )
}

pub fn put_rest_translation(
    tx: &mut dyn WriteTx,
    record: &TranslationRecord,
) -> Result<(), StoreError> {
    let (pk, sk) = keys::rest_translation_key(record);
    put_row(tx, &pk, &sk, record, record.ttl)
}

pub fn rest_translations(
    tx: &dyn ReadTx,
    day: NaiveDate,
    limit: usize,
) -> Result<Vec<TranslationRecord>, StoreError> {
    let pk = keys::rest_day_pk(day);
    let now = now_s();
    let mut out = Vec::new();
    let mut to: Option<String> = None;
    // The day's partition holds nothing else: no prefix needed.
    while out.len() < limit {
        let q = Query {
            to: to.as_deref(),
            reverse: true,
            limit: Some(limit - out.len()),
            ..Query::default()
        };
        let rows = tx.query(&pk, &q)?;
        let exhausted = rows.len() < limit - out.len();
        for (sk, bytes) in &rows {
            let record: TranslationRecord = decode(&pk, sk, bytes)?;
            if record.ttl.is_none_or(|t| t >= now) {
                out.push(record);
            }
        }
        to = rows.last().map(|(sk, _)| sk.clone());
        if exhausted {
            break;
        }
    }
    Ok(out)
}

/// Up to `max` entries of the expiry index that are due: `(index sort
/// key, pk, sk)`; and after each message, its translations (which have no
/// entries of their own: they go with their message) with no index key.
pub fn expired(tx: &dyn ReadTx, now_s: i64, max: usize) -> Result<Vec<Due>, StoreError> {
    let to = format!("{now_s:011}");
    let q = Query {
        to: Some(&to),
        limit: Some(max),
        ..Query::default()
    };
    let mut due = Vec::new();
    for (index_sk, _) in tx.query(EXPIRY_PK, &q)? {
        let mut parts = index_sk.splitn(3, '\u{1}');
        let (Some(_ttl), Some(pk), Some(sk)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let (pk, sk) = (pk.to_owned(), sk.to_owned());
        let translations = keys::translations_of_message_sk(&sk);
        due.push((Some(index_sk.clone()), pk.clone(), sk));
        if let Some(prefix) = translations {
            let q = Query {
                prefix: &prefix,
                ..Query::default()
            };
            for (sk, _) in tx.query(&pk, &q)? {
                due.push((None, pk.clone(), sk));
            }
        }
    }
    Ok(due)
}

/// A row to purge if it has expired: its expiry index entry, if it has one,
/// its `pk` and `sk`.
pub type Due = (Option<String>, String, String);

/// Deletes the rows the index names, if they are still expired (a row
/// written again since has a later `ttl` and stays). A connection goes as
/// `$disconnect` would take it, freeing its place in the room.
pub fn purge(tx: &mut dyn WriteTx, due: Vec<Due>, now_s: i64) -> Result<usize, StoreError> {
    let mut purged = 0;
    for (index_sk, pk, sk) in due {
        if let Some(index_sk) = index_sk {
            tx.delete(EXPIRY_PK, &index_sk)?;
        }
        let Some(bytes) = tx.get(&pk, &sk)? else {
            continue;
        };
        if decode::<TtlOnly>(&pk, &sk, &bytes)?
            .ttl
            .is_none_or(|t| t >= now_s)
        {
            continue;
        }
        if sk == keys::META && pk.starts_with(keys::CONNECTION_PREFIX) {
            let conn = decode::<ConnectionRow>(&pk, &sk, &bytes)?.conn;
            rooms::delete_connection(tx, &conn.id)?;
        } else if let Some(member) = keys::parse_member_sk(&sk) {
            let room = pk
                .strip_prefix("ROOM#")
                .and_then(|r| crate::model::RoomName::parse(r).ok());
            match room {
                Some(room) => {
                    rooms::leave(tx, &room, &member)?;
                }
                None => tx.delete(&pk, &sk)?,
            }
        } else {
            tx.delete(&pk, &sk)?;
        }
        purged += 1;
    }
    Ok(purged)
}
