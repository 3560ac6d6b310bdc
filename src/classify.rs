//! CQRS classification: every operation of every loaded document as a command, a query,
//! an event (published or consumed) or a request/reply, with the reason for the
//! decision and the links between them (`x-hnp-emits`, `reply`, consumers).
//!
//! Reads the IR (`crate::model`) and the workspace; returns rows and diagnostics.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::diag::{Diagnostic, Location};
use crate::gates::roles::{self, ChannelRole};
use crate::gates::verbs::{PARTICLES, Verbs};
use crate::model::{Action, Document, Model, Operation, Src, Verb};
use crate::source::{Workspace, pointer};

/// What an operation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Command,
    Query,
    EventPublished,
    EventConsumed,
    Request,
    Reply,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Command => "command",
            Kind::Query => "query",
            Kind::EventPublished => "event published",
            Kind::EventConsumed => "event consumed",
            Kind::Request => "request",
            Kind::Reply => "reply",
        }
    }
}

/// One classified operation.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub kind: Kind,
    /// operationId, else the operation key, else `METHOD path`.
    pub id: String,
    /// `POST /fabrics/{id}/sync/` or `send kubernetes.resource.lifecycle`.
    pub what: String,
    pub location: Location,
    pub reason: String,
    /// Messages this operation leads to (`x-hnp-emits`, or the messages it sends).
    pub emits: Vec<String>,
    /// Operations (by id) that consume what this one sends.
    pub consumers: Vec<String>,
    #[serde(skip)]
    pub doc: usize,
    #[serde(skip)]
    pub op: usize,
    /// The operation carries answers (a reply or error channel, response messages)
    /// rather than asking: neither a command nor an event of its own.
    #[serde(skip)]
    pub answer: bool,
    /// The reply (or error) channel a request is answered on when it is paired by name
    /// (`x.get.requested` → `x.get.response`), not by an AsyncAPI `reply`.
    #[serde(skip)]
    pub paired_reply: Option<usize>,
}

/// The value at a source location.
pub fn value_at<'a>(ws: &'a Workspace, src: &Src) -> Option<&'a Value> {
    let root = ws.file(src.file).value.as_ref()?;
    let toks = pointer::parse(&src.pointer)?;
    pointer::resolve(root, &toks).ok()
}

/// An `x-*` extension's value on an item.
pub fn extension<'a>(
    ws: &'a Workspace,
    exts: &[crate::model::Extension],
    key: &str,
) -> Option<&'a Value> {
    exts.iter()
        .find(|e| e.key == key)
        .and_then(|e| value_at(ws, &e.src))
}

/// Split a PascalCase/camelCase/snake/kebab name into words, each capitalised
/// (`user_signed_up` → `User`, `Signed`, `Up`).
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' || c == '.' || c == ' ' || c == '/' {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out.into_iter()
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &cs.as_str().to_lowercase(),
                None => w,
            }
        })
        .collect()
}

/// How a message name reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    PastTense,
    Imperative,
    Unclear,
}

/// Events are named in the past tense (`SyncCompleted`), commands as imperatives
/// (`ApplyResources`), by the built-in verb lists.
pub fn naming(name: &str) -> Naming {
    naming_with(name, Verbs::builtin())
}

