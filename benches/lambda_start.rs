//! Lambda start: time from process start to the first poll of the Runtime
//! API (`GET /2018-06-01/runtime/invocation/next`) for `honyaku-lambda`,
//! against a hello-world `lambda_runtime` function (`benches/lambda-hello`),
//! both release builds made in this run and pointed at a Runtime API stub
//! on 127.0.0.1; and the size of the binaries and of their zips.
//!
//! `cargo bench --bench lambda_start` (builds both first, and the arm64
//! zip with cargo-lambda when it is installed: the first time this takes
//! minutes, for the AWS SDK; `BENCH_SKIP_ARM64=1` skips the arm64 build).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

use common::{Table, ms, percentile, size, verdict};

/// Interleaved starts measured per binary (after one unmeasured start each).
const RUNS: usize = 30;
/// A start that has not polled by then counts as failed.
const POLL_TIMEOUT: Duration = Duration::from_secs(10);
const START_TARGET: f64 = 1.5;
const ZIP_TARGET_BYTES: u64 = 6 * 1024 * 1024;
const NEXT: &str = "GET /2018-06-01/runtime/invocation/next";

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Runs cargo with `args`; its progress goes to our stderr.
fn cargo_build(args: &[&str]) -> Result<(), String> {
    eprintln!("lambda_start: cargo {}", args.join(" "));
    let status = Command::new(cargo())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("build failed ({status})"))
    }
}

/// `honyaku-lambda`, built with the features `cargo lambda` uses.
fn build_honyaku_lambda(target: &Path) -> Result<PathBuf, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/bin/honyaku-lambda.rs");
    if !src.exists() {
        return Err("not measured: binary missing (no src/bin/honyaku-lambda.rs)".into());
    }
    cargo_build(&[
        "build",
        "--release",
        "-p",
        "honyaku",
        "--bin",
        "honyaku-lambda",
        "--no-default-features",
        "--features",
        "aws",
    ])
    .map_err(|e| format!("not measured: {e}"))?;
    Ok(target.join("release/honyaku-lambda"))
}

/// What `sam build` deploys: `cargo lambda build --release --arm64`, as a
/// binary and as a zip; their sizes. Needs cargo-lambda (with Zig).
fn build_arm64(target: &Path) -> Result<(u64, u64), String> {
    if std::env::var_os("BENCH_SKIP_ARM64").is_some() {
        return Err("not measured: BENCH_SKIP_ARM64 is set".into());
    }
    let installed = Command::new(cargo())
        .args(["lambda", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        return Err("not measured: cargo-lambda is not installed".into());
    }
    let dir = target.join("bench/lambda/arm64");
    let dir_arg = dir.display().to_string();
    let mut sizes = [0u64; 2];
    for (i, format) in ["binary", "zip"].into_iter().enumerate() {
        cargo_build(&[
            "lambda",
            "build",
            "--release",
            "--arm64",
            "--bin",
            "honyaku-lambda",
            "--no-default-features",
            "--features",
            "aws",
            "--output-format",
            format,
            "--lambda-dir",
            &dir_arg,
        ])
        .map_err(|e| format!("not measured: cargo lambda: {e}"))?;
        let file = dir.join("honyaku-lambda").join(if format == "zip" {
            "bootstrap.zip"
        } else {
            "bootstrap"
        });
        sizes[i] = std::fs::metadata(&file)
            .map_err(|e| format!("not measured: {}: {e}", file.display()))?
            .len();
    }
    Ok((sizes[0], sizes[1]))
}

/// The hello-world function, its own workspace, built into our target dir.
fn build_hello(target: &Path) -> Result<PathBuf, String> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/lambda-hello/Cargo.toml");
    let (manifest, target_arg) = (manifest.display().to_string(), target.display().to_string());
    cargo_build(&[
        "build",
        "--release",
        "--manifest-path",
        &manifest,
        "--target-dir",
        &target_arg,
    ])
    .map_err(|e| format!("not measured: {e}"))?;
    Ok(target.join("release/lambda-hello"))
}

