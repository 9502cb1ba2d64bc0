//! The end-to-end suite, one test binary (one link step instead of one per
//! file): servers started in-process on port 0 with
//! `honyaku::testing::start_server` and driven with real WebSocket and
//! HTTP clients, the real binary for signals and crashes, the store and
//! translator contracts, the AWS adapters against DynamoDB Local, moto's
//! SQS and the local management API.

mod helpers;

mod amend;
mod apertium;
#[cfg(feature = "aws")]
mod aws;
mod big_rooms;
mod chat;
#[cfg(feature = "aws")]
mod dynamodb_amend;
#[cfg(feature = "aws")]
mod dynamodb_local;
mod engines;
mod flood_close;
mod gateway_binary;
mod gateway_security;
mod gateway_shutdown;
mod hardening;
#[cfg(feature = "aws")]
mod lambda_binary;
mod lambda_events;
mod load;
mod management;
mod management_access;
mod proxies;
mod qr;
mod readme_recipes;
mod rebinding;
mod rest;
mod secret_logs;
mod serve;
#[cfg(feature = "aws")]
mod shared_limits;
mod slow_bodies;
mod social;
mod standins;
mod store_contract;
mod translator_contract;
mod wire;
#[cfg(not(feature = "aws"))]
mod without_aws;
