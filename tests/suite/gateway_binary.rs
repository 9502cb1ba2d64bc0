//! The real `honyaku` binary: the page built into it (a copy of the binary
//! alone in an empty directory serves it), `--web DIR` serving nothing
//! outside DIR and no dotfiles, the page's security headers, token secrets
//! too short to protect anything, and the note printed when listening
//! beyond this machine.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::helpers::binary::{HONYAKU, Running, output_within, serve_command, serve_command_of};

/// `bin serve ARGS` started in `dir`.
fn start(bin: &Path, dir: &Path, args: &[&str]) -> Running {
    let mut cmd = serve_command_of(bin, args);
    cmd.current_dir(dir);
    Running::start(cmd)
}

#[tokio::test]
async fn a_copied_binary_serves_the_page_from_an_empty_directory() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("honyaku");
    std::fs::copy(HONYAKU, &bin).unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let server = start(&bin, &empty, &[]);
    for (path, kind) in [
        ("/", "text/html"),
        ("/app.js", "text/javascript"),
        ("/style.css", "text/css"),
        ("/config.json", "application/json"),
        ("/contract.json", "application/json"),
    ] {
        let (status, head, body) = crate::helpers::http_get(server.addr, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            head.contains(&format!("content-type: {kind}")),
            "{path}: {head}"
        );
        assert!(!body.is_empty(), "{path}");
    }
    let (_, _, index) = crate::helpers::http_get(server.addr, "/").await;
    assert!(index.contains("<html"), "{index}");
    assert_eq!(
        crate::helpers::http_get(server.addr, "/nope.js").await.0,
        404
    );
    assert!(
        std::fs::read_dir(&empty).unwrap().next().is_none(),
        "nothing written with --store memory"
    );
}

#[tokio::test]
async fn web_dir_serves_nothing_outside_it_and_no_dotfiles() {
    let dir = tempfile::tempdir().unwrap();
    let web = dir.path().join("web");
    std::fs::create_dir_all(web.join("sub")).unwrap();
    std::fs::write(web.join("index.html"), "<html>dev page</html>").unwrap();
    std::fs::write(web.join("app.js"), "// app").unwrap();
    std::fs::write(web.join(".env"), "SECRET=1").unwrap();
    std::fs::write(web.join("sub/.hidden"), "x").unwrap();
    std::fs::write(
        web.join("config.json"),
        r#"{"ws":"wss://abc.execute-api.eu-west-1.amazonaws.com/prod"}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("outside.txt"), "private").unwrap();
    std::os::unix::fs::symlink(dir.path().join("outside.txt"), web.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(dir.path(), web.join("up")).unwrap();
    std::os::unix::fs::symlink(web.join("app.js"), web.join("alias.js")).unwrap();

    let server = start(
        Path::new(HONYAKU),
        dir.path(),
        &["--web", web.to_str().unwrap()],
    );
    let addr = server.addr;
    let (status, head, body) = crate::helpers::http_get(addr, "/").await;
    assert_eq!((status, body.as_str()), (200, "<html>dev page</html>"));
    assert!(head.contains("referrer-policy: no-referrer"), "{head}");
    assert!(head.contains("x-content-type-options: nosniff"), "{head}");
    // connect-src: the page's own endpoint and config.json's, nothing else.
    let csp = head
        .lines()
        .find_map(|l| l.strip_prefix("content-security-policy: "))
        .expect("a CSP");
    let connect = csp
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("connect-src "))
        .unwrap();
    assert_eq!(
        connect,
        format!(
            "'self' ws://{addr}/local wss://{addr}/local \
             wss://abc.execute-api.eu-west-1.amazonaws.com/prod"
        )
    );
    assert_eq!(crate::helpers::http_get(addr, "/alias.js").await.0, 200);
    for path in [
        "/.env",
        "/sub/.hidden",
        "/%2eenv",
        "/leak.txt",
        "/up/outside.txt",
        "/../outside.txt",
        "/%2e%2e/outside.txt",
        "/sub/..%2f..%2foutside.txt",
    ] {
        let (status, _, body) = crate::helpers::http_get(addr, path).await;
        assert!([400, 404].contains(&status), "{path}: {status}");
        assert!(
            !body.contains("private") && !body.contains("SECRET"),
            "{path}"
        );
    }
}

/// Runs the binary to its end (it must end by itself) and returns
/// (success, stderr).
fn run_to_end(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(HONYAKU);
    cmd.args(args)
        .env_remove("HONYAKU_TOKEN_SECRET")
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    let out = output_within(cmd, Duration::from_secs(20));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn token_secrets_must_be_long_enough_and_tokens_short_lived() {
    let serve = ["serve", "--addr", "127.0.0.1:0", "--store", "memory"];
    let (ok, err) = run_to_end(&[&serve[..], &["--token-secret", "s3cret"]].concat(), &[]);
    assert!(!ok && err.contains("at least 16"), "{err}");
    let (ok, err) = run_to_end(&serve, &[("HONYAKU_TOKEN_SECRET", "")]);
    assert!(!ok && err.contains("at least 16"), "{err}");

    let token = ["token", "--room", "r", "--secret"];
    let (ok, err) = run_to_end(&[&token[..], &["short"]].concat(), &[]);
    assert!(!ok && err.contains("at least 16"), "{err}");
    let long = "0123456789abcdef0123";
    let (ok, err) = run_to_end(&[&token[..], &[long, "--ttl", "721h"]].concat(), &[]);
    assert!(!ok && err.contains("30 days"), "{err}");
    let (ok, err) = run_to_end(&[&token[..], &[long, "--ttl", "720h"]].concat(), &[]);
    assert!(ok, "{err}");
}

/// What `honyaku serve ARGS` prints on stderr from its start to a SIGTERM.
async fn stderr_until_term(args: &[&str]) -> String {
    let mut cmd = serve_command(args);
    cmd.stderr(Stdio::piped());
    let mut server = Running::start(cmd);
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.signal("-TERM");
    assert!(server.wait(Duration::from_secs(10)).await.success());
    server.stderr()
}

#[tokio::test]
async fn listening_beyond_this_machine_prints_a_note() {
    for (extra, says) in [
        (&[][..], "answers only this machine"),
        (
            &["--management-key", "AKID:secret"][..],
            "accepts only calls signed",
        ),
    ] {
        let err = stderr_until_term(&[&["--addr", "0.0.0.0:0"][..], extra].concat()).await;
        assert!(err.contains("without TLS"), "{err}");
        assert!(err.contains(says), "{err}");
        assert!(
            !err.contains("secret"),
            "the key stays out of the log: {err}"
        );
    }
    // Loopback: no note.
    let err = stderr_until_term(&[]).await;
    assert!(!err.contains("without TLS"), "{err}");
}
