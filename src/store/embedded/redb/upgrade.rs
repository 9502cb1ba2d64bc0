//! Opening the file: the table created, or brought up from an earlier
//! layout (`embedded/layout.rs`).

use redb::{Database, ReadableTable};

use super::{TABLE, apply, backend};
use crate::ports::StoreError;
use crate::store::embedded::layout;
use crate::store::embedded::prefix_end;
use crate::store::keys;

/// Creates the table, or brings one written by an earlier layout up to
/// this one (`layout.rs`), in one transaction.
pub fn upgrade(db: &Database) -> Result<(), StoreError> {
    let txn = db.begin_write().map_err(backend)?;
    {
        let mut table = txn.open_table(TABLE).map_err(backend)?;
        let (vpk, vsk) = layout::VERSION_KEY;
        let found = table.get((vpk, vsk)).map_err(backend)?.map(|v| {
            let digits = String::from_utf8_lossy(v.value()).into_owned();
            digits.parse::<u32>().map_err(|_| digits)
        });
        match found {
            Some(Ok(v)) if v == layout::VERSION => return Ok(()),
            Some(Ok(v)) if v > layout::VERSION => {
                return Err(StoreError::backend(format!(
                    "the file was written by a newer honyaku (table layout {v}; this one reads up to {})",
                    layout::VERSION
                )));
            }
            Some(Err(digits)) => {
                return Err(StoreError::backend(format!(
                    "the table layout version is not a number: {digits:?}"
                )));
            }
            Some(Ok(_)) | None => {}
        }
        let end = prefix_end(keys::ROOM_PREFIX);
        let mut changes = Vec::new();
        for entry in table
            .range::<(&str, &str)>((keys::ROOM_PREFIX, "")..(end.as_str(), ""))
            .map_err(backend)?
        {
            let (k, v) = entry.map_err(backend)?;
            let (pk, sk) = k.value();
            if sk.starts_with(layout::OLD_TRANSLATION_PREFIX)
                && let Some(moves) = layout::move_translation(pk, sk, v.value())?
            {
                changes.extend(moves);
            }
        }
        let moved = apply(
            &mut table,
            changes.iter().map(|(key, change)| (key, change)),
        )?;
        let version = layout::VERSION.to_string();
        table
            .insert((vpk, vsk), version.as_bytes())
            .map_err(backend)?;
        if moved > 0 {
            tracing::info!(
                changes = moved,
                "moved translations to table layout {version}"
            );
        }
    }
    txn.commit().map_err(backend)
}
