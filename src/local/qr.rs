//! `GET /qr.svg?text=…`: the QR code of a link to this server's own page,
//! as SVG (drawn by the `qrcode` crate), for the page's "Invite". Only links
//! to the origin the request came to, so the server is no QR service for
//! anyone else's URLs; the text is short (`limits::QR_MAX_TEXT_BYTES`).

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};
use qrcode::QrCode;
use qrcode::render::svg;

use crate::limits::QR_MAX_TEXT_BYTES;

/// Why no code was drawn; each maps to one HTTP status.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    #[error("give the link to draw as ?text=")]
    Missing,
    #[error("text is {0} bytes; the limit is {QR_MAX_TEXT_BYTES}")]
    TooLong(usize),
    #[error("only links to this server's own page are drawn")]
    OtherOrigin,
    #[error("the link does not fit in a QR code")]
    Encode,
}

impl QrError {
    fn status(&self) -> StatusCode {
        match self {
            Self::OtherOrigin => StatusCode::FORBIDDEN,
            Self::TooLong(_) => StatusCode::URI_TOO_LONG,
            Self::Missing | Self::Encode => StatusCode::BAD_REQUEST,
        }
    }
}

/// The SVG for `text` when it is an http(s) link to `host` (the request's
/// Host header: this server as the browser reached it).
pub fn qr_svg(text: &str, host: Option<&str>) -> Result<String, QrError> {
    if text.is_empty() {
        return Err(QrError::Missing);
    }
    if text.len() > QR_MAX_TEXT_BYTES {
        return Err(QrError::TooLong(text.len()));
    }
    let own = host.is_some_and(|host| {
        ["http://", "https://"].iter().any(|scheme| {
            text.strip_prefix(scheme)
                .and_then(|rest| rest.strip_prefix(host))
                // The authority ends here: not `host.evil.example` nor `host@evil`.
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']))
        })
    });
    if !own {
        return Err(QrError::OtherOrigin);
    }
    let code = QrCode::new(text.as_bytes()).map_err(|_| QrError::Encode)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// GET (or HEAD) `/qr.svg?text=<link>`.
pub async fn route(req: Request) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    let text = req
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .find_map(|pair| pair.strip_prefix("text="))
        .map(super::events::percent_decode)
        .unwrap_or_default();
    match qr_svg(&text, host) {
        Ok(svg) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            svg,
        )
            .into_response(),
        Err(e) => {
            tracing::debug!(error = %e, "qr.svg refused");
            (e.status(), format!("{e}\n")).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "127.0.0.1:8080";

    #[test]
    fn draws_links_to_this_server_only() {
        let svg = qr_svg("http://127.0.0.1:8080/?room=lobby", Some(HOST)).unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("<svg"), "{svg}");
        assert!(qr_svg("https://127.0.0.1:8080/", Some(HOST)).is_ok());
        for other in [
            "http://evil.example/?room=lobby",
            "http://127.0.0.1:8080.evil.example/",
            "http://127.0.0.1:8080@evil.example/",
            "http://127.0.0.1:80801/",
            "javascript:alert(1)//127.0.0.1:8080/",
            "hello",
        ] {
            assert_eq!(
                qr_svg(other, Some(HOST)),
                Err(QrError::OtherOrigin),
                "{other}"
            );
        }
        assert_eq!(
            qr_svg("http://127.0.0.1:8080/", None),
            Err(QrError::OtherOrigin)
        );
    }

    #[test]
    fn refuses_empty_and_long_text() {
        assert_eq!(qr_svg("", Some(HOST)), Err(QrError::Missing));
        let long = format!("http://{HOST}/?room={}", "a".repeat(QR_MAX_TEXT_BYTES));
        assert_eq!(qr_svg(&long, Some(HOST)), Err(QrError::TooLong(long.len())));
        assert_eq!(QrError::TooLong(1).status(), StatusCode::URI_TOO_LONG);
        assert_eq!(QrError::OtherOrigin.status(), StatusCode::FORBIDDEN);
    }
}
