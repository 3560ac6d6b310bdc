//! SARIF 2.1.0 output (`--format sarif`) for code-scanning upload (GitHub, GitLab,
//! Azure DevOps).
//!
//! One run; `tool.driver.rules` lists every registered rule (in [`RULES`] order, so that
//! `ruleIndex` values are stable across runs), followed by any unregistered rule id that a
//! diagnostic uses. Relative file paths become relative URIs against `%SRCROOT%` (the
//! directory the tool ran in; code-scanning services map it to the repository checkout),
//! absolute paths become `file://` URIs. Columns count Unicode code points
//! (`columnKind: unicodeCodePoints`), like every other hnp-events output.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::Report;
use crate::diag::{Diagnostic, Location, RULES, Severity};

/// `$schema` of the document.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where the tool is documented (`tool.driver.informationUri`).
pub const INFORMATION_URI: &str = "https://github.com/githedgehog/hnp-events";
/// The `uriBaseId` of relative paths.
pub const SRCROOT: &str = "%SRCROOT%";

/// Render the report as a SARIF 2.1.0 log, pretty-printed.
pub fn render(report: &Report<'_>) -> String {
    let mut out = serde_json::to_string_pretty(&to_value(report))
        .expect("serializing a serde_json::Value cannot fail");
    out.push('\n');
    out
}

/// The SARIF log as a JSON value (the document [`render`] prints).
pub fn to_value(report: &Report<'_>) -> Value {
    let mut rules: Vec<Value> = RULES
        .iter()
        .map(|meta| {
            json!({
                "id": meta.id,
                "shortDescription": { "text": meta.summary },
                "fullDescription": { "text": meta.rationale },
                "defaultConfiguration": { "level": level(meta.severity) },
                "help": { "text": meta.rationale },
            })
        })
        .collect();
    let mut rule_index: HashMap<&str, usize> =
        RULES.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
    for diag in report.diagnostics {
        if !rule_index.contains_key(diag.rule) {
            rule_index.insert(diag.rule, rules.len());
            rules.push(json!({ "id": diag.rule }));
        }
    }

    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|diag| result(diag, rule_index.get(diag.rule).copied()))
        .collect();

    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "hnp-events",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// SARIF has no `info`/`hint` levels; both are `note`.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

fn result(diag: &Diagnostic, rule_index: Option<usize>) -> Value {
    let mut obj = Map::new();
    obj.insert("ruleId".into(), diag.rule.into());
    if let Some(index) = rule_index {
        obj.insert("ruleIndex".into(), index.into());
    }
    obj.insert("level".into(), level(diag.severity).into());
    let text = match &diag.help {
        Some(help) => format!("{}\n{}", diag.message, help),
        None => diag.message.clone(),
    };
    obj.insert("message".into(), json!({ "text": text }));
    obj.insert(
        "locations".into(),
        Value::Array(vec![Value::Object(location(&diag.location))]),
    );
    if !diag.related.is_empty() {
        let related = diag
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut loc = Map::new();
                loc.insert("id".into(), (i + 1).into());
                loc.extend(location(&r.location));
                loc.insert("message".into(), json!({ "text": r.message }));
                Value::Object(loc)
            })
            .collect();
        obj.insert("relatedLocations".into(), Value::Array(related));
    }
    Value::Object(obj)
}

/// `physicalLocation` (artifact and region) and, with a JSON pointer, `logicalLocations`.
fn location(loc: &Location) -> Map<String, Value> {
    let mut artifact = Map::new();
    let (uri, relative) = file_uri(&loc.file);
    artifact.insert("uri".into(), uri.into());
    if relative {
        artifact.insert("uriBaseId".into(), SRCROOT.into());
    }
    let mut physical = Map::new();
    physical.insert("artifactLocation".into(), Value::Object(artifact));
    if let Some(span) = loc.span.filter(|s| s.line >= 1 && s.col >= 1) {
        let mut region = Map::new();
        region.insert("startLine".into(), span.line.into());
        region.insert("startColumn".into(), span.col.into());
        let ends_after_start =
            span.end_line > span.line || (span.end_line == span.line && span.end_col >= span.col);
        if ends_after_start {
            region.insert("endLine".into(), span.end_line.into());
            region.insert("endColumn".into(), span.end_col.into());
        }
        physical.insert("region".into(), Value::Object(region));
    }
    let mut out = Map::new();
    out.insert("physicalLocation".into(), Value::Object(physical));
    if let Some(pointer) = &loc.pointer {
        out.insert(
            "logicalLocations".into(),
            json!([{ "fullyQualifiedName": pointer, "kind": "value" }]),
        );
    }
    out
}

/// The URI of a displayed file path, and whether it is relative (to `%SRCROOT%`).
///
/// Backslashes become slashes; characters outside the URI path alphabet (spaces, `%`,
/// `#`, `?`, non-ASCII, …) are percent-encoded as UTF-8. URLs are kept as they are.
fn file_uri(path: &str) -> (String, bool) {
    if has_scheme(path) {
        return (encode(path, b":%#?[]"), false);
    }
    let path = path.replace('\\', "/");
    let bytes = path.as_bytes();
    let drive = bytes.len() >= 2
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && (bytes.len() == 2 || bytes[2] == b'/');
    if drive {
        // `C:/dir/file` → `file:///C:/dir/file`
        (format!("file:///{}", encode(&path, b":")), false)
    } else if let Some(rest) = path.strip_prefix("//") {
        // UNC `//server/share/file` → `file://server/share/file`
        (format!("file://{}", encode(rest, b":")), false)
    } else if path.starts_with('/') {
        (format!("file://{}", encode(&path, b":")), false)
    } else {
        // Relative: a `:` in the first segment would read as a scheme, so encode them all.
        (encode(&path, b""), true)
    }
}

/// `scheme://…` (RFC 3986 scheme, at least two letters so that `C://` is a drive).
fn has_scheme(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once("://") else {
        return false;
    };
    let mut chars = scheme.chars();
    scheme.len() >= 2
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Percent-encode everything but unreserved characters, sub-delimiters, `/`, `@` and the
/// bytes in `also_keep`. Unless kept, `%` is encoded too: file paths hold no escapes.
fn encode(s: &str, also_keep: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'@'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
            )
            || also_keep.contains(&b);
        if keep {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xF)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(file_uri("api.yaml"), ("api.yaml".into(), true));
        assert_eq!(
            file_uri("specs/my api.yaml"),
            ("specs/my%20api.yaml".into(), true)
        );
        assert_eq!(
            file_uri("dir\\a#b%c.yaml"),
            ("dir/a%23b%25c.yaml".into(), true)
        );
        assert_eq!(file_uri("a:b.yaml"), ("a%3Ab.yaml".into(), true));
        assert_eq!(file_uri("ünï.yaml"), ("%C3%BCn%C3%AF.yaml".into(), true));
        assert_eq!(
            file_uri("/abs/x y.yaml"),
            ("file:///abs/x%20y.yaml".into(), false)
        );
        assert_eq!(
            file_uri("C:\\work\\api.yaml"),
            ("file:///C:/work/api.yaml".into(), false)
        );
        assert_eq!(
            file_uri("\\\\server\\share\\a.yaml"),
            ("file://server/share/a.yaml".into(), false)
        );
        assert_eq!(
            file_uri("https://example.com/a b.yaml#/x"),
            ("https://example.com/a%20b.yaml#/x".into(), false)
        );
    }
}