/// [`naming`] with the given verb lists (built-in plus the configured ones).
pub fn naming_with(name: &str, verbs: &Verbs) -> Naming {
    let mut w = words(name);
    // A trailing word that says what kind of thing the name is (`OrderCreatedEvent`,
    // `UserDeletedMessage`, `OrderPlacedV1`) is not part of the verb phrase.
    while w.len() > 1
        && w.last().is_some_and(|x| {
            TYPE_SUFFIXES.contains(&x.as_str())
                || (x.len() > 1 && x.starts_with('V') && x[1..].chars().all(|c| c.is_ascii_digit()))
        })
    {
        w.pop();
    }
    // A phrasal verb's particle (`BackedUp`, `TimedOut`) is not the verb.
    let particle = |x: &String| PARTICLES.contains(&x.as_str());
    let last = match w.as_slice() {
        [.., verb, p] if particle(p) => Some(verb),
        _ => w.last(),
    };
    let (Some(first), Some(last)) = (w.first(), last) else {
        return Naming::Unclear;
    };
    // A lone verb of telling (`Notify`, `Announce`) names the notification itself: the
    // message informs its receiver, it does not ask it to notify anyone.
    if w.len() == 1 && TELLING.contains(&first.as_str()) {
        return Naming::Unclear;
    }
    let imperative = verbs.starts_imperative(first, w.get(1).map(String::as_str));
    // A lone verb whose past is spelt the same (`Reset`, `Run`) is the command.
    let past = verbs.is_past(last) && !(imperative && w.len() == 1);
    if imperative && !past {
        return Naming::Imperative;
    }
    if past {
        return Naming::PastTense;
    }
    Naming::Unclear
}

/// Words that end a message name by saying what kind of thing it is.
const TYPE_SUFFIXES: &[&str] = &["Event", "Evt", "Message", "Msg", "Payload", "Dto"];

/// Verbs of telling: alone, they name a notification, not a command.
const TELLING: &[&str] = &["Notify", "Announce", "Broadcast", "Inform", "Alert"];

/// A name that says the message is a notification: a lone verb of telling, or
/// `…Notification`.
fn notification(name: &str) -> bool {
    let w = words(name);
    match w.as_slice() {
        [one] => TELLING.contains(&one.as_str()) || one == "Notification",
        [.., last] => last == "Notification" || last == "Notifications",
        [] => false,
    }
}

fn op_id(op: &Operation) -> String {
    if let Some(id) = op.operation_id.clone().or_else(|| op.key.clone()) {
        return id;
    }
    match &op.verb {
        Verb::Http { method, path } => format!("{} {path}", method.to_uppercase()),
        _ => op.src.pointer.clone(),
    }
}

fn message_name(doc: &Document, i: usize) -> String {
    doc.messages
        .get(i)
        .map(crate::gates::util::message_name)
        .unwrap_or_else(|| "message".to_string())
}

/// Classify every operation of the model.
pub fn classify(ws: &Workspace, model: &Model) -> (Vec<Row>, Vec<Diagnostic>) {
    classify_with(ws, model, Verbs::builtin())
}