/// What Lambda sets for a function, plus what `honyaku-lambda` reads.
/// Credentials are dummies; nothing leaves 127.0.0.1 before the first poll.
fn lambda_env(api: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_LAMBDA_RUNTIME_API", api.to_owned()),
        ("AWS_LAMBDA_FUNCTION_NAME", "honyaku-bench".into()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".into()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            "/aws/lambda/honyaku-bench".into(),
        ),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_DEFAULT_REGION", "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID", "AKIDBENCHONLY".into()),
        ("AWS_SECRET_ACCESS_KEY", "bench-only-not-a-secret".into()),
        ("AWS_SESSION_TOKEN", "bench-only".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_CONFIG_FILE", "/nonexistent/aws-config".into()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials".into(),
        ),
        ("TABLE_NAME", "honyaku-bench-table".into()),
        ("_HANDLER", "bootstrap".into()),
        ("TZ", ":UTC".into()),
    ]
}

/// One cold process start: spawn to the first `invocation/next` request.
async fn first_poll(bin: &Path, extra: &[(&str, String)]) -> Result<Duration, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let api = listener
        .local_addr()
        .map_err(|e| e.to_string())?
        .to_string();
    let mut cmd = tokio::process::Command::new(bin);
    cmd.env_clear()
        .envs(lambda_env(&api))
        .envs(extra.iter().cloned())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let started = Instant::now();
    let mut child = cmd.spawn().map_err(|e| format!("spawn: {e}"))?;
    let polled = async {
        loop {
            let (mut stream, _) = listener.accept().await.map_err(|e| e.to_string())?;
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            if head.starts_with(NEXT.as_bytes()) {
                // The connection stays open (unanswered) until the child goes.
                return Ok::<_, String>((started.elapsed(), stream));
            }
        }
    };
    let result = tokio::select! {
        r = tokio::time::timeout(POLL_TIMEOUT, polled) => match r {
            Ok(Ok((d, _stream))) => Ok(d),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(format!("no poll within {POLL_TIMEOUT:?}")),
        },
        status = child.wait() => {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err).await;
            }
            let last = err.lines().last().unwrap_or("").to_owned();
            Err(format!("exited before polling ({}): {last}",
                status.map_or("?".into(), |s| s.to_string())))
        }
    };
    let _ = child.kill().await;
    result
}

/// `bin` copied as `bootstrap` and zipped; the zip's size.
fn zip_size(bin: &Path, dir: &Path, name: &str) -> Result<u64, String> {
    let work = dir.join(name);
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let bootstrap = work.join("bootstrap");
    std::fs::copy(bin, &bootstrap).map_err(|e| e.to_string())?;
    let zip = work.join("bootstrap.zip");
    let zipped = Command::new("zip")
        .args(["-q", "-9", "-j"])
        .arg(&zip)
        .arg(&bootstrap)
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
        || Command::new("python3")
            .args([
                "-c",
                "import sys, zipfile; zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED, \
                 compresslevel=9).write(sys.argv[2], 'bootstrap')",
            ])
            .arg(&zip)
            .arg(&bootstrap)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
    if !zipped {
        return Err("not measured: neither zip nor python3 worked".into());
    }
    std::fs::metadata(&zip)
        .map(|m| m.len())
        .map_err(|e| e.to_string())
}

/// A stripped copy of `bin` (with `strip`), if it can be made.
fn stripped(bin: &Path, dir: &Path, name: &str) -> Option<PathBuf> {
    let out = dir.join(format!("{name}.stripped"));
    std::fs::create_dir_all(dir).ok()?;
    let ok = Command::new("strip")
        .arg("-o")
        .arg(&out)
        .arg(bin)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    ok.then_some(out)
}

