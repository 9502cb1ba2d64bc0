//! The in-memory store: the single table in a `BTreeMap`, for tests and
//! `--store memory`.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Mutex;

use super::table::{Backend, Query, ReadTx, Row, TableStore, WriteTx, prefix_end};
use crate::ports::StoreError;

type Map = BTreeMap<(String, String), Vec<u8>>;

/// The single table held in memory.
#[derive(Default)]
pub struct MemoryBackend {
    rows: Mutex<Map>,
}

pub type MemoryStore = TableStore<MemoryBackend>;

impl MemoryStore {
    pub fn in_memory() -> Self {
        TableStore::new(MemoryBackend::default())
    }
}

struct Tx<'a>(&'a mut Map);

impl ReadTx for Tx<'_> {
    fn get(&self, pk: &str, sk: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.0.get(&(pk.to_owned(), sk.to_owned())).cloned())
    }

    fn query(&self, pk: &str, q: &Query<'_>) -> Result<Vec<Row>, StoreError> {
        let lo = (pk.to_owned(), q.prefix.to_owned());
        let hi = match q.below {
            Some(below) => Bound::Excluded((pk.to_owned(), below.to_owned())),
            None => Bound::Included((pk.to_owned(), prefix_end(q.prefix))),
        };
        let range = self.0.range((Bound::Included(lo), hi));
        let rows = range.filter(|((_, sk), _)| sk.starts_with(q.prefix));
        let limit = q.limit.unwrap_or(usize::MAX);
        let pick = |((_, sk), v): (&(String, String), &Vec<u8>)| (sk.clone(), v.clone());
        Ok(if q.reverse {
            rows.rev().take(limit).map(pick).collect()
        } else {
            rows.take(limit).map(pick).collect()
        })
    }

    fn scan(&self, pk_prefix: &str, sk: &str) -> Result<Vec<Row>, StoreError> {
        Ok(self.scan_rows(pk_prefix, sk))
    }
}

impl Tx<'_> {
    fn scan_rows(&self, pk_prefix: &str, sk: &str) -> Vec<Row> {
        let lo = (pk_prefix.to_owned(), String::new());
        let hi = (prefix_end(pk_prefix), String::new());
        self.0
            .range(lo..hi)
            .filter(|((pk, s), _)| pk.starts_with(pk_prefix) && s == sk)
            .map(|((pk, _), v)| (pk.clone(), v.clone()))
            .collect()
    }
}

impl WriteTx for Tx<'_> {
    fn put(&mut self, pk: &str, sk: &str, value: &[u8]) -> Result<(), StoreError> {
        self.0
            .insert((pk.to_owned(), sk.to_owned()), value.to_vec());
        Ok(())
    }

    fn delete(&mut self, pk: &str, sk: &str) -> Result<(), StoreError> {
        self.0.remove(&(pk.to_owned(), sk.to_owned()));
        Ok(())
    }
}

impl Backend for MemoryBackend {
    const BLOCKING: bool = false;

    fn read<R>(
        &self,
        f: impl FnOnce(&dyn ReadTx) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let mut rows = self.rows.lock().unwrap_or_else(|p| p.into_inner());
        f(&Tx(&mut rows))
    }

    fn write<R>(
        &self,
        f: impl FnOnce(&mut dyn WriteTx) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let mut rows = self.rows.lock().unwrap_or_else(|p| p.into_inner());
        // Writes here fail only on corrupt rows, which they read first.
        f(&mut Tx(&mut rows))
    }
}
