//! Renderers of the flow graph and of saga state machines: Mermaid, Graphviz DOT,
//! JSON and SVG (laid out by `layout`, drawn here: no browser, no network). Pure
//! functions of the graph.

use std::collections::{BTreeSet, HashSet};
use std::fmt::Write as _;

use super::flow::{EdgeKind, Graph, NodeKind};
use super::layout::{self, Rect};
use super::machine::{Machine, StateKind, TransitionKind};

/// Unique identifiers for Mermaid and DOT made of letters, digits and `_`.
fn idents(ids: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    ids.map(|id| {
        let base: String = id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let mut out = base.clone();
        let mut n = 2;
        while !seen.insert(out.clone()) {
            out = format!("{base}_{n}");
            n += 1;
        }
        out
    })
    .collect()
}

/// Text inside a quoted Mermaid label.
fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Text inside a quoted DOT string.
fn dot_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Text in SVG (XML) content or attributes.
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Characters XML 1.0 does not allow.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => out.push(' '),
            '\u{FFFE}' | '\u{FFFF}' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Fill and stroke of a node kind (light theme; the SVG has dark ones too).
fn colours(k: NodeKind) -> (&'static str, &'static str) {
    match k {
        NodeKind::Command => ("#dbeafe", "#1d4ed8"),
        NodeKind::Query => ("#dcfce7", "#15803d"),
        NodeKind::Event => ("#fef3c7", "#b45309"),
        NodeKind::Request => ("#e0e7ff", "#4338ca"),
        NodeKind::Reply => ("#f3e8ff", "#7e22ce"),
        NodeKind::Channel => ("#f1f5f9", "#475569"),
        NodeKind::Message => ("#ffffff", "#334155"),
        NodeKind::Saga => ("#ffe4e6", "#be123c"),
        NodeKind::Projection => ("#ccfbf1", "#0f766e"),
    }
}

fn node_lines(n: &super::flow::Node) -> Vec<String> {
    let mut lines = vec![n.name.clone()];
    if let Some(d) = &n.detail {
        lines.push(d.clone());
    }
    if !n.findings.is_empty() {
        let k = n.findings.len();
        lines.push(format!("⚠ {k} gate miss{}", if k == 1 { "" } else { "es" }));
    }
    lines
}

// ---------- flow graph ----------

/// The flow graph as a Mermaid flowchart (left to right).
pub fn flow_mermaid(g: &Graph) -> String {
    let ids = idents(g.nodes.iter().map(|n| n.id.clone()));
    let mut s = String::from("flowchart LR\n");
    let kinds: BTreeSet<NodeKind> = g.nodes.iter().map(|n| n.kind).collect();
    for k in &kinds {
        let (fill, stroke) = colours(*k);
        let _ = writeln!(
            s,
            "  classDef {} fill:{fill},stroke:{stroke},color:#111111",
            k.as_str()
        );
    }
    for (i, n) in g.nodes.iter().enumerate() {
        let label = node_lines(n)
            .iter()
            .map(|l| mermaid_text(l))
            .collect::<Vec<_>>()
            .join("<br/>");
        let (open, close) = match n.kind {
            NodeKind::Command => ("[\"", "\"]"),
            NodeKind::Query => ("([\"", "\"])"),
            NodeKind::Event => ("[/\"", "\"/]"),
            NodeKind::Request => ("[[\"", "\"]]"),
            NodeKind::Reply => ("[\\\"", "\"\\]"),
            NodeKind::Channel => (">\"", "\"]"),
            NodeKind::Message => ("(\"", "\")"),
            NodeKind::Saga => ("{{\"", "\"}}"),
            NodeKind::Projection => ("[(\"", "\")]"),
        };
        let _ = writeln!(s, "  {}{open}{label}{close}:::{}", ids[i], n.kind.as_str());
    }
    for e in &g.edges {
        let arrow = match e.kind {
            EdgeKind::Replies | EdgeKind::Carries | EdgeKind::Serves => "-.->",
            EdgeKind::Compensates => "-.->",
            _ => "-->",
        };
        let label = match &e.label {
            Some(l) => format!("{}: {l}", e.kind.as_str()),
            None => e.kind.as_str().to_string(),
        };
        let _ = writeln!(
            s,
            "  {} {arrow}|\"{}\"| {}",
            ids[e.from],
            mermaid_text(&label),
            ids[e.to]
        );
    }
    for (i, n) in g.nodes.iter().enumerate() {
        if !n.findings.is_empty() {
            let _ = writeln!(s, "  style {} stroke:#dc2626,stroke-width:3px", ids[i]);
        }
    }
    s
}

