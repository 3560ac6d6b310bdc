//! Contract-level comparison of an old and a new API document: identity of items
//! across revisions, the direction of every schema occurrence, the `diff-…` rules and
//! the versioning policy. Findings are located in the new revision, with the old
//! location as `related`.
//!
//! Identity: AsyncAPI 3 channels, operations and channel messages by key; 2.x channels
//! by name, operations by channel + `publish`/`subscribe`, messages by `messageId`,
//! else `name`, else position; OpenAPI/Swagger operations by method + path template
//! with parameter names blanked (`/a/{id}` and `/a/{fabricId}` are one path, and the
//! rename is reported).

use std::collections::BTreeMap;

use serde_json::Value;

use super::load::Revision;
use super::schema::{self, Dialect, Effect, Loc, Side};
use super::{Breaks, Flow, Mode, Options};
use crate::diag::{Diagnostic, Location, Severity};
use crate::source::{DocKind, pointer};

/// One finding, with the heading it is grouped under in the changelog.
#[derive(Debug, Clone)]
pub struct Finding {
    pub diag: Diagnostic,
    /// `channel kubernetes.resource.lifecycle`, `GET /fabrics/{}`, `document`.
    pub group: String,
}

/// Where an item is: file and pointer in its revision.
type At = (u32, String);

#[derive(Debug, Default)]
struct Channel {
    at: At,
    address: Option<String>,
    params: Vec<String>,
    /// `x-hnp-compatibility` as written.
    mode: Option<(String, At)>,
}

#[derive(Debug, Default)]
struct Operation {
    at: At,
    action: Option<String>,
    channel: Option<String>,
    reply: Option<String>,
    delivery: Option<(String, At)>,
    security: Vec<String>,
    /// The heading in the changelog.
    group: String,
}

#[derive(Debug, Default)]
struct Message {
    at: At,
    flow: Option<Flow>,
    dialect: Option<Dialect>,
    payload: Option<At>,
    headers: Option<At>,
    correlation: Option<(String, At)>,
    kafka_key: Option<At>,
    ordering_key: Option<(String, At)>,
    idempotency_key: Option<(String, At)>,
    ce_type: Option<(String, At)>,
    group: String,
    label: String,
    /// The key of the channel it travels on.
    channel: String,
    /// Its key in the contract without its own name: the channel key (AsyncAPI 3),
    /// the channel and verb (2.x).
    slot: String,
    /// `x-hnp-compatibility` as written (the message's, with its traits).
    mode: Option<(String, At)>,
    /// The names sagas know it by: its key in the channel and its
    /// `components/messages` name.
    names: Vec<String>,
}

#[derive(Debug, Default)]
struct HttpParam {
    at: At,
    required: bool,
    schema: Option<At>,
}

#[derive(Debug, Default)]
struct HttpOp {
    at: At,
    path: String,
    params: BTreeMap<(String, String), HttpParam>,
    body_required: bool,
    body_at: Option<At>,
    requests: BTreeMap<String, At>,
    responses: BTreeMap<String, (At, BTreeMap<String, At>)>,
    security: Vec<String>,
}

#[derive(Debug, Default)]
struct Contract {
    doc: u32,
    dialect: Option<Dialect>,
    version: Option<(String, At)>,
    /// `x-hnp-compatibility` of the document (at its root or in `info`).
    mode: Option<(String, At)>,
    servers: BTreeMap<String, (At, Option<String>)>,
    channels: BTreeMap<String, Channel>,
    operations: BTreeMap<String, Operation>,
    messages: BTreeMap<String, Message>,
    http: BTreeMap<String, HttpOp>,
}

/// What one comparison found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    /// Messages that broke (removed, or changed incompatibly), by every name sagas
    /// know them by: the first breaking finding's location and message.
    pub broken: BTreeMap<String, (Location, String)>,
    /// Whether any item has a `-transitive` mode (so releases must be compared).
    pub wants_releases: bool,
    /// The new side's channel keys and addresses, and message names (for the
    /// config's `diff.channels` and `diff.messages` entries that match nothing).
    pub channel_names: Vec<String>,
    pub message_names: Vec<String>,
}

/// Compare the document `old_doc` of `old` with `new_doc` of `new`.
pub fn diff_documents(
    old: &Revision,
    old_doc: u32,
    new: &Revision,
    new_doc: u32,
    opts: &Options,
) -> Outcome {
    let mut o = extract(old, old_doc);
    let mut n = extract(new, new_doc);
    align_v2(&mut o, &n);
    align_v2(&mut n, &o);
    let mut cx = Cx {
        old,
        new,
        o: &o,
        n: &n,
        out: Vec::new(),
        breaking: false,
        opts,
        mode: None,
        broken: BTreeMap::new(),
        wants_releases: false,
        proven: Default::default(),
        skip: None,
        renamed_channels: renamed_channels(&o, &n),
        renamed_to: std::collections::BTreeSet::new(),
    };
    let doc_mode = cx.modes();
    if let Some(release) = &opts.release {
        // Against an older release: schema compatibility of transitive items only.
        cx.messages();
        cx.mode = doc_mode;
        if doc_mode.is_some_and(|m| m.transitive) {
            cx.http();
        }
        let mut out = cx.out;
        out.retain(|f| f.diag.rule.starts_with("diff-schema-"));
        for f in &mut out {
            f.diag.message = format!("since release `{release}`: {}", f.diag.message);
            for r in &mut f.diag.related {
                r.message = format!("in release {release}");
            }
        }
        return Outcome {
            findings: out,
            ..Outcome::default()
        };
    }
    cx.servers();
    cx.channels();
    cx.operations();
    cx.messages();
    cx.mode = doc_mode;
    cx.http();
    cx.version();
    let mut channel_names: Vec<String> = Vec::new();
    for (k, c) in &n.channels {
        channel_names.push(k.clone());
        channel_names.extend(c.address.iter().cloned());
    }
    let message_names = n.messages.values().flat_map(|m| m.names.clone()).collect();
    Outcome {
        findings: cx.out,
        broken: cx.broken,
        wants_releases: cx.wants_releases,
        channel_names,
        message_names,
    }
}

