//! `honyaku-chat` in a pseudo-terminal, its output played into a terminal
//! emulator (vt100): tests read the screen a person would see, with every
//! cursor move and line erase applied, not the raw byte stream.

use std::num::NonZeroU16;
use std::path::Path;
use std::time::{Duration, Instant};

use rexpect::reader::Options;
use rexpect::session::PtySession;

use super::{BIN, WAIT, test_env};

/// Rows of the emulated screen: tall enough that nothing scrolls away.
const ROWS: NonZeroU16 = NonZeroU16::new(300).unwrap();
/// What the client assumes of a pseudo-terminal with no size set.
const COLS: NonZeroU16 = NonZeroU16::new(80).unwrap();

pub struct Term {
    session: PtySession,
    screen: vt100::Parser,
    /// Everything received, escape sequences included.
    pub raw: Vec<u8>,
}

impl Term {
    /// Starts `honyaku-chat ARGS` in a pseudo-terminal with `home` as its
    /// config directory.
    pub fn start(home: &Path, args: &[&str]) -> Self {
        let mut cmd = std::process::Command::new(BIN);
        cmd.args(args).env("TERM", "xterm");
        test_env(&mut cmd, home);
        let options = Options::new().timeout_ms(Some(WAIT.as_millis() as u64));
        let session = rexpect::spawn_with_options(cmd, options).expect("spawn in a pty");
        Self {
            session,
            screen: vt100::Parser::new(ROWS, COLS, 0),
            raw: Vec::new(),
        }
    }

    /// Reads what has arrived so far into the screen.
    fn pump(&mut self) {
        // rexpect hands the bytes over one by one, as chars.
        while let Some(c) = self.session.try_read() {
            let byte = c as u32 as u8;
            self.raw.push(byte);
            self.screen.process(&[byte]);
        }
    }

    /// The screen's text, trailing blanks trimmed.
    pub fn text(&mut self) -> String {
        self.pump();
        self.screen.screen().contents()
    }

    /// The screen's non-empty lines.
    pub fn lines(&mut self) -> Vec<String> {
        self.text()
            .lines()
            .map(|l| l.trim_end().to_owned())
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// How often `needle` occurs in the raw output.
    pub fn raw_count(&mut self, needle: &str) -> usize {
        self.pump();
        String::from_utf8_lossy(&self.raw).matches(needle).count()
    }

    /// Waits until `needle` was printed `n` times (rewritten in place or
    /// not).
    pub fn wait_raw(&mut self, needle: &str, n: usize) {
        let deadline = Instant::now() + WAIT;
        while self.raw_count(needle) < n {
            if Instant::now() > deadline {
                panic!(
                    "{needle:?} not printed {n} times in time; the screen:\n{}",
                    self.text()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until `pred` holds for the screen's text.
    pub fn wait_until(&mut self, what: &str, pred: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = self.text();
            if pred(&text) {
                return;
            }
            if Instant::now() > deadline {
                panic!("no {what} on screen in time; the screen:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the screen shows `needle`.
    pub fn wait_for(&mut self, needle: &str) {
        self.wait_until(&format!("{needle:?}"), |t| t.contains(needle));
    }

    /// Waits until `needle` is gone from the screen.
    pub fn wait_gone(&mut self, needle: &str) {
        self.wait_until(&format!("end of {needle:?}"), |t| !t.contains(needle));
    }

    /// The screen's lines containing `needle`.
    pub fn lines_with(&mut self, needle: &str) -> Vec<String> {
        self.lines()
            .into_iter()
            .filter(|l| l.contains(needle))
            .collect()
    }

    pub fn send_line(&mut self, line: &str) {
        self.session.send_line(line).expect("write to the pty");
    }

    /// Types without pressing Enter.
    pub fn send(&mut self, text: &str) {
        self.session.send(text).expect("write to the pty");
        self.session.flush().expect("flush the pty");
    }

    /// `/quit`, then the exit code.
    pub fn quit(mut self) -> i32 {
        self.send_line("/quit");
        self.session.exp_eof().expect("exit after /quit");
        match self.session.process().wait().expect("wait") {
            rexpect::process::WaitStatus::Exited(_, code) => code,
            other => panic!("not a normal exit: {other:?}"),
        }
    }
}
