//! A deleted message's text leaves the replies that quote it, and an
//! edited one's quotes read the edit, on DynamoDB. A reply is newer than
//! what it quotes, and a delete or edit comes within the edit window, so
//! the replies are among the room's messages after that one: a `Query` of the room's partition from its sort
//! key, filtered on the quote naming its id and paginated, finds them;
//! one conditional `UpdateItem` each rewrites the quote.

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;

use super::capacity::{TOTAL, Units};
use super::ext::{AttributeValuesExt, Item, s};
use super::items::{PK, SK};
use super::{DynamoStore, sdk};
use crate::model::{MessageKey, Quote, Requote, RoomName};
use crate::ports::StoreError;
use crate::store::keys;

impl DynamoStore {
    /// The replies to `quoted` learn what happened to it; how many were
    /// rewritten.
    #[tracing::instrument(skip_all, fields(room = %room.as_str()))]
    pub(super) async fn requote(
        &self,
        room: &RoomName,
        quoted: &MessageKey,
        change: &Requote,
    ) -> Result<usize, StoreError> {
        let pk = keys::room_pk(room);
        let mut replies: Vec<(Item, String)> = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .consistent_read(true)
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :lo AND :hi")
                // The quote is one JSON attribute: its id is in it as text
                // (a reply's text naming the id is weeded out below).
                .filter_expression("contains(reply_to, :id)")
                .projection_expression("#pk, #sk, reply_to")
                .expression_attribute_names("#pk", PK)
                .expression_attribute_names("#sk", SK)
                .expression_attribute_values(":pk", s(&pk))
                .expression_attribute_values(":lo", s(keys::message_sk(quoted)))
                .expression_attribute_values(":hi", s(keys::prefix_end(keys::MESSAGE_PREFIX)))
                .expression_attribute_values(":id", s(&quoted.id))
                .set_exclusive_start_key(start)
                .return_consumed_capacity(TOTAL)
                .send()
                .await
                .map_err(|e| sdk("Query", e))?;
            self.spent(Units::Read, out.consumed_capacity());
            for item in out.items.unwrap_or_default() {
                let (Some(sk), Some(json)) = (item.get_s(SK), item.get_s("reply_to")) else {
                    continue;
                };
                let Ok(mut quote) = serde_json::from_str::<Quote>(json) else {
                    tracing::warn!(sk, "a reply's quote does not parse; left as it is");
                    continue;
                };
                if quote.id != quoted.id || !quote.requote(change) {
                    continue;
                }
                let key = super::items::key(pk.clone(), sk);
                let new = serde_json::to_string(&quote)
                    .map_err(|e| StoreError::backend(format!("a quote: {e}")))?;
                replies.push((key, new));
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        let mut n = 0;
        for (key, new) in replies {
            // Only while the reply still has a quote: a reply deleted
            // meanwhile keeps none, and must not get one back.
            let update = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key))
                .update_expression("SET reply_to = :q")
                .condition_expression("attribute_exists(reply_to)")
                .expression_attribute_values(":q", s(new))
                .return_consumed_capacity(TOTAL)
                .send()
                .await;
            match update {
                Ok(out) => {
                    self.spent(Units::Write, out.consumed_capacity());
                    n += 1;
                }
                Err(e) => match e.as_service_error() {
                    Some(UpdateItemError::ConditionalCheckFailedException(_)) => {}
                    _ => return Err(sdk("UpdateItem", e)),
                },
            }
        }
        Ok(n)
    }
}
