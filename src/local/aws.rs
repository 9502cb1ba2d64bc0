//! The AWS adapters for `honyaku serve`: `--store dynamodb` (creating the
//! table if missing) and `--translator aws`. `build_app` is synchronous, so
//! the start-up calls run on a runtime of their own ([`sdk::block_on`]);
//! failures surface before the server binds.

use crate::aws::sdk;
use crate::config::ServeConfig;
use crate::store::DynamoStore;
use crate::store::dynamodb::TableError;
use crate::translate::AmazonTranslate;

/// Why an AWS adapter could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The DynamoDB table could not be found, created or made ready.
    #[error(transparent)]
    Table(#[from] TableError),
    /// The runtime for the start-up calls could not start.
    #[error("starting the AWS SDK: {0}")]
    Runtime(#[from] std::io::Error),
    /// Neither the environment nor the profile files name a region, and no
    /// `--dynamodb-endpoint` was given.
    #[error(
        "no AWS region is configured: set AWS_REGION (or a region in ~/.aws/config), \
         or use --dynamodb-endpoint for DynamoDB Local"
    )]
    NoRegion,
}

/// The DynamoDB store of `--table` at `--dynamodb-endpoint` (DynamoDB
/// Local) or in the AWS account of the environment or the profile files,
/// its table created if missing.
pub fn dynamodb_store(config: &ServeConfig) -> Result<DynamoStore, SetupError> {
    let table = config.table.clone();
    let endpoint = config.dynamodb_endpoint.clone();
    sdk::block_on(async move {
        let sdk = match &endpoint {
            Some(url) => sdk::load_for_endpoint(url).await,
            None => sdk::load_local().await.ok_or(SetupError::NoRegion)?,
        };
        let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table);
        store.create_table_if_missing().await?;
        Ok(store)
    })?
}

/// Amazon Translate with the region and credentials of the environment or
/// the profile files.
pub fn amazon_translate() -> Result<AmazonTranslate, SetupError> {
    let sdk = sdk::block_on(sdk::load_local())?.ok_or(SetupError::NoRegion)?;
    Ok(AmazonTranslate::new(aws_sdk_translate::Client::new(&sdk)))
}
