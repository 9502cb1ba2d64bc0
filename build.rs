//! Turns the `limits` of `web/contract.json` (the file the page reads too)
//! into Rust constants, so each limit is written in exactly one place.
//! `maxTextBytes: 10000` becomes `pub const MAX_TEXT_BYTES: usize = 10000;`.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let path = "web/contract.json";
    println!("cargo::rerun-if-changed={path}");
    // The page is built into the binary (src/local/web.rs): any change
    // under web/, a new file included, rebuilds it.
    println!("cargo::rerun-if-changed=web");
    let json = std::fs::read_to_string(path).expect("web/contract.json is readable");
    let start = json
        .find("\"limits\"")
        .and_then(|i| json[i..].find('{').map(|j| i + j + 1))
        .expect("web/contract.json has a \"limits\" object");
    let end = start + json[start..].find('}').expect("the limits object ends");
    let mut out = String::new();
    for entry in json[start..end].split(',') {
        let Some((key, value)) = entry.split_once(':') else {
            continue;
        };
        let key = key.trim().trim_matches('"');
        let value: u64 = value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("limits.{key} is a whole number"));
        let mut name = String::new();
        for c in key.chars() {
            if c.is_ascii_uppercase() {
                name.push('_');
            }
            name.push(c.to_ascii_uppercase());
        }
        writeln!(out, "/// `limits.{key}` of web/contract.json.").unwrap();
        writeln!(out, "pub const {name}: usize = {value};").unwrap();
    }
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("contract_limits.rs");
    std::fs::write(dest, out).unwrap();

    lambda_link_args();
}

/// `honyaku-lambda` on Linux/glibc (what Lambda runs) is linked at a fixed
/// address (`-no-pie`): a position-independent build of it carries about
/// 40,000 relative relocations that the loader applies, dirtying some 150
/// pages, at every cold start; without them the start is a hello-world's
/// (BENCHMARKS.md, "Lambda start"). Only that binary: the link argument
/// is for it alone.
fn lambda_link_args() {
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    if std::env::var_os("CARGO_FEATURE_AWS").is_some()
        && var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
    {
        println!("cargo::rustc-link-arg-bin=honyaku-lambda=-no-pie");
    }
}