/// [`classify`] with the given verb lists (built-in plus the configured ones).
pub fn classify_with(ws: &Workspace, model: &Model, verbs: &Verbs) -> (Vec<Row>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    // Consumers: message (by where it lives) → receiving operations.
    let mut consumers: HashMap<&Src, Vec<String>> = HashMap::new();
    for doc in &model.documents {
        for op in &doc.operations {
            if op.action == Some(Action::Receive) {
                for &m in &op.messages {
                    if let Some(msg) = doc.messages.get(m) {
                        consumers.entry(&msg.src).or_default().push(op_id(op));
                    }
                }
            }
        }
    }
    // Message names by where they live, for `x-hnp-emits` targets.
    let mut names: HashMap<&Src, String> = HashMap::new();
    for doc in &model.documents {
        for (i, m) in doc.messages.iter().enumerate() {
            names.entry(&m.src).or_insert_with(|| message_name(doc, i));
        }
    }

    let mut rows = Vec::new();
    for (di, doc) in model.documents.iter().enumerate() {
        let chan_roles = roles::channel_roles(doc);
        let answering = answering_channels(doc);
        let index = doc_index(doc, &chan_roles);
        for (oi, op) in doc.operations.iter().enumerate() {
            let mut answer = false;
            let mut paired_reply = None;
            let id = op_id(op);
            let location = file_locate(ws, &op.src);
            let over = extension(ws, &op.extensions, "x-hnp-cqrs").and_then(Value::as_str);
            // Messages this operation leads to.
            let mut emits: Vec<String> = Vec::new();
            let mut emit_srcs: Vec<Src> = Vec::new();
            if let Some(list) =
                extension(ws, &op.extensions, "x-hnp-emits").and_then(Value::as_array)
            {
                let ext_src = op
                    .extensions
                    .iter()
                    .find(|e| e.key == "x-hnp-emits")
                    .map(|e| e.src.clone());
                for item in list {
                    let target = crate::source::workspace::ref_of(item).and_then(|r| {
                        let at = ext_src.as_ref()?;
                        ws.ref_target(at.file, r)
                    });
                    match target {
                        Some((f, p)) => {
                            let s = Src::new(f, p);
                            emits.push(names.get(&s).cloned().unwrap_or_else(|| {
                                s.pointer.rsplit('/').next().unwrap_or("").to_string()
                            }));
                            emit_srcs.push(s);
                        }
                        None => {
                            if let Some(s) = item.as_str() {
                                emits.push(s.to_string());
                            }
                        }
                    }
                }
            }
            let msg_names: Vec<String> =
                op.messages.iter().map(|&m| message_name(doc, m)).collect();
            let namings: Vec<Naming> = msg_names.iter().map(|n| naming_with(n, verbs)).collect();
            let (kind, reason) = match (&op.verb, over) {
                (_, Some("command")) => {
                    (Kind::Command, "explicit `x-hnp-cqrs: command`".to_string())
                }
                (_, Some("query")) => (Kind::Query, "explicit `x-hnp-cqrs: query`".to_string()),
                (Verb::Http { method, path }, _) => {
                    let m = method.to_lowercase();
                    let lower_id = id.to_lowercase();
                    let lower_path = path.to_lowercase();
                    if matches!(m.as_str(), "get" | "head" | "options" | "trace") {
                        let suspicious = [
                            "sync", "apply", "delete", "trigger", "execute", "create", "remove",
                        ]
                        .iter()
                        .find(|w| {
                            lower_path
                                .split(['/', '-', '_', '{', '}'])
                                .any(|s| s == **w)
                                || lower_id.starts_with(**w)
                        });
                        if let Some(w) = suspicious {
                            diags.push(
                                Diagnostic::new(
                                    "cqrs-ambiguous",
                                    location.clone(),
                                    format!(
                                        "`{} {path}` uses a safe method but its name says `{w}`: a query must not change state",
                                        method.to_uppercase()
                                    ),
                                )
                                .with_help("if it changes state, use POST; if it does not, rename it or add `x-hnp-cqrs: query`"),
                            );
                        }
                        (
                            Kind::Query,
                            format!("safe HTTP method {}", method.to_uppercase()),
                        )
                    } else {
                        let searchy = lower_path.ends_with("/search")
                            || lower_path.ends_with("/search/")
                            || lower_path.ends_with("/query")
                            || lower_path.ends_with("/query/")
                            || lower_id.contains("search");
                        if m == "post" && searchy && emits.is_empty() {
                            diags.push(
                                Diagnostic::new(
                                    "cqrs-ambiguous",
                                    location.clone(),
                                    format!("`POST {path}` looks like a search: is it a query?"),
                                )
                                .with_help("add `x-hnp-cqrs: query` if it only reads, or `x-hnp-cqrs: command` if it changes state"),
                            );
                        }
                        (
                            Kind::Command,
                            format!("state-changing HTTP method {}", method.to_uppercase()),
                        )
                    }
                }
                (verb, None) | (verb, Some(_)) => {
                    let action = op.action.unwrap_or(Action::Send);
                    // FastStream's 2.x documents use the verbs the other way round (the
                    // model reads them so): say which reading was taken.
                    let wording = match (verb, action) {
                        (Verb::Publish, Action::Receive) => {
                            " (2.x `publish`: the application receives)"
                        }
                        (Verb::Subscribe, Action::Send) => {
                            " (2.x `subscribe`: the application sends)"
                        }
                        (Verb::Subscribe, _) => {
                            " (FastStream 2.x `subscribe`: the application receives)"
                        }
                        (Verb::Publish, _) => " (FastStream 2.x `publish`: the application sends)",
                        _ => "",
                    };
                    if let Some(reply) = &op.reply {
                        let answers: Vec<String> = reply
                            .messages
                            .iter()
                            .map(|&m| message_name(doc, m))
                            .collect();
                        let answers = if answers.is_empty() {
                            "a reply".to_string()
                        } else {
                            answers.join(" | ")
                        };
                        let (k, how) = if action == Action::Send {
                            (
                                Kind::Request,
                                format!("sends {} and awaits {answers}", msg_names.join(", ")),
                            )
                        } else {
                            (
                                Kind::Reply,
                                format!("handles {} and answers {answers}", msg_names.join(", ")),
                            )
                        };
                        (k, format!("`reply` declared: {how}{wording}"))
                    } else if let Some((k, why, pair)) =
                        role_kind(doc, op, &chan_roles, &index, &answering, &msg_names, verbs)
                    {
                        answer = pair.is_none() && k == Kind::Reply;
                        paired_reply = pair;
                        (k, format!("{why}{wording}"))
                    } else if let Some((k, addr)) = no_message_command(doc, op, &namings, verbs) {
                        (
                            k,
                            format!(
                                "no message named as a command or an event; the channel `{addr}` names {}{wording}",
                                if k == Kind::Query {
                                    "a read"
                                } else {
                                    "a command"
                                }
                            ),
                        )
                    } else if let Some(addr) = (action == Action::Send
                        && !namings.is_empty()
                        && namings.iter().all(|n| *n == Naming::Imperative))
                    .then(|| stream_address(doc, op))
                    .flatten()
                    {
                        (
                            Kind::EventPublished,
                            format!(
                                "sent on the stream `{addr}`: what a stream carries are events, whatever the verb of {}{wording}",
                                msg_names.join(", ")
                            ),
                        )
                    } else if !namings.is_empty()
                        && namings.iter().all(|n| *n == Naming::Imperative)
                    {
                        (
                            Kind::Command,
                            format!(
                                "imperative message name{} {}{wording}",
                                if msg_names.len() > 1 { "s" } else { "" },
                                msg_names.join(", ")
                            ),
                        )
                    } else {
                        let k = if action == Action::Send {
                            Kind::EventPublished
                        } else {
                            Kind::EventConsumed
                        };
                        let why = if !namings.is_empty()
                            && namings.iter().all(|n| *n == Naming::PastTense)
                        {
                            format!(
                                "past-tense message name{} {}",
                                if msg_names.len() > 1 { "s" } else { "" },
                                msg_names.join(", ")
                            )
                        } else {
                            format!(
                                "`{}` of messages not named as commands",
                                if action == Action::Send {
                                    "send"
                                } else {
                                    "receive"
                                }
                            )
                        };
                        (k, format!("{why}{wording}"))
                    }
                }
            };
            let what = match &op.verb {
                Verb::Http { method, path } => format!("{} {path}", method.to_uppercase()),
                _ => {
                    // AsyncAPI 2.x operations keep the document's own word: its
                    // `publish` is what the application receives, which "send" or
                    // "receive" alone would hide.
                    let action = match (&op.verb, op.action) {
                        (Verb::Publish, _) => "publish",
                        (Verb::Subscribe, _) => "subscribe",
                        (_, Some(Action::Receive)) => "receive",
                        (_, Some(Action::Send)) => "send",
                        // An invalid `action` (reported by validate): say so.
                        (_, None) => "?",
                    };
                    let chan = op
                        .channel
                        .and_then(|c| doc.channels.get(c))
                        .map(|c| c.address.clone().unwrap_or_else(|| c.key.clone()))
                        .unwrap_or_else(|| "?".to_string());
                    format!("{action} {chan}")
                }
            };
            if op.action == Some(Action::Send) && emits.is_empty() {
                emits = msg_names.clone();
                emit_srcs = op
                    .messages
                    .iter()
                    .filter_map(|&m| doc.messages.get(m).map(|x| x.src.clone()))
                    .collect();
            }
            let mut cons: Vec<String> = emit_srcs
                .iter()
                .flat_map(|s| consumers.get(s).cloned().unwrap_or_default())
                .filter(|c| *c != id)
                .collect();
            cons.sort();
            cons.dedup();
            rows.push(Row {
                kind,
                id,
                what,
                location,
                reason,
                emits,
                consumers: cons,
                doc: di,
                op: oi,
                answer,
                paired_reply,
            });
        }
    }
    (rows, diags)
}

