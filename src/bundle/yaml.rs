//! A YAML writer for JSON values: block style, keys in their order, and any scalar a
//! YAML 1.2 reader could take for something else (numbers, booleans, null, `~`,
//! indicators, leading or trailing spaces) written as a JSON double-quoted string —
//! which is valid YAML — so that the YAML reads back as exactly the same JSON value.

use serde_json::Value;

/// Words YAML 1.1 or 1.2 readers resolve to booleans or null.
const RESERVED: &[&str] = &[
    "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~",
];

/// Whether a string can be written unquoted.
fn plain(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == '_' || first == '/') {
        return false;
    }
    if RESERVED.contains(&s.to_ascii_lowercase().as_str()) {
        return false;
    }
    // `.inf`, `.nan` start with `.`, which is not allowed first; numbers start with a
    // digit or sign, also not allowed first.
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
}

fn scalar(s: &str) -> String {
    if plain(s) {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
    }
}

fn write(v: &Value, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent);
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, x) in m {
                out.push_str(&pad);
                out.push_str(&scalar(k));
                out.push(':');
                child(x, indent, out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for x in a {
                out.push_str(&pad);
                out.push('-');
                match x {
                    Value::Object(m) if !m.is_empty() => {
                        // The first key on the dash's line, the rest under it.
                        let mut first = true;
                        for (k, y) in m {
                            if first {
                                out.push(' ');
                                first = false;
                            } else {
                                out.push_str(&pad);
                                out.push_str("  ");
                            }
                            out.push_str(&scalar(k));
                            out.push(':');
                            child(y, indent + 1, out);
                        }
                    }
                    Value::Array(b) if !b.is_empty() => {
                        out.push('\n');
                        write(x, indent + 1, out);
                    }
                    _ => {
                        out.push(' ');
                        out.push_str(&inline(x));
                        out.push('\n');
                    }
                }
            }
        }
        _ => {
            out.push_str(&pad);
            out.push_str(&inline(v));
            out.push('\n');
        }
    }
}

/// The value of a mapping entry whose key is written.
fn child(x: &Value, indent: usize, out: &mut String) {
    match x {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write(x, indent + 1, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write(x, indent + 1, out);
        }
        _ => {
            out.push(' ');
            out.push_str(&inline(x));
            out.push('\n');
        }
    }
}

fn inline(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => scalar(s),
        Value::Array(_) => "[]".to_string(),
        Value::Object(_) => "{}".to_string(),
    }
}

/// A JSON value as YAML text.
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    write(v, 0, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_back_as_the_same_value() {
        let v = json!({
            "asyncapi": "3.0.0",
            "on": "yes",
            "$ref": "#/components/schemas/X",
            "n": 1.5, "i": -3, "s": "01", "e": "", "t": " lead", "nl": "a\nb\t\"c\"",
            "list": [1, "two", {"a": 1, "b": [true, null]}, [], {}, [[1, 2], "x"]],
            "empty": {}, "paths": {"/fabrics/{id}/": {"get": {"x": "~"}}},
            "unicode": "naïve ✓", "colon": "a: b", "hash": "a #b"
        });
        let text = to_yaml(&v);
        let mut diags = Vec::new();
        let f = crate::source::parse_file(
            std::path::Path::new("t.yaml"),
            text.clone().into_bytes(),
            std::sync::Arc::from("t.yaml"),
            &mut diags,
        );
        assert!(diags.is_empty(), "{diags:?}\n{text}");
        assert_eq!(f.value, Some(v), "{text}");
    }
}
