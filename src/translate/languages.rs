//! Amazon Translate's language codes (the protocol's) against the names
//! other tools use: ISO 639-3 (whatlang, newer Apertium pairs) and the
//! two-letter names of older Apertium pairs.

use crate::model::Lang;

/// `(protocol code, ISO 639-3, older Apertium name)`.
const TABLE: &[(&str, &str, &str)] = &[
    ("af", "afr", "af"),
    ("sq", "sqi", "sq"),
    ("am", "amh", "am"),
    ("ar", "ara", "ar"),
    ("hy", "hye", "hy"),
    ("az", "aze", "az"),
    ("bn", "ben", "bn"),
    ("bs", "bos", "bs"),
    ("bg", "bul", "bg"),
    ("ca", "cat", "ca"),
    ("zh", "cmn", "zh"),
    ("hr", "hrv", "hr"),
    ("cs", "ces", "cs"),
    ("da", "dan", "da"),
    ("nl", "nld", "nl"),
    ("en", "eng", "en"),
    ("et", "est", "et"),
    ("fa", "pes", "fa"),
    ("tl", "tgl", "tl"),
    ("fi", "fin", "fi"),
    ("fr", "fra", "fr"),
    ("ka", "kat", "ka"),
    ("de", "deu", "de"),
    ("el", "ell", "el"),
    ("gu", "guj", "gu"),
    ("ht", "hat", "ht"),
    ("ha", "hau", "ha"),
    ("he", "heb", "he"),
    ("hi", "hin", "hi"),
    ("hu", "hun", "hu"),
    ("is", "isl", "is"),
    ("id", "ind", "id"),
    ("ga", "gle", "ga"),
    ("it", "ita", "it"),
    ("ja", "jpn", "ja"),
    ("kn", "kan", "kn"),
    ("kk", "kaz", "kk"),
    ("ko", "kor", "ko"),
    ("lv", "lav", "lv"),
    ("lt", "lit", "lt"),
    ("mk", "mkd", "mk"),
    ("ms", "msa", "ms"),
    ("ml", "mal", "ml"),
    ("mt", "mlt", "mt"),
    ("mr", "mar", "mr"),
    ("mn", "mon", "mn"),
    ("no", "nob", "no"),
    ("ps", "pus", "ps"),
    ("pl", "pol", "pl"),
    ("pt", "por", "pt"),
    ("pa", "pan", "pa"),
    ("ro", "ron", "ro"),
    ("ru", "rus", "ru"),
    ("sr", "srp", "sr"),
    ("si", "sin", "si"),
    ("sk", "slk", "sk"),
    ("sl", "slv", "sl"),
    ("so", "som", "so"),
    ("es", "spa", "es"),
    ("sw", "swh", "sw"),
    ("sv", "swe", "sv"),
    ("ta", "tam", "ta"),
    ("te", "tel", "te"),
    ("th", "tha", "th"),
    ("tr", "tur", "tr"),
    ("uk", "ukr", "uk"),
    ("ur", "urd", "ur"),
    ("uz", "uzb", "uz"),
    ("vi", "vie", "vi"),
    ("cy", "cym", "cy"),
];

/// Regional codes that read and write as their base language, with the
/// Apertium variant that fits them best (`pt` is Brazilian Portuguese on
/// Amazon, `pt-PT` European).
const REGIONAL: &[(&str, &str, Option<&str>)] = &[
    ("pt", "pt", Some("BR")),
    ("pt-PT", "pt", None),
    ("es-MX", "es", None),
    ("fr-CA", "fr", None),
    ("fa-AF", "fa", None),
];

/// The protocol language for an ISO 639-3 or two-letter name.
pub fn from_iso(name: &str) -> Option<Lang> {
    TABLE
        .iter()
        .find(|(_, iso3, short)| *iso3 == name || *short == name)
        .and_then(|(code, _, _)| Lang::parse(code).ok())
}

/// The names a language goes by in Apertium pair names.
pub fn apertium_names(lang: Lang) -> (&'static str, &'static str) {
    let base = REGIONAL
        .iter()
        .find(|(code, _, _)| *code == lang.as_str())
        .map_or(lang.as_str(), |(_, base, _)| base);
    TABLE
        .iter()
        .find(|(code, _, _)| *code == base)
        .map_or(("", ""), |(_, iso3, short)| (iso3, short))
}

/// The Apertium output variant that fits `lang` as a target, if any.
pub fn preferred_variant(lang: Lang) -> Option<&'static str> {
    REGIONAL
        .iter()
        .find(|(code, _, _)| *code == lang.as_str())
        .and_then(|(_, _, variant)| *variant)
}

/// Every protocol language an Apertium language name (with an optional
/// output variant) can serve as a target.
pub fn targets_for(name: &str, variant: Option<&str>) -> Vec<Lang> {
    let Some(base) = from_iso(name) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if preferred_variant(base) == variant || variant.is_none() {
        out.push(base);
    }
    for (code, b, v) in REGIONAL {
        if *b == base.as_str() && *code != base.as_str() && (*v == variant || variant.is_none()) {
            out.extend(Lang::parse(code));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(s: &str) -> Lang {
        Lang::parse(s).unwrap()
    }

    #[test]
    fn names_both_ways() {
        assert_eq!(from_iso("spa"), Some(l("es")));
        assert_eq!(from_iso("es"), Some(l("es")));
        assert_eq!(from_iso("klingon"), None);
        assert_eq!(apertium_names(l("pt-PT")), ("por", "pt"));
        assert_eq!(apertium_names(l("es-MX")), ("spa", "es"));
    }

    #[test]
    fn variants_pick_regional_targets() {
        assert_eq!(targets_for("pt", Some("BR")), vec![l("pt")]);
        // Without a BR variant installed, plain Portuguese serves both.
        assert_eq!(targets_for("pt", None), vec![l("pt"), l("pt-PT")]);
        assert!(targets_for("cat", Some("valencia")).is_empty());
        assert_eq!(targets_for("spa", None), vec![l("es"), l("es-MX")]);
    }

    #[test]
    fn every_protocol_language_has_names() {
        for lang in Lang::all() {
            let code = lang.as_str();
            if code == "zh-TW" {
                continue;
            }
            let (iso3, _) = apertium_names(lang);
            assert!(!iso3.is_empty(), "{code}");
        }
    }
}
