//! Just enough HTTP/1.1 for the stand-ins a Lambda binary is pointed at
//! (the Runtime API, the Management API, a DynamoDB that answers `{}`):
//! read one request off a kept-alive connection, write one response.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One request: its head (request line and headers) and its body.
#[derive(Debug, Clone)]
pub struct Request {
    /// The request line and headers, CRLF-separated, as sent.
    pub head: String,
    /// The body (`content-length` bytes).
    pub body: Vec<u8>,
}

impl Request {
    /// The method and the path of the request line.
    pub fn line(&self) -> (&str, &str) {
        let mut parts = self.head.split_whitespace();
        (parts.next().unwrap_or(""), parts.next().unwrap_or(""))
    }
}

/// Reads one HTTP/1.1 request (head and `content-length` body); `None`
/// when the connection closed.
pub async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while buf.len() < end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    Some(Request {
        head,
        body: buf[end..end + length].to_vec(),
    })
}

/// Writes one response: the status line, `headers`, a `content-length`
/// and `body`. `false` when the connection is gone.
pub async fn respond(
    stream: &mut TcpStream,
    status: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> bool {
    let mut out = format!("HTTP/1.1 {status}\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    stream.write_all(&bytes).await.is_ok()
}
