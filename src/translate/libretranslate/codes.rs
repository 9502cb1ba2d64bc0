//! LibreTranslate's language codes against the protocol's, in one table,
//! and the pairs a server lists (`GET /languages`: `targets` per source).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Deserialize;

use crate::model::Lang;

/// Their code → the protocol languages it serves, the one it *is* first
/// (a regional target such as `es-MX` is served by its base language).
/// Codes not listed here are the protocol's own (`ja`, `de`, `ko`, …).
const TABLE: &[(&str, &[&str])] = &[
    ("zh", &["zh"]),
    ("zh-Hans", &["zh"]),
    ("zt", &["zh-TW"]),
    ("zh-Hant", &["zh-TW"]),
    ("zh-TW", &["zh-TW"]),
    ("pt-BR", &["pt"]),
    // Plain Portuguese is European; it serves `pt` too when the server
    // has no `pt-BR`.
    ("pt", &["pt-PT", "pt"]),
    ("nb", &["no"]),
    ("es", &["es", "es-MX"]),
    ("fr", &["fr", "fr-CA"]),
    ("fa", &["fa", "fa-AF"]),
];

/// The protocol languages one of their codes serves, the one it is first.
pub fn ours(theirs: &str) -> Vec<Lang> {
    match TABLE.iter().find(|(code, _)| *code == theirs) {
        Some((_, langs)) => langs.iter().filter_map(|l| Lang::parse(l).ok()).collect(),
        None if !theirs.contains('-') => Lang::parse(theirs).into_iter().collect(),
        None => Vec::new(),
    }
}

/// One entry of `GET /languages`.
#[derive(Debug, Clone, Deserialize)]
pub struct Listed {
    /// Their language code.
    pub code: String,
    /// Older servers leave it out: then every listed code is a target.
    #[serde(default)]
    pub targets: Option<Vec<String>>,
}

/// What a server translates, in our codes, and which of its codes to send.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Languages {
    /// Sources, each with the targets it reaches.
    pub pairs: BTreeMap<Lang, BTreeSet<Lang>>,
    codes: HashMap<Lang, (String, bool)>,
}

impl Languages {
    /// From a `GET /languages` answer.
    pub fn from_listing(listing: &[Listed]) -> Self {
        let mut codes: HashMap<Lang, (String, bool)> = HashMap::new();
        for entry in listing {
            for (i, lang) in ours(&entry.code).into_iter().enumerate() {
                let primary = i == 0;
                // A code that *is* the language beats one that serves it.
                if codes.get(&lang).is_none_or(|(_, p)| primary && !p) {
                    codes.insert(lang, (entry.code.clone(), primary));
                }
            }
        }
        let all: Vec<&str> = listing.iter().map(|e| e.code.as_str()).collect();
        let mut pairs: BTreeMap<Lang, BTreeSet<Lang>> = BTreeMap::new();
        let codes_ref = &codes;
        for entry in listing {
            let targets: Vec<&str> = match &entry.targets {
                Some(t) => t.iter().map(String::as_str).collect(),
                None => all.clone(),
            };
            for from in ours(&entry.code) {
                // Only the code chosen for a language speaks for it.
                if codes.get(&from).is_none_or(|(c, _)| *c != entry.code) {
                    continue;
                }
                for to in targets.iter().flat_map(|t| {
                    ours(t)
                        .into_iter()
                        .filter(move |l| codes_ref.get(l).is_some_and(|(c, _)| c == t))
                }) {
                    if to != from && !same_base(from, to) {
                        pairs.entry(from).or_default().insert(to);
                    }
                }
            }
        }
        Self { pairs, codes }
    }

    /// Their code for `lang`, when the server has it.
    pub fn code(&self, lang: Lang) -> Option<&str> {
        self.codes.get(&lang).map(|(c, _)| c.as_str())
    }

    /// Whether the server translates `from` to `to` directly.
    pub fn has(&self, from: Lang, to: Lang) -> bool {
        self.pairs.get(&from).is_some_and(|t| t.contains(&to))
    }

    /// How many directed pairs.
    pub fn count(&self) -> usize {
        self.pairs.values().map(BTreeSet::len).sum()
    }
}

/// `es` and `es-MX` are one language to an engine that has only `es`.
fn same_base(a: Lang, b: Lang) -> bool {
    let base = |l: Lang| l.as_str().split('-').next().unwrap_or_default().to_owned();
    base(a) == base(b) && !matches!((a.as_str(), b.as_str()), ("zh", "zh-TW") | ("zh-TW", "zh"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(s: &str) -> Lang {
        Lang::parse(s).unwrap()
    }

    fn listed(code: &str, targets: &[&str]) -> Listed {
        Listed {
            code: code.into(),
            targets: Some(targets.iter().map(|t| (*t).to_owned()).collect()),
        }
    }

    #[test]
    fn codes_map_both_ways() {
        assert_eq!(ours("zt"), [l("zh-TW")]);
        assert_eq!(ours("zh-Hans"), [l("zh")]);
        assert_eq!(ours("pt-BR"), [l("pt")]);
        assert_eq!(ours("pt"), [l("pt-PT"), l("pt")]);
        assert_eq!(ours("nb"), [l("no")]);
        assert_eq!(ours("ja"), [l("ja")]);
        assert_eq!(ours("es"), [l("es"), l("es-MX")]);
        assert!(ours("eo").is_empty(), "Esperanto is no protocol language");
        assert!(ours("xx-YY").is_empty());
    }

    #[test]
    fn a_listing_gives_pairs_and_the_codes_to_send() {
        let langs = Languages::from_listing(&[
            listed("en", &["ja", "zt", "pt", "pt-BR", "es", "eo"]),
            listed("ja", &["en"]),
            listed("zt", &["en"]),
            listed("pt", &["en"]),
            listed("pt-BR", &["en"]),
            listed("es", &["en"]),
            listed("eo", &["en"]),
        ]);
        assert_eq!(langs.code(l("zh-TW")), Some("zt"));
        assert_eq!(langs.code(l("pt")), Some("pt-BR"));
        assert_eq!(langs.code(l("pt-PT")), Some("pt"));
        assert_eq!(langs.code(l("es-MX")), Some("es"));
        assert_eq!(langs.code(l("de")), None);
        let en: Vec<&str> = langs.pairs[&l("en")].iter().map(|l| l.as_str()).collect();
        assert_eq!(en, ["es", "es-MX", "ja", "pt", "pt-PT", "zh-TW"]);
        assert!(langs.has(l("ja"), l("en")));
        assert!(!langs.has(l("ja"), l("es")));
        assert!(langs.has(l("es-MX"), l("en")));
    }

    #[test]
    fn a_listing_without_targets_means_all() {
        let langs = Languages::from_listing(&[
            Listed {
                code: "en".into(),
                targets: None,
            },
            Listed {
                code: "de".into(),
                targets: None,
            },
        ]);
        assert!(langs.has(l("en"), l("de")) && langs.has(l("de"), l("en")));
        assert_eq!(langs.count(), 2);
    }
}
