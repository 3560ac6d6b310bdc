//! Projection modules: the template context of one module per projection file (a row
//! type from `state`, a `Reducers` trait / `Protocol` with one `on_<message>` method per
//! handled message, a read model that dispatches events to them, a snapshot type) and
//! the streams of its generated tests. The streams are the fixture streams beside the
//! projection (`streams/*.jsonl`), folded by the simulator at generation time: the
//! generated tests replay the same events through the user's reducers and expect the
//! simulator's rows.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::Lang;
use super::api::Api;
use super::names::{Namer, pascal, py_escape, rust_escape, snake};
use super::saga;
use super::types::{Field, Kind, Ty, TypeSet};
use crate::diag::{Diagnostic, Severity};
use crate::projection::compiled::Compiled;
use crate::projection::replay::{Folder, read_stream};
use crate::projection::upcast::{Schemas, upcast_with};
use crate::projection::{Checked, Projection};
use crate::saga::contract::Contract;
use crate::source::{FileId, Workspace, pointer};

/// A stream file larger than this gets no generated test (its events are embedded).
const MAX_STREAM_BYTES: u64 = 512 * 1024;
/// A stream with more events than this gets no generated test.
const MAX_STREAM_EVENTS: usize = 500;

/// One fixture stream of a generated test.
#[derive(Debug, Clone)]
pub struct Stream {
    /// The file name (`sync-status-happy.jsonl`).
    pub file: String,
    /// Where it is, as shown (relative to where the run started, like the projection).
    pub shown: String,
    /// The events fed to the reducers, `(message, {headers, payload})`, upcast as the
    /// simulator folds them; events the projection ignores or does not handle included.
    pub events: Vec<(String, Value)>,
    /// Events of the file left out: the simulator folds nothing from them (not valid
    /// under the contract, no key, the reducer fails, an upcast fails).
    pub left_out: usize,
    /// The rows the simulator folds from the stream.
    pub rows: BTreeMap<String, Value>,
    /// The handled messages whose redelivery (the same event again) the simulator found
    /// changes no row on this stream: a redelivery must change nothing in the tests too.
    pub redelivered: Vec<String>,
}

/// A projection file ready for generation: parsed, checked, its streams folded.
#[derive(Debug)]
pub struct Prepared {
    pub projection: Projection,
    pub streams: Vec<Stream>,
    /// Streams beside it that get no test, and why (comments in the generated tests).
    pub notes: Vec<String>,
    /// Its row type in the type set, once [`add_rows`] has run.
    pub row: Option<usize>,
}

fn line(d: &Diagnostic) -> String {
    format!("{}: {}: {}", d.location, d.rule, d.message)
}

/// Why a projection file gets no module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The file or its contract cannot be used (not read, parsed, or compiled).
    Unusable(Vec<String>),
    /// The checks `validate` runs report errors (`--allow-invalid` generates anyway).
    Findings(Vec<String>),
}

/// Load, check and fold a projection file. `Ok(None)` for an `*.upcast.yaml` file (no
/// module: the projections that include it use it).
pub fn prepare(path: &Path, allow_invalid: bool) -> Result<Option<Prepared>, Refused> {
    if crate::projection::is_upcast_path(path) {
        return Ok(None);
    }
    let shown: Arc<str> = Arc::from(path.to_string_lossy().as_ref());
    let checked = crate::projection::load_and_check(path, shown)
        .map_err(|(d, _)| Refused::Unusable(d.iter().map(line).collect()))?;
    let Checked {
        projection,
        ws,
        compiled,
        diagnostics,
        ..
    } = checked;
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(line)
        .collect();
    let Some(compiled) = compiled else {
        return Err(Refused::Unusable(errors));
    };
    if !errors.is_empty() && !allow_invalid {
        return Err(Refused::Findings(errors));
    }
    let contract = Contract::new(&ws)
        .map_err(|e| Refused::Unusable(vec![format!("{}: {e}", path.display())]))?;
    let (streams, notes) = fold_streams(&projection, &compiled, &contract);
    drop(contract);
    Ok(Some(Prepared {
        projection,
        streams,
        notes,
        row: None,
    }))
}

