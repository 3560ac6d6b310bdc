//! The projection file format (`*.projection.yaml`, YAML or JSON): the typed model and
//! its parser. The file is checked against its own JSON Schema ([`super::json_schema`]);
//! every problem is a `projection-invalid` diagnostic at the offending node.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::diag::{Diagnostic, Location, Span};
use crate::source::{SourceFile, pointer};

/// A message name with the pointer where the file names it.
#[derive(Debug, Clone)]
pub struct Named {
    pub name: String,
    pub ptr: String,
}

/// One reducer: `on.<message>: <jq>`.
#[derive(Debug, Clone)]
pub struct Reducer {
    pub message: String,
    pub ptr: String,
    pub code: String,
}

#[derive(Debug, Clone)]
pub struct Snapshot {
    pub every: u64,
    pub persist: Option<String>,
    pub restore: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Upcaster {
    pub from: Named,
    pub to: Named,
    pub transform: String,
    pub ptr: String,
}

/// A parsed projection.
#[derive(Debug)]
pub struct Projection {
    pub name: String,
    pub version: String,
    pub contract: String,
    pub contract_path: PathBuf,
    pub key: String,
    pub idempotency: Option<String>,
    /// The state schema as written (may hold `$ref`s relative to this file).
    pub state: Value,
    pub initial: Value,
    pub on: Vec<Reducer>,
    pub ignore: Vec<Named>,
    pub snapshot: Option<Snapshot>,
    pub serves: Vec<Named>,
    pub upcasters: Vec<Upcaster>,
    pub source: SourceFile,
}

impl Projection {
    /// The reducer for a message.
    pub fn reducer(&self, message: &str) -> Option<&Reducer> {
        self.on.iter().find(|r| r.message == message)
    }

    /// Where a jq expression at `ptr` has its byte range `start..end`: on the line
    /// and column inside a one-line string or a block scalar; else the string itself.
    pub fn locate_code(&self, ptr: &str, code: &str, start: usize, end: usize) -> Location {
        let base = self.source.locate(ptr);
        let Some(span) = base.span else {
            return base;
        };
        let text = &*self.source.text;
        let at = text.get(span.start..).unwrap_or("");
        let start = start.min(code.len());
        let end = end.clamp(start, code.len());
        let before = &code[..start];
        let nl = before.matches('\n').count() as u32;
        let col_in_line = before.rsplit('\n').next().unwrap_or("").chars().count() as u32;
        let width = code[start..end].chars().count().max(1) as u32;
        if at.starts_with('|') || at.starts_with('>') {
            // Block scalar: the code starts on the next line, indented.
            let line = span.line + 1 + nl;
            let indent = text
                .lines()
                .nth(line as usize - 1)
                .map(|l| l.len() - l.trim_start().len())
                .unwrap_or(0) as u32;
            let col = indent + col_in_line + 1;
            return Location {
                file: base.file.clone(),
                span: Some(Span {
                    line,
                    col,
                    end_line: line,
                    end_col: col + width,
                    start: span.start,
                    end: span.start,
                }),
                pointer: base.pointer,
            };
        }
        if span.line == span.end_line && nl == 0 {
            let quote = u32::from(at.starts_with('\'') || at.starts_with('"'));
            let col = span.col + quote + col_in_line;
            let bstart = span.start + quote as usize + start;
            return Location {
                file: base.file.clone(),
                span: Some(Span {
                    line: span.line,
                    col,
                    end_line: span.line,
                    end_col: col + width,
                    start: bstart,
                    end: (bstart + (end - start)).min(span.end.max(bstart)),
                }),
                pointer: base.pointer,
            };
        }
        base
    }
}

/// Parse a projection file that `source::parse_file` has read. Problems go to `diags`;
/// `None` when the file is unusable.
pub fn parse(source: SourceFile, diags: &mut Vec<Diagnostic>) -> Option<Projection> {
    let root = source.value.clone()?;
    let schema = super::json_schema();
    let validator = match jsonschema::options().build(&schema) {
        Ok(v) => v,
        Err(e) => {
            diags.push(source.diag_at("projection-invalid", "", format!("internal: {e}")));
            return None;
        }
    };
    let before = diags.len();
    for e in validator.iter_errors(&root) {
        let at = e.instance_path().to_string();
        let msg = match e.kind() {
            jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                let known = [
                    "projection",
                    "version",
                    "description",
                    "contract",
                    "key",
                    "idempotencyKey",
                    "state",
                    "initial",
                    "on",
                    "ignore",
                    "snapshot",
                    "serves",
                    "upcasters",
                ];
                let mut m = format!(
                    "unknown field{} {}",
                    if unexpected.len() == 1 { "" } else { "s" },
                    unexpected
                        .iter()
                        .map(|u| format!("`{u}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                if at.is_empty() {
                    if let Some(s) = unexpected
                        .first()
                        .and_then(|u| crate::suggest::closest(u, &known))
                    {
                        m.push_str(&format!("; did you mean `{s}`?"));
                    }
                }
                m
            }
            _ => e.to_string(),
        };
        diags.push(source.diag_at("projection-invalid", &at, msg));
    }
    if diags.len() > before {
        return None;
    }
    let s = |k: &str| -> String {
        match root.get(k) {
            Some(Value::String(s)) => s.clone(),
            Some(v @ Value::Number(_)) => v.to_string(),
            _ => String::new(),
        }
    };
    let names = |k: &str| -> Vec<Named> {
        root.get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .enumerate()
                    .filter_map(|(i, v)| {
                        Some(Named {
                            name: v.as_str()?.to_string(),
                            ptr: format!("/{k}/{i}"),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let on = root
        .get("on")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| Reducer {
                    message: k.clone(),
                    ptr: pointer::push("/on", k),
                    code: v.as_str().unwrap_or(".").to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let snapshot = root.get("snapshot").map(|v| Snapshot {
        every: v.get("every").and_then(Value::as_u64).unwrap_or(1).max(1),
        persist: v.get("persist").and_then(Value::as_str).map(str::to_string),
        restore: v.get("restore").and_then(Value::as_str).map(str::to_string),
    });
    let upcasters = root
        .get("upcasters")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .enumerate()
                .map(|(i, u)| {
                    let ptr = format!("/upcasters/{i}");
                    let field =
                        |f: &str| u.get(f).and_then(Value::as_str).unwrap_or("").to_string();
                    Upcaster {
                        from: Named {
                            name: field("from"),
                            ptr: format!("{ptr}/from"),
                        },
                        to: Named {
                            name: field("to"),
                            ptr: format!("{ptr}/to"),
                        },
                        transform: field("transform"),
                        ptr,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let contract = s("contract");
    let base = source.path.parent().unwrap_or(Path::new("."));
    let contract_path = base.join(&contract);
    Some(Projection {
        name: s("projection"),
        version: s("version"),
        contract,
        contract_path,
        key: s("key"),
        idempotency: root
            .get("idempotencyKey")
            .and_then(Value::as_str)
            .map(str::to_string),
        state: root.get("state").cloned().unwrap_or(Value::Null),
        initial: root.get("initial").cloned().unwrap_or(Value::Null),
        on,
        ignore: names("ignore"),
        snapshot,
        serves: names("serves"),
        upcasters,
        source,
    })
}
