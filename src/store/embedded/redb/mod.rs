//! The embedded store's disk backend: the single table in one redb file,
//! with a journal in front of it.
//!
//! Writes use group commit: one writer thread (`writer.rs`) takes every
//! write that arrived while it was busy, runs them, and appends their
//! changes to the journal (`journal.rs`) with one sync. A write is
//! answered only after that, so whatever the core acknowledges survives a
//! crash — and a busy server pays one sync per group, not per message.
//! Reads see the journaled rows over the file's (`view.rs`); checkpoints
//! move them into the file, many groups in one commit, and opening the
//! store replays a journal a crash left behind. Waking the tasks that wait
//! is left to a second thread, so the writer goes straight on. The limits'
//! counters are counted in memory (`counters.rs`) and queued here with
//! [`Backend::write_later`]; groups are journaled in order, so the record
//! of the message that follows them makes its counters durable too.

mod journal;
mod upgrade;
mod view;
mod writer;

use std::future::Future;
use std::path::Path;
use std::sync::{Arc, mpsc};

use redb::{Database, ReadableDatabase, TableDefinition};
use tokio::sync::oneshot;

use self::journal::Journal;
use self::view::{Pending, View};
use super::{Backend, EmbeddedStore, ReadTx, WriteFn, WriteTx};
use crate::ports::StoreError;
use crate::store::private_files::{private_dir, private_file};

/// A row's key: `(pk, sk)`.
type TableKey = (&'static str, &'static str);

/// `(pk, sk) → item` — the whole single table.
const TABLE: TableDefinition<TableKey, &[u8]> = TableDefinition::new("honyaku");

/// The redb file name inside `--data`.
pub const FILE_NAME: &str = "honyaku.redb";
/// The journals' file names inside `--data`.
pub const JOURNAL_NAMES: [&str; 2] = ["honyaku.journal.0", "honyaku.journal.1"];

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
    pending: Arc<Pending>,
    /// `None` once dropped: the writer then finishes and ends.
    jobs: Option<mpsc::Sender<Job>>,
    writer: Option<std::thread::JoinHandle<()>>,
    answerer: Option<std::thread::JoinHandle<()>>,
}

impl Drop for RedbBackend {
    /// Waits for the writer to checkpoint what it holds and let go of the
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
        upgrade::upgrade(&db)
            .map_err(|e| StoreError::caused(format!("upgrading {}", path.display()), e))?;
        let journals = open_journals(dir, &db)?;
        let db = Arc::new(db);
        let pending = Arc::new(Pending::default());
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
        let writer = writer::Writer::start(db.clone(), pending.clone(), journals, answers)
            .map_err(|e| StoreError::caused("starting the redb checkpointer", e))?;
        let writer = std::thread::Builder::new()
            .name("redb-writer".into())
            .spawn(move || writer.run(&queue))
            .map_err(|e| StoreError::caused("starting the redb writer", e))?;
        Ok(EmbeddedStore::new(RedbBackend {
            db,
            pending,
            jobs: Some(jobs),
            writer: Some(writer),
            answerer: Some(answerer),
        }))
    }
}

/// Opens both journals, replays what a crash left in them into the file
/// (the groups in order, whichever journal holds them), and empties them.
fn open_journals(dir: &Path, db: &Database) -> Result<[Journal; 2], StoreError> {
    let mut left = Vec::new();
    let mut journals = Vec::new();
    for name in JOURNAL_NAMES {
        let path = dir.join(name);
        let (journal, records) = private_file(&path)
            .and_then(|()| Journal::open(&path))
            .map_err(|e| StoreError::caused(format!("opening {}", path.display()), e))?;
        left.extend(records);
        journals.push((journal, path));
    }
    if !left.is_empty() {
        left.sort_by_key(|(seq, _)| *seq);
        let changes: Vec<_> = left.into_iter().flat_map(|(_, changes)| changes).collect();
        let n = commit(db, changes.iter().map(|(key, change)| (key, change)))
            .map_err(|e| StoreError::caused("replaying the journals", e))?;
        tracing::info!(changes = n, "replayed the journals into the redb file");
    }
    let mut emptied = journals.into_iter().map(|(mut journal, path)| {
        journal
            .reset()
            .map(|()| journal)
            .map_err(|e| StoreError::caused(format!("emptying {}", path.display()), e))
    });
    match (emptied.next(), emptied.next()) {
        (Some(a), Some(b)) => Ok([a?, b?]),
        _ => unreachable!("two journal names"),
    }
}

