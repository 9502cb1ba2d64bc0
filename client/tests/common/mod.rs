//! Helpers for the client's end-to-end tests: the real server in-process on
//! port 0 (memory store, pseudo translator; `honyaku::testing`), and the
//! real `honyaku-chat` binary as a child process whose output lines are
//! read with a deadline.
#![allow(dead_code)]

pub mod fake;
pub mod term;
pub mod ws;

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::mpsc;

/// How long a test waits for anything that should happen.
pub const WAIT: Duration = Duration::from_secs(10);

pub const BIN: &str = env!("CARGO_BIN_EXE_honyaku-chat");

pub use honyaku::testing::{
    TestServer as Server, start_server as serve, start_server_on as serve_on, test_config as config,
};

/// The WebSocket URL of a test server, stage included, without a query.
pub trait Url {
    fn url(&self) -> String;
}

impl Url for Server {
    fn url(&self) -> String {
        self.ws("").trim_end_matches('?').to_owned()
    }
}

/// A running `honyaku-chat`, its stdin a pipe (so not a terminal).
pub struct Chat {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: mpsc::UnboundedReceiver<String>,
    stderr: mpsc::UnboundedReceiver<String>,
    /// Every stderr line seen so far, for failure messages.
    pub stderr_seen: Vec<String>,
}

/// A fresh, empty config directory: each client gets an identity of its
/// own (and none lands in the real ~/.config) unless a test shares one.
pub fn config_home() -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("chat-home-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The environment every `honyaku-chat` of the tests runs in.
pub fn test_env(cmd: &mut std::process::Command, home: &Path) {
    cmd.env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", home)
        .env_remove("HONYAKU_URL")
        .env_remove("HONYAKU_ROOM")
        .env_remove("HONYAKU_LANG")
        .env_remove("HONYAKU_NAME")
        .env_remove("HONYAKU_TOKEN");
}

/// Starts `honyaku-chat ARGS`.
pub fn chat(args: &[&str]) -> Chat {
    chat_at(&config_home(), args)
}

/// Starts `honyaku-chat ARGS` with `home` as its config directory.
pub fn chat_at(home: &Path, args: &[&str]) -> Chat {
    let mut cmd = std::process::Command::new(BIN);
    cmd.args(args);
    test_env(&mut cmd, home);
    let mut child = Command::from(cmd)
        .kill_on_drop(true)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn honyaku-chat");
    let stdin = child.stdin.take();
    let stdout = lines(child.stdout.take().unwrap());
    let stderr = lines(child.stderr.take().unwrap());
    Chat {
        child,
        stdin,
        stdout,
        stderr,
        stderr_seen: Vec::new(),
    }
}

fn lines(
    pipe: impl tokio::io::AsyncRead + Unpin + Send + 'static,
) -> mpsc::UnboundedReceiver<String> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut lines = BufReader::new(pipe).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// What a finished `honyaku-chat` left.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: Vec<String>,
    pub stderr: Vec<String>,
}

impl Finished {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    pub fn stderr_text(&self) -> String {
        self.stderr.join("\n")
    }
}

/// Runs `honyaku-chat ARGS` with nothing on stdin, to the end.
pub async fn run(args: &[&str]) -> Finished {
    run_at(&config_home(), args).await
}

/// Runs `honyaku-chat ARGS` with `home` as its config directory.
pub async fn run_at(home: &Path, args: &[&str]) -> Finished {
    let mut c = chat_at(home, args);
    c.close_stdin();
    c.finish().await
}

impl Chat {
    /// The next stdout line.
    pub async fn line(&mut self) -> String {
        match tokio::time::timeout(WAIT, self.stdout.recv()).await {
            Ok(Some(line)) => line,
            Ok(None) => panic!("stdout ended; stderr: {:?}", self.drain_stderr()),
            Err(_) => panic!("no stdout line in time; stderr: {:?}", self.drain_stderr()),
        }
    }

    /// The next stdout line, as JSON.
    pub async fn json(&mut self) -> Value {
        let line = self.line().await;
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }

    /// The next JSON frame that `pred` accepts, skipping others.
    pub async fn json_where(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let v = self.json().await;
            if pred(&v) {
                return v;
            }
        }
    }

    /// Waits for a stderr line containing `needle`.
    pub async fn stderr_until(&mut self, needle: &str) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            match tokio::time::timeout_at(deadline, self.stderr.recv()).await {
                Ok(Some(line)) => {
                    self.stderr_seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Ok(None) => panic!("stderr ended before {needle:?}: {:?}", self.stderr_seen),
                Err(_) => panic!("no {needle:?} on stderr in time: {:?}", self.stderr_seen),
            }
        }
    }

    pub async fn write_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin closed");
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
        stdin.flush().await.unwrap();
    }

    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits for the exit, and collects what is left of the output.
    pub async fn finish(mut self) -> Finished {
        self.close_stdin();
        let status = tokio::time::timeout(WAIT, self.child.wait())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "honyaku-chat did not exit in time; stderr: {:?}",
                    self.stderr_seen
                )
            })
            .unwrap();
        let mut stdout = Vec::new();
        while let Ok(Some(line)) = tokio::time::timeout(WAIT, self.stdout.recv()).await {
            stdout.push(line);
        }
        let mut stderr = std::mem::take(&mut self.stderr_seen);
        while let Ok(Some(line)) = tokio::time::timeout(WAIT, self.stderr.recv()).await {
            stderr.push(line);
        }
        Finished {
            status,
            stdout,
            stderr,
        }
    }

    fn drain_stderr(&mut self) -> Vec<String> {
        let mut out = self.stderr_seen.clone();
        while let Ok(line) = self.stderr.try_recv() {
            out.push(line);
        }
        out
    }
}