/// The channels of a document on which some operation sends (or receives) only answers
/// (`…Response`, `success`, `pong`).
pub(crate) struct Answering {
    sent: std::collections::HashSet<usize>,
    received: std::collections::HashSet<usize>,
}

/// What `role_kind` looks up per operation, computed once per document (one pass over
/// its channels and operations) so classifying a document stays linear in its size.
struct DocIndex {
    /// Channel words → the first reply channel with that (non-empty) stem.
    reply_twin: HashMap<Vec<String>, usize>,
    /// The channel of the first operation whose own name carries an answer
    /// (`receiveSumResult`): where a `requestSum` is answered.
    answer_op_channel: Option<usize>,
    /// (channel, verb stem) of the messages the application sends on each channel:
    /// `auth` sent on `/ws` gives (`/ws`, `auth`); a trailing `e` is dropped
    /// (`subscribe` → `subscrib`) so that the past form (`subscribed`) starts with it.
    sent_stems: std::collections::HashSet<(usize, String)>,
}

/// Whether a past-tense word (`authorized`) is the past form of a request sent on
/// channel `c` (`auth`): a lookup of each of its prefixes of three letters or more.
fn acknowledges(index: &DocIndex, c: usize, past: &str) -> Option<String> {
    let p = past.to_ascii_lowercase();
    (3..=p.len())
        .filter(|&k| p.is_char_boundary(k))
        .map(|k| &p[..k])
        .find(|pre| index.sent_stems.contains(&(c, (*pre).to_string())))
        .map(str::to_string)
}