/// Rules whose finding means the simulator folded nothing from the event.
const NOT_FOLDED: &[&str] = &[
    "projection-event-invalid",
    "projection-upcast-invalid",
    "projection-key-missing",
    "projection-reducer-failed",
];

fn findings(f: &Folder<'_>) -> (usize, BTreeMap<&'static str, usize>) {
    (f.out.violations.len(), f.out.suppressed.clone())
}

/// The streams beside a projection (`streams/*.jsonl` in its folder) that it folds
/// something from, each folded by the simulator; and notes on those left out.
fn fold_streams(
    p: &Projection,
    c: &Compiled,
    contract: &Contract<'_>,
) -> (Vec<Stream>, Vec<String>) {
    let dir = p
        .source
        .path
        .parent()
        .unwrap_or(Path::new("."))
        .join("streams");
    let shown_dir = Path::new(&*p.source.display)
        .parent()
        .unwrap_or(Path::new(""))
        .join("streams");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|f| f.extension().is_some_and(|x| x == "jsonl") && f.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut streams = Vec::new();
    let mut notes = Vec::new();
    for f in files {
        let file = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let shown = shown_dir.join(&file).to_string_lossy().replace('\\', "/");
        if std::fs::metadata(&f).is_ok_and(|m| m.len() > MAX_STREAM_BYTES) {
            notes.push(format!(
                "{shown}: larger than {} KB, not embedded in a test",
                MAX_STREAM_BYTES / 1024
            ));
            continue;
        }
        let mut evs = Vec::new();
        let at: Arc<str> = Arc::from(shown.as_str());
        if let Err(d) = read_stream(&f, &at, None, |e| evs.push(e)) {
            notes.push(format!(
                "{shown}: cannot be read: {}",
                d.first().map(|d| d.message.clone()).unwrap_or_default()
            ));
            continue;
        }
        if evs.len() > MAX_STREAM_EVENTS {
            notes.push(format!(
                "{shown}: more than {MAX_STREAM_EVENTS} events, not embedded in a test"
            ));
            continue;
        }
        let mut folder = Folder::new(p, c, contract, true);
        let mut schemas = Schemas::default();
        let mut events = Vec::new();
        let mut left_out = 0;
        let mut folded = 0;
        let mut state_invalid = false;
        let mut not_idempotent = BTreeSet::new();
        for ev in &evs {
            let (before, suppressed) = findings(&folder);
            let was_folded = folder.out.folded;
            folder.feed(ev);
            let mut rules: Vec<&str> = folder.out.violations[before..]
                .iter()
                .map(|d| d.rule)
                .collect();
            for (rule, n) in &folder.out.suppressed {
                if suppressed.get(rule) != Some(n) {
                    rules.push(rule);
                }
            }
            if rules.contains(&"projection-state-invalid") {
                state_invalid = true;
            }
            if rules.iter().any(|r| NOT_FOLDED.contains(r)) {
                left_out += 1;
                continue;
            }
            if folder.out.folded > was_folded {
                folded += 1;
            }
            let message = ev
                .value
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let (message, value) = match c.upcasters.find_event(&message, &ev.value) {
                Some(_) => {
                    match upcast_with(&c.upcasters, contract, &mut schemas, &message, &ev.value) {
                        Ok((m, v, _)) => (m, v),
                        Err(_) => (message, ev.value.clone()),
                    }
                }
                None => (message, ev.value.clone()),
            };
            let mut body = Map::new();
            for k in ["headers", "payload"] {
                if let Some(v) = value.get(k).filter(|v| !v.is_null()) {
                    body.insert(k.to_string(), v.clone());
                }
            }
            if rules.contains(&"projection-not-idempotent") {
                not_idempotent.insert(message.clone());
            }
            events.push((message, Value::Object(body)));
        }
        let out = folder.finish();
        if folded == 0 {
            continue;
        }
        if state_invalid {
            notes.push(format!(
                "{shown}: the simulator reports projection-state-invalid on it (a row that does not fit `state` has no row type value)"
            ));
            continue;
        }
        streams.push(Stream {
            file,
            shown,
            events,
            left_out,
            rows: out.rows,
            redelivered: p
                .on
                .iter()
                .map(|r| r.message.clone())
                .filter(|m| !not_idempotent.contains(m))
                .collect(),
        });
    }
    (streams, notes)
}

