//! `hnp-events graph`: the HNP flow and saga state machines as Mermaid and DOT
//! (snapshots), DOT accepted by Graphviz, SVG well-formed with no overlapping boxes,
//! focus, and findings laid over the nodes that `validate` reports.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::util::{code, run, stderr, stdout};

/// The per-item rules of the eight gates.
const GATE_RULES: &[&str] = &[
    "gate-event-flow-coverage",
    "gate-cqrs-compliance",
    "gate-schema-consistency",
    "gate-saga-completeness",
    "gate-error-handling-coverage",
    "gate-delivery-declared",
    "gate-ordering-declared",
    "gate-idempotency-declared",
];

const SAGAS: &[&str] = &["crd-apply", "drift-reconcile", "gitops-sync"];

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn hnp_flow_mermaid_and_dot() {
    insta::assert_snapshot!("graph_hnp_mermaid", ok(&["graph"]));
    insta::assert_snapshot!("graph_hnp_dot", ok(&["graph", "--format", "dot"]));
}

#[test]
fn hnp_saga_state_machines() {
    for s in SAGAS {
        let path = format!("fixtures/hnp/sagas/{s}.saga.yaml");
        insta::assert_snapshot!(format!("graph_saga_{s}_mermaid"), ok(&["graph", &path]));
        insta::assert_snapshot!(
            format!("graph_saga_{s}_dot"),
            ok(&["graph", &path, "--format", "dot"])
        );
    }
}

/// Graphviz's `dot`, or `None` with a note (a failure when `CI` is set).
fn graphviz() -> Option<&'static str> {
    let found = Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some("dot");
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but Graphviz `dot` is missing (apt-get install graphviz)"
    );
    println!("note: Graphviz `dot` not found; the DOT output is not checked by Graphviz");
    None
}

fn dot_to_svg(dot: &str, input: &str) -> String {
    let mut child = Command::new(dot)
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dot runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write to dot");
    let out = child.wait_with_output().expect("dot finishes");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "dot rejected the graph: {err}");
    // Graphviz reports syntax problems as warnings and still draws something.
    assert!(
        !err.contains("syntax error") && !err.contains("Warning"),
        "dot warned: {err}"
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn dot_output_is_accepted_by_graphviz() {
    let Some(dot) = graphviz() else {
        return;
    };
    let flow = ok(&["graph", "--format", "dot", "--with-findings"]);
    let svg = dot_to_svg(dot, &flow);
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(&svg, opts).expect("Graphviz's SVG parses");
    // Every node of the JSON graph is drawn.
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["graph", "--format", "json"])).expect("JSON");
    let nodes = json["nodes"].as_array().expect("nodes").len();
    assert_eq!(
        svg.matches("class=\"node\"").count(),
        nodes + legend_nodes(&flow)
    );
    for s in SAGAS {
        let path = format!("fixtures/hnp/sagas/{s}.saga.yaml");
        dot_to_svg(dot, &ok(&["graph", &path, "--format", "dot"]));
    }
}

fn legend_nodes(dot: &str) -> usize {
    dot.lines()
        .filter(|l| l.trim_start().starts_with("legend_"))
        .count()
}

/// The boxes of the nodes an SVG of ours draws: `(x, y, w, h)`.
fn boxes(svg: &str) -> Vec<(f64, f64, f64, f64)> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let num = |n: &roxmltree::Node, a: &str| -> f64 {
        n.attribute(a)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("rect without a numeric {a}"))
    };
    doc.descendants()
        .filter(|n| {
            n.has_tag_name("g")
                && n.attribute("class")
                    .is_some_and(|c| c.split(' ').any(|w| w == "node"))
        })
        .map(|g| {
            let r = g
                .children()
                .find(|c| c.has_tag_name("rect"))
                .expect("a node has a box");
            (
                num(&r, "x"),
                num(&r, "y"),
                num(&r, "width"),
                num(&r, "height"),
            )
        })
        .collect()
}

fn assert_no_overlap(b: &[(f64, f64, f64, f64)]) {
    let mut sorted: Vec<usize> = (0..b.len()).collect();
    sorted.sort_by(|&i, &j| b[i].0.total_cmp(&b[j].0));
    for (k, &i) in sorted.iter().enumerate() {
        for &j in &sorted[k + 1..] {
            if b[j].0 >= b[i].0 + b[i].2 {
                break;
            }
            let (a, c) = (b[i], b[j]);
            let overlap = a.0 < c.0 + c.2 && c.0 < a.0 + a.2 && a.1 < c.1 + c.3 && c.1 < a.1 + a.3;
            assert!(!overlap, "boxes {a:?} and {c:?} overlap");
        }
    }
}

