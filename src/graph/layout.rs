//! A layered (Sugiyama-style) layout, left to right, over `petgraph`: cycles broken by
//! reversing a greedy feedback arc set, ranks by longest path, a dummy node on every
//! rank a long edge crosses (so that edges pass between boxes, never through them),
//! crossings reduced by barycentre sweeps (the best order seen is kept), then
//! coordinates: ranks are columns as wide as their widest box, boxes are stacked in
//! order with a minimum gap and pulled towards their neighbours without ever
//! overlapping. Every step is O((V + E) log(V + E)) per sweep except the crossing
//! count, which is O(E²) per pair of ranks in the worst case and bounded by the
//! number of sweeps.

use petgraph::graph::{DiGraph, NodeIndex};

/// Horizontal gap between ranks (room for edge curves).
pub const RANK_GAP: f64 = 72.0;
/// Vertical gap between boxes of one rank.
pub const NODE_GAP: f64 = 14.0;
/// Height a long edge's slot takes in a rank.
const DUMMY_H: f64 = 6.0;
const SWEEPS: usize = 12;

/// A box's position (top-left) and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }
}

/// The laid-out graph: a box per node and a polyline per edge (source side first,
/// ending at the target's box).
#[derive(Debug, Clone)]
pub struct Layout {
    pub boxes: Vec<Rect>,
    pub paths: Vec<Vec<(f64, f64)>>,
    pub width: f64,
    pub height: f64,
}

struct Item {
    /// `Some(node)`: a real node; `None`: a dummy of a long edge.
    node: Option<usize>,
    rank: usize,
    w: f64,
    h: f64,
    y: f64,
}