/// A binary to start: its name, its path (or why there is none), and
/// extra environment.
type Variant = (
    &'static str,
    Result<PathBuf, String>,
    Vec<(&'static str, String)>,
);

struct Starts {
    samples: Vec<Duration>,
    failures: Vec<String>,
}

impl Starts {
    fn p50(&self) -> Option<Duration> {
        percentile(&self.samples, 0.5)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let target = common::target_dir();
    let honyaku = build_honyaku_lambda(&target);
    let hello = build_hello(&target);
    let arm64 = build_arm64(&target);
    // The third variant shows what honyaku-lambda's init spends on
    // reading the machine's CA certificate directory (rustls native roots,
    // loaded when the SDK's HTTPS client is built): the same binary with
    // SSL_CERT_DIR pointing at an empty directory (the bundle file is still read).
    let empty_dir = target.join("bench/lambda/empty-cert-dir");
    let _ = std::fs::create_dir_all(&empty_dir);
    let no_cert_dir = vec![("SSL_CERT_DIR", empty_dir.display().to_string())];
    let bins: Vec<Variant> = vec![
        ("lambda-hello (baseline)", hello, Vec::new()),
        ("honyaku-lambda", honyaku.clone(), Vec::new()),
        ("honyaku-lambda, SSL_CERT_DIR empty", honyaku, no_cert_dir),
    ];

    // One unmeasured start each (page cache), then interleaved runs.
    for (_, bin, extra) in &bins {
        if let Ok(bin) = bin {
            let _ = first_poll(bin, extra).await;
        }
    }
    let mut starts: Vec<Starts> = bins
        .iter()
        .map(|_| Starts {
            samples: Vec::new(),
            failures: Vec::new(),
        })
        .collect();
    for _ in 0..RUNS {
        for (i, (_, bin, extra)) in bins.iter().enumerate() {
            if let Ok(bin) = bin {
                match first_poll(bin, extra).await {
                    Ok(d) => starts[i].samples.push(d),
                    Err(e) => starts[i].failures.push(e),
                }
            }
        }
    }
    for s in &mut starts {
        s.samples.sort();
    }

    let mut start_table = Table::new(
        "Lambda start: process start → first poll of the Runtime API",
        &[
            "binary",
            "runs",
            "min",
            "p50",
            "p90",
            "max",
            "vs hello-world (min)",
            "vs hello-world (p50)",
            "target ≤ 1.5× (min)",
        ],
    );
    let hello = (starts[0].samples.first().copied(), starts[0].p50());
    let mut start_ratio = None;
    for (i, (name, bin, _)) in bins.iter().enumerate() {
        let s = &starts[i];
        let Ok(_) = bin else {
            let why = bin.as_ref().err().cloned().unwrap_or_default();
            start_table.row(vec![
                (*name).into(),
                "0".into(),
                why,
                "—".into(),
                "—".into(),
                "—".into(),
                "—".into(),
                "—".into(),
                "—".into(),
            ]);
            continue;
        };
        let Some(p50) = s.p50() else {
            start_table.row(vec![
                (*name).into(),
                "0".into(),
                format!(
                    "not measured: {}",
                    s.failures.first().cloned().unwrap_or_default()
                ),
                "—".into(),
                "—".into(),
                "—".into(),
                "—".into(),
                "—".into(),
                "—".into(),
            ]);
            continue;
        };
        let fmt = |d: Option<Duration>| d.map_or("—".into(), ms);
        let min = s.samples.first().copied().unwrap_or(p50);
        let (ratio_min, ratio_p50, check) = match hello {
            _ if i == 0 => ("1.00×".into(), "1.00×".into(), "(baseline)".to_owned()),
            (Some(h_min), Some(h_p50)) => {
                let r = min.as_secs_f64() / h_min.as_secs_f64();
                let r50 = p50.as_secs_f64() / h_p50.as_secs_f64();
                if i == 1 {
                    start_ratio = Some((r, r50));
                }
                (
                    format!("{r:.2}×"),
                    format!("{r50:.2}×"),
                    if i == 1 {
                        verdict(r <= START_TARGET)
                    } else {
                        "(experiment)".into()
                    },
                )
            }
            _ => ("—".into(), "—".into(), "—".into()),
        };
        start_table.row(vec![
            (*name).into(),
            format!(
                "{}{}",
                s.samples.len(),
                if s.failures.is_empty() {
                    String::new()
                } else {
                    format!(" ({} failed)", s.failures.len())
                }
            ),
            fmt(s.samples.first().copied()),
            fmt(Some(p50)),
            fmt(percentile(&s.samples, 0.9)),
            fmt(s.samples.last().copied()),
            ratio_min,
            ratio_p50,
            check,
        ]);
    }
    start_table.note(format!(
        "Release builds made in this run (`honyaku-lambda` with `--no-default-features --features \
         aws`, as `cargo lambda` builds it; `benches/lambda-hello`, a `lambda_runtime` echo \
         function). Each start: spawn with Lambda's environment (dummy credentials, region \
         us-east-1, a fake table) and AWS_LAMBDA_RUNTIME_API pointing at a stub on 127.0.0.1 that \
         records when `{NEXT}` arrives; {RUNS} starts each, interleaved, after one unmeasured \
         start each. The verdict uses the fastest start of each (the one least disturbed by \
         other processes on this shared machine); p50 is shown for reference. This is the \
         process's own init (runtime, logging, SDK configuration, clients); Lambda's sandbox and \
         download time come on top and are not measured."
    ));

    let dir = target.join("bench/lambda");
    let mut sizes = Table::new(
        "Lambda package size",
        &[
            "binary",
            "binary size",
            "zip",
            "stripped binary",
            "stripped zip",
        ],
    );
    let mut honyaku_zips = None;
    for (name, bin, _) in bins.iter().take(2) {
        let Ok(bin) = bin else {
            sizes.row(vec![
                (*name).into(),
                bin.as_ref().err().cloned().unwrap_or_default(),
                "—".into(),
                "—".into(),
                "—".into(),
            ]);
            continue;
        };
        let file = bin
            .file_name()
            .map_or("bin".into(), |f| f.to_string_lossy().into_owned());
        let bytes = std::fs::metadata(bin).map(|m| m.len()).unwrap_or(0);
        let zip = zip_size(bin, &dir, &file);
        let strip = stripped(bin, &dir, &file);
        let strip_bytes = strip
            .as_ref()
            .and_then(|p| std::fs::metadata(p).ok())
            .map(|m| m.len());
        let strip_zip = strip
            .as_ref()
            .map(|p| zip_size(p, &dir, &format!("{file}-stripped")));
        if file == "honyaku-lambda" {
            honyaku_zips = Some((
                zip.as_ref().ok().copied(),
                strip_zip.as_ref().and_then(|z| z.as_ref().ok().copied()),
            ));
        }
        let show = |r: &Result<u64, String>| match r {
            Ok(b) => size(*b),
            Err(e) => e.clone(),
        };
        sizes.row(vec![
            (*name).into(),
            size(bytes),
            show(&zip),
            strip_bytes.map_or("not measured".into(), size),
            strip_zip.as_ref().map_or("not measured".into(), show),
        ]);
    }
    sizes.row(match &arm64 {
        Ok((bin, zip)) => vec![
            "honyaku-lambda, arm64 (`cargo lambda build --release --arm64`)".into(),
            size(*bin),
            size(*zip),
            "—".into(),
            "—".into(),
        ],
        Err(e) => vec![
            "honyaku-lambda, arm64 (`cargo lambda build --release --arm64`)".into(),
            e.clone(),
            "—".into(),
            "—".into(),
            "—".into(),
        ],
    });
    sizes.note(
        "x86_64 rows: the release builds timed above, zipped with `zip -9` as `bootstrap`; the \
         release profile has no `strip`, so they carry symbol tables, and the stripped columns \
         show what `strip = true` would ship. The arm64 row is what `sam build` deploys: \
         cargo-lambda's own build (Zig as the linker) and zip.",
    );

    let mut targets = Table::new("Targets", &["target", "measured", "goal", "verdict"]);
    targets.row(match start_ratio {
        Some((r, r50)) => vec![
            "honyaku-lambda start vs hello-world (fastest of each)".into(),
            format!("{r:.2}× (p50: {r50:.2}×)"),
            "≤ 1.5×".into(),
            verdict(r <= START_TARGET),
        ],
        None => vec![
            "honyaku-lambda start vs hello-world".into(),
            "not measured".into(),
            "≤ 1.5×".into(),
            "—".into(),
        ],
    });
    targets.row(match &arm64 {
        Ok((_, zip)) => vec![
            "arm64 zip (`cargo lambda build --release --arm64`)".into(),
            size(*zip),
            "≤ 6 MiB".into(),
            verdict(*zip <= ZIP_TARGET_BYTES),
        ],
        Err(e) => vec![
            "arm64 zip (`cargo lambda build --release --arm64`)".into(),
            e.clone(),
            "≤ 6 MiB".into(),
            "—".into(),
        ],
    });
    if let (Err(_), Some((zip, strip_zip))) = (&arm64, honyaku_zips) {
        for (what, z) in [("as built", zip), ("stripped", strip_zip)] {
            if let Some(z) = z {
                targets.row(vec![
                    format!("x86_64 zip, {what} (stand-in for arm64)"),
                    size(z),
                    "≤ 6 MiB".into(),
                    format!("{} (stand-in)", verdict(z <= ZIP_TARGET_BYTES)),
                ]);
            }
        }
    }

    let raw = json!(
        bins.iter()
            .zip(&starts)
            .map(|((name, bin, _), s)| json!({
                "binary": name,
                "path": bin.as_ref().ok().map(|p| p.display().to_string()),
                "error": bin.as_ref().err(),
                "start_us": s.samples.iter().map(|d| d.as_micros() as u64).collect::<Vec<_>>(),
                "failures": s.failures,
            }))
            .collect::<Vec<_>>()
    );
    common::report("lambda_start", &[start_table, sizes, targets], raw);
}
