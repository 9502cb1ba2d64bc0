//! Counters and fan-out delivery markers on DynamoDB.
//!
//! A counter is one `UpdateItem ADD` whose condition refuses a step that
//! would pass its maximum: atomic across every Lambda instance, one write
//! (1 WCU) whatever the number of fields.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};

use super::capacity::{TOTAL, Units};
use super::ext::{AttributeValuesExt, Item, n, s};
use super::items::{self, TTL};
use super::{DynamoStore, sdk};
use crate::model::ConnectionId;
use crate::ports::{Counter, Delivery, Step, StoreError, Tally};
use crate::store::{delivery_ttl, keys};

impl DynamoStore {
    #[tracing::instrument(skip_all)]
    pub(super) async fn increment_impl(
        &self,
        counter: &Counter,
        steps: &[Step<'_>],
    ) -> Result<Tally, StoreError> {
        let (pk, sk, ttl) = keys::counter(counter);
        let key = items::key(pk, sk);
        let values = |item: Option<Item>| -> Vec<i64> {
            steps
                .iter()
                .map(|st| item.as_ref().and_then(|i| i.get_i64(st.field)).unwrap_or(0))
                .collect()
        };
        // A step bigger than its whole maximum cannot pass.
        if steps.iter().any(|st| st.max.is_some_and(|m| st.add > m)) {
            return Ok(Tally::Refused(values(self.get_item(key).await?)));
        }
        let mut adds = Vec::new();
        let mut conditions = Vec::new();
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .return_values(ReturnValue::UpdatedNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .return_consumed_capacity(TOTAL);
        for (i, st) in steps.iter().enumerate() {
            update = update
                .expression_attribute_names(format!("#f{i}"), st.field)
                .expression_attribute_values(format!(":a{i}"), n(st.add));
            adds.push(format!("#f{i} :a{i}"));
            if let Some(max) = st.max {
                update = update.expression_attribute_values(format!(":m{i}"), n(max - st.add));
                conditions.push(format!("(attribute_not_exists(#f{i}) OR #f{i} <= :m{i})"));
            }
        }
        let mut expression = format!("ADD {}", adds.join(", "));
        if let Some(ttl) = ttl {
            expression.push_str(" SET #ttl = :ttl");
            update = update
                .expression_attribute_names("#ttl", TTL)
                .expression_attribute_values(":ttl", n(ttl));
        }
        update = update.update_expression(expression);
        if !conditions.is_empty() {
            update = update.condition_expression(conditions.join(" AND "));
        }
        match update.send().await {
            Ok(out) => {
                self.spent(Units::Write, out.consumed_capacity());
                Ok(Tally::Counted(values(out.attributes)))
            }
            Err(e) => match e.as_service_error() {
                Some(se) if se.is_conditional_check_failed_exception() => {
                    let old = match se {
                        aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(c) => {
                            c.item.clone()
                        }
                        _ => None,
                    };
                    Ok(Tally::Refused(values(old)))
                }
                _ => Err(sdk("UpdateItem", e)),
            },
        }
    }

    pub(super) async fn delivery_impl(&self, batch: &str) -> Result<Option<Delivery>, StoreError> {
        let Some(item) = self
            .get_item(items::key(keys::delivery_pk(batch), keys::META))
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(
            match item.get("remaining").and_then(|v| v.as_l().ok()) {
                None => Delivery::Done,
                Some(ids) => Delivery::Remaining(
                    ids.iter()
                        .filter_map(|v| v.as_s().ok())
                        .map(ConnectionId::new)
                        .collect(),
                ),
            },
        ))
    }

    pub(super) async fn put_delivery_impl(
        &self,
        batch: &str,
        delivery: &Delivery,
    ) -> Result<(), StoreError> {
        let mut item = items::key(keys::delivery_pk(batch), keys::META);
        item.insert(TTL.to_owned(), n(delivery_ttl()));
        if let Delivery::Remaining(ids) = delivery {
            let list = ids.iter().map(|id| s(id.as_str())).collect();
            item.insert("remaining".to_owned(), AttributeValue::L(list));
        }
        self.put_item(item).await
    }
}