fn doc_index(doc: &Document, chan_roles: &[(ChannelRole, Vec<String>)]) -> DocIndex {
    let mut reply_twin = HashMap::new();
    for (i, (r, stem)) in chan_roles.iter().enumerate() {
        if matches!(r, ChannelRole::Reply) && !stem.is_empty() {
            reply_twin.entry(stem.clone()).or_insert(i);
        }
    }
    let answer_op_channel = doc.operations.iter().find_map(|o| {
        let oid = o.operation_id.as_deref().or(o.key.as_deref())?;
        (roles::message_role(oid) == ChannelRole::Reply)
            .then_some(o.channel)
            .flatten()
    });
    let mut sent_stems = std::collections::HashSet::new();
    for o in &doc.operations {
        let (Some(Action::Send), Some(c)) = (o.action, o.channel) else {
            continue;
        };
        for &m in &o.messages {
            if let Some(first) = words(&message_name(doc, m)).into_iter().next() {
                let lower = first.to_ascii_lowercase();
                let stem = lower.strip_suffix('e').unwrap_or(&lower);
                if stem.len() >= 3 {
                    sent_stems.insert((c, stem.to_string()));
                }
            }
        }
    }
    DocIndex {
        reply_twin,
        answer_op_channel,
        sent_stems,
    }
}

fn answering_channels(doc: &Document) -> Answering {
    let mut a = Answering {
        sent: Default::default(),
        received: Default::default(),
    };
    for o in &doc.operations {
        let (Some(c), Some(action)) = (o.channel, o.action) else {
            continue;
        };
        let names: Vec<String> = o.messages.iter().map(|&m| message_name(doc, m)).collect();
        if !names.is_empty()
            && names
                .iter()
                .all(|n| roles::message_role(n) == ChannelRole::Reply)
        {
            match action {
                Action::Send => a.sent.insert(c),
                Action::Receive => a.received.insert(c),
            };
        }
    }
    a
}

