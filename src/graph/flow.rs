//! The event-flow graph: operations (as `classify` labels them), channels, messages,
//! sagas and projections, with edges for what each emits, consumes and replies, a
//! saga's steps and compensations, and the messages a projection folds.
//!
//! Built from the IR, the CQRS rows and the parsed saga and projection files; a node
//! keeps where it lives so that findings can be laid over it.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde::Serialize;

use crate::classify::Kind;
use crate::diag::Diagnostic;
use crate::model::{Action, Verb};

use super::arch::Arch;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    Command,
    Query,
    Event,
    Request,
    Reply,
    Channel,
    Message,
    Saga,
    Projection,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Command => "command",
            NodeKind::Query => "query",
            NodeKind::Event => "event",
            NodeKind::Request => "request",
            NodeKind::Reply => "reply",
            NodeKind::Channel => "channel",
            NodeKind::Message => "message",
            NodeKind::Saga => "saga",
            NodeKind::Projection => "projection",
        }
    }

    pub const ALL: [NodeKind; 9] = [
        NodeKind::Command,
        NodeKind::Query,
        NodeKind::Event,
        NodeKind::Request,
        NodeKind::Reply,
        NodeKind::Channel,
        NodeKind::Message,
        NodeKind::Saga,
        NodeKind::Projection,
    ];

    fn prefix(self) -> &'static str {
        match self {
            NodeKind::Channel => "ch",
            NodeKind::Message => "msg",
            NodeKind::Saga => "saga",
            NodeKind::Projection => "proj",
            _ => "op",
        }
    }
}

/// What an edge says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    /// An operation (or a saga's end) sends or causes a message.
    Emits,
    /// A message is received by an operation, a saga or a projection.
    Consumes,
    /// A reply: the answering operation → its reply, or a reply → the asking operation.
    Replies,
    /// A channel carries a message.
    Carries,
    /// A saga step sends a command.
    Step,
    /// A saga compensation sends a command.
    Compensates,
    /// A projection serves a query.
    Serves,
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Emits => "emits",
            EdgeKind::Consumes => "consumes",
            EdgeKind::Replies => "replies",
            EdgeKind::Carries => "carries",
            EdgeKind::Step => "step",
            EdgeKind::Compensates => "compensates",
            EdgeKind::Serves => "serves",
        }
    }

    pub const ALL: [EdgeKind; 7] = [
        EdgeKind::Emits,
        EdgeKind::Consumes,
        EdgeKind::Replies,
        EdgeKind::Carries,
        EdgeKind::Step,
        EdgeKind::Compensates,
        EdgeKind::Serves,
    ];
}

/// One node.
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// Unique and stable: `op:getFabric`, `msg:SyncStarted`, `ch:gitops.sync`, …
    pub id: String,
    pub kind: NodeKind,
    /// The name shown (operation id, message name, channel address, saga name).
    pub name: String,
    /// A second line: `POST /fabrics/{id}/sync/`, `send gitops.sync`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// `file:line:col` of where it is declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Gate misses located on it (`--with-findings`): `rule: message`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
    /// Where it lives: file display name and JSON pointer (for matching findings).
    #[serde(skip)]
    pub at: Option<(String, String)>,
}

/// One edge, by node index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// The event-flow graph.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

struct Builder {
    g: Graph,
    by_id: HashMap<String, usize>,
    edges: BTreeSet<Edge>,
}

impl Builder {
    fn node(&mut self, kind: NodeKind, name: &str) -> usize {
        let id = format!("{}:{name}", kind.prefix());
        if let Some(&i) = self.by_id.get(&id) {
            return i;
        }
        let i = self.g.nodes.len();
        self.g.nodes.push(Node {
            id: id.clone(),
            kind,
            name: name.to_string(),
            detail: None,
            location: None,
            findings: Vec::new(),
            at: None,
        });
        self.by_id.insert(id, i);
        i
    }

    fn edge(&mut self, from: usize, to: usize, kind: EdgeKind, label: Option<String>) {
        self.edges.insert(Edge {
            from,
            to,
            kind,
            label,
        });
    }
}

fn op_kind(k: Kind) -> NodeKind {
    match k {
        Kind::Command => NodeKind::Command,
        Kind::Query => NodeKind::Query,
        Kind::EventPublished | Kind::EventConsumed => NodeKind::Event,
        Kind::Request => NodeKind::Request,
        Kind::Reply => NodeKind::Reply,
    }
}

