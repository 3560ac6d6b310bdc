//! Gate `projection_coverage`: the query operations that a declared read model serves
//! (a projection file's `serves`) or that say why none does (`x-hnp-projection: {none:
//! <reason>}`), over all query operations. Measured only when the run includes
//! projection files: without them nothing declares the read side as event-sourced.

use std::collections::BTreeSet;

use serde_json::Value;

use super::util::{Item, ext};
use crate::classify::{Kind, Row};
use crate::model::Model;
use crate::source::Workspace;

const HELP: &str = "list the operation in a projection's `serves`, or mark it `x-hnp-projection: {none: <reason>}` when it does not read an event-sourced model";

/// One item per query operation (answers to requests are not asked for a read model).
pub fn coverage(
    ws: &Workspace,
    model: &Model,
    rows: &[Row],
    served: &BTreeSet<String>,
) -> Vec<Item> {
    let mut items = Vec::new();
    for row in rows {
        if row.kind != Kind::Query || row.answer {
            continue;
        }
        let Some(op) = model
            .documents
            .get(row.doc)
            .and_then(|d| d.operations.get(row.op))
        else {
            continue;
        };
        let ids = [
            op.operation_id.as_deref(),
            op.key.as_deref(),
            Some(row.id.as_str()),
        ];
        let miss = if ids.iter().flatten().any(|id| served.contains(*id)) {
            None
        } else {
            match ext(ws, &op.extensions, "x-hnp-projection") {
                Some(v) => match v.get("none") {
                    Some(Value::String(r)) if !r.trim().is_empty() => None,
                    _ => Some(format!(
                        "query `{}`: `x-hnp-projection` must be `{{none: <reason>}}` (the reason is required)",
                        row.id
                    )),
                },
                None => Some(format!(
                    "query `{}` is served by no projection and not marked `x-hnp-projection: {{none: <reason>}}`",
                    row.id
                )),
            }
        };
        items.push(Item::check(op.src.clone(), miss, HELP));
    }
    items
}
