//! The site's content as one JSON value (the templates' context): documents, gate
//! metrics, the flow diagram, the CQRS rows, and a record per channel, message, saga
//! and projection. Built from a loaded [`Arch`]; reads only.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Value, json};

use crate::diag::Diagnostic;
use crate::graph::arch::Arch;
use crate::graph::flow::{self, EdgeKind, NodeKind};
use crate::model::{Action, Spec, Src, Verb};
use crate::source::{FileId, Workspace, pointer};

/// A file-name-safe slug, unique among `taken`.
fn slug(name: &str, taken: &mut BTreeSet<String>) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_matches('-').chars().take(80).collect::<String>();
    let base = if s.is_empty() { "item".to_string() } else { s };
    let mut out = base.clone();
    let mut n = 2;
    while !taken.insert(out.clone()) {
        out = format!("{base}-{n}");
        n += 1;
    }
    out
}

fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        _ => serde_json::to_string(v).unwrap_or_default(),
    }
}

/// Findings at or under an item.
fn findings_at(all: &[Diagnostic], file: &str, ptr: &str) -> Vec<Value> {
    all.iter()
        .filter(|d| {
            &*d.location.file == file
                && d.location.pointer.as_deref().is_some_and(|p| {
                    p == ptr || (p.starts_with(ptr) && p.as_bytes().get(ptr.len()) == Some(&b'/'))
                })
        })
        .map(|d| {
            json!({
                "rule": d.rule,
                "severity": d.severity.as_str(),
                "message": d.message,
                "location": d.location.to_string(),
            })
        })
        .collect()
}

/// `x-hnp-*` declarations and bindings of an item, as `key: value` pairs.
fn declarations(
    ws: &Workspace,
    exts: &[crate::model::Extension],
    bindings: Option<&Src>,
) -> Vec<Value> {
    let mut out = Vec::new();
    for e in exts.iter().filter(|e| e.key.starts_with("x-hnp-")) {
        if let Some(v) = crate::classify::value_at(ws, &e.src) {
            out.push(json!({"key": e.key, "value": compact(v)}));
        }
    }
    if let Some(b) = bindings {
        if let Some(Value::Object(m)) = crate::classify::value_at(ws, b) {
            for (proto, v) in m {
                out.push(json!({"key": format!("bindings.{proto}"), "value": compact(v)}));
            }
        }
    }
    out
}

/// One row per property of a schema (nested objects flattened with dotted paths),
/// following `$ref`s and `allOf`. A property declared in several `allOf` parts and in
/// the schema itself is one row: the instance must satisfy all of them, so the
/// constraints are joined, and it is required when any of those schemas requires it.
fn schema_rows(ws: &Workspace, file: FileId, schema: &Value) -> Vec<Value> {
    let mut rows = Rows::default();
    walk_schema(ws, file, schema, "", &mut rows, 0, &mut Vec::new());
    rows.rows
}

#[derive(Default)]
struct Rows {
    rows: Vec<Value>,
    /// Row index by path.
    index: HashMap<String, usize>,
}

impl Rows {
    fn add(&mut self, path: &str, row: Value) {
        let Some(&i) = self.index.get(path) else {
            self.index.insert(path.to_string(), self.rows.len());
            self.rows.push(row);
            return;
        };
        let old = &mut self.rows[i];
        for k in ["type", "description", "example"] {
            if old[k].as_str().is_some_and(str::is_empty) {
                old[k] = row[k].clone();
            }
        }
        if row["required"] == true {
            old["required"] = Value::Bool(true);
        }
        let joined = {
            let a = old["constraints"].as_str().unwrap_or_default();
            let b = row["constraints"].as_str().unwrap_or_default();
            let mut parts: Vec<&str> = a.split("; ").filter(|p| !p.is_empty()).collect();
            for p in b.split("; ").filter(|p| !p.is_empty()) {
                if !parts.contains(&p) {
                    parts.push(p);
                }
            }
            parts.join("; ")
        };
        old["constraints"] = Value::String(joined);
    }

