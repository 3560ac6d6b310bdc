//! Examples must match their schemas (`schema-example-invalid`, an error by default): schema-level
//! `example`/`examples`, OpenAPI media type, parameter and header `example`/`examples`,
//! Swagger response `examples`, and AsyncAPI message `examples` (headers and payload,
//! after applying message traits).
//!
//! The walker collects [`Job`]s while it checks the structure; [`check`] then bundles
//! each schema into a standalone document (see [`crate::model::schema::Bundler`]),
//! compiles it once with the `jsonschema` crate and validates every example of it.
//! Formats are not checked (documents use many custom ones). The same walk also
//! reports two Parameter/Media Type rules of OpenAPI: `openapi-parameter-schema-content`
//! and `openapi-example-conflict`.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::spec::{Dialect, K};
use super::walk::{Family, Seg, Walker};
use crate::diag::Diagnostic;
use crate::model::schema::{Bundler, Flavor, merge_patch, pointer_get};
use crate::model::{Document, Model, Spec, Src};
use crate::source::{FileId, Workspace, pointer};

/// Where schemas are: `(file, pointer)` each.
type Schemas = Vec<(FileId, String)>;

/// One example to check.
#[derive(Debug, Clone)]
pub struct Job {
    /// Where the example value is.
    pub file: FileId,
    pub at: String,
    /// How the example is called in messages ("the example", "example `ok`").
    pub label: String,
    /// The schema(s): merged in order (later ones win, as with traits).
    pub schemas: Schemas,
    pub flavor: Flavor,
}

fn flavor_of(d: Dialect) -> Flavor {
    match d {
        Dialect::Oas30 => Flavor::Oas30,
        Dialect::Oas31 => Flavor::Oas31,
        Dialect::Swagger => Flavor::Swagger,
        Dialect::Async | Dialect::Doc => Flavor::Async,
    }
}

/// Media types whose examples are JSON-like data (others, e.g. XML or CSV, hold the
/// serialised text).
fn data_media_type(mt: &str) -> bool {
    let mt = mt.to_ascii_lowercase();
    mt.contains("json")
        || mt.starts_with("*/*")
        || mt.starts_with("text/plain")
        || mt.starts_with("multipart/")
        || mt.starts_with("application/x-www-form-urlencoded")
}

impl<'a> Walker<'a> {
    /// Schema-level `example` and `examples` (current position: the schema).
    pub(super) fn schema_examples(&mut self, m: &'a Map<String, Value>, d: Dialect) {
        let d = if d == Dialect::Doc {
            self.doc_dialect
        } else {
            d
        };
        let example = m.contains_key("example");
        let list = match m.get("examples") {
            Some(Value::Array(items)) if matches!(d, Dialect::Async | Dialect::Oas31) => {
                items.len()
            }
            _ => 0,
        };
        if !example && list == 0 {
            return;
        }
        let ptr = self.ptr();
        let flavor = flavor_of(d);
        if example {
            self.examples.push(Job {
                file: self.file,
                at: pointer::push(&ptr, "example"),
                label: "the schema's `example`".to_string(),
                schemas: vec![(self.file, ptr.clone())],
                flavor,
            });
        }
        for i in 0..list {
            self.examples.push(Job {
                file: self.file,
                at: format!("{}/{i}", pointer::push(&ptr, "examples")),
                label: format!("the schema's example {}", i + 1),
                schemas: vec![(self.file, ptr.clone())],
                flavor,
            });
        }
    }

