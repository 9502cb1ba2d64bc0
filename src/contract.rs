//! The one list of languages and limits that the page and the server
//! share: `web/contract.json`, compiled in. The page fetches the same file,
//! so neither side can drift from the other.

use std::sync::LazyLock;

use serde::Deserialize;

const CONTRACT_JSON: &str = include_str!("../web/contract.json");

#[derive(Deserialize)]
struct Contract {
    languages: Vec<LanguageEntry>,
    rtl: Vec<String>,
}

#[derive(Deserialize)]
struct LanguageEntry {
    code: String,
    name: String,
}

/// One language: its code and its name written in itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Language {
    /// The code (`en`, `zh-TW`).
    pub code: &'static str,
    /// The language's own name for itself (`English`, `日本語`).
    pub name: &'static str,
    /// Whether it is written right to left.
    pub rtl: bool,
}

/// Every language of the protocol, in docs/PROTOCOL.md order. Parsed once; the
/// strings live for the whole process, which is what `Lang` needs.
pub static LANGUAGES: LazyLock<Vec<Language>> = LazyLock::new(|| {
    let contract: Contract =
        serde_json::from_str(CONTRACT_JSON).expect("web/contract.json is valid (unit-tested)");
    contract
        .languages
        .into_iter()
        .map(|l| {
            let rtl = contract.rtl.contains(&l.code);
            Language {
                code: l.code.leak(),
                name: l.name.leak(),
                rtl,
            }
        })
        .collect()
});

/// The language with this exact code.
pub fn language(code: &str) -> Option<&'static Language> {
    LANGUAGES.iter().find(|l| l.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_parses_and_holds_the_protocol_languages() {
        assert_eq!(LANGUAGES.len(), 75);
        assert_eq!(language("ja").unwrap().name, "日本語");
        assert!(language("ar").unwrap().rtl);
        assert!(!language("en").unwrap().rtl);
        assert!(language("zh-tw").is_none());
    }
}
