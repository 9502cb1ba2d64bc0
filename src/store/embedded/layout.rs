//! The embedded table's layout version, and the upgrade of a file written
//! by an earlier one.
//!
//! Version 2 keeps a message's translations together
//! (`TRM#{ts}#{id}#{lang}`, see `store::keys`) where version 1 kept them
//! under one prefix per language (`TR#{lang}#{ts}#{id}`), each with an
//! entry in the expiry index; in version 2 a translation goes with its
//! message. Opening a version 1 file moves its translation rows once and
//! drops their index entries, in the same transaction that records
//! version 2.

use super::rows::{TtlOnly, decode};
use super::{EXPIRY_PK, expiry_sk};
use crate::model::{Lang, MessageKey};
use crate::ports::StoreError;
use crate::store::keys;

/// Where the layout version is kept (no other item has this partition).
pub const VERSION_KEY: (&str, &str) = ("LAYOUT", "VERSION");
/// The layout this build writes (kept as its decimal digits).
pub const VERSION: u32 = 2;
/// The sort-key prefix of a version 1 translation.
pub const OLD_TRANSLATION_PREFIX: &str = "TR#";

/// One change of the upgrade: `None` deletes the row.
pub type Change = ((String, String), Option<Vec<u8>>);

/// The changes that move one version 1 translation row to its version 2
/// key, dropping its expiry entry when it has a `ttl`. `None` for a row
/// that is not one (whose key does not parse), which stays as it is.
pub fn move_translation(
    pk: &str,
    sk: &str,
    value: &[u8],
) -> Result<Option<Vec<Change>>, StoreError> {
    let Some((lang, key)) = parse_old_sk(sk) else {
        return Ok(None);
    };
    let new_sk = keys::embedded_translation_sk(lang, &key);
    let mut changes = vec![
        ((pk.to_owned(), sk.to_owned()), None),
        ((pk.to_owned(), new_sk.clone()), Some(value.to_vec())),
    ];
    if let Some(ttl) = decode::<TtlOnly>(pk, sk, value)?.ttl {
        changes.push(((EXPIRY_PK.to_owned(), expiry_sk(ttl, pk, sk)), None));
    }
    Ok(Some(changes))
}

/// `TR#{lang}#{ts:013}#{id}` → its language and message.
fn parse_old_sk(sk: &str) -> Option<(Lang, MessageKey)> {
    let rest = sk.strip_prefix(OLD_TRANSLATION_PREFIX)?;
    let (lang, rest) = rest.split_once('#')?;
    let (ts, id) = rest.split_once('#')?;
    Some((
        Lang::parse(lang).ok()?,
        MessageKey {
            ts: ts.parse().ok()?,
            id: id.to_owned(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_translation_moves_beside_its_message_and_loses_its_expiry_entry() {
        let changes = move_translation(
            "ROOM#r",
            "TR#es#0000000001000#A",
            br#"{"translation":{"text":"hola"},"ttl":99}"#,
        )
        .unwrap()
        .unwrap();
        let keys: Vec<_> = changes
            .iter()
            .map(|((pk, sk), v)| (pk.as_str(), sk.as_str(), v.is_some()))
            .collect();
        assert_eq!(
            keys,
            [
                ("ROOM#r", "TR#es#0000000001000#A", false),
                ("ROOM#r", "TRM#0000000001000#A#es", true),
                (
                    "EXP",
                    expiry_sk(99, "ROOM#r", "TR#es#0000000001000#A").as_str(),
                    false
                ),
            ]
        );
    }

    #[test]
    fn other_rows_stay() {
        assert!(
            move_translation("ROOM#r", "TR#nonsense", b"{}")
                .unwrap()
                .is_none()
        );
    }
}
