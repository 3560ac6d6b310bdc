//! The AsyncAPI contract as a saga sees it: messages by name, which messages are
//! commands (sent with a declared reply) and their replies, and message schemas
//! compiled once (with every `$ref` inlined through the workspace, since the
//! validator resolves nothing by itself).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde_json::{Map, Value, json};

use crate::diag::Diagnostic;
pub use crate::model::schema::inline;
use crate::model::schema::pointer_get;
use crate::source::workspace::ref_of;
use crate::source::{FileId, LoadOptions, Workspace, pointer};

/// The compiled schemas of one message, for instances in the representation `F`
/// (`serde_json::Value` by default).
pub struct Compiled<F: jsonschema::json::Json = jsonschema::json::SerdeJson> {
    pub headers: Option<jsonschema::Validator<F>>,
    pub payload: Option<jsonschema::Validator<F>>,
}

impl Compiled<crate::saga::tape::TapeJson> {
    /// Whether an event on a tape fits its message's headers and payload schemas (a part
    /// the message has a schema for must be there, not `null`).
    pub fn accepts_tape(&self, ev: &crate::saga::view::TapeEvent<'_>) -> bool {
        [
            (&self.headers, ev.part(false)),
            (&self.payload, ev.part(true)),
        ]
        .into_iter()
        .all(|(v, node)| match (v, node) {
            (None, _) => true,
            (Some(v), Some(n)) if !n.is_null_value() => v.is_valid(n),
            (Some(_), _) => false,
        })
    }
}

/// A loaded contract.
#[derive(Debug)]
pub struct Contract<'w> {
    pub ws: &'w Workspace,
    pub file: FileId,
    /// Message name → where its (dereferenced) definition is.
    pub messages: BTreeMap<String, (FileId, String)>,
    /// Command → the replies the contract declares for it.
    pub replies: BTreeMap<String, BTreeSet<String>>,
    /// Messages named by some operation with `action: send` / `receive`.
    pub sent: BTreeSet<String>,
    pub received: BTreeSet<String>,
    /// Compensation command → the commands it undoes (`x-hnp-compensates` on the
    /// message, or on an operation that sends it: AsyncAPI 3 `operations`, or a 2.x
    /// channel's `publish` / `subscribe`).
    pub compensates: BTreeMap<String, BTreeSet<String>>,
    /// Entries of an `x-hnp-compensates` that name no message of the contract (a
    /// name, or a `$ref` that resolves to none): where (file, pointer) and what.
    pub compensates_unknown: Vec<(FileId, String, String)>,
}

/// Load a contract document and everything it `$ref`s. `Err` carries a message when
/// it cannot be read.
pub fn load_workspace(path: &Path) -> Result<Workspace, String> {
    Workspace::load(&[path.to_path_buf()], &LoadOptions::default()).map_err(|e| e.to_string())
}

