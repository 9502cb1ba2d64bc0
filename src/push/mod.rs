//! [`Push`](crate::ports::Push) adapters that leave the process: `apigw`
//! posts through API Gateway's Management API (`PostToConnection`). The
//! local gateway's in-process push lives with it in `local/`.

pub mod apigw;

pub use apigw::ApiGatewayPush;
