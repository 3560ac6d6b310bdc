//! Identity across revisions: an AsyncAPI 3 channel, operation or message whose key
//! changed while what travels on the wire did not is a rename (info), and the renamed
//! items are still compared, so their breaking parts are reported.

use serde_json::Value;

use crate::util::{run_in, stdout};

const OLD: &str = r#"asyncapi: 3.0.0
info: {title: t, version: 1.0.0}
channels:
  orders:
    address: shop.orders
    messages:
      OrderPlaced:
        payload: {type: object, required: [id, total], properties: {id: {type: string}, total: {type: number}}}
      OrderShipped:
        payload: {type: object, required: [id], properties: {id: {type: string}, carrier: {type: string}}}
operations:
  publishOrders:
    action: send
    channel: {$ref: '#/channels/orders'}
    messages:
      - $ref: '#/channels/orders/messages/OrderPlaced'
      - $ref: '#/channels/orders/messages/OrderShipped'
"#;

fn findings(new: &str) -> Vec<(String, String)> {
    let mut r = crate::util::diff_findings(OLD, new);
    r.sort();
    r
}

fn rules(f: &[(String, String)]) -> Vec<&str> {
    f.iter().map(|(r, _)| r.as_str()).collect()
}

#[test]
fn renamed_keys_are_renames_and_still_compared() {
    // Channel key, operation key and message key renamed; nothing on the wire changed.
    let renamed = OLD
        .replace("  orders:\n", "  shopOrders:\n")
        .replace("#/channels/orders", "#/channels/shopOrders")
        .replace("  publishOrders:", "  emitOrders:")
        .replace("      OrderShipped:", "      OrderDispatched:")
        .replace("messages/OrderShipped'", "messages/OrderDispatched'");
    let f = findings(&renamed);
    assert_eq!(
        rules(&f),
        ["diff-renamed", "diff-renamed", "diff-renamed"],
        "{f:#?}"
    );
    assert!(
        f[0].1.contains("`orders` renamed to `shopOrders`"),
        "{f:#?}"
    );
    assert!(
        f.iter()
            .any(|(_, m)| m.contains("`OrderShipped` renamed to message `OrderDispatched`")),
        "{f:#?}"
    );
    assert!(
        f.iter()
            .any(|(_, m)| m.contains("`publishOrders` renamed to `emitOrders`")),
        "{f:#?}"
    );
    // The same renames with a breaking change in a message of the renamed channel: the
    // change is reported (and asks for a version bump), nothing is "removed".
    let broken = renamed.replace("required: [id, total]", "required: [id]");
    let f = findings(&broken);
    assert_eq!(
        rules(&f),
        [
            "diff-renamed",
            "diff-renamed",
            "diff-renamed",
            "diff-schema-breaking",
            "diff-version-not-bumped"
        ],
        "{f:#?}"
    );
    // A message whose key and content both changed is removed and added (no guess).
    let changed = OLD
        .replace("      OrderShipped:", "      OrderDispatched:")
        .replace("messages/OrderShipped'", "messages/OrderDispatched'")
        .replace("carrier: {type: string}", "carrier: {type: integer}");
    let f = findings(&changed);
    assert_eq!(
        rules(&f),
        [
            "diff-added",
            "diff-message-removed",
            "diff-version-not-bumped"
        ],
        "{f:#?}"
    );
    // Two candidates with the same content: no guess either.
    let twins = OLD.replace(
        "      OrderShipped:\n        payload: {type: object, required: [id], properties: {id: {type: string}, carrier: {type: string}}}\n",
        "      ShippedA:\n        payload: {type: object, required: [id], properties: {id: {type: string}, carrier: {type: string}}}\n      ShippedB:\n        payload: {type: object, required: [id], properties: {id: {type: string}, carrier: {type: string}}}\n",
    ).replace("      - $ref: '#/channels/orders/messages/OrderShipped'\n", "");
    let f = findings(&twins);
    assert!(f.iter().any(|(r, _)| r == "diff-message-removed"), "{f:#?}");
    assert!(!f.iter().any(|(r, _)| r == "diff-renamed"), "{f:#?}");
}

/// A side that does not parse is reported where it breaks and not compared (else
/// every item of the other side would look removed or added).
#[test]
fn an_unparsable_side_is_reported_not_compared() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    std::fs::write(dir.join("old.yaml"), "asyncapi: 3.0.0\nchannels: [\n").expect("old");
    std::fs::write(dir.join("new.yaml"), OLD).expect("new");
    let out = run_in(dir, &["diff", "old.yaml", "new.yaml", "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let rules: Vec<&str> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["rule"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(rules, ["yaml-syntax"], "{v}");
    assert_eq!(crate::util::code(&out), 1);
}