#[test]
fn svg_is_well_formed_with_a_legend_and_no_overlapping_boxes() {
    let svg = ok(&["graph", "--format", "svg"]);
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["graph", "--format", "json"])).expect("JSON");
    let b = boxes(&svg);
    assert_eq!(b.len(), json["nodes"].as_array().expect("nodes").len());
    assert_no_overlap(&b);
    assert!(svg.contains("class=\"legend\""), "a legend");
    for k in ["command", "query", "event", "channel", "message", "saga"] {
        assert!(svg.contains(&format!(">{k}</text>")), "legend lists {k}");
    }
    assert!(svg.contains("prefers-color-scheme: dark"));
    assert!(!svg.contains("href"), "no external resources");
    for s in SAGAS {
        let path = format!("fixtures/hnp/sagas/{s}.saga.yaml");
        let svg = ok(&["graph", &path, "--format", "svg"]);
        assert_no_overlap(&boxes(&svg));
        assert!(svg.contains(">compensation</text>"), "{s}: legend");
    }
}

/// The edges an SVG of ours draws (not the legend's): each path's points, its cubic
/// curves sampled.
fn edge_points(svg: &str) -> Vec<Vec<(f64, f64)>> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    let mut out = Vec::new();
    for n in doc.descendants().filter(|n| {
        n.has_tag_name("path")
            && n.attribute("marker-end").is_some()
            && n.attribute("class")
                .is_some_and(|c| c.split(' ').any(|w| w == "edge"))
    }) {
        let d = n.attribute("d").expect("a path has d");
        let mut pts: Vec<(f64, f64)> = Vec::new();
        let mut toks = d.split([' ', ',']).filter(|t| !t.is_empty());
        let num = |t: &str| -> f64 { t.parse().unwrap_or_else(|_| panic!("number in {d}")) };
        let mut cmd = ' ';
        let mut pending: Vec<f64> = Vec::new();
        while let Some(t) = toks.next() {
            let t = match t.chars().next() {
                Some(c @ ('M' | 'L' | 'C')) => {
                    cmd = c;
                    &t[1..]
                }
                _ => t,
            };
            let y = toks.next().map(num).expect("a y");
            pending.push(num(t));
            pending.push(y);
            match cmd {
                'M' | 'L' => {
                    pts.push((pending[0], pending[1]));
                    pending.clear();
                }
                'C' if pending.len() == 6 => {
                    let p0 = *pts.last().expect("a start");
                    let (c1, c2, p3) = (
                        (pending[0], pending[1]),
                        (pending[2], pending[3]),
                        (pending[4], pending[5]),
                    );
                    for k in 1..=16 {
                        let t = f64::from(k) / 16.0;
                        let u = 1.0 - t;
                        let f = |a: f64, b: f64, c: f64, e: f64| {
                            u * u * u * a
                                + 3.0 * u * u * t * b
                                + 3.0 * u * t * t * c
                                + t * t * t * e
                        };
                        pts.push((f(p0.0, c1.0, c2.0, p3.0), f(p0.1, c1.1, c2.1, p3.1)));
                    }
                    pending.clear();
                }
                'C' => {}
                other => panic!("unexpected path command {other} in {d}"),
            }
        }
        out.push(pts);
    }
    out
}

/// Edges are routed around the boxes: no edge passes through the inside of a box
/// (straight segments checked along their length, curves at 16 points each).
fn assert_edges_avoid_boxes(svg: &str) {
    let b = boxes(svg);
    let edges = edge_points(svg);
    assert!(!edges.is_empty(), "edges drawn");
    let inside = |(x, y): (f64, f64)| {
        b.iter()
            .find(|r| x > r.0 + 1.0 && x < r.0 + r.2 - 1.0 && y > r.1 + 1.0 && y < r.1 + r.3 - 1.0)
    };
    for pts in &edges {
        for w in pts.windows(2) {
            for k in 0..=8 {
                let t = f64::from(k) / 8.0;
                let p = (
                    w[0].0 + (w[1].0 - w[0].0) * t,
                    w[0].1 + (w[1].1 - w[0].1) * t,
                );
                if let Some(r) = inside(p) {
                    panic!("an edge through {pts:?} crosses the box {r:?} at {p:?}");
                }
            }
        }
    }
}

