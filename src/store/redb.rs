//! The embedded store: the single table in one redb file. Every write is a
//! committed, fsynced transaction, so a message acknowledged to its sender
//! survives a crash.

use std::ops::Bound;
use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use super::table::{Backend, Query, ReadTx, Row, TableStore, WriteTx, prefix_end};
use crate::ports::StoreError;

/// `(pk, sk) → item` — the whole single table.
const TABLE: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("honyaku");

/// The redb file name inside `--data`.
pub const FILE_NAME: &str = "honyaku.redb";

pub struct RedbBackend {
    db: Database,
}

pub type RedbStore = TableStore<RedbBackend>;

impl RedbStore {
    /// Opens (or creates) `dir/honyaku.redb`.
    #[tracing::instrument]
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Backend(format!("creating {}: {e}", dir.display())))?;
        let path: PathBuf = dir.join(FILE_NAME);
        let db = Database::create(&path)
            .map_err(|e| StoreError::Backend(format!("opening {}: {e}", path.display())))?;
        let txn = db.begin_write().map_err(backend)?;
        txn.open_table(TABLE).map_err(backend)?;
        txn.commit().map_err(backend)?;
        Ok(TableStore::new(RedbBackend { db }))
    }
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn get(
    t: &impl ReadableTable<(&'static str, &'static str), &'static [u8]>,
    pk: &str,
    sk: &str,
) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(t.get((pk, sk))
        .map_err(backend)?
        .map(|v| v.value().to_vec()))
}

fn query(
    t: &impl ReadableTable<(&'static str, &'static str), &'static [u8]>,
    pk: &str,
    q: &Query<'_>,
) -> Result<Vec<Row>, StoreError> {
    let end = prefix_end(q.prefix);
    let hi = match q.below {
        Some(below) => Bound::Excluded((pk, below)),
        None => Bound::Included((pk, end.as_str())),
    };
    let range = t
        .range::<(&str, &str)>((Bound::Included((pk, q.prefix)), hi))
        .map_err(backend)?;
    let limit = q.limit.unwrap_or(usize::MAX);
    let entries: Box<dyn Iterator<Item = _>> = if q.reverse {
        Box::new(range.rev())
    } else {
        Box::new(range)
    };
    let mut rows = Vec::new();
    for entry in entries {
        if rows.len() >= limit {
            break;
        }
        let (k, v) = entry.map_err(backend)?;
        let (_, sk) = k.value();
        if sk.starts_with(q.prefix) {
            rows.push((sk.to_owned(), v.value().to_vec()));
        }
    }
    Ok(rows)
}

fn scan(
    t: &impl ReadableTable<(&'static str, &'static str), &'static [u8]>,
    pk_prefix: &str,
    sk: &str,
) -> Result<Vec<Row>, StoreError> {
    let end = prefix_end(pk_prefix);
    let range = t
        .range::<(&str, &str)>((pk_prefix, "")..(end.as_str(), ""))
        .map_err(backend)?;
    let mut rows = Vec::new();
    for entry in range {
        let (k, v) = entry.map_err(backend)?;
        let (pk, s) = k.value();
        if pk.starts_with(pk_prefix) && s == sk {
            rows.push((pk.to_owned(), v.value().to_vec()));
        }
    }
    Ok(rows)
}

struct Read(redb::ReadOnlyTable<(&'static str, &'static str), &'static [u8]>);
struct Write<'t>(redb::Table<'t, (&'static str, &'static str), &'static [u8]>);

impl ReadTx for Read {
    fn get(&self, pk: &str, sk: &str) -> Result<Option<Vec<u8>>, StoreError> {
        get(&self.0, pk, sk)
    }
    fn query(&self, pk: &str, q: &Query<'_>) -> Result<Vec<Row>, StoreError> {
        query(&self.0, pk, q)
    }
    fn scan(&self, pk_prefix: &str, sk: &str) -> Result<Vec<Row>, StoreError> {
        scan(&self.0, pk_prefix, sk)
    }
}

impl ReadTx for Write<'_> {
    fn get(&self, pk: &str, sk: &str) -> Result<Option<Vec<u8>>, StoreError> {
        get(&self.0, pk, sk)
    }
    fn query(&self, pk: &str, q: &Query<'_>) -> Result<Vec<Row>, StoreError> {
        query(&self.0, pk, q)
    }
    fn scan(&self, pk_prefix: &str, sk: &str) -> Result<Vec<Row>, StoreError> {
        scan(&self.0, pk_prefix, sk)
    }
}

impl WriteTx for Write<'_> {
    fn put(&mut self, pk: &str, sk: &str, value: &[u8]) -> Result<(), StoreError> {
        self.0.insert((pk, sk), value).map_err(backend)?;
        Ok(())
    }
    fn delete(&mut self, pk: &str, sk: &str) -> Result<(), StoreError> {
        self.0.remove((pk, sk)).map_err(backend)?;
        Ok(())
    }
}

impl Backend for RedbBackend {
    const BLOCKING: bool = true;

    fn read<R>(
        &self,
        f: impl FnOnce(&dyn ReadTx) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let txn = self.db.begin_read().map_err(backend)?;
        let table = txn.open_table(TABLE).map_err(backend)?;
        f(&Read(table))
    }

    fn write<R>(
        &self,
        f: impl FnOnce(&mut dyn WriteTx) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let txn = self.db.begin_write().map_err(backend)?;
        let result = {
            let table = txn.open_table(TABLE).map_err(backend)?;
            f(&mut Write(table))?
        };
        // Dropping an uncommitted transaction (the `?` above) aborts it.
        txn.commit().map_err(backend)?;
        Ok(result)
    }
}
