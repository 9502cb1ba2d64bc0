//! Apertium: warm pipeline against a spawn-per-message baseline, measured
//! in the same run, and throughput under 8 concurrent senders.
//!
//! `cargo bench --bench apertium` (needs Apertium with the eng-spa pair).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use honyaku::model::Lang;
use honyaku::ports::Translator;
use honyaku::translate::apertium::{Apertium, DEFAULT_MODES_DIR};

const LINES: &[&str] = &[
    "Hello, how are you today?",
    "I will be late for the meeting.",
    "Can you send me the report?",
    "The weather is nice this morning.",
    "Let's have lunch together tomorrow.",
    "My train was cancelled again.",
    "Thank you for your help!",
    "Where is the nearest station?",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn spawn_once(text: &str) -> Duration {
    let t = Instant::now();
    let mut child = Command::new("apertium")
        .args(["-u", "eng-spa"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("apertium");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    t.elapsed()
}

#[tokio::main]
async fn main() {
    let modes = Path::new(DEFAULT_MODES_DIR);
    if !Apertium::installed(modes) {
        eprintln!("Apertium is not installed; run scripts/setup first");
        std::process::exit(1);
    }
    let engine = Apertium::discover(modes).unwrap();
    let (en, es) = (Lang::EN, Lang::parse("es").unwrap());
    engine.translate("warm up", en, es).await.unwrap();

    let mut warm = Vec::new();
    for i in 0..400 {
        let text = format!("{} ({i})", LINES[i % LINES.len()]);
        let t = Instant::now();
        engine.translate(&text, en, es).await.unwrap();
        warm.push(t.elapsed());
    }
    warm.sort();

    let mut spawned: Vec<Duration> = (0..20)
        .map(|i| spawn_once(LINES[i % LINES.len()]))
        .collect();
    spawned.sort();

    let senders = 8;
    let per_sender = 100;
    let t = Instant::now();
    let engine = &engine;
    futures_util::future::join_all((0..senders).map(|s| async move {
        for i in 0..per_sender {
            let text = format!("{} [{s}:{i}]", LINES[(s + i) % LINES.len()]);
            engine.translate(&text, en, es).await.unwrap();
        }
    }))
    .await;
    let elapsed = t.elapsed();
    let throughput = (senders * per_sender) as f64 / elapsed.as_secs_f64();

    let warm_p50 = percentile(&warm, 0.5);
    let spawn_p50 = percentile(&spawned, 0.5);
    let ratio = spawn_p50.as_secs_f64() / warm_p50.as_secs_f64();
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1e3);
    println!("| measure (en→es, short chat line) | p50 | p95 | max |");
    println!("|---|---|---|---|");
    println!(
        "| warm pipeline | {} | {} | {} |",
        ms(warm_p50),
        ms(percentile(&warm, 0.95)),
        ms(*warm.last().unwrap())
    );
    println!(
        "| spawn per message (baseline) | {} | {} | {} |",
        ms(spawn_p50),
        ms(percentile(&spawned, 0.95)),
        ms(*spawned.last().unwrap())
    );
    println!();
    println!("| result | value | target | |");
    println!("|---|---|---|---|");
    println!(
        "| speed-up (baseline p50 / warm p50) | {ratio:.0}× | ≥ 10× | {} |",
        if ratio >= 10.0 { "met" } else { "MISSED" }
    );
    println!(
        "| warm p50 | {} | < 20 ms | {} |",
        ms(warm_p50),
        if warm_p50 < Duration::from_millis(20) {
            "met"
        } else {
            "MISSED"
        }
    );
    println!("| throughput, {senders} concurrent senders | {throughput:.0} msg/s | — | |");
}
