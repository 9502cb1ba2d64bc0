//! AWS Signature Version 4, verified the way API Gateway verifies calls to
//! its management API: the canonical request rebuilt from what arrived
//! (method, the path encoded once more as AWS does for every service but
//! S3, the sorted query, the signed headers, the body's SHA-256), the
//! string to sign for the credential's scope, and an HMAC chain from the
//! secret. Only the `Authorization` header form is accepted.
//!
//! Why not `aws-sigv4`, the crate the SDKs sign with: it is a signer. It
//! could reproduce a client's signature if fed exactly the headers the
//! client named in `SignedHeaders` (with its own exclusion list emptied),
//! but it would bring the smithy runtime crates (`aws-smithy-runtime-api`,
//! `aws-smithy-types`, `aws-smithy-http`, `aws-credential-types`) into the
//! default `local` build that every user of `honyaku serve` compiles, for
//! the hundred lines of canonicalization below. What keeps this file true
//! to AWS is the tests: requests signed by the real SDK (right, wrong and
//! unknown keys, a stale date; `tests/suite/management_access.rs`) must
//! verify here, and the unit tests below check AWS's documented example.

use chrono::{DateTime, NaiveDateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use http::HeaderMap;
use http::request::Parts;
use sha2::{Digest, Sha256};

use crate::config::ManagementKey;

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// API Gateway refuses a request signed more than this far from its clock.
const MAX_SKEW_SECONDS: i64 = 15 * 60;

/// Why a request is not signed by the key. Each is one of API Gateway's
/// `x-amzn-ErrorType`s (see [`SigV4Error::error_type`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigV4Error {
    #[error("Missing Authentication Token")]
    Missing,
    #[error("The security token included in the request is invalid.")]
    UnknownKey,
    #[error(
        "Signature expired: the request's x-amz-date is more than 15 minutes from the server's time."
    )]
    Expired,
    #[error("The request signature we calculated does not match the signature you provided. ({0})")]
    Invalid(&'static str),
}

impl SigV4Error {
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::Missing => "MissingAuthenticationTokenException",
            Self::UnknownKey => "UnrecognizedClientException",
            Self::Expired | Self::Invalid(_) => "InvalidSignatureException",
        }
    }
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header.
struct Authorization<'a> {
    key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: Vec<u8>,
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, SigV4Error> {
    let rest = value
        .strip_prefix(ALGORITHM)
        .filter(|r| r.starts_with(' '))
        .ok_or(SigV4Error::Missing)?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        match part.trim().split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => return Err(SigV4Error::Invalid("malformed Authorization header")),
        }
    }
    let malformed = || SigV4Error::Invalid("malformed Authorization header");
    let (Some(credential), Some(signed), Some(signature)) = (credential, signed, signature) else {
        return Err(malformed());
    };
    let mut scope = credential.split('/');
    let (Some(key_id), Some(date), Some(region), Some(service), Some("aws4_request"), None) = (
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
    ) else {
        return Err(malformed());
    };
    if key_id.is_empty() || region.is_empty() || date.len() != 8 {
        return Err(malformed());
    }
    Ok(Authorization {
        key_id,
        date,
        region,
        service,
        signed_headers: signed.split(';').collect(),
        signature: hex_decode(signature).ok_or_else(malformed)?,
    })
}