/// Applies `changes` in order (`None` deletes the row); how many.
fn apply<'a>(
    table: &mut redb::Table<'_, TableKey, &'static [u8]>,
    changes: impl IntoIterator<Item = (&'a (String, String), &'a Option<Vec<u8>>)>,
) -> Result<usize, StoreError> {
    let mut n = 0;
    for ((pk, sk), change) in changes {
        let key = (pk.as_str(), sk.as_str());
        match change {
            Some(value) => table.insert(key, value.as_slice()).map(drop),
            None => table.remove(key).map(drop),
        }
        .map_err(backend)?;
        n += 1;
    }
    Ok(n)
}

/// [`apply`] in one commit of its own: a checkpoint, or a replay.
fn commit<'a>(
    db: &Database,
    changes: impl IntoIterator<Item = (&'a (String, String), &'a Option<Vec<u8>>)>,
) -> Result<usize, StoreError> {
    let txn = db.begin_write().map_err(backend)?;
    let n = apply(&mut txn.open_table(TABLE).map_err(backend)?, changes)?;
    txn.commit().map_err(backend)?;
    Ok(n)
}

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::caused("redb", e)
}

impl Backend for RedbBackend {
    const BLOCKING_READS: bool = true;

    fn read<R>(
        &self,
        f: impl FnOnce(&dyn ReadTx) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        // The lock first: a checkpoint then cannot move rows out of
        // `pending` while this read has a snapshot from before it.
        let pending = self.pending.read();
        let txn = self.db.begin_read().map_err(backend)?;
        let table = txn.open_table(TABLE).map_err(backend)?;
        f(&View {
            pending: &pending,
            table: &table,
        })
    }

    fn write<R: Send + 'static>(
        &self,
        f: WriteFn<R>,
    ) -> impl Future<Output = Result<R, StoreError>> + Send {
        self.run(f, false)
    }

    fn write_later(&self, f: WriteFn<()>) {
        self.queue(f);
    }

    fn write_early<R: Send + 'static>(
        &self,
        f: WriteFn<R>,
    ) -> impl Future<Output = Result<R, StoreError>> + Send {
        self.run(f, true)
    }
}

