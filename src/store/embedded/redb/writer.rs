//! The writer thread: group commit through a journal, and checkpoints on
//! a thread of their own.
//!
//! The writer takes every write that arrived while it was busy, runs each
//! against its own [`Overlay`] (so a failing one leaves no trace), appends
//! the group's changes to the journal as one record with one sync, then
//! makes them visible and answers. Once the journal holds enough rows (or
//! the writer has been idle a second), the writer hands them to the
//! checkpointer, which moves them into the redb file in one commit and
//! empties that journal, while new groups go to the other one. A room
//! written a hundred times between two checkpoints has its pages copied
//! once, not a hundred times.

use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use redb::{Database, ReadableDatabase};

use super::journal::{Change, Journal};
use super::view::{Pending, View};
use super::{Answer, Answers, Job, MAX_GROUP, TABLE, backend, commit};
use crate::ports::StoreError;
use crate::store::embedded::overlay::Changes;
use crate::store::embedded::{Overlay, ReadTx};

/// Rows the journal may hold before a checkpoint begins (bounds the
/// memory they take, with [`CHECKPOINT_BYTES`], and a restart's replay).
const CHECKPOINT_ROWS: usize = 16_384;
/// Journal bytes before a checkpoint begins.
const CHECKPOINT_BYTES: u64 = 32 << 20;
/// Rows past which new writes wait for a running checkpoint to finish.
const MOST_ROWS: usize = 8 * CHECKPOINT_ROWS;
/// A writer with nothing to do for this long checkpoints what it holds.
const IDLE: Duration = Duration::from_secs(1);
/// A failed checkpoint is tried again after this long.
const RETRY: Duration = Duration::from_secs(1);

/// Rows to move into the file, and the journal that holds them.
type Work = (Arc<Changes>, Journal);

pub struct Writer {
    db: Arc<Database>,
    pending: Arc<Pending>,
    /// Takes the new groups.
    journal: Journal,
    /// The other journal, when no checkpoint holds it.
    spare: Option<Journal>,
    /// The number of the next group.
    seq: u64,
    answers: mpsc::Sender<Answers>,
    work: Option<mpsc::Sender<Work>>,
    done: mpsc::Receiver<Journal>,
    checkpointer: Option<JoinHandle<()>>,
}

impl Writer {
    /// A writer over `journals` (both empty), with its checkpointer.
    pub fn start(
        db: Arc<Database>,
        pending: Arc<Pending>,
        journals: [Journal; 2],
        answers: mpsc::Sender<Answers>,
    ) -> std::io::Result<Self> {
        let [journal, spare] = journals;
        let (work, todo) = mpsc::channel::<Work>();
        let (finished, done) = mpsc::channel();
        let (file, rows) = (db.clone(), pending.clone());
        let checkpointer = std::thread::Builder::new()
            .name("redb-checkpoint".into())
            .spawn(move || {
                while let Ok(work) = todo.recv() {
                    let journal = checkpoint(&file, &rows, work);
                    if finished.send(journal).is_err() {
                        break;
                    }
                }
            })?;
        Ok(Self {
            db,
            pending,
            journal,
            spare: Some(spare),
            seq: 0,
            answers,
            work: Some(work),
            done,
            checkpointer: Some(checkpointer),
        })
    }

