//! The limits' counters, counted in memory: each counter row's latest
//! value is kept here once read, a step is counted against it under one
//! lock (so a limit holds exactly, as in one transaction), and the new
//! row is queued for the next write transaction at once, in the order
//! counted. A message then waits neither for the writer nor for a commit
//! to be counted; its own write, queued after its counters, is durable
//! only with them (groups commit in order), so nothing it acknowledges
//! outruns its counters.
//!
//! A row not kept yet is read through the writer, which has applied every
//! step queued before; past [`MAX_KEPT`] rows the map starts again empty.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{Backend, EmbeddedStore, Overlay, WriteTx, upkeep};
use crate::ports::{Counter, StoreError, Tally};
use crate::store::keys;

/// Counter rows kept at most (a sender's row lives for an hour).
const MAX_KEPT: usize = 50_000;

type Key = (String, String);

/// Counter rows' latest values (`None`: no row yet).
#[derive(Default)]
pub struct Counters {
    rows: Mutex<HashMap<Key, Option<Vec<u8>>>>,
}

impl Counters {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Option<Vec<u8>>>> {
        self.rows.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl<B: Backend> EmbeddedStore<B> {
    /// Counts `steps` on `counter` (see the file's summary).
    pub(super) async fn count(
        &self,
        counter: &Counter,
        steps: &[(String, i64, Option<i64>)],
    ) -> Result<Tally, StoreError> {
        let (pk, sk, _) = keys::counter(counter);
        let key = (pk, sk);
        let known = self.counters.lock().contains_key(&key);
        if !known {
            let (p, s) = key.clone();
            let current = self
                .backend
                .write_early(Box::new(move |tx| tx.get(&p, &s)))
                .await?;
            let mut rows = self.counters.lock();
            if rows.len() >= MAX_KEPT {
                rows.clear();
            }
            // A step counted meanwhile is newer than what was read.
            rows.entry(key.clone()).or_insert(current);
        }
        let mut rows = self.counters.lock();
        let current = rows.get(&key).cloned().flatten();
        let base = |p: &str, s: &str| {
            if (p, s) == (key.0.as_str(), key.1.as_str()) {
                Ok(current.clone())
            } else {
                Err(StoreError::backend(format!("a counter read {p}/{s}")))
            }
        };
        let mut overlay = Overlay::new(&base);
        let tally = upkeep::increment(&mut overlay, counter, steps)?;
        let changes = overlay.into_changes();
        if let Some(row) = changes.get(&key) {
            rows.insert(key.clone(), row.clone());
        }
        if !changes.is_empty() {
            // Queued under the lock: the writer applies them in the order
            // they were counted.
            self.backend
                .write_later(Box::new(move |tx: &mut dyn WriteTx| {
                    for ((p, s), change) in changes {
                        match change {
                            Some(value) => tx.put(&p, &s, value)?,
                            None => tx.delete(&p, &s)?,
                        }
                    }
                    Ok(())
                }));
        }
        Ok(tally)
    }
}
