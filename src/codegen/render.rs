//! Templates: embedded from `templates/rust/` and `templates/python/`, overridable by
//! file name from a folder, rendered with minijinja into the list of output files.

use std::path::Path;

use minijinja::{Environment, UndefinedBehavior};
use serde_json::Value;

use super::Lang;

/// An embedded template: file name, text, and the context variables it receives.
pub struct Template {
    pub name: &'static str,
    pub text: &'static str,
    pub vars: &'static str,
}

macro_rules! tpl {
    ($dir:literal, $name:literal, $vars:expr) => {
        Template {
            name: $name,
            text: include_str!(concat!("../../templates/", $dir, "/", $name)),
            vars: $vars,
        }
    };
}

const RUST_ALL: &str =
    "crate_name, lib_name, types, serde_used, literals, messages, groups, sagas, projections";
const PY_ALL: &str =
    "package, dist_name, enums, classes, aliases, messages, groups, sagas, projections";

/// The context of one saga (`sagas[]`, and `saga` in the per-saga templates).
const SAGA_VARS: &str = "saga: {name, name_lit, name_doc, module, version, version_doc, contract, contract_doc, correlation, correlation_doc, description[], start_doc, start (the first), starts, start_reads, ignore, first, next, emits_complete, emits_failure, hooks_name, rust_imports, steps[]: {variant, id, id_lit, spec}, compensations[]: {index, variant, method, step, step_id, step_variant, send, send_lit, confirm, fail[], lit, spec}, nodes[] (by index) and states[] (in file order): {index, state, doc, spec, next, reads}, tests[]: {name, doc, state, log[], compensated[], inputs[]: {message, body, timer, step?}}} plus every top-level variable (literals are already spelled for the language)";

/// The context of one projection (`projections[]`, and `projection` in the per-projection
/// templates).
const PROJECTION_VARS: &str = "projection: {name, name_lit, version, version_lit, contract, key, key_lit, module, impl_name, description[], row (type), initial (JSON text literal), snapshot_every, snapshot_persist, handles, ignores, ignore_lits[], serves, reducers[]: {message, message_lit, method, ty, code[] (the jq lines), todo, reads_time}, tests[]: {name, doc, events[]: {message, body}, rows (JSON text literal), redelivered (messages whose redelivery must change nothing)}, notes[]} plus every top-level variable";

pub const RUST: &[Template] = &[
    tpl!("rust", "Cargo.toml.j2", "crate_name, lib_name"),
    tpl!("rust", "gitignore.j2", "(none): the crate's .gitignore"),
    tpl!(
        "rust",
        "lib.rs.j2",
        "crate_name, lib_name, types, messages, groups"
    ),
    tpl!(
        "rust",
        "serde_helpers.rs.j2",
        "literals[]: {n, lit (Rust literal), doc, required, optional, or_null} (`const` strings of struct fields)"
    ),
    tpl!(
        "rust",
        "models.rs.j2",
        "types[]: {name, doc[], kind: struct|enum|int_enum|union|alias, fields[]: {name, ty, serde, doc[]}, extra?: {name, ty}, variants[]: {name, value, lit} | {name, value} (int_enum, with listed) | {name, ty, tag?}, discriminator?, tag? (serde tag literal: a tagged union), untagged_why?, keeps_tag (a tagged union whose variant structs keep the tag: generated Deserialize), target}"
    ),
    tpl!(
        "rust",
        "messages.rs.j2",
        "messages[]: {name, fn, ce_type? (Rust literal), role, examples[]: {n (position, from 1), text (raw string literal)}, skipped[] (examples their schema rejects: comment lines each)}"
    ),
    tpl!(
        "rust",
        "handlers_mod.rs.j2",
        "groups[]: {module, file, title, handlers[]}"
    ),
    tpl!(
        "rust",
        "handlers_group.rs.j2",
        "group: {module, title, handlers[]: HANDLER} plus every top-level variable; HANDLER: {name, kind, operation, op_lit, op_doc, fn, publisher? (trait name), emits[]: {method, ty, message, message_lit, ce_type?, address?, address_doc?, example?}, emits_missing[], delivery?, at_least_once, dead_letter? (literal), dead_letter_doc?, unit (no method returns a value), methods[]: {name, consume, input?, input_aliased (input names an alias of the group module), output, output_aliased, aliases[]: {name, ty} (type aliases for nested generic message types), doc, message?, key? (idempotency key pointer literal), key_doc?, example? (raw string literal)}}"
    ),
    tpl!(
        "rust",
        "handlers_impl.rs.j2",
        "groups (scaffold: written once)"
    ),
    tpl!(
        "rust",
        "outbox.rs.j2",
        "(none): Outbox, Recorder (implements every publisher trait), DeadLetter"
    ),
    tpl!(
        "rust",
        "idempotency.rs.j2",
        "(none): IdempotencyStore, InMemoryIdempotencyStore, Processed, key_of"
    ),
    tpl!("rust", "tests_roundtrip.rs.j2", "lib_name, messages"),
    tpl!("rust", "tests_handlers.rs.j2", "lib_name, groups"),
    tpl!(
        "rust",
        "sagas_mod.rs.j2",
        "sagas[] (written when saga files are given)"
    ),
    tpl!(
        "rust",
        "sagas_runtime.rs.j2",
        "(none): the transition semantics"
    ),
    tpl!("rust", "saga.rs.j2", SAGA_VARS),
    tpl!(
        "rust",
        "sagas_impl.rs.j2",
        "sagas[] (scaffold: written once)"
    ),
    tpl!("rust", "tests_sagas.rs.j2", "lib_name, sagas[]"),
    tpl!(
        "rust",
        "projections_mod.rs.j2",
        "projections[] (written when projection files are given): Applied, ApplyError, key_at"
    ),
    tpl!("rust", "projection.rs.j2", PROJECTION_VARS),
    tpl!(
        "rust",
        "projections_impl_mod.rs.j2",
        "projections[]: the modules of your reducers"
    ),
    tpl!(
        "rust",
        "projection_impl.rs.j2",
        "projection (scaffold: written once per projection)"
    ),
    tpl!("rust", "tests_projections.rs.j2", "lib_name, projections[]"),
];

