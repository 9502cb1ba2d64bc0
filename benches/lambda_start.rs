//! Lambda start: for `honyaku-lambda` against a hello-world
//! `lambda_runtime` function (`benches/lambda-hello`), both pointed at a
//! Runtime API stub on 127.0.0.1, the time from process start to the
//! first poll of `GET /2018-06-01/runtime/invocation/next` (init), and
//! then from handing out a WebSocket `$connect` event to the posted
//! response (the first request; honyaku's goes to a DynamoDB stub on
//! 127.0.0.1, which counts the connections it is opened); and the size of
//! the binaries and their zips.
//!
//! `cargo bench --bench lambda_start`. The binaries come from
//! `scripts/build-lambda host` (and, when cargo-lambda is installed and
//! `BENCH_SKIP_ARM64` is not set, `scripts/build-lambda arm64`: minutes
//! the first time); `BENCH_NO_BUILD=1` measures what is already built.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use honyaku::testing::lambda_runtime::{RuntimeApi, Seen, dynamodb_stub, lambda_env};
use serde_json::json;

use common::{Table, ms, percentile, size, verdict};

/// Interleaved starts measured per binary (after one unmeasured start each).
const RUNS: usize = 30;
/// A start or request that takes longer counts as failed.
const TIMEOUT: Duration = Duration::from_secs(10);
const INIT_TARGET: f64 = 1.2;
const ZIP_TARGET_BYTES: u64 = 6 * 1024 * 1024;
const NEXT: &str = "GET /2018-06-01/runtime/invocation/next";
const EVENT: &str = include_str!("../tests/suite/fixtures/apigw-connect.json");

/// Runs `scripts/build-lambda WHAT`; its `name path` lines.
fn build(what: &str) -> Result<Vec<(String, PathBuf)>, String> {
    let out = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/build-lambda"))
        .arg(what)
        .env("CARGO_TARGET_DIR", common::target_dir())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run scripts/build-lambda: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "scripts/build-lambda {what} failed ({})",
            out.status
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(n, p)| (n.to_owned(), PathBuf::from(p)))
        .collect())
}

/// What `scripts/build-lambda WHAT` made (or, with `BENCH_NO_BUILD`, would
/// have made), by name.
fn artifacts(what: &str) -> Result<Vec<(String, PathBuf)>, String> {
    if std::env::var_os("BENCH_NO_BUILD").is_none() {
        return build(what);
    }
    let dir = common::target_dir().join("lambda");
    let names: &[(&str, &str)] = match what {
        "host" => &[
            ("honyaku-lambda", "host/honyaku-lambda"),
            ("honyaku-lambda.zip", "host/honyaku-lambda.zip"),
            ("lambda-hello", "host/lambda-hello"),
            ("lambda-hello.zip", "host/lambda-hello.zip"),
        ],
        _ => &[
            ("honyaku-lambda-arm64", "arm64/honyaku-lambda/bootstrap"),
            (
                "honyaku-lambda-arm64.zip",
                "arm64/honyaku-lambda/bootstrap.zip",
            ),
        ],
    };
    let found: Vec<_> = names
        .iter()
        .map(|(n, p)| ((*n).to_owned(), dir.join(p)))
        .filter(|(_, p)| p.exists())
        .collect();
    if found.is_empty() {
        Err(format!("not measured: nothing built ({what})"))
    } else {
        Ok(found)
    }
}

fn find(list: &Result<Vec<(String, PathBuf)>, String>, name: &str) -> Result<PathBuf, String> {
    match list {
        Ok(l) => l
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p.clone())
            .ok_or_else(|| format!("not measured: {name} not built")),
        Err(e) => Err(e.clone()),
    }
}

/// One cold start: (init, first request, DynamoDB connections opened).
struct Start {
    init: Duration,
    first: Duration,
    connections: usize,
}

