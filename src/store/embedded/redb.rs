//! The embedded store's disk backend: the single table in one redb file.
//!
//! Writes use group commit: one writer thread takes every write that
//! arrived while the previous commit was syncing, runs them in one
//! transaction (each against its own [`Overlay`], so a failing one leaves
//! no trace), and commits with one fsync. A write is answered only after
//! its batch is durable, so whatever the core acknowledges survives a
//! crash — and a busy server pays one fsync per batch, not per message.
//! Waking the tasks that wait is left to a second thread, so the writer
//! goes straight on to the next group. The limits' counters are counted
//! in memory (`counters.rs`) and queued here with
//! [`Backend::write_later`]; groups commit in order, so the commit of the
//! message that follows them makes its counters durable too.

use std::future::Future;
use std::ops::Bound;
use std::path::Path;
use std::sync::{Arc, mpsc};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use tokio::sync::oneshot;

use super::memory::bounds;
use super::{Backend, EmbeddedStore, Overlay, Query, ReadTx, Row, WriteFn, WriteTx, prefix_end};
use crate::ports::StoreError;
use crate::store::private_files::{private_dir, private_file};

/// `(pk, sk) → item` — the whole single table.
const TABLE: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("honyaku");

/// The redb file name inside `--data`.
pub const FILE_NAME: &str = "honyaku.redb";

/// Writes gathered into one commit at most (bounds a batch's latency).
const MAX_GROUP: usize = 512;

/// Runs one write on the writer thread; reports whether it succeeded and
/// how to answer it: once it has run (`early`), or once the commit's
/// outcome is known.
type Job = Box<dyn FnOnce(&mut dyn WriteTx) -> Ran + Send>;
type Answer = Box<dyn FnOnce(Result<(), String>) + Send>;

struct Ran {
    ok: bool,
    answer: Answer,
    early: bool,
}

/// Answers handed to the answering thread, with the outcome they get:
/// waking the waiting tasks costs a system call each, which the writer —
/// the one thread every write goes through — should not spend.
type Answers = (Vec<Answer>, Result<(), String>);

pub struct RedbBackend {
    db: Arc<Database>,
    /// `None` once dropped: the writer then finishes and ends.
    jobs: Option<mpsc::Sender<Job>>,
    writer: Option<std::thread::JoinHandle<()>>,
    answerer: Option<std::thread::JoinHandle<()>>,
}

impl Drop for RedbBackend {
    /// Waits for the writer to commit what it holds and let go of the
    /// file, so the store can be opened again at once (a restart).
    fn drop(&mut self) {
        self.jobs.take();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
        if let Some(answerer) = self.answerer.take() {
            let _ = answerer.join();
        }
    }
}

/// The embedded store on a redb file: kept across restarts.
pub type RedbStore = EmbeddedStore<RedbBackend>;

impl RedbStore {
    /// Opens (or creates) `dir/honyaku.redb` and starts its writer.
    #[tracing::instrument]
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        // Only this user may read the table (0700 directory, 0600 file).
        private_dir(dir)
            .map_err(|e| StoreError::caused(format!("creating {}", dir.display()), e))?;
        let path = dir.join(FILE_NAME);
        private_file(&path)
            .map_err(|e| StoreError::caused(format!("creating {}", path.display()), e))?;
        let db = Database::create(&path)
            .map_err(|e| StoreError::caused(format!("opening {}", path.display()), e))?;
        let txn = db.begin_write().map_err(backend)?;
        txn.open_table(TABLE).map_err(backend)?;
        txn.commit().map_err(backend)?;
        let db = Arc::new(db);
        let (jobs, queue) = mpsc::channel::<Job>();
        let (answers, answering) = mpsc::channel::<Answers>();
        let answerer = std::thread::Builder::new()
            .name("redb-answers".into())
            .spawn(move || {
                while let Ok((batch, outcome)) = answering.recv() {
                    for answer in batch {
                        answer(outcome.clone());
                    }
                }
            })
            .map_err(|e| StoreError::caused("starting the redb writer", e))?;
        let writer_db = db.clone();
        let writer = std::thread::Builder::new()
            .name("redb-writer".into())
            .spawn(move || writer(&writer_db, &queue, &answers))
            .map_err(|e| StoreError::caused("starting the redb writer", e))?;
        Ok(EmbeddedStore::new(RedbBackend {
            db,
            jobs: Some(jobs),
            writer: Some(writer),
            answerer: Some(answerer),
        }))
    }
}

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::caused("redb", e)
}

