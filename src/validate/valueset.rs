//! Membership and duplicates among JSON values in expected linear time (`Value` has no
//! `Hash`): values are hashed structurally, objects independently of key order (as
//! `Value`'s equality compares them), and compared with `==` within a hash.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use serde_json::Value;

/// A structural hash consistent with `Value`'s `==`.
fn hash_value(v: &Value) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    feed(v, &mut h);
    h.finish()
}

fn feed(v: &Value, h: &mut impl Hasher) {
    match v {
        Value::Null => 0u8.hash(h),
        Value::Bool(b) => (1u8, b).hash(h),
        // `Number` equality compares the representation, as its string form does.
        Value::Number(n) => (2u8, n.to_string()).hash(h),
        Value::String(s) => (3u8, s).hash(h),
        Value::Array(items) => {
            (4u8, items.len()).hash(h);
            for i in items {
                feed(i, h);
            }
        }
        Value::Object(m) => {
            // Entries combined by a commutative sum: key order does not count.
            let sum = m.iter().fold(0u64, |acc, (k, x)| {
                let mut e = std::collections::hash_map::DefaultHasher::new();
                k.hash(&mut e);
                feed(x, &mut e);
                acc.wrapping_add(e.finish())
            });
            (5u8, m.len(), sum).hash(h);
        }
    }
}

/// A set of values to test membership in.
pub(crate) struct ValueSet<'a> {
    by_hash: HashMap<u64, Vec<&'a Value>>,
}

impl<'a> ValueSet<'a> {
    pub fn new(items: &'a [Value]) -> Self {
        let mut by_hash: HashMap<u64, Vec<&Value>> = HashMap::with_capacity(items.len());
        for v in items {
            by_hash.entry(hash_value(v)).or_default().push(v);
        }
        ValueSet { by_hash }
    }

    pub fn contains(&self, v: &Value) -> bool {
        self.by_hash
            .get(&hash_value(v))
            .is_some_and(|same| same.contains(&v))
    }
}

/// The indexes of the items equal to an earlier item, in order.
pub(crate) fn repeated(items: &[Value]) -> Vec<usize> {
    let mut by_hash: HashMap<u64, Vec<&Value>> = HashMap::with_capacity(items.len());
    let mut out = Vec::new();
    for (i, v) in items.iter().enumerate() {
        let same = by_hash.entry(hash_value(v)).or_default();
        if same.contains(&v) {
            out.push(i);
        } else {
            same.push(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_values_are_found_whatever_their_key_order() {
        let items = vec![
            json!({"a": 1, "b": [1, "x"]}),
            json!("s"),
            json!(1),
            json!(1.0),
            json!({"b": [1, "x"], "a": 1}),
            json!("s"),
            json!(null),
        ];
        assert_eq!(repeated(&items), vec![4, 5]);
        let set = ValueSet::new(&items);
        assert!(set.contains(&json!({"b": [1, "x"], "a": 1})));
        assert!(set.contains(&json!(1.0)));
        assert!(!set.contains(&json!({"a": 2})));
        assert!(!set.contains(&json!(true)));
    }
}