/// Lay out `sizes.len()` nodes of the given sizes with the given edges.
pub fn layout(sizes: &[(f64, f64)], edges: &[(usize, usize)]) -> Layout {
    let n = sizes.len();
    let mut g: DiGraph<(), usize> = DiGraph::with_capacity(n, edges.len());
    for _ in 0..n {
        g.add_node(());
    }
    for (i, &(a, b)) in edges.iter().enumerate() {
        if a != b && a < n && b < n {
            g.add_edge(NodeIndex::new(a), NodeIndex::new(b), i);
        }
    }
    // Break cycles: the edges of a greedy feedback arc set point backwards.
    let mut reversed = vec![false; edges.len()];
    for e in petgraph::algo::greedy_feedback_arc_set(&g) {
        reversed[*e.weight()] = true;
    }
    let mut dag: DiGraph<(), ()> = DiGraph::with_capacity(n, edges.len());
    for _ in 0..n {
        dag.add_node(());
    }
    let oriented: Vec<Option<(usize, usize)>> = edges
        .iter()
        .enumerate()
        .map(|(i, &(a, b))| {
            if a == b || a >= n || b >= n {
                None
            } else if reversed[i] {
                Some((b, a))
            } else {
                Some((a, b))
            }
        })
        .collect();
    for &(a, b) in oriented.iter().flatten() {
        dag.add_edge(NodeIndex::new(a), NodeIndex::new(b), ());
    }
    // Ranks by longest path from the sources.
    let mut rank = vec![0usize; n];
    let order = petgraph::algo::toposort(&dag, None).unwrap_or_default();
    for v in order {
        for s in dag.neighbors(v) {
            rank[s.index()] = rank[s.index()].max(rank[v.index()] + 1);
        }
    }
    // Items (nodes and dummies) and the chain of items each edge passes.
    let mut items: Vec<Item> = (0..n)
        .map(|i| Item {
            node: Some(i),
            rank: rank[i],
            w: sizes[i].0,
            h: sizes[i].1,
            y: 0.0,
        })
        .collect();
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(edges.len());
    for o in &oriented {
        let Some((a, b)) = *o else {
            chains.push(Vec::new());
            continue;
        };
        let mut chain = vec![a];
        for r in rank[a] + 1..rank[b] {
            items.push(Item {
                node: None,
                rank: r,
                w: 0.0,
                h: DUMMY_H,
                y: 0.0,
            });
            chain.push(items.len() - 1);
        }
        chain.push(b);
        chains.push(chain);
    }
    let ranks = items.iter().map(|i| i.rank + 1).max().unwrap_or(0);
    // Adjacency between consecutive ranks.
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    for c in &chains {
        for w in c.windows(2) {
            down[w[0]].push(w[1]);
            up[w[1]].push(w[0]);
        }
    }
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); ranks];
    for (i, it) in items.iter().enumerate() {
        layers[it.rank].push(i);
    }
    // Crossing reduction.
    let mut pos = vec![0usize; items.len()];
    let set_pos = |layers: &Vec<Vec<usize>>, pos: &mut Vec<usize>| {
        for l in layers {
            for (p, &i) in l.iter().enumerate() {
                pos[i] = p;
            }
        }
    };
    set_pos(&layers, &mut pos);
    let mut best = layers.clone();
    let mut best_cross = crossings(&layers, &down, &pos);
    for sweep in 0..SWEEPS {
        if best_cross == 0 {
            break;
        }
        let downward = sweep % 2 == 0;
        let range: Vec<usize> = if downward {
            (1..ranks).collect()
        } else {
            (0..ranks.saturating_sub(1)).rev().collect()
        };
        for r in range {
            let nbrs = if downward { &up } else { &down };
            let mut keyed: Vec<(f64, usize, usize)> = layers[r]
                .iter()
                .enumerate()
                .map(|(p, &i)| {
                    let ns = &nbrs[i];
                    let key = if ns.is_empty() {
                        p as f64
                    } else {
                        ns.iter().map(|&m| pos[m] as f64).sum::<f64>() / ns.len() as f64
                    };
                    (key, p, i)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            layers[r] = keyed.into_iter().map(|(_, _, i)| i).collect();
            for (p, &i) in layers[r].iter().enumerate() {
                pos[i] = p;
            }
        }
        let c = crossings(&layers, &down, &pos);
        if c < best_cross {
            best_cross = c;
            best = layers.clone();
        }
    }
    let layers = best;
    set_pos(&layers, &mut pos);
    // Columns.
    let col_w: Vec<f64> = layers
        .iter()
        .map(|l| l.iter().map(|&i| items[i].w).fold(0.0, f64::max))
        .collect();
    let mut col_x = Vec::with_capacity(ranks);
    let mut x = 0.0;
    for w in &col_w {
        col_x.push(x);
        x += w + RANK_GAP;
    }
    let width = (x - RANK_GAP).max(0.0);
    // Initial stacking, then pulls towards neighbours (centres), each followed by a
    // push that restores the order and the gaps.
    for l in &layers {
        let mut y = 0.0;
        for &i in l {
            items[i].y = y;
            y += items[i].h + NODE_GAP;
        }
    }
    for pass in 0..4 {
        let downward = pass % 2 == 0;
        let range: Vec<usize> = if downward {
            (1..ranks).collect()
        } else {
            (0..ranks.saturating_sub(1)).rev().collect()
        };
        for r in range {
            let nbrs = if downward { &up } else { &down };
            let wanted: Vec<f64> = layers[r]
                .iter()
                .map(|&i| {
                    let ns = &nbrs[i];
                    if ns.is_empty() {
                        items[i].y
                    } else {
                        let c = ns
                            .iter()
                            .map(|&m| items[m].y + items[m].h / 2.0)
                            .sum::<f64>()
                            / ns.len() as f64;
                        c - items[i].h / 2.0
                    }
                })
                .collect();
            let mut floor = f64::NEG_INFINITY;
            for (k, &i) in layers[r].iter().enumerate() {
                let y = wanted[k].max(floor);
                items[i].y = y;
                floor = y + items[i].h + NODE_GAP;
            }
        }
    }
    let min_y = items.iter().map(|i| i.y).fold(f64::INFINITY, f64::min);
    let min_y = if min_y.is_finite() { min_y } else { 0.0 };
    let mut height: f64 = 0.0;
    for it in &mut items {
        it.y -= min_y;
        height = height.max(it.y + it.h);
    }
    let mut boxes = vec![
        Rect {
            x: 0.0,
            y: 0.0,
            w: 0.0,
            h: 0.0
        };
        n
    ];
    for it in &items {
        if let Some(v) = it.node {
            // Centred in its column.
            let x = col_x[it.rank] + (col_w[it.rank] - it.w) / 2.0;
            boxes[v] = Rect {
                x,
                y: it.y,
                w: it.w,
                h: it.h,
            };
        }
    }
    let centre_y = |i: usize| items[i].y + items[i].h / 2.0;
    let mut paths = Vec::with_capacity(edges.len());
    for (ei, c) in chains.iter().enumerate() {
        if c.len() < 2 {
            paths.push(Vec::new());
            continue;
        }
        let mut pts = Vec::new();
        for (k, &i) in c.iter().enumerate() {
            let r = items[i].rank;
            let y = centre_y(i);
            match items[i].node {
                Some(v) => {
                    let b = boxes[v];
                    if k == 0 {
                        pts.push((b.x + b.w, y));
                        // Leave the column on the node's own row.
                        pts.push((col_x[r] + col_w[r], y));
                    } else {
                        pts.push((col_x[r], y));
                        pts.push((b.x, y));
                    }
                }
                None => {
                    pts.push((col_x[r], y));
                    pts.push((col_x[r] + col_w[r], y));
                }
            }
        }
        if reversed[ei] {
            pts.reverse();
        }
        paths.push(pts);
    }
    Layout {
        boxes,
        paths,
        width,
        height,
    }
}

/// Edge crossings between consecutive ranks.
fn crossings(layers: &[Vec<usize>], down: &[Vec<usize>], pos: &[usize]) -> usize {
    let mut total = 0;
    for l in layers {
        let mut segs: Vec<(usize, usize)> = Vec::new();
        for &i in l {
            for &j in &down[i] {
                segs.push((pos[i], pos[j]));
            }
        }
        segs.sort_unstable();
        // Count inversions of the targets (O(E log E) by merge sort).
        let mut targets: Vec<usize> = segs.iter().map(|s| s.1).collect();
        total += inversions(&mut targets);
    }
    total
}

fn inversions(v: &mut [usize]) -> usize {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let mut count = inversions(&mut v[..mid]) + inversions(&mut v[mid..]);
    let mut merged = Vec::with_capacity(n);
    let (mut i, mut j) = (0, mid);
    while i < mid && j < n {
        if v[i] <= v[j] {
            merged.push(v[i]);
            i += 1;
        } else {
            merged.push(v[j]);
            count += mid - i;
            j += 1;
        }
    }
    merged.extend_from_slice(&v[i..mid]);
    merged.extend_from_slice(&v[j..n]);
    v.copy_from_slice(&merged);
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_never_overlap_and_edges_run_forward_between_columns() {
        let sizes: Vec<(f64, f64)> = (0..30).map(|i| (40.0 + i as f64, 20.0)).collect();
        let mut edges = Vec::new();
        for i in 0..29 {
            edges.push((i, i + 1));
            edges.push((i, (i * 7 + 3) % 30));
        }
        edges.push((29, 0));
        let l = layout(&sizes, &edges);
        for a in 0..30 {
            for b in a + 1..30 {
                assert!(!l.boxes[a].overlaps(&l.boxes[b]), "{a} and {b} overlap");
            }
        }
        for (e, p) in edges.iter().zip(&l.paths) {
            if e.0 == e.1 {
                continue;
            }
            assert!(p.len() >= 2, "edge {e:?} has a path");
        }
    }

    #[test]
    fn inversions_counts_pairs() {
        assert_eq!(inversions(&mut [3, 2, 1]), 3);
        assert_eq!(inversions(&mut [1, 2, 3]), 0);
        assert_eq!(inversions(&mut [2, 1, 2]), 1);
    }
}
