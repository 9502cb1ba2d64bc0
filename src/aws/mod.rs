//! Running on AWS (feature `aws`): SDK configuration (`sdk.rs`), the
//! Lambda function behind `honyaku-lambda` (`function.rs`), and the AWS
//! adapters for `honyaku serve --store dynamodb` / `--translator aws`
//! (`serve.rs`). The adapters themselves live with their ports:
//! `store::dynamodb`, `translate::amazon`, `push::apigw`.

pub mod function;
pub mod sdk;
#[cfg(feature = "local")]
pub mod serve;