/// The writer thread: until every sender is gone, commit what waits.
fn writer(db: &Database, queue: &mpsc::Receiver<Job>, answers: &mpsc::Sender<Answers>) {
    while let Ok(first) = queue.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let writes = jobs.len();
        let mut waiting = Vec::with_capacity(writes);
        let started = std::time::Instant::now();
        let outcome = commit_group(db, jobs, &mut waiting, answers);
        // One line per commit at debug: what a profile of the store reads.
        tracing::debug!(
            writes,
            us = started.elapsed().as_micros() as u64,
            "redb group committed"
        );
        if let Err(e) = &outcome {
            tracing::error!(error = %e, writes, "redb commit failed");
        }
        if answers.send((waiting, outcome)).is_err() {
            tracing::error!("the redb answering thread has stopped");
        }
    }
}

/// Runs `jobs` in one transaction and commits it; the early answers go
/// to `answers` before the commit, the others wait in `waiting`.
fn commit_group(
    db: &Database,
    jobs: Vec<Job>,
    waiting: &mut Vec<Answer>,
    answers: &mpsc::Sender<Answers>,
) -> Result<(), String> {
    // Until a job has run it has no answer yet: answer the rest with the
    // failure of the transaction itself.
    let txn = match db.begin_write() {
        Ok(txn) => txn,
        Err(e) => {
            waiting.extend(jobs.into_iter().map(|job| failed(job, &e.to_string())));
            return Err(e.to_string());
        }
    };
    let mut early = Vec::new();
    let mut broken: Option<String> = None;
    {
        let mut table = match txn.open_table(TABLE) {
            Ok(t) => t,
            Err(e) => {
                waiting.extend(jobs.into_iter().map(|job| failed(job, &e.to_string())));
                return Err(e.to_string());
            }
        };
        for job in jobs {
            // After a failed insert the transaction is abandoned: the
            // rest are answered with that failure.
            if let Some(why) = &broken {
                waiting.push(failed(job, why));
                continue;
            }
            let (ran, changes) = {
                let base = |pk: &str, sk: &str| get(&table, pk, sk);
                let mut overlay = Overlay::new(&base);
                let ran = job(&mut overlay);
                (ran, overlay.into_changes())
            };
            if ran.early {
                early.push(ran.answer);
            } else {
                waiting.push(ran.answer);
            }
            if ran.ok {
                for ((pk, sk), change) in changes {
                    let applied = match change {
                        Some(value) => table
                            .insert((pk.as_str(), sk.as_str()), value.as_slice())
                            .map(|_| ()),
                        None => table.remove((pk.as_str(), sk.as_str())).map(|_| ()),
                    };
                    if let Err(e) = applied {
                        broken = Some(e.to_string());
                        break;
                    }
                }
            }
        }
    }
    if !early.is_empty() {
        let _ = answers.send((early, Ok(())));
    }
    if let Some(why) = broken {
        return Err(why);
    }
    // Dropping an uncommitted transaction aborts it: nothing half-written.
    let started = std::time::Instant::now();
    let committed = txn.commit().map_err(|e| e.to_string());
    tracing::debug!(
        us = started.elapsed().as_micros() as u64,
        "redb commit (with its fsync)"
    );
    committed
}

