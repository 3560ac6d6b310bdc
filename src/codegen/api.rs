//! The generation input, language-neutral: named types (from the IR's messages and, for
//! OpenAPI, component schemas and request/response bodies), messages with their
//! CloudEvents type and examples, and handler interfaces grouped by channel or service.
//! Handler kinds come from `crate::classify`.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::names::{Namer, pascal, snake};
use super::types::{Field, Kind, Ty, TypeSet};
use crate::classify::{self, value_at};
use crate::model::{Document, Model, Spec, Src, Verb};
use crate::source::{Workspace, pointer};

/// A message type.
#[derive(Debug, Clone)]
pub struct MessageInfo {
    /// Index of its struct in the type set.
    pub def: usize,
    pub ce_type: Option<String>,
    /// `{headers?, payload}` examples that match their schemas, with their position in
    /// the message's `examples` (counted from 1).
    pub examples: Vec<(usize, Value)>,
    /// Examples left out because `validate` reports them invalid: position (from 1),
    /// name if any, and the validator's finding.
    pub skipped: Vec<SkippedExample>,
    /// command / query / event / reply.
    pub role: &'static str,
    /// Where its payload schema is, with its `schemaFormat` (the fidelity harness).
    pub payload: Option<(crate::source::FileId, String, Option<String>)>,
    /// Where its headers schema is.
    pub headers: Option<(crate::source::FileId, String)>,
}

/// A contract example that gets no generated test: its schema rejects it, so the
/// generated models would too (the user's fresh crate would fail its own tests).
#[derive(Debug, Clone)]
pub struct SkippedExample {
    /// Position in the message's `examples`, counted from 1 (as `validate` counts).
    pub n: usize,
    pub name: Option<String>,
    /// The rule id (`schema-example-invalid`).
    pub rule: &'static str,
    /// What `validate` says, on one line.
    pub why: String,
}

/// The comment lines (without the comment marker) that say which examples of a message
/// get no test and why; one entry per example, each a list of lines.
pub fn skipped_comments(message: &str, skipped: &[SkippedExample]) -> Vec<Vec<String>> {
    let line = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    };
    skipped
        .iter()
        .map(|x| {
            let named = x
                .name
                .as_deref()
                .map(|n| format!(" (`{}`)", line(n)))
                .unwrap_or_default();
            vec![
                format!(
                    "No test for {message} example {}{named}: its schema rejects it, so the models would too.",
                    x.n
                ),
                format!("`hnp-events validate` reports {}: {}", x.rule, line(&x.why)),
                "Fix the example in the contract and regenerate to get its test.".to_string(),
            ]
        })
        .collect()
}

/// One method of a handler interface.
#[derive(Debug, Clone)]
pub struct Method {
    pub name: String,
    pub input: Option<Ty>,
    pub output: Option<Ty>,
    pub doc: String,
    /// The message it handles (index into [`Api::messages`]; AsyncAPI only).
    pub message: Option<usize>,
    /// The idempotency key of that message (a JSON pointer into `{headers, payload}`),
    /// when its handler is an at-least-once consumer and the contract gives one.
    pub idempotency_key: Option<String>,
}

/// An event (or command, or reply) a handler declares it leads to: a method of its
/// `Publisher`.
#[derive(Debug, Clone)]
pub struct Emit {
    /// `publish_git_commit_succeeded`.
    pub method: String,
    /// Index into [`Api::messages`].
    pub message: usize,
    /// The address of a channel some operation sends it on (for the relay).
    pub address: Option<String>,
}

/// A handler interface.
#[derive(Debug, Clone)]
pub struct Handler {
    pub name: String,
    pub kind: &'static str,
    pub operation: String,
    pub methods: Vec<Method>,
    /// What it declares it leads to (`x-hnp-emits`, then its `reply`): its publisher.
    pub emits: Vec<Emit>,
    /// `x-hnp-emits` entries whose message is not among the loaded documents' (no type).
    pub emits_missing: Vec<String>,
    /// The delivery guarantee (declared or implied), for consumers.
    pub delivery: Option<String>,
    /// An at-least-once consumer: each message gets an idempotency guard.
    pub at_least_once: bool,
    /// The dead-letter channel's address, for a consumer that declares one.
    pub dead_letter: Option<String>,
}

