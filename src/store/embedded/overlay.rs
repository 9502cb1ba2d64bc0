//! A write transaction's changes kept aside until it succeeds, over a
//! point read of the committed table: what both backends run a write on.

use std::collections::BTreeMap;

use super::WriteTx;
use crate::ports::StoreError;

/// A point read of the committed table, under an [`Overlay`].
pub type BaseRead<'a> = dyn Fn(&str, &str) -> Result<Option<Vec<u8>>, StoreError> + 'a;

/// A write transaction's changes, kept aside until it succeeds: reads see
/// them first, then `base`; a failed transaction leaves nothing behind.
pub struct Overlay<'a> {
    base: &'a BaseRead<'a>,
    changes: Changes,
}

/// `(pk, sk)` → the new value, or `None` for a delete.
pub type Changes = BTreeMap<(String, String), Option<Vec<u8>>>;

impl<'a> Overlay<'a> {
    pub fn new(base: &'a BaseRead<'a>) -> Self {
        Self {
            base,
            changes: BTreeMap::new(),
        }
    }

    pub fn into_changes(self) -> Changes {
        self.changes
    }
}

impl WriteTx for Overlay<'_> {
    fn get(&self, pk: &str, sk: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match self.changes.get(&(pk.to_owned(), sk.to_owned())) {
            Some(change) => Ok(change.clone()),
            None => (self.base)(pk, sk),
        }
    }

    fn put(&mut self, pk: &str, sk: &str, value: Vec<u8>) -> Result<(), StoreError> {
        self.changes
            .insert((pk.to_owned(), sk.to_owned()), Some(value));
        Ok(())
    }

    fn delete(&mut self, pk: &str, sk: &str) -> Result<(), StoreError> {
        self.changes.insert((pk.to_owned(), sk.to_owned()), None);
        Ok(())
    }
}
