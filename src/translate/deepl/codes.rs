//! DeepL's language codes against the protocol's, in one table: source
//! languages are plain (`EN`, `PT`, `ZH`), targets come in variants
//! (`EN-US`/`EN-GB`, `PT-BR`/`PT-PT`, `ZH-HANS`/`ZH-HANT`, `ES-419`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::Lang;

/// `(ours, their source code, their target codes in order of preference)`
/// where they differ from our code in capitals.
const TABLE: &[(&str, &str, &[&str])] = &[
    ("en", "EN", &["EN-US", "EN-GB", "EN"]),
    ("pt", "PT", &["PT-BR", "PT"]),
    ("pt-PT", "PT", &["PT-PT", "PT"]),
    ("zh", "ZH", &["ZH-HANS", "ZH"]),
    ("zh-TW", "ZH", &["ZH-HANT"]),
    ("es-MX", "ES", &["ES-419", "ES"]),
    ("fr-CA", "FR", &["FR"]),
    ("fa-AF", "FA", &["FA"]),
    ("no", "NB", &["NB"]),
];

/// Their source code for `lang`.
pub fn source_code(lang: Lang) -> String {
    TABLE
        .iter()
        .find(|(ours, _, _)| *ours == lang.as_str())
        .map_or_else(
            || lang.as_str().to_ascii_uppercase(),
            |(_, s, _)| (*s).to_owned(),
        )
}

/// Their target codes for `lang`, best first.
pub fn target_codes(lang: Lang) -> Vec<String> {
    TABLE
        .iter()
        .find(|(ours, _, _)| *ours == lang.as_str())
        .map_or_else(
            || vec![lang.as_str().to_ascii_uppercase()],
            |(_, _, t)| t.iter().map(|c| (*c).to_owned()).collect(),
        )
}

/// What an account translates, from `GET /v2/languages?type=source` and
/// `?type=target`, in our codes, and the target code to send for each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Languages {
    /// Sources, each with the targets it reaches.
    pub pairs: BTreeMap<Lang, BTreeSet<Lang>>,
    targets: HashMap<Lang, String>,
}

impl Languages {
    /// From the codes the two lists give.
    pub fn from_lists(sources: &[String], targets: &[String]) -> Self {
        let upper = |v: &[String]| -> BTreeSet<String> {
            v.iter().map(|c| c.to_ascii_uppercase()).collect()
        };
        let (sources, listed) = (upper(sources), upper(targets));
        let mut chosen = HashMap::new();
        for lang in Lang::all() {
            if let Some(code) = target_codes(lang).into_iter().find(|c| listed.contains(c)) {
                chosen.insert(lang, code);
            }
        }
        let mut pairs: BTreeMap<Lang, BTreeSet<Lang>> = BTreeMap::new();
        for from in Lang::all().filter(|l| sources.contains(&source_code(*l))) {
            let src = source_code(from);
            for (to, code) in &chosen {
                // DeepL refuses a target in the source's own language.
                if code.split('-').next() != Some(src.as_str()) {
                    pairs.entry(from).or_default().insert(*to);
                }
            }
        }
        Self {
            pairs,
            targets: chosen,
        }
    }

    /// Their target code for `lang`, when the account has it.
    pub fn target(&self, lang: Lang) -> Option<&str> {
        self.targets.get(&lang).map(String::as_str)
    }

    /// Whether DeepL translates `from` to `to`.
    pub fn has(&self, from: Lang, to: Lang) -> bool {
        self.pairs.get(&from).is_some_and(|t| t.contains(&to))
    }

    /// How many directed pairs.
    pub fn count(&self) -> usize {
        self.pairs.values().map(BTreeSet::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(s: &str) -> Lang {
        Lang::parse(s).unwrap()
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn codes_and_variants() {
        assert_eq!(source_code(l("pt-PT")), "PT");
        assert_eq!(source_code(l("zh-TW")), "ZH");
        assert_eq!(source_code(l("ja")), "JA");
        assert_eq!(source_code(l("no")), "NB");
        let langs = Languages::from_lists(
            &strings(&["EN", "JA", "PT", "ZH", "ES", "DE"]),
            &strings(&[
                "EN-GB", "EN-US", "JA", "PT-BR", "PT-PT", "ZH-HANS", "ZH-HANT", "ES", "DE",
            ]),
        );
        assert_eq!(langs.target(l("en")), Some("EN-US"));
        assert_eq!(langs.target(l("pt")), Some("PT-BR"));
        assert_eq!(langs.target(l("pt-PT")), Some("PT-PT"));
        assert_eq!(langs.target(l("zh")), Some("ZH-HANS"));
        assert_eq!(langs.target(l("zh-TW")), Some("ZH-HANT"));
        assert_eq!(langs.target(l("es-MX")), Some("ES"));
        assert_eq!(langs.target(l("ca")), None);
        assert!(langs.has(l("ja"), l("zh-TW")));
        assert!(langs.has(l("pt-PT"), l("en")), "sources are plain");
        assert!(!langs.has(l("en"), l("ca")));
        assert!(
            !langs.has(l("zh"), l("zh-TW")),
            "no target in its own language"
        );
        assert!(!langs.has(l("es"), l("es-MX")));
    }
}