    /// OpenAPI 3 Media Type, Parameter and Header Objects: `example`/`examples`
    /// against `schema`, plus the rules on which of these fields go together.
    pub(super) fn value_examples(&mut self, m: &'a Map<String, Value>, k: K) {
        if matches!(k, K::OasParameter | K::OasHeader)
            && m.contains_key("schema") == m.contains_key("content")
        {
            let both = m.contains_key("schema");
            let object = if k == K::OasParameter {
                "Parameter"
            } else {
                "Header"
            };
            let loc = self.loc_key();
            self.report(
                "openapi-parameter-schema-content",
                loc,
                if both {
                    format!("the {object} Object has both `schema` and `content`; it must have exactly one of them")
                } else {
                    format!("the {object} Object has neither `schema` nor `content`; it must have exactly one of them")
                },
                Some("use `schema` for simple values, `content` (one media type) for complex serialisation".to_string()),
            );
        }
        if self.family == Family::OpenApi
            && self.ver < 31
            && m.contains_key("example")
            && m.contains_key("examples")
        {
            self.path.push(Seg::Key("examples"));
            let loc = self.loc_key();
            self.path.pop();
            self.report(
                "openapi-example-conflict",
                loc,
                "`example` and `examples` are mutually exclusive; use only one of them".to_string(),
                None,
            );
        }
        if !m.contains_key("schema") {
            return;
        }
        if k == K::MediaType {
            match self.path.last() {
                Some(Seg::Key(mt)) if !data_media_type(mt) => return,
                _ => {}
            }
        }
        let examples = m.get("examples").and_then(Value::as_object);
        if !m.contains_key("example") && examples.is_none_or(Map::is_empty) {
            return;
        }
        let ptr = self.ptr();
        let schema = (self.file, pointer::push(&ptr, "schema"));
        let flavor = flavor_of(self.doc_dialect);
        if m.contains_key("example") {
            self.examples.push(Job {
                file: self.file,
                at: pointer::push(&ptr, "example"),
                label: "the `example`".to_string(),
                schemas: vec![schema.clone()],
                flavor,
            });
        }
        let exs_ptr = pointer::push(&ptr, "examples");
        for (name, e) in examples.into_iter().flatten() {
            let (ef, eptr, ev) = self.ws.deref(self.file, e);
            if ev.get("value").is_none() {
                continue;
            }
            let base = eptr.unwrap_or_else(|| pointer::push(&exs_ptr, name));
            self.examples.push(Job {
                file: ef,
                at: pointer::push(&base, "value"),
                label: format!("example `{name}`"),
                schemas: vec![schema.clone()],
                flavor,
            });
        }
    }

    /// Swagger 2.0: a body parameter needs `schema`, any other parameter `type`.
    pub(super) fn swagger_parameter(&mut self, m: &'a Map<String, Value>) {
        let Some(place) = m.get("in").and_then(Value::as_str) else {
            return;
        };
        let (field, when) = if place == "body" {
            ("schema", "`in: body`")
        } else {
            ("type", "`in` is not `body`")
        };
        if !m.contains_key(field) {
            let (rule, loc) = (self.rules.required, self.loc_key());
            self.report(
                rule,
                loc,
                format!("the Parameter Object is missing the required field `{field}` (required when {when})"),
                None,
            );
        }
    }

    /// Swagger 2.0 Response Object `examples` (by MIME type) against `schema`.
    pub(super) fn swagger_response_examples(&mut self, m: &'a Map<String, Value>) {
        let (Some(_), Some(Value::Object(exs))) = (m.get("schema"), m.get("examples")) else {
            return;
        };
        let ptr = self.ptr();
        let exs_ptr = pointer::push(&ptr, "examples");
        for mime in exs.keys().filter(|k| k.contains("json")) {
            self.examples.push(Job {
                file: self.file,
                at: pointer::push(&exs_ptr, mime),
                label: format!("the `{mime}` example"),
                schemas: vec![(self.file, pointer::push(&ptr, "schema"))],
                flavor: Flavor::Swagger,
            });
        }
    }
}

/// `application/vnd.aai.asyncapi…` and draft-07 JSON Schema formats.
fn async_format(f: &str) -> Option<Flavor> {
    let f = f.trim();
    if f.starts_with("application/vnd.aai.asyncapi")
        || f.starts_with("application/schema+json;version=draft-07")
        || f.starts_with("application/schema+yaml;version=draft-07")
    {
        Some(Flavor::Async)
    } else if f.starts_with("application/vnd.oai.openapi") {
        Some(Flavor::Oas30)
    } else {
        None
    }
}

