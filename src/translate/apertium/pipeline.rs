//! One warm Apertium pipeline: the stages of a mode started once, each in
//! null-flush mode, fed NUL-terminated items and read back the same way.
//! Items are pipelined: many can be in flight, answers come back in order.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex as StdMutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{ChildStdin, ChildStdout};
use tokio::sync::{Mutex, oneshot};

use crate::ports::TranslateError;

type Reply = oneshot::Sender<Result<String, TranslateError>>;

/// A pipeline for one mode (e.g. `eng-spa`), started on first use and
/// restarted if it dies.
pub struct Pipeline {
    mode_file: PathBuf,
    running: Mutex<Option<Running>>,
}

struct Running {
    stdin: ChildStdin,
    waiting: Arc<StdMutex<VecDeque<Reply>>>,
    alive: Arc<AtomicBool>,
    stages: Stages,
}

/// The stage processes, shared with the task that reads the answers so
/// it can tell a stop from a crash when the output ends.
#[derive(Clone)]
struct Stages {
    children: Arc<StdMutex<Vec<Child>>>,
    /// Set before we kill them ourselves (the engine dropped: shutdown).
    stopping: Arc<AtomicBool>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stages.stopping.store(true, Ordering::Release);
        let mut children = self
            .stages
            .children
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        for child in children.iter_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Stages {
    /// Whether the pipeline ended because it was told to: we stopped it,
    /// or a stage was ended by SIGINT, SIGTERM or SIGHUP (a Ctrl-C or a
    /// `kill` of the whole process group, as the server itself stops).
    /// Anything else — a stage that exited or crashed by itself — is not.
    /// Waits briefly for the stage that closed the pipe to be reaped.
    async fn stopped_on_purpose(&self) -> bool {
        use std::os::unix::process::ExitStatusExt;
        // The same numbers on every Unix.
        const STOP_SIGNALS: [i32; 3] = [1, 2, 15];
        for _ in 0..25 {
            if self.stopping.load(Ordering::Acquire) {
                return true;
            }
            let ended: Vec<std::process::ExitStatus> = self
                .children
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter_mut()
                .filter_map(|c| c.try_wait().ok().flatten())
                .collect();
            if !ended.is_empty() {
                return ended
                    .iter()
                    .any(|s| s.signal().is_some_and(|n| STOP_SIGNALS.contains(&n)));
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        self.stopping.load(Ordering::Acquire)
    }
}

impl Pipeline {
    pub fn new(mode_file: PathBuf) -> Self {
        Self {
            mode_file,
            running: Mutex::new(None),
        }
    }

    /// Sends one stream item through and waits for its output.
    pub async fn run(&self, item: &str) -> Result<String, TranslateError> {
        let answer = {
            let mut guard = self.running.lock().await;
            if !guard
                .as_ref()
                .is_some_and(|r| r.alive.load(Ordering::Acquire))
            {
                *guard = Some(start(&self.mode_file)?);
            }
            let running = guard.as_mut().expect("started above");
            let (tx, rx) = oneshot::channel();
            // Queue the reply before writing so the reader can never see
            // an answer with nobody waiting for it.
            running
                .waiting
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push_back(tx);
            let mut bytes = Vec::with_capacity(item.len() + 1);
            bytes.extend_from_slice(item.as_bytes());
            bytes.push(0);
            if let Err(e) = write(&mut running.stdin, &bytes).await {
                running.alive.store(false, Ordering::Release);
                return Err(TranslateError::Unavailable(format!(
                    "apertium pipeline: {e}"
                )));
            }
            rx
        };
        answer.await.unwrap_or_else(|_| {
            Err(TranslateError::Unavailable(
                "apertium pipeline stopped".into(),
            ))
        })
    }
}

async fn write(stdin: &mut ChildStdin, bytes: &[u8]) -> std::io::Result<()> {
    stdin.write_all(bytes).await?;
    stdin.flush().await
}

/// The stages of a mode, with null-flush switched on everywhere.
fn stages(mode_file: &Path) -> Result<Vec<Vec<String>>, TranslateError> {
    let unavailable = |why: String| TranslateError::Unavailable(why);
    // `apertium-wblank-mode -z` is how the `apertium` script itself builds
    // a null-flushing pipeline from a mode file.
    let out = Command::new("apertium-wblank-mode")
        .arg("-z")
        .arg(mode_file)
        .stderr(Stdio::null())
        .output()
        .map_err(|e| unavailable(format!("running apertium-wblank-mode: {e}")))?;
    if !out.status.success() {
        return Err(unavailable(format!(
            "apertium-wblank-mode failed for {}",
            mode_file.display()
        )));
    }
    let line = String::from_utf8_lossy(&out.stdout);
    line.split('|')
        .map(|stage| {
            let words = shlex::split(stage.trim())
                .ok_or_else(|| unavailable(format!("cannot parse mode {}", mode_file.display())))?;
            // `$1` is the generator's unknown-word option: `-n`, unmarked.
            // `$2` (extra tagger options) is empty.
            Ok(words
                .into_iter()
                .filter(|w| w != "$2")
                .map(|w| if w == "$1" { "-n".to_owned() } else { w })
                .collect())
        })
        .filter(|s: &Result<Vec<String>, _>| s.as_ref().map_or(true, |w| !w.is_empty()))
        .collect()
}

/// Starts every stage, chained by pipes, and the task that reads answers.
fn start(mode_file: &Path) -> Result<Running, TranslateError> {
    let stages = stages(mode_file)?;
    let mut children: Vec<Child> = Vec::with_capacity(stages.len());
    let mut first_stdin = None;
    let mut prev_stdout = None;
    for words in &stages {
        // Some stages flush only their own buffer on NUL; unbuffered
        // output makes every stage hand each item on at once.
        let mut cmd = Command::new("stdbuf");
        cmd.arg("-o0")
            .args(words)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        match prev_stdout.take() {
            Some(out) => cmd.stdin(Stdio::from(out)),
            None => cmd.stdin(Stdio::piped()),
        };
        let mut child = cmd
            .spawn()
            .map_err(|e| TranslateError::Unavailable(format!("starting {}: {e}", words[0])))?;
        if first_stdin.is_none() {
            first_stdin = child.stdin.take();
        }
        prev_stdout = child.stdout.take();
        children.push(child);
    }
    let (Some(stdin), Some(stdout)) = (first_stdin, prev_stdout) else {
        return Err(TranslateError::Unavailable("empty apertium mode".into()));
    };
    let stdin = ChildStdin::from_std(stdin)
        .map_err(|e| TranslateError::Unavailable(format!("apertium stdin: {e}")))?;
    let stdout = ChildStdout::from_std(stdout)
        .map_err(|e| TranslateError::Unavailable(format!("apertium stdout: {e}")))?;
    let waiting = Arc::new(StdMutex::new(VecDeque::new()));
    let alive = Arc::new(AtomicBool::new(true));
    tracing::info!(mode = %mode_file.display(), stages = children.len(), "apertium pipeline started");
    let stages = Stages {
        children: Arc::new(StdMutex::new(children)),
        stopping: Arc::new(AtomicBool::new(false)),
    };
    tokio::spawn(read_answers(
        stdout,
        waiting.clone(),
        alive.clone(),
        stages.clone(),
    ));
    Ok(Running {
        stdin,
        waiting,
        alive,
        stages,
    })
}

/// Hands each NUL-terminated answer to the oldest waiter; on EOF fails
/// everyone still waiting, and warns unless the pipeline was stopped on
/// purpose (a shutdown is no incident).
async fn read_answers(
    stdout: ChildStdout,
    waiting: Arc<StdMutex<VecDeque<Reply>>>,
    alive: Arc<AtomicBool>,
    stages: Stages,
) {
    let mut reader = BufReader::new(stdout);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(0, &mut buf).await {
            Ok(n) if n > 0 && buf.last() == Some(&0) => {
                buf.pop();
                let answer = String::from_utf8_lossy(&buf).into_owned();
                let next = waiting
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .pop_front();
                if let Some(reply) = next {
                    let _ = reply.send(Ok(answer));
                }
            }
            _ => break,
        }
    }
    alive.store(false, Ordering::Release);
    let rest: Vec<Reply> = waiting
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .drain(..)
        .collect();
    for reply in rest {
        let _ = reply.send(Err(TranslateError::Unavailable(
            "apertium pipeline exited".into(),
        )));
    }
    if stages.stopped_on_purpose().await {
        tracing::debug!("apertium pipeline stopped");
    } else {
        tracing::warn!("apertium pipeline exited");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stages(cmds: &[&str]) -> Stages {
        let children = cmds
            .iter()
            .map(|c| Command::new("sh").args(["-c", c]).spawn().unwrap())
            .collect();
        Stages {
            children: Arc::new(StdMutex::new(children)),
            stopping: Arc::new(AtomicBool::new(false)),
        }
    }

    fn signal(stages: &Stages, sig: &str) {
        let id = stages.children.lock().unwrap()[0].id();
        let killed = Command::new("kill")
            .args([sig, &id.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
    }

    /// Leaves no `sleep` behind.
    fn end(stages: Stages) {
        for c in stages.children.lock().unwrap().iter_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    #[tokio::test]
    async fn a_stop_is_told_from_a_crash() {
        // A stage ended by SIGTERM (the server's process group stopped).
        let s = stages(&["exec sleep 30", "exec sleep 30"]);
        signal(&s, "-TERM");
        assert!(s.stopped_on_purpose().await);
        end(s);
        // Killed by something else, or exited by itself: a crash.
        let s = stages(&["exec sleep 30"]);
        signal(&s, "-KILL");
        assert!(!s.stopped_on_purpose().await);
        end(s);
        let s = stages(&["exit 3"]);
        assert!(!s.stopped_on_purpose().await);
        end(s);
        // We stopped it (the engine dropped).
        let s = stages(&["exec sleep 30"]);
        s.stopping.store(true, Ordering::Release);
        assert!(s.stopped_on_purpose().await);
        end(s);
    }
}
