//! Reading typed values out of a DynamoDB item. The SDK hands back
//! `HashMap<String, AttributeValue>`; these helpers keep the item mapping
//! in `items.rs` short and make a missing or mistyped attribute a `None`
//! that the caller turns into `StoreError::Corrupt`.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

/// One item as the SDK returns it.
pub type Item = HashMap<String, AttributeValue>;

/// Typed getters on an item.
pub trait AttributeValuesExt {
    /// A string attribute (`S`).
    fn get_s(&self, key: &str) -> Option<&str>;
    /// A number attribute (`N`) that is a whole number.
    fn get_i64(&self, key: &str) -> Option<i64>;
    /// A map attribute (`M`).
    fn get_m(&self, key: &str) -> Option<&Item>;
}

impl AttributeValuesExt for Item {
    fn get_s(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_s().ok().map(String::as_str)
    }

    fn get_i64(&self, key: &str) -> Option<i64> {
        self.get(key)?.as_n().ok()?.parse().ok()
    }

    fn get_m(&self, key: &str) -> Option<&Item> {
        self.get(key)?.as_m().ok()
    }
}

/// `S` from anything string-like.
pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

/// `N` from a whole number (DynamoDB sends numbers as decimal strings).
pub fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> Item {
        HashMap::from([
            ("room".to_owned(), s("lobby")),
            ("ttl".to_owned(), n(1_764_150_000)),
            ("frac".to_owned(), AttributeValue::N("1.5".into())),
            (
                "m".to_owned(),
                AttributeValue::M(HashMap::from([("k".to_owned(), s("v"))])),
            ),
        ])
    }

    #[test]
    fn typed_getters() {
        let item = item();
        assert_eq!(item.get_s("room"), Some("lobby"));
        assert_eq!(item.get_i64("ttl"), Some(1_764_150_000));
        assert_eq!(item.get_m("m").and_then(|m| m.get_s("k")), Some("v"));
    }

    #[test]
    fn missing_or_mistyped_is_none() {
        let item = item();
        assert_eq!(item.get_s("nope"), None);
        assert_eq!(item.get_s("ttl"), None);
        assert_eq!(item.get_i64("room"), None);
        assert_eq!(item.get_i64("frac"), None);
        assert_eq!(item.get_m("room"), None);
    }
}