/// Build the graph of a loaded architecture.
pub fn build(arch: &Arch) -> Graph {
    let mut b = Builder {
        g: Graph::default(),
        by_id: HashMap::new(),
        edges: BTreeSet::new(),
    };
    let ws = &arch.ws;
    let at = |src: &crate::model::Src| {
        let f = ws.file(src.file);
        (f.display.to_string(), src.pointer.clone())
    };
    let loc = |src: &crate::model::Src| ws.file(src.file).locate_key(&src.pointer).to_string();
    for row in &arch.rows {
        let Some(doc) = arch.model.documents.get(row.doc) else {
            continue;
        };
        let Some(op) = doc.operations.get(row.op) else {
            continue;
        };
        // The same id in two documents is two operations.
        let mut name = row.id.clone();
        if let Some(&i) = b.by_id.get(&format!("op:{name}")) {
            if b.g.nodes[i].at.as_ref() != Some(&at(&op.src)) {
                name = format!("{name} ({})", ws.file(op.src.file).display);
            }
        }
        let o = b.node(op_kind(row.kind), &name);
        b.g.nodes[o].detail = Some(row.what.clone());
        b.g.nodes[o].location = Some(loc(&op.src));
        b.g.nodes[o].at = Some(at(&op.src));
        let http = matches!(op.verb, Verb::Http { .. });
        // Messages of HTTP operations are request bodies, not events: only what they
        // emit (`x-hnp-emits`) joins the flow.
        let mut sent: BTreeSet<String> = BTreeSet::new();
        if !http {
            let ch = op.channel.and_then(|c| doc.channels.get(c));
            for &mi in &op.messages {
                let Some(m) = doc.messages.get(mi) else {
                    continue;
                };
                let mname = crate::gates::util::message_name(m);
                let n = b.node(NodeKind::Message, &mname);
                if b.g.nodes[n].at.is_none() {
                    b.g.nodes[n].location = Some(loc(&m.src));
                    b.g.nodes[n].at = Some(at(&m.src));
                }
                if let Some(c) = ch {
                    let addr = c.address.clone().unwrap_or_else(|| c.key.clone());
                    let cn = b.node(NodeKind::Channel, &addr);
                    if b.g.nodes[cn].at.is_none() {
                        b.g.nodes[cn].location = Some(loc(&c.src));
                        b.g.nodes[cn].at = Some(at(&c.src));
                    }
                    b.edge(cn, n, EdgeKind::Carries, None);
                }
                match op.action {
                    Some(Action::Send) => {
                        sent.insert(mname);
                        b.edge(o, n, EdgeKind::Emits, None);
                    }
                    Some(Action::Receive) => b.edge(n, o, EdgeKind::Consumes, None),
                    None => {}
                }
            }
            if let Some(reply) = &op.reply {
                for &mi in &reply.messages {
                    let Some(m) = doc.messages.get(mi) else {
                        continue;
                    };
                    let n = b.node(NodeKind::Message, &crate::gates::util::message_name(m));
                    if b.g.nodes[n].at.is_none() {
                        b.g.nodes[n].location = Some(loc(&m.src));
                        b.g.nodes[n].at = Some(at(&m.src));
                    }
                    if op.action == Some(Action::Send) {
                        b.edge(n, o, EdgeKind::Replies, Some("awaited".to_string()));
                    } else {
                        b.edge(o, n, EdgeKind::Replies, Some("answers".to_string()));
                    }
                }
            }
        }
        for e in &row.emits {
            if !sent.contains(e) {
                let n = b.node(NodeKind::Message, e);
                b.edge(o, n, EdgeKind::Emits, None);
            }
        }
    }
    for saga in &arch.sagas {
        let s = b.node(NodeKind::Saga, &saga.name);
        b.g.nodes[s].detail = Some(format!("saga {}", saga.version));
        b.g.nodes[s].location = Some(saga.source.file_location().to_string());
        b.g.nodes[s].at = Some((saga.source.display.to_string(), String::new()));
        for st in &saga.start {
            let start = b.node(NodeKind::Message, &st.message.name);
            b.edge(start, s, EdgeKind::Consumes, Some("starts".to_string()));
        }
        for step in &saga.steps {
            if let Some(cmd) = &step.send {
                let n = b.node(NodeKind::Message, &cmd.name);
                b.edge(s, n, EdgeKind::Step, Some(step.id.clone()));
            }
            for on in step.on.iter().chain(&step.fail) {
                let n = b.node(NodeKind::Message, &on.name);
                b.edge(n, s, EdgeKind::Consumes, None);
            }
            for c in &step.compensation {
                let n = b.node(NodeKind::Message, &c.send.name);
                b.edge(
                    s,
                    n,
                    EdgeKind::Compensates,
                    Some(format!("undo {}", step.id)),
                );
            }
        }
        for e in saga.emits_complete.iter().chain(&saga.emits_failure) {
            let n = b.node(NodeKind::Message, &e.name);
            b.edge(s, n, EdgeKind::Emits, None);
        }
    }
    for p in &arch.projections {
        let pn = b.node(NodeKind::Projection, &p.name);
        b.g.nodes[pn].detail = Some(format!("projection {}", p.version));
        b.g.nodes[pn].location = Some(p.source.file_location().to_string());
        b.g.nodes[pn].at = Some((p.source.display.to_string(), String::new()));
        for r in &p.on {
            let n = b.node(NodeKind::Message, &r.message);
            b.edge(n, pn, EdgeKind::Consumes, Some("folds".to_string()));
        }
        for q in &p.serves {
            if let Some(&o) = b.by_id.get(&format!("op:{}", q.name)) {
                b.edge(pn, o, EdgeKind::Serves, None);
            }
        }
    }
    let mut g = b.g;
    g.edges = b.edges.into_iter().collect();
    g
}

