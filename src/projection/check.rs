//! Static checks of a projection against its contract (no stream needed): messages
//! exist and carry the key, the initial row and the rows reducers make from the
//! contract's examples fit `state`, reducers write only declared fields of a closed
//! state, redeliverable messages have idempotent reducers, reducers over unordered
//! channels commute, messages on the same channels are handled or ignored, and
//! upcasters turn every example of the old message into a valid new one.

use std::collections::BTreeSet;

use serde_json::Value;

use super::compiled::Compiled;
use super::contract::{Facts, examples};
use super::format::Projection;
use super::jq::{to_json, to_val};
use crate::diag::Diagnostic;
use crate::saga::contract::Contract;

/// Set the value at a `/headers/..` or `/payload/..` pointer of an event (creating
/// objects on the way).
pub fn set_at(event: &mut Value, ptr: &str, v: Value) {
    let Some(tokens) = crate::source::pointer::parse(ptr) else {
        return;
    };
    let mut cur = event;
    for (i, t) in tokens.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Default::default());
        }
        let Value::Object(m) = cur else { return };
        if i + 1 == tokens.len() {
            m.insert(t.clone(), v);
            return;
        }
        cur = m.entry(t.clone()).or_insert(Value::Null);
    }
}

/// Run the static checks. `c` is `None` when something did not compile.
pub fn check(p: &Projection, contract: &Contract<'_>, c: Option<&Compiled>) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    let facts = Facts::new(contract);
    let known: Vec<&str> = contract.messages.keys().map(String::as_str).collect();
    let unknown_at = |name: &str, loc: crate::diag::Location, d: &mut Vec<Diagnostic>| {
        let mut diag = Diagnostic::new(
            "projection-message-unknown",
            loc,
            format!("`{name}` is not a message of the contract `{}`", p.contract),
        );
        if let Some(s) = crate::suggest::closest(name, &known) {
            diag = diag.with_help(format!("did you mean `{s}`?"));
        }
        d.push(diag);
        true
    };
    let unknown = |name: &str, ptr: &str, at_key: bool, d: &mut Vec<Diagnostic>| {
        if contract.messages.contains_key(name) {
            return false;
        }
        let loc = if at_key {
            p.source.locate_key(ptr)
        } else {
            p.source.locate(ptr)
        };
        unknown_at(name, loc, d)
    };
    for r in &p.on {
        if unknown(&r.message, &r.ptr, true, &mut d) {
            continue;
        }
        if !contract.declares(&r.message, &p.key) {
            let mut diag = Diagnostic::new(
                "projection-key-missing",
                p.source.locate_key(&r.ptr),
                format!(
                    "`{}` does not declare the key `{}` in its schema: its events have no row",
                    r.message, p.key
                ),
            );
            let decl = contract.declared_pointers(&r.message, 200);
            let decl: Vec<&str> = decl.iter().map(String::as_str).collect();
            if let Some(s) = crate::suggest::closest(&p.key, &decl) {
                diag = diag.with_help(format!("the message declares `{s}`"));
            }
            d.push(diag);
        }
    }
    for n in &p.ignore {
        unknown(&n.name, &n.ptr, false, &mut d);
    }
    for u in &p.upcasters {
        let file = p.upcaster_file(u);
        for v in [&u.from, &u.to] {
            if !contract.messages.contains_key(&v.name) {
                unknown_at(&v.name, file.locate(&v.ptr), &mut d);
            }
        }
    }
    // Messages sharing a channel with a handled one: handled, ignored or listed.
    let handled: BTreeSet<&str> = p.on.iter().map(|r| r.message.as_str()).collect();
    let ignored: BTreeSet<&str> = p.ignore.iter().map(|n| n.name.as_str()).collect();
    let upcast: BTreeSet<&str> = p.upcasters.iter().map(|u| u.from.name.as_str()).collect();
    let mut missing: BTreeSet<&str> = BTreeSet::new();
    for r in &p.on {
        for (_, ch) in facts.channels_of(&r.message) {
            for m in &ch.messages {
                if !handled.contains(m.as_str())
                    && !ignored.contains(m.as_str())
                    && !upcast.contains(m.as_str())
                {
                    missing.insert(m);
                }
            }
        }
    }
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
        d.push(
            Diagnostic::new(
                "projection-unhandled-message",
                p.source.locate_key("/on"),
                format!(
                    "{} on the channels of this projection {} neither handled nor ignored: {}",
                    if missing.len() == 1 {
                        "a message"
                    } else {
                        "messages"
                    },
                    if missing.len() == 1 { "is" } else { "are" },
                    list.join(", ")
                ),
            )
            .with_help("add a reducer under `on:` or list it under `ignore:`"),
        );
    }
    let Some(c) = c else {
        return d;
    };
    // The initial row.
    if let Some((at, msg)) = c.row_error(&p.initial) {
        d.push(p.source.diag_at(
            "projection-initial-invalid",
            &format!("/initial{at}"),
            format!("the initial row does not fit `state`: {msg}"),
        ));
    }
    // Fields reducers write.
    for r in &p.on {
        for (path, start, end) in written_paths(&r.code) {
            if let Some(bad) = undeclared(&c.state, &path) {
                let field = path[..=bad].join(".");
                let mut diag = Diagnostic::new(
                    "projection-field-unknown",
                    p.locate_code(&r.ptr, &r.code, start, end),
                    format!(
                        "the reducer for `{}` writes `.{field}`, which `state` does not declare (it allows no other properties)",
                        r.message
                    ),
                );
                if let Some(props) = props_at(&c.state, &path[..bad]) {
                    let names: Vec<&str> = props.iter().map(String::as_str).collect();
                    if let Some(s) = crate::suggest::closest(&path[bad], &names) {
                        diag = diag.with_help(format!("did you mean `{s}`?"));
                    }
                }
                d.push(diag);
            }
        }
    }
    // Reducers run on the contract's examples.
    let initial = to_val(&p.initial);
    for r in &p.on {
        let Some(prog) = c.reducers.get(&r.message) else {
            continue;
        };
        let mut exs = examples(contract, &r.message);
        for e in &mut exs {
            set_at(e, &p.key, Value::String("k".into()));
        }
        for ex in &exs {
            let ev = to_val(ex);
            let once = match prog.run(initial.clone(), ev.clone()) {
                Ok(v) => v,
                Err(e) => {
                    d.push(Diagnostic::new(
                        "projection-reducer-failed",
                        p.source.locate(&r.ptr),
                        format!(
                            "the reducer for `{}` fails on the contract's example: {e}",
                            r.message
                        ),
                    ));
                    break;
                }
            };
            let row = to_json(&once);
            if let Some((at, msg)) = c.row_error(&row) {
                d.push(Diagnostic::new("projection-state-invalid", p.source.locate(&r.ptr), format!("the reducer for `{}` makes a row that does not fit `state` from the contract's example (at `{at}`): {msg}", r.message)));
                break;
            }
            if facts.at_least_once.contains(&r.message) {
                if let Ok(twice) = prog.run(once.clone(), ev.clone()) {
                    let twice = to_json(&twice);
                    if twice != row {
                        d.push(
                            Diagnostic::new(
                                "projection-not-idempotent",
                                p.source.locate(&r.ptr),
                                format!("`{}` is delivered at least once, but its reducer is not idempotent: a redelivery of the contract's example changes the row ({})", r.message, super::replay::first_difference(&row, &twice)),
                            )
                            .with_help("make the reducer give the same row when the same event comes again, e.g. remember the last event id: `if .lastEventId == $event.headers.id then . else (... | .lastEventId = $event.headers.id) end`"),
                        );
                        break;
                    }
                }
            }
        }
    }
    // Reducers on unordered channels must commute.
    let unordered: Vec<&super::format::Reducer> =
        p.on.iter()
            .filter(|r| facts.unordered(&r.message))
            .collect();
    let mut events: Vec<(&super::format::Reducer, Value)> = Vec::new();
    for r in &unordered {
        for mut e in examples(contract, &r.message) {
            set_at(&mut e, &p.key, Value::String("k".into()));
            events.push((r, e));
        }
    }
    let mut reported = BTreeSet::new();
    'pairs: for i in 0..events.len() {
        for j in i + 1..events.len() {
            let ((ra, a), (rb, b)) = (&events[i], &events[j]);
            if a == b || reported.contains(&(ra.message.clone(), rb.message.clone())) {
                continue;
            }
            let (Some(fa), Some(fb)) = (c.reducers.get(&ra.message), c.reducers.get(&rb.message))
            else {
                continue;
            };
            let (va, vb) = (to_val(a), to_val(b));
            let ab = fa
                .run(initial.clone(), va.clone())
                .and_then(|x| fb.run(x, vb.clone()));
            let ba = fb
                .run(initial.clone(), vb.clone())
                .and_then(|x| fa.run(x, va.clone()));
            if let (Ok(ab), Ok(ba)) = (ab, ba) {
                let (ab, ba) = (to_json(&ab), to_json(&ba));
                if ab != ba {
                    reported.insert((ra.message.clone(), rb.message.clone()));
                    let chans: Vec<String> = facts
                        .channels_of(&rb.message)
                        .filter(|(_, c)| c.unordered)
                        .map(|(n, _)| format!("`{n}`"))
                        .collect();
                    let what = if ra.message == rb.message {
                        format!("two `{}` events", ra.message)
                    } else {
                        format!("`{}` and `{}`", ra.message, rb.message)
                    };
                    d.push(
                        Diagnostic::new(
                            "projection-order-sensitive",
                            p.source.locate(&rb.ptr),
                            format!("{} declares `x-hnp-ordering: none`, but the row depends on the order of {what} (contract examples: {})", chans.join(", "), super::replay::first_difference(&ab, &ba)),
                        )
                        .with_related(p.source.locate(&ra.ptr), "the other reducer")
                        .with_help("make the reducers commute (counters, sets, max of a timestamp) or order the channel with `x-hnp-ordering-key`"),
                    );
                    if reported.len() > 8 {
                        break 'pairs;
                    }
                }
            }
        }
    }
    // Upcasters: every example of the old message (of the old CloudEvents type, when
    // the upcaster names one) becomes a valid new event through the whole chain.
    let mut schemas = super::upcast::Schemas::default();
    for u in &p.upcasters {
        if !contract.messages.contains_key(&u.from.name)
            || !contract.messages.contains_key(&u.to.name)
        {
            continue;
        }
        let file = p.upcaster_file(u);
        for ex in examples(contract, &u.from.name) {
            if let Some(t) = &u.from.ty {
                if ex.pointer("/headers/type").and_then(Value::as_str) != Some(t.as_str()) {
                    continue;
                }
            }
            if let Err(e) =
                super::upcast::upcast_with(&c.upcasters, contract, &mut schemas, &u.from.name, &ex)
            {
                d.push(Diagnostic::new(
                    "projection-upcast-invalid",
                    file.locate(&format!("{}/transform", u.ptr)),
                    format!(
                        "the contract's example of {} does not upcast to a valid event: {e}",
                        u.from.show()
                    ),
                ));
                break;
            }
        }
    }
    // Stored streams an upcast file lists: every old event upcasts.
    for (path, named) in &p.streams {
        let shown: std::sync::Arc<str> = std::sync::Arc::from(path.to_string_lossy().as_ref());
        let mut bad = 0usize;
        let read = super::replay::read_stream(path, &shown, None, |ev| {
            let m = ev
                .value
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("");
            let Some(step) = c.upcasters.find_event(m, &ev.value) else {
                return;
            };
            if let Err(e) =
                super::upcast::upcast_with(&c.upcasters, contract, &mut schemas, m, &ev.value)
            {
                bad += 1;
                if bad <= 20 {
                    d.push(
                        Diagnostic::new(
                            "projection-upcast-invalid",
                            ev.location.clone(),
                            format!("this stored `{m}` event does not upcast: {e}"),
                        )
                        .with_related(step.at.clone(), "the upcaster")
                        .with_related(p.source.locate(&named.ptr), "the stream, listed here"),
                    );
                }
            }
        });
        if let Err(errs) = read {
            for e in errs {
                d.push(e.with_related(p.source.locate(&named.ptr), "listed here"));
            }
        }
    }
    d
}

