//! What the schema-evolution `diff` asks of upcasters (issue 18): the upcasters a
//! revision declares (read through its tree, from the files `projections:` lists in
//! its `hnp-events.yaml`), and, for a message whose schema broke, whether a verified
//! upcaster covers the stored events: every example of the old message (in the old
//! revision) upcast through the chain must be valid under the new revision's schemas.
//! A covered breaking change becomes `diff-breaking-upcast-covered` (info); one whose
//! upcaster fails stays breaking, with the reason in its help. The verdict itself is
//! [`super::upcast::covered`].

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::format::{Upcaster, upcaster_of};
use super::upcast::{Cover, Step, Upcasters, Ver, covered};
use crate::diag::{Diagnostic, Severity};
use crate::diff::contract::Finding;
use crate::diff::load::{Revision, Tree, normalize};
use crate::diff::schema::Resolver;
use crate::source::{SourceFile, pointer};

/// At most this many stored events are read per stream.
const MAX_STORED: usize = 100_000;

/// The upcasters of the `*.upcast.yaml` and `*.projection.yaml` files that
/// `prefix/hnp-events.yaml` lists under `projections:` in a tree (`None` when there
/// are none). Files that do not parse or compile are skipped: `validate` reports them.
pub fn declared(tree: &dyn Tree, prefix: &Path) -> Option<Rc<Upcasters>> {
    let read = |p: &Path| -> Option<SourceFile> {
        let bytes = tree.read(p).ok()??;
        let mut diags = Vec::new();
        let f = crate::source::parse_file(p, bytes, Arc::from(tree.display(p)), &mut diags);
        f.value.is_some().then_some(f)
    };
    let cfg = read(&prefix.join(crate::config::CONFIG_FILE))?;
    let listed: Vec<String> = cfg
        .value
        .as_ref()?
        .get("projections")?
        .as_array()?
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let mut ups: Vec<Upcaster> = Vec::new();
    let mut stored = Vec::new();
    // The stored streams an upcast file lists (JSON Lines or a JSON array).
    let mut streams = |file: &SourceFile, dir: &Path| {
        let list = file
            .value
            .as_ref()
            .and_then(|v| v.get("streams"))
            .and_then(Value::as_array);
        for s in list.into_iter().flatten().filter_map(Value::as_str) {
            let Some(p) = normalize(&dir.join(s)) else {
                continue;
            };
            let Ok(Some(bytes)) = tree.read(&p) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            let events: Vec<Value> = match serde_json::from_str::<Value>(&text) {
                Ok(Value::Array(a)) => a,
                _ => text
                    .lines()
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect(),
            };
            for e in events.into_iter().take(MAX_STORED) {
                if e.get("message").and_then(Value::as_str).is_some() {
                    stored.push(e);
                }
            }
        }
    };
    for rel in listed {
        let Some(path) = normalize(&prefix.join(&rel)) else {
            continue;
        };
        if !super::is_event_sourcing_path(&path) {
            continue;
        }
        let Some(file) = read(&path) else { continue };
        let file = Arc::new(file);
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        if super::is_upcast_path(&path) {
            streams(&file, &dir);
        }
        let Some(list) = file
            .value
            .as_ref()
            .and_then(|v| v.get("upcasters"))
            .and_then(Value::as_array)
            .cloned()
        else {
            continue;
        };
        for (i, u) in list.iter().enumerate() {
            match u {
                Value::String(inc) => {
                    let dir = path.parent().unwrap_or(Path::new(""));
                    let Some(ip) = normalize(&dir.join(inc)) else {
                        continue;
                    };
                    let Some(f) = read(&ip) else { continue };
                    let f = Arc::new(f);
                    streams(&f, ip.parent().unwrap_or(Path::new("")));
                    let items = f
                        .value
                        .as_ref()
                        .and_then(|v| v.get("upcasters"))
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    for (j, u) in items.iter().enumerate() {
                        ups.push(upcaster_of(u, format!("/upcasters/{j}"), Some(f.clone())));
                    }
                }
                _ => ups.push(upcaster_of(
                    u,
                    format!("/upcasters/{i}"),
                    Some(file.clone()),
                )),
            }
        }
    }
    let mut out = Upcasters::default();
    out.stored = stored;
    for u in ups {
        let Some(file) = &u.origin else { continue };
        if u.from.name.is_empty() || u.to.name.is_empty() {
            continue;
        }
        let Ok(prog) = super::jq::compile(&u.transform) else {
            continue;
        };
        // The same file listed twice (or included by two projections) adds nothing.
        let _ = out.add(Step {
            from: Ver {
                message: u.from.name.clone(),
                ty: u.from.ty.clone(),
            },
            to: Ver {
                message: u.to.name.clone(),
                ty: u.to.ty.clone(),
            },
            prog,
            at: file.locate(&format!("{}/transform", u.ptr)),
        });
    }
    (!out.is_empty()).then(|| Rc::new(out))
}