/// Mark the nodes that gate misses are located on (an item's own location, or for a
/// saga step, the saga's file).
pub fn overlay_findings(g: &mut Graph, findings: &[Diagnostic]) {
    let mut by_at: HashMap<(&str, &str), usize> = HashMap::new();
    let mut by_file: HashMap<&str, usize> = HashMap::new();
    for (i, n) in g.nodes.iter().enumerate() {
        if let Some((f, p)) = &n.at {
            by_at.insert((f.as_str(), p.as_str()), i);
            if matches!(n.kind, NodeKind::Saga | NodeKind::Projection) {
                by_file.insert(f.as_str(), i);
            }
        }
    }
    let mut marks: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for d in findings
        .iter()
        .filter(|d| crate::gates::GATES.iter().any(|g| g.rule == d.rule))
    {
        let file = &*d.location.file;
        // The innermost node holding the finding: its own pointer, else the nearest
        // enclosing item (a finding at `/operations/x/x-hnp-emits/0` marks `x`).
        let mut ptr = d.location.pointer.as_deref().unwrap_or("");
        let mut hit = by_at.get(&(file, ptr)).copied();
        while hit.is_none() {
            let Some(cut) = ptr.rfind('/') else { break };
            ptr = &ptr[..cut];
            hit = by_at.get(&(file, ptr)).copied();
        }
        let hit = hit.or_else(|| by_file.get(file).copied());
        if let Some(i) = hit {
            marks
                .entry(i)
                .or_default()
                .push(format!("{}: {}", d.rule, d.message));
        }
    }
    for (i, m) in marks {
        g.nodes[i].findings = m;
    }
}

/// The node a name picks: its id, else its exact name, else a unique case-insensitive
/// name. `Err`: a message naming the closest names.
pub fn find(g: &Graph, name: &str) -> Result<Vec<usize>, String> {
    if let Some(i) = g.nodes.iter().position(|n| n.id == name) {
        return Ok(vec![i]);
    }
    let exact: Vec<usize> = (0..g.nodes.len())
        .filter(|&i| g.nodes[i].name == name)
        .collect();
    if !exact.is_empty() {
        return Ok(exact);
    }
    let lower = name.to_lowercase();
    let loose: Vec<usize> = (0..g.nodes.len())
        .filter(|&i| g.nodes[i].name.to_lowercase() == lower)
        .collect();
    if !loose.is_empty() {
        return Ok(loose);
    }
    let names: Vec<&str> = g.nodes.iter().map(|n| n.name.as_str()).collect();
    let hint = crate::suggest::closest(name, &names)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    Err(format!("no node named `{name}` in the graph{hint}"))
}

/// The neighbourhood of the given nodes: every node within `depth` edges (either
/// direction), with the edges between them.
pub fn focus(g: &Graph, centre: &[usize], depth: usize) -> Graph {
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); g.nodes.len()];
    for e in &g.edges {
        adj[e.from].push(e.to);
        adj[e.to].push(e.from);
    }
    let mut dist: Vec<Option<usize>> = vec![None; g.nodes.len()];
    let mut q = VecDeque::new();
    for &c in centre {
        dist[c] = Some(0);
        q.push_back(c);
    }
    while let Some(n) = q.pop_front() {
        let d = dist[n].unwrap_or(0);
        if d == depth {
            continue;
        }
        for &m in &adj[n] {
            if dist[m].is_none() {
                dist[m] = Some(d + 1);
                q.push_back(m);
            }
        }
    }
    let mut map = vec![usize::MAX; g.nodes.len()];
    let mut out = Graph::default();
    for (i, n) in g.nodes.iter().enumerate() {
        if dist[i].is_some() {
            map[i] = out.nodes.len();
            out.nodes.push(n.clone());
        }
    }
    for e in &g.edges {
        if map[e.from] != usize::MAX && map[e.to] != usize::MAX {
            out.edges.push(Edge {
                from: map[e.from],
                to: map[e.to],
                kind: e.kind,
                label: e.label.clone(),
            });
        }
    }
    out
}