/// Where a `$ref` of `state` leads in the generation workspace: refs are relative to the
/// projection file and must name a file the documents being generated hold.
fn resolve(ws: &Workspace, base: &Path, raw: &str) -> Result<(FileId, String), String> {
    let (file, frag) = raw.split_once('#').unwrap_or((raw, ""));
    if file.is_empty() {
        return Err(format!(
            "`{raw}`: a `$ref` in `state` must name a file of the contract"
        ));
    }
    let target = crate::source::normalise_path(&base.join(file));
    let found = ws
        .files
        .iter()
        .position(|f| f.path == target || crate::source::normalise_path(&f.path) == target);
    let Some(fid) = found else {
        return Err(format!(
            "`{raw}`: `{file}` is not among the documents being generated (nor a file they reference)"
        ));
    };
    let fid = FileId(fid as u32);
    let tokens = pointer::parse(frag).ok_or_else(|| format!("`{raw}`: not a JSON pointer"))?;
    let ptr = pointer::join_tokens(tokens.iter().map(String::as_str));
    if crate::model::schema::pointer_get(ws, fid, &ptr).is_none() {
        return Err(format!("`{raw}`: nothing at `{frag}`"));
    }
    Ok((fid, ptr))
}

fn has_ref(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.contains_key("$ref") || m.values().any(has_ref),
        Value::Array(a) => a.iter().any(has_ref),
        _ => false,
    }
}

/// The `state` schema (or part of it) with every `$ref` replaced by its target.
fn inline(ws: &Workspace, base: &Path, v: &Value) -> Result<Value, String> {
    Ok(match v {
        Value::Object(m) => {
            if let Some(raw) = m.get("$ref").and_then(Value::as_str) {
                let (fid, ptr) = resolve(ws, base, raw)?;
                let t = crate::model::schema::pointer_get(ws, fid, &ptr)
                    .cloned()
                    .unwrap_or(Value::Null);
                return Ok(crate::model::schema::inline(
                    ws,
                    fid,
                    &t,
                    &mut Vec::new(),
                    0,
                ));
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
                        inline(ws, base, c)?
                    },
                );
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|c| inline(ws, base, c))
                .collect::<Result<_, _>>()?,
        ),
        other => other.clone(),
    })
}

/// The type of a part of `state`. A `$ref` is the type generated for its target (the
/// contract's model type); objects with properties are built here so that a property's
/// `$ref` keeps its type; parts without `$ref` go through the contract's type machinery.
fn row_ty(
    types: &mut TypeSet,
    ws: &Workspace,
    base: &Path,
    file: FileId,
    v: &Value,
    hint: &str,
    top: bool,
) -> Result<Ty, String> {
    if let Some(raw) = v.get("$ref").and_then(Value::as_str) {
        let (fid, ptr) = resolve(ws, base, raw)?;
        let name = pointer::parse(&ptr)
            .and_then(|t| t.last().cloned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| hint.to_string());
        return Ok(types.named_at(ws, fid, &ptr, &name));
    }
    let Some(m) = v.as_object() else {
        return Ok(Ty::Any);
    };
    let combined = ["allOf", "oneOf", "anyOf", "not", "if"]
        .iter()
        .any(|k| m.contains_key(*k));
    let props = m.get("properties").and_then(Value::as_object);
    if !combined && (top || has_ref(v)) {
        if let Some(props) = props {
            let idx = types.add(hint, doc(v), Kind::Pending);
            let name = types.defs[idx].name.clone();
            let required: BTreeSet<&str> = m
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut fields = Vec::new();
            for (k, pv) in props {
                let ty = row_ty(
                    types,
                    ws,
                    base,
                    file,
                    pv,
                    &format!("{name}{}", pascal(k)),
                    false,
                )?;
                fields.push(Field {
                    key: k.clone(),
                    ty,
                    required: required.contains(k.as_str()),
                    doc: doc(pv),
                });
            }
            let extra = match m.get("additionalProperties") {
                Some(Value::Bool(false)) | None => None,
                Some(a @ Value::Object(o)) if !o.is_empty() => Some(row_ty(
                    types,
                    ws,
                    base,
                    file,
                    a,
                    &format!("{name}Value"),
                    false,
                )?),
                Some(_) => Some(Ty::Any),
            };
            if m.get("additionalProperties") == Some(&Value::Bool(false)) {
                types.closed.insert(idx);
            }
            types.defs[idx].kind = Kind::Struct { fields, extra };
            return Ok(Ty::Named(idx));
        }
        if !has_ref(v) {
            return Ok(types.ty(ws, file, v, hint));
        }
        if let Some(items) = m.get("items").filter(|i| i.is_object()) {
            return Ok(Ty::List(Box::new(row_ty(
                types,
                ws,
                base,
                file,
                items,
                &format!("{hint}Item"),
                false,
            )?)));
        }
        if let Some(a) = m.get("additionalProperties").filter(|a| a.is_object()) {
            return Ok(Ty::Map(Box::new(row_ty(
                types,
                ws,
                base,
                file,
                a,
                &format!("{hint}Value"),
                false,
            )?)));
        }
    }
    if !has_ref(v) {
        return Ok(types.ty(ws, file, v, hint));
    }
    let inlined = inline(ws, base, v)?;
    Ok(types.ty(ws, file, &inlined, hint))
}

