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

/// An item's size as DynamoDB counts it against its 400 KB limit: each
/// attribute's name plus its value (strings and binaries by length,
/// numbers about one byte per two digits, maps and lists with a few bytes
/// of overhead per element).
pub fn item_size(item: &Item) -> usize {
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}

fn value_size(v: &AttributeValue) -> usize {
    match v {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => n.len().div_ceil(2) + 1,
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(v) => v.iter().map(String::len).sum(),
        AttributeValue::Ns(v) => v.iter().map(|n| n.len().div_ceil(2) + 1).sum(),
        AttributeValue::L(l) => 3 + l.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        AttributeValue::M(m) => {
            3 + m
                .iter()
                .map(|(k, v)| 1 + k.len() + value_size(v))
                .sum::<usize>()
        }
        _ => 0,
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
    fn sizes_count_names_and_values() {
        let item = HashMap::from([("pk".to_owned(), s("ROOM#a")), ("text".to_owned(), s("é"))]);
        assert_eq!(item_size(&item), 2 + 6 + 4 + 2);
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