/// The kind an operation's channel or messages give it, outranking the verb its
/// message names start with: the answering half of a request/reply pair (a reply or
/// error channel, response messages) is a `reply`; the asking half (a request channel,
/// or a channel whose `…_response` twin exists) a `request`. With the reply channel a
/// request is paired with (`None` for answers).
fn role_kind(
    doc: &Document,
    op: &Operation,
    chan_roles: &[(ChannelRole, Vec<String>)],
    index: &DocIndex,
    answering: &Answering,
    msg_names: &[String],
    verbs: &Verbs,
) -> Option<(Kind, String, Option<usize>)> {
    let ch = op
        .channel
        .and_then(|c| doc.channels.get(c).map(|ch| (c, ch)));
    let addr = ch.map(|(_, c)| roles::address(c).to_string());
    // The reply/error channel answering a channel with these words.
    let twin = |w: &[String]| index.reply_twin.get(w).copied();
    if let (Some((ci, _)), Some(addr)) = (ch, &addr) {
        let (role, stem) = chan_roles
            .get(ci)
            .cloned()
            .unwrap_or((ChannelRole::Plain, Vec::new()));
        match role {
            ChannelRole::Reply => {
                return Some((
                    Kind::Reply,
                    format!("carries answers on the reply channel `{addr}`"),
                    None,
                ));
            }
            ChannelRole::Error => {
                return Some((
                    Kind::Reply,
                    format!("carries failure answers on the error channel `{addr}`"),
                    None,
                ));
            }
            ChannelRole::Request => {
                let pair = twin(&stem);
                let answered = pair
                    .and_then(|i| doc.channels.get(i))
                    .map(|c| format!(", answered on `{}`", roles::address(c)))
                    .unwrap_or_default();
                return Some((
                    Kind::Request,
                    format!("request on `{addr}`{answered}"),
                    pair,
                ));
            }
            ChannelRole::Plain => {
                if let Some(i) = twin(&roles::words(addr)) {
                    let to = doc.channels.get(i).map(roles::address).unwrap_or("?");
                    return Some((
                        Kind::Request,
                        format!("request on `{addr}`, answered on `{to}`"),
                        Some(i),
                    ));
                }
            }
            ChannelRole::DeadLetter => {}
        }
    }
    let answers = |names: &mut dyn Iterator<Item = String>| {
        let names: Vec<String> = names.collect();
        !names.is_empty()
            && names
                .iter()
                .all(|n| roles::message_role(n) == ChannelRole::Reply)
    };
    if answers(&mut msg_names.iter().cloned()) {
        return Some((
            Kind::Reply,
            format!(
                "answer message{} {}",
                plural(msg_names),
                msg_names.join(", ")
            ),
            None,
        ));
    }
    // One connection where answers come back (`success`, `pong`): a received message
    // in the past form of a request sent there (`authorized` after `auth`, `subscribed`
    // after `subscribe`) acknowledges that request; it is its answer, not an event.
    if let (Some(Action::Receive), Some((ci, _)), Some(addr)) = (op.action, ch, &addr) {
        if answering.received.contains(&ci) && !msg_names.is_empty() {
            let acked: Option<Vec<String>> = msg_names
                .iter()
                .map(|n| {
                    let w = words(n);
                    let past = w.iter().find(|x| verbs.is_past(x))?;
                    acknowledges(index, ci, past)
                })
                .collect();
            if let Some(acked) = acked {
                return Some((
                    Kind::Reply,
                    format!(
                        "acknowledges `{}` sent on `{addr}` (its past form {})",
                        acked.join("`, `"),
                        msg_names.join(", ")
                    ),
                    None,
                ));
            }
        }
    }
    // A channel the application answers on: it sends answers there (`…Response`,
    // `…Ack`), so what it receives there (other than events and answers) are requests
    // it handles and answers on that channel.
    if let (Some(Action::Receive), Some((ci, _)), Some(addr)) = (op.action, ch, &addr) {
        let answers_here = answering.sent.contains(&ci);
        // Events, answers and notifications (`Notify`) are not asked.
        let not_asked = msg_names.iter().any(|n| {
            naming_with(n, verbs) == Naming::PastTense
                || roles::message_role(n) == ChannelRole::Reply
                || notification(n)
        });
        if answers_here && !not_asked && !msg_names.is_empty() {
            return Some((
                Kind::Reply,
                format!("handles requests on `{addr}` and answers there"),
                Some(ci),
            ));
        }
    }
    // One connection that answers on itself: the application sends on a channel where
    // it also receives answers (`success`, `error`, `pong`), so what it sends there
    // (other than events) are requests answered on that channel.
    if let (Some(Action::Send), Some((ci, _)), Some(addr)) = (op.action, ch, &addr) {
        let answered_here = answering.received.contains(&ci);
        // Events, or answers of its own (a stream that also reports errors), are not asked.
        let events = msg_names.iter().any(|n| {
            naming_with(n, verbs) == Naming::PastTense
                || roles::message_role(n) == ChannelRole::Reply
        });
        if answered_here && !events && !msg_names.is_empty() {
            return Some((
                Kind::Request,
                format!("sent on `{addr}`, where the answers come back"),
                Some(ci),
            ));
        }
    }
    // The operation's own name: `receiveSumResult` carries an answer.
    if let Some(id) = op.operation_id.as_deref().or(op.key.as_deref()) {
        if roles::message_role(id) == ChannelRole::Reply && !id.contains('/') {
            return Some((
                Kind::Reply,
                format!("operation `{id}` carries an answer"),
                None,
            ));
        }
        // `requestSum`, answered by an operation of the document that carries answers.
        let w = roles::words(id);
        if w.first().is_some_and(|f| f == "request") && w.len() > 1 && !id.contains('/') {
            if let Some(c) = index.answer_op_channel {
                let to = doc.channels.get(c).map(roles::address).unwrap_or("?");
                return Some((
                    Kind::Request,
                    format!("operation `{id}` asks; answered on `{to}`"),
                    Some(c),
                ));
            }
        }
    }
    None
}

