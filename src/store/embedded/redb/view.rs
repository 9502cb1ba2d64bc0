//! What reads see: the rows written since the last checkpoint (in memory,
//! durable in a journal) over the redb file's rows. While a checkpoint
//! runs, the rows it moves stay visible (`frozen`) under the newer ones.

use std::collections::BTreeMap;
use std::iter::Peekable;
use std::ops::Bound;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use redb::ReadableTable;

use super::{TableKey, backend};
use crate::ports::StoreError;
use crate::store::embedded::memory::bounds;
use crate::store::embedded::overlay::Changes;
use crate::store::embedded::{Query, ReadTx, Row, prefix_end};

/// The redb table as reads see it.
pub type Table = redb::ReadOnlyTable<TableKey, &'static [u8]>;

/// Rows in a journal and not yet in the redb file (`None`: deleted).
#[derive(Default)]
pub struct Rows {
    /// Written since the last checkpoint began.
    pub active: Changes,
    /// Being moved into the file by a checkpoint.
    pub frozen: Option<Arc<Changes>>,
}

impl Rows {
    fn get(&self, pk: &str, sk: &str) -> Option<&Option<Vec<u8>>> {
        let key = (pk.to_owned(), sk.to_owned());
        self.active
            .get(&key)
            .or_else(|| self.frozen.as_ref().and_then(|f| f.get(&key)))
    }

    /// Both layers' rows in `range`, the newer winning.
    fn range<R: std::ops::RangeBounds<(String, String)> + Clone>(
        &self,
        range: R,
    ) -> BTreeMap<&(String, String), &Option<Vec<u8>>> {
        let mut rows: BTreeMap<_, _> = match &self.frozen {
            Some(frozen) => frozen.range(range.clone()).collect(),
            None => BTreeMap::new(),
        };
        rows.extend(self.active.range(range));
        rows
    }
}

/// [`Rows`] behind a lock. Reads hold it for their whole transaction, so
/// a checkpoint that moves rows into the file never shows a read the same
/// row twice or not at all.
#[derive(Default)]
pub struct Pending(RwLock<Rows>);

impl Pending {
    pub fn read(&self) -> RwLockReadGuard<'_, Rows> {
        self.0.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, Rows> {
        self.0.write().unwrap_or_else(|p| p.into_inner())
    }
}

/// A read transaction: `pending` first, then the file's `table`.
pub struct View<'a> {
    pub pending: &'a Rows,
    pub table: &'a Table,
}

pub fn get(
    t: &impl ReadableTable<TableKey, &'static [u8]>,
    pk: &str,
    sk: &str,
) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(t.get((pk, sk))
        .map_err(backend)?
        .map(|v| v.value().to_vec()))
}

fn as_ref(b: &Bound<(String, String)>) -> Bound<(&str, &str)> {
    match b {
        Bound::Included((p, s)) => Bound::Included((p.as_str(), s.as_str())),
        Bound::Excluded((p, s)) => Bound::Excluded((p.as_str(), s.as_str())),
        Bound::Unbounded => Bound::Unbounded,
    }
}

/// Merges two runs of `(key, value)` sorted the same way (ascending, or
/// descending with `reverse`); on equal keys `ours` wins, and its `None`
/// hides the row.
fn merge<K: Ord>(
    ours: impl Iterator<Item = (K, Option<Vec<u8>>)>,
    theirs: impl Iterator<Item = Result<(K, Vec<u8>), StoreError>>,
    reverse: bool,
    limit: usize,
) -> Result<Vec<(K, Vec<u8>)>, StoreError> {
    let mut ours: Peekable<_> = ours.peekable();
    let mut theirs: Peekable<_> = theirs.peekable();
    let mut out = Vec::new();
    while out.len() < limit {
        let take_ours = match (ours.peek(), theirs.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(_), Some(Err(_))) => false,
            (Some((a, _)), Some(Ok((b, _)))) => {
                if a == b {
                    theirs.next();
                    true
                } else {
                    (a < b) != reverse
                }
            }
        };
        if take_ours {
            if let Some((k, Some(v))) = ours.next() {
                out.push((k, v));
            }
        } else if let Some(row) = theirs.next() {
            out.push(row?);
        }
    }
    Ok(out)
}

