//! Gates over messages: `schema_consistency` (object payload with `required`, the
//! envelope, naming conventions, a validating example) and `idempotency_declared`
//! (consumed messages carry an idempotency key).

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::util::{
    Item, distinct, ext, has_ce_attr, header_props, layered, message_layers, message_name,
    schema_props,
};
use crate::classify::{Kind, Naming, Row, naming_with, value_at};
use crate::gates::verbs::Verbs;
use crate::model::{Action, Message, Model, Spec, Src};
use crate::source::{FileId, Workspace};

/// What a message is used as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Command,
    Event,
    /// What an operation that carries answers sends or receives (`OrderResponse`,
    /// `SumResult`): neither a command nor an event, so named as neither.
    Answer,
}

fn roles(model: &Model, rows: &[Row]) -> BTreeMap<Src, Role> {
    let mut out = BTreeMap::new();
    for row in rows {
        let Some(doc) = model.documents.get(row.doc) else {
            continue;
        };
        let Some(op) = doc.operations.get(row.op) else {
            continue;
        };
        let role = match row.kind {
            Kind::Reply if row.answer => Role::Answer,
            Kind::Command | Kind::Request | Kind::Reply => Role::Command,
            Kind::EventPublished | Kind::EventConsumed => Role::Event,
            Kind::Query => continue,
        };
        for m in op.messages.iter().filter_map(|&i| doc.messages.get(i)) {
            out.entry(m.src.clone()).or_insert(role);
        }
        if let Some(r) = &op.reply {
            for m in r.messages.iter().filter_map(|&i| doc.messages.get(i)) {
                out.entry(m.src.clone()).or_insert(Role::Event);
            }
        }
    }
    out
}

/// (is an object schema, declares `required`), across `$ref`s and `allOf`.
fn object_shape(ws: &Workspace, file: FileId, schema: &Value, depth: usize) -> (bool, bool) {
    if depth > 16 {
        return (false, false);
    }
    let (f, _, s) = ws.deref(file, schema);
    let mut object = match s.get("type") {
        Some(Value::String(t)) => t == "object",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "object"),
        _ => false,
    };
    let mut required = s
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|r| !r.is_empty());
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for sub in all {
            let (o, r) = object_shape(ws, f, sub, depth + 1);
            object |= o;
            required |= r;
        }
    }
    (object, required)
}

fn json_schema_format(format: Option<&str>) -> bool {
    match format {
        None => true,
        Some(f) => {
            let f = f.to_ascii_lowercase();
            f.contains("schema+json")
                || f.contains("schema+yaml")
                || f.contains("aai")
                || f.contains("asyncapi")
                || f.contains("openapi")
        }
    }
}