/// Root paths a jq expression assigns to (`.a.b = …`, `.a |= …`, `.n += 1`), with the
/// byte range of each path. String literals are skipped.
pub fn written_paths(code: &str) -> Vec<(Vec<String>, usize, usize)> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut prev: u8 = b' ';
    while i < b.len() {
        let ch = b[i];
        if ch == b'"' {
            // Skip the string (escapes included; interpolation is rare in reducers).
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            prev = b'"';
            continue;
        }
        if ch == b'.' && !(ident(prev) || matches!(prev, b']' | b')' | b'"' | b'?' | b'$' | b'.')) {
            let start = i;
            let mut path = Vec::new();
            while i < b.len() && b[i] == b'.' {
                let s = i + 1;
                let mut e = s;
                while e < b.len() && ident(b[e]) {
                    e += 1;
                }
                if e == s {
                    break;
                }
                path.push(code[s..e].to_string());
                i = e;
            }
            let end = i;
            let mut k = i;
            while k < b.len() && b[k].is_ascii_whitespace() {
                k += 1;
            }
            let rest = &code[k.min(code.len())..];
            let assigns = ["|=", "+=", "-=", "*=", "/=", "%=", "//="]
                .iter()
                .any(|op| rest.starts_with(op))
                || (rest.starts_with('=') && !rest.starts_with("=="));
            if !path.is_empty() && assigns {
                out.push((path, start, end));
            }
            prev = b'a';
            if i == start {
                i += 1;
                prev = b'.';
            }
            continue;
        }
        if !ch.is_ascii_whitespace() {
            prev = ch;
        }
        i += 1;
    }
    out
}