pub const PYTHON: &[Template] = &[
    tpl!("python", "pyproject.toml.j2", "package, dist_name"),
    tpl!("python", "gitignore.j2", "(none): the package's .gitignore"),
    tpl!("python", "__init__.py.j2", "package, groups"),
    tpl!("python", "py.typed.j2", "(none)"),
    tpl!(
        "python",
        "models.py.j2",
        "enums[]: {name, doc?, members[]: {name, value}}, classes[]: {name, doc?, extra, ce_type?, fields[]: {name, ty, default?, alias?, doc?}}, aliases[]: {name, target, comment?} (dependency order; a discriminated union's target is `Annotated[..., Field(discriminator=...)]`)"
    ),
    tpl!(
        "python",
        "messages.py.j2",
        "messages[]: {name, const, fn, ce_type? (Python literal), role, examples[]: {n, text}, skipped[] (comment lines each)}"
    ),
    tpl!(
        "python",
        "handlers___init__.py.j2",
        "groups[]: {module, title, handlers[]}"
    ),
    tpl!(
        "python",
        "handlers_group.py.j2",
        "group: {module, title, handlers[]: HANDLER} plus every top-level variable; HANDLER: {name, kind, operation, op_lit, op_doc, fn, publisher? (protocol name), recorder? (its outbox class), consumer? (class for at-least-once delivery), keyed, emits[]: {method, ty, message, message_lit, ce_type?, address?, address_doc?, example?}, emits_missing[], delivery?, at_least_once, dead_letter? (literal), dead_letter_doc?, unit, probe?, probe_emit?, tested_emits, methods[]: {name, consume, input?, output, doc, message?, key? (literal), key_doc?, example? (literal), example_keyed}}"
    ),
    tpl!(
        "python",
        "handlers_impl.py.j2",
        "groups (scaffold: written once)"
    ),
    tpl!(
        "python",
        "outbox.py.j2",
        "(none): Outbox, Recorder (each handler's recorder subclasses it), DeadLetter"
    ),
    tpl!(
        "python",
        "idempotency.py.j2",
        "(none): IdempotencyStore, InMemoryIdempotencyStore, Processed, key_in"
    ),
    tpl!("python", "tests_test_roundtrip.py.j2", "package, messages"),
    tpl!("python", "tests_test_handlers.py.j2", "package, groups"),
    tpl!(
        "python",
        "sagas___init__.py.j2",
        "sagas[] (written when saga files are given)"
    ),
    tpl!(
        "python",
        "sagas__runtime.py.j2",
        "(none): the transition semantics"
    ),
    tpl!("python", "sagas_saga.py.j2", SAGA_VARS),
    tpl!(
        "python",
        "sagas_impl.py.j2",
        "sagas[] (scaffold: written once)"
    ),
    tpl!("python", "tests_test_sagas.py.j2", "package, sagas[]"),
    tpl!(
        "python",
        "projections___init__.py.j2",
        "projections[] (written when projection files are given)"
    ),
    tpl!(
        "python",
        "projections__runtime.py.j2",
        "(none): Applied, ApplyError, key_at"
    ),
    tpl!("python", "projections_projection.py.j2", PROJECTION_VARS),
    tpl!(
        "python",
        "projections_impl___init__.py.j2",
        "projections[]: the modules of your reducers"
    ),
    tpl!(
        "python",
        "projections_impl_projection.py.j2",
        "projection (scaffold: written once per projection)"
    ),
    tpl!(
        "python",
        "tests_test_projections.py.j2",
        "package, projections[]"
    ),
];

