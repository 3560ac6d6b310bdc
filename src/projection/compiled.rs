//! A projection ready to run: its reducers, snapshot and upcaster transforms compiled
//! once, its state schema resolved (every `$ref` inlined) and compiled.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value, json};

use super::format::Projection;
use super::jq::{self, Program};
use super::upcast::{Step, Upcasters, Ver};
use crate::diag::Diagnostic;
use crate::source::{FileId, Workspace, pointer};

/// Compiled pieces of a projection.
pub struct Compiled {
    /// Message → reducer program.
    pub reducers: HashMap<String, Program>,
    pub persist: Option<Program>,
    pub restore: Option<Program>,
    pub upcasters: Upcasters,
    /// The state schema with every `$ref` inlined.
    pub state: Value,
    pub validator: Option<jsonschema::Validator>,
    /// The same schema for rows as jq values (see [`super::valjson`]).
    pub val_validator: Option<jsonschema::Validator<super::valjson::ValJson>>,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled").finish_non_exhaustive()
    }
}

/// Compile one jq expression of the file; errors become located diagnostics.
fn program(
    p: &Projection,
    ptr: &str,
    code: &str,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Program> {
    match jq::compile(code) {
        Ok(prog) => Some(prog),
        Err(errs) => {
            for e in errs.iter().take(3) {
                diags.push(
                    Diagnostic::new(
                        "projection-reducer-invalid",
                        p.locate_code(ptr, code, e.start, e.end),
                        format!("{what} does not compile: {}", e.message),
                    )
                    .with_help("reducers are jq (run with jaq): `.` is the row, `$event` the event; e.g. `.status = \"synced\" | .syncs += 1`"),
                );
            }
            None
        }
    }
}

/// Compile everything; `None` when something did not compile (the diagnostics say what).
pub fn compile(p: &Projection, ws: &Workspace, diags: &mut Vec<Diagnostic>) -> Option<Compiled> {
    let before = diags.len();
    let mut reducers = HashMap::new();
    for r in &p.on {
        if let Some(prog) = program(
            p,
            &r.ptr,
            &r.code,
            &format!("the reducer for `{}`", r.message),
            diags,
        ) {
            reducers.insert(r.message.clone(), prog);
        }
    }
    let (mut persist, mut restore) = (None, None);
    if let Some(s) = &p.snapshot {
        if let Some(code) = &s.persist {
            persist = program(p, "/snapshot/persist", code, "`snapshot.persist`", diags);
        }
        if let Some(code) = &s.restore {
            restore = program(p, "/snapshot/restore", code, "`snapshot.restore`", diags);
        }
    }
    let mut upcasters = Upcasters::default();
    for u in &p.upcasters {
        let file = p.upcaster_file(u);
        let ptr = format!("{}/transform", u.ptr);
        let prog = match jq::compile(&u.transform) {
            Ok(prog) => prog,
            Err(errs) => {
                for e in errs.iter().take(3) {
                    diags.push(Diagnostic::new(
                        "projection-reducer-invalid",
                        super::format::locate_code(file, &ptr, &u.transform, e.start, e.end),
                        format!(
                            "the upcaster from {} does not compile: {}",
                            u.from.show(),
                            e.message
                        ),
                    ));
                }
                continue;
            }
        };
        if u.from.name == u.to.name && (u.from.ty.is_none() || u.from.ty == u.to.ty) {
            diags.push(file.diag_at(
                "projection-invalid",
                &u.to.ptr,
                format!(
                    "an upcaster from `{}` to itself would apply again to its own output: give `from` and `to` their CloudEvents `type`s",
                    u.from.name
                ),
            ));
            continue;
        }
        let step = Step {
            from: Ver {
                message: u.from.name.clone(),
                ty: u.from.ty.clone(),
            },
            to: Ver {
                message: u.to.name.clone(),
                ty: u.to.ty.clone(),
            },
            prog,
            at: file.locate(&ptr),
        };
        if let Err(first) = upcasters.add(step) {
            diags.push(
                file.diag_at(
                    "projection-invalid",
                    &u.from.ptr,
                    format!(
                        "a second upcaster from {}: each old event has one",
                        u.from.show()
                    ),
                )
                .with_related(first, "the first"),
            );
        }
    }
    let state = resolve_state(p, ws, diags);
    let validator = match jsonschema::options().build(&state) {
        Ok(v) => Some(v),
        Err(e) => {
            diags.push(p.source.diag_at(
                "projection-invalid",
                "/state",
                format!("`state` is not a valid JSON Schema: {e}"),
            ));
            None
        }
    };
    if diags.len() > before {
        return None;
    }
    let val_validator = jsonschema::options_for::<super::valjson::ValJson>()
        .build(&state)
        .ok();
    Some(Compiled {
        reducers,
        persist,
        restore,
        upcasters,
        state,
        validator,
        val_validator,
    })
}

/// The state schema with every `$ref` replaced by its target: refs are relative to the
/// projection file and must point into a file the contract's workspace holds.
fn resolve_state(p: &Projection, ws: &Workspace, diags: &mut Vec<Diagnostic>) -> Value {
    let base = p
        .source
        .path
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf();
    fn go(
        v: &Value,
        at: &str,
        base: &Path,
        p: &Projection,
        ws: &Workspace,
        diags: &mut Vec<Diagnostic>,
        depth: usize,
    ) -> Value {
        if depth > 64 {
            return json!({});
        }
        match v {
            Value::Object(m) => {
                if let Some(raw) = m.get("$ref").and_then(Value::as_str) {
                    let ptr_at = pointer::push(at, "$ref");
                    let (file, frag) = raw.split_once('#').unwrap_or((raw, ""));
                    if file.is_empty() {
                        diags.push(p.source.diag_at("projection-invalid", &ptr_at, "a `$ref` in `state` must name a file of the contract (e.g. `../asyncapi.yaml#/components/schemas/X`)"));
                        return json!({});
                    }
                    let target = crate::source::normalise_path(&base.join(file));
                    let found = ws.files.iter().position(|f| {
                        f.path == target || crate::source::normalise_path(&f.path) == target
                    });
                    let Some(fid) = found else {
                        diags.push(p.source.diag_at(
                            "projection-invalid",
                            &ptr_at,
                            format!(
                                "`{raw}`: `{file}` is not the contract nor a file it references"
                            ),
                        ));
                        return json!({});
                    };
                    let fid = FileId(fid as u32);
                    let Some(t) = crate::model::schema::pointer_get(ws, fid, frag) else {
                        diags.push(p.source.diag_at(
                            "projection-invalid",
                            &ptr_at,
                            format!("`{raw}`: nothing at `{frag}`"),
                        ));
                        return json!({});
                    };
                    return crate::model::schema::inline(ws, fid, t, &mut Vec::new(), 0);
                }
                let mut out = Map::new();
                for (k, c) in m {
                    let literal = matches!(
                        k.as_str(),
                        "const" | "enum" | "default" | "examples" | "example"
                    );
                    out.insert(
                        k.clone(),
                        if literal {
                            c.clone()
                        } else {
                            go(c, &pointer::push(at, k), base, p, ws, diags, depth + 1)
                        },
                    );
                }
                Value::Object(out)
            }
            Value::Array(a) => Value::Array(
                a.iter()
                    .enumerate()
                    .map(|(i, c)| {
                        go(
                            c,
                            &pointer::push(at, &i.to_string()),
                            base,
                            p,
                            ws,
                            diags,
                            depth + 1,
                        )
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    go(&p.state, "/state", &base, p, ws, diags, 0)
}

impl Compiled {
    /// The first validation error of a row against the state schema, as
    /// `(instance pointer, message)`.
    pub fn row_error(&self, row: &Value) -> Option<(String, String)> {
        let v = self.validator.as_ref()?;
        v.iter_errors(row)
            .next()
            .map(|e| (e.instance_path().to_string(), e.to_string()))
    }
}

/// Whether [`serialise`] drops anything of `row` (when it does not, it gives a row
/// equal to `row`; when it does, an object of the result has fewer properties).
pub fn drops(row: &Value, schema: &Value) -> bool {
    match (row, schema) {
        (Value::Object(m), Value::Object(s)) => {
            let props = s.get("properties").and_then(Value::as_object);
            let closed = s.get("additionalProperties") == Some(&Value::Bool(false));
            m.iter().any(|(k, v)| match props.and_then(|p| p.get(k)) {
                Some(sub) => drops(v, sub),
                None => closed,
            })
        }
        (Value::Array(a), Value::Object(s)) => match s.get("items") {
            Some(items @ Value::Object(_)) => a.iter().any(|x| drops(x, items)),
            _ => false,
        },
        _ => false,
    }
}

impl Compiled {
    /// [`Compiled::row_error`] of a row as a jq value (of its JSON, `to_json`): a
    /// row with text keys only is first checked as it is, and converted only when it
    /// does not fit (for the error).
    pub fn row_error_val(&self, row: &jaq_json::Val) -> Option<(String, String)> {
        self.validator.as_ref()?;
        if let Some(v) = &self.val_validator {
            if super::valjson::plain(row) && v.is_valid(super::valjson::VNode(row)) {
                return None;
            }
        }
        self.row_error(&super::jq::to_json(row))
    }
}

/// [`drops`] of a row as a jq value whose object keys are all text
/// ([`super::valjson::plain`]): whether `serialise` drops anything of its JSON.
pub fn drops_val(row: &jaq_json::Val, schema: &Value) -> bool {
    use jaq_json::Val;
    match (row, schema) {
        (Val::Obj(m), Value::Object(s)) => {
            let props = s.get("properties").and_then(Value::as_object);
            let closed = s.get("additionalProperties") == Some(&Value::Bool(false));
            m.iter().any(|(k, v)| {
                let sub = match k {
                    Val::TStr(b) | Val::BStr(b) => std::str::from_utf8(b)
                        .ok()
                        .and_then(|k| props.and_then(|p| p.get(k))),
                    _ => None,
                };
                match sub {
                    Some(sub) => drops_val(v, sub),
                    None => closed,
                }
            })
        }
        (Val::Arr(a), Value::Object(s)) => match s.get("items") {
            Some(items @ Value::Object(_)) => a.iter().any(|x| drops_val(x, items)),
            _ => false,
        },
        _ => false,
    }
}

/// A row as a snapshot stores it: properties the schema does not declare are dropped
/// where the schema is closed (`additionalProperties: false`), recursively.
pub fn serialise(row: &Value, schema: &Value) -> Value {
    match (row, schema) {
        (Value::Object(m), Value::Object(s)) => {
            let props = s.get("properties").and_then(Value::as_object);
            let closed = s.get("additionalProperties") == Some(&Value::Bool(false));
            let mut out = Map::new();
            for (k, v) in m {
                match props.and_then(|p| p.get(k)) {
                    Some(sub) => {
                        out.insert(k.clone(), serialise(v, sub));
                    }
                    None if closed => {}
                    None => {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            Value::Object(out)
        }
        (Value::Array(a), Value::Object(s)) => match s.get("items") {
            Some(items @ Value::Object(_)) => {
                Value::Array(a.iter().map(|x| serialise(x, items)).collect())
            }
            _ => row.clone(),
        },
        _ => row.clone(),
    }
}