fn edge_style(k: EdgeKind) -> (&'static str, &'static str) {
    match k {
        EdgeKind::Emits => ("#1d4ed8", "solid"),
        EdgeKind::Consumes => ("#15803d", "solid"),
        EdgeKind::Replies => ("#7e22ce", "dashed"),
        EdgeKind::Carries => ("#94a3b8", "dotted"),
        EdgeKind::Step => ("#be123c", "bold"),
        EdgeKind::Compensates => ("#c2410c", "dashed"),
        EdgeKind::Serves => ("#0f766e", "dashed"),
    }
}

/// The flow graph as Graphviz DOT (with a legend).
pub fn flow_dot(g: &Graph) -> String {
    let ids = idents(g.nodes.iter().map(|n| n.id.clone()));
    let mut s = String::from(
        "digraph event_flow {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10, style=\"filled\"];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    for (i, n) in g.nodes.iter().enumerate() {
        let (fill, stroke) = colours(n.kind);
        let shape = match n.kind {
            NodeKind::Command | NodeKind::Request => "box",
            NodeKind::Query => "box\", style=\"filled,rounded",
            NodeKind::Event => "parallelogram",
            NodeKind::Reply => "box\", style=\"filled,diagonals",
            NodeKind::Channel => "cds",
            NodeKind::Message => "note",
            NodeKind::Saga => "hexagon",
            NodeKind::Projection => "cylinder",
        };
        let label = node_lines(n)
            .iter()
            .map(|l| dot_text(l))
            .collect::<Vec<_>>()
            .join("\\n");
        let (color, width) = if n.findings.is_empty() {
            (stroke, "1")
        } else {
            ("#dc2626", "3")
        };
        let mut tip = format!("{} {}", n.kind.as_str(), n.name);
        if let Some(l) = &n.location {
            tip.push_str(&format!(" ({l})"));
        }
        for f in &n.findings {
            tip.push_str(&format!("; {f}"));
        }
        let _ = writeln!(
            s,
            "  {} [label=\"{label}\", shape=\"{shape}\", fillcolor=\"{fill}\", color=\"{color}\", penwidth={width}, tooltip=\"{}\"];",
            ids[i],
            dot_text(&tip)
        );
    }
    for e in &g.edges {
        let (color, style) = edge_style(e.kind);
        let label = match &e.label {
            Some(l) => format!("{}: {l}", e.kind.as_str()),
            None => e.kind.as_str().to_string(),
        };
        let _ = writeln!(
            s,
            "  {} -> {} [label=\"{}\", color=\"{color}\", style=\"{style}\"];",
            ids[e.from],
            ids[e.to],
            dot_text(&label)
        );
    }
    s.push_str(&dot_legend(g));
    s.push_str("}\n");
    s
}

fn dot_legend(g: &Graph) -> String {
    let kinds: BTreeSet<NodeKind> = g.nodes.iter().map(|n| n.kind).collect();
    let mut s = String::from(
        "  subgraph cluster_legend {\n    label=\"Legend\";\n    fontname=\"Helvetica\";\n    fontsize=10;\n",
    );
    for k in &kinds {
        let (fill, stroke) = colours(*k);
        let _ = writeln!(
            s,
            "    legend_{} [label=\"{}\", shape=box, fillcolor=\"{fill}\", color=\"{stroke}\"];",
            k.as_str(),
            k.as_str()
        );
    }
    s.push_str("  }\n");
    s
}

