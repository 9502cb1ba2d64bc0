//! README's recipe "Japanese, Chinese, Arabic… on your machine", checked
//! against the real binary: each `honyaku serve` line of that section is
//! started as written (on a free port, with the memory store) and must
//! reach "listening on"; a flag or value the binary does not accept makes
//! clap refuse it, and this test fails with clap's sentence. LibreTranslate
//! itself need not run: an engine that does not answer at start is
//! reported, not fatal.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::helpers::binary::{HONYAKU, serve_command};

const SECTION: &str = "### Japanese, Chinese, Arabic… on your machine";
/// A server that parsed its flags prints its address within this.
const START: Duration = Duration::from_secs(20);

/// The text of the README section titled `title`, up to the next heading.
fn section(title: &str) -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md is readable");
    let start = readme
        .find(&format!("\n{title}\n"))
        .unwrap_or_else(|| panic!("README.md has the section {title:?}"));
    let body = &readme[start + title.len() + 2..];
    // The next heading (a `#` comment inside a code block is not one).
    let end = ["\n## ", "\n### "]
        .iter()
        .filter_map(|h| body.find(h))
        .min()
        .unwrap_or(body.len());
    body[..end].to_owned()
}

/// The `honyaku serve` command lines of the section's code blocks, as
/// arguments after `serve` (continuation lines joined).
fn serve_lines(text: &str) -> Vec<Vec<String>> {
    let mut lines = Vec::new();
    let mut in_code = false;
    let mut pending = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if !in_code {
            continue;
        }
        let line = line.trim();
        if let Some(open) = line.strip_suffix('\\') {
            pending.push_str(open);
            pending.push(' ');
            continue;
        }
        let whole = std::mem::take(&mut pending) + line;
        if let Some(args) = whole.strip_prefix("honyaku serve") {
            assert!(
                !args.contains(['\'', '"', '$', '`', '#']),
                "this check splits on spaces only; quote-free recipe lines, please: {whole}"
            );
            lines.push(args.split_whitespace().map(str::to_owned).collect());
        }
    }
    lines
}

#[test]
fn the_recipe_installs_libretranslate_and_loads_the_languages() {
    let text = section(SECTION);
    assert!(text.contains("\npip install libretranslate\n"), "{text}");
    assert!(
        text.contains("\nlibretranslate --load-only en,ja,zh,ar,ko,de,ru\n"),
        "{text}"
    );
    let lines = serve_lines(&text);
    assert!(
        lines
            .iter()
            .any(|args| args == &["--translator", "apertium,libretranslate"]),
        "the recipe starts `honyaku serve --translator apertium,libretranslate`: {lines:?}"
    );
}

/// Every flag the recipe's `honyaku serve` lines use is one the binary
/// lists in `honyaku serve --help`.
#[test]
fn the_recipe_flags_are_the_binary_flags() {
    let help = Command::new(HONYAKU)
        .args(["serve", "--help"])
        .output()
        .expect("run honyaku serve --help");
    let help = String::from_utf8_lossy(&help.stdout);
    let lines = serve_lines(&section(SECTION));
    assert!(!lines.is_empty(), "the section has `honyaku serve` lines");
    for args in lines {
        for flag in args.iter().filter(|a| a.starts_with("--")) {
            let flag = flag.split('=').next().unwrap_or(flag);
            assert!(
                help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
                "README's recipe uses {flag}, which `honyaku serve --help` does not list:\n{help}"
            );
        }
    }
}

/// Each `honyaku serve` line starts: clap accepts its flags and values, and
/// the server gets as far as listening.
#[test]
fn each_recipe_command_starts() {
    let lines = serve_lines(&section(SECTION));
    assert!(!lines.is_empty(), "the section has `honyaku serve` lines");
    for args in lines {
        let shown = format!("honyaku serve {}", args.join(" "));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut cmd = serve_command(&args);
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start honyaku serve");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        // Engines may say their piece first; the address line is the one.
        std::thread::spawn(move || {
            let listening = BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .find(|line| line.starts_with("listening on http://"));
            let _ = tx.send(listening.unwrap_or_default());
        });
        let first = rx.recv_timeout(START).unwrap_or_default();
        let _ = child.kill();
        let status = child.wait().expect("wait for honyaku serve");
        let mut stderr = String::new();
        if let Some(mut err) = child.stderr.take() {
            let _ = err.read_to_string(&mut stderr);
        }
        assert!(
            first.starts_with("listening on http://"),
            "README's `{shown}` did not start ({status}; usage errors exit 2):\n{stderr}"
        );
    }
}
