//! The in-memory backend: the single table in a `BTreeMap`, for tests and
//! `--store memory`.

use std::collections::BTreeMap;
use std::future::Future;
use std::ops::Bound;
use std::sync::Mutex;

use super::{Backend, EmbeddedStore, Overlay, Query, ReadTx, Row, WriteFn, prefix_end};
use crate::ports::StoreError;

type Key = (String, String);
type Map = BTreeMap<Key, Vec<u8>>;

/// The single table held in memory.
#[derive(Default)]
pub struct MemoryBackend {
    rows: Mutex<Map>,
}

/// The embedded store on memory: gone when the process ends.
pub type MemoryStore = EmbeddedStore<MemoryBackend>;

impl MemoryStore {
    /// An empty store.
    pub fn in_memory() -> Self {
        EmbeddedStore::new(MemoryBackend::default())
    }
}

/// The `(pk, sk)` range a query covers, in key order.
pub(super) fn bounds(pk: &str, q: &Query<'_>) -> (Bound<Key>, Bound<Key>) {
    let lo = match q.from {
        Some(from) if from > q.prefix => from.to_owned(),
        _ => q.prefix.to_owned(),
    };
    let end = prefix_end(q.prefix);
    let hi = match q.to {
        Some(to) if to < end.as_str() => Bound::Excluded((pk.to_owned(), to.to_owned())),
        _ => Bound::Included((pk.to_owned(), end)),
    };
    (Bound::Included((pk.to_owned(), lo)), hi)
}

struct Tx<'a>(&'a mut Map);

impl ReadTx for Tx<'_> {
    fn get(&self, pk: &str, sk: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.0.get(&(pk.to_owned(), sk.to_owned())).cloned())
    }

    fn query(&self, pk: &str, q: &Query<'_>) -> Result<Vec<Row>, StoreError> {
        let (lo, hi) = bounds(pk, q);
        if matches!((&lo, &hi), (Bound::Included(l), Bound::Excluded(h)) if l >= h) {
            return Ok(Vec::new());
        }
        let rows = self
            .0
            .range((lo, hi))
            .filter(|((_, sk), _)| sk.starts_with(q.prefix));
        let limit = q.limit.unwrap_or(usize::MAX);
        let pick = |((_, sk), v): (&(String, String), &Vec<u8>)| (sk.clone(), v.clone());
        Ok(if q.reverse {
            rows.rev().take(limit).map(pick).collect()
        } else {
            rows.take(limit).map(pick).collect()
        })
    }

    fn scan(&self, pk_prefix: &str, sk: &str) -> Result<Vec<Row>, StoreError> {
        let lo = (pk_prefix.to_owned(), String::new());
        let hi = (prefix_end(pk_prefix), String::new());
        Ok(self
            .0
            .range(lo..hi)
            .filter(|((pk, s), _)| pk.starts_with(pk_prefix) && s == sk)
            .map(|((pk, _), v)| (pk.clone(), v.clone()))
            .collect())
    }
}

impl Backend for MemoryBackend {
    const BLOCKING_READS: bool = false;

    fn read<R>(
        &self,
        f: impl FnOnce(&dyn ReadTx) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let mut rows = self.rows.lock().unwrap_or_else(|p| p.into_inner());
        f(&Tx(&mut rows))
    }

    fn write<R: Send + 'static>(
        &self,
        f: WriteFn<R>,
    ) -> impl Future<Output = Result<R, StoreError>> + Send {
        let mut rows = self.rows.lock().unwrap_or_else(|p| p.into_inner());
        let base = |pk: &str, sk: &str| Ok(rows.get(&(pk.to_owned(), sk.to_owned())).cloned());
        let mut overlay = Overlay::new(&base);
        let result = f(&mut overlay);
        let changes = overlay.into_changes();
        if result.is_ok() {
            for (key, change) in changes {
                match change {
                    Some(value) => rows.insert(key, value),
                    None => rows.remove(&key),
                };
            }
        }
        std::future::ready(result)
    }

    fn write_later(&self, f: WriteFn<()>) {
        // Done at once: nothing here outlives the process anyway.
        use futures_util::FutureExt;
        if let Some(Err(e)) = self.write(f).now_or_never() {
            tracing::error!(error = %e, "a queued write failed");
        }
    }
}
