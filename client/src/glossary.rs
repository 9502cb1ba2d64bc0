//! `/glossary add` and `/glossary remove`: a change to the room glossary,
//! applied to the list the server last sent. The protocol only replaces the
//! whole list (`glossary_set` with the version it replaces), so a change is
//! made in two steps: read the current list, then send it changed. When
//! someone else saved in between, the server answers `conflict` and the
//! session reads the list again and says so.

use honyaku::model::{GlossaryTerm, Lang, check_glossary_terms};
use honyaku::protocol::TermFrame;

/// A change typed by the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GlossaryOp {
    /// Keep `term` as written, or render it as `render` in `lang`.
    Add {
        term: String,
        lang: Option<Lang>,
        render: Option<String>,
    },
    /// Drop every entry for `term`.
    Remove(String),
}

impl GlossaryOp {
    /// `TERM` or `TERM LANG=RENDERING` (a term and a rendering may have
    /// spaces: the language is the word just before the first `=`).
    pub fn parse_add(arg: &str) -> Result<Self, String> {
        let usage = "/glossary add takes a TERM, and optionally LANG=RENDERING (e.g. /glossary add deploy ja=デプロイ)";
        let arg = arg.trim();
        if arg.is_empty() {
            return Err(usage.into());
        }
        let (term, lang, render) = match arg.split_once('=') {
            None => (arg, None, None),
            Some((before, render)) => {
                let (term, lang) = before
                    .trim_end()
                    .rsplit_once(char::is_whitespace)
                    .ok_or_else(|| usage.to_owned())?;
                let lang = Lang::parse(lang).map_err(|e| format!("{e} (in LANG=RENDERING)"))?;
                (term, Some(lang), Some(render))
            }
        };
        let checked = GlossaryTerm::parse(term, lang.map(|l| l.as_str()), render)
            .map_err(|e| e.to_string())?;
        Ok(Self::Add {
            term: checked.term,
            lang: checked.lang,
            render: checked.render,
        })
    }

    pub fn parse_remove(arg: &str) -> Result<Self, String> {
        let term = GlossaryTerm::parse(arg, None, None)
            .map_err(|_| "/glossary remove takes the TERM to remove".to_owned())?;
        Ok(Self::Remove(term.term))
    }

    /// The list with this change made; `Err` says why there is nothing to
    /// send (already there, not there, or over the glossary's limits).
    pub fn apply(&self, terms: &[GlossaryTerm]) -> Result<Vec<GlossaryTerm>, String> {
        let mut out = terms.to_vec();
        match self {
            Self::Add { term, lang, render } => {
                let same = out.iter().position(|t| t.term == *term && t.lang == *lang);
                let new = GlossaryTerm {
                    term: term.clone(),
                    lang: *lang,
                    render: render.clone(),
                };
                match same {
                    Some(i) if out[i] == new => {
                        return Err(format!("\"{term}\" is already in the glossary as it is"));
                    }
                    Some(i) => out[i] = new,
                    None => out.push(new),
                }
            }
            Self::Remove(term) => {
                out.retain(|t| t.term != *term);
                if out.len() == terms.len() {
                    return Err(format!("\"{term}\" is not in the glossary"));
                }
            }
        }
        check_glossary_terms(&out).map_err(|e| e.to_string())?;
        Ok(out)
    }
}

/// Terms as they travel.
pub fn frames(terms: &[GlossaryTerm]) -> Vec<TermFrame> {
    terms
        .iter()
        .map(|t| TermFrame {
            term: t.term.clone(),
            lang: t.lang.map(|l| l.as_str().to_owned()),
            render: t.render.clone(),
        })
        .collect()
}

/// What changed from `old` to `new`: (added or changed, removed).
pub fn diff<'a>(
    old: &'a [GlossaryTerm],
    new: &'a [GlossaryTerm],
) -> (Vec<&'a GlossaryTerm>, Vec<&'a GlossaryTerm>) {
    let added = new.iter().filter(|t| !old.contains(t)).collect();
    let removed = old
        .iter()
        .filter(|t| !new.iter().any(|n| n.term == t.term && n.lang == t.lang))
        .collect();
    (added, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(term: &str, lang: Option<&str>, render: Option<&str>) -> GlossaryTerm {
        GlossaryTerm::parse(term, lang, render).unwrap()
    }

    #[test]
    fn adds_parse() {
        assert_eq!(
            GlossaryOp::parse_add(" honyaku "),
            Ok(GlossaryOp::Add {
                term: "honyaku".into(),
                lang: None,
                render: None
            })
        );
        let ja = GlossaryOp::parse_add("deploy ja=デプロイ").unwrap();
        assert_eq!(
            ja.apply(&[]).unwrap(),
            vec![t("deploy", Some("ja"), Some("デプロイ"))]
        );
        let phrase = GlossaryOp::parse_add("Great Work es=Gran trabajo").unwrap();
        assert_eq!(
            phrase.apply(&[]).unwrap(),
            vec![t("Great Work", Some("es"), Some("Gran trabajo"))]
        );
        for bad in ["", "deploy xx=y", "deploy ja=", "ja=x", "=x"] {
            assert!(GlossaryOp::parse_add(bad).is_err(), "{bad:?}");
        }
        assert!(GlossaryOp::parse_add(&"a".repeat(101)).is_err());
        assert!(GlossaryOp::parse_remove(" ").is_err());
    }

    #[test]
    fn changes_apply_to_the_current_list() {
        let now = vec![
            t("honyaku", None, None),
            t("deploy", Some("ja"), Some("デプロイ")),
        ];
        let add = GlossaryOp::parse_add("sprint").unwrap();
        assert_eq!(add.apply(&now).unwrap().len(), 3);
        let again = GlossaryOp::parse_add("honyaku").unwrap();
        assert!(again.apply(&now).unwrap_err().contains("already"));
        let rerender = GlossaryOp::parse_add("deploy ja=配備").unwrap();
        assert_eq!(
            rerender.apply(&now).unwrap()[1],
            t("deploy", Some("ja"), Some("配備"))
        );
        let remove = GlossaryOp::parse_remove("deploy").unwrap();
        assert_eq!(remove.apply(&now).unwrap(), vec![t("honyaku", None, None)]);
        let missing = GlossaryOp::parse_remove("nope").unwrap();
        assert!(
            missing
                .apply(&now)
                .unwrap_err()
                .contains("not in the glossary")
        );
        let full: Vec<GlossaryTerm> = (0..200).map(|i| t(&format!("t{i}"), None, None)).collect();
        assert!(add.apply(&full).unwrap_err().contains("at most 200"));
    }

    #[test]
    fn diffs_name_what_changed() {
        let old = vec![t("a", None, None), t("b", Some("ja"), Some("x"))];
        let new = vec![t("b", Some("ja"), Some("y")), t("c", None, None)];
        let (added, removed) = diff(&old, &new);
        assert_eq!(added, vec![&new[0], &new[1]]);
        assert_eq!(removed, vec![&old[0]]);
        let json = serde_json::to_string(&frames(&new)).unwrap();
        assert_eq!(json, r#"[{"term":"b","lang":"ja","as":"y"},{"term":"c"}]"#);
    }
}
