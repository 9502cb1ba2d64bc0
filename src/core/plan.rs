//! Who gets a message in which language: the plan `translate` and `edit`
//! translate by and `deliver.rs` posts by.

use std::collections::BTreeMap;

use crate::model::{Lang, Member};

/// Who gets a message in which language: members grouped by language.
#[derive(Debug)]
pub struct FanoutPlan<'a> {
    /// The message's language: its members get the original.
    pub source: Lang,
    /// The members reading each language, in room order.
    pub by_lang: BTreeMap<Lang, Vec<&'a Member>>,
}

impl<'a> FanoutPlan<'a> {
    /// Groups `members` by language.
    pub fn new(source: Lang, members: &'a [Member]) -> Self {
        let mut by_lang: BTreeMap<Lang, Vec<&Member>> = BTreeMap::new();
        for m in members {
            by_lang.entry(m.lang).or_default().push(m);
        }
        Self { source, by_lang }
    }

    /// The languages that need an engine call: every member language but
    /// the source, each once.
    pub fn targets(&self) -> impl Iterator<Item = Lang> + '_ {
        self.by_lang.keys().copied().filter(|l| *l != self.source)
    }
}