/// The embedded templates of a language.
pub fn templates(lang: Lang) -> &'static [Template] {
    match lang {
        Lang::Rust => RUST,
        Lang::Python => PYTHON,
    }
}

/// `codegen --list-templates`.
pub fn list() -> String {
    let mut s = String::new();
    for (lang, ts, all) in [("rust", RUST, RUST_ALL), ("python", PYTHON, PY_ALL)] {
        s.push_str(&format!("{lang} (every template also receives: {all})\n"));
        for t in ts {
            s.push_str(&format!("  {:28} {}\n", t.name, t.vars));
        }
    }
    s
}

/// One output file before it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    /// Relative path with `/` separators.
    pub path: String,
    pub text: String,
    /// Written once, never overwritten, not tracked as generated.
    pub scaffold: bool,
}

pub const HEADER: &str = "@generated by hnp-events — do not edit";

fn comment_prefix(path: &str) -> &'static str {
    if path.ends_with(".rs") { "//" } else { "#" }
}

/// A JSON value as a template value, consuming it (no second copy of the context lives
/// beside the first; keys and short strings become inline small strings).
fn to_template_value(v: Value) -> minijinja::Value {
    match v {
        Value::Null => minijinja::Value::from(()),
        Value::Bool(b) => minijinja::Value::from(b),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => minijinja::Value::from(i),
            (None, Some(u)) => minijinja::Value::from(u),
            _ => minijinja::Value::from(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => minijinja::Value::from(s),
        Value::Array(xs) => xs.into_iter().map(to_template_value).collect(),
        Value::Object(m) => m
            .into_iter()
            .map(|(k, v)| (k, to_template_value(v)))
            .collect(),
    }
}

/// The template environment of a language: every template compiled once.
fn environment(lang: Lang, overrides: Option<&Path>) -> Result<Environment<'static>, String> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    // Python lines whose length depends on the contract's names, split as ruff splits them.
    env.add_filter("py_fit", |s: String| super::pyfmt::fit(&s));
    // Rust scaffold signatures whose length depends on the contract's names.
    env.add_filter("rs_fit_fn", |s: String| super::rsfmt::fit_fn(&s));
    env.add_filter("rs_fit_impl", |s: String| super::rsfmt::fit_impl(&s));
    for t in templates(lang) {
        match overrides.map(|d| d.join(t.name)) {
            Some(p) if p.is_file() => {
                let text = crate::fsio::read_regular_string(&p)
                    .map_err(|e| format!("{}: {e}", p.display()))?;
                env.add_template_owned(t.name, text)
            }
            _ => env.add_template(t.name, t.text),
        }
        .map_err(|e| format!("template {}: {e}", t.name))?;
    }
    Ok(env)
}

