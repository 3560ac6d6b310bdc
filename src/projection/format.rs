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

/// One side of an upcaster: a message, and optionally the CloudEvents `type` of the
/// version meant (`from: {message: WatchErrored, type: ….watch_errored.v1}`).
#[derive(Debug, Clone)]
pub struct Version {
    pub name: String,
    pub ty: Option<String>,
    pub ptr: String,
}

impl Version {
    /// `Message` or `Message (type …)`, for messages.
    pub fn show(&self) -> String {
        match &self.ty {
            Some(t) => format!("{} ({t})", self.name),
            None => self.name.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Upcaster {
    pub from: Version,
    pub to: Version,
    pub transform: String,
    pub ptr: String,
    /// The `*.upcast.yaml` file it comes from, when the projection includes one
    /// (`None`: the projection file itself; pointers are into `origin`'s file).
    pub origin: Option<std::sync::Arc<SourceFile>>,
}

/// What kind of file a [`Projection`] was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Projection,
    /// An `*.upcast.yaml` file: upcasters only (no reducers, no rows).
    Upcast,
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
    /// Stored streams an upcast file lists (path, where it is named).
    pub streams: Vec<(PathBuf, Named)>,
    pub kind: Kind,
    pub source: SourceFile,
}

impl Projection {
    /// The reducer for a message.
    pub fn reducer(&self, message: &str) -> Option<&Reducer> {
        self.on.iter().find(|r| r.message == message)
    }

    /// The file an upcaster is written in.
    pub fn upcaster_file<'a>(&'a self, u: &'a Upcaster) -> &'a SourceFile {
        u.origin.as_deref().unwrap_or(&self.source)
    }

    /// Where a jq expression at `ptr` has its byte range `start..end`: on the line
    /// and column inside a one-line string or a block scalar; else the string itself.
    pub fn locate_code(&self, ptr: &str, code: &str, start: usize, end: usize) -> Location {
        locate_code(&self.source, ptr, code, start, end)
    }
}

/// [`Projection::locate_code`] in any file.
pub fn locate_code(
    source: &SourceFile,
    ptr: &str,
    code: &str,
    start: usize,
    end: usize,
) -> Location {
    {
        let base = source.locate(ptr);
        let Some(span) = base.span else {
            return base;
        };
        let text = &*source.text;
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

/// Parse a projection (or `*.upcast.yaml`) file that `source::parse_file` has read.
/// Problems go to `diags`; `None` when the file is unusable.
pub fn parse(source: SourceFile, diags: &mut Vec<Diagnostic>) -> Option<Projection> {
    let kind = if super::is_upcast_path(&source.path) {
        Kind::Upcast
    } else {
        Kind::Projection
    };
    let root = source.value.clone()?;
    let (schema, known): (Value, &[&str]) = match kind {
        Kind::Projection => (
            super::json_schema(),
            &[
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
            ],
        ),
        Kind::Upcast => (
            super::schema::upcast_json_schema(),
            &[
                "upcast",
                "version",
                "description",
                "contract",
                "upcasters",
                "streams",
            ],
        ),
    };
    if !conforms(&source, &root, &schema, known, diags) {
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
    let base = source.path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut upcasters = Vec::new();
    if let Some(list) = root.get("upcasters").and_then(Value::as_array) {
        for (i, u) in list.iter().enumerate() {
            let ptr = format!("/upcasters/{i}");
            match u {
                Value::String(path) if kind == Kind::Projection => {
                    let before = diags.len();
                    match include(&base.join(path), &source.display, diags) {
                        Some(more) => upcasters.extend(more),
                        None => {
                            let at = source.locate(&ptr);
                            for d in &mut diags[before..] {
                                d.related.push(crate::diag::Related {
                                    location: at.clone(),
                                    message: "included here".to_string(),
                                });
                            }
                        }
                    }
                }
                _ => upcasters.push(upcaster_of(u, ptr, None)),
            }
        }
    }
    let streams = names("streams")
        .into_iter()
        .map(|n| (base.join(&n.name), n))
        .collect();
    let contract = s("contract");
    let contract_path = base.join(&contract);
    Some(Projection {
        name: s(match kind {
            Kind::Projection => "projection",
            Kind::Upcast => "upcast",
        }),
        version: s("version"),
        contract,
        contract_path,
        key: s("key"),
        idempotency: root
            .get("idempotencyKey")
            .and_then(Value::as_str)
            .map(str::to_string),
        state: root
            .get("state")
            .cloned()
            .unwrap_or(Value::Object(Default::default())),
        initial: root
            .get("initial")
            .cloned()
            .unwrap_or(Value::Object(Default::default())),
        on,
        ignore: names("ignore"),
        snapshot,
        serves: names("serves"),
        upcasters,
        streams,
        kind,
        source,
    })
}

/// Check a file against its JSON Schema; each error is a `projection-invalid` at its node.
fn conforms(
    source: &SourceFile,
    root: &Value,
    schema: &Value,
    known: &[&str],
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let validator = match jsonschema::options().build(schema) {
        Ok(v) => v,
        Err(e) => {
            diags.push(source.diag_at("projection-invalid", "", format!("internal: {e}")));
            return false;
        }
    };
    let before = diags.len();
    for e in validator.iter_errors(root) {
        let at = e.instance_path().to_string();
        let msg = match e.kind() {
            jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
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
                        .and_then(|u| crate::suggest::closest(u, known))
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
    diags.len() == before
}

/// One upcaster object of a file.
pub fn upcaster_of(u: &Value, ptr: String, origin: Option<std::sync::Arc<SourceFile>>) -> Upcaster {
    let version = |f: &str| -> Version {
        let at = format!("{ptr}/{f}");
        match u.get(f) {
            Some(Value::Object(m)) => Version {
                name: m
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                ty: m.get("type").and_then(Value::as_str).map(str::to_string),
                ptr: at,
            },
            v => Version {
                name: v.and_then(Value::as_str).unwrap_or("").to_string(),
                ty: None,
                ptr: at,
            },
        }
    };
    Upcaster {
        from: version("from"),
        to: version("to"),
        transform: u
            .get("transform")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        ptr,
        origin,
    }
}

/// The upcasters of an `*.upcast.yaml` file a projection includes. `None` (with
/// diagnostics) when it cannot be read or does not conform.
fn include(path: &Path, from: &str, diags: &mut Vec<Diagnostic>) -> Option<Vec<Upcaster>> {
    let shown: std::sync::Arc<str> = std::sync::Arc::from(path.to_string_lossy().as_ref());
    let bytes = match crate::fsio::read_regular(path) {
        Ok(b) => b,
        Err(e) => {
            diags.push(Diagnostic::new(
                "projection-invalid",
                Location::file(shown),
                format!(
                    "cannot read the upcast file `{}` that {from} includes: {e}",
                    path.display()
                ),
            ));
            return None;
        }
    };
    let file = crate::source::parse_file(path, bytes, shown, diags);
    let root = file.value.clone()?;
    if !conforms(
        &file,
        &root,
        &super::schema::upcast_json_schema(),
        &[],
        diags,
    ) {
        return None;
    }
    let file = std::sync::Arc::new(file);
    Some(
        root.get("upcasters")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .enumerate()
                    .map(|(i, u)| upcaster_of(u, format!("/upcasters/{i}"), Some(file.clone())))
                    .collect()
            })
            .unwrap_or_default(),
    )
}