/// Spawns `bin` against a Runtime API stand-in that hands out one
/// `$connect` event and waits for its response.
async fn one_start(bin: &Path) -> Result<Start, String> {
    let mut api = RuntimeApi::start().await;
    let (dynamodb, connections) = dynamodb_stub().await;
    let event: serde_json::Value = serde_json::from_str(EVENT).map_err(|e| e.to_string())?;
    api.give(&event);
    let started = Instant::now();
    let mut child = tokio::process::Command::new(bin)
        .env_clear()
        .envs(lambda_env(api.address(), &dynamodb, "honyaku-bench-table"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    let timed = tokio::time::timeout(TIMEOUT, async {
        let mut polled = None;
        loop {
            match (api.seen(TIMEOUT).await, polled) {
                (Some(Seen::Poll(at)), None) => polled = Some(at),
                (Some(Seen::Response { at, .. }), Some(p)) => return Ok((p - started, at - p)),
                (Some(Seen::Error { body, .. }), _) => return Err(format!("failed: {body}")),
                (Some(_), _) => {}
                (None, _) => return Err("the stand-in stopped".to_owned()),
            }
        }
    })
    .await;
    let _ = child.kill().await;
    let (init, first) = timed.map_err(|_| format!("no response within {TIMEOUT:?}"))??;
    Ok(Start {
        init,
        first,
        connections: connections.load(Ordering::SeqCst),
    })
}

#[derive(Default)]
struct Starts {
    init: Vec<Duration>,
    first: Vec<Duration>,
    total: Vec<Duration>,
    connections: Vec<usize>,
    failures: Vec<String>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let host = artifacts("host");
    let arm64 = if std::env::var_os("BENCH_SKIP_ARM64").is_some() {
        Err("not measured: BENCH_SKIP_ARM64 is set".to_owned())
    } else {
        artifacts("arm64")
    };
    let bins = [
        ("lambda-hello (baseline)", find(&host, "lambda-hello")),
        ("honyaku-lambda", find(&host, "honyaku-lambda")),
    ];

    let mut starts: Vec<Starts> = bins.iter().map(|_| Starts::default()).collect();
    for round in 0..=RUNS {
        for (i, (_, bin)) in bins.iter().enumerate() {
            let Ok(bin) = bin else { continue };
            let result = one_start(bin).await;
            if round == 0 {
                continue; // unmeasured: fills the page cache
            }
            match result {
                Ok(s) => {
                    starts[i].init.push(s.init);
                    starts[i].first.push(s.first);
                    starts[i].total.push(s.init + s.first);
                    starts[i].connections.push(s.connections);
                }
                Err(e) => starts[i].failures.push(e),
            }
        }
    }
    for s in &mut starts {
        s.init.sort();
        s.first.sort();
        s.total.sort();
    }
    let fmt = |v: &[Duration], q: f64| percentile(v, q).map_or("—".into(), ms);
    let min = |v: &[Duration]| v.first().map(Duration::as_secs_f64);
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    };
    let mut table = Table::new(
        "Lambda start: init (process start → first poll) and first request",
        &[
            "binary",
            "runs",
            "init min",
            "init p50",
            "first request min",
            "first request p50",
            "init + first min",
            "init vs hello (min)",
            "init + first vs hello (min)",
            "DynamoDB connections (first request)",
        ],
    );
    let hello = &starts[0];
    let mut init_ratio = None;
    for (i, (name, bin)) in bins.iter().enumerate() {
        let s = &starts[i];
        if let Err(why) = bin {
            let mut row = vec![(*name).into(), "0".into(), why.clone()];
            row.resize(10, "—".into());
            table.row(row);
            continue;
        }
        let r_init = ratio(min(&s.init), min(&hello.init));
        let r_total = ratio(min(&s.total), min(&hello.total));
        if i == 1 {
            init_ratio = r_init;
        }
        let x = |r: Option<f64>| r.map_or("—".into(), |r| format!("{r:.2}×"));
        // How many starts opened how many connections: "1 ×27, 2 ×3".
        let mut seen: Vec<(usize, usize)> = Vec::new();
        for &c in &s.connections {
            match seen.iter_mut().find(|(n, _)| *n == c) {
                Some((_, k)) => *k += 1,
                None => seen.push((c, 1)),
            }
        }
        seen.sort_unstable();
        let conns = match seen.as_slice() {
            [] => "—".into(),
            [(n, _)] => n.to_string(),
            many => many
                .iter()
                .map(|(n, k)| format!("{n} ×{k}"))
                .collect::<Vec<_>>()
                .join(", "),
        };
        table.row(vec![
            (*name).into(),
            if s.failures.is_empty() {
                s.init.len().to_string()
            } else {
                format!(
                    "{} ({} failed: {})",
                    s.init.len(),
                    s.failures.len(),
                    s.failures[0]
                )
            },
            fmt(&s.init, 0.0),
            fmt(&s.init, 0.5),
            fmt(&s.first, 0.0),
            fmt(&s.first, 0.5),
            fmt(&s.total, 0.0),
            x(r_init),
            x(r_total),
            if i == 0 { "(none)".into() } else { conns },
        ]);
    }
    table.note(format!(
        "Release builds from `scripts/build-lambda host` (`honyaku-lambda` with \
         `--no-default-features --features aws`, as `cargo lambda` builds it; \
         `benches/lambda-hello`, a `lambda_runtime` echo function). Each start: spawn with \
         Lambda's environment (dummy credentials, region us-east-1) and AWS_LAMBDA_RUNTIME_API \
         pointing at a stand-in on 127.0.0.1 (honyaku::testing::lambda_runtime, the one the suite runs the binary against). Init: spawn → `{NEXT}`. First request: the stub hands \
         out a WebSocket `$connect` event (tests/suite/fixtures/apigw-connect.json) → the response is \
         posted; honyaku's DynamoDB calls go to a stub on 127.0.0.1 (`AWS_ENDPOINT_URL_DYNAMODB`, \
         plain HTTP, answers `{{}}`), which counts the connections opened: one means every call \
         of the first request reused one connection, so on AWS one TLS handshake. {RUNS} starts \
         each, interleaved, after one unmeasured start each; the verdict uses the fastest of each \
         (least disturbed by other processes on this shared machine). Lambda's sandbox and \
         download time come on top and are not measured."
    ));

    let mut sizes = Table::new("Lambda package size", &["binary", "binary size", "zip"]);
    let len = |p: Result<PathBuf, String>| match p.and_then(|p| {
        std::fs::metadata(&p)
            .map(|m| m.len())
            .map_err(|e| format!("{}: {e}", p.display()))
    }) {
        Ok(b) => (size(b), Some(b)),
        Err(e) => (e, None),
    };
    for (label, list, name) in [
        ("lambda-hello (baseline), x86_64", &host, "lambda-hello"),
        ("honyaku-lambda, x86_64", &host, "honyaku-lambda"),
        (
            "honyaku-lambda, arm64 (`cargo lambda build --release --arm64`)",
            &arm64,
            "honyaku-lambda-arm64",
        ),
    ] {
        let (b, _) = len(find(list, name));
        let (z, _) = len(find(list, &format!("{name}.zip")));
        sizes.row(vec![label.into(), b, z]);
    }
    sizes.note(
        "Zips hold the binary as `bootstrap` (`zip -9`). The arm64 row is what `sam build` \
         deploys: cargo-lambda's own build (Zig as the linker, features from \
         [package.metadata.lambda.build]) and zip.",
    );

    let mut targets = Table::new("Targets", &["target", "measured", "goal", "verdict"]);
    targets.row(match init_ratio {
        Some(r) => vec![
            "honyaku-lambda init vs hello-world (fastest of each)".into(),
            format!("{r:.2}×"),
            format!("≤ {INIT_TARGET}×"),
            verdict(r <= INIT_TARGET),
        ],
        None => vec![
            "honyaku-lambda init vs hello-world".into(),
            "not measured".into(),
            format!("≤ {INIT_TARGET}×"),
            "—".into(),
        ],
    });
    let (zip, bytes) = len(find(&arm64, "honyaku-lambda-arm64.zip"));
    targets.row(vec![
        "arm64 zip (`cargo lambda build --release --arm64`)".into(),
        zip,
        "≤ 6 MiB".into(),
        bytes.map_or("—".into(), |b| verdict(b <= ZIP_TARGET_BYTES)),
    ]);

    let raw = json!(
        bins.iter()
            .zip(&starts)
            .map(|((name, bin), s)| json!({
                "binary": name,
                "path": bin.as_ref().ok().map(|p| p.display().to_string()),
                "init_us": s.init.iter().map(|d| d.as_micros() as u64).collect::<Vec<_>>(),
                "first_request_us": s.first.iter().map(|d| d.as_micros() as u64).collect::<Vec<_>>(),
                "dynamodb_connections": s.connections,
                "failures": s.failures,
            }))
            .collect::<Vec<_>>()
    );
    common::report("lambda_start", &[table, sizes, targets], raw);
}
