//! Examples of the engine's verdicts, one per keyword family (the property test in
//! `tests/it/diff.rs` checks soundness against the `jsonschema` crate).

use serde_json::{Value, json};

use super::*;

/// Compare two standalone schemas (each with its own `$defs`).
fn cmp_in(dialect: Dialect, old: Value, new: Value) -> Comparison {
    let ro = LocalResolver { root: &old };
    let rn = LocalResolver { root: &new };
    let root = Loc::new(0, "");
    compare(
        Side {
            resolver: &ro,
            dialect,
        },
        (&root, &old),
        Side {
            resolver: &rn,
            dialect,
        },
        (&root, &new),
    )
}

fn cmp(old: Value, new: Value) -> Comparison {
    cmp_in(Dialect::Draft2020, old, new)
}

/// (readers compatible, writers compatible)
fn verdict(old: Value, new: Value) -> (bool, bool) {
    let c = cmp(old, new);
    (c.readers_compatible(), c.writers_compatible())
}

fn messages(v: &[Issue]) -> Vec<String> {
    v.iter()
        .map(|i| format!("{} {}", i.at, i.message))
        .collect()
}

#[test]
fn identical_schemas_are_compatible_both_ways() {
    let s = json!({"type": "object", "properties": {"a": {"type": "string", "pattern": "^x"}}, "required": ["a"]});
    assert_eq!(verdict(s.clone(), s), (true, true));
}

#[test]
fn type_widening_and_narrowing() {
    assert_eq!(
        verdict(json!({"type": "integer"}), json!({"type": "number"})),
        (true, false)
    );
    assert_eq!(
        verdict(json!({"type": "number"}), json!({"type": "integer"})),
        (false, true)
    );
    let c = cmp(
        json!({"type": "string"}),
        json!({"type": ["string", "null"]}),
    );
    assert!(c.readers_compatible());
    assert_eq!(
        messages(&c.writers),
        ["/ type widened from string to null | string: null values were rejected before"]
    );
}

#[test]
fn openapi_30_nullable_is_a_null_type() {
    let old = json!({"type": "string"});
    let new = json!({"type": "string", "nullable": true});
    let c = cmp_in(Dialect::OpenApi30, old.clone(), new.clone());
    assert!(c.readers_compatible());
    assert!(!c.writers_compatible());
    // In 2020-12 `nullable` is no keyword: nothing changed.
    let c = cmp_in(Dialect::Draft2020, old, new);
    assert!(c.readers_compatible() && c.writers_compatible());
}

#[test]
fn enum_value_added_breaks_writers_only() {
    let old = json!({"type": "string", "enum": ["a", "b"]});
    let new = json!({"type": "string", "enum": ["a", "b", "c"]});
    let c = cmp(old.clone(), new.clone());
    assert!(c.readers_compatible());
    assert_eq!(messages(&c.writers), ["/ value \"c\" is newly allowed"]);
    let c = cmp(new, old);
    assert_eq!(messages(&c.readers), ["/ value \"c\" is no longer allowed"]);
    // const is a one-value enum; 1 and 1.0 are the same value.
    assert_eq!(
        verdict(json!({"const": 1}), json!({"enum": [1.0, 2]})),
        (true, false)
    );
}

#[test]
fn required_property_added_breaks_readers() {
    let old = json!({"type": "object", "properties": {"a": {"type": "string"}}});
    let new = json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]});
    let c = cmp(old, new);
    assert_eq!(messages(&c.readers), ["/a property `a` is required now"]);
    assert!(c.writers_compatible());
}

#[test]
fn open_and_closed_content_models() {
    // Open: adding an optional property is safe for writers (old readers accept
    // anything under the new name) and undecided for readers.
    let old = json!({"type": "object", "properties": {"a": {"type": "string"}}});
    let new = json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}});
    let c = cmp(old.clone(), new.clone());
    assert!(c.writers_compatible());
    assert_eq!(c.readers.len(), 1);
    assert_eq!(c.readers[0].effect, Effect::Unknown);
    assert!(
        c.readers[0].message.contains("open content model"),
        "{:?}",
        c.readers
    );
    // Closed: adding the property breaks old readers.
    let mut old_closed = old.clone();
    old_closed["additionalProperties"] = json!(false);
    let mut new_closed = new.clone();
    new_closed["additionalProperties"] = json!(false);
    let c = cmp(old_closed.clone(), new_closed);
    assert!(c.readers_compatible());
    assert_eq!(
        messages(&c.writers),
        ["/b property `b` added, but the old schema is closed (`additionalProperties: false`)"]
    );
    // Closing an open schema breaks readers of old data.
    let c = cmp(old, old_closed);
    assert!(!c.readers_compatible());
    assert!(c.writers_compatible());
}