impl ReadTx for View<'_> {
    fn get(&self, pk: &str, sk: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match self.pending.get(pk, sk) {
            Some(change) => Ok(change.clone()),
            None => get(self.table, pk, sk),
        }
    }

    fn query(&self, pk: &str, q: &Query<'_>) -> Result<Vec<Row>, StoreError> {
        let (lo, hi) = bounds(pk, q);
        if matches!((&lo, &hi), (Bound::Included(l), Bound::Excluded(h)) if l >= h) {
            return Ok(Vec::new());
        }
        let range = self
            .table
            .range::<(&str, &str)>((as_ref(&lo), as_ref(&hi)))
            .map_err(backend)?;
        let theirs = range.map(|entry| {
            let (k, v) = entry.map_err(backend)?;
            Ok((k.value().1.to_owned(), v.value().to_vec()))
        });
        let theirs = theirs.filter(|r| !matches!(r, Ok((sk, _)) if !sk.starts_with(q.prefix)));
        let ours = self
            .pending
            .range((lo.clone(), hi.clone()))
            .into_iter()
            .filter(|((_, sk), _)| sk.starts_with(q.prefix))
            .map(|((_, sk), v)| (sk.clone(), v.clone()));
        let limit = q.limit.unwrap_or(usize::MAX);
        if q.reverse {
            merge(ours.rev(), theirs.rev(), true, limit)
        } else {
            merge(ours, theirs, false, limit)
        }
    }

    fn all(&self) -> Result<Vec<(String, String, Vec<u8>)>, StoreError> {
        let mut rows = BTreeMap::new();
        for entry in self.table.iter().map_err(backend)? {
            let (k, v) = entry.map_err(backend)?;
            let (pk, sk) = k.value();
            rows.insert((pk.to_owned(), sk.to_owned()), v.value().to_vec());
        }
        for (key, change) in self.pending.range(..) {
            match change {
                Some(v) => rows.insert(key.clone(), v.clone()),
                None => rows.remove(key),
            };
        }
        Ok(rows.into_iter().map(|((pk, sk), v)| (pk, sk, v)).collect())
    }

    fn scan(&self, pk_prefix: &str, sk: &str) -> Result<Vec<Row>, StoreError> {
        let end = prefix_end(pk_prefix);
        let mut rows = BTreeMap::new();
        for entry in self
            .table
            .range::<(&str, &str)>((pk_prefix, "")..(end.as_str(), ""))
            .map_err(backend)?
        {
            let (k, v) = entry.map_err(backend)?;
            let (pk, s) = k.value();
            if pk.starts_with(pk_prefix) && s == sk {
                rows.insert(pk.to_owned(), v.value().to_vec());
            }
        }
        let (lo, hi) = ((pk_prefix.to_owned(), String::new()), (end, String::new()));
        for ((pk, s), change) in self.pending.range(lo..hi) {
            if !pk.starts_with(pk_prefix) || s != sk {
                continue;
            }
            match change {
                Some(v) => rows.insert(pk.clone(), v.clone()),
                None => rows.remove(pk),
            };
        }
        Ok(rows.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(rows: &[(&'static str, &str)]) -> Vec<Result<(&'static str, Vec<u8>), StoreError>> {
        rows.iter()
            .map(|(k, v)| Ok((*k, v.as_bytes().to_vec())))
            .collect()
    }

    fn text(rows: Vec<(&str, Vec<u8>)>) -> Vec<(&str, String)> {
        rows.into_iter()
            .map(|(k, v)| (k, String::from_utf8(v).unwrap()))
            .collect()
    }

    #[test]
    fn pending_rows_win_hide_and_interleave_within_the_limit() {
        let theirs = [("a", "1"), ("b", "2"), ("d", "4")];
        let ours = [
            ("b", Some(b"2'".to_vec())),
            ("c", Some(b"3".to_vec())),
            ("d", None),
        ];
        let forward = merge(ours.clone().into_iter(), ok(&theirs).into_iter(), false, 9);
        assert_eq!(
            text(forward.unwrap()),
            [("a", "1".into()), ("b", "2'".into()), ("c", "3".into())]
        );
        let back = merge(
            ours.into_iter().rev(),
            ok(&theirs).into_iter().rev(),
            true,
            2,
        );
        assert_eq!(text(back.unwrap()), [("c", "3".into()), ("b", "2'".into())]);
    }
}
