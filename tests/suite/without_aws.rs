//! A build without the `aws` feature (the default `honyaku serve`) refuses
//! the AWS adapters with a sentence that says how to get them.

use honyaku::config::{ServeConfig, StoreKind, TranslatorKind};

fn refusal(config: ServeConfig) -> String {
    match honyaku::local::prepare(config) {
        Ok(_) => panic!("prepared without the AWS adapters"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn dynamodb_store_says_to_build_with_the_aws_feature() {
    let err = refusal(ServeConfig {
        store: StoreKind::Dynamodb,
        ..ServeConfig::default()
    });
    assert!(err.contains("dynamodb store"), "{err}");
    assert!(err.contains("--features aws"), "{err}");
}

#[test]
fn aws_translator_says_to_build_with_the_aws_feature() {
    let err = refusal(ServeConfig {
        store: StoreKind::Memory,
        translator: TranslatorKind::Aws.into(),
        ..ServeConfig::default()
    });
    assert!(err.contains("aws translator"), "{err}");
    assert!(err.contains("--features aws"), "{err}");
}
