//! The servers under test, each in a process of its own: the real
//! `honyaku serve` binary (memory or redb store, pseudo engine) and the
//! bare broadcast server of this bench.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

#[derive(Clone, Copy, Debug)]
pub enum ServerKind {
    /// The bare broadcast server with this WebSocket read buffer; with
    /// `gather`, each socket's writer sends every frame queued meanwhile
    /// in one write, as honyaku's does (like with like).
    Bare { read_buf: usize, gather: bool },
    /// `honyaku serve --store STORE --translator pseudo`.
    Honyaku { store: &'static str },
}

impl ServerKind {
    pub fn label(self) -> String {
        match self {
            Self::Bare {
                read_buf,
                gather: true,
            } if read_buf == 128 * 1024 => "bare broadcast, gathered writes".into(),
            Self::Bare { read_buf, .. } if read_buf == 128 * 1024 => "bare broadcast".into(),
            Self::Bare { read_buf, .. } => {
                format!("bare broadcast, {} KiB read buffer", read_buf / 1024)
            }
            Self::Honyaku { store } => format!("honyaku, {store} store"),
        }
    }

    pub fn is_bare(self) -> bool {
        matches!(self, Self::Bare { .. })
    }
}

/// `honyaku serve` flags that would otherwise limit the bench's senders
/// (passed only when the binary has them).
const UNLIMITED: [(&str, &str); 5] = [
    ("--rate-limit", "1000000"),
    ("--chars-per-day", "0"),
    ("--chars-per-hour", "4000000000"),
    ("--max-connections", "100000"),
    ("--max-room-members", "100000"),
];

/// The honyaku binary: cargo's build of it, or `BENCH_HONYAKU_BIN` (to
/// measure a changed build against this one).
fn honyaku_bin() -> std::path::PathBuf {
    std::env::var_os("BENCH_HONYAKU_BIN")
        .map(Into::into)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_honyaku").into())
}

pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    _data: Option<tempfile::TempDir>,
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Server {
    pub fn start(kind: ServerKind) -> Server {
        let (mut cmd, data) = match kind {
            ServerKind::Bare { read_buf, gather } => {
                let mut cmd = Command::new(std::env::current_exe().expect("own path"));
                cmd.args(["--bare-server", &read_buf.to_string()]);
                if gather {
                    cmd.arg("--gather");
                }
                if std::env::var_os("BENCH_BARE_NODELAY").is_some() {
                    cmd.arg("--nodelay");
                }
                (cmd, None)
            }
            ServerKind::Honyaku { store } => {
                let data = tempfile::tempdir().expect("temp dir");
                let bin = honyaku_bin();
                let mut cmd = Command::new(&bin);
                cmd.args(["serve", "--addr", "127.0.0.1:0", "--translator", "pseudo"])
                    .args(["--store", store])
                    .arg("--data")
                    .arg(data.path());
                // Abuse limits off: this measures fan-out, not the limiter.
                let help = Command::new(&bin)
                    .args(["serve", "--help"])
                    .output()
                    .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                    .unwrap_or_default();
                for (flag, value) in UNLIMITED {
                    if help.contains(flag) {
                        cmd.args([flag, value]);
                    }
                }
                (cmd, Some(data))
            }
        };
        // Warnings only: a log line per connection and per message is an
        // operator's choice, not part of the fan-out.
        cmd.env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        // `BENCH_SERVER_LOG=FILE`: keep the server's log (at RUST_LOG_SERVER).
        if let Some(path) = std::env::var_os("BENCH_SERVER_LOG") {
            if let Ok(file) = std::fs::File::create(path) {
                cmd.stderr(file);
            }
            if let Ok(level) = std::env::var("RUST_LOG_SERVER") {
                cmd.env("RUST_LOG", level);
            }
        }
        let mut child = cmd.spawn().expect("start the server");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        let addr = loop {
            line.clear();
            if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.kill();
                panic!("{kind:?} exited before listening");
            }
            if let Some(rest) = line.trim().strip_prefix("listening on http://") {
                break rest.parse().expect("address");
            }
        };
        Server {
            child,
            addr,
            _data: data,
            _stdout: stdout,
        }
    }

    pub fn pid(&self) -> String {
        self.child.id().to_string()
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