/// AsyncAPI message examples, from the IR (traits applied: 2.x traits override the
/// message, 3.x messages override their traits).
fn message_jobs(ws: &Workspace, doc: &Document, jobs: &mut Vec<Job>) {
    let Spec::AsyncApi(v) = doc.spec else { return };
    for msg in &doc.messages {
        let Some(mv) = pointer_get(ws, msg.src.file, &msg.src.pointer) else {
            continue;
        };
        // Example sources: the message and its traits.
        let mut sources: Vec<(Src, &Value)> = vec![(msg.src.clone(), mv)];
        for t in &msg.traits {
            if let Some(tv) = pointer_get(ws, t.file, &t.pointer) {
                sources.push((t.clone(), tv));
            }
        }
        let mut headers: Vec<(FileId, String)> = Vec::new();
        for (src, val) in &sources {
            if let Some(h) = val.get("headers") {
                let (f, p, _) = ws.deref(src.file, h);
                let p = p.unwrap_or_else(|| pointer::push(&src.pointer, "headers"));
                headers.push((f, p));
            }
        }
        if v.major >= 3 {
            // Message first in `sources`: move it last so that it wins.
            headers.rotate_left(usize::from(mv.get("headers").is_some()));
        }
        let payload = msg.payload.as_ref().and_then(|p| {
            let flavor = match &p.format {
                None => Flavor::Async,
                Some(f) => async_format(f)?,
            };
            Some(((p.src.file, p.src.pointer.clone()), flavor))
        });
        let headers_flavor = match &msg.headers {
            Some(h) => h
                .format
                .as_deref()
                .map_or(Some(Flavor::Async), async_format),
            None => Some(Flavor::Async),
        };
        for (src, val) in &sources {
            let Some(items) = val.get("examples").and_then(Value::as_array) else {
                continue;
            };
            for (i, ex) in items.iter().enumerate() {
                let at = format!("{}/{i}", pointer::push(&src.pointer, "examples"));
                let name = ex.get("name").and_then(Value::as_str).map_or_else(
                    // Counted from 1, as `gate-schema-consistency` counts them.
                    || format!("message example {}", i + 1),
                    |n| format!("message example `{n}`"),
                );
                if let (Some(_), Some(flavor)) = (ex.get("headers"), headers_flavor) {
                    if !headers.is_empty() {
                        jobs.push(Job {
                            file: src.file,
                            at: pointer::push(&at, "headers"),
                            label: format!("the `headers` of {name}"),
                            schemas: headers.clone(),
                            flavor,
                        });
                    }
                }
                if let (Some(_), Some((schema, flavor))) = (ex.get("payload"), &payload) {
                    jobs.push(Job {
                        file: src.file,
                        at: pointer::push(&at, "payload"),
                        label: format!("the `payload` of {name}"),
                        schemas: vec![schema.clone()],
                        flavor: *flavor,
                    });
                }
            }
        }
    }
}

/// The standalone schema document of a job.
fn bundle(ws: &Workspace, job: &Job) -> Value {
    match job.schemas.as_slice() {
        [(f, p)] => Bundler::bundle(ws, job.flavor, *f, p),
        many => {
            let mut b = Bundler::new(ws, job.flavor);
            let keys: Vec<String> = many.iter().map(|(f, p)| b.add(*f, p)).collect();
            let mut merged = Value::Object(Map::new());
            for k in &keys {
                if let Some(d) = b.def(k) {
                    merge_patch(&mut merged, d);
                }
            }
            b.finish(merged)
        }
    }
}

/// Bundled schemas up to this size (as JSON text) are compiled once per content.
const SMALL_SCHEMA: usize = 4096;