/// Handlers of one channel or service.
#[derive(Debug, Clone)]
pub struct Group {
    /// snake_case module name.
    pub module: String,
    pub title: String,
    pub handlers: Vec<Handler>,
}

#[derive(Debug, Default)]
pub struct Api {
    pub types: TypeSet,
    pub messages: Vec<MessageInfo>,
    pub groups: Vec<Group>,
    /// Message name (as the contract and its saga and projection files name it) → index
    /// into [`Api::messages`].
    pub by_name: BTreeMap<String, usize>,
}

impl Api {
    /// The first example of message `i`.
    pub fn first_example(&self, i: usize) -> Option<&Value> {
        self.messages.get(i)?.examples.first().map(|(_, x)| x)
    }

    /// Whether the first example of a method's message carries its idempotency key.
    pub fn example_has_key(&self, m: &Method) -> bool {
        match (
            m.message.and_then(|i| self.first_example(i)),
            m.idempotency_key.as_deref(),
        ) {
            (Some(x), Some(k)) => x.pointer(k).is_some_and(|v| !v.is_null()),
            _ => false,
        }
    }

    /// The method the generated pattern tests drive through a probe implementation of an
    /// at-least-once consumer: one whose message has an example, a keyed one preferably.
    /// None when the handler is not such a consumer (every method a message, none
    /// returning a value) or no method has an example.
    pub fn probe_method<'h>(&self, h: &'h Handler) -> Option<&'h Method> {
        let consumer = h.at_least_once
            && h.methods
                .iter()
                .all(|m| m.message.is_some() && m.output.is_none());
        if !consumer {
            return None;
        }
        let usable = |m: &&Method| m.message.and_then(|i| self.first_example(i)).is_some();
        h.methods
            .iter()
            .filter(usable)
            .find(|m| self.example_has_key(m))
            .or_else(|| h.methods.iter().find(usable))
    }
}

/// A message's type name: its `name`, `messageId`, key or `title`, else where it sits
/// (an unnamed AsyncAPI 2.x message inline in `channels/user/signedup/subscribe/message`
/// becomes `user/signedup subscribe message`, i.e. `UserSignedupSubscribeMessage`).
fn msg_name(m: &crate::model::Message) -> String {
    m.name
        .clone()
        .or_else(|| m.message_id.clone())
        .or_else(|| m.key.clone())
        .or_else(|| m.title.clone())
        .or_else(|| place_name(&m.src.pointer))
        .unwrap_or_else(|| "Message".to_string())
}

/// A name from an inline message's pointer: the channel, the operation and the `oneOf`
/// position (`/channels/a~1b/publish/message/oneOf/1` → `a/b publish message 1`).
fn place_name(pointer: &str) -> Option<String> {
    let tokens = crate::source::pointer::parse(pointer)?;
    let mut parts: Vec<&str> = Vec::new();
    let mut it = tokens.iter().map(String::as_str);
    while let Some(t) = it.next() {
        match t {
            "channels" | "components" | "messages" | "oneOf" | "anyOf" => {}
            "message" => parts.push("message"),
            other => parts.push(other),
        }
        if t == "channels" {
            if let Some(ch) = it.next() {
                parts.push(ch);
            }
        }
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Build the generation input from a model. Message examples are checked against their
/// schemas as `validate` checks them (see [`build_checked`]).
pub fn build(ws: &Workspace, model: &Model) -> Api {
    build_checked(ws, model, None)
}

/// Whether any AsyncAPI message of the model has `examples` (only then are they checked).
fn any_message_examples(ws: &Workspace, model: &Model) -> bool {
    model.documents.iter().any(|d| {
        matches!(d.spec, Spec::AsyncApi(_))
            && d.messages
                .iter()
                .any(|m| value_at(ws, &m.src).is_some_and(|v| v.get("examples").is_some()))
    })
}

/// The `schema-example-invalid` findings of `validate` (the same check, run here when
/// the caller has not already run it).
fn example_findings(ws: &Workspace) -> Vec<crate::diag::Diagnostic> {
    let mut d = crate::validate::validate(ws);
    d.retain(|d| d.rule == EXAMPLE_RULE);
    d
}

const EXAMPLE_RULE: &str = "schema-example-invalid";

/// The finding about the example at `at` (a JSON pointer in `file`), if any.
fn finding_for<'d>(
    findings: &'d [crate::diag::Diagnostic],
    file: &str,
    at: &str,
) -> Option<&'d crate::diag::Diagnostic> {
    findings.iter().find(|d| {
        d.rule == EXAMPLE_RULE
            && &*d.location.file == file
            && d.location.pointer.as_deref().is_some_and(|p| {
                p == at || p.strip_prefix(at).is_some_and(|rest| rest.starts_with('/'))
            })
    })
}