    fn require(&mut self, path: &str) {
        if let Some(&i) = self.index.get(path) {
            self.rows[i]["required"] = Value::Bool(true);
        }
    }
}

fn constraints(s: &Value) -> String {
    let mut c = Vec::new();
    for k in [
        "format",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "multipleOf",
        "const",
        "default",
    ] {
        if let Some(v) = s.get(k) {
            c.push(format!("{k}: {}", compact(v)));
        }
    }
    if let Some(Value::Array(e)) = s.get("enum") {
        let vals: Vec<String> = e.iter().map(compact).collect();
        c.push(format!("one of: {}", vals.join(", ")));
    }
    c.join("; ")
}

fn type_of(s: &Value) -> String {
    match s.get("type") {
        Some(Value::String(t)) => {
            if t == "array" {
                let item = s
                    .get("items")
                    .and_then(|i| i.get("type"))
                    .map(compact)
                    .unwrap_or_default();
                if item.is_empty() {
                    "array".to_string()
                } else {
                    format!("array of {item}")
                }
            } else {
                t.clone()
            }
        }
        Some(Value::Array(ts)) => ts.iter().map(compact).collect::<Vec<_>>().join(" | "),
        _ if s.get("enum").is_some() => "enum".to_string(),
        _ if s.get("oneOf").is_some() => "one of".to_string(),
        _ if s.get("anyOf").is_some() => "any of".to_string(),
        _ if s.get("properties").is_some() => "object".to_string(),
        _ => String::new(),
    }
}

fn walk_schema(
    ws: &Workspace,
    file: FileId,
    schema: &Value,
    prefix: &str,
    rows: &mut Rows,
    depth: usize,
    seen: &mut Vec<String>,
) {
    if depth > 5 || rows.rows.len() > 400 {
        return;
    }
    let (f, ptr, s) = ws.deref(file, schema);
    if let Some(p) = &ptr {
        let key = format!("{}:{p}", f.0);
        if seen.contains(&key) {
            return;
        }
        seen.push(key);
    }
    if let Some(Value::Array(parts)) = s.get("allOf") {
        for p in parts {
            walk_schema(ws, f, p, prefix, rows, depth + 1, seen);
        }
    }
    let path_of = |name: &str| {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        }
    };
    let required: BTreeSet<&str> = s
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(Value::Object(props)) = s.get("properties") {
        for (name, p) in props {
            let (pf, _, ps) = ws.deref(f, p);
            let path = path_of(name);
            let example = ps
                .get("example")
                .or_else(|| ps.get("examples").and_then(|e| e.get(0)))
                .map(compact)
                .unwrap_or_default();
            rows.add(
                &path,
                json!({
                    "path": path,
                    "type": type_of(ps),
                    "required": required.contains(name.as_str()),
                    "constraints": constraints(ps),
                    "description": ps.get("description").map(compact).unwrap_or_default(),
                    "example": example,
                }),
            );
            if ps.get("properties").is_some() || ps.get("allOf").is_some() {
                walk_schema(ws, pf, p, &path, rows, depth + 1, seen);
            }
        }
    }
    // `required` names properties wherever they are declared (an `allOf` part too).
    for name in &required {
        rows.require(&path_of(name));
    }
    if let Some(p) = &ptr {
        let key = format!("{}:{p}", f.0);
        seen.retain(|k| *k != key);
    }
}

/// The CloudEvents `type` of a message: its headers schema's `const` or one-value
/// `enum`, else its own first example's (a shared headers schema's examples belong to
/// other messages).
fn ce_type(ws: &Workspace, msg: &crate::model::Message) -> Option<String> {
    let from_example = || {
        let m = crate::classify::value_at(ws, &msg.src)?;
        let h = m.get("examples")?.get(0)?.get("headers")?;
        ["type", "ce_type", "ce-type"]
            .iter()
            .find_map(|k| h.get(*k))
            .map(compact)
    };
    let h = msg.headers.as_ref()?;
    let v = crate::classify::value_at(ws, &h.src)?;
    let (f, _, s) = ws.deref(h.src.file, v);
    let props = s.get("properties")?.as_object()?;
    let t = ["type", "ce_type", "ce-type"]
        .iter()
        .find_map(|k| props.get(*k))?;
    let (_, _, t) = ws.deref(f, t);
    t.get("const")
        .or_else(|| {
            t.get("enum")
                .and_then(Value::as_array)
                .filter(|e| e.len() == 1)
                .and_then(|e| e.first())
        })
        .map(compact)
        .or_else(from_example)
}