/// Render every output file of a language. The context is consumed: it is moved into
/// template values, so a large model is not held twice.
pub fn render(
    lang: Lang,
    ctx: Value,
    overrides: Option<&Path>,
    progress: &mut dyn super::Progress,
) -> Result<Vec<OutFile>, String> {
    let env = environment(lang, overrides)?;
    let package = ctx
        .get("package")
        .and_then(Value::as_str)
        .unwrap_or("generated")
        .to_string();
    let base = to_template_value(ctx);
    let r = |name: &str, ctx: &minijinja::Value| -> Result<String, String> {
        env.get_template(name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| format!("template {name}: {e}"))
    };
    // Template values are reference counted: the per-group contexts share the base.
    let groups: Vec<minijinja::Value> = base
        .get_attr("groups")
        .ok()
        .and_then(|g| g.try_iter().ok())
        .map(|it| it.collect())
        .unwrap_or_default();
    let sagas: Vec<minijinja::Value> = base
        .get_attr("sagas")
        .ok()
        .and_then(|g| g.try_iter().ok())
        .map(|it| it.collect())
        .unwrap_or_default();
    let projections: Vec<minijinja::Value> = base
        .get_attr("projections")
        .ok()
        .and_then(|g| g.try_iter().ok())
        .map(|it| it.collect())
        .unwrap_or_default();
    // Every template makes at most one file, the group, saga and projection templates one
    // per group, saga and projection (none without them): an upper bound for the bar.
    progress.stage(
        "rendering",
        (templates(lang).len() + groups.len() + sagas.len() + 2 * projections.len()) as u64,
    );
    let mut out = Vec::new();
    let mut push = |path: String, text: String, scaffold: bool| {
        progress.file(&path);
        let c = comment_prefix(&path);
        let text = if path.ends_with(".py") {
            super::pyimports::fill(&text)
        } else {
            text
        };
        let mut full = String::with_capacity(text.len() + 96);
        if scaffold {
            full.push_str(c);
            full.push_str(
                " Scaffold written once by hnp-events: yours to edit; it is never overwritten.\n",
            );
        } else {
            full.push_str(c);
            full.push(' ');
            full.push_str(HEADER);
            full.push('\n');
        }
        full.push_str(&text);
        out.push(OutFile {
            path,
            text: full,
            scaffold,
        });
    };
    let attr = |g: &minijinja::Value, key: &str, default: &str| -> String {
        g.get_attr(key)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| default.to_string())
    };
    match lang {
        Lang::Rust => {
            push("Cargo.toml".into(), r("Cargo.toml.j2", &base)?, false);
            push(".gitignore".into(), r("gitignore.j2", &base)?, false);
            push("src/lib.rs".into(), r("lib.rs.j2", &base)?, false);
            push(
                "src/serde_helpers.rs".into(),
                r("serde_helpers.rs.j2", &base)?,
                false,
            );
            push("src/models.rs".into(), r("models.rs.j2", &base)?, false);
            push("src/outbox.rs".into(), r("outbox.rs.j2", &base)?, false);
            push(
                "src/idempotency.rs".into(),
                r("idempotency.rs.j2", &base)?,
                false,
            );
            push("src/messages.rs".into(), r("messages.rs.j2", &base)?, false);
            push(
                "src/handlers/mod.rs".into(),
                r("handlers_mod.rs.j2", &base)?,
                false,
            );
            for g in &groups {
                let file = attr(g, "file", "group");
                let gctx = minijinja::context! { group => g.clone(), ..base.clone() };
                push(
                    format!("src/handlers/{file}.rs"),
                    r("handlers_group.rs.j2", &gctx)?,
                    false,
                );
            }
            push(
                "src/handlers_impl.rs".into(),
                r("handlers_impl.rs.j2", &base)?,
                true,
            );
            push(
                "tests/roundtrip.rs".into(),
                r("tests_roundtrip.rs.j2", &base)?,
                false,
            );
            push(
                "tests/handlers.rs".into(),
                r("tests_handlers.rs.j2", &base)?,
                false,
            );
            if !sagas.is_empty() {
                push(
                    "src/sagas/mod.rs".into(),
                    r("sagas_mod.rs.j2", &base)?,
                    false,
                );
                push(
                    "src/sagas/runtime.rs".into(),
                    r("sagas_runtime.rs.j2", &base)?,
                    false,
                );
                for s in &sagas {
                    let m = attr(s, "module", "saga");
                    let sctx = minijinja::context! { saga => s.clone(), ..base.clone() };
                    push(format!("src/sagas/{m}.rs"), r("saga.rs.j2", &sctx)?, false);
                }
                push(
                    "src/sagas_impl.rs".into(),
                    r("sagas_impl.rs.j2", &base)?,
                    true,
                );
                push(
                    "tests/sagas.rs".into(),
                    r("tests_sagas.rs.j2", &base)?,
                    false,
                );
            }
            if !projections.is_empty() {
                push(
                    "src/projections/mod.rs".into(),
                    r("projections_mod.rs.j2", &base)?,
                    false,
                );
                push(
                    "src/projections_impl/mod.rs".into(),
                    r("projections_impl_mod.rs.j2", &base)?,
                    false,
                );
                for p in &projections {
                    let m = attr(p, "module", "projection");
                    let pctx = minijinja::context! { projection => p.clone(), ..base.clone() };
                    push(
                        format!("src/projections/{m}.rs"),
                        r("projection.rs.j2", &pctx)?,
                        false,
                    );
                    push(
                        format!("src/projections_impl/{m}.rs"),
                        r("projection_impl.rs.j2", &pctx)?,
                        true,
                    );
                }
                push(
                    "tests/projections.rs".into(),
                    r("tests_projections.rs.j2", &base)?,
                    false,
                );
            }
        }
        Lang::Python => {
            let pkg = package;
            push(
                "pyproject.toml".into(),
                r("pyproject.toml.j2", &base)?,
                false,
            );
            push(".gitignore".into(), r("gitignore.j2", &base)?, false);
            push(
                format!("{pkg}/__init__.py"),
                r("__init__.py.j2", &base)?,
                false,
            );
            push(format!("{pkg}/py.typed"), r("py.typed.j2", &base)?, false);
            push(format!("{pkg}/models.py"), r("models.py.j2", &base)?, false);
            push(format!("{pkg}/outbox.py"), r("outbox.py.j2", &base)?, false);
            push(
                format!("{pkg}/idempotency.py"),
                r("idempotency.py.j2", &base)?,
                false,
            );
            push(
                format!("{pkg}/messages.py"),
                r("messages.py.j2", &base)?,
                false,
            );
            push(
                format!("{pkg}/handlers/__init__.py"),
                r("handlers___init__.py.j2", &base)?,
                false,
            );
            for g in &groups {
                let m = attr(g, "module", "group");
                let gctx = minijinja::context! { group => g.clone(), ..base.clone() };
                push(
                    format!("{pkg}/handlers/{m}.py"),
                    r("handlers_group.py.j2", &gctx)?,
                    false,
                );
            }
            push(
                format!("{pkg}/handlers_impl.py"),
                r("handlers_impl.py.j2", &base)?,
                true,
            );
            push(
                "tests/test_roundtrip.py".into(),
                r("tests_test_roundtrip.py.j2", &base)?,
                false,
            );
            push(
                "tests/test_handlers.py".into(),
                r("tests_test_handlers.py.j2", &base)?,
                false,
            );
            if !sagas.is_empty() {
                push(
                    format!("{pkg}/sagas/__init__.py"),
                    r("sagas___init__.py.j2", &base)?,
                    false,
                );
                push(
                    format!("{pkg}/sagas/_runtime.py"),
                    r("sagas__runtime.py.j2", &base)?,
                    false,
                );
                for s in &sagas {
                    let m = attr(s, "module", "saga");
                    let sctx = minijinja::context! { saga => s.clone(), ..base.clone() };
                    push(
                        format!("{pkg}/sagas/{m}.py"),
                        r("sagas_saga.py.j2", &sctx)?,
                        false,
                    );
                }
                push(
                    format!("{pkg}/sagas_impl.py"),
                    r("sagas_impl.py.j2", &base)?,
                    true,
                );
                push(
                    "tests/test_sagas.py".into(),
                    r("tests_test_sagas.py.j2", &base)?,
                    false,
                );
            }
            if !projections.is_empty() {
                push(
                    format!("{pkg}/projections/__init__.py"),
                    r("projections___init__.py.j2", &base)?,
                    false,
                );
                push(
                    format!("{pkg}/projections/_runtime.py"),
                    r("projections__runtime.py.j2", &base)?,
                    false,
                );
                push(
                    format!("{pkg}/projections_impl/__init__.py"),
                    r("projections_impl___init__.py.j2", &base)?,
                    false,
                );
                for p in &projections {
                    let m = attr(p, "module", "projection");
                    let pctx = minijinja::context! { projection => p.clone(), ..base.clone() };
                    push(
                        format!("{pkg}/projections/{m}.py"),
                        r("projections_projection.py.j2", &pctx)?,
                        false,
                    );
                    push(
                        format!("{pkg}/projections_impl/{m}.py"),
                        r("projections_impl_projection.py.j2", &pctx)?,
                        true,
                    );
                }
                push(
                    "tests/test_projections.py".into(),
                    r("tests_test_projections.py.j2", &base)?,
                    false,
                );
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}