    /// Until every sender is gone: run what waits, checkpoint when due.
    /// At the end, a last checkpoint leaves the redb file whole.
    pub fn run(mut self, queue: &mpsc::Receiver<Job>) {
        loop {
            let first = match queue.recv_timeout(IDLE) {
                Ok(job) => job,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    self.rotate_if(|rows, _| rows > 0);
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            let mut jobs = vec![first];
            while jobs.len() < MAX_GROUP {
                match queue.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            let writes = jobs.len();
            let started = Instant::now();
            let mut waiting = Vec::with_capacity(writes);
            let outcome = self.group(jobs, &mut waiting);
            // One line per group at debug: what a profile of the store reads.
            tracing::debug!(
                writes,
                us = started.elapsed().as_micros() as u64,
                "redb group journaled"
            );
            if let Err(e) = &outcome {
                tracing::error!(error = %e, writes, "redb group failed");
            }
            if self.answers.send((waiting, outcome)).is_err() {
                tracing::error!("the redb answering thread has stopped");
            }
            self.rotate_if(|rows, bytes| rows >= CHECKPOINT_ROWS || bytes >= CHECKPOINT_BYTES);
        }
        self.finish();
    }

    /// Runs `jobs` over what is committed, journals their changes with
    /// one sync, then shows them to reads. The early answers go out before
    /// the sync; the others wait in `waiting` for the outcome.
    fn group(&mut self, jobs: Vec<Job>, waiting: &mut Vec<Answer>) -> Result<(), String> {
        let snapshot = self
            .db
            .begin_read()
            .map_err(backend)
            .and_then(|txn| txn.open_table(TABLE).map_err(backend));
        let table = match snapshot {
            Ok(table) => table,
            Err(e) => {
                let why = e.to_string();
                waiting.extend(jobs.into_iter().map(|job| failed(job, &why)));
                return Err(why);
            }
        };
        let mut early = Vec::new();
        // The group's changes so far: each job sees those of the jobs
        // before it, as in one transaction.
        let mut changes = Changes::new();
        {
            let pending = self.pending.read();
            let view = View {
                pending: &pending,
                table: &table,
            };
            for job in jobs {
                let (ran, own) = {
                    let base =
                        |pk: &str, sk: &str| match changes.get(&(pk.to_owned(), sk.to_owned())) {
                            Some(change) => Ok(change.clone()),
                            None => view.get(pk, sk),
                        };
                    let mut overlay = Overlay::new(&base);
                    let ran = job(&mut overlay);
                    (ran, overlay.into_changes())
                };
                if ran.ok {
                    changes.extend(own);
                }
                if ran.early {
                    early.push(ran.answer);
                } else {
                    waiting.push(ran.answer);
                }
            }
        }
        if !early.is_empty() {
            let _ = self.answers.send((early, Ok(())));
        }
        if changes.is_empty() {
            return Ok(());
        }
        let changes: Vec<Change> = changes.into_iter().collect();
        self.seq += 1;
        self.journal
            .append(self.seq, &changes)
            .map_err(|e| format!("writing the journal: {e}"))?;
        self.pending.write().active.extend(changes);
        Ok(())
    }

    /// When `due(rows, journal bytes)` and no checkpoint runs, hands the
    /// rows written since the last one to the checkpointer; new groups go
    /// to the other journal meanwhile. Past [`MOST_ROWS`], waits for a
    /// running checkpoint first, so memory stays bounded.
    fn rotate_if(&mut self, due: impl Fn(usize, u64) -> bool) {
        if let Ok(journal) = self.done.try_recv() {
            self.spare = Some(journal);
        }
        let rows = self.pending.read().active.len();
        if !due(rows, self.journal.len()) {
            return;
        }
        if self.spare.is_none() && rows >= MOST_ROWS {
            match self.done.recv() {
                Ok(journal) => self.spare = Some(journal),
                Err(_) => return,
            }
        }
        let (Some(spare), Some(work)) = (self.spare.take(), &self.work) else {
            return;
        };
        let full = std::mem::replace(&mut self.journal, spare);
        let frozen = {
            let mut pending = self.pending.write();
            let frozen = Arc::new(std::mem::take(&mut pending.active));
            pending.frozen = Some(frozen.clone());
            frozen
        };
        if work.send((frozen, full)).is_err() {
            tracing::error!("the redb checkpointer has stopped");
        }
    }

    /// Waits for a running checkpoint, runs the last one, and stops the
    /// checkpointer.
    fn finish(&mut self) {
        if self.spare.is_none() {
            match self.done.recv() {
                Ok(journal) => self.spare = Some(journal),
                Err(_) => tracing::error!("the redb checkpointer stopped during a checkpoint"),
            }
        }
        self.rotate_if(|rows, _| rows > 0);
        self.work.take();
        if let Some(checkpointer) = self.checkpointer.take() {
            let _ = checkpointer.join();
        }
    }
}

/// Moves `rows` into the redb file in one commit, retrying until it
/// succeeds (the journal keeps them meanwhile), then drops them from
/// `pending` and empties their journal, which it gives back.
fn checkpoint(db: &Database, pending: &Pending, (rows, mut journal): Work) -> Journal {
    loop {
        let started = Instant::now();
        match commit(db, rows.iter()) {
            Ok(_) => {
                tracing::debug!(
                    rows = rows.len(),
                    us = started.elapsed().as_micros() as u64,
                    "redb checkpoint"
                );
                break;
            }
            Err(e) => {
                tracing::error!(error = %e, rows = rows.len(), "redb checkpoint failed; the journal keeps the rows");
                std::thread::sleep(RETRY);
            }
        }
    }
    // The rows are in the file: reads that start now find them there.
    pending.write().frozen = None;
    // Should this fail, the journal is replayed over rows the file has
    // already: the same changes in the same order, to the same end.
    if let Err(e) = journal.reset() {
        tracing::error!(error = %e, "emptying a journal after its checkpoint failed");
    }
    journal
}

/// A job that could not run: run it against nothing, so it answers.
fn failed(job: Job, why: &str) -> Answer {
    let nothing = |_: &str, _: &str| Err(StoreError::backend(format!("redb: {why}")));
    let mut overlay = Overlay::new(&nothing);
    job(&mut overlay).answer
}
