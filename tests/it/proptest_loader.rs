//! Property tests of the loader: arbitrary bytes never panic; arbitrary trees written
//! as JSON or block YAML load back equal, with a location for every node.

use std::path::Path;
use std::sync::Arc;

use proptest::prelude::*;
use serde_json::{Map, Value};

use hnp_events::source::parse_file;

fn load(bytes: Vec<u8>, name: &str) -> (Option<Value>, usize) {
    let mut diags = Vec::new();
    let f = parse_file(Path::new(name), bytes, Arc::from(name), &mut diags);
    (f.value, diags.len())
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        // Strings that stress quoting: YAML indicators, numbers-as-text, unicode.
        prop_oneof![
            "[a-zA-Z0-9 _.:#&*!|>'\"%@`{}\\[\\],-]{0,12}",
            Just("true".to_string()),
            Just("1.0".to_string()),
            Just("~".to_string()),
            Just("é ☃ 𝄞".to_string()),
            Just("line\nbreak".to_string()),
        ]
        .prop_map(Value::String),
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z_][a-zA-Z0-9_$/~-]{0,8}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Block-style YAML with every string double-quoted (JSON escapes are valid YAML).
fn to_yaml(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, child) in m {
                out.push_str(&pad);
                out.push_str(&serde_json::to_string(k).unwrap_or_default());
                out.push(':');
                match child {
                    Value::Object(c) if !c.is_empty() => {
                        out.push('\n');
                        to_yaml(child, indent + 2, out);
                    }
                    Value::Array(c) if !c.is_empty() => {
                        out.push('\n');
                        to_yaml(child, indent + 2, out);
                    }
                    _ => {
                        out.push(' ');
                        out.push_str(&serde_json::to_string(child).unwrap_or_default());
                        out.push('\n');
                    }
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for child in items {
                out.push_str(&pad);
                out.push_str("-\n");
                match child {
                    Value::Object(c) if !c.is_empty() => to_yaml(child, indent + 2, out),
                    Value::Array(c) if !c.is_empty() => to_yaml(child, indent + 2, out),
                    _ => {
                        out.push_str(&" ".repeat(indent + 2));
                        out.push_str(&serde_json::to_string(child).unwrap_or_default());
                        out.push('\n');
                    }
                }
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&serde_json::to_string(other).unwrap_or_default());
            out.push('\n');
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = load(bytes.clone(), "x.yaml");
        let _ = load(bytes, "x.json");
    }

    #[test]
    fn arbitrary_text_never_panics(text in "[ \\t\\n:{}\\[\\],&*!|>'\"#%@`a-c0-9-]{0,200}") {
        let _ = load(text.clone().into_bytes(), "x.yaml");
        let _ = load(text.into_bytes(), "x.json");
    }

    #[test]
    fn json_round_trips(v in tree()) {
        let text = serde_json::to_string_pretty(&v).unwrap_or_default();
        let (got, diags) = load(text.into_bytes(), "x.json");
        prop_assert_eq!(diags, 0);
        prop_assert_eq!(got, Some(v));
    }

    #[test]
    fn block_yaml_round_trips(v in tree()) {
        let mut text = String::new();
        to_yaml(&v, 0, &mut text);
        let (got, diags) = load(text.clone().into_bytes(), "x.yaml");
        prop_assert_eq!(diags, 0, "{}", text);
        // Empty documents are a diagnostic, not a value.
        if text.trim().is_empty() {
            return Ok(());
        }
        prop_assert_eq!(got, Some(v), "{}", text);
    }
}
