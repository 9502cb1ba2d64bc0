//! A deleted message's text leaves the replies that quote it. A reply
//! is newer than what it quotes, and a delete comes within the edit
//! window, so the replies are among the room's messages after the
//! deleted one: one range read finds them (a row's bytes are searched
//! for the id before it is decoded), one write transaction forgets
//! their quotes, each row read again there so nothing written between
//! is lost.

use super::amend::read_message;
use super::{Backend, EmbeddedStore, Query, ReadTx, WriteTx, after, put_row};
use crate::model::{MessageKey, RoomName};
use crate::ports::StoreError;
use crate::store::keys;

/// Sort keys of the room's messages after `quoted` whose rows mention
/// its id (a superset of its replies).
fn candidates(tx: &dyn ReadTx, pk: &str, quoted: &MessageKey) -> Result<Vec<String>, StoreError> {
    let from = after(&keys::message_sk(quoted));
    let rows = tx.query(
        pk,
        &Query {
            prefix: keys::MESSAGE_PREFIX,
            from: Some(&from),
            ..Query::default()
        },
    )?;
    let id = quoted.id.as_bytes();
    Ok(rows
        .into_iter()
        .filter(|(_, bytes)| bytes.windows(id.len()).any(|w| w == id))
        .map(|(sk, _)| sk)
        .collect())
}

/// Forgets the quote of `quoted` in each reply among `sks`; how many.
fn forget(
    tx: &mut dyn WriteTx,
    pk: &str,
    quoted: &MessageKey,
    sks: &[String],
) -> Result<usize, StoreError> {
    let mut n = 0;
    for sk in sks {
        let Some(mut msg) = read_message(tx.get(pk, sk)?, pk, sk)? else {
            continue;
        };
        let Some(q) = msg.reply_to.as_mut().filter(|q| q.id == quoted.id) else {
            continue;
        };
        if q.deleted && q.texts.is_empty() {
            continue;
        }
        q.forget();
        put_row(tx, pk, sk, &msg, msg.ttl)?;
        n += 1;
    }
    Ok(n)
}

impl<B: Backend> EmbeddedStore<B> {
    /// The replies to `quoted` (deleted) keep no text of it.
    pub(super) async fn forget_quotes(
        &self,
        room: &RoomName,
        quoted: &MessageKey,
    ) -> Result<usize, StoreError> {
        let pk = keys::room_pk(room);
        let sks = {
            let (pk, quoted) = (pk.clone(), quoted.clone());
            self.read(move |tx| candidates(tx, &pk, &quoted)).await?
        };
        if sks.is_empty() {
            return Ok(0);
        }
        let quoted = quoted.clone();
        self.write(move |tx| forget(tx, &pk, &quoted, &sks)).await
    }
}
