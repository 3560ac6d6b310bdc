//! Identifier sanitising for generated code: case conversion, keywords of Rust and
//! Python, invalid characters, and deterministic collision suffixes.

use std::collections::HashSet;

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Keywords that cannot be raw identifiers in Rust.
const RUST_NO_RAW: &[&str] = &["self", "Self", "super", "crate"];

const PY_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "match", "case", "type", "self",
];

/// Names generated code uses for itself (std prelude, typing, pydantic): type names
/// taken by these get a suffix instead of shadowing them.
pub const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    "Self",
    "Value",
    "Map",
    "Utc",
    "DateTime",
    "NaiveDate",
    "Uuid",
    "Serialize",
    "Deserialize",
    "HandlerError",
    "Any",
    "Optional",
    "Union",
    "Literal",
    "Enum",
    "BaseModel",
    "Field",
    "ConfigDict",
    "Annotated",
    "Protocol",
    "TypeAlias",
    "UUID",
    "Decimal",
    "Future",
    "Send",
    "Sync",
    "Default",
    "Clone",
    "Debug",
    "PartialEq",
    "Copy",
    "Eq",
    "Hash",
    "BTreeMap",
    "HashMap",
    "RootModel",
    "Dict",
    "List",
    "Sequence",
    "Mapping",
    // Python constants a class may not be named after.
    "True",
    "False",
    "ClassVar",
    // Rust prelude traits and types generated code may name.
    "From",
    "Into",
    "TryFrom",
    "TryInto",
    "Iterator",
    "IntoIterator",
    "Fn",
    "FnMut",
    "FnOnce",
    "Drop",
    "Sized",
    "ToString",
    "ToOwned",
    "AsRef",
    "AsMut",
    "Ord",
    "PartialOrd",
    "Extend",
    "Unpin",
];

/// Split into words at non-alphanumerics and lower→upper case changes.
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = if i > 0 { chars.get(i - 1) } else { None };
        let next = chars.get(i + 1);
        let boundary = match prev {
            Some(p) if p.is_ascii_alphanumeric() => {
                (c.is_ascii_uppercase() && (p.is_ascii_lowercase() || p.is_ascii_digit()))
                    || (c.is_ascii_uppercase()
                        && p.is_ascii_uppercase()
                        && next.is_some_and(|n| n.is_ascii_lowercase()))
            }
            _ => false,
        };
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `UpperCamelCase`; never empty, never starting with a digit.
pub fn pascal(s: &str) -> String {
    let mut out = String::new();
    for w in words(s) {
        let mut cs = w.chars();
        if let Some(f) = cs.next() {
            out.push(f.to_ascii_uppercase());
            out.extend(cs.map(|c| c.to_ascii_lowercase()));
        }
    }
    if out.is_empty() {
        out.push_str("Unnamed");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'T');
    }
    out
}

/// `snake_case`; never empty, never starting with a digit.
pub fn snake(s: &str) -> String {
    let mut out = words(s)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if out.is_empty() {
        out.push_str("unnamed");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
        out.insert(0, 'n');
    }
    out
}

/// `SCREAMING_SNAKE_CASE` (Python enum members).
pub fn screaming(s: &str) -> String {
    let mut out = snake(s).to_ascii_uppercase();
    if out == "UNNAMED" && !s.is_empty() {
        out = "VALUE".to_string();
    }
    out
}

/// A Rust field, function or module name from any string.
pub fn rust_ident(s: &str) -> String {
    let id = snake(s);
    rust_escape(id)
}

/// Escape a Rust keyword (`r#type`, `self_`).
pub fn rust_escape(id: String) -> String {
    if RUST_NO_RAW.contains(&id.as_str()) {
        format!("{id}_")
    } else if RUST_KEYWORDS.contains(&id.as_str()) {
        format!("r#{id}")
    } else {
        id
    }
}

/// A Python attribute or function name from any string.
pub fn py_ident(s: &str) -> String {
    let id = snake(s);
    py_escape(id)
}

/// Escape a Python keyword, soft keyword, a builtin or module the generated code uses,
/// or a name pydantic reserves: `model_*` gets a `field_` prefix (a suffix would keep it
/// in pydantic's protected namespace), the rest a `_` suffix.
pub fn py_escape(id: String) -> String {
    if id.starts_with("model_") {
        format!("field_{id}")
    } else if PY_KEYWORDS.contains(&id.as_str())
        || matches!(
            id.as_str(),
            "schema"
                | "json"
                | "dict"
                | "copy"
                | "validate"
                | "construct"
                | "parse_obj"
                | "parse_raw"
                | "parse_file"
                | "from_orm"
                | "schema_json"
                | "update_forward_refs"
                | "str"
                | "int"
                | "float"
                | "bool"
                | "list"
                | "bytes"
                | "object"
                | "any"
                | "optional"
                | "literal"
                | "union"
                | "models"
                | "pytest"
                | "datetime"
                | "date"
                | "uuid"
                | "decimal"
                | "field"
        )
    {
        format!("{id}_")
    } else {
        id
    }
}

/// Hands out unique names: a taken name gets the smallest free numeric suffix.
#[derive(Debug, Default)]
pub struct Namer {
    taken: HashSet<String>,
}

impl Namer {
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Namer {
            taken: reserved.iter().map(|s| s.to_string()).collect(),
        }
    }

    pub fn take(&mut self, want: &str) -> String {
        if self.taken.insert(want.to_string()) {
            return want.to_string();
        }
        let mut n = 2usize;
        loop {
            let cand = format!("{want}{n}");
            if self.taken.insert(cand.clone()) {
                return cand;
            }
            n += 1;
        }
    }

    /// Like [`Namer::take`] with `_N` suffixes for snake-case names.
    pub fn take_snake(&mut self, want: &str) -> String {
        if self.taken.insert(want.to_string()) {
            return want.to_string();
        }
        let base = want.trim_end_matches('_');
        let mut n = 2usize;
        loop {
            let cand = format!("{base}_{n}");
            if self.taken.insert(cand.clone()) {
                return cand;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(pascal("resource_created"), "ResourceCreated");
        assert_eq!(pascal("IPv4Namespace"), "IPv4Namespace");
        assert_eq!(pascal("../../etc/x"), "EtcX");
        assert_eq!(pascal("200"), "T200");
        assert_eq!(snake("resourceId"), "resource_id");
        assert_eq!(snake("HTTPServer"), "http_server");
        assert_eq!(rust_ident("type"), "r#type");
        assert_eq!(rust_ident("self"), "self_");
        assert_eq!(py_ident("class"), "class_");
        assert_eq!(py_ident("model_config"), "field_model_config");
        let mut n = Namer::with_reserved(RESERVED_TYPES);
        assert_eq!(n.take("Option"), "Option2");
        assert_eq!(n.take("A"), "A");
        assert_eq!(n.take("A"), "A2");
        assert_eq!(n.take("True"), "True2");
        assert_eq!(n.take("False"), "False2");
        assert_eq!(py_ident("model_dump_"), "field_model_dump");
        assert_eq!(py_ident("match"), "match_");
    }
}