fn doc(v: &Value) -> Option<String> {
    v.get("description")
        .or_else(|| v.get("title"))
        .and_then(Value::as_str)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Add each projection's row type (`{Name}Row`) to the type set, so the models render
/// it; a `$ref` in `state` is the type already generated for its target. `Err` when a
/// handled message or a `$ref` target is not among the documents being generated.
pub fn add_rows(api: &mut Api, ws: &Workspace, prepared: &mut [Prepared]) -> Result<(), String> {
    let Some(&file) = ws.inputs.first() else {
        return Err("no document to generate from".into());
    };
    for pr in prepared.iter_mut() {
        let p = &pr.projection;
        for r in &p.on {
            if !api.by_name.contains_key(&r.message) {
                return Err(format!(
                    "{}: the projection handles `{}`, which the documents being generated do not define (add its contract `{}` to them)",
                    p.source.display, r.message, p.contract
                ));
            }
        }
        let base = p
            .source
            .path
            .parent()
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let hint = format!("{} row", p.name);
        let ty = row_ty(&mut api.types, ws, &base, file, &p.state, &hint, true)
            .map_err(|e| format!("{}: `state`: {e}", p.source.display))?;
        let idx = match ty {
            Ty::Named(i) => i,
            other => api.types.add(
                &hint,
                Some(format!("A row of the projection `{}`.", p.name)),
                Kind::Alias(other),
            ),
        };
        pr.row = Some(idx);
    }
    Ok(())
}

/// Text from the projection file for a doc comment (Rust) or docstring (Python): one
/// line; in Rust no code fence either (rustdoc would run what follows it).
fn doc_text(lang: Lang, s: &str) -> String {
    let t = saga::doc_text(lang, s);
    match lang {
        Lang::Rust => t.replace("```", "'''").replace("~~~", "'''"),
        Lang::Python => t,
    }
}

/// A line of jq quoted in a doc comment or docstring, as written (Python: backslashes
/// and triple quotes escaped, so the docstring shows them).
fn code_line(lang: Lang, s: &str) -> String {
    match lang {
        Lang::Rust => doc_text(lang, s),
        Lang::Python => s
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
            .replace('\\', "\\\\")
            .replace("\"\"\"", "\\\"\\\"\\\""),
    }
}

/// Language-specific spellings.
struct Sp {
    lang: Lang,
}

impl Sp {
    fn s(&self, v: &str) -> String {
        match self.lang {
            Lang::Rust => super::rust::rust_str(v),
            Lang::Python => super::python::py_str(v),
        }
    }

    /// A JSON text literal (Rust: a raw string).
    fn json(&self, v: &Value) -> String {
        let text = serde_json::to_string(v).unwrap_or_else(|_| "null".into());
        match self.lang {
            Lang::Rust => super::rust::raw_str(&text),
            Lang::Python => super::python::py_str(&text),
        }
    }

    fn list(&self, vs: &[String]) -> String {
        let items: Vec<String> = vs.iter().map(|v| self.s(v)).collect();
        match self.lang {
            Lang::Rust => format!("&[{}]", items.join(", ")),
            Lang::Python if items.len() == 1 => format!("({},)", items[0]),
            Lang::Python => format!("({})", items.join(", ")),
        }
    }

    fn ident(&self, s: String) -> String {
        match self.lang {
            Lang::Rust => rust_escape(s),
            Lang::Python => py_escape(s),
        }
    }

    fn ty(&self, api: &Api, t: &Ty) -> String {
        match self.lang {
            Lang::Rust => super::rust::ty_in(t, &api.types.defs, false, "crate::models::"),
            Lang::Python => super::python::ty_in(t, &api.types.defs, "models."),
        }
    }
}

/// Names a projection module must not take: the files beside it and the names the
/// generated tests import at their top level.
const RESERVED_MODULES: &[&str] = &[
    "mod",
    "runtime",
    "_runtime",
    "projections",
    "projections_impl",
    "json",
    "os",
    "pytest",
    "annotations",
    "models",
    "Any",
    "made",
    "not_implemented",
];

/// The context of every projection module for a language (module names unique).
pub fn contexts(api: &Api, prepared: &[Prepared], lang: Lang) -> Vec<Value> {
    let mut mods = Namer::with_reserved(RESERVED_MODULES);
    prepared
        .iter()
        .map(|pr| {
            let m = mods.take_snake(&snake(&pr.projection.name));
            let m = match lang {
                Lang::Rust if rust_escape(m.clone()) != m => {
                    mods.take_snake(&format!("{m}_projection"))
                }
                Lang::Python if py_escape(m.clone()) != m => {
                    mods.take_snake(&format!("{m}_projection"))
                }
                _ => m,
            };
            context(api, pr, &m, lang)
        })
        .collect()
}

/// The context of one projection module.
pub fn context(api: &Api, pr: &Prepared, module: &str, lang: Lang) -> Value {
    let sp = Sp { lang };
    let p = &pr.projection;
    let row = pr.row.map(Ty::Named).unwrap_or(Ty::Any);
    let mut methods = Namer::with_reserved(&["apply", "initial"]);
    let reducers: Vec<Value> =
        p.on.iter()
            .map(|r| {
                let ty = api
                    .by_name
                    .get(&r.message)
                    .and_then(|&i| api.messages.get(i))
                    .map(|mi| sp.ty(api, &Ty::Named(mi.def)))
                    .unwrap_or_else(|| sp.ty(api, &Ty::Any));
                let code: Vec<String> = r
                    .code
                    .trim()
                    .lines()
                    .map(|l| code_line(lang, l.trim_end()))
                    .collect();
                json!({
                    "message": doc_text(lang, &r.message),
                    "message_lit": sp.s(&r.message),
                    "method": sp.ident(methods.take_snake(&format!("on_{}", snake(&r.message)))),
                    "ty": ty,
                    "code": code,
                    "todo": sp.s(&format!("{}: {}", p.name, r.message)),
                    // `$event.time` is the stream record's time: not in the typed message.
                    "reads_time": r.code.contains("$event.time"),
                })
            })
            .collect();
    let ignores: Vec<String> = p.ignore.iter().map(|n| n.name.clone()).collect();
    let mut names = Namer::with_reserved(&[
        "the_scaffold_implements_the_reducers",
        "initial_fits_the_row_type",
        "other_messages_are_not_folded",
    ]);
    let tests: Vec<Value> = pr
        .streams
        .iter()
        .map(|s| {
            let stem = s.file.strip_suffix(".jsonl").unwrap_or(&s.file);
            let name = names.take_snake(&format!("replays_{}", snake(stem)));
            let folded = s
                .events
                .iter()
                .filter(|(m, _)| p.reducer(m).is_some())
                .count();
            let mut d = format!(
                "`{}`: {} events ({folded} folded), the rows `hnp-events simulate` folds.",
                s.shown,
                s.events.len()
            );
            if s.left_out > 0 {
                d.push_str(&format!(
                    " {} more left out: the simulator folds nothing from them.",
                    s.left_out
                ));
            }
            let events: Vec<Value> = s
                .events
                .iter()
                .map(|(m, b)| json!({"message": sp.s(m), "body": sp.json(b)}))
                .collect();
            let rows = Value::Object(s.rows.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
            json!({
                "name": name,
                "doc": doc_text(lang, &d),
                "events": events,
                "rows": sp.json(&rows),
                "redelivered": sp.list(&s.redelivered),
            })
        })
        .collect();
    let description = p
        .source
        .value
        .as_ref()
        .and_then(|v| v.get("description"))
        .and_then(Value::as_str)
        .map(|d| {
            d.trim()
                .lines()
                .map(|l| doc_text(lang, l.trim_end()))
                .collect::<Vec<_>>()
        });
    let snapshot_every = match (lang, &p.snapshot) {
        (Lang::Rust, Some(s)) => format!("Some({})", s.every),
        (Lang::Python, Some(s)) => s.every.to_string(),
        (_, None) => "None".into(),
    };
    let mut impl_names = Namer::with_reserved(&[
        "Reducers",
        "Row",
        "HandlerError",
        "Snapshot",
        "ReadModel",
        "Self",
        "models",
    ]);
    json!({
        "name": doc_text(lang, &p.name),
        "name_lit": sp.s(&p.name),
        "version": doc_text(lang, &p.version),
        "version_lit": sp.s(&p.version),
        "contract": doc_text(lang, &p.contract),
        "key": doc_text(lang, &p.key),
        "key_lit": sp.s(&p.key),
        "module": module,
        "impl_name": impl_names.take(&pascal(module)),
        "description": description,
        "row": sp.ty(api, &row),
        "initial": sp.json(&p.initial),
        "snapshot_every": snapshot_every,
        "snapshot_persist": p.snapshot.as_ref().is_some_and(|s| s.persist.is_some() || s.restore.is_some()),
        "handles": sp.list(&p.on.iter().map(|r| r.message.clone()).collect::<Vec<_>>()),
        "ignores": sp.list(&ignores),
        "ignore_lits": ignores.iter().map(|i| sp.s(i)).collect::<Vec<_>>(),
        "serves": sp.list(&p.serves.iter().map(|n| n.name.clone()).collect::<Vec<_>>()),
        "reducers": reducers,
        "tests": tests,
        "notes": pr.notes.iter().map(|n| doc_text(lang, n)).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_beside_the_projection_are_folded_as_the_simulator_folds_them() {
        let p = Path::new("fixtures/hnp/projections/fabric-sync-status.projection.yaml");
        let pr = match prepare(p, false) {
            Ok(Some(pr)) => pr,
            Ok(None) => panic!("an upcast file?"),
            Err(e) => panic!("{e:?}"),
        };
        let files: Vec<&str> = pr.streams.iter().map(|s| s.file.as_str()).collect();
        assert_eq!(
            files,
            [
                "sync-status-duplicate.jsonl",
                "sync-status-happy.jsonl",
                "sync-status-reordered.jsonl"
            ]
        );
        let happy = &pr.streams[1];
        assert_eq!(happy.rows["3"]["status"], json!("synced"));
        assert_eq!(happy.rows["3"]["syncs"], json!(2));
        // Upcast events: watch-health folds WatchErrored v1 events as v2.
        let w = Path::new("fixtures/hnp/projections/watch-health.projection.yaml");
        let Ok(Some(w)) = prepare(w, false) else {
            panic!("watch-health")
        };
        let s = &w.streams[0];
        assert!(
            s.events
                .iter()
                .filter(|(m, _)| m == "WatchErrored")
                .all(|(_, b)| {
                    b.pointer("/headers/type").and_then(Value::as_str)
                        == Some("com.githedgehog.hnp.kubernetes.watch_errored.v2")
                        && b.pointer("/payload/message").is_some_and(Value::is_string)
                })
        );
        // An upcast file has no module.
        let u = Path::new("fixtures/hnp/projections/watch-errored-v2.upcast.yaml");
        assert!(matches!(prepare(u, false), Ok(None)));
    }
}