#[test]
fn edges_are_routed_around_boxes() {
    // The check itself: a straight edge and a curve through a box are caught.
    for d in ["M0,50 L300,50", "M0,0 C150,0 150,100 300,100"] {
        let bad = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><g class=\"node a\"><rect x=\"100\" y=\"30\" width=\"80\" height=\"40\"/></g><path class=\"edge e-emits\" d=\"{d}\" marker-end=\"url(#arrow-emits)\"/></svg>"
        );
        assert!(
            std::panic::catch_unwind(|| assert_edges_avoid_boxes(&bad)).is_err(),
            "{d}"
        );
    }
    assert_edges_avoid_boxes(&ok(&["graph", "--format", "svg"]));
    assert_edges_avoid_boxes(&ok(&["graph", "--format", "svg", "--with-findings"]));
    for s in SAGAS {
        let path = format!("fixtures/hnp/sagas/{s}.saga.yaml");
        assert_edges_avoid_boxes(&ok(&["graph", &path, "--format", "svg"]));
    }
}

#[test]
fn focus_keeps_the_neighbourhood() {
    let json: serde_json::Value = serde_json::from_str(&ok(&[
        "graph",
        "--format",
        "json",
        "--focus",
        "SyncStarted",
        "--depth",
        "1",
    ]))
    .expect("JSON");
    let ids: Vec<&str> = json["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| n["id"].as_str())
        .collect();
    assert!(ids.contains(&"msg:SyncStarted"));
    // gitops-sync starts on SyncStarted.
    assert!(ids.contains(&"saga:gitops-sync"), "{ids:?}");
    // Every edge touches the centre at depth 1.
    for e in json["edges"].as_array().expect("edges") {
        let ends = [e["from"].as_str(), e["to"].as_str()];
        assert!(
            ends.iter().all(|x| x.is_some_and(|x| ids.contains(&x))),
            "{e}"
        );
    }
    let all: serde_json::Value =
        serde_json::from_str(&ok(&["graph", "--format", "json"])).expect("JSON");
    assert!(ids.len() < all["nodes"].as_array().expect("nodes").len());
    let out = run(&["graph", "--focus", "SyncStartd"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("did you mean `SyncStarted`"),
        "{}",
        stderr(&out)
    );
}

/// The gate misses `validate` reports are the ones `graph --with-findings` marks.
#[test]
fn findings_overlay_matches_validate() {
    let mut checked = 0;
    for entry in std::fs::read_dir(crate::util::repo().join("fixtures/gates")).expect("fixtures") {
        let p = entry.expect("entry").path();
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        if !name.ends_with(".yaml") || name.contains(".saga.") {
            continue;
        }
        let rel = format!("fixtures/gates/{name}");
        let out = run(&["validate", "--no-config", &rel, "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON report");
        let mut expected: Vec<String> = v["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|d| {
                let r = d["rule"].as_str().unwrap_or("");
                GATE_RULES.contains(&r)
            })
            .map(|d| {
                format!(
                    "{}: {}",
                    d["rule"].as_str().unwrap_or(""),
                    d["message"].as_str().unwrap_or("")
                )
            })
            .collect();
        let g: serde_json::Value =
            serde_json::from_str(&ok(&["graph", &rel, "--with-findings", "--format", "json"]))
                .expect("JSON graph");
        let mut marked: Vec<String> = g["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .flat_map(|n| n["findings"].as_array().cloned().unwrap_or_default())
            .filter_map(|f| f.as_str().map(str::to_string))
            .collect();
        expected.sort();
        marked.sort();
        assert_eq!(marked, expected, "{rel}");
        checked += expected.len();
    }
    assert!(
        checked > 10,
        "the gate fixtures have misses to mark ({checked})"
    );
    // HNP meets every gate: nothing is marked.
    let hnp = ok(&["graph", "--with-findings", "--format", "json"]);
    assert!(!hnp.contains("\"findings\""));
}

/// Projections in the flow (`graph fixtures/hnp`): oracle, the projection files read as
/// data. Each is a node; each event it folds (`on:`) a `consumes` edge into it; each
/// query it `serves` a `serves` edge to that operation; and no other edge touches it.
#[test]
fn projections_join_the_flow_as_their_files_declare() {
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["graph", "fixtures/hnp", "--format", "json"])).expect("JSON");
    let edges: std::collections::BTreeSet<(String, String, String)> = json["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (s("from"), s("to"), s("kind"))
        })
        .collect();
    let dir = crate::util::repo().join("fixtures/hnp/projections");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("projections") {
        let path = entry.expect("entry").path();
        if !path.to_string_lossy().ends_with(".projection.yaml") {
            continue;
        }
        let text = std::fs::read(&path).expect("read");
        let mut diags = Vec::new();
        let v = hnp_events::source::parse_file(
            &path,
            text,
            std::sync::Arc::from(path.to_string_lossy().as_ref()),
            &mut diags,
        )
        .value
        .expect("YAML");
        let name = v["projection"].as_str().expect("a name");
        let id = format!("proj:{name}");
        assert!(
            json["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .any(|n| n["id"] == id.as_str() && n["kind"] == "projection"),
            "{id}"
        );
        let mut want = std::collections::BTreeSet::new();
        for event in v["on"].as_object().expect("reducers").keys() {
            want.insert((format!("msg:{event}"), id.clone(), "consumes".to_string()));
        }
        for q in v["serves"].as_array().into_iter().flatten() {
            let q = q.as_str().expect("an operation id");
            want.insert((id.clone(), format!("op:{q}"), "serves".to_string()));
        }
        let got: std::collections::BTreeSet<_> = edges
            .iter()
            .filter(|(f, t, _)| *f == id || *t == id)
            .cloned()
            .collect();
        assert_eq!(got, want, "{}", path.display());
        seen += 1;
    }
    assert_eq!(seen, 7, "the HNP projections");
}

/// A saga with a parallel group and a branch (`fixtures/codegen/sagas/adoption`): fork
/// and join around the group, a choice with a transition per case, compensations in
/// reverse — as Mermaid and DOT (snapshots; DOT accepted by Graphviz) and as SVG (no
/// overlapping boxes, no edge through a box).
#[test]
fn parallel_and_branch_saga_state_machine() {
    let path = "fixtures/codegen/sagas/adoption.saga.yaml";
    let mermaid = ok(&["graph", path]);
    assert!(mermaid.contains("<<fork>>") && mermaid.contains("<<join>>"));
    assert!(mermaid.contains("<<choice>>"));
    insta::assert_snapshot!("graph_saga_adoption_mermaid", mermaid);
    let dot = ok(&["graph", path, "--format", "dot"]);
    insta::assert_snapshot!("graph_saga_adoption_dot", dot);
    if let Some(exe) = graphviz() {
        dot_to_svg(exe, &dot);
    }
    let svg = ok(&["graph", path, "--format", "svg"]);
    assert_no_overlap(&boxes(&svg));
    assert_edges_avoid_boxes(&svg);
    // After the group, a failure undoes both of its steps in one chain (the group's
    // last step first), then fails: not two alternative undo paths.
    assert!(
        mermaid.contains("s_book_visit --> undo_charge_fee : timeout"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("undo_charge_fee --> undo_reserve_pet : FeeRefunded"),
        "{mermaid}"
    );
    assert!(
        !mermaid.contains("s_book_visit --> undo_reserve_pet"),
        "{mermaid}"
    );
}

/// Every saga's state machine draws each transition once (a parallel group's exits
/// once drew the step after the join twice, one per compensation path), in Mermaid and
/// in the JSON. (After a branch a failure may lead to one undo per path — the README's
/// "one transition per path" — so targets are not unique per event.)
#[test]
fn saga_state_machines_draw_each_transition_once() {
    let mut sagas = Vec::new();
    for dir in ["fixtures/hnp/sagas", "fixtures/codegen/sagas"] {
        for e in std::fs::read_dir(crate::util::repo().join(dir)).expect("sagas") {
            let p = e.expect("entry").path();
            if p.to_string_lossy().ends_with(".saga.yaml") {
                sagas.push(p);
            }
        }
    }
    sagas.sort();
    assert!(sagas.len() >= 6, "{sagas:?}");
    for p in &sagas {
        let path = p.to_str().expect("utf-8");
        let json: serde_json::Value =
            serde_json::from_str(&ok(&["graph", path, "--format", "json"])).expect("JSON");
        let mut seen = std::collections::BTreeSet::new();
        for t in json["transitions"].as_array().expect("transitions") {
            assert!(seen.insert(t.to_string()), "{path}: {t} twice");
        }
        let mermaid = ok(&["graph", path]);
        let mut lines: Vec<&str> = mermaid.lines().filter(|l| l.contains("-->")).collect();
        let n = lines.len();
        lines.sort_unstable();
        lines.dedup();
        assert_eq!(lines.len(), n, "{path}: a transition drawn twice");
    }
}