/// An AsyncAPI 2.x document compared with a 3.x one (a migration of the spec, not of
/// the wire): the 2.x operations and messages take the keys of the 3.x ones that
/// carry the same traffic, so that the same traffic is compared instead of reported
/// removed and added. A 2.x `subscribe` is a 3.x `send` and `publish` a `receive`;
/// channels match by key, else by address; an operation matches the only 3.x one
/// with its action on its channel; a message the 3.x one of its channel that knows
/// its name, else the only one when the 2.x channel has only one too.
fn align_v2(v2: &mut Contract, v3: &Contract) {
    let is_v2 = |c: &Contract| {
        c.operations
            .values()
            .any(|o| matches!(o.action.as_deref(), Some("publish" | "subscribe")))
    };
    if !is_v2(v2) || is_v2(v3) || v3.operations.is_empty() {
        return;
    }
    let channel3 = |ch: &str| -> Option<String> {
        if v3.channels.contains_key(ch) {
            return Some(ch.to_string());
        }
        let mut it = v3
            .channels
            .iter()
            .filter(|(_, c)| c.address.as_deref() == Some(ch));
        match (it.next(), it.next()) {
            (Some((k, _)), None) => Some(k.clone()),
            _ => None,
        }
    };
    for (k, mut op) in std::mem::take(&mut v2.operations) {
        let action = match op.action.as_deref() {
            Some("subscribe") => "send",
            Some("publish") => "receive",
            _ => {
                v2.operations.insert(k, op);
                continue;
            }
        };
        let ch3 = op.channel.as_deref().and_then(channel3);
        let cands: Vec<&String> = v3
            .operations
            .iter()
            .filter(|(_, o)| {
                o.action.as_deref() == Some(action) && ch3.is_some() && o.channel == ch3
            })
            .map(|(k, _)| k)
            .collect();
        match cands[..] {
            [one] if !v2.operations.contains_key(one) => {
                op.action = Some(action.to_string());
                op.channel = ch3;
                v2.operations.insert(one.clone(), op);
            }
            _ => {
                v2.operations.insert(k, op);
            }
        }
    }
    let mut per_channel: BTreeMap<String, usize> = BTreeMap::new();
    for m in v2.messages.values() {
        *per_channel.entry(m.channel.clone()).or_default() += 1;
    }
    let mut out = BTreeMap::new();
    for (k, mut m) in std::mem::take(&mut v2.messages) {
        let Some(ch3) = channel3(&m.channel) else {
            out.insert(k, m);
            continue;
        };
        let prefix = format!("{ch3}/");
        let in3: Vec<(&String, &Message)> = v3
            .messages
            .range(prefix.clone()..)
            .take_while(|(key, _)| key.starts_with(&prefix))
            .collect();
        let by_name: Vec<&String> = in3
            .iter()
            .filter(|(key, m3)| {
                m.names
                    .iter()
                    .any(|n| m3.names.contains(n) || key.strip_prefix(&prefix) == Some(n))
            })
            .map(|(key, _)| *key)
            .collect();
        let target = match (&by_name[..], &in3[..]) {
            ([one], _) => Some((*one).clone()),
            ([], [(one, _)]) if per_channel.get(&m.channel) == Some(&1) => Some((*one).clone()),
            _ => None,
        };
        match target {
            Some(t) if !out.contains_key(&t) => {
                m.channel.clone_from(&ch3);
                m.slot = ch3;
                out.insert(t, m);
            }
            _ => {
                out.insert(k, m);
            }
        }
    }
    v2.messages = out;
}

/// Channels whose key changed while their address stayed: old key → new key (only
/// when exactly one new channel, absent from the old side, has that address).
fn renamed_channels(o: &Contract, n: &Contract) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut by_address: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
    for (k, c) in &n.channels {
        if let Some(a) = c.address.as_deref() {
            if !o.channels.contains_key(k) {
                by_address.entry(a).or_default().push(k);
            }
        }
    }
    for (k, c) in &o.channels {
        if n.channels.contains_key(k) {
            continue;
        }
        if let Some([nk]) = c
            .address
            .as_deref()
            .and_then(|a| by_address.get(a))
            .map(Vec::as_slice)
        {
            out.insert(k.clone(), (*nk).clone());
        }
    }
    out
}

// ---- extraction ----

