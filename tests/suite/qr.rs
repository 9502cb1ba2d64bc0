//! `GET /qr.svg`: the invite's QR code, drawn only for links to this
//! server's own page, and only for short text.

use crate::helpers::{config, http_get, spawn};
use honyaku::limits::QR_MAX_TEXT_BYTES;

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn draws_this_servers_links_and_refuses_other_origins_and_long_text() {
    let server = spawn(config()).await;
    let own = format!("http://{}/?room=lobby", server.addr);
    let (status, head, body) =
        http_get(server.addr, &format!("/qr.svg?text={}", encode(&own))).await;
    assert_eq!(status, 200, "{body}");
    assert!(head.contains("image/svg+xml"), "{head}");
    assert!(body.contains("<svg"), "{body}");

    for other in [
        "http://evil.example/?room=lobby".to_owned(),
        format!("http://{}.evil.example/", server.addr.ip()),
        format!("http://localhost:{}/", server.addr.port()),
    ] {
        let (status, _, body) =
            http_get(server.addr, &format!("/qr.svg?text={}", encode(&other))).await;
        assert_eq!(status, 403, "{other}: {body}");
        assert!(body.contains("only links to this server"), "{body}");
    }

    let long = format!("{own}&x={}", "a".repeat(QR_MAX_TEXT_BYTES));
    let (status, _, body) = http_get(server.addr, &format!("/qr.svg?text={}", encode(&long))).await;
    assert_eq!(status, 414, "{body}");
    assert!(
        body.contains(&format!("the limit is {QR_MAX_TEXT_BYTES}")),
        "{body}"
    );

    let (status, _, body) = http_get(server.addr, "/qr.svg").await;
    assert_eq!(status, 400, "{body}");
    server.stop().await;
}