fn pascal(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Whether every example of the message validates; `None` when it has none.
fn examples_valid(ws: &Workspace, m: &Message) -> Option<Result<(), String>> {
    let layers = message_layers(ws, m);
    let mut examples: Vec<(Option<&Value>, Option<&Value>)> = Vec::new();
    if let Some((_, Value::Array(list))) = layered(&layers, "examples") {
        for e in list {
            examples.push((e.get("headers"), e.get("payload")));
        }
    }
    let payload = m
        .payload
        .as_ref()
        .and_then(|p| value_at(ws, &p.src).map(|v| (p.src.file, v)));
    if examples.is_empty() {
        if let Some((_, p)) = payload {
            if let Some(Value::Array(list)) = p.get("examples") {
                examples.extend(list.iter().map(|x| (None, Some(x))));
            } else if let Some(x) = p.get("example") {
                examples.push((None, Some(x)));
            }
        }
    }
    if examples.is_empty() {
        return None;
    }
    let compile = |part: Option<(FileId, &Value)>| {
        part.and_then(|(f, s)| {
            let schema = crate::saga::contract::inline(ws, f, s, &mut Vec::new(), 0);
            jsonschema::validator_for(&schema).ok()
        })
    };
    let payload_ok = m
        .payload
        .as_ref()
        .is_none_or(|p| json_schema_format(p.format.as_deref()));
    let pv = if payload_ok { compile(payload) } else { None };
    let hv = compile(
        m.headers
            .as_ref()
            .and_then(|h| value_at(ws, &h.src).map(|v| (h.src.file, v))),
    );
    for (i, (h, p)) in examples.iter().enumerate() {
        if let (Some(v), Some(x)) = (&pv, p) {
            if let Some(e) = v.iter_errors(x).next() {
                return Some(Err(format!("example {} payload: {e}", i + 1)));
            }
        }
        if let (Some(v), Some(x)) = (&hv, h) {
            if let Some(e) = v.iter_errors(x).next() {
                return Some(Err(format!("example {} headers: {e}", i + 1)));
            }
        }
    }
    Some(Ok(()))
}

pub fn schema_consistency(
    ws: &Workspace,
    model: &Model,
    rows: &[Row],
    envelope: &[String],
    verbs: &Verbs,
) -> Vec<Item> {
    let roles = roles(model, rows);
    let mut seen: HashSet<&Src> = HashSet::new();
    let mut items = Vec::new();
    // Event-architecture messages only: OpenAPI request/response bodies are not
    // expected to carry an event envelope or follow event naming.
    for doc in model
        .documents
        .iter()
        .filter(|d| matches!(d.spec, Spec::AsyncApi(_)))
    {
        for m in &doc.messages {
            if !seen.insert(&m.src) || super::flow::dangling(ws, &m.src) {
                continue;
            }
            let mut misses: Vec<String> = Vec::new();
            // Payload: an object schema with `required`.
            match &m.payload {
                None => misses.push("no payload schema".to_string()),
                Some(p) if super::flow::dangling_schema(ws, &p.src) => {}
                Some(p)
                    if value_at(ws, &p.src)
                        .is_some_and(|v| super::util::alternatives_dangle(ws, p.src.file, v)) => {}
                Some(p) if json_schema_format(p.format.as_deref()) => {
                    if let Some(v) = value_at(ws, &p.src) {
                        let (object, required) = object_shape(ws, p.src.file, v, 0);
                        if !object {
                            misses.push("payload is not `type: object`".to_string());
                        } else if !required {
                            misses.push("payload lists no `required` properties".to_string());
                        }
                    }
                }
                Some(_) => {}
            }
            // The envelope: binary-mode headers or structured-mode payload.
            let foreign = message_layers(ws, m).iter().any(|(_, v)| {
                matches!(v.get("x-hnp-envelope"), Some(Value::Bool(false)))
                    || v.get("x-hnp-envelope").and_then(Value::as_str) == Some("none")
            });
            // Envelope attributes may be behind a `$ref` that did not resolve (a payload,
            // a `oneOf` member, headers or a trait): not judged then.
            let hidden = m.payload.as_ref().is_some_and(|p| {
                super::flow::dangling_schema(ws, &p.src)
                    || value_at(ws, &p.src)
                        .is_some_and(|v| super::util::alternatives_dangle(ws, p.src.file, v))
            }) || super::util::message_has_dangling_ref(ws, m)
                || m.traits.iter().any(|t| super::flow::dangling_schema(ws, t));
            if !envelope.is_empty() && !foreign && !hidden {
                let headers = header_props(ws, m);
                let payload = m
                    .payload
                    .as_ref()
                    .and_then(|p| value_at(ws, &p.src).map(|v| schema_props(ws, p.src.file, v)))
                    .unwrap_or_default();
                let missing: Vec<&str> = envelope
                    .iter()
                    .filter(|a| !has_ce_attr(&headers, a) && !has_ce_attr(&payload, a))
                    .map(String::as_str)
                    .collect();
                if !missing.is_empty() {
                    misses.push(format!(
                        "envelope attributes missing: {}",
                        missing.join(", ")
                    ));
                }
            }
            // Naming.
            let name = message_name(m);
            let n = naming_with(&name, verbs);
            match roles.get(&m.src) {
                _ if !super::util::named(m) => {
                    misses.push("no `name` (or `messageId`)".to_string());
                }
                _ if !pascal(&name) => misses.push(format!("name `{name}` is not PascalCase")),
                Some(Role::Event) if n != Naming::PastTense => {
                    misses.push(format!("event name `{name}` is not in the past tense"));
                }
                Some(Role::Command) if n != Naming::Imperative => {
                    misses.push(format!("command name `{name}` is not imperative"));
                }
                None if n == Naming::Unclear => misses.push(format!(
                    "name `{name}` is neither an event (past tense) nor a command (imperative)"
                )),
                _ => {}
            }
            // A validating example.
            // A payload behind a `$ref` that did not resolve may hold the examples
            // (`examples` in the schema), and no example can be checked against it.
            let payload_hidden = m
                .payload
                .as_ref()
                .is_some_and(|p| super::flow::dangling_schema(ws, &p.src));
            match examples_valid(ws, m) {
                None | Some(Err(_)) if payload_hidden => {}
                None => misses.push("no example".to_string()),
                Some(Err(e)) => misses.push(e),
                Some(Ok(())) => {}
            }
            let miss =
                (!misses.is_empty()).then(|| format!("message `{name}`: {}", misses.join("; ")));
            items.push(Item::check(
                m.src.clone(),
                miss,
                "give the message an object payload with `required`, the envelope headers (CloudEvents: id, source, specversion, type), a PascalCase name (events past tense, commands imperative) and an example that validates",
            ));
        }
    }
    items
}

/// Property names that identify a message for deduplication, compared without case or
/// separators (`eventId`, `event_id`, `X-Request-Id`, `Idempotency-Key`).
pub const IDEMPOTENCY_NAMES: &[&str] = &[
    "eventid",
    "messageid",
    "msgid",
    "requestid",
    "xrequestid",
    "commandid",
    "idempotencykey",
    "xidempotencykey",
    "deduplicationid",
    "messagededuplicationid",
    "dedupid",
    "dedupkey",
];

fn normalised(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// An idempotency key under a common name: a header or payload property of
/// [`IDEMPOTENCY_NAMES`], or a payload `id` the schema requires.
fn common_key(ws: &Workspace, m: &Message) -> bool {
    let named = |props: &std::collections::BTreeSet<String>| {
        props
            .iter()
            .any(|p| IDEMPOTENCY_NAMES.contains(&normalised(p).as_str()))
    };
    if named(&header_props(ws, m)) {
        return true;
    }
    let Some(p) = m.payload.as_ref() else {
        return false;
    };
    let Some(v) = value_at(ws, &p.src) else {
        return false;
    };
    named(&schema_props(ws, p.src.file, v))
        || super::util::schema_required(ws, p.src.file, v).contains("id")
}

/// Whether an HTTP operation's request carries an idempotency key: a header (or any)
/// parameter or a request-body property under a common name, `x-hnp-idempotency-key`, or
/// `x-hnp-idempotent: true` (repeating it takes no further effect).
fn http_key(ws: &Workspace, op: &crate::model::Operation) -> bool {
    let named = |n: &str| IDEMPOTENCY_NAMES.contains(&normalised(n).as_str());
    if ext(ws, &op.extensions, "x-hnp-idempotency-key").is_some()
        || ext(ws, &op.extensions, "x-hnp-idempotent").and_then(Value::as_bool) == Some(true)
        || op.parameters.iter().any(|p| named(&p.name))
    {
        return true;
    }
    let Some(v) = value_at(ws, &op.src) else {
        return false;
    };
    // Swagger 2.0 `in: body` parameters and OpenAPI 3 `requestBody` content schemas.
    let mut schemas: Vec<&Value> = Vec::new();
    if let Some(params) = v.get("parameters").and_then(Value::as_array) {
        for p in params {
            let (_, _, p) = ws.deref(op.src.file, p);
            if p.get("name").and_then(Value::as_str).is_some_and(named) {
                return true;
            }
            schemas.extend(p.get("schema"));
        }
    }
    if let Some(body) = v.get("requestBody") {
        let (_, _, body) = ws.deref(op.src.file, body);
        if let Some(content) = body.get("content").and_then(Value::as_object) {
            schemas.extend(content.values().filter_map(|c| c.get("schema")));
        }
    }
    schemas
        .into_iter()
        .any(|s| schema_props(ws, op.src.file, s).iter().any(|p| named(p)))
}

/// OpenAPI commands that start asynchronous work (`x-hnp-emits`, `callbacks`) with
/// POST, the method HTTP does not make idempotent: a retry without an idempotency key
/// (or a `409 Conflict` that rejects the duplicate) repeats the work and the events it
/// causes. PUT, PATCH and DELETE set state and repeat harmlessly; a plain REST command
/// causes no events to duplicate.
fn http_commands(ws: &Workspace, model: &Model, rows: &[Row]) -> Vec<Item> {
    let mut items = Vec::new();
    for row in rows.iter().filter(|r| r.kind == Kind::Command) {
        let Some(op) = model
            .documents
            .get(row.doc)
            .and_then(|d| d.operations.get(row.op))
        else {
            continue;
        };
        let crate::model::Verb::Http { method, .. } = &op.verb else {
            continue;
        };
        if !method.eq_ignore_ascii_case("post") {
            continue;
        }
        let v = value_at(ws, &op.src);
        // A `409 Conflict` answer says a duplicate is recognised and rejected (a
        // natural key): the retry does not repeat the work.
        let conflict = v
            .and_then(|v| v.get("responses"))
            .and_then(Value::as_object)
            .is_some_and(|r| r.contains_key("409"));
        let asynchronous = ext(ws, &op.extensions, "x-hnp-emits")
            .and_then(Value::as_array)
            .is_some_and(|l| !l.is_empty())
            || v.and_then(|v| v.get("callbacks"))
                .and_then(Value::as_object)
                .is_some_and(|c| !c.is_empty());
        if !asynchronous {
            continue;
        }
        let miss = (!conflict && !http_key(ws, op)).then(|| {
            format!(
                "command `{}` ({}) starts asynchronous work but takes no idempotency key: a retried request repeats it",
                row.id,
                method.to_ascii_uppercase()
            )
        });
        items.push(Item::check(
            op.src.clone(),
            miss,
            "accept an `Idempotency-Key` (or `X-Request-Id`) header or a `requestId` in the body, answer a duplicate with `409`, declare `x-hnp-idempotency-key`, or `x-hnp-idempotent: true` when repeating it takes no further effect",
        ));
    }
    items
}

/// A name that asks to read (`GetItem`, `getCaptchaRequest`, `ListOrders`): answering it
/// twice changes nothing, so a duplicate needs no key.
fn read_name(name: &str) -> bool {
    crate::classify::words(name)
        .first()
        .is_some_and(|w| crate::classify::READ_VERBS.contains(&w.as_str()))
}

pub fn idempotency(ws: &Workspace, model: &Model, rows: &[Row]) -> Vec<Item> {
    let mut seen: HashSet<&Src> = HashSet::new();
    let mut items = http_commands(ws, model, rows);
    let queries: HashSet<(usize, usize)> = rows
        .iter()
        .filter(|r| r.kind == Kind::Query)
        .map(|r| (r.doc, r.op))
        .collect();
    let rows_by_op: std::collections::HashMap<(usize, usize), &Row> =
        rows.iter().map(|r| ((r.doc, r.op), r)).collect();
    for (di, doc) in model.documents.iter().enumerate() {
        for (oi, op) in doc
            .operations
            .iter()
            .enumerate()
            .filter(|(_, o)| o.action == Some(Action::Receive))
        {
            // A query only reads: handling it twice changes nothing.
            if queries.contains(&(di, oi))
                || rows_by_op
                    .get(&(di, oi))
                    .is_some_and(|r| super::flow::read_request(ws, doc, op, r))
            {
                continue;
            }
            // At-most-once delivery (declared, or implied by the protocol) never
            // delivers a message twice: there is no duplicate to recognise.
            let ch = op.channel.and_then(|c| doc.channels.get(c));
            let declared = ext(ws, &op.extensions, "x-hnp-delivery").and_then(Value::as_str);
            let at_most_once = match declared {
                Some(d) => d == "at-most-once",
                None => super::protocols::delivery(ws, doc, ch, op)
                    .is_some_and(|i| i.guarantee == "at-most-once"),
            };
            if at_most_once {
                continue;
            }
            let op_key = ext(ws, &op.extensions, "x-hnp-idempotency-key").is_some();
            for i in distinct(doc, op.messages.iter().copied()) {
                let Some(m) = doc.messages.get(i) else {
                    continue;
                };
                if !seen.insert(&m.src) {
                    continue;
                }
                if super::flow::dangling(ws, &m.src)
                    || super::roles::control_message(m, &message_name(m))
                    || read_name(&message_name(m))
                {
                    continue;
                }
                let layers = message_layers(ws, m);
                let known_key = op_key
                    || layered(&layers, "x-hnp-idempotency-key").is_some()
                    || m.correlation_id.is_some()
                    || layered(&layers, "correlationId").is_some();
                // A key may be behind a `$ref` that did not resolve (a CloudEvents
                // envelope in a missing file, an Avro schema): not judged, one finding
                // (`ref-unresolved`) per root cause.
                if !known_key && super::util::message_has_dangling_ref(ws, m) {
                    continue;
                }
                let ok = op_key
                    || layered(&layers, "x-hnp-idempotency-key").is_some()
                    || m.correlation_id.is_some()
                    || layered(&layers, "correlationId").is_some()
                    || has_ce_attr(&header_props(ws, m), "id")
                    || common_key(ws, m);
                let miss = (!ok).then(|| {
                    format!(
                        "consumed message `{}` has no idempotency key",
                        message_name(m)
                    )
                });
                items.push(Item::check(
                    m.src.clone(),
                    miss,
                    "declare `x-hnp-idempotency-key` (a JSON pointer into the message), a `correlationId`, a CloudEvents `id` header, an `eventId`/`messageId`/`requestId` header or property, or a required payload `id`",
                ));
            }
        }
    }
    items
}
