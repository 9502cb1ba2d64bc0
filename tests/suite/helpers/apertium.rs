//! Finding the real Apertium for tests: missing in CI is a failure, missing
//! on a laptop is a loud skip.

use std::path::Path;

use honyaku::translate::apertium::{Apertium, DEFAULT_MODES_DIR};

/// The pairs the Apertium tests rely on (Debian packages in scripts/setup).
pub const NEEDED: &[(&str, &str)] = &[
    ("en", "es"),
    ("es", "en"),
    ("es", "pt"),
    ("fr", "es"),
    ("es", "ca"),
    ("es", "it"),
];

pub fn apertium() -> Option<Apertium> {
    let modes = Path::new(DEFAULT_MODES_DIR);
    let found = Apertium::installed(modes)
        .then(|| Apertium::discover(modes).ok())
        .flatten();
    let missing: Vec<String> = match &found {
        Some(engine) => NEEDED
            .iter()
            .filter(|(a, b)| {
                let (a, b) = (
                    honyaku::model::Lang::parse(a).unwrap(),
                    honyaku::model::Lang::parse(b).unwrap(),
                );
                !engine.pairs().contains(&(a, b))
            })
            .map(|(a, b)| format!("{a}-{b}"))
            .collect(),
        None => vec!["apertium itself".into()],
    };
    if missing.is_empty() {
        return found;
    }
    let why = format!(
        "Apertium is missing ({}); run scripts/setup to install it",
        missing.join(", ")
    );
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{why}");
    }
    eprintln!("SKIP: {why}");
    None
}