/// A schema of a revision with every `$ref` replaced by its target (cycles and
/// unresolved refs become `{}`).
fn inline(
    rev: &Revision,
    file: u32,
    v: &Value,
    stack: &mut Vec<(u32, String)>,
    depth: usize,
) -> Value {
    if depth > 64 {
        return json!({});
    }
    match v {
        Value::Object(m) => {
            if let Some(raw) = m.get("$ref").and_then(Value::as_str) {
                return match rev.resolve(file, raw) {
                    Some((f, p, t)) if !stack.contains(&(f, p.clone())) => {
                        stack.push((f, p));
                        let r = inline(rev, f, t, stack, depth + 1);
                        stack.pop();
                        r
                    }
                    _ => json!({}),
                };
            }
            let mut out = Map::new();
            for (k, c) in m {
                let literal = matches!(
                    k.as_str(),
                    "const" | "enum" | "default" | "examples" | "example"
                );
                out.insert(
                    k.clone(),
                    if literal {
                        c.clone()
                    } else {
                        inline(rev, file, c, stack, depth + 1)
                    },
                );
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|c| inline(rev, file, c, stack, depth + 1))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The compiled `headers` and `payload` schemas of a message of a revision, found
/// under `/components/messages/<name>` of `file`.
type Parts = [Option<jsonschema::Validator>; 2];

fn compile(rev: &Revision, file: u32, name: &str) -> Option<Parts> {
    let ptr = pointer::push("/components/messages", name);
    let m = rev.get(file, &ptr)?;
    let (f, p, m) = rev.deref(file, &ptr, m);
    let mut parts: Parts = [None, None];
    for (i, part) in ["headers", "payload"].into_iter().enumerate() {
        if let Some(s) = m.get(part) {
            let (sf, _, s) = rev.deref(f, &pointer::push(&p, part), s);
            let schema = inline(rev, sf, s, &mut Vec::new(), 0);
            parts[i] = Some(jsonschema::options().build(&schema).ok()?);
        }
    }
    Some(parts)
}

/// The examples of a message of a revision (at `at`) as events of `name`.
fn old_events(rev: &Revision, at: &(u32, String), name: &str) -> Vec<Value> {
    let Some(m) = rev.get(at.0, &at.1) else {
        return Vec::new();
    };
    let (f, p, m) = rev.deref(at.0, &at.1, m);
    let Some(list) = m.get("examples").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .enumerate()
        .map(|(i, ex)| {
            let (_, _, ex) = rev.deref(f, &format!("{p}/examples/{i}"), ex);
            let headers = ex.get("headers").cloned().unwrap_or(Value::Null);
            json!({"message": name, "time": headers.get("time").cloned().unwrap_or(Value::Null), "headers": headers, "payload": ex.get("payload").cloned().unwrap_or(Value::Null)})
        })
        .collect()
}

/// Relax the findings of one message pair (`findings`, all about the message at
/// `old_at` in `old` and `new_at` in `new`, known by `names`) when a verified upcaster
/// covers its stored events; else say why the upcaster does not.
pub fn relax(
    u: &Upcasters,
    old: &Revision,
    old_at: &(u32, String),
    new: &Revision,
    new_at: &(u32, String),
    names: &[String],
    findings: &mut [Finding],
) {
    let breaking = |f: &Finding| {
        f.diag.severity == Severity::Error
            && matches!(
                f.diag.rule,
                "diff-schema-breaking" | "diff-cloudevents-version-not-bumped"
            )
    };
    if !findings.iter().any(breaking) {
        return;
    }
    let Some(name) = names.iter().find(|n| u.starts_at(n)) else {
        return;
    };
    let mut events = old_events(old, old_at, name);
    events.extend(
        u.stored
            .iter()
            .filter(|e| e.get("message").and_then(Value::as_str) == Some(name.as_str()))
            .cloned(),
    );
    let mut cache: HashMap<String, Option<Parts>> = HashMap::new();
    let mut invalid = |m: &str, ev: &Value| -> Option<String> {
        let parts = cache
            .entry(m.to_string())
            .or_insert_with(|| compile(new, new_at.0, m));
        let Some(parts) = parts else {
            return Some(format!("`{m}` is not a message of {}", new.label));
        };
        for (i, part) in ["headers", "payload"].into_iter().enumerate() {
            if let Some(v) = &parts[i] {
                let inst = ev.get(part).unwrap_or(&Value::Null);
                if let Some(e) = v.iter_errors(inst).next() {
                    return Some(format!("{part}{}: {e}", e.instance_path()));
                }
            }
        }
        None
    };
    match covered(u, name, &events, &mut invalid) {
        Cover::None => {}
        Cover::Verified { at, checked } => {
            for f in findings.iter_mut().filter(|f| breaking(f)) {
                let mut d = Diagnostic::new(
                    "diff-breaking-upcast-covered",
                    f.diag.location.clone(),
                    format!(
                        "{} — covered for stored events: the upcaster turns every old `{name}` ({checked} checked: the examples of {} and the stored streams) into a valid one of {}",
                        f.diag.message, old.label, new.label
                    ),
                );
                d.related = std::mem::take(&mut f.diag.related);
                d = d.with_related(at.clone(), "the verified upcaster");
                f.diag = d;
            }
        }
        Cover::Failed { at, why } => {
            for f in findings.iter_mut().filter(|f| breaking(f)) {
                f.diag.help = Some(format!(
                    "an upcaster starts at `{name}` ({at}) but does not cover this change: {why}"
                ));
            }
        }
    }
}