fn extract(rev: &Revision, doc: u32) -> Contract {
    let f = rev.file(doc);
    let mut c = Contract {
        doc,
        ..Contract::default()
    };
    let Some(root) = f.value.as_ref() else {
        return c;
    };
    // A YAML number (`version: 2`) is read as written, so the policy still applies
    // (the specifications ask for a string: that is `validate`'s to report).
    let version = match root.pointer("/info/version") {
        Some(Value::String(v)) => Some(v.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    if let Some(v) = version {
        c.version = Some((v, (doc, "/info/version".into())));
    }
    c.mode = ["/x-hnp-compatibility", "/info/x-hnp-compatibility"]
        .into_iter()
        .find_map(|p| Some((mode_text(root.pointer(p)?), (doc, p.to_string()))));
    match f.kind {
        DocKind::AsyncApi(v) => {
            c.dialect = Some(Dialect::Draft7);
            servers(rev, doc, root, &mut c);
            if v.major >= 3 {
                asyncapi3(rev, doc, root, &mut c);
            } else {
                asyncapi2(rev, doc, root, &mut c);
            }
        }
        DocKind::OpenApi(v) => {
            c.dialect = Some(if v.minor >= 1 {
                Dialect::Draft2020
            } else {
                Dialect::OpenApi30
            });
            http(rev, doc, root, &mut c, false);
        }
        DocKind::Swagger => {
            c.dialect = Some(Dialect::Draft7);
            http(rev, doc, root, &mut c, true);
        }
        _ => {}
    }
    c
}

fn obj_entries(v: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    v.and_then(Value::as_object).into_iter().flatten()
}

fn child(at: &str, tok: &str) -> String {
    pointer::push(at, tok)
}

fn servers(rev: &Revision, doc: u32, root: &Value, c: &mut Contract) {
    for (k, v) in obj_entries(root.get("servers")) {
        let (f, p, v) = rev.deref(doc, &child("/servers", k), v);
        let proto = v
            .get("protocol")
            .and_then(Value::as_str)
            .map(str::to_string);
        c.servers.insert(k.clone(), ((f, p), proto));
    }
}

/// The last token of a `$ref` (`#/channels/orders` → `orders`).
fn ref_name(v: &Value) -> Option<String> {
    let raw = v.get("$ref")?.as_str()?;
    let frag = raw.split_once('#').map_or(raw, |(_, f)| f);
    let toks = pointer::parse(frag)?;
    toks.last().cloned()
}

/// Fields of a message with its traits applied (the message's own fields win).
fn msg_field<'a>(rev: &'a Revision, at: &At, m: &'a Value, key: &str) -> Option<(At, &'a Value)> {
    if let Some(v) = m.get(key) {
        let (f, p, v) = rev.deref(at.0, &child(&at.1, key), v);
        return Some(((f, p), v));
    }
    let traits = m.get("traits")?.as_array()?;
    for (i, t) in traits.iter().enumerate().rev() {
        let tat = child(&child(&at.1, "traits"), &i.to_string());
        let (f, p, t) = rev.deref(at.0, &tat, t);
        if let Some(v) = t.get(key) {
            let (f2, p2, v) = rev.deref(f, &child(&p, key), v);
            return Some(((f2, p2), v));
        }
    }
    None
}

fn message(
    rev: &Revision,
    at: At,
    m: &Value,
    group: &str,
    label: &str,
    dialect: Dialect,
) -> Message {
    let mut msg = Message {
        at: at.clone(),
        group: group.to_string(),
        label: label.to_string(),
        dialect: Some(match m.get("schemaFormat").and_then(Value::as_str) {
            Some(f) if f.contains("openapi") => Dialect::OpenApi30,
            _ => dialect,
        }),
        ..Message::default()
    };
    if let Some((a, _)) = msg_field(rev, &at, m, "payload") {
        msg.payload = Some(a);
    }
    if let Some((a, _)) = msg_field(rev, &at, m, "headers") {
        msg.headers = Some(a);
    }
    if let Some((a, v)) = msg_field(rev, &at, m, "correlationId") {
        if let Some(loc) = v.get("location").and_then(Value::as_str) {
            msg.correlation = Some((loc.to_string(), (a.0, child(&a.1, "location"))));
        }
    }
    if let Some((a, v)) = msg_field(rev, &at, m, "bindings") {
        if let Some(k) = v.pointer("/kafka/key") {
            let (f, p, _) = rev.deref(a.0, &child(&child(&a.1, "kafka"), "key"), k);
            msg.kafka_key = Some((f, p));
        }
    }
    for (key, slot) in [
        ("x-hnp-ordering-key", &mut msg.ordering_key),
        ("x-hnp-idempotency-key", &mut msg.idempotency_key),
    ] {
        if let Some((a, v)) = msg_field(rev, &at, m, key) {
            if let Some(s) = v.as_str() {
                *slot = Some((s.to_string(), a));
            }
        }
    }
    // CloudEvents `type`: a const in the headers schema, else the examples' header.
    let from_schema = msg.headers.as_ref().and_then(|h| {
        let hv = rev.get(h.0, &h.1)?;
        let t = hv.pointer("/properties/type")?;
        let (f, p, t) = rev.deref(h.0, &child(&child(&h.1, "properties"), "type"), t);
        let c = t.get("const")?.as_str()?;
        Some((c.to_string(), (f, child(&p, "const"))))
    });
    let from_examples = || {
        let ex = m.get("examples")?.as_array()?;
        ex.iter().enumerate().find_map(|(i, e)| {
            let t = e.pointer("/headers/type")?.as_str()?;
            let p = format!("{}/examples/{i}/headers/type", at.1);
            Some((t.to_string(), (at.0, p)))
        })
    };
    msg.ce_type = from_schema.or_else(from_examples);
    if let Some((a, v)) = msg_field(rev, &at, m, "x-hnp-compatibility") {
        msg.mode = Some((mode_text(v), a));
    }
    if let Some([c, m, name]) = pointer::parse(&at.1).as_deref() {
        if c == "components" && m == "messages" {
            msg.names.push(name.clone());
        }
    }
    msg
}

/// The text of an `x-hnp-compatibility` value (a non-string is kept as JSON, so the
/// finding shows it).
fn mode_text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// `x-hnp-compatibility` on an object at `at`.
fn mode_of(v: &Value, at: &At) -> Option<(String, At)> {
    v.get("x-hnp-compatibility")
        .map(|m| (mode_text(m), (at.0, child(&at.1, "x-hnp-compatibility"))))
}

fn asyncapi3(rev: &Revision, doc: u32, root: &Value, c: &mut Contract) {
    let dialect = c.dialect.unwrap_or(Dialect::Draft7);
    for (k, v) in obj_entries(root.get("channels")) {
        let (f, p, ch) = rev.deref(doc, &child("/channels", k), v);
        let address = ch
            .get("address")
            .and_then(Value::as_str)
            .map(str::to_string);
        let params = obj_entries(ch.get("parameters"))
            .map(|(n, _)| n.clone())
            .collect();
        let ordering_key = ch
            .get("x-hnp-ordering-key")
            .and_then(Value::as_str)
            .map(|s| (s.to_string(), (f, child(&p, "x-hnp-ordering-key"))));
        let group = format!("channel `{}`", address.as_deref().unwrap_or(k));
        for (mk, mv) in obj_entries(ch.get("messages")) {
            let mat = child(&child(&p, "messages"), mk);
            let (mf, mp, m) = rev.deref(f, &mat, mv);
            let mut msg = message(
                rev,
                (mf, mp),
                m,
                &group,
                &format!("message `{mk}`"),
                dialect,
            );
            if msg.ordering_key.is_none() {
                msg.ordering_key.clone_from(&ordering_key);
            }
            msg.channel.clone_from(k);
            msg.slot.clone_from(k);
            msg.names.insert(0, mk.clone());
            c.messages.insert(format!("{k}/{mk}"), msg);
        }
        let mode = mode_of(ch, &(f, p.clone()));
        c.channels.insert(
            k.clone(),
            Channel {
                at: (f, p),
                address,
                params,
                mode,
            },
        );
    }
    for (k, v) in obj_entries(root.get("operations")) {
        let (f, p, op) = rev.deref(doc, &child("/operations", k), v);
        let channel = op.get("channel").and_then(ref_name);
        let action = op.get("action").and_then(Value::as_str).map(str::to_string);
        let flow = match action.as_deref() {
            Some("send") => Some(Flow::Written),
            Some("receive") => Some(Flow::Read),
            _ => None,
        };
        let listed: Option<Vec<String>> = op
            .get("messages")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(ref_name).collect());
        if let (Some(ch), Some(flow)) = (&channel, flow) {
            let prefix = format!("{ch}/");
            for (key, m) in c.messages.range_mut(prefix.clone()..) {
                let Some(name) = key.strip_prefix(&prefix) else {
                    break;
                };
                if listed.as_ref().is_none_or(|l| l.iter().any(|x| x == name)) {
                    m.flow = Some(m.flow.map_or(flow, |f| f.merge(flow)));
                }
            }
        }
        // The reply travels the other way: a `receive` operation's reply is what the
        // application sends, a `send` operation's reply is what it reads.
        if let (Some(r), Some(flow)) = (op.get("reply"), flow) {
            let (_, _, r) = rev.deref(f, &child(&p, "reply"), r);
            let back = match flow {
                Flow::Written => Flow::Read,
                Flow::Read => Flow::Written,
                Flow::Both => Flow::Both,
            };
            let listed: Option<Vec<String>> = r
                .get("messages")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(ref_name).collect());
            if let Some(ch) = r.get("channel").and_then(ref_name) {
                let prefix = format!("{ch}/");
                for (key, m) in c.messages.range_mut(prefix.clone()..) {
                    let Some(name) = key.strip_prefix(&prefix) else {
                        break;
                    };
                    if listed.as_ref().is_none_or(|l| l.iter().any(|x| x == name)) {
                        m.flow = Some(m.flow.map_or(back, |f| f.merge(back)));
                    }
                }
            }
        }
        let reply = op.get("reply").map(|r| {
            let (_, _, r) = rev.deref(f, &child(&p, "reply"), r);
            let ch = r.get("channel").and_then(ref_name).unwrap_or_default();
            let mut msgs: Vec<String> = r
                .get("messages")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(ref_name).collect())
                .unwrap_or_default();
            msgs.sort();
            let addr = r
                .pointer("/address/location")
                .and_then(Value::as_str)
                .unwrap_or_default();
            format!(
                "channel `{ch}`, messages [{}]{}",
                msgs.join(", "),
                if addr.is_empty() {
                    String::new()
                } else {
                    format!(", address {addr}")
                }
            )
        });
        let delivery = op
            .get("x-hnp-delivery")
            .and_then(Value::as_str)
            .map(|s| (s.to_string(), (f, child(&p, "x-hnp-delivery"))));
        let security = security_names(op.get("security"));
        let group = match &channel {
            Some(ch) => format!(
                "channel `{}`",
                c.channels
                    .get(ch)
                    .and_then(|x| x.address.clone())
                    .unwrap_or_else(|| ch.clone())
            ),
            None => format!("operation `{k}`"),
        };
        c.operations.insert(
            k.clone(),
            Operation {
                at: (f, p),
                action,
                channel,
                reply,
                delivery,
                security,
                group,
            },
        );
    }
}