fn spec_text(s: &Spec) -> String {
    match s {
        Spec::AsyncApi(v) => format!("AsyncAPI {v}"),
        Spec::OpenApi(v) => format!("OpenAPI {v}"),
        Spec::Swagger => "Swagger 2.0".to_string(),
    }
}

/// Build the context. `flow_svg`/`flow_mermaid` are the overview's diagram.
pub fn build(arch: &Arch) -> Value {
    let ws = &arch.ws;
    // The flow diagram marks the nodes with gate misses, like `graph --with-findings`.
    let mut graph = flow::build(arch);
    flow::overlay_findings(&mut graph, &arch.findings);
    let mut taken_ch = BTreeSet::new();
    let mut taken_msg = BTreeSet::new();
    let mut taken_saga = BTreeSet::new();
    let mut taken_proj = BTreeSet::new();
    // Producers and consumers of messages, by name, from the flow graph.
    let mut producers: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut consumers: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for e in &graph.edges {
        let (a, b) = (&graph.nodes[e.from], &graph.nodes[e.to]);
        match e.kind {
            EdgeKind::Emits | EdgeKind::Step | EdgeKind::Compensates
                if b.kind == NodeKind::Message =>
            {
                producers
                    .entry(b.name.as_str())
                    .or_default()
                    .insert(format!("{} {}", a.kind.as_str(), a.name));
            }
            EdgeKind::Consumes if a.kind == NodeKind::Message => {
                consumers
                    .entry(a.name.as_str())
                    .or_default()
                    .insert(format!("{} {}", b.kind.as_str(), b.name));
            }
            _ => {}
        }
    }
    let documents: Vec<Value> = arch
        .model
        .documents
        .iter()
        .map(|d| {
            json!({
                "file": ws.file(d.src.file).display.to_string(),
                "spec": spec_text(&d.spec),
                "title": d.title.clone().unwrap_or_default(),
                "version": d.version.clone().unwrap_or_default(),
                "channels": d.channels.len(),
                "operations": d.operations.len(),
                "messages": d.messages.len(),
            })
        })
        .collect();
    // Messages: one page per name (the flow graph merges them by name too).
    let mut msg_slug: HashMap<String, String> = HashMap::new();
    let mut messages: Vec<Value> = Vec::new();
    let mut channels: Vec<Value> = Vec::new();
    for doc in &arch.model.documents {
        if !matches!(doc.spec, Spec::AsyncApi(_)) {
            continue;
        }
        for m in &doc.messages {
            let name = crate::gates::util::message_name(m);
            if msg_slug.contains_key(&name) {
                continue;
            }
            let s = slug(&name, &mut taken_msg);
            msg_slug.insert(name.clone(), s.clone());
            let file = ws.file(m.src.file).display.to_string();
            let schema_of = |r: &Option<crate::model::SchemaRef>| -> Vec<Value> {
                r.as_ref()
                    .and_then(|r| {
                        crate::classify::value_at(ws, &r.src)
                            .map(|v| schema_rows(ws, r.src.file, v))
                    })
                    .unwrap_or_default()
            };
            let examples: Vec<String> = crate::classify::value_at(ws, &m.src)
                .and_then(|v| v.get("examples"))
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|e| serde_json::to_string_pretty(e).unwrap_or_default())
                        .collect()
                })
                .unwrap_or_default();
            let chans: Vec<String> = doc
                .channels
                .iter()
                .filter(|c| {
                    c.messages
                        .iter()
                        .any(|&i| doc.messages.get(i).is_some_and(|x| x.src == m.src))
                })
                .map(|c| c.address.clone().unwrap_or_else(|| c.key.clone()))
                .collect();
            messages.push(json!({
                "slug": s,
                "name": name,
                "title": m.title.clone().unwrap_or_default(),
                "summary": crate::classify::value_at(ws, &m.src).and_then(|v| v.get("summary")).map(compact).unwrap_or_default(),
                "location": ws.file(m.src.file).locate_key(&m.src.pointer).to_string(),
                "content_type": m.content_type.clone().unwrap_or_default(),
                "ce_type": ce_type(ws, m).unwrap_or_default(),
                "correlation": m.correlation_id.as_ref().and_then(|c| c.location.clone()).unwrap_or_default(),
                "headers": schema_of(&m.headers),
                "payload": schema_of(&m.payload),
                "examples": examples,
                "producers": producers.get(name.as_str()).cloned().unwrap_or_default(),
                "consumers": consumers.get(name.as_str()).cloned().unwrap_or_default(),
                "channels": chans,
                "declarations": declarations(ws, &m.extensions, m.bindings.as_ref()),
                "findings": findings_at(&arch.findings, &file, &m.src.pointer),
            }));
        }
    }
    for doc in &arch.model.documents {
        if !matches!(doc.spec, Spec::AsyncApi(_)) {
            continue;
        }
        for (ci, c) in doc.channels.iter().enumerate() {
            let address = c.address.clone().unwrap_or_else(|| c.key.clone());
            let s = slug(&address, &mut taken_ch);
            let file = ws.file(c.src.file).display.to_string();
            let mut sends = Vec::new();
            let mut receives = Vec::new();
            let mut op_decls = Vec::new();
            for op in doc.operations.iter().filter(|o| o.channel == Some(ci)) {
                let id = op
                    .operation_id
                    .clone()
                    .or_else(|| op.key.clone())
                    .unwrap_or_else(|| op.src.pointer.clone());
                match op.action {
                    Some(Action::Send) => sends.push(id.clone()),
                    Some(Action::Receive) => receives.push(id.clone()),
                    None => {}
                }
                for d in declarations(ws, &op.extensions, op.bindings.as_ref()) {
                    op_decls.push(json!({"operation": id, "key": d["key"], "value": d["value"]}));
                }
            }
            let msgs: Vec<Value> = c
                .messages
                .iter()
                .filter_map(|&i| doc.messages.get(i))
                .map(|m| {
                    let n = crate::gates::util::message_name(m);
                    json!({"name": n, "slug": msg_slug.get(&n).cloned().unwrap_or_default()})
                })
                .collect();
            channels.push(json!({
                "slug": s,
                "name": address,
                "key": c.key,
                "description": c.description.clone().unwrap_or_default(),
                "location": ws.file(c.src.file).locate_key(&c.src.pointer).to_string(),
                "messages": msgs,
                "producers": sends,
                "consumers": receives,
                "declarations": declarations(ws, &c.extensions, c.bindings.as_ref()),
                "operation_declarations": op_decls,
                "findings": findings_at(&arch.findings, &file, &c.src.pointer),
            }));
        }
    }
    let link = |name: &str| msg_slug.get(name).cloned().unwrap_or_default();
    let names = |v: &[crate::saga::format::Named]| -> Vec<Value> {
        v.iter()
            .map(|n| json!({"name": n.name, "slug": link(&n.name)}))
            .collect()
    };
    let sagas: Vec<Value> = arch
        .sagas
        .iter()
        .map(|saga| {
            let m = crate::graph::machine::build(saga);
            let step_row = |st: &crate::saga::format::Step, extra: &[String]| {
                    let comp: Vec<String> = st
                        .compensation
                        .iter()
                        .map(|c| {
                            let mut s = format!("send {} → {}", c.send.name, c.confirm.name);
                            if let Some(t) = c.timeout {
                                s.push_str(&format!(" (timeout {})", crate::graph::machine::duration(t)));
                            }
                            s
                        })
                        .collect();
                    let mut flags: Vec<String> = extra.to_vec();
                    if st.pivot {
                        flags.push("pivot".to_string());
                    }
                    if st.read_only {
                        flags.push("read-only".to_string());
                    }
                    json!({
                        "id": st.id,
                        "send": st.send.as_ref().map(|s| json!({"name": s.name, "slug": link(&s.name)})),
                        "on": names(&st.on),
                        "fail": names(&st.fail),
                        "timeout": st.timeout.map(crate::graph::machine::duration).unwrap_or_default(),
                        "on_timeout": match st.on_timeout {
                            Some(crate::saga::format::OnTimeout::Retry) => "retry",
                            Some(crate::saga::format::OnTimeout::Fail) => "fail",
                            Some(crate::saga::format::OnTimeout::Complete) => "complete",
                            None => "",
                        },
                        "retry": if st.has_retry { format!("×{}, backoff {}", st.retry.max, crate::graph::machine::duration(st.retry.backoff)) } else { String::new() },
                        "compensation": comp.join("; "),
                        "p95": st.p95.map(crate::graph::machine::duration).unwrap_or_default(),
                        "flags": flags.join(", "),
                    })
                };
            // Rows in document order: steps, the steps of parallel groups, and each
            // branch (its wait, with its timeout) before the steps of its cases.
            use crate::saga::format::Node;
            let mut steps: Vec<Value> = Vec::new();
            let mut shown = vec![false; saga.steps.len()];
            fn walk<'s>(
                saga: &'s crate::saga::format::Saga,
                ids: &[usize],
                case: Option<String>,
                out: &mut Vec<(Option<usize>, Option<&'s crate::saga::format::Branch>, Vec<String>)>,
            ) {
                let tag: Vec<String> = case.iter().cloned().collect();
                for &id in ids {
                    match saga.nodes.get(id) {
                        Some(Node::Step(s)) => out.push((Some(*s), None, tag.clone())),
                        Some(Node::Parallel { steps, .. }) => {
                            for s in steps {
                                let mut t = tag.clone();
                                t.push("parallel".to_string());
                                out.push((Some(*s), None, t));
                            }
                        }
                        Some(Node::Branch(b)) => {
                            out.push((None, Some(b), tag.clone()));
                            for (c, body) in &b.cases {
                                walk(saga, body, Some(format!("case {c} of {}", b.id)), out);
                            }
                        }
                        None => {}
                    }
                }
            }
            let mut order = Vec::new();
            walk(saga, &saga.top, None, &mut order);
            for (step, branch, tag) in order {
                if let Some(i) = step {
                    if let (Some(st), Some(seen)) = (saga.steps.get(i), shown.get_mut(i)) {
                        *seen = true;
                        steps.push(step_row(st, &tag));
                    }
                } else if let Some(b) = branch {
                    let mut flags = tag.clone();
                    let cases: Vec<&str> = b.cases.iter().map(|(c, _)| c.as_str()).collect();
                    flags.push(format!("branch on {}: {}", b.pointer, cases.join(", ")));
                    steps.push(json!({
                        "id": b.id,
                        "send": Value::Null,
                        "on": names(std::slice::from_ref(&b.on)),
                        "fail": [],
                        "timeout": b.timeout.map(crate::graph::machine::duration).unwrap_or_default(),
                        "on_timeout": if b.timeout.is_some() { "fail" } else { "" },
                        "retry": "",
                        "compensation": "",
                        "p95": "",
                        "flags": flags.join(", "),
                    }));
                }
            }
            // Anything the walk did not reach (none expected) still gets its row.
            for (st, seen) in saga.steps.iter().zip(&shown) {
                if !seen {
                    steps.push(step_row(st, &[]));
                }
            }
            json!({
                "slug": slug(&saga.name, &mut taken_saga),
                "name": saga.name,
                "version": saga.version,
                "file": saga.source.display.to_string(),
                "contract": saga.contract,
                "correlation": saga.correlation,
                "start": saga.start.iter().map(|st| json!({"name": st.message.name, "slug": link(&st.message.name)})).collect::<Vec<_>>(),
                "emits_complete": names(&saga.emits_complete),
                "emits_failure": names(&saga.emits_failure),
                "steps": steps,
                "svg": crate::graph::render::machine_svg(&m),
                "mermaid": crate::graph::render::machine_mermaid(&m),
                "findings": findings_at(&arch.findings, &saga.source.display, ""),
            })
        })
        .collect();
    let projections: Vec<Value> = arch
        .projections
        .iter()
        .map(|p| {
            let state = schema_rows_plain(&p.state);
            json!({
                "slug": slug(&p.name, &mut taken_proj),
                "name": p.name,
                "version": p.version,
                "file": p.source.display.to_string(),
                "contract": p.contract,
                "key": p.key,
                "handles": p.on.iter().map(|r| json!({"name": r.message, "slug": link(&r.message), "reducer": r.code})).collect::<Vec<_>>(),
                "ignore": p.ignore.iter().map(|n| json!({"name": n.name, "slug": link(&n.name)})).collect::<Vec<_>>(),
                "serves": p.serves.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
                "snapshot": p.snapshot.as_ref().map(|s| s.every).unwrap_or_default(),
                "upcasters": p.upcasters.iter().map(|u| format!("{} → {}", u.from.name, u.to.name)).collect::<Vec<_>>(),
                "state": state,
                "findings": findings_at(&arch.findings, &p.source.display, ""),
            })
        })
        .collect();
    let cqrs: Vec<Value> = arch
        .rows
        .iter()
        .map(|r| {
            json!({
                "kind": r.kind.as_str(),
                "id": r.id,
                "what": r.what,
                "location": r.location.to_string(),
                "reason": r.reason,
                "emits": r.emits,
                "consumers": r.consumers,
            })
        })
        .collect();
    let metrics: Vec<Value> = arch
        .metrics
        .iter()
        .map(|m| {
            json!({
                "name": m.name,
                "value": m.value_text(),
                "numerator": m.numerator,
                "denominator": m.denominator,
                "threshold": m.threshold_text(),
                "status": m.status.as_str(),
            })
        })
        .collect();
    let http_ops = arch
        .model
        .documents
        .iter()
        .flat_map(|d| &d.operations)
        .filter(|o| matches!(o.verb, Verb::Http { .. }))
        .count();
    let title = arch
        .model
        .documents
        .iter()
        .find_map(|d| d.title.clone())
        .unwrap_or_else(|| "Event architecture".to_string());
    json!({
        "title": title,
        "generator": format!("hnp-events {}", env!("CARGO_PKG_VERSION")),
        "documents": documents,
        "metrics": metrics,
        "gates_skipped": arch.gates_skipped.clone().unwrap_or_default(),
        "findings_total": arch.findings.len(),
        "flow_svg": crate::graph::render::flow_svg(&graph, "event flow"),
        "flow_mermaid": crate::graph::render::flow_mermaid(&graph),
        "cqrs": cqrs,
        "cqrs_summary": crate::classify::summary(&arch.rows).trim().to_string(),
        "http_operations": http_ops,
        "channels": channels,
        "messages": messages,
        "sagas": sagas,
        "projections": projections,
        // Set by `docs --base REV` (src/cli/docs.rs): the changelog from `diff`.
        "changelog": Value::Null,
    })
}

/// Rows of a schema written inline (a projection's `state`; `$ref`s not followed).
fn schema_rows_plain(schema: &Value) -> Vec<Value> {
    let mut rows = Vec::new();
    let required: BTreeSet<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(Value::Object(props)) = schema.get("properties") {
        for (name, p) in props {
            let ty = match p.get("$ref").and_then(Value::as_str) {
                Some(r) => pointer::parse(r.split('#').nth(1).unwrap_or(""))
                    .and_then(|t| t.last().cloned())
                    .unwrap_or_else(|| r.to_string()),
                None => type_of(p),
            };
            rows.push(json!({
                "path": name,
                "type": ty,
                "required": required.contains(name.as_str()),
                "constraints": constraints(p),
                "description": p.get("description").map(compact).unwrap_or_default(),
                "example": "",
            }));
        }
    }
    rows
}
