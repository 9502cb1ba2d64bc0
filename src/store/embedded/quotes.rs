//! A deleted message's text leaves the replies that quote it, and an
//! edited one's quotes read the edit. A reply is newer than what it
//! quotes, and a delete or edit comes within the edit window, so the
//! replies are among the room's messages after that one: one range read finds them (a row's bytes are searched
//! for the id before it is decoded), one write transaction rewrites
//! their quotes, each row read again there so nothing written between
//! is lost.

use super::rows::read_message;
use super::{Backend, EmbeddedStore, Query, ReadTx, WriteTx, after, put_row};
use crate::model::{MessageKey, Requote, RoomName};
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

/// Rewrites the quote of `quoted` in each reply among `sks`; how many.
fn requote(
    tx: &mut dyn WriteTx,
    pk: &str,
    quoted: &MessageKey,
    change: &Requote,
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
        if !q.requote(change) {
            continue;
        }
        put_row(tx, pk, sk, &msg, msg.ttl)?;
        n += 1;
    }
    Ok(n)
}

impl<B: Backend> EmbeddedStore<B> {
    /// The replies to `quoted` learn what happened to it.
    pub(super) async fn requote(
        &self,
        room: &RoomName,
        quoted: &MessageKey,
        change: Requote,
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
        self.write(move |tx| requote(tx, &pk, &quoted, &change, &sks))
            .await
    }
}
