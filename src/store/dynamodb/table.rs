//! Creating the single table: `pk`/`sk` strings, on-demand billing, TTL on
//! `ttl` — what `template.yaml` declares, for DynamoDB Local and for
//! `honyaku serve --store dynamodb` against a fresh account.

use std::time::Duration;

use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType, TableStatus,
    TimeToLiveSpecification,
};

use super::DynamoStore;
use super::items::{PK, SK, TTL};

/// Why the table could not be made ready.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// A DynamoDB call failed.
    #[error("DynamoDB {op} on table {table}: {detail}")]
    Sdk {
        /// The operation (`DescribeTable`, `CreateTable`, …).
        op: &'static str,
        /// The table's name.
        table: String,
        /// The SDK's error, in full.
        detail: String,
    },
    /// The new table was not `ACTIVE` within a minute; names the table.
    #[error("table {0} did not become ACTIVE in time")]
    NotActive(String),
    /// A request could not be built (a bug, not a service failure).
    #[error("building a DynamoDB request: {0}")]
    Build(#[from] BuildError),
}

/// How long a new table may take to become `ACTIVE`.
const ACTIVE_WAIT: Duration = Duration::from_secs(60);

impl DynamoStore {
    /// Creates the table unless it exists; returns whether it created it.
    #[tracing::instrument(skip(self), fields(table = %self.table))]
    pub async fn create_table_if_missing(&self) -> Result<bool, TableError> {
        let err = |op: &'static str, detail: String| TableError::Sdk {
            op,
            table: self.table.clone(),
            detail,
        };
        match self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
        {
            Ok(_) => return Ok(false),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) => {}
            Err(e) => return Err(err("DescribeTable", DisplayErrorContext(e).to_string())),
        }
        let attr = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
        };
        let key = |name: &str, kind| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
        };
        let created = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attr(PK)?)
            .attribute_definitions(attr(SK)?)
            .key_schema(key(PK, KeyType::Hash)?)
            .key_schema(key(SK, KeyType::Range)?)
            .send()
            .await;
        match created {
            Ok(_) => {}
            // Someone else created it meanwhile: theirs is as good.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_resource_in_use_exception()) =>
            {
                return Ok(false);
            }
            Err(e) => return Err(err("CreateTable", DisplayErrorContext(e).to_string())),
        }
        self.wait_active().await?;
        let ttl = TimeToLiveSpecification::builder()
            .enabled(true)
            .attribute_name(TTL)
            .build()?;
        self.client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(ttl)
            .send()
            .await
            .map_err(|e| err("UpdateTimeToLive", DisplayErrorContext(e).to_string()))?;
        tracing::info!("created table");
        Ok(true)
    }

    async fn wait_active(&self) -> Result<(), TableError> {
        let deadline = tokio::time::Instant::now() + ACTIVE_WAIT;
        loop {
            let out = self
                .client
                .describe_table()
                .table_name(&self.table)
                .send()
                .await
                .map_err(|e| TableError::Sdk {
                    op: "DescribeTable",
                    table: self.table.clone(),
                    detail: DisplayErrorContext(e).to_string(),
                })?;
            let status = out.table.and_then(|t| t.table_status);
            if status == Some(TableStatus::Active) {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(TableError::NotActive(self.table.clone()));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}
