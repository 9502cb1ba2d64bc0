//! The real `honyaku` binary, for what only a process shows: signals,
//! crashes, restarts on the same data, flags and what it prints.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary cargo built for this test run.
pub const HONYAKU: &str = env!("CARGO_BIN_EXE_honyaku");

/// `honyaku serve ARGS`, with what every test wants unless `args` name the
/// flag themselves: a free loopback port, the memory store and the pseudo
/// engine (not when `args` name `--apertium-modes`: that test is about the
/// engine the server picks by itself). Its log is quiet (stderr discarded: set it again to read it),
/// and a token secret or management key in the test's own environment does
/// not leak in.
pub fn serve_command(args: &[&str]) -> Command {
    serve_command_of(Path::new(HONYAKU), args)
}

/// [`serve_command`] for a copy of the binary at `bin`.
pub fn serve_command_of(bin: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin);
    cmd.arg("serve");
    for (flag, value) in [
        ("--addr", "127.0.0.1:0"),
        ("--store", "memory"),
        ("--translator", "pseudo"),
    ] {
        let engine_test = flag == "--translator" && args.contains(&"--apertium-modes");
        if !args.contains(&flag) && !engine_test {
            cmd.args([flag, value]);
        }
    }
    cmd.args(args)
        .env("RUST_LOG", "warn")
        .env_remove("HONYAKU_TOKEN_SECRET")
        .env_remove("HONYAKU_MANAGEMENT_KEY")
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// A running `honyaku serve` and the address it printed; killed when
/// dropped, so a failing test leaves no server behind.
pub struct Running {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Running {
    /// Starts `cmd` and reads the address from its first line of stdout,
    /// which keeps draining so the server never writes into a closed pipe.
    pub fn start(mut cmd: Command) -> Running {
        use std::io::{BufRead, BufReader};
        let mut child = cmd
            .stdout(Stdio::piped())
            .spawn()
            .expect("start honyaku serve");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .parse()
            .unwrap();
        Running { child, addr }
    }

    /// The WebSocket URL of the default stage with `query`.
    pub fn ws(&self, query: &str) -> String {
        format!("ws://{}/local?{query}", self.addr)
    }

    /// Sends a signal: `-TERM`, `-INT`, `-KILL`.
    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {sig}");
    }

    /// Waits for the process to end by itself (killing it and failing the
    /// test after `within`), without blocking the async runtime's thread
    /// for long.
    pub async fn wait(&mut self, within: Duration) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if start.elapsed() > within {
                let _ = self.child.kill();
                panic!("honyaku serve did not exit in {within:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// What it wrote on stderr (started with `Stdio::piped()` there), once
    /// it has ended.
    pub fn stderr(&mut self) -> String {
        let mut err = String::new();
        std::io::Read::read_to_string(&mut self.child.stderr.take().unwrap(), &mut err).unwrap();
        err
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a command that must end by itself, killing it (and failing the
/// test) if it has not within `within`.
pub fn output_within(mut cmd: Command, within: Duration) -> Output {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    match rx.recv_timeout(within) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &id.to_string()])
                .status();
            panic!("{cmd:?} did not exit within {within:?}");
        }
    }
}