/// Check every collected example (plus the AsyncAPI message examples of the model).
/// Each schema is compiled once.
pub fn check(ws: &Workspace, mut jobs: Vec<Job>, model: &Model) -> Vec<Diagnostic> {
    for doc in &model.documents {
        message_jobs(ws, doc, &mut jobs);
    }
    let mut seen = std::collections::HashSet::new();
    jobs.retain(|j| seen.insert((j.file, j.at.clone(), j.schemas.clone())));
    // Group the jobs by schema, in order of first appearance.
    let mut index: HashMap<(Flavor, &Schemas), usize> = HashMap::new();
    let mut groups: Vec<Vec<&Job>> = Vec::new();
    for job in &jobs {
        let g = *index.entry((job.flavor, &job.schemas)).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(job);
    }
    // Bundle each schema, compile it, check its examples and drop it (peak memory: one
    // big schema at a time). Small bundles are kept by content: the same small schema
    // written in many places is compiled once.
    let mut small: HashMap<String, Option<jsonschema::Validator>> = HashMap::new();
    let mut out = Vec::new();
    for group in &groups {
        let doc = bundle(ws, group[0]);
        let text = doc.to_string();
        let compile = || {
            jsonschema::options()
                .with_draft(group[0].flavor.draft())
                .should_validate_formats(false)
                .build(&doc)
                .ok()
        };
        let own;
        let validator = if text.len() <= SMALL_SCHEMA {
            small.entry(text).or_insert_with(compile).as_ref()
        } else {
            own = compile();
            own.as_ref()
        };
        let Some(validator) = validator else { continue };
        out.extend(group.iter().filter_map(|job| check_one(ws, validator, job)));
    }
    out
}

/// The instance location, keyword and text that explain one error. jsonschema says only
/// "not valid under any of the schemas" for a failed `oneOf`/`anyOf`; the branch that came
/// closest (fewest errors, then the deepest one) explains far better what to fix, so its
/// first error is shown, named with the branch, descending through nested unions.
fn explain_error(err: &jsonschema::ValidationError<'_>) -> (String, String, String) {
    use jsonschema::error::ValidationErrorKind as K;
    let mut prefix = String::new();
    let mut inst = err.instance_path().as_str().to_string();
    let mut keyword = err.kind().keyword().to_string();
    let mut text = err.to_string();
    let mut branches = match err.kind() {
        K::OneOfNotValid { context } | K::AnyOf { context } => Some(context),
        _ => None,
    };
    // Each level goes one union deeper in a finite error tree; the bound is a guard only.
    for _ in 0..32 {
        let Some(context) = branches.take() else {
            break;
        };
        let closest = context
            .iter()
            .enumerate()
            .filter(|(_, errs)| !errs.is_empty())
            .min_by_key(|(i, errs)| {
                let depth = errs
                    .iter()
                    .map(|e| e.instance_path().as_str().matches('/').count())
                    .max()
                    .unwrap_or(0);
                (errs.len(), std::cmp::Reverse(depth), *i)
            });
        let Some((index, errs)) = closest else { break };
        let Some(best) = errs.first() else { break };
        prefix.push_str(&format!(
            "matches no branch of `{keyword}`; the closest, branch {}, fails: ",
            index + 1
        ));
        inst = best.instance_path().as_str().to_string();
        keyword = best.kind().keyword().to_string();
        text = best.to_string();
        branches = match best.kind() {
            K::OneOfNotValid { context } | K::AnyOf { context } => Some(context),
            _ => None,
        };
    }
    (inst, keyword, format!("{prefix}{text}"))
}

fn check_one(ws: &Workspace, validator: &jsonschema::Validator, job: &Job) -> Option<Diagnostic> {
    let instance = pointer_get(ws, job.file, &job.at)?;
    let mut errors = validator.iter_errors(instance);
    let first = errors.next()?;
    let more = errors.count();
    let (inst, keyword, mut text) = explain_error(&first);
    if text.chars().count() > 300 {
        text = text.chars().take(300).collect::<String>() + "…";
    }
    let shown = if inst.is_empty() {
        String::new()
    } else {
        format!("at `{inst}`, ")
    };
    let extra = match more {
        0 => String::new(),
        1 => "; 1 more problem".to_string(),
        n => format!("; {n} more problems"),
    };
    let file = ws.file(job.file);
    let mut d = Diagnostic::new(
        "schema-example-invalid",
        file.locate(&format!("{}{inst}", job.at)),
        format!(
            "{} does not match its schema: {text} ({shown}keyword `{keyword}`{extra})",
            job.label
        ),
    );
    if let Some((sf, sp)) = job.schemas.last() {
        d = d.with_related(ws.file(*sf).locate(sp), "the schema");
    }
    Some(d)
}