/// Checks that `parts` and `body` carry a valid signature by `key` for
/// `service`, made within 15 minutes of `now`.
pub fn verify(
    key: &ManagementKey,
    service: &str,
    parts: &Parts,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), SigV4Error> {
    let header = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .ok_or(SigV4Error::Missing)?
        .to_str()
        .map_err(|_| SigV4Error::Invalid("unreadable Authorization header"))?;
    let auth = parse_authorization(header)?;
    if auth.key_id != key.id {
        return Err(SigV4Error::UnknownKey);
    }
    if auth.service != service {
        return Err(SigV4Error::Invalid(
            "the credential scope names another service",
        ));
    }
    let amz_date = header_str(&parts.headers, "x-amz-date")
        .ok_or(SigV4Error::Invalid("no x-amz-date header"))?;
    let signed_at = NaiveDateTime::parse_from_str(amz_date, "%Y%m%dT%H%M%SZ")
        .map_err(|_| SigV4Error::Invalid("malformed x-amz-date"))?
        .and_utc();
    if (now - signed_at).num_seconds().abs() > MAX_SKEW_SECONDS {
        return Err(SigV4Error::Expired);
    }
    if !amz_date.starts_with(auth.date) {
        return Err(SigV4Error::Invalid("the credential scope has another date"));
    }
    for required in ["host", "x-amz-date"] {
        if !auth.signed_headers.contains(&required) {
            return Err(SigV4Error::Invalid("host and x-amz-date must be signed"));
        }
    }
    let payload_hash = hex(&Sha256::digest(body));
    if let Some(claimed) = header_str(&parts.headers, "x-amz-content-sha256")
        && claimed != payload_hash
    {
        return Err(SigV4Error::Invalid(
            "x-amz-content-sha256 does not match the body",
        ));
    }
    let canonical = canonical_request(parts, &auth.signed_headers, &payload_hash)?;
    let scope = format!(
        "{}/{}/{}/aws4_request",
        auth.date, auth.region, auth.service
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let k_date = hmac(
        format!("AWS4{}", key.secret).as_bytes(),
        auth.date.as_bytes(),
    );
    let k_region = hmac(&k_date, auth.region.as_bytes());
    let k_service = hmac(&k_region, auth.service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    let mut mac = Hmac::<Sha256>::new_from_slice(&k_signing).expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    // Constant-time comparison.
    mac.verify_slice(&auth.signature)
        .map_err(|_| SigV4Error::Invalid("signature mismatch"))
}

fn canonical_request(
    parts: &Parts,
    signed_headers: &[&str],
    payload_hash: &str,
) -> Result<String, SigV4Error> {
    let mut out = format!(
        "{}\n{}\n{}\n",
        parts.method,
        canonical_uri(parts.uri.path()),
        canonical_query(parts.uri.query().unwrap_or(""))
    );
    for name in signed_headers {
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(SigV4Error::Invalid("malformed SignedHeaders"));
        }
        let values: Vec<String> = parts
            .headers
            .get_all(*name)
            .iter()
            .map(|v| v.to_str().map(trim_all))
            .collect::<Result<_, _>>()
            .map_err(|_| SigV4Error::Invalid("unreadable signed header"))?;
        if values.is_empty() {
            return Err(SigV4Error::Invalid("a signed header is missing"));
        }
        out.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    out.push_str(&format!("\n{}\n{payload_hash}", signed_headers.join(";")));
    Ok(out)
}

/// The path as it arrived, dot segments and empty segments removed, then
/// URI-encoded again: `%3D` in a connection id becomes `%253D`, exactly
/// what the SDKs sign for `execute-api`.
fn canonical_uri(path: &str) -> String {
    let normalized = if path.contains('.') || path.contains("//") {
        let mut segments: Vec<&str> = Vec::new();
        for segment in path.split('/') {
            match segment {
                "" | "." => {}
                ".." => {
                    segments.pop();
                }
                s => segments.push(s),
            }
        }
        let trailing = path.ends_with('/') && !segments.is_empty();
        format!("/{}{}", segments.join("/"), if trailing { "/" } else { "" })
    } else if path.is_empty() {
        "/".to_owned()
    } else {
        path.to_owned()
    };
    encode(&normalized, true)
}

/// Query parameters decoded, encoded the one canonical way, sorted.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (
                encode(&super::events::percent_decode(k), false),
                encode(&super::events::percent_decode(v), false),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes all but the unreserved characters (and `/` in paths).
fn encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Trims a header value and squeezes runs of spaces to one.
fn trim_all(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for word in v.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ManagementKey {
        ManagementKey {
            id: "AKIDEXAMPLE".into(),
            secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%SZ")
            .unwrap()
            .and_utc()
    }

    /// AWS's published test suite, case `get-vanilla`.
    fn vanilla(signature: &str) -> Parts {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature={signature}"
        );
        http::Request::get("/")
            .header("host", "example.amazonaws.com")
            .header("x-amz-date", "20150830T123600Z")
            .header("authorization", auth)
            .body(())
            .unwrap()
            .into_parts()
            .0
    }

    const VANILLA: &str = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

    #[test]
    fn the_aws_test_vector_verifies() {
        let now = at("20150830T123600Z");
        assert_eq!(
            verify(&key(), "service", &vanilla(VANILLA), b"", now),
            Ok(())
        );
        let wrong = VANILLA.replace('5', "6");
        assert!(matches!(
            verify(&key(), "service", &vanilla(&wrong), b"", now),
            Err(SigV4Error::Invalid(_))
        ));
        // Another service, another key, another time, another body.
        assert!(verify(&key(), "execute-api", &vanilla(VANILLA), b"", now).is_err());
        let other = ManagementKey {
            id: "OTHER".into(),
            ..key()
        };
        assert_eq!(
            verify(&other, "service", &vanilla(VANILLA), b"", now),
            Err(SigV4Error::UnknownKey)
        );
        let late = at("20150830T125200Z");
        assert_eq!(
            verify(&key(), "service", &vanilla(VANILLA), b"", late),
            Err(SigV4Error::Expired)
        );
        assert!(verify(&key(), "service", &vanilla(VANILLA), b"x", now).is_err());
    }

    #[test]
    fn unsigned_and_malformed_requests() {
        let now = at("20150830T123600Z");
        let bare = http::Request::get("/").body(()).unwrap().into_parts().0;
        assert_eq!(
            verify(&key(), "service", &bare, b"", now),
            Err(SigV4Error::Missing)
        );
        for junk in [
            "Bearer abc",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE",
            "AWS4-HMAC-SHA256 Credential=a/b/c, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=zz",
        ] {
            let parts = http::Request::get("/")
                .header("authorization", junk)
                .body(())
                .unwrap()
                .into_parts()
                .0;
            assert!(
                verify(&key(), "service", &parts, b"", now).is_err(),
                "{junk}"
            );
        }
    }

    #[test]
    fn canonical_forms() {
        // The SDK sends `=` in a connection id as %3D and signs %253D.
        assert_eq!(
            canonical_uri("/local/@connections/abc%3D"),
            "/local/%40connections/abc%253D"
        );
        assert_eq!(canonical_uri("/a/./b/../c//d"), "/a/c/d");
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_query("b=2&a=1&a=0&c"), "a=0&a=1&b=2&c=");
        assert_eq!(canonical_query("x=a+b&y=%7e"), "x=a%20b&y=~");
        assert_eq!(trim_all("  a   b  "), "a b");
    }
}