impl RedbBackend {
    /// Hands `f` to the writer and waits for its answer: once its group is
    /// durable, or (`early`) as soon as it has run.
    fn run<R: Send + 'static>(
        &self,
        f: WriteFn<R>,
        early: bool,
    ) -> impl Future<Output = Result<R, StoreError>> + Send + use<R> {
        let (tx, rx) = oneshot::channel::<Result<R, StoreError>>();
        let job: Job = Box::new(move |wtx: &mut dyn WriteTx| {
            let result = f(wtx);
            let ok = result.is_ok();
            let answer: Answer = Box::new(move |outcome: Result<(), String>| {
                // An early answer goes out before the group's outcome is
                // known, and is given `Ok`.
                let reply = match outcome {
                    Ok(()) => result,
                    Err(e) => Err(StoreError::backend(format!("redb write: {e}"))),
                };
                let _ = tx.send(reply);
            });
            Ran { ok, answer, early }
        });
        self.submit(job, rx)
    }

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
        for name in JOURNAL_NAMES {
            assert_eq!(mode(&data.join(name)), 0o600);
        }
        drop(store);
    }

    fn row(store: &RedbStore, pk: &str, sk: &str) -> Option<String> {
        let value = store.backend.read(|tx| tx.get(pk, sk)).unwrap();
        value.map(|v| String::from_utf8(v).unwrap())
    }

    fn change(pk: &str, sk: &str, value: Option<&str>) -> journal::Change {
        ((pk.into(), sk.into()), value.map(|v| v.as_bytes().to_vec()))
    }

    /// Rows still in the journal (put, overwritten, deleted) read over
    /// the file's: point reads, ranges both ways with a limit, scans.
    #[tokio::test]
    async fn reads_merge_the_journal_over_the_file() {
        use crate::store::embedded::Query;
        let dir = tempfile::tempdir().unwrap();
        let put = |sk: &'static str, v: &'static str| -> WriteFn<()> {
            Box::new(move |tx| tx.put("P", sk, v.as_bytes().to_vec()))
        };
        {
            let store = RedbStore::open(dir.path()).unwrap();
            for (sk, v) in [
                ("s1", "f1"),
                ("s2", "f2"),
                ("s3", "f3"),
                ("s4", "f4"),
                ("s5", "f5"),
            ] {
                store.backend.write(put(sk, v)).await.unwrap();
            }
        }
        // Closed: all in the file. Now newer rows wait in the journal.
        let store = RedbStore::open(dir.path()).unwrap();
        store.backend.write(put("s6", "p6")).await.unwrap();
        store.backend.write(put("s2", "p2")).await.unwrap();
        store
            .backend
            .write(Box::new(|tx| tx.delete("P", "s4")))
            .await
            .unwrap();
        let rows = |reverse: bool, limit: Option<usize>| {
            let q = Query {
                prefix: "s",
                reverse,
                limit,
                ..Query::default()
            };
            let got = store.backend.read(|tx| tx.query("P", &q)).unwrap();
            got.into_iter()
                .map(|(sk, v)| format!("{sk}={}", String::from_utf8(v).unwrap()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            rows(false, None),
            ["s1=f1", "s2=p2", "s3=f3", "s5=f5", "s6=p6"]
        );
        assert_eq!(rows(true, Some(3)), ["s6=p6", "s5=f5", "s3=f3"]);
        assert_eq!(row(&store, "P", "s4"), None);
        assert_eq!(row(&store, "P", "s2").as_deref(), Some("p2"));
        let all = store.backend.read(|tx| tx.all()).unwrap();
        assert_eq!(all.iter().filter(|(pk, _, _)| pk == "P").count(), 5);
    }

    #[test]
    fn journals_left_by_a_crash_are_replayed_in_group_order() {
        let dir = tempfile::tempdir().unwrap();
        drop(RedbStore::open(dir.path()).unwrap());
        // A crash during a checkpoint: groups 1 and 3 in one journal, 2 in
        // the other.
        let journal = |i: usize| Journal::open(&dir.path().join(JOURNAL_NAMES[i])).unwrap().0;
        let (mut a, mut b) = (journal(0), journal(1));
        a.append(1, &[change("T", "k", Some("1"))]).unwrap();
        b.append(
            2,
            &[change("T", "k", Some("2")), change("T", "gone", Some("x"))],
        )
        .unwrap();
        a.append(3, &[change("T", "gone", None)]).unwrap();
        drop((a, b));
        let store = RedbStore::open(dir.path()).unwrap();
        assert_eq!(row(&store, "T", "k").as_deref(), Some("2"));
        assert_eq!(row(&store, "T", "gone"), None);
        drop(store);
        for name in JOURNAL_NAMES {
            assert_eq!(std::fs::metadata(dir.path().join(name)).unwrap().len(), 0);
        }
        // And it was all checkpointed into the file.
        let db = Database::create(dir.path().join(FILE_NAME)).unwrap();
        let table = db.begin_read().unwrap().open_table(TABLE).unwrap();
        assert!(view::get(&table, "T", "k").unwrap().is_some());
    }

    /// A file of layout 1 (one translation prefix per language, each with
    /// an expiry entry) is moved to layout 2 once, when it is opened.
    #[test]
    fn an_earlier_layout_is_upgraded_on_open_and_a_newer_one_refused() {
        use crate::store::embedded::expiry_sk;
        let dir = tempfile::tempdir().unwrap();
        drop(RedbStore::open(dir.path()).unwrap());
        let old_sk = "TR#es#0000000001000#A";
        let value = r#"{"translation":{"text":"hola","engine":"pseudo"},"ttl":99}"#;
        let set = |pk: &str, sk: &str, v: Option<&str>| {
            let db = Database::create(dir.path().join(FILE_NAME)).unwrap();
            let txn = db.begin_write().unwrap();
            {
                let mut table = txn.open_table(TABLE).unwrap();
                match v {
                    Some(v) => drop(table.insert((pk, sk), v.as_bytes()).unwrap()),
                    None => drop(table.remove((pk, sk)).unwrap()),
                }
            }
            txn.commit().unwrap();
        };
        let (vpk, vsk) = crate::store::embedded::layout::VERSION_KEY;
        set(vpk, vsk, None);
        set("ROOM#r", old_sk, Some(value));
        set("EXP", &expiry_sk(99, "ROOM#r", old_sk), Some(""));
        let store = RedbStore::open(dir.path()).unwrap();
        assert_eq!(
            row(&store, "ROOM#r", "TRM#0000000001000#A#es").as_deref(),
            Some(value)
        );
        assert_eq!(row(&store, "ROOM#r", old_sk), None);
        assert_eq!(row(&store, "EXP", &expiry_sk(99, "ROOM#r", old_sk)), None);
        assert_eq!(row(&store, vpk, vsk).as_deref(), Some("2"));
        drop(store);

        set(vpk, vsk, Some("3"));
        let refused = RedbStore::open(dir.path()).err().unwrap();
        let said = format!("{refused}: {:?}", std::error::Error::source(&refused));
        assert!(said.contains("newer honyaku"), "{said}");
    }
}
