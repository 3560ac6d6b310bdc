//! The acceptance test against the real-document corpus in `$HNP_CORPUS` (see its
//! README): for every row of VERDICTS.tsv that is not `excluded`, our verdict (any
//! error-severity diagnostic from loading + validation) must match `expected`, and where
//! the official JSON Schema also rejects the document, the schema's first error must
//! point into (or contain) one of our error locations. The official verdict is computed
//! here with the `jsonschema` crate over `$HNP_CORPUS/schemas`.
//!
//! Run: `HNP_CORPUS=/work/shared/corpus cargo test --test it corpus -- --nocapture`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use hnp_events::diag::Severity;
use hnp_events::source::{DocKind, LoadOptions, Workspace};
use serde_json::Value;

/// Documents where we knowingly differ from `expected` (verdict exceptions).
pub(crate) const VERDICT_EXCEPTIONS: &[(&str, &str)] = &[
    (
        "openapi/large/kubernetes-client__python__kubernetes__swagger.json.unprocessed.json",
        "the `unresolvable $ref` of VERDICTS.tsv is a *property named* `$ref` (JSONSchemaProps/properties/$ref: \
         {type: string}); inside `properties` keys are names, not references, so the loader rightly \
         does not resolve it and the official Swagger schema accepts the document",
    ),
    (
        "asyncapi/official/v3.0.0/asyncapi__spec__examples__adeo-kafka-request-reply-asyncapi.yml",
        "the official schema's only error is its own ambiguity: a kafka message binding `key: {$ref}` \
     matches both alternatives of `oneOf [Reference, Schema]`; the rest is remote refs, which we \
     report as warnings (the v3.0.0-fixed copy, same refs, is `excluded` for that reason)",
    ),
];

/// Documents where both say invalid but the official schema's first error is a
/// different problem than ours (pointer exceptions).
const POINTER_EXCEPTIONS: &[(&str, &str)] = &[(
    "asyncapi/official/v2.0.0/asyncapi__spec__examples__2.0.0__correlation-id.yml",
    "the schema's first error is its 2.0.0 `parameters` oneOf ambiguity (a `$ref` matches both \
         Parameter and Reference); the real error, found by the parser and us, is undefined security schemes",
)];

pub(crate) struct Row {
    pub(crate) path: String,
    pub(crate) schema_verdict: String,
    pub(crate) external_refs: String,
    pub(crate) expected: String,
}

pub(crate) fn read_rows(dir: &Path) -> Vec<Row> {
    let tsv = dir.join("VERDICTS.tsv");
    let text = std::fs::read_to_string(&tsv).unwrap_or_else(|e| {
        panic!(
            "HNP_CORPUS is set but {} cannot be read: {e}",
            tsv.display()
        )
    });
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let col = |i: usize| cols.get(i).copied().unwrap_or("").to_string();
            Row {
                path: col(0),
                schema_verdict: col(3),
                external_refs: col(5),
                expected: col(6),
            }
        })
        .collect()
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The official validators, compiled once each.
pub(crate) struct Official {
    pub(crate) dir: PathBuf,
    pub(crate) cache: HashMap<String, jsonschema::Validator>,
}

impl Official {
    fn schema_file(kind: &DocKind) -> Option<String> {
        Some(match kind {
            DocKind::AsyncApi(v) => format!("asyncapi-{v}.json"),
            DocKind::OpenApi(v) if v.minor == 0 => "openapi-3.0.json".to_string(),
            DocKind::OpenApi(_) => "openapi-3.1.json".to_string(),
            DocKind::Swagger => "swagger-2.0.json".to_string(),
            _ => return None,
        })
    }

    /// The instance pointer of the official schema's first error (`None` = valid).
    pub(crate) fn first_error(&mut self, kind: &DocKind, doc: &Value) -> Option<String> {
        let name = Self::schema_file(kind)?;
        if !self.cache.contains_key(&name) {
            let schema = read_json(&self.dir.join("schemas").join(&name));
            let extra: Vec<(String, Value)> = [
                "openapi-3.1.json",
                "openapi-3.1-dialect-base.json",
                "openapi-3.1-meta-base.json",
                "openapi-3.1-schema-base.json",
            ]
            .iter()
            .map(|f| read_json(&self.dir.join("schemas").join(f)))
            .filter_map(|v| Some((v.get("$id")?.as_str()?.to_string(), v)))
            .collect();
            let mut builder = jsonschema::Registry::new();
            for (uri, v) in extra {
                builder = builder
                    .add(uri, jsonschema::Resource::from_contents(v))
                    .expect("resource");
            }
            let registry = builder.prepare().expect("registry");
            let validator = jsonschema::options()
                .with_registry(&registry)
                .should_validate_formats(false)
                .build(&schema)
                .unwrap_or_else(|e| panic!("compiling {name}: {e}"));
            self.cache.insert(name.clone(), validator);
        }
        let v = self.cache.get(&name)?;
        v.iter_errors(doc)
            .next()
            .map(|e| e.instance_path().as_str().to_string())
    }
}