/// An operation whose messages say nothing (none, or none named as a command or an
/// event) on a channel whose address reads as a command (`create-example`) or a read
/// (`Items.GetItem`): the kind, and the address.
fn no_message_command(
    doc: &Document,
    op: &Operation,
    namings: &[Naming],
    verbs: &Verbs,
) -> Option<(Kind, String)> {
    if !namings.iter().all(|n| *n == Naming::Unclear) {
        return None;
    }
    let ch = doc.channels.get(op.channel?)?;
    let addr = roles::address(ch);
    let words = roles::words(addr);
    // A command channel (`…/action/{id}/turn/on`, `orders.commands`), or an address that
    // reads as an imperative (`create-example`).
    let command_word = words.iter().any(|w| {
        matches!(
            w.as_str(),
            "command" | "commands" | "cmd" | "action" | "actions"
        )
    });
    if command_word || naming_with(&words.join("_"), verbs) == Naming::Imperative {
        return Some((Kind::Command, addr.to_string()));
    }
    // The address's last segment names the action (`Items.AddItem`,
    // `accounts.{name}.delete`): a read verb is a query, another imperative a command.
    let last = addr
        .rsplit(['.', '/'])
        .find(|s| !s.is_empty() && !s.contains('{'))?;
    if naming_with(last, verbs) != Naming::Imperative {
        return None;
    }
    let first = self::words(last).into_iter().next().unwrap_or_default();
    let kind = if READ_VERBS.contains(&first.as_str()) {
        Kind::Query
    } else {
        Kind::Command
    };
    Some((kind, addr.to_string()))
}

/// The address of an operation's channel when its last literal segment names a stream
/// of events (`/ws/test/stream`, `orders.events`, `prices/feed`): what the application
/// sends there is published as an event, whatever verb its message's name starts with.
fn stream_address(doc: &Document, op: &Operation) -> Option<String> {
    let ch = doc.channels.get(op.channel?)?;
    let addr = roles::address(ch);
    let last = addr
        .rsplit(['.', '/', ':'])
        .find(|s| !s.is_empty() && !s.contains('{'))?
        .to_ascii_lowercase();
    matches!(
        last.as_str(),
        "stream" | "streams" | "events" | "feed" | "feeds" | "updates" | "notifications"
    )
    .then(|| addr.to_string())
}