#[test]
fn bounds() {
    assert_eq!(
        verdict(json!({"minimum": 1}), json!({"minimum": 0})),
        (true, false)
    );
    assert_eq!(
        verdict(json!({"maximum": 5}), json!({"exclusiveMaximum": 5})),
        (false, true)
    );
    // Draft 4 / OpenAPI 3.0 boolean form.
    assert_eq!(
        verdict(
            json!({"maximum": 5, "exclusiveMaximum": true}),
            json!({"exclusiveMaximum": 5})
        ),
        (true, true)
    );
    assert_eq!(
        verdict(json!({"multipleOf": 4}), json!({"multipleOf": 2})),
        (true, false)
    );
    assert_eq!(
        verdict(json!({"maxLength": 3}), json!({"maxLength": 4})),
        (true, false)
    );
    assert_eq!(verdict(json!({"minItems": 1}), json!({})), (true, false));
    assert_eq!(
        verdict(json!({}), json!({"maxProperties": 2})),
        (false, true)
    );
    // Numeric bounds do not matter for strings.
    assert_eq!(
        verdict(
            json!({"type": "string"}),
            json!({"type": "string", "minimum": 3})
        ),
        (true, true)
    );
}

#[test]
fn changed_pattern_is_unknown_not_silence() {
    let c = cmp(
        json!({"type": "string", "pattern": "^a"}),
        json!({"type": "string", "pattern": "^[ab]"}),
    );
    assert_eq!(c.readers.len(), 1);
    assert_eq!(c.readers[0].effect, Effect::Unknown);
    assert_eq!(c.writers[0].effect, Effect::Unknown);
    // Removed pattern: safe for readers, breaking for writers.
    assert_eq!(verdict(json!({"pattern": "^a"}), json!({})), (true, false));
}

#[test]
fn format_added_is_breaking_for_readers() {
    let c = cmp(
        json!({"type": "string"}),
        json!({"type": "string", "format": "uuid"}),
    );
    assert_eq!(messages(&c.readers), ["/ format \"uuid\" added"]);
    assert!(c.writers_compatible());
}