impl<'w> Contract<'w> {
    /// Index a loaded contract (its first input). `Err` when it could not be parsed.
    pub fn new(ws: &'w Workspace) -> Result<Contract<'w>, String> {
        let file = *ws.inputs.first().ok_or("no document loaded")?;
        let Some(root) = ws.file(file).value.as_ref() else {
            let first = ws
                .diagnostics
                .first()
                .map(|d| format!("{}: {}", d.location, d.message))
                .unwrap_or_else(|| "cannot be parsed".to_string());
            return Err(first);
        };
        let mut by_target: HashMap<(FileId, String), String> = HashMap::new();
        let mut messages = BTreeMap::new();
        if let Some(Value::Object(ms)) = root.pointer("/components/messages") {
            for (name, v) in ms {
                let own = pointer::push("/components/messages", name);
                let (f, p, _) = ws.deref(file, v);
                let key = (f, p.unwrap_or_else(|| own.clone()));
                by_target.insert(key.clone(), name.clone());
                by_target.insert((file, own), name.clone());
                messages.insert(name.clone(), key);
            }
        }
        // Channel messages that are not components are named by their key.
        if let Some(Value::Object(chs)) = root.get("channels") {
            for (cname, ch) in chs {
                let (cf, _, ch) = ws.deref(file, ch);
                let Some(Value::Object(ms)) = ch.get("messages") else {
                    continue;
                };
                for (mname, mv) in ms {
                    let own = format!(
                        "{}/messages/{}",
                        pointer::push("/channels", cname),
                        pointer::escape(mname)
                    );
                    let (f, p, _) = ws.deref(cf, mv);
                    let key = (f, p.unwrap_or_else(|| own.clone()));
                    let name = by_target
                        .get(&key)
                        .cloned()
                        .unwrap_or_else(|| mname.clone());
                    by_target.insert((file, own), name.clone());
                    messages.entry(name).or_insert(key);
                }
            }
        }
        let name_of = |from: FileId, v: &Value| -> Option<String> {
            let raw = ref_of(v)?;
            let (f, p) = ws.ref_target(from, raw)?;
            by_target.get(&(f, p.clone())).cloned().or_else(|| {
                let (f2, p2, _) = ws.deref(f, pointer_get(ws, f, &p)?);
                by_target.get(&(f2, p2?)).cloned()
            })
        };
        // `x-hnp-compensates` (at `at` in `from`): a message name, a `$ref` to a
        // message, or a list of them. Entries that name no message are set aside.
        let mut unknown: Vec<(FileId, String, String)> = Vec::new();
        let mut undone = |from: FileId, at: &str, v: Option<&Value>| -> Vec<String> {
            let at = pointer::push(at, "x-hnp-compensates");
            let items: Vec<(String, &Value)> = match v {
                Some(Value::Array(a)) => a
                    .iter()
                    .enumerate()
                    .map(|(i, x)| (pointer::push(&at, &i.to_string()), x))
                    .collect(),
                Some(v) => vec![(at, v)],
                None => Vec::new(),
            };
            let mut out = Vec::new();
            for (p, v) in items {
                let name = match v {
                    Value::String(n) => Some(n.clone()),
                    _ => name_of(from, v),
                };
                match name {
                    Some(n) if messages.contains_key(&n) => out.push(n),
                    other => {
                        let what = other
                            .or_else(|| ref_of(v).map(str::to_string))
                            .unwrap_or_else(|| v.to_string());
                        if !unknown.iter().any(|u| u.0 == from && u.1 == p) {
                            unknown.push((from, p, what));
                        }
                    }
                }
            }
            out
        };
        let mut compensates: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (name, (f, p)) in &messages {
            if let Some(m) = pointer_get(ws, *f, p) {
                let targets = undone(*f, p, m.get("x-hnp-compensates"));
                if !targets.is_empty() {
                    compensates.entry(name.clone()).or_default().extend(targets);
                }
            }
        }
        let mut replies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let (mut sent, mut received) = (BTreeSet::new(), BTreeSet::new());
        if let Some(Value::Object(ops)) = root.get("operations") {
            for (oname, op) in ops {
                let (of, op_at, op) = ws.deref(file, op);
                let op_at = op_at.unwrap_or_else(|| pointer::push("/operations", oname));
                let names: Vec<String> = op
                    .get("messages")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|m| name_of(of, m)).collect())
                    .unwrap_or_default();
                let reply: Vec<String> = op
                    .pointer("/reply/messages")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|m| name_of(of, m)).collect())
                    .unwrap_or_default();
                let action = op.get("action").and_then(Value::as_str).unwrap_or("");
                let targets = undone(of, &op_at, op.get("x-hnp-compensates"));
                for n in &names {
                    if !targets.is_empty() {
                        compensates
                            .entry(n.clone())
                            .or_default()
                            .extend(targets.iter().cloned());
                    }
                    match action {
                        "send" => sent.insert(n.clone()),
                        "receive" => received.insert(n.clone()),
                        _ => false,
                    };
                    if !reply.is_empty() {
                        replies
                            .entry(n.clone())
                            .or_default()
                            .extend(reply.iter().cloned());
                    }
                }
            }
        }
        // AsyncAPI 2.x: a channel's `publish` operation is what the application
        // receives, `subscribe` what it sends; `message` is one message or a `oneOf`.
        // An `x-hnp-compensates` on the operation applies to its messages (as on a 3.x
        // operation).
        if let Some(Value::Object(channels)) = root.get("channels") {
            for (cname, ch) in channels {
                let (cf, ch_at, ch) = ws.deref(file, ch);
                let ch_at = ch_at.unwrap_or_else(|| pointer::push("/channels", cname));
                for (verb, set) in [("publish", &mut received), ("subscribe", &mut sent)] {
                    let Some(op) = ch.get(verb) else { continue };
                    let (of, op_at, op) = ws.deref(cf, op);
                    let op_at = op_at.unwrap_or_else(|| pointer::push(&ch_at, verb));
                    let targets = undone(of, &op_at, op.get("x-hnp-compensates"));
                    let Some(m) = op.get("message") else { continue };
                    let (mf, _, mv) = ws.deref(of, m);
                    let names: Vec<String> = match mv.get("oneOf").and_then(Value::as_array) {
                        Some(list) => list.iter().filter_map(|i| name_of(mf, i)).collect(),
                        None => name_of(of, m).into_iter().collect(),
                    };
                    for n in names {
                        if !targets.is_empty() {
                            compensates
                                .entry(n.clone())
                                .or_default()
                                .extend(targets.iter().cloned());
                        }
                        set.insert(n);
                    }
                }
            }
        }
        Ok(Contract {
            ws,
            file,
            messages,
            replies,
            sent,
            received,
            compensates,
            compensates_unknown: unknown,
        })
    }

    /// The dereferenced message object.
    pub fn message(&self, name: &str) -> Option<(FileId, &'w Value)> {
        let (f, p) = self.messages.get(name)?;
        Some((*f, pointer_get(self.ws, *f, p)?))
    }

    /// The message's `headers` or `payload` schema (dereferenced, unwrapping a
    /// multi-format schema object), with the file it lives in.
    pub fn part(&self, name: &str, part: &str) -> Option<(FileId, &'w Value)> {
        let (f, m) = self.message(name)?;
        let (f, _, v) = self.ws.deref(f, m.get(part)?);
        if let (Some(_), Some(s)) = (v.get("schemaFormat"), v.get("schema")) {
            let (f2, _, s) = self.ws.deref(f, s);
            return Some((f2, s));
        }
        Some((f, v))
    }

    /// Whether the message's schema declares the property path of `ptr`
    /// (`/headers/...` or `/payload/...`), following `$ref`s and `allOf`/`anyOf`/`oneOf`.
    pub fn declares(&self, name: &str, ptr: &str) -> bool {
        let Some(tokens) = pointer::parse(ptr) else {
            return false;
        };
        let Some((part, rest)) = tokens.split_first() else {
            return false;
        };
        let Some((f, schema)) = self.part(name, part) else {
            return false;
        };
        self.schema_has(f, schema, rest, 0)
    }

    /// The property paths (`/headers/a`, `/payload/a/b`, ...) the message's schemas
    /// declare, to four levels, following `$ref`s and `allOf`/`anyOf`/`oneOf`; at most
    /// `limit` of them. For suggestions when a pointer names nothing.
    pub fn declared_pointers(&self, name: &str, limit: usize) -> Vec<String> {
        let mut out = Vec::new();
        for part in ["headers", "payload"] {
            if let Some((f, s)) = self.part(name, part) {
                self.collect_paths(f, s, &format!("/{part}"), 0, limit, &mut out);
            }
        }
        out
    }

    fn collect_paths(
        &self,
        f: FileId,
        s: &Value,
        prefix: &str,
        depth: usize,
        limit: usize,
        out: &mut Vec<String>,
    ) {
        if depth > 8 || out.len() >= limit {
            return;
        }
        let (f, _, s) = self.ws.deref(f, s);
        if let Some(Value::Object(props)) = s.get("properties") {
            for (k, v) in props {
                if out.len() >= limit {
                    return;
                }
                let p = pointer::push(prefix, k);
                out.push(p.clone());
                if prefix.matches('/').count() < 4 {
                    self.collect_paths(f, v, &p, depth + 1, limit, out);
                }
            }
        }
        for k in ["allOf", "anyOf", "oneOf"] {
            if let Some(a) = s.get(k).and_then(Value::as_array) {
                for sub in a {
                    self.collect_paths(f, sub, prefix, depth + 1, limit, out);
                }
            }
        }
    }

    /// The JSON types (`type`) the message's schema gives the value at `ptr`,
    /// following `$ref`s and `allOf`/`anyOf`/`oneOf` (the first typed schema found
    /// there). `None` when it names no type or the pointer names nothing.
    pub fn types_at(&self, name: &str, ptr: &str) -> Option<Vec<String>> {
        let tokens = pointer::parse(ptr)?;
        let (part, rest) = tokens.split_first()?;
        let (f, schema) = self.part(name, part)?;
        self.types_in(f, schema, rest, 0)
    }

    fn types_in(&self, f: FileId, s: &Value, path: &[String], depth: usize) -> Option<Vec<String>> {
        if depth > 32 {
            return None;
        }
        let (f, _, s) = self.ws.deref(f, s);
        if let Some((first, rest)) = path.split_first() {
            if let Some(p) = s.get("properties").and_then(|p| p.get(first.as_str())) {
                if let Some(t) = self.types_in(f, p, rest, depth + 1) {
                    return Some(t);
                }
            }
        } else {
            match s.get("type") {
                Some(Value::String(t)) => return Some(vec![t.clone()]),
                Some(Value::Array(a)) => {
                    return Some(
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(String::from)
                            .collect(),
                    );
                }
                _ => {}
            }
        }
        ["allOf", "anyOf", "oneOf"].iter().find_map(|k| {
            s.get(*k)
                .and_then(Value::as_array)?
                .iter()
                .find_map(|sub| self.types_in(f, sub, path, depth + 1))
        })
    }

    fn schema_has(&self, f: FileId, s: &Value, path: &[String], depth: usize) -> bool {
        if depth > 32 {
            return false;
        }
        let (f, _, s) = self.ws.deref(f, s);
        let Some((first, rest)) = path.split_first() else {
            return true;
        };
        if let Some(p) = s.get("properties").and_then(|p| p.get(first.as_str())) {
            if self.schema_has(f, p, rest, depth + 1) {
                return true;
            }
        }
        ["allOf", "anyOf", "oneOf"].iter().any(|k| {
            s.get(*k)
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|sub| self.schema_has(f, sub, path, depth + 1)))
        })
    }

    /// The schema of a whole stream event (`{headers, payload}`) for a message, with
    /// every `$ref` inlined. `None` when the message is unknown.
    pub fn event_schema(&self, name: &str) -> Option<Value> {
        self.message(name)?;
        let mut props = Map::new();
        let mut required = Vec::new();
        for part in ["headers", "payload"] {
            if let Some((f, s)) = self.part(name, part) {
                let mut stack = Vec::new();
                props.insert(part.to_string(), inline(self.ws, f, s, &mut stack, 0));
                required.push(json!(part));
            }
        }
        Some(json!({"type": "object", "properties": props, "required": required}))
    }

    /// Compile the `headers` and `payload` schemas of a message (each `None` when
    /// the message declares none), with every `$ref` inlined.
    pub fn compile(&self, name: &str) -> Result<Compiled, String> {
        self.compile_for(name)
    }

    /// [`Contract::compile`] for instances in another JSON representation.
    pub fn compile_for<F: jsonschema::json::Json>(
        &self,
        name: &str,
    ) -> Result<Compiled<F>, String> {
        self.message(name)
            .ok_or_else(|| format!("unknown message `{name}`"))?;
        let mut parts = [None, None];
        for (i, part) in ["headers", "payload"].into_iter().enumerate() {
            if let Some((f, s)) = self.part(name, part) {
                let schema = inline(self.ws, f, s, &mut Vec::new(), 0);
                parts[i] = Some(
                    jsonschema::options_for::<F>()
                        .build(&schema)
                        .map_err(|e| e.to_string())?,
                );
            }
        }
        let [headers, payload] = parts;
        Ok(Compiled { headers, payload })
    }

    /// Contract-level problems worth showing with saga checks (load errors only).
    pub fn load_errors(&self) -> Vec<Diagnostic> {
        self.ws
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::diag::Severity::Error)
            .cloned()
            .collect()
    }
}