fn security_names(v: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = v
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|r| match r {
            Value::Object(m) if m.contains_key("$ref") => {
                ref_name(r).into_iter().collect::<Vec<_>>()
            }
            Value::Object(m) => m.keys().cloned().collect(),
            _ => Vec::new(),
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn asyncapi2(rev: &Revision, doc: u32, root: &Value, c: &mut Contract) {
    let dialect = c.dialect.unwrap_or(Dialect::Draft7);
    for (k, v) in obj_entries(root.get("channels")) {
        let (f, p, ch) = rev.deref(doc, &child("/channels", k), v);
        let params = obj_entries(ch.get("parameters"))
            .map(|(n, _)| n.clone())
            .collect();
        let ordering_key = ch
            .get("x-hnp-ordering-key")
            .and_then(Value::as_str)
            .map(|s| (s.to_string(), (f, child(&p, "x-hnp-ordering-key"))));
        let group = format!("channel `{k}`");
        for verb in ["publish", "subscribe"] {
            let Some(opv) = ch.get(verb) else { continue };
            let (of, op_p, op) = rev.deref(f, &child(&p, verb), opv);
            let flow = if verb == "subscribe" {
                Flow::Written
            } else {
                Flow::Read
            };
            let key = format!("{k} {verb}");
            c.operations.insert(
                key.clone(),
                Operation {
                    at: (of, op_p.clone()),
                    action: Some(verb.to_string()),
                    channel: Some(k.clone()),
                    reply: None,
                    delivery: op
                        .get("x-hnp-delivery")
                        .and_then(Value::as_str)
                        .map(|s| (s.to_string(), (of, child(&op_p, "x-hnp-delivery")))),
                    security: security_names(op.get("security")),
                    group: group.clone(),
                },
            );
            let Some(mv) = op.get("message") else {
                continue;
            };
            let (mf, mp, m) = rev.deref(of, &child(&op_p, "message"), mv);
            let list: Vec<(String, Value)> = match m.get("oneOf").and_then(Value::as_array) {
                Some(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| (child(&child(&mp, "oneOf"), &i.to_string()), x.clone()))
                    .collect(),
                None => vec![(mp.clone(), m.clone())],
            };
            for (i, (at, raw)) in list.iter().enumerate() {
                let (xf, xp, x) = rev.deref(mf, at, raw);
                let id = x
                    .get("messageId")
                    .or_else(|| x.get("name"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .or_else(|| ref_name(raw))
                    .unwrap_or_else(|| i.to_string());
                let mut msg = message(
                    rev,
                    (xf, xp),
                    x,
                    &group,
                    &format!("message `{id}` ({verb})"),
                    dialect,
                );
                msg.flow = Some(flow);
                msg.channel.clone_from(k);
                msg.slot.clone_from(&key);
                msg.names.insert(0, id.clone());
                if msg.ordering_key.is_none() {
                    msg.ordering_key.clone_from(&ordering_key);
                }
                c.messages.insert(format!("{key}/{id}"), msg);
            }
        }
        let mode = mode_of(ch, &(f, p.clone()));
        c.channels.insert(
            k.clone(),
            Channel {
                at: (f, p),
                address: Some(k.clone()),
                params,
                mode,
            },
        );
    }
}

/// `/a/{id}/b` → `/a/{}/b`.
pub fn blank_params(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0;
    for ch in path.chars() {
        match ch {
            '{' => {
                depth += 1;
                if depth == 1 {
                    out.push('{');
                }
            }
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push('}');
                }
            }
            _ if depth > 0 => {}
            _ => out.push(ch),
        }
    }
    out
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn http(rev: &Revision, doc: u32, root: &Value, c: &mut Contract, swagger: bool) {
    let global_security = security_names(root.get("security"));
    for (path, pv) in obj_entries(root.get("paths")) {
        let (pf, pp, item) = rev.deref(doc, &child("/paths", path), pv);
        let mut shared = BTreeMap::new();
        params(rev, pf, &pp, item, &mut shared);
        for m in METHODS {
            let Some(ov) = item.get(*m) else { continue };
            let (of, op_p, op) = rev.deref(pf, &child(&pp, m), ov);
            let mut ps = shared
                .iter()
                .map(|(k, v): (&(String, String), &HttpParam)| {
                    (
                        k.clone(),
                        HttpParam {
                            at: v.at.clone(),
                            required: v.required,
                            schema: v.schema.clone(),
                        },
                    )
                })
                .collect::<BTreeMap<_, _>>();
            params(rev, of, &op_p, op, &mut ps);
            let mut h = HttpOp {
                at: (of, op_p.clone()),
                path: path.clone(),
                security: op
                    .get("security")
                    .map(|s| security_names(Some(s)))
                    .unwrap_or_else(|| global_security.clone()),
                ..HttpOp::default()
            };
            if swagger {
                // Swagger 2.0: the body is a parameter.
                if let Some(body) = ps
                    .iter()
                    .find(|((_, loc), _)| loc == "body")
                    .map(|(k, _)| k.clone())
                {
                    if let Some(b) = ps.remove(&body) {
                        h.body_required = b.required;
                        h.body_at = Some(b.at.clone());
                        if let Some(s) = b.schema {
                            h.requests.insert("application/json".into(), s);
                        }
                    }
                }
            } else if let Some(rb) = op.get("requestBody") {
                let (bf, bp, b) = rev.deref(of, &child(&op_p, "requestBody"), rb);
                h.body_required = b.get("required") == Some(&Value::Bool(true));
                h.body_at = Some((bf, bp.clone()));
                media(rev, bf, &bp, b, &mut h.requests);
            }
            h.params = ps;
            for (status, rv) in obj_entries(op.get("responses")) {
                let (rf, rp, r) = rev.deref(of, &child(&child(&op_p, "responses"), status), rv);
                let mut bodies = BTreeMap::new();
                if swagger {
                    if let Some(s) = r.get("schema") {
                        let (sf, sp, _) = rev.deref(rf, &child(&rp, "schema"), s);
                        bodies.insert("application/json".to_string(), (sf, sp));
                    }
                } else {
                    media(rev, rf, &rp, r, &mut bodies);
                }
                h.responses.insert(status.clone(), ((rf, rp), bodies));
            }
            c.http
                .insert(format!("{} {}", m.to_uppercase(), blank_params(path)), h);
        }
    }
}

fn media(rev: &Revision, f: u32, p: &str, v: &Value, out: &mut BTreeMap<String, At>) {
    for (mt, mv) in obj_entries(v.get("content")) {
        let mat = child(&child(p, "content"), mt);
        let (mf, mp, m) = rev.deref(f, &mat, mv);
        match m.get("schema") {
            Some(s) => {
                let (sf, sp, _) = rev.deref(mf, &child(&mp, "schema"), s);
                out.insert(mt.clone(), (sf, sp));
            }
            None => {
                out.insert(mt.clone(), (mf, mp));
            }
        }
    }
}

fn params(
    rev: &Revision,
    f: u32,
    p: &str,
    v: &Value,
    out: &mut BTreeMap<(String, String), HttpParam>,
) {
    let Some(list) = v.get("parameters").and_then(Value::as_array) else {
        return;
    };
    for (i, pv) in list.iter().enumerate() {
        let (xf, xp, x) = rev.deref(f, &child(&child(p, "parameters"), &i.to_string()), pv);
        let (Some(name), Some(loc)) = (
            x.get("name").and_then(Value::as_str),
            x.get("in").and_then(Value::as_str),
        ) else {
            continue;
        };
        let schema = match x.get("schema") {
            Some(s) => {
                let (sf, sp, _) = rev.deref(xf, &child(&xp, "schema"), s);
                Some((sf, sp))
            }
            // Swagger 2.0 non-body parameters carry the schema keywords themselves.
            None if x.get("type").is_some() => Some((xf, xp.clone())),
            None => None,
        };
        // Path parameters are named by position: a rename is not a change.
        let key_name = if loc == "path" {
            String::new()
        } else {
            name.to_string()
        };
        let key = (loc.to_string(), key_name);
        let key = if loc == "path" {
            let n = out.keys().filter(|(l, _)| l == "path").count();
            (loc.to_string(), format!("#{n}"))
        } else {
            key
        };
        out.insert(
            key,
            HttpParam {
                at: (xf, xp),
                required: loc == "path" || x.get("required") == Some(&Value::Bool(true)),
                schema,
            },
        );
    }
}

// ---- comparison ----

/// An issue's new and old locations, instance path and message.
type IssueKey = (Loc, Loc, String, String);

struct Cx<'a> {
    old: &'a Revision,
    new: &'a Revision,
    o: &'a Contract,
    n: &'a Contract,
    out: Vec<Finding>,
    /// A breaking change was found (for the versioning policy).
    breaking: bool,
    opts: &'a Options,
    /// The compatibility mode of the item being compared (`None`: by direction).
    mode: Option<Mode>,
    broken: BTreeMap<String, (Location, String)>,
    wants_releases: bool,
    /// Pairs proven compatible so far: old ⊆ new, new ⊆ old; for each of the
    /// [`Cx::skip`] values (none, `readOnly`, `writeOnly`).
    proven: [schema::Proven; 6],
    /// The OpenAPI property flag that removes a property from the schema being
    /// compared: `readOnly` in requests, `writeOnly` in responses.
    skip: Option<&'static str>,
    /// Channels renamed (the same address under another key): old key → new key.
    renamed_channels: BTreeMap<String, String>,
    /// New operation and message keys matched to a renamed old one (not "added").
    renamed_to: std::collections::BTreeSet<String>,
}

impl Cx<'_> {
    fn new_loc(&self, at: &At) -> Location {
        self.new.file(at.0).locate_key(&at.1)
    }

    fn old_loc(&self, at: &At) -> Location {
        self.old.file(at.0).locate_key(&at.1)
    }

    /// A finding in the new revision at `new_at` (or at the new document when the item
    /// is gone), related to `old_at` in the old revision.
    fn push(
        &mut self,
        rule: &'static str,
        group: &str,
        new_at: Option<&At>,
        old_at: Option<&At>,
        msg: String,
    ) -> &mut Diagnostic {
        let loc = match new_at {
            Some(a) => self.new_loc(a),
            None => self.new.file(self.n.doc).locate_key(""),
        };
        let mut d = Diagnostic::new(rule, loc, msg);
        if let Some(a) = old_at {
            d = d.with_related(self.old_loc(a), format!("in {}", self.old.label));
        }
        if self.opts.severity(&d) == Some(Severity::Error) {
            self.breaking = true;
        }
        self.out.push(Finding {
            diag: d,
            group: group.to_string(),
        });
        &mut self.out.last_mut().expect("just pushed").diag
    }

    /// The channel is gone (reported once, with everything on it).
    fn channel_removed(&self, key: &str) -> bool {
        self.o.channels.contains_key(key)
            && !self.n.channels.contains_key(key)
            && !self.renamed_channels.contains_key(key)
    }

    /// An old channel key as the new side calls it.
    fn channel_key<'k>(&'k self, key: &'k str) -> &'k str {
        self.renamed_channels.get(key).map_or(key, String::as_str)
    }

    /// The new operation an old one (absent by key) was renamed to: the only new
    /// operation, absent from the old side, with the same action on the same channel.
    fn operation_renamed(&self, oo: &Operation) -> Option<String> {
        let channel = oo.channel.as_deref().map(|c| self.channel_key(c));
        let mut found = self.n.operations.iter().filter(|(nk, no)| {
            !self.o.operations.contains_key(*nk)
                && !self.renamed_to.contains(*nk)
                && no.action == oo.action
                && no.channel.as_deref() == channel
        });
        match (found.next(), found.next()) {
            (Some((nk, _)), None) => Some(nk.clone()),
            _ => None,
        }
    }

    /// The new message an old one (absent by key) is: the same name on its renamed
    /// channel, else the only new message, absent from the old side, on the same
    /// channel with the same payload and headers (`renamed`: its name changed).
    fn message_renamed(&self, om: &Message) -> Option<(String, bool)> {
        let slot = self.channel_key(&om.slot);
        if slot != om.slot {
            let key = format!("{slot}/{}", om.names.first().map_or("", String::as_str));
            if self.n.messages.contains_key(&key) && !self.o.messages.contains_key(&key) {
                return Some((key, false));
            }
        }
        let content = |rev: &Revision, m: &Message| {
            let get = |a: &Option<At>| a.as_ref().and_then(|a| rev.get(a.0, &a.1)).cloned();
            (get(&m.payload), get(&m.headers))
        };
        let old = content(self.old, om);
        if old == (None, None) {
            return None;
        }
        let mut found = self.n.messages.iter().filter(|(nk, nm)| {
            nm.slot == slot
                && !self.o.messages.contains_key(*nk)
                && !self.renamed_to.contains(*nk)
                && content(self.new, nm) == old
        });
        match (found.next(), found.next()) {
            (Some((nk, _)), None) => Some((nk.clone(), true)),
            _ => None,
        }
    }

    /// Check the new side's `x-hnp-compatibility` values; the document's mode (else
    /// the default).
    fn modes(&mut self) -> Option<Mode> {
        let mut declared: Vec<(String, At)> = self.n.mode.iter().cloned().collect();
        declared.extend(self.n.channels.values().filter_map(|c| c.mode.clone()));
        declared.extend(self.n.messages.values().filter_map(|m| m.mode.clone()));
        declared.sort_by(|a, b| a.1.cmp(&b.1));
        declared.dedup_by(|a, b| a.1 == b.1);
        for (text, at) in declared {
            match Mode::parse(&text) {
                Some(m) => self.wants_releases |= m.transitive,
                None => {
                    self.push(
                        "diff-compatibility-invalid",
                        "document",
                        Some(&at),
                        None,
                        format!("`x-hnp-compatibility: {text}` is not a compatibility mode"),
                    )
                    .help = Some(format!("use one of: {}", Mode::NAMES.join(", ")));
                }
            }
        }
        self.wants_releases |= self.opts.default_mode.is_some_and(|m| m.transitive);
        self.wants_releases |= self.opts.config_wants_releases();
        self.n
            .mode
            .as_ref()
            .and_then(|m| Mode::parse(&m.0))
            .or(self.opts.document_mode)
            .or(self.opts.default_mode)
    }

    /// A message's mode: its own (`x-hnp-compatibility`, else the config's
    /// `diff.messages`), else its channel's (likewise, `diff.channels` by key or
    /// address), else the document's (likewise, `diff.documents`), else the default
    /// (the new revision's declarations hold; at each level the document's
    /// declaration comes before the config's).
    fn message_mode(&self, m: &Message) -> Option<Mode> {
        let parsed = |x: &Option<(String, At)>| x.as_ref().and_then(|(t, _)| Mode::parse(t));
        let channel = self.n.channels.get(&m.channel);
        parsed(&m.mode)
            .or_else(|| {
                m.names
                    .iter()
                    .find_map(|n| self.opts.message_modes.get(n).copied())
            })
            .or_else(|| channel.and_then(|c| parsed(&c.mode)))
            .or_else(|| {
                let address = channel.and_then(|c| c.address.as_ref());
                std::iter::once(&m.channel)
                    .chain(address)
                    .find_map(|k| self.opts.channel_modes.get(k).copied())
            })
            .or_else(|| parsed(&self.n.mode))
            .or(self.opts.document_mode)
            .or(self.opts.default_mode)
    }

    fn servers(&mut self) {
        for (k, (oat, oproto)) in &self.o.servers {
            match self.n.servers.get(k) {
                None => {
                    self.push(
                        "diff-server-removed",
                        "servers",
                        None,
                        Some(oat),
                        format!("server `{k}` removed: clients configured for it lose their connection details"),
                    );
                }
                Some((nat, nproto)) if oproto != nproto => {
                    self.push(
                        "diff-server-removed",
                        "servers",
                        Some(nat),
                        Some(oat),
                        format!(
                            "server `{k}` changed protocol from {} to {}",
                            oproto.as_deref().unwrap_or("none"),
                            nproto.as_deref().unwrap_or("none")
                        ),
                    );
                }
                _ => {}
            }
        }
    }

    fn channels(&mut self) {
        for (k, oc) in &self.o.channels {
            let group = format!("channel `{}`", oc.address.as_deref().unwrap_or(k));
            let Some(nc) = self.n.channels.get(k) else {
                // Renamed: the same address under another key.
                let moved = self.n.channels.iter().find(|(nk, c)| {
                    c.address.is_some()
                        && c.address == oc.address
                        && !self.o.channels.contains_key(*nk)
                });
                match moved {
                    Some((nk, c)) => {
                        let at = c.at.clone();
                        self.push(
                            "diff-renamed",
                            &group,
                            Some(&at),
                            Some(&oc.at),
                            format!("channel `{k}` renamed to `{nk}` (same address)"),
                        );
                    }
                    None => {
                        self.push(
                            "diff-channel-removed",
                            &group,
                            None,
                            Some(&oc.at),
                            format!("channel `{k}` removed: its producers and consumers lose their channel"),
                        );
                    }
                }
                continue;
            };
            if oc.address != nc.address {
                self.push(
                    "diff-channel-address-changed",
                    &group,
                    Some(&(nc.at.0, child(&nc.at.1, "address"))),
                    Some(&oc.at),
                    format!(
                        "channel `{k}` moved from address `{}` to `{}`: applications still on the old version publish and subscribe where nobody listens",
                        oc.address.as_deref().unwrap_or("null"),
                        nc.address.as_deref().unwrap_or("null")
                    ),
                );
            }
            if oc.params != nc.params {
                self.push(
                    "diff-channel-parameters-changed",
                    &group,
                    Some(&nc.at),
                    Some(&oc.at),
                    format!(
                        "channel `{k}` parameters changed from [{}] to [{}]",
                        oc.params.join(", "),
                        nc.params.join(", ")
                    ),
                );
            }
        }
        for (k, nc) in &self.n.channels {
            if !self.o.channels.contains_key(k)
                && !self
                    .o
                    .channels
                    .values()
                    .any(|c| c.address.is_some() && c.address == nc.address)
            {
                let group = format!("channel `{}`", nc.address.as_deref().unwrap_or(k));
                self.push(
                    "diff-added",
                    &group,
                    Some(&nc.at),
                    None,
                    format!("channel `{k}` added"),
                );
            }
        }
    }

    fn operations(&mut self) {
        for (k, oo) in &self.o.operations {
            let renamed = if self.n.operations.contains_key(k) {
                None
            } else {
                self.operation_renamed(oo)
            };
            if let Some(nk) = &renamed {
                let no = &self.n.operations[nk];
                self.renamed_to.insert(nk.clone());
                self.push(
                    "diff-renamed",
                    &no.group,
                    Some(&no.at),
                    Some(&oo.at),
                    format!("operation `{k}` renamed to `{nk}` (same action on the same channel)"),
                );
            }
            let Some(no) = renamed
                .as_ref()
                .or(Some(k))
                .and_then(|nk| self.n.operations.get(nk))
            else {
                if oo.channel.as_ref().is_some_and(|c| self.channel_removed(c)) {
                    continue;
                }
                self.push(
                    "diff-operation-removed",
                    &oo.group,
                    None,
                    Some(&oo.at),
                    format!(
                        "operation `{k}` removed: the other side of it is left without a partner"
                    ),
                );
                continue;
            };
            if oo.action != no.action {
                self.push(
                    "diff-operation-action-changed",
                    &no.group,
                    Some(&(no.at.0, child(&no.at.1, "action"))),
                    Some(&oo.at),
                    format!(
                        "operation `{k}` flipped from `{}` to `{}`: the application now does the opposite on this channel",
                        oo.action.as_deref().unwrap_or("none"),
                        no.action.as_deref().unwrap_or("none")
                    ),
                );
            }
            if oo.channel.as_deref().map(|c| self.channel_key(c)) != no.channel.as_deref() {
                self.push(
                    "diff-operation-action-changed",
                    &no.group,
                    Some(&(no.at.0, child(&no.at.1, "channel"))),
                    Some(&oo.at),
                    format!(
                        "operation `{k}` moved from channel `{}` to `{}`",
                        oo.channel.as_deref().unwrap_or("none"),
                        no.channel.as_deref().unwrap_or("none")
                    ),
                );
            }
            if oo.reply != no.reply {
                self.push(
                    "diff-reply-changed",
                    &no.group,
                    Some(&(no.at.0, child(&no.at.1, "reply"))),
                    Some(&oo.at),
                    format!(
                        "operation `{k}` reply changed from {} to {}: requesters on the old version wait for replies where none arrive",
                        oo.reply.as_deref().unwrap_or("none"),
                        no.reply.as_deref().unwrap_or("none")
                    ),
                );
            }
            let strength = |d: &Option<(String, At)>| match d.as_ref().map(|x| x.0.as_str()) {
                Some("exactly-once") => 3,
                Some("at-least-once") => 2,
                Some("at-most-once") => 1,
                _ => 0,
            };
            if strength(&no.delivery) < strength(&oo.delivery) {
                let at = no.delivery.as_ref().map_or(no.at.clone(), |d| d.1.clone());
                self.push(
                    "diff-delivery-weakened",
                    &no.group,
                    Some(&at),
                    oo.delivery.as_ref().map(|d| &d.1),
                    format!(
                        "operation `{k}` delivery weakened from {} to {}",
                        oo.delivery.as_ref().map_or("none", |d| d.0.as_str()),
                        no.delivery.as_ref().map_or("none", |d| d.0.as_str())
                    ),
                );
            }
            let added: Vec<&String> = no
                .security
                .iter()
                .filter(|s| !oo.security.contains(s))
                .collect();
            if !added.is_empty() {
                self.push(
                    "diff-security-added",
                    &no.group,
                    Some(&no.at),
                    Some(&oo.at),
                    format!(
                        "operation `{k}` now requires security {}: clients on the old version do not authenticate so",
                        added.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
                    ),
                );
            }
        }
        for (k, no) in &self.n.operations {
            if !self.o.operations.contains_key(k) && !self.renamed_to.contains(k) {
                self.push(
                    "diff-added",
                    &no.group,
                    Some(&no.at),
                    None,
                    format!("operation `{k}` added"),
                );
            }
        }
    }

    fn messages(&mut self) {
        for (k, om) in &self.o.messages {
            let renamed = if self.n.messages.contains_key(k) {
                None
            } else {
                self.message_renamed(om)
            };
            if let Some((nk, by_content)) = &renamed {
                self.renamed_to.insert(nk.clone());
                let nm = &self.n.messages[nk];
                if *by_content && self.opts.release.is_none() {
                    self.push(
                        "diff-renamed",
                        &nm.group,
                        Some(&nm.at),
                        Some(&om.at),
                        format!(
                            "{} renamed to {} on {} (same payload and headers)",
                            om.label, nm.label, nm.group
                        ),
                    );
                }
            }
            let Some(nm) = renamed
                .as_ref()
                .map(|(nk, _)| nk)
                .or(Some(k))
                .and_then(|nk| self.n.messages.get(nk))
            else {
                if self.opts.release.is_none() {
                    let loc = self.old_loc(&om.at);
                    for name in &om.names {
                        self.broken.entry(name.clone()).or_insert_with(|| {
                            (
                                loc.clone(),
                                format!("{} removed from {}", om.label, om.group),
                            )
                        });
                    }
                }
                if self.channel_removed(&om.channel) {
                    continue;
                }
                self.push(
                    "diff-message-removed",
                    &om.group,
                    None,
                    Some(&om.at),
                    format!("{} removed from {}", om.label, om.group),
                );
                continue;
            };
            self.mode = self.message_mode(nm);
            if self.opts.release.is_some() && !self.mode.is_some_and(|m| m.transitive) {
                continue;
            }
            let first = self.out.len();
            self.message_pair(om, nm);
            // Stored events a verified upcaster covers (see crate::projection::evolve).
            if let Some(u) = &self.opts.upcasters {
                crate::projection::evolve::relax(
                    u,
                    self.old,
                    &om.at,
                    self.new,
                    &nm.at,
                    &nm.names,
                    &mut self.out[first..],
                );
                self.breaking = self.out.iter().any(|f| f.diag.severity == Severity::Error);
            }
            if let Some(f) = self.out[first..]
                .iter()
                .find(|f| self.opts.severity(&f.diag) == Some(Severity::Error))
            {
                let hit = (f.diag.location.clone(), f.diag.message.clone());
                for name in &nm.names {
                    self.broken
                        .entry(name.clone())
                        .or_insert_with(|| hit.clone());
                }
            }
        }
        self.mode = None;
        for (k, nm) in &self.n.messages {
            if !self.o.messages.contains_key(k) && !self.renamed_to.contains(k) {
                self.push(
                    "diff-added",
                    &nm.group,
                    Some(&nm.at),
                    None,
                    format!("{} added to {}", nm.label, nm.group),
                );
            }
        }
    }

    /// Compare a message present on both sides.
    fn message_pair(&mut self, om: &Message, nm: &Message) {
        {
            let flow = match (om.flow, nm.flow) {
                (Some(a), Some(b)) => a.merge(b),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => Flow::Both,
            };
            let what = format!("{} on {}", nm.label, nm.group);
            let mut broke = false;
            for (part, o, n) in [
                ("payload", &om.payload, &nm.payload),
                ("headers", &om.headers, &nm.headers),
            ] {
                if let (Some(o), Some(n)) = (o, n) {
                    broke |= self.schema(
                        &nm.group,
                        &format!("{what}, {part}"),
                        o,
                        n,
                        om.dialect,
                        nm.dialect,
                        flow,
                    );
                } else if let (Some(o), None) = (o, n) {
                    if flow.checks_old_readers() {
                        self.push(
                            "diff-schema-breaking",
                            &nm.group,
                            Some(&nm.at),
                            Some(o),
                            format!(
                                "{what}: {part} schema removed (anything goes now); {}",
                                Breaks::OldReaders.describe()
                            ),
                        );
                    }
                }
            }
            let keyed = [
                (
                    "diff-correlation-id-moved",
                    "correlationId location",
                    &om.correlation,
                    &nm.correlation,
                ),
                (
                    "diff-ordering-key-changed",
                    "ordering key (`x-hnp-ordering-key`)",
                    &om.ordering_key,
                    &nm.ordering_key,
                ),
                (
                    "diff-idempotency-key-moved",
                    "idempotency key (`x-hnp-idempotency-key`)",
                    &om.idempotency_key,
                    &nm.idempotency_key,
                ),
            ];
            for (rule, name, o, n) in keyed {
                if let (Some(o), Some(n)) = (o, n) {
                    if o.0 != n.0 {
                        let extra = match rule {
                            "diff-ordering-key-changed" => {
                                ": messages in flight for one key may now be processed out of order, and partitions change"
                            }
                            "diff-idempotency-key-moved" => {
                                ": duplicates sent before and after the change are no longer recognised"
                            }
                            _ => ": replies of requests in flight are no longer correlated",
                        };
                        self.push(
                            rule,
                            &nm.group,
                            Some(&n.1),
                            Some(&o.1),
                            format!("{what}: {name} changed from `{}` to `{}`{extra}", o.0, n.0),
                        );
                    }
                } else if let (Some(o), None) = (o, n) {
                    self.push(
                        rule,
                        &nm.group,
                        Some(&nm.at),
                        Some(&o.1),
                        format!("{what}: {name} `{}` removed", o.0),
                    );
                }
            }
            if let (Some(o), Some(n)) = (&om.kafka_key, &nm.kafka_key) {
                let (ov, nv) = (self.old.get(o.0, &o.1), self.new.get(n.0, &n.1));
                if let (Some(ov), Some(nv)) = (ov, nv) {
                    if !schema::json_eq(&strip_annotations(ov), &strip_annotations(nv)) {
                        self.push(
                            "diff-ordering-key-changed",
                            &nm.group,
                            Some(n),
                            Some(o),
                            format!("{what}: Kafka message key changed: records of one key may land on another partition, so ordering is broken for keys in flight"),
                        );
                    }
                }
            }
            // CloudEvents type: changed, or not bumped on a breaking payload change.
            match (&om.ce_type, &nm.ce_type) {
                (Some(o), Some(n)) if o.0 != n.0 => {
                    let same_base = ce_base(&o.0) == ce_base(&n.0);
                    if same_base && ce_version(&n.0) > ce_version(&o.0) {
                        self.push(
                            "diff-cloudevents-type-bumped",
                            &nm.group,
                            Some(&n.1),
                            Some(&o.1),
                            format!(
                                "{what}: CloudEvents type bumped from `{}` to `{}`",
                                o.0, n.0
                            ),
                        );
                    } else {
                        self.push(
                            "diff-cloudevents-type-changed",
                            &nm.group,
                            Some(&n.1),
                            Some(&o.1),
                            format!("{what}: CloudEvents type changed from `{}` to `{}`: consumers filtering on the old type stop receiving it", o.0, n.0),
                        );
                    }
                }
                (Some(o), Some(n)) if broke && ce_has_version(&n.0) => {
                    self.push(
                        "diff-cloudevents-version-not-bumped",
                        &nm.group,
                        Some(&n.1),
                        Some(&o.1),
                        format!("{what}: the payload changed incompatibly but the CloudEvents type `{}` keeps its version suffix", n.0),
                    )
                    .help = Some(format!("publish it as `{}.v{}` (consumers opt in to the new shape)", ce_base(&n.0), ce_version(&n.0) + 1));
                }
                _ => {}
            }
        }
    }

    /// Compare one schema occurrence; report the issues of the directions its flow
    /// needs. Returns whether anything broke.
    #[allow(clippy::too_many_arguments)]
    fn schema(
        &mut self,
        group: &str,
        what: &str,
        o: &At,
        n: &At,
        od: Option<Dialect>,
        nd: Option<Dialect>,
        flow: Flow,
    ) -> bool {
        let (Some(ov), Some(nv)) = (self.old.get(o.0, &o.1), self.new.get(n.0, &n.1)) else {
            return false;
        };
        // A declared mode replaces what the direction implies; `none` checks nothing.
        let flow = match self.mode {
            Some(m) => match m.flow() {
                Some(f) => f,
                None => return false,
            },
            None => flow,
        };
        let os = Side {
            resolver: self.old,
            dialect: od.or(self.o.dialect).unwrap_or(Dialect::Draft7),
        };
        let ns = Side {
            resolver: self.new,
            dialect: nd.or(self.n.dialect).unwrap_or(Dialect::Draft7),
        };
        let ol = Loc::new(o.0, o.1.clone());
        let nl = Loc::new(n.0, n.1.clone());
        let mut broke = false;
        let mut issues: Vec<(Breaks, schema::Issue)> = Vec::new();
        let cache = match self.skip {
            None => 0,
            Some("readOnly") => 2,
            Some(_) => 4,
        };
        if flow.checks_old_writers() {
            let p = &mut self.proven[cache];
            for i in schema::subset_skipping(os, (&ol, ov), ns, (&nl, nv), true, self.skip, p) {
                issues.push((Breaks::OldWriters, i));
            }
        }
        if flow.checks_old_readers() {
            let p = &mut self.proven[cache + 1];
            for i in schema::subset_skipping(ns, (&nl, nv), os, (&ol, ov), false, self.skip, p) {
                issues.push((Breaks::OldReaders, i));
            }
        }
        // One finding per (location, message): a change breaking both sides says so.
        let mut merged: BTreeMap<IssueKey, (Effect, Vec<Breaks>)> = BTreeMap::new();
        for (b, i) in issues {
            let e = merged
                .entry((
                    i.new.clone(),
                    i.old.clone(),
                    i.at.clone(),
                    i.message.clone(),
                ))
                .or_insert((i.effect, Vec::new()));
            e.0 = e.0.min(i.effect);
            e.1.push(b);
        }
        for ((nloc, oloc, at, msg), (effect, sides)) in merged {
            broke |= effect == Effect::Breaking;
            let who = if sides.len() > 1 {
                "breaks readers and writers still on the old version".to_string()
            } else {
                sides[0].describe().to_string()
            };
            let rule = match effect {
                Effect::Breaking => "diff-schema-breaking",
                Effect::Unknown => "diff-schema-undecided",
            };
            let place = if at == "/" {
                String::new()
            } else {
                format!(" at `{at}`")
            };
            self.push(
                rule,
                group,
                Some(&(nloc.file, nloc.pointer)),
                Some(&(oloc.file, oloc.pointer)),
                format!("{what}{place}: {msg}; {who}"),
            );
        }
        broke
    }

    fn http(&mut self) {
        for (k, oo) in &self.o.http {
            let group = format!("`{} {}`", k.split(' ').next().unwrap_or(""), oo.path);
            let Some(no) = self.n.http.get(k) else {
                self.push(
                    "diff-http-operation-removed",
                    &group,
                    None,
                    Some(&oo.at),
                    format!(
                        "operation `{} {}` removed: clients calling it get errors",
                        k.split(' ').next().unwrap_or(""),
                        oo.path
                    ),
                );
                continue;
            };
            let group = format!("`{} {}`", k.split(' ').next().unwrap_or(""), no.path);
            let k = &format!("{} {}", k.split(' ').next().unwrap_or(""), no.path);
            if oo.path != no.path {
                self.push(
                    "diff-renamed",
                    &group,
                    Some(&no.at),
                    Some(&oo.at),
                    format!(
                        "path `{}` renamed to `{}` (path parameters renamed; the URL is unchanged)",
                        oo.path, no.path
                    ),
                );
            }
            for (pk, np) in &no.params {
                let name = pk.1.as_str();
                match oo.params.get(pk) {
                    None if np.required => {
                        self.push(
                            "diff-http-parameter-required-added",
                            &group,
                            Some(&np.at),
                            None,
                            format!("`{k}`: required {} parameter `{name}` added: requests from clients on the old version lack it", pk.0),
                        );
                    }
                    Some(op) if np.required && !op.required => {
                        self.push(
                            "diff-http-parameter-required-added",
                            &group,
                            Some(&np.at),
                            Some(&op.at),
                            format!("`{k}`: {} parameter `{name}` became required", pk.0),
                        );
                    }
                    Some(op) => {
                        if let (Some(os), Some(ns)) = (&op.schema, &np.schema) {
                            let label = format!(
                                "`{k}`: {} parameter `{}`",
                                pk.0,
                                param_name(self.new, &np.at).unwrap_or_else(|| name.to_string())
                            );
                            self.schema(&group, &label, os, ns, None, None, Flow::Read);
                        }
                    }
                    None => {}
                }
            }
            if no.body_required && !oo.body_required {
                let at = no.body_at.clone().unwrap_or_else(|| no.at.clone());
                self.push(
                    "diff-http-parameter-required-added",
                    &group,
                    Some(&at),
                    oo.body_at.as_ref(),
                    format!("`{k}`: the request body became required"),
                );
            }
            for (mt, os) in &oo.requests {
                match no.requests.get(mt) {
                    None => {
                        let at = no.body_at.clone().unwrap_or_else(|| no.at.clone());
                        self.push(
                            "diff-http-media-type-removed",
                            &group,
                            Some(&at),
                            Some(os),
                            format!("`{k}`: request media type `{mt}` removed: clients sending it are refused"),
                        );
                    }
                    Some(ns) => {
                        self.skip = Some("readOnly");
                        self.schema(
                            &group,
                            &format!("`{k}`: request body `{mt}`"),
                            os,
                            ns,
                            None,
                            None,
                            Flow::Read,
                        );
                        self.skip = None;
                    }
                }
            }
            for (status, (orat, obodies)) in &oo.responses {
                match no.responses.get(status) {
                    None => {
                        if status.starts_with('2') {
                            self.push(
                                "diff-http-status-removed",
                                &group,
                                Some(&no.at),
                                Some(orat),
                                format!("`{k}`: success response `{status}` removed: clients expecting it break"),
                            );
                        }
                    }
                    Some((_, nbodies)) => {
                        for (mt, os) in obodies {
                            match nbodies.get(mt) {
                                None => {
                                    self.push(
                                        "diff-http-media-type-removed",
                                        &group,
                                        Some(&no.at),
                                        Some(os),
                                        format!("`{k}`: response `{status}` media type `{mt}` removed: clients accepting only it break"),
                                    );
                                }
                                Some(ns) => {
                                    self.skip = Some("writeOnly");
                                    self.schema(
                                        &group,
                                        &format!("`{k}`: response `{status}` `{mt}`"),
                                        os,
                                        ns,
                                        None,
                                        None,
                                        Flow::Written,
                                    );
                                    self.skip = None;
                                }
                            }
                        }
                    }
                }
            }
            let added: Vec<&String> = no
                .security
                .iter()
                .filter(|s| !oo.security.contains(s))
                .collect();
            if !added.is_empty() && !oo.security.is_empty()
                || (!no.security.is_empty() && oo.security.is_empty())
            {
                self.push(
                    "diff-security-added",
                    &group,
                    Some(&no.at),
                    Some(&oo.at),
                    format!(
                        "`{k}`: now requires security {}",
                        no.security
                            .iter()
                            .map(|s| format!("`{s}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
        for (k, no) in &self.n.http {
            if !self.o.http.contains_key(k) {
                let group = format!("`{} {}`", k.split(' ').next().unwrap_or(""), no.path);
                self.push(
                    "diff-added",
                    &group,
                    Some(&no.at),
                    None,
                    format!(
                        "operation `{} {}` added",
                        k.split(' ').next().unwrap_or(""),
                        no.path
                    ),
                );
            }
        }
    }

    fn version(&mut self) {
        if !self.breaking {
            return;
        }
        let (Some((ov, oat)), Some((nv, nat))) = (&self.o.version, &self.n.version) else {
            return;
        };
        if !super::major_bumped(ov, nv) {
            let n = self
                .out
                .iter()
                .filter(|f| self.opts.severity(&f.diag) == Some(Severity::Error))
                .count();
            self.push(
                "diff-version-not-bumped",
                "document",
                Some(nat),
                Some(oat),
                format!(
                    "{n} breaking {} but `info.version` went from `{ov}` to `{nv}` without a major bump",
                    if n == 1 { "change" } else { "changes" }
                ),
            )
            .help = Some(format!(
                "raise the major version (e.g. `{}`), or make the changes compatible",
                super::next_major(ov)
            ));
        }
    }
}

fn param_name(rev: &Revision, at: &At) -> Option<String> {
    rev.get(at.0, &at.1)?
        .get("name")?
        .as_str()
        .map(str::to_string)
}

/// A value without its annotation keywords (for comparing key schemas).
fn strip_annotations(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| {
                    !matches!(
                        k.as_str(),
                        "description" | "title" | "examples" | "example" | "bindingVersion"
                    )
                })
                .map(|(k, v)| (k.clone(), strip_annotations(v)))
                .collect(),
        ),
        _ => v.clone(),
    }
}

/// `com.x.resource_created.v2` → `com.x.resource_created`.
fn ce_base(t: &str) -> &str {
    match t.rsplit_once('.') {
        Some((base, last)) if ce_suffix(last).is_some() => base,
        _ => t,
    }
}

fn ce_suffix(last: &str) -> Option<u64> {
    last.strip_prefix('v')?.parse().ok()
}

fn ce_version(t: &str) -> u64 {
    t.rsplit_once('.')
        .and_then(|(_, l)| ce_suffix(l))
        .unwrap_or(0)
}

/// Whether a CloudEvents type carries a version suffix the policy can check.
pub fn ce_has_version(t: &str) -> bool {
    t.rsplit_once('.').and_then(|(_, l)| ce_suffix(l)).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_templates_are_blanked() {
        assert_eq!(blank_params("/a/{id}/b/{x}"), "/a/{}/b/{}");
        assert_eq!(blank_params("/a"), "/a");
    }

    #[test]
    fn cloudevents_versions() {
        assert_eq!(ce_base("com.a.created.v2"), "com.a.created");
        assert_eq!(ce_version("com.a.created.v2"), 2);
        assert_eq!(ce_version("com.a.created"), 0);
        assert!(!ce_has_version("com.a.created"));
    }
}
