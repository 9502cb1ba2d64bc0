//! The real `honyaku serve` binary: flags, the printed address, the page,
//! SIGTERM (every `$disconnect` runs), restarts on the same redb data — after
//! a clean stop and after `kill -9`.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::Client;
use serde_json::json;

struct Serve {
    child: Child,
    addr: SocketAddr,
}

fn serve(data: &Path, extra: &[&str]) -> Serve {
    let mut child = Command::new(env!("CARGO_BIN_EXE_honyaku"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--store",
            "redb",
            "--data",
        ])
        .arg(data)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start honyaku serve");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    // Keep draining so the server never writes to a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();
    Serve { child, addr }
}

impl Serve {
    fn ws(&self, query: &str) -> String {
        format!("ws://{}/local?{query}", self.addr)
    }

    fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {sig}");
    }

    fn wait(mut self, within: Duration) -> std::process::ExitStatus {
        let t = std::time::Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if t.elapsed() > within {
                let _ = self.child.kill();
                panic!("honyaku serve did not exit in {within:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn sigterm_disconnects_everyone_and_history_survives_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let server = serve(data.path(), &[]);
    let mut aki = Client::connect(&server.ws("room=persist&lang=ja&name=Aki")).await;
    let mut bea = Client::connect(&server.ws("room=persist&lang=es&name=Bea")).await;
    aki.send(json!({"action":"translate","text":"おはよう","clientMsgId":"p1"}))
        .await;
    assert_eq!(aki.recv_type("message").await["clientMsgId"], "p1");
    assert_eq!(bea.recv_type("message").await["text"], "[es] おはよう");

    server.signal("-TERM");
    let close = aki
        .closed(Duration::from_secs(5))
        .await
        .expect("close frame");
    assert_eq!(u16::from(close.code), 1001);
    assert!(server.wait(Duration::from_secs(10)).success());

    let server = serve(data.path(), &[]);
    let mut late = Client::connect(&server.ws("room=persist&lang=en&name=Late")).await;
    let members = late.request(json!({"action":"members"}), "members").await;
    // `$disconnect` ran for both at shutdown: only the newcomer is here.
    assert_eq!(members["members"], json!([{"name":"Late","lang":"en"}]));
    let h = late.request(json!({"action":"history"}), "history").await;
    assert_eq!(h["messages"][0]["text"], "[en] おはよう");
    assert_eq!(h["messages"][0]["original"], "おはよう");
    server.signal("-INT");
    assert!(server.wait(Duration::from_secs(10)).success());
}

#[tokio::test]
async fn acknowledged_messages_survive_kill_9() {
    let data = tempfile::tempdir().unwrap();
    let server = serve(data.path(), &[]);
    let mut c = Client::connect(&server.ws("room=crash&name=Kim")).await;
    for i in 0..20 {
        c.send(json!({"action":"translate","text":format!("n{i}"),"clientMsgId":format!("k{i}")}))
            .await;
        assert_eq!(c.recv_type("message").await["clientMsgId"], format!("k{i}"));
    }
    server.signal("-KILL");
    server.wait(Duration::from_secs(5));

    let server = serve(data.path(), &[]);
    let mut r = Client::connect(&server.ws("room=crash&name=Rea")).await;
    let h = r
        .request(json!({"action":"history","limit":100}), "history")
        .await;
    let texts: Vec<&str> = h["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    let want: Vec<String> = (0..20).map(|i| format!("n{i}")).collect();
    assert_eq!(texts, want);
}

#[tokio::test]
async fn health_page_and_headers() {
    let data = tempfile::tempdir().unwrap();
    let server = serve(data.path(), &[]);
    let (status, _, body) = common::http_get(server.addr, "/healthz").await;
    assert_eq!((status, body.trim()), (200, "ok"));
    let (status, head, body) = common::http_get(server.addr, "/").await;
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/html"), "{head}");
    assert!(
        head.contains("content-security-policy: default-src 'self'"),
        "{head}"
    );
    assert!(body.contains("<html"), "{body}");
    let (status, head, _) = common::http_get(server.addr, "/app.js").await;
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/javascript"), "{head}");
    let (status, _, _) = common::http_get(server.addr, "/../Cargo.toml").await;
    assert!([0, 400, 404].contains(&status), "{status}");
}

#[test]
fn engines_and_stores_not_built_yet_fail_with_a_sentence() {
    let data = tempfile::tempdir().unwrap();
    for (flag, value) in [
        ("--translator", "apertium"),
        ("--translator", "aws"),
        ("--store", "dynamodb"),
        ("--store", "postgres"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_honyaku"))
            .args(["serve", "--addr", "127.0.0.1:0", "--data"])
            .arg(data.path())
            .args([flag, value])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{flag} {value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(value), "{flag} {value}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn a_busy_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_honyaku"))
        .args(["serve", "--store", "memory", "--addr", &addr])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot listen on"), "{err}");
}