/// Verbs that read: an address segment starting with one names a query.
pub const READ_VERBS: &[&str] = &[
    "Get", "List", "Fetch", "Find", "Search", "Query", "Read", "Lookup", "Describe", "Count",
];

fn plural(v: &[String]) -> &'static str {
    if v.len() > 1 { "s" } else { "" }
}

fn file_locate(ws: &Workspace, src: &Src) -> Location {
    ws.file(src.file).locate_key(&src.pointer)
}

/// Render rows as an aligned table.
pub fn table(rows: &[Row]) -> String {
    let headers = ["KIND", "ID", "OPERATION", "LOCATION", "REASON"];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                r.kind.as_str().to_string(),
                r.id.clone(),
                r.what.clone(),
                r.location.to_string(),
                r.reason.clone(),
            ]
        })
        .collect();
    let mut widths = headers.map(str::len);
    for c in &cells {
        for (i, x) in c.iter().enumerate().take(4) {
            widths[i] = widths[i].max(x.chars().count());
        }
    }
    let mut s = String::new();
    let line = |s: &mut String, c: &[&str]| {
        for (i, x) in c.iter().enumerate() {
            if i < 4 {
                s.push_str(&format!("{x:<w$}  ", w = widths[i]));
            } else {
                s.push_str(x);
            }
        }
        s.push('\n');
    };
    line(&mut s, &headers);
    for c in &cells {
        let refs: Vec<&str> = c.iter().map(String::as_str).collect();
        line(&mut s, &refs);
    }
    s.push_str(&summary(rows));
    s
}

/// `N operations: a commands, b queries, …`
pub fn summary(rows: &[Row]) -> String {
    let mut counts: std::collections::BTreeMap<Kind, usize> = Default::default();
    for r in rows {
        *counts.entry(r.kind).or_default() += 1;
    }
    let parts: Vec<String> = counts
        .iter()
        .map(|(k, n)| format!("{n} {}", k.as_str()))
        .collect();
    let n = rows.len();
    if n == 0 {
        return "0 operations\n".to_string();
    }
    let noun = if n == 1 { "operation" } else { "operations" };
    format!("{n} {noun}: {}\n", parts.join(", "))
}

/// Render rows as a Markdown table (for pull-request comments).
pub fn markdown(rows: &[Row]) -> String {
    let esc = |s: &str| s.replace('|', "\\|");
    let mut s =
        String::from("| kind | id | operation | location | reason |\n|---|---|---|---|---|\n");
    for r in rows {
        s.push_str(&format!(
            "| {} | `{}` | `{}` | {} | {} |\n",
            r.kind.as_str(),
            esc(&r.id),
            esc(&r.what),
            esc(&r.location.to_string()),
            esc(&r.reason)
        ));
    }
    s.push('\n');
    s.push_str(&summary(rows));
    s
}

/// Render rows as JSON.
pub fn json(rows: &[Row]) -> String {
    let v = serde_json::json!({ "version": 1, "operations": rows });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_conventions() {
        assert_eq!(naming("SyncCompleted"), Naming::PastTense);
        assert_eq!(naming("ResourceCreated"), Naming::PastTense);
        assert_eq!(naming("ApplyResources"), Naming::Imperative);
        assert_eq!(naming("CommitToGit"), Naming::Imperative);
        assert_eq!(naming("RepositoryAccessValidated"), Naming::PastTense);
        assert_eq!(naming("ValidateRepositoryAccess"), Naming::Imperative);
        assert_eq!(naming("user_signed_up"), Naming::PastTense);
        assert_eq!(naming("lightMeasured"), Naming::PastTense);
        assert_eq!(naming("Heartbeat"), Naming::Unclear);
        assert_eq!(naming("ClusterStateBackedUp"), Naming::PastTense);
        // A lone verb of telling names the notification, not a command.
        assert_eq!(naming("Notify"), Naming::Unclear);
        assert_eq!(naming("NotifyCustomer"), Naming::Imperative);
    }
}