/// The index of the first segment of `path` that a closed schema does not declare.
fn undeclared(schema: &Value, path: &[String]) -> Option<usize> {
    let mut s = schema;
    for (i, seg) in path.iter().enumerate() {
        match s.get("properties").and_then(|p| p.get(seg)) {
            Some(sub) => s = sub,
            None if s.get("additionalProperties") == Some(&Value::Bool(false)) => return Some(i),
            None => return None,
        }
    }
    None
}

fn props_at(schema: &Value, path: &[String]) -> Option<Vec<String>> {
    let mut s = schema;
    for seg in path {
        s = s.get("properties")?.get(seg)?;
    }
    Some(s.get("properties")?.as_object()?.keys().cloned().collect())
}

#[cfg(test)]
mod tests {
    use super::written_paths;

    #[test]
    fn finds_assigned_paths() {
        let w = written_paths(
            r#".status = "x" | .a.b |= 1 | .n += 1 | select(.x == 1) | .last = $event.payload.y | .s = ".q = 1""#,
        );
        let paths: Vec<String> = w.iter().map(|(p, _, _)| p.join(".")).collect();
        assert_eq!(paths, ["status", "a.b", "n", "last", "s"]);
        let (_, s, e) = &w[1];
        assert_eq!(&r#".status = "x" | .a.b |= 1"#[*s..*e], ".a.b");
    }

    #[test]
    fn ignores_comparisons_and_event_paths() {
        assert!(written_paths(r#"if .a == 1 then . else . end | $event.x.y"#).is_empty());
        assert!(written_paths(r#".a != 1"#).is_empty());
    }
}
