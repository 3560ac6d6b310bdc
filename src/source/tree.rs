//! Building a `serde_json::Value` and its source map bottom-up, shared by the JSON and
//! YAML parsers.
//!
//! Memory matters here (a 4 MB document has ~170 000 nodes): the children of an open
//! object or array wait on one shared stack and are moved, when it closes, into a
//! container of exactly their number (no growth slack in every small map); the
//! source-map nodes of all children live in one flat arena instead of one `Vec` per
//! node.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::{PosNode, SourceMap};

/// Entries at which an open object starts indexing its keys (below, duplicate keys are
/// found by a linear scan, which is faster than hashing for small maps).
const INDEX_FROM: usize = 16;

/// An open object or array: where its children start on the shared stack.
#[derive(Debug, Default)]
pub(crate) struct Level {
    from: usize,
    /// Key → position among the level's children, once the level is large.
    index: Option<HashMap<String, usize>>,
}

/// The shared stack of waiting children and the finished source-map arena.
#[derive(Debug, Default)]
pub(crate) struct TreeBuilder {
    /// Children of the open levels: key (empty for array items), value, position.
    stack: Vec<(String, Value, PosNode)>,
    nodes: Vec<PosNode>,
}

/// A key that was already present: the key (handed back), and the key span of its
/// first definition.
pub(crate) struct Duplicate {
    pub key: String,
    /// Byte offsets of the first definition's key.
    pub first: (usize, usize),
}

impl TreeBuilder {
    /// Open a level.
    pub fn open(&self) -> Level {
        Level {
            from: self.stack.len(),
            index: None,
        }
    }

    /// Children pushed to `level` so far.
    pub fn len(&self, level: &Level) -> usize {
        self.stack.len() - level.from
    }

    /// The position of the last child of `level`.
    pub fn last_pos(&self, level: &Level) -> Option<&PosNode> {
        self.stack[level.from..].last().map(|(_, _, p)| p)
    }

    /// Add an array item.
    pub fn push_item(&mut self, value: Value, pos: PosNode) {
        self.stack.push((String::new(), value, pos));
    }

    /// Add an object entry (its key span is already in `pos`). A duplicate key replaces
    /// the earlier value and position in place (the last value wins, at the first
    /// key's place) and is returned.
    pub fn push_entry(
        &mut self,
        level: &mut Level,
        key: String,
        value: Value,
        pos: PosNode,
    ) -> Option<Duplicate> {
        let children = &mut self.stack[level.from..];
        let found = match &level.index {
            Some(index) => index.get(key.as_str()).copied(),
            None => children.iter().position(|(k, _, _)| *k == key),
        };
        if let Some(i) = found {
            let slot = &mut children[i];
            let dup = Duplicate {
                key,
                first: slot.2.key().unwrap_or_default(),
            };
            slot.1 = value;
            slot.2 = pos;
            return Some(dup);
        }
        let n = children.len();
        match &mut level.index {
            Some(index) => {
                index.insert(key.clone(), n);
            }
            None if n + 1 >= INDEX_FROM => {
                let mut index: HashMap<String, usize> = children
                    .iter()
                    .enumerate()
                    .map(|(i, (k, _, _))| (k.clone(), i))
                    .collect();
                index.insert(key.clone(), n);
                level.index = Some(index);
            }
            None => {}
        }
        self.stack.push((key, value, pos));
        None
    }

    /// Close an array level: its value, and `node` with its children attached.
    pub fn close_array(&mut self, level: Level, node: PosNode) -> (Value, PosNode) {
        let first = self.nodes.len();
        let mut items = Vec::with_capacity(self.len(&level));
        for (_, v, p) in self.stack.drain(level.from..) {
            items.push(v);
            self.nodes.push(p);
        }
        (
            Value::Array(items),
            with_children(node, first, self.nodes.len()),
        )
    }

    /// Close an object level; `merges` (YAML merge keys: mappings with their
    /// positions) add the keys not defined explicitly, earlier sources first.
    pub fn close_object(
        &mut self,
        level: Level,
        node: PosNode,
        merges: Vec<(Value, PosNode)>,
    ) -> (Value, PosNode) {
        let first = self.nodes.len();
        let mut map = Map::with_capacity(self.len(&level));
        for (k, v, p) in self.stack.drain(level.from..) {
            map.insert(k, v);
            self.nodes.push(p);
        }
        for (src, src_pos) in merges {
            if let Value::Object(m) = src {
                let children = self.children_range(&src_pos);
                for ((k, v), i) in m.into_iter().zip(children) {
                    if !map.contains_key(&k) {
                        map.insert(k, v);
                        let p = self.nodes[i];
                        self.nodes.push(p);
                    }
                }
            }
        }
        (
            Value::Object(map),
            with_children(node, first, self.nodes.len()),
        )
    }