/// A job that could not run: run it against nothing, so it answers.
fn failed(job: Job, why: &str) -> Answer {
    let nothing = |_: &str, _: &str| Err(StoreError::backend(format!("redb: {why}")));
    let mut overlay = Overlay::new(&nothing);
    job(&mut overlay).answer
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

fn as_ref(b: &Bound<(String, String)>) -> Bound<(&str, &str)> {
    match b {
        Bound::Included((p, s)) => Bound::Included((p.as_str(), s.as_str())),
        Bound::Excluded((p, s)) => Bound::Excluded((p.as_str(), s.as_str())),
        Bound::Unbounded => Bound::Unbounded,
    }
}

struct Read(redb::ReadOnlyTable<(&'static str, &'static str), &'static [u8]>);

impl ReadTx for Read {
    fn get(&self, pk: &str, sk: &str) -> Result<Option<Vec<u8>>, StoreError> {
        get(&self.0, pk, sk)
    }

    fn query(&self, pk: &str, q: &Query<'_>) -> Result<Vec<Row>, StoreError> {
        let (lo, hi) = bounds(pk, q);
        if matches!((&lo, &hi), (Bound::Included(l), Bound::Excluded(h)) if l >= h) {
            return Ok(Vec::new());
        }
        let range = self
            .0
            .range::<(&str, &str)>((as_ref(&lo), as_ref(&hi)))
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

    fn scan(&self, pk_prefix: &str, sk: &str) -> Result<Vec<Row>, StoreError> {
        let end = prefix_end(pk_prefix);
        let range = self
            .0
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
}

impl Backend for RedbBackend {
    const BLOCKING_READS: bool = true;

    fn read<R>(
        &self,
        f: impl FnOnce(&dyn ReadTx) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let txn = self.db.begin_read().map_err(backend)?;
        let table = txn.open_table(TABLE).map_err(backend)?;
        f(&Read(table))
    }

    fn write<R: Send + 'static>(
        &self,
        f: WriteFn<R>,
    ) -> impl Future<Output = Result<R, StoreError>> + Send {
        let (tx, rx) = oneshot::channel::<Result<R, StoreError>>();
        let job: Job = Box::new(move |wtx: &mut dyn WriteTx| {
            let result = f(wtx);
            let ok = result.is_ok();
            let answer: Answer = Box::new(move |commit: Result<(), String>| {
                let reply = match commit {
                    Ok(()) => result,
                    Err(e) => Err(StoreError::backend(format!("redb commit: {e}"))),
                };
                let _ = tx.send(reply);
            });
            Ran {
                ok,
                answer,
                early: false,
            }
        });
        self.submit(job, rx)
    }

    fn write_later(&self, f: WriteFn<()>) {
        self.queue(f);
    }

    fn write_early<R: Send + 'static>(
        &self,
        f: WriteFn<R>,
    ) -> impl Future<Output = Result<R, StoreError>> + Send {
        let (tx, rx) = oneshot::channel::<Result<R, StoreError>>();
        let job: Job = Box::new(move |wtx: &mut dyn WriteTx| {
            let result = f(wtx);
            let ok = result.is_ok();
            // Answered as soon as it has run; the commit comes after.
            let answer: Answer = Box::new(move |_| {
                let _ = tx.send(result);
            });
            Ran {
                ok,
                answer,
                early: true,
            }
        });
        self.submit(job, rx)
    }
}

impl RedbBackend {
    /// Queues `f` with no one to answer (see [`Backend::write_later`]).
    fn queue(&self, f: WriteFn<()>) {
        let job: Job = Box::new(move |wtx: &mut dyn WriteTx| {
            let result = f(wtx);
            if let Err(e) = &result {
                tracing::error!(error = %e, "a queued write failed");
            }
            Ran {
                ok: result.is_ok(),
                answer: Box::new(|_| {}),
                early: true,
            }
        });
        let sent = self.jobs.as_ref().map(|jobs| jobs.send(job));
        if !matches!(sent, Some(Ok(()))) {
            tracing::error!("the redb writer has stopped; a queued write is lost");
        }
    }

    /// Hands `job` to the writer; its answer comes through `rx`.
    fn submit<R: Send + 'static>(
        &self,
        job: Job,
        rx: oneshot::Receiver<Result<R, StoreError>>,
    ) -> impl Future<Output = Result<R, StoreError>> + Send + use<R> {
        let sent = match &self.jobs {
            Some(jobs) => jobs.send(job).map_err(|_| ()),
            None => Err(()),
        };
        async move {
            sent.map_err(|_| StoreError::backend("the redb writer has stopped"))?;
            rx.await
                .map_err(|_| StoreError::backend("the redb writer dropped a write"))?
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn the_data_is_readable_by_its_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let store = RedbStore::open(&data).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join(FILE_NAME)), 0o600);
        drop(store);
    }
}