fn related(official: &str, ours: &str) -> bool {
    let inside = |outer: &str, inner: &str| {
        inner == outer
            || (inner.starts_with(outer) && inner.as_bytes().get(outer.len()) == Some(&b'/'))
    };
    inside(ours, official) || inside(official, ours)
}

#[test]
fn corpus_verdicts_agree() {
    let Some(dir) = std::env::var_os("HNP_CORPUS") else {
        println!("skipping: HNP_CORPUS not set");
        return;
    };
    let dir = PathBuf::from(dir);
    assert!(dir.is_dir(), "HNP_CORPUS={} is not a folder", dir.display());
    let rows = read_rows(&dir);
    let mut official = Official {
        dir: dir.clone(),
        cache: HashMap::new(),
    };
    let mut per_folder: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut with_invalid_examples = Vec::new();
    for row in rows.iter().filter(|r| r.expected != "excluded") {
        let folder = row.path.split('/').take(2).collect::<Vec<_>>().join("/");
        let opts = LoadOptions {
            root: Some(dir.clone()),
            ..LoadOptions::default()
        };
        let ws = Workspace::load(&[dir.join(&row.path)], &opts).expect("load");
        let mut diags = ws.diagnostics.clone();
        diags.extend(hnp_events::validate::validate(&ws));
        // VERDICTS.tsv judges the document against its specification (the official schema,
        // the AsyncAPI parser), which does not check that examples match their schemas: an
        // invalid example is an error of ours too, but it is a different question, counted
        // below instead of in the verdict.
        let examples_invalid = diags
            .iter()
            .filter(|d| d.severity == Severity::Error && d.rule == "schema-example-invalid")
            .count();
        if examples_invalid > 0 {
            with_invalid_examples.push(format!("{} ({examples_invalid})", row.path));
        }
        let errors: Vec<_> = diags
            .iter()
            .filter(|d| d.severity == Severity::Error && d.rule != "schema-example-invalid")
            .collect();
        let we_say_invalid = !errors.is_empty();
        let expected_invalid = row.expected == "invalid";
        let mut agree = we_say_invalid == expected_invalid;
        let entry = per_folder.entry(folder).or_default();
        entry.1 += 1;
        if !agree {
            if VERDICT_EXCEPTIONS.iter().any(|(p, _)| *p == row.path) {
                println!("exception (verdict): {}", row.path);
            } else {
                let shown: Vec<String> = errors
                    .iter()
                    .take(5)
                    .map(|d| format!("    {} {} {}", d.location, d.rule, d.message))
                    .collect();
                failures.push(format!(
                    "{}: expected {}, we found {} error(s)\n{}",
                    row.path,
                    row.expected,
                    errors.len(),
                    shown.join("\n")
                ));
            }
        }
        if agree && expected_invalid && row.schema_verdict == "invalid" {
            let id = ws.inputs.first().copied().expect("an input");
            let file = ws.file(id);
            if let Some(value) = file.value.as_ref() {
                if let Some(first) = official.first_error(&file.kind, value) {
                    let ours: Vec<&str> = errors
                        .iter()
                        .filter(|d| d.location.file == file.display)
                        .filter_map(|d| d.location.pointer.as_deref())
                        .collect();
                    if !ours.iter().any(|p| related(&first, p)) {
                        if POINTER_EXCEPTIONS.iter().any(|(p, _)| *p == row.path) {
                            println!("exception (pointer): {}", row.path);
                        } else {
                            agree = false;
                            failures.push(format!(
                                "{}: the official schema's first error is at `{first}`, not at or inside any of ours: {ours:?}",
                                row.path
                            ));
                        }
                    }
                }
            }
        }
        if agree {
            entry.0 += 1;
        }
    }
    for (folder, (ok, total)) in &per_folder {
        println!("agreement {folder}: {ok}/{total}");
    }
    println!(
        "documents with examples their schemas reject (schema-example-invalid errors): {}\n  {}",
        with_invalid_examples.len(),
        with_invalid_examples.join("\n  ")
    );
    assert!(
        failures.is_empty(),
        "{} disagreement(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