    /// The arena indices of a node's children.
    pub fn children_range(&self, node: &PosNode) -> std::ops::Range<usize> {
        let (first, len) = node.children_range();
        first.min(self.nodes.len())..(first + len).min(self.nodes.len())
    }

    /// The positions of a node's children.
    pub fn children(&self, node: &PosNode) -> &[PosNode] {
        &self.nodes[self.children_range(node)]
    }

    /// The source map rooted at `root`.
    pub fn finish(mut self, root: PosNode) -> SourceMap {
        self.nodes.shrink_to_fit();
        SourceMap {
            root,
            nodes: self.nodes,
        }
    }
}

fn with_children(mut node: PosNode, first: usize, end: usize) -> PosNode {
    node.set_children(first, end - first);
    node
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use serde_json::json;

    use crate::diag::Diagnostic;
    use crate::source::{SourceFile, parse_file};

    fn load(name: &str, text: &str) -> (SourceFile, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let f = parse_file(
            Path::new(name),
            text.as_bytes().to_vec(),
            Arc::from(name),
            &mut diags,
        );
        (f, diags)
    }

    fn at(f: &SourceFile, pointer: &str) -> (Option<u32>, Option<u32>) {
        let l = f.locate(pointer);
        (l.line(), l.col())
    }

    /// 20 keys `k0`..`k19` (one per line), then `k3` again on line 21.
    fn many_keys(json: bool) -> String {
        let mut s = String::new();
        if json {
            s.push_str("{\n");
            for i in 0..20 {
                s.push_str(&format!("\"k{i}\": {i},\n"));
            }
            s.push_str("\"k3\": 99,\n\"last\": [1, {\"x\": true}]\n}\n");
        } else {
            for i in 0..20 {
                s.push_str(&format!("k{i}: {i}\n"));
            }
            s.push_str("k3: 99\nlast: [1, {x: true}]\n");
        }
        s
    }

    #[test]
    fn duplicate_key_in_a_large_map_keeps_the_first_place_and_the_last_value() {
        for json in [false, true] {
            let (f, d) = load(if json { "m.json" } else { "m.yaml" }, &many_keys(json));
            let shift = u32::from(json);
            assert_eq!(d.len(), 1, "{d:?}");
            assert_eq!(d[0].rule, "yaml-duplicate-key");
            assert_eq!(d[0].location.line(), Some(21 + shift));
            assert_eq!(d[0].related[0].location.line(), Some(4 + shift));
            let v = f.value.as_ref().unwrap();
            let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys[3], "k3");
            assert_eq!(keys.len(), 21);
            assert_eq!(v["k3"], json!(99));
            // The entry is located at its last definition; its neighbours are unmoved.
            assert_eq!(f.locate_key("/k3").line(), Some(21 + shift));
            assert_eq!(f.locate("/k4").line(), Some(5 + shift));
            assert_eq!(f.locate("/last/1/x").line(), Some(22 + shift));
            let col = if json { 19 } else { 15 };
            assert_eq!(at(&f, "/last/1/x"), (Some(22 + shift), Some(col)));
        }
    }

    #[test]
    fn aliases_and_merge_keys_point_at_the_anchored_original() {
        let text = "\
base: &b
  x: 1
  y: 2
list: &l
  - {m: 1}
  - {n: 2}
copy: *b
derived:
  <<: [*b]
  y: 3
more:
  <<: *l
";
        let (f, d) = load("a.yaml", text);
        assert!(
            d.is_empty() || d.iter().all(|d| d.rule != "yaml-syntax"),
            "{d:?}"
        );
        let v = f.value.as_ref().unwrap();
        assert_eq!(v["derived"], json!({"y": 3, "x": 1}));
        // The alias itself is at the alias; its content at the anchored original.
        assert_eq!(f.locate("/copy").line(), Some(7));
        assert_eq!(f.locate("/copy/y").line(), Some(3));
        // Explicit keys first, merged keys after, located where they were written.
        assert_eq!(f.locate("/derived/y").line(), Some(10));
        assert_eq!(f.locate("/derived/x").line(), Some(2));
        // A merge of a sequence of mappings (through an alias).
        assert_eq!(v["more"], json!({"m": 1, "n": 2}));
        assert_eq!(f.locate("/more/n").line(), Some(6));
        assert_eq!(f.locate("/list/1/n").line(), Some(6));
    }
}