/// [`build`], with the diagnostics `validate` already produced for the workspace (its
/// `schema-example-invalid` findings decide which examples get no test); `None` runs
/// the example check here when a message has examples.
pub fn build_checked(
    ws: &Workspace,
    model: &Model,
    diagnostics: Option<&[crate::diag::Diagnostic]>,
) -> Api {
    let owned;
    let findings: &[crate::diag::Diagnostic] = match diagnostics {
        Some(d) => d,
        None if any_message_examples(ws, model) => {
            owned = example_findings(ws);
            &owned
        }
        None => &[],
    };
    let mut api = Api::default();
    let (rows, _) = classify::classify(ws, model);
    let mut role_of: BTreeMap<(usize, usize), &'static str> = BTreeMap::new();
    for r in &rows {
        let doc = &model.documents[r.doc];
        let op = &doc.operations[r.op];
        let role = match r.kind {
            classify::Kind::Command | classify::Kind::Request | classify::Kind::Reply => "command",
            classify::Kind::Query => "query",
            classify::Kind::EventPublished | classify::Kind::EventConsumed => "event",
        };
        for &m in &op.messages {
            role_of.entry((r.doc, m)).or_insert(role);
        }
        if let Some(rep) = &op.reply {
            for &m in &rep.messages {
                role_of.entry((r.doc, m)).or_insert("reply");
            }
        }
    }
    // Messages (deduplicated by where they live).
    let mut msg_defs: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut seen: BTreeMap<crate::model::Src, usize> = BTreeMap::new();
    for (di, doc) in model.documents.iter().enumerate() {
        for (mi, m) in doc.messages.iter().enumerate() {
            if !matches!(doc.spec, Spec::AsyncApi(_)) {
                continue;
            }
            if let Some(&d) = seen.get(&m.src) {
                msg_defs.insert((di, mi), d);
                continue;
            }
            let name = pascal(&msg_name(m));
            let mut fields = Vec::new();
            let headers = m
                .headers
                .as_ref()
                .map(|h| schema_ty(ws, &mut api.types, h, &format!("{name}Headers")));
            if let Some(h) = headers.clone() {
                fields.push(Field {
                    key: "headers".into(),
                    ty: h,
                    required: false,
                    doc: Some("CloudEvents context attributes (transport headers).".into()),
                });
            }
            let payload = m
                .payload
                .as_ref()
                .map(|p| schema_ty(ws, &mut api.types, p, &format!("{name}Payload")))
                .unwrap_or(Ty::Any);
            fields.push(Field {
                key: "payload".into(),
                ty: payload,
                required: true,
                doc: Some("The event data (message body).".into()),
            });
            let doc_text = m.title.clone();
            let def = api.types.add(
                &name,
                doc_text,
                Kind::Struct {
                    fields,
                    extra: None,
                },
            );
            let mv = value_at(ws, &m.src);
            let file_shown = &*ws.file(m.src.file).display;
            let mut examples: Vec<(usize, Value)> = Vec::new();
            let mut skipped = Vec::new();
            let listed = mv
                .and_then(|v| v.get("examples"))
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for (i, x) in listed.iter().enumerate() {
                if x.get("payload").is_none() {
                    continue;
                }
                let at = format!("{}/{i}", pointer::push(&m.src.pointer, "examples"));
                if let Some(d) = finding_for(findings, file_shown, &at) {
                    skipped.push(SkippedExample {
                        n: i + 1,
                        name: x.get("name").and_then(Value::as_str).map(str::to_string),
                        rule: d.rule,
                        why: d.message.clone(),
                    });
                    continue;
                }
                let mut o = serde_json::Map::new();
                for k in ["headers", "payload"] {
                    if let Some(v) = x.get(k) {
                        if k == "headers" && headers.is_none() {
                            continue;
                        }
                        o.insert(k.to_string(), v.clone());
                    }
                }
                examples.push((i + 1, Value::Object(o)));
            }
            let ce_type = listed
                .iter()
                .filter(|x| x.get("payload").is_some() && headers.is_some())
                .find_map(|x| {
                    x.pointer("/headers/type")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .or_else(|| header_type_const(ws, m));
            seen.insert(m.src.clone(), api.messages.len());
            msg_defs.insert((di, mi), api.messages.len());
            api.messages.push(MessageInfo {
                def,
                ce_type,
                examples,
                skipped,
                role: role_of.get(&(di, mi)).copied().unwrap_or("event"),
                payload: m
                    .payload
                    .as_ref()
                    .map(|p| (p.src.file, p.src.pointer.clone(), p.format.clone())),
                headers: m
                    .headers
                    .as_ref()
                    .map(|h| (h.src.file, h.src.pointer.clone())),
            });
        }
        if !matches!(doc.spec, Spec::AsyncApi(_)) {
            component_schemas(ws, &mut api.types, doc);
        }
    }
    // Where each message lives, its name, and where it is sent (publishers).
    let mut msg_srcs: Vec<Option<Src>> = vec![None; api.messages.len()];
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    for (src, &i) in &seen {
        if let Some(slot) = msg_srcs.get_mut(i) {
            *slot = Some(src.clone());
        }
    }
    for doc in &model.documents {
        for m in &doc.messages {
            if let Some(&i) = seen.get(&m.src) {
                by_name.entry(msg_name(m)).or_insert(i);
                by_name
                    .entry(crate::gates::util::message_name(m))
                    .or_insert(i);
            }
        }
    }
    api.by_name = by_name.clone();
    let addresses = super::patterns::send_addresses(model);
    // Handlers.
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut handler_names = Namer::default();
    for r in &rows {
        let kind = match r.kind {
            classify::Kind::Command => "command",
            classify::Kind::Query => "query",
            classify::Kind::EventConsumed => "event",
            classify::Kind::Reply => "command",
            _ => continue,
        };
        let doc = &model.documents[r.doc];
        let op = &doc.operations[r.op];
        // The event patterns: what it leads to, how it is delivered, where it parks
        // what it cannot process.
        let delivery = (op.action == Some(crate::model::Action::Receive))
            .then(|| super::patterns::delivery(ws, doc, op))
            .flatten();
        let at_least_once = kind != "query" && delivery.as_deref() == Some("at-least-once");
        let dead_letter = super::patterns::dead_letter(ws, doc, op);
        let mut emits_missing = Vec::new();
        let mut emitted: Vec<usize> = Vec::new();
        for target in super::patterns::emitted(ws, op) {
            let found = match &target {
                Ok(src) => seen.get(src).copied(),
                Err(name) => by_name.get(name.as_str()).copied(),
            };
            match found {
                Some(i) if !emitted.contains(&i) => emitted.push(i),
                Some(_) => {}
                None => emits_missing.push(match target {
                    Ok(src) => src
                        .pointer
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .replace("~1", "/")
                        .replace("~0", "~"),
                    Err(name) => name,
                }),
            }
        }
        if let Some(rep) = &op.reply {
            for i in rep
                .messages
                .iter()
                .filter_map(|m| msg_defs.get(&(r.doc, *m)).copied())
            {
                if !emitted.contains(&i) {
                    emitted.push(i);
                }
            }
        }
        let mut publish_names = Namer::default();
        let _ = publish_names.take_snake("dead_letter");
        let emits: Vec<Emit> = emitted
            .into_iter()
            .map(|i| {
                let name = api
                    .types
                    .defs
                    .get(api.messages[i].def)
                    .map(|d| d.name.clone())
                    .unwrap_or_default();
                Emit {
                    method: publish_names.take_snake(&format!("publish_{}", snake(&name))),
                    message: i,
                    address: msg_srcs
                        .get(i)
                        .and_then(Option::as_ref)
                        .and_then(|s| addresses.get(s))
                        .cloned(),
                }
            })
            .collect();
        let hname = api.types.take_name(&format!("{}Handler", pascal(&r.id)));
        let _ = handler_names.take(&hname);
        let (group, methods) = match &op.verb {
            Verb::Http { method, path } => {
                let group = op.tags.first().map(|t| t.name.clone()).unwrap_or_else(|| {
                    path.split('/')
                        .find(|s| !s.is_empty() && !s.starts_with('{'))
                        .unwrap_or("root")
                        .to_string()
                });
                let (input, output) = http_io(ws, &mut api.types, op, &r.id);
                let m = Method {
                    name: "handle".into(),
                    input,
                    output,
                    doc: format!("{} {}", method.to_uppercase(), path),
                    message: None,
                    idempotency_key: None,
                };
                (group, vec![m])
            }
            _ => {
                let group = op
                    .channel
                    .and_then(|c| doc.channels.get(c))
                    .map(|c| c.key.clone())
                    .unwrap_or_else(|| "default".into());
                let output = op.reply.as_ref().and_then(|rep| {
                    let tys: Vec<Ty> = rep
                        .messages
                        .iter()
                        .filter_map(|m| msg_defs.get(&(r.doc, *m)))
                        .map(|&i| Ty::Named(api.messages[i].def))
                        .collect();
                    match tys.len() {
                        0 => None,
                        1 => tys.into_iter().next(),
                        _ => Some(api.types.add_union(&format!("{}Reply", pascal(&r.id)), tys)),
                    }
                });
                let mut mnames = Namer::default();
                let methods = op
                    .messages
                    .iter()
                    .filter_map(|m| msg_defs.get(&(r.doc, *m)).map(|&i| (m, i)))
                    .map(|(m, i)| {
                        let mname = mnames
                            .take_snake(&format!("handle_{}", snake(&msg_name(&doc.messages[*m]))));
                        Method {
                            name: mname,
                            input: Some(Ty::Named(api.messages[i].def)),
                            output: output.clone(),
                            doc: r.what.clone(),
                            message: Some(i),
                            idempotency_key: at_least_once
                                .then(|| {
                                    super::patterns::idempotency_key(ws, op, &doc.messages[*m])
                                })
                                .flatten(),
                        }
                    })
                    .collect();
                (group, methods)
            }
        };
        let g = groups.entry(group.clone()).or_insert_with(|| Group {
            module: String::new(),
            title: group.clone(),
            handlers: Vec::new(),
        });
        g.handlers.push(Handler {
            name: hname,
            kind,
            operation: r.id.clone(),
            methods,
            emits,
            emits_missing,
            delivery,
            at_least_once,
            dead_letter,
        });
    }
    let mut modules: HashSet<String> = HashSet::new();
    for (_, mut g) in groups {
        let mut m = snake(&g.title);
        let mut n = 2;
        while !modules.insert(m.clone())
            || matches!(
                m.as_str(),
                "mod" | "tests" | "models" | "messages" | "serde_helpers"
            )
        {
            m = format!("{}_{n}", snake(&g.title));
            n += 1;
        }
        g.module = m;
        api.groups.push(g);
    }
    super::types::infer_discriminators(&mut api.types.defs);
    api
}

fn schema_ty(ws: &Workspace, ts: &mut TypeSet, s: &crate::model::SchemaRef, hint: &str) -> Ty {
    // The SchemaRef points where the schema lives; name component schemas by key.
    let Some(v) = value_at(ws, &s.src) else {
        return Ty::Any;
    };
    let key = component_key(&s.src.pointer);
    match key {
        Some(k) => ts.named_at(ws, s.src.file, &s.src.pointer, &k),
        None => ts.ty(ws, s.src.file, v, hint),
    }
}

/// `Pet` for `/components/schemas/Pet` (and `/definitions/Pet`).
fn component_key(ptr: &str) -> Option<String> {
    let toks = pointer::parse(ptr)?;
    match toks.as_slice() {
        [a, b, k] if a == "components" && b == "schemas" => Some(k.clone()),
        [a, k] if a == "definitions" => Some(k.clone()),
        _ => None,
    }
}

fn header_type_const(ws: &Workspace, m: &crate::model::Message) -> Option<String> {
    let h = value_at(ws, &m.headers.as_ref()?.src)?;
    let t = h.pointer("/properties/type")?;
    t.get("const")
        .and_then(Value::as_str)
        .or_else(|| {
            t.get("enum")
                .and_then(Value::as_array)
                .filter(|a| a.len() == 1)
                .and_then(|a| a[0].as_str())
        })
        .map(str::to_string)
}

/// Every component schema of an OpenAPI/Swagger document, in document order.
fn component_schemas(ws: &Workspace, ts: &mut TypeSet, doc: &Document) {
    let Some(root) = ws.file(doc.src.file).value.as_ref() else {
        return;
    };
    for (base, obj) in [
        ("/components/schemas", root.pointer("/components/schemas")),
        ("/definitions", root.pointer("/definitions")),
    ] {
        let Some(obj) = obj.and_then(Value::as_object) else {
            continue;
        };
        for k in obj.keys() {
            let p = pointer::push(base, k);
            ts.named_at(ws, doc.src.file, &p, k);
        }
    }
}

/// The JSON body schema among `content` media types (or Swagger `schema`).
fn json_body(v: &Value) -> Option<&Value> {
    if let Some(s) = v.get("schema") {
        return Some(s);
    }
    let content = v.get("content")?.as_object()?;
    content
        .iter()
        .find(|(k, _)| k.contains("json"))
        .and_then(|(_, m)| m.get("schema"))
}

/// Request (parameters + body) and response types of an HTTP operation.
fn http_io(
    ws: &Workspace,
    ts: &mut TypeSet,
    op: &crate::model::Operation,
    id: &str,
) -> (Option<Ty>, Option<Ty>) {
    let Some(ov) = value_at(ws, &op.src) else {
        return (None, None);
    };
    let file = op.src.file;
    let base = pascal(id);
    let mut fields = Vec::new();
    for p in &op.parameters {
        let ty = match &p.schema {
            Some(s) => schema_ty(ws, ts, s, &format!("{base}{}", pascal(&p.name))),
            None => Ty::Str,
        };
        // Parameters of one name in two places (`id` in the path and in the query) are
        // two fields: the later one's key says where it is (`id_query`).
        let key = if fields.iter().any(|f: &Field| f.key == p.name) {
            let mut k = format!("{}_{}", p.name, p.location.as_deref().unwrap_or("param"));
            let mut n = 2;
            while fields.iter().any(|f: &Field| f.key == k) {
                k = format!(
                    "{}_{}_{n}",
                    p.name,
                    p.location.as_deref().unwrap_or("param")
                );
                n += 1;
            }
            k
        } else {
            p.name.clone()
        };
        fields.push(Field {
            key,
            ty,
            required: p.required,
            doc: p.location.as_ref().map(|l| format!("in: {l}")),
        });
    }
    let body = ov
        .get("requestBody")
        .map(|b| ws.deref(file, b))
        .and_then(|(f, _, b)| json_body(b).map(|s| (f, s)));
    if let Some((f, s)) = body {
        let ty = ts.ty(ws, f, s, &format!("{base}Body"));
        // A parameter may be called `body` too.
        let mut key = "body".to_string();
        while fields.iter().any(|f| f.key == key) {
            key.insert_str(0, "request_");
        }
        fields.push(Field {
            key,
            ty,
            required: true,
            doc: Some("The request body.".into()),
        });
    }
    let input = if fields.is_empty() {
        None
    } else {
        Some(ts.add_struct(&format!("{base}Request"), fields))
    };
    let output = ov
        .get("responses")
        .and_then(Value::as_object)
        .and_then(|rs| {
            rs.iter()
                .filter(|(c, _)| c.starts_with('2'))
                .find_map(|(_, r)| {
                    let (f, _, r) = ws.deref(file, r);
                    json_body(r).map(|s| ts.ty(ws, f, s, &format!("{base}Response")))
                })
        });
    (input, output)
}