/// The flow graph as JSON.
pub fn flow_json(g: &Graph) -> String {
    let v = serde_json::json!({
        "version": 1,
        "kind": "flow",
        "nodes": g.nodes,
        "edges": g.edges.iter().map(|e| serde_json::json!({
            "from": g.nodes[e.from].id,
            "to": g.nodes[e.to].id,
            "kind": e.kind,
            "label": e.label,
        })).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

// ---------- saga state machines ----------

fn mermaid_edge_label(s: &str) -> String {
    // `:` starts the label and `;` ends a statement in stateDiagram.
    mermaid_text(s).replace([':', ';'], " ")
}

/// A saga's state machine as a Mermaid `stateDiagram-v2`.
pub fn machine_mermaid(m: &Machine) -> String {
    let mut s = format!(
        "---\ntitle: saga {}\n---\nstateDiagram-v2\n",
        mermaid_text(&m.saga)
    );
    for st in &m.states {
        match st.kind {
            StateKind::Start => {}
            StateKind::Fork => {
                let _ = writeln!(s, "  state {} <<fork>>", st.id);
            }
            StateKind::Join => {
                let _ = writeln!(s, "  state {} <<join>>", st.id);
            }
            StateKind::Choice => {
                let _ = writeln!(s, "  state {} <<choice>>", st.id);
            }
            _ => {
                let mut lines = vec![match st.kind {
                    StateKind::Compensation => format!("undo {}", st.name),
                    _ => st.name.clone(),
                }];
                lines.extend(st.lines.iter().cloned());
                let label = lines
                    .iter()
                    .map(|l| mermaid_text(l))
                    .collect::<Vec<_>>()
                    .join("<br/>");
                let _ = writeln!(s, "  state \"{label}\" as {}", st.id);
            }
        }
    }
    let name = |i: usize| match m.states[i].kind {
        StateKind::Start => "[*]".to_string(),
        _ => m.states[i].id.clone(),
    };
    for t in &m.transitions {
        let label = match t.kind {
            TransitionKind::Forward | TransitionKind::Compensate => t.label.clone(),
            TransitionKind::Fail => format!("fail {}", t.label),
            TransitionKind::Timeout => t.label.clone(),
        };
        if label.is_empty() {
            let _ = writeln!(s, "  {} --> {}", name(t.from), name(t.to));
        } else {
            let _ = writeln!(
                s,
                "  {} --> {} : {}",
                name(t.from),
                name(t.to),
                mermaid_edge_label(&label)
            );
        }
    }
    for st in &m.states {
        if matches!(st.kind, StateKind::Completed | StateKind::Failed) {
            let _ = writeln!(s, "  {} --> [*]", st.id);
        }
    }
    s.push_str("  classDef compensation fill:#ffedd5,stroke:#c2410c,stroke-dasharray:4 3\n");
    s.push_str("  classDef failed fill:#fee2e2,stroke:#b91c1c\n");
    s.push_str("  classDef completed fill:#dcfce7,stroke:#15803d\n");
    for st in &m.states {
        let class = match st.kind {
            StateKind::Compensation => "compensation",
            StateKind::Failed => "failed",
            StateKind::Completed => "completed",
            _ => continue,
        };
        let _ = writeln!(s, "  class {} {class}", st.id);
    }
    s
}

/// A saga's state machine as Graphviz DOT.
pub fn machine_dot(m: &Machine) -> String {
    let mut s = format!(
        "digraph saga_{} {{\n  label=\"saga {}\";\n  labelloc=t;\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
        super::machine::ident("", &m.saga).trim_start_matches('_'),
        dot_text(&m.saga)
    );
    for st in &m.states {
        let mut lines = vec![match st.kind {
            StateKind::Compensation => format!("undo {}", st.name),
            _ => st.name.clone(),
        }];
        lines.extend(st.lines.iter().cloned());
        let label = lines
            .iter()
            .map(|l| dot_text(l))
            .collect::<Vec<_>>()
            .join("\\n");
        let attrs = match st.kind {
            StateKind::Start => "shape=point, width=0.2".to_string(),
            StateKind::Fork | StateKind::Join => {
                "shape=box, style=filled, fillcolor=black, label=\"\", height=0.06, width=1.2"
                    .to_string()
            }
            StateKind::Choice => "shape=diamond, label=\"\", width=0.3, height=0.3".to_string(),
            StateKind::Step => {
                format!(
                    "shape=box, style=\"rounded,filled\", fillcolor=\"#dbeafe\", label=\"{label}\""
                )
            }
            StateKind::Wait => {
                format!(
                    "shape=box, style=\"rounded,filled\", fillcolor=\"#f1f5f9\", label=\"{label}\""
                )
            }
            StateKind::Compensation => format!(
                "shape=box, style=\"rounded,filled,dashed\", fillcolor=\"#ffedd5\", color=\"#c2410c\", label=\"{label}\""
            ),
            StateKind::Completed => format!(
                "shape=box, style=\"rounded,filled,bold\", fillcolor=\"#dcfce7\", label=\"{label}\""
            ),
            StateKind::Failed => format!(
                "shape=box, style=\"rounded,filled,bold\", fillcolor=\"#fee2e2\", label=\"{label}\""
            ),
        };
        let _ = writeln!(s, "  {} [{attrs}];", st.id);
    }
    for t in &m.transitions {
        let (color, style, label) = match t.kind {
            TransitionKind::Forward => ("#334155", "solid", t.label.clone()),
            TransitionKind::Fail => ("#b91c1c", "solid", format!("fail {}", t.label)),
            TransitionKind::Timeout => ("#b45309", "dashed", t.label.clone()),
            TransitionKind::Compensate => ("#c2410c", "dashed", t.label.clone()),
        };
        let _ = writeln!(
            s,
            "  {} -> {} [label=\"{}\", color=\"{color}\", style=\"{style}\"];",
            m.states[t.from].id,
            m.states[t.to].id,
            dot_text(&label)
        );
    }
    s.push_str("}\n");
    s
}

/// A saga's state machine as JSON.
pub fn machine_json(m: &Machine) -> String {
    let v = serde_json::json!({
        "version": 1,
        "kind": "saga",
        "saga": m.saga,
        "states": m.states,
        "transitions": m.transitions.iter().map(|t| serde_json::json!({
            "from": m.states[t.from].id,
            "to": m.states[t.to].id,
            "kind": t.kind,
            "label": t.label,
        })).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

// ---------- SVG ----------

const CHAR_W: f64 = 7.4;
const LINE_H: f64 = 16.0;
const PAD_X: f64 = 10.0;
const PAD_Y: f64 = 6.0;
const MAX_CHARS: usize = 48;

/// One box to draw.
struct DNode {
    lines: Vec<String>,
    class: &'static str,
    title: String,
    marked: bool,
    rounded: bool,
}

struct DEdge {
    from: usize,
    to: usize,
    class: &'static str,
    title: String,
}

struct Drawing {
    title: String,
    nodes: Vec<DNode>,
    edges: Vec<DEdge>,
    /// (class, text, is an edge class)
    legend: Vec<(&'static str, String, bool)>,
}

fn clip(s: &str) -> String {
    if s.chars().count() <= MAX_CHARS {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX_CHARS - 1).collect();
        t.push('…');
        t
    }
}

fn size(lines: &[String]) -> (f64, f64) {
    let chars = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    (
        (chars as f64 * CHAR_W + 2.0 * PAD_X).max(28.0),
        lines.len().max(1) as f64 * LINE_H + 2.0 * PAD_Y,
    )
}

const STYLE: &str = "
svg.hnp-graph { font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 12px; }
.hnp-graph .bg { fill: #ffffff; }
.hnp-graph text { fill: #111827; }
.hnp-graph .box { stroke-width: 1.2; }
.hnp-graph .marked .box { stroke: #dc2626; stroke-width: 3; }
.hnp-graph .edge { fill: none; stroke-width: 1.3; }
.hnp-graph .legend-frame { fill: none; stroke: #94a3b8; }
.hnp-graph .k-command .box { fill: #dbeafe; stroke: #1d4ed8; }
.hnp-graph .k-query .box { fill: #dcfce7; stroke: #15803d; }
.hnp-graph .k-event .box { fill: #fef3c7; stroke: #b45309; }
.hnp-graph .k-request .box { fill: #e0e7ff; stroke: #4338ca; }
.hnp-graph .k-reply .box { fill: #f3e8ff; stroke: #7e22ce; }
.hnp-graph .k-channel .box { fill: #f1f5f9; stroke: #475569; }
.hnp-graph .k-message .box { fill: #ffffff; stroke: #334155; }
.hnp-graph .k-saga .box { fill: #ffe4e6; stroke: #be123c; }
.hnp-graph .k-projection .box { fill: #ccfbf1; stroke: #0f766e; }
.hnp-graph .k-step .box { fill: #dbeafe; stroke: #1d4ed8; }
.hnp-graph .k-wait .box { fill: #f1f5f9; stroke: #475569; }
.hnp-graph .k-start .box, .hnp-graph .k-fork .box, .hnp-graph .k-join .box { fill: #111827; stroke: #111827; }
.hnp-graph .k-choice .box { fill: #fef3c7; stroke: #b45309; }
.hnp-graph .k-compensation .box { fill: #ffedd5; stroke: #c2410c; stroke-dasharray: 4 3; }
.hnp-graph .k-completed .box { fill: #dcfce7; stroke: #15803d; stroke-width: 2; }
.hnp-graph .k-failed .box { fill: #fee2e2; stroke: #b91c1c; stroke-width: 2; }
.hnp-graph .e-emits { stroke: #1d4ed8; }
.hnp-graph .e-consumes { stroke: #15803d; }
.hnp-graph .e-replies { stroke: #7e22ce; stroke-dasharray: 6 3; }
.hnp-graph .e-carries { stroke: #94a3b8; stroke-dasharray: 2 3; }
.hnp-graph .e-step { stroke: #be123c; stroke-width: 2; }
.hnp-graph .e-compensates { stroke: #c2410c; stroke-dasharray: 6 3; }
.hnp-graph .e-serves { stroke: #0f766e; stroke-dasharray: 6 3; }
.hnp-graph .e-forward { stroke: #334155; }
.hnp-graph .e-fail { stroke: #b91c1c; }
.hnp-graph .e-timeout { stroke: #b45309; stroke-dasharray: 6 3; }
.hnp-graph .e-compensate { stroke: #c2410c; stroke-dasharray: 6 3; }
@media (prefers-color-scheme: dark) {
  .hnp-graph .bg { fill: #0f172a; }
  .hnp-graph text { fill: #e5e7eb; }
  .hnp-graph .box { fill-opacity: 0.18; }
  .hnp-graph .k-start .box, .hnp-graph .k-fork .box, .hnp-graph .k-join .box { fill: #e5e7eb; stroke: #e5e7eb; fill-opacity: 1; }
  .hnp-graph .e-forward { stroke: #cbd5e1; }
}
";

fn svg(d: &Drawing) -> String {
    let sizes: Vec<(f64, f64)> = d
        .nodes
        .iter()
        .map(|n| match n.class {
            "k-start" => (14.0, 14.0),
            "k-fork" | "k-join" => (8.0, 40.0),
            "k-choice" => (22.0, 22.0),
            _ => size(&n.lines),
        })
        .collect();
    let edges: Vec<(usize, usize)> = d.edges.iter().map(|e| (e.from, e.to)).collect();
    let l = layout::layout(&sizes, &edges);
    // Legend above the graph: one row of swatches, wrapped to the graph's width.
    let margin = 16.0;
    let legend_w_max = l.width.max(480.0);
    let mut legend_items = Vec::new();
    let (mut lx, mut ly) = (0.0, 0.0);
    for (class, text, is_edge) in &d.legend {
        let w = 34.0 + text.chars().count() as f64 * CHAR_W + 18.0;
        if lx + w > legend_w_max && lx > 0.0 {
            lx = 0.0;
            ly += 22.0;
        }
        legend_items.push((lx, ly, *class, text.clone(), *is_edge));
        lx += w;
    }
    let legend_h = if d.legend.is_empty() {
        0.0
    } else {
        ly + 22.0 + 28.0
    };
    let title_h = 24.0;
    let top = margin + title_h + legend_h;
    let width = (l.width.max(legend_w_max) + 2.0 * margin).ceil();
    let height = (top + l.height + margin).ceil();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"hnp-graph\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-labelledby=\"graph-title\">"
    );
    let _ = writeln!(
        s,
        "<title id=\"graph-title\">{}</title>",
        xml_text(&d.title)
    );
    let _ = writeln!(s, "<style>{STYLE}</style>");
    s.push_str("<defs>");
    for (c, fill) in [
        ("emits", "#1d4ed8"),
        ("consumes", "#15803d"),
        ("replies", "#7e22ce"),
        ("carries", "#94a3b8"),
        ("step", "#be123c"),
        ("compensates", "#c2410c"),
        ("serves", "#0f766e"),
        ("forward", "#64748b"),
        ("fail", "#b91c1c"),
        ("timeout", "#b45309"),
        ("compensate", "#c2410c"),
    ] {
        let _ = write!(
            s,
            "<marker id=\"arrow-{c}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{fill}\"/></marker>"
        );
    }
    s.push_str("</defs>\n");
    let _ = writeln!(
        s,
        "<rect class=\"bg\" x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\"/>"
    );
    let _ = writeln!(
        s,
        "<text x=\"{margin}\" y=\"{}\" font-weight=\"bold\">{}</text>",
        margin + 12.0,
        xml_text(&d.title)
    );
    if !d.legend.is_empty() {
        let ox = margin;
        let oy = margin + title_h;
        let _ = writeln!(
            s,
            "<g class=\"legend\"><rect class=\"legend-frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\"/>",
            ox - 6.0,
            oy - 6.0,
            legend_w_max + 12.0,
            ly + 22.0 + 6.0
        );
        for (x, y, class, text, is_edge) in &legend_items {
            let (x, y) = (ox + x, oy + y);
            if *is_edge {
                let _ = write!(
                    s,
                    "<path class=\"edge {class}\" d=\"M{x},{} L{},{}\"/>",
                    y + 8.0,
                    x + 28.0,
                    y + 8.0
                );
            } else {
                let _ = write!(
                    s,
                    "<g class=\"{class}\"><rect class=\"box\" x=\"{x}\" y=\"{y}\" width=\"28\" height=\"16\" rx=\"3\"/></g>"
                );
            }
            let _ = writeln!(
                s,
                "<text x=\"{}\" y=\"{}\">{}</text>",
                x + 34.0,
                y + 12.0,
                xml_text(text)
            );
        }
        s.push_str("</g>\n");
    }
    let _ = writeln!(s, "<g transform=\"translate({margin},{top})\">");
    // Edges under the boxes.
    for (e, pts) in d.edges.iter().zip(&l.paths) {
        if pts.len() < 2 {
            continue;
        }
        let mut path = format!("M{:.1},{:.1}", pts[0].0, pts[0].1);
        for w in pts.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            if (y0 - y1).abs() < 0.01 || (x1 - x0).abs() < 0.01 {
                let _ = write!(path, " L{x1:.1},{y1:.1}");
            } else {
                let mx = (x0 + x1) / 2.0;
                let _ = write!(path, " C{mx:.1},{y0:.1} {mx:.1},{y1:.1} {x1:.1},{y1:.1}");
            }
        }
        let marker = e.class.trim_start_matches("e-");
        let _ = writeln!(
            s,
            "<path class=\"edge {}\" d=\"{path}\" marker-end=\"url(#arrow-{marker})\"><title>{}</title></path>",
            e.class,
            xml_text(&e.title)
        );
    }
    for (i, n) in d.nodes.iter().enumerate() {
        let Rect { x, y, w, h } = l.boxes[i];
        let marked = if n.marked { " marked" } else { "" };
        let rx = if n.rounded { 8.0 } else { 2.0 };
        let _ = write!(
            s,
            "<g class=\"node {}{marked}\"><title>{}</title><rect class=\"box\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"{rx}\"/>",
            n.class,
            xml_text(&n.title)
        );
        for (k, line) in n.lines.iter().enumerate() {
            let weight = if k == 0 { " font-weight=\"bold\"" } else { "" };
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\"{weight}>{}</text>",
                x + w / 2.0,
                y + PAD_Y + LINE_H * (k as f64) + 12.0,
                xml_text(line)
            );
        }
        s.push_str("</g>\n");
    }
    s.push_str("</g>\n</svg>\n");
    s
}

fn node_class(k: NodeKind) -> &'static str {
    match k {
        NodeKind::Command => "k-command",
        NodeKind::Query => "k-query",
        NodeKind::Event => "k-event",
        NodeKind::Request => "k-request",
        NodeKind::Reply => "k-reply",
        NodeKind::Channel => "k-channel",
        NodeKind::Message => "k-message",
        NodeKind::Saga => "k-saga",
        NodeKind::Projection => "k-projection",
    }
}

fn edge_class(k: EdgeKind) -> &'static str {
    match k {
        EdgeKind::Emits => "e-emits",
        EdgeKind::Consumes => "e-consumes",
        EdgeKind::Replies => "e-replies",
        EdgeKind::Carries => "e-carries",
        EdgeKind::Step => "e-step",
        EdgeKind::Compensates => "e-compensates",
        EdgeKind::Serves => "e-serves",
    }
}

/// The flow graph as a self-contained SVG (inline style, legend, light and dark).
pub fn flow_svg(g: &Graph, title: &str) -> String {
    let nodes = g
        .nodes
        .iter()
        .map(|n| {
            let mut title = format!("{} {}", n.kind.as_str(), n.name);
            if let Some(d) = &n.detail {
                title.push_str(&format!("\n{d}"));
            }
            if let Some(l) = &n.location {
                title.push_str(&format!("\n{l}"));
            }
            for f in &n.findings {
                title.push_str(&format!("\n⚠ {f}"));
            }
            DNode {
                lines: node_lines(n).iter().map(|l| clip(l)).collect(),
                class: node_class(n.kind),
                title,
                marked: !n.findings.is_empty(),
                rounded: matches!(n.kind, NodeKind::Query | NodeKind::Message),
            }
        })
        .collect();
    let edges = g
        .edges
        .iter()
        .map(|e| DEdge {
            from: e.from,
            to: e.to,
            class: edge_class(e.kind),
            title: format!(
                "{} {} {}{}",
                g.nodes[e.from].name,
                e.kind.as_str(),
                g.nodes[e.to].name,
                e.label
                    .as_ref()
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default()
            ),
        })
        .collect();
    let kinds: BTreeSet<NodeKind> = g.nodes.iter().map(|n| n.kind).collect();
    let ekinds: BTreeSet<EdgeKind> = g.edges.iter().map(|e| e.kind).collect();
    let mut legend: Vec<(&'static str, String, bool)> = kinds
        .iter()
        .map(|k| (node_class(*k), k.as_str().to_string(), false))
        .collect();
    legend.extend(
        ekinds
            .iter()
            .map(|k| (edge_class(*k), k.as_str().to_string(), true)),
    );
    if g.nodes.iter().any(|n| !n.findings.is_empty()) {
        legend.push(("marked", "gate misses".to_string(), false));
    }
    svg(&Drawing {
        title: title.to_string(),
        nodes,
        edges,
        legend,
    })
}

fn state_class(k: StateKind) -> &'static str {
    match k {
        StateKind::Start => "k-start",
        StateKind::Step => "k-step",
        StateKind::Wait => "k-wait",
        StateKind::Fork => "k-fork",
        StateKind::Join => "k-join",
        StateKind::Choice => "k-choice",
        StateKind::Compensation => "k-compensation",
        StateKind::Completed => "k-completed",
        StateKind::Failed => "k-failed",
    }
}

fn transition_class(k: TransitionKind) -> &'static str {
    match k {
        TransitionKind::Forward => "e-forward",
        TransitionKind::Fail => "e-fail",
        TransitionKind::Timeout => "e-timeout",
        TransitionKind::Compensate => "e-compensate",
    }
}

/// A saga's state machine as a self-contained SVG.
pub fn machine_svg(m: &Machine) -> String {
    let nodes = m
        .states
        .iter()
        .map(|st| {
            let mut lines = Vec::new();
            if !matches!(
                st.kind,
                StateKind::Start | StateKind::Fork | StateKind::Join | StateKind::Choice
            ) {
                lines.push(clip(&match st.kind {
                    StateKind::Compensation => format!("undo {}", st.name),
                    _ => st.name.clone(),
                }));
                lines.extend(st.lines.iter().map(|l| clip(l)));
            }
            let mut title = format!("{} {}", st.kind.as_str(), st.name);
            for l in &st.lines {
                title.push_str(&format!("\n{l}"));
            }
            DNode {
                lines,
                class: state_class(st.kind),
                title,
                marked: false,
                rounded: true,
            }
        })
        .collect();
    let edges = m
        .transitions
        .iter()
        .map(|t| DEdge {
            from: t.from,
            to: t.to,
            class: transition_class(t.kind),
            title: format!(
                "{} → {}: {}",
                m.states[t.from].name, m.states[t.to].name, t.label
            ),
        })
        .collect();
    let mut legend: Vec<(&'static str, String, bool)> = Vec::new();
    let kinds: Vec<StateKind> = m.states.iter().map(|s| s.kind).collect();
    for k in [
        StateKind::Step,
        StateKind::Wait,
        StateKind::Choice,
        StateKind::Fork,
        StateKind::Compensation,
        StateKind::Completed,
        StateKind::Failed,
    ] {
        if kinds.contains(&k) {
            let text = match k {
                StateKind::Fork => "fork / join (parallel)".to_string(),
                StateKind::Choice => "branch".to_string(),
                _ => k.as_str().to_string(),
            };
            legend.push((state_class(k), text, false));
        }
    }
    for k in [
        TransitionKind::Forward,
        TransitionKind::Fail,
        TransitionKind::Timeout,
        TransitionKind::Compensate,
    ] {
        if m.transitions.iter().any(|t| t.kind == k) {
            let text = match k {
                TransitionKind::Forward => "completes",
                TransitionKind::Fail => "fails",
                TransitionKind::Timeout => "timeout",
                TransitionKind::Compensate => "compensated",
            };
            legend.push((transition_class(k), text.to_string(), true));
        }
    }
    svg(&Drawing {
        title: format!("saga {}", m.saga),
        nodes,
        edges,
        legend,
    })
}