#[test]
fn items_and_prefix_items() {
    let old =
        json!({"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "integer"}});
    let new = json!({"type": "array", "items": {"type": ["string", "integer"]}});
    assert_eq!(verdict(old.clone(), new.clone()), (true, false));
    let c = cmp(new, old);
    assert_eq!(c.readers.len(), 2, "{:?}", c.readers);
    assert!(c.readers.iter().any(|i| i.at == "/0"));
    assert!(c.readers.iter().any(|i| i.at == "/*"));
    // Draft 7 tuple form.
    let c = cmp_in(
        Dialect::Draft7,
        json!({"items": [{"type": "string"}], "additionalItems": false}),
        json!({"items": [{"type": "string"}, {"type": "integer"}], "additionalItems": false}),
    );
    assert!(c.readers_compatible());
    assert!(!c.writers_compatible());
}

#[test]
fn any_of_branches() {
    let old = json!({"anyOf": [{"type": "string"}, {"type": "integer"}]});
    let added = json!({"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]});
    assert_eq!(verdict(old.clone(), added.clone()), (true, false));
    let c = cmp(added, old);
    assert_eq!(
        messages(&c.readers),
        ["/ `anyOf` branch 2 removed or narrowed: no new branch accepts all its values"]
    );
}

#[test]
fn one_of_overlap_is_unknown_and_disjoint_one_of_is_any_of() {
    // Adding `number` to a oneOf of integer and string makes integers match twice.
    let old = json!({"oneOf": [{"type": "integer"}, {"type": "string"}]});
    let new = json!({"oneOf": [{"type": "integer"}, {"type": "string"}, {"type": "number"}]});
    assert!(!cmp(old.clone(), new).readers_compatible());
    // Disjoint types: behaves as anyOf.
    let new = json!({"oneOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]});
    assert_eq!(verdict(old, new), (true, false));
    // Tagged by a const property.
    let tagged = |kinds: &[&str]| json!({"oneOf": kinds.iter().map(|k| json!({"type": "object", "required": ["kind"], "properties": {"kind": {"const": k}}})).collect::<Vec<_>>()});
    assert_eq!(
        verdict(tagged(&["a", "b"]), tagged(&["a", "b", "c"])),
        (true, false)
    );
}

#[test]
fn all_of_members_compared_pairwise() {
    let base =
        json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}});
    let old = json!({"$defs": {"Base": base}, "allOf": [{"$ref": "#/$defs/Base"}, {"properties": {"n": {"type": "integer"}}}]});
    let new = json!({"$defs": {"Base": base}, "allOf": [{"$ref": "#/$defs/Base"}, {"properties": {"n": {"type": "number"}}}]});
    assert_eq!(verdict(old, new), (true, false));
}

#[test]
fn ref_retargeting_compares_targets() {
    let old = json!({"$defs": {"A": {"type": "string"}, "B": {"type": "string"}}, "properties": {"x": {"$ref": "#/$defs/A"}}});
    let new = json!({"$defs": {"A": {"type": "string"}, "B": {"type": "string"}}, "properties": {"x": {"$ref": "#/$defs/B"}}});
    assert_eq!(verdict(old, new), (true, true));
    let old = json!({"$defs": {"A": {"type": "string"}, "B": {"type": "integer"}}, "properties": {"x": {"$ref": "#/$defs/A"}}});
    let new = json!({"$defs": {"A": {"type": "string"}, "B": {"type": "integer"}}, "properties": {"x": {"$ref": "#/$defs/B"}}});
    let c = cmp(old, new);
    assert_eq!(c.readers[0].at, "/x");
    assert_eq!(c.readers[0].old.pointer, "/$defs/A");
    assert_eq!(c.readers[0].new.pointer, "/$defs/B");
}

#[test]
fn recursion_terminates_and_is_compared() {
    let tree = |leaf: &str| {
        json!({"$defs": {"Node": {"type": "object", "properties": {
            "value": {"type": leaf},
            "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}
        }}}, "$ref": "#/$defs/Node"})
    };
    assert_eq!(verdict(tree("integer"), tree("integer")), (true, true));
    let c = cmp(tree("integer"), tree("number"));
    assert!(c.readers_compatible());
    assert!(!c.writers_compatible());
    // Mutual recursion across two definitions, each side shaped differently.
    let old = json!({"$defs": {"A": {"properties": {"b": {"$ref": "#/$defs/B"}}}, "B": {"properties": {"a": {"$ref": "#/$defs/A"}}}}, "$ref": "#/$defs/A"});
    let new =
        json!({"$defs": {"A": {"properties": {"b": {"$ref": "#/$defs/A"}}}}, "$ref": "#/$defs/A"});
    let c = cmp(old, new);
    let _ = (c.readers_compatible(), c.writers_compatible());
    // A reference to itself with no structure in between is reported, not looped on.
    let c = cmp(
        json!({"$defs": {"A": {"allOf": [{"$ref": "#/$defs/A"}]}}, "$ref": "#/$defs/A"}),
        json!({"type": "string"}),
    );
    assert!(!c.readers_compatible());
}

#[test]
fn unknown_keyword_changed_is_unknown() {
    let c = cmp(
        json!({"not": {"type": "string"}}),
        json!({"not": {"type": "integer"}}),
    );
    assert_eq!(c.readers[0].effect, Effect::Unknown);
    assert_eq!(
        verdict(
            json!({"not": {"type": "string"}}),
            json!({"not": {"type": "string"}})
        ),
        (true, true)
    );
}

#[test]
fn unresolved_ref_is_unknown() {
    let c = cmp(json!({"$ref": "#/nowhere"}), json!({"type": "string"}));
    assert_eq!(c.readers[0].effect, Effect::Unknown);
}

#[test]
fn an_absent_keyword_is_not_its_parent() {
    // Found by the property test: `items` of `d` is absent (anything), which must not
    // reuse the proof made for `d` itself at the same location.
    let old = json!({"anyOf": [{"allOf": [{"items": {"$ref": "#/$defs/d"}}]}, {"$ref": "#/$defs/d"}], "$defs": {"d": {"maximum": 0}}});
    let mut new = old.clone();
    new["oneOf"] = json!([{"items": {"maximum": 0}}]);
    assert!(!cmp(old, new).readers_compatible());
}
