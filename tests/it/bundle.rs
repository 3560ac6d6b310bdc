//! `hnp-events bundle`: one file out, external parts under components with stable
//! names, key order kept, `--dereference`, nothing written but `--out`; and over the
//! corpus, the bundle of every document gets the original's `validate --no-gates`
//! verdict.

use std::path::{Path, PathBuf};

use hnp_events::diag::Severity;
use hnp_events::source::{LoadOptions, Workspace};
use serde_json::Value;

use crate::util::{code, run, run_in, stderr, stdout};

/// Errors that decide the verdict (as the corpus test counts them).
fn errors(path: &Path, root: &Path) -> Vec<String> {
    let opts = LoadOptions {
        root: Some(root.to_path_buf()),
        ..LoadOptions::default()
    };
    let ws = match Workspace::load(&[path.to_path_buf()], &opts) {
        Ok(ws) => ws,
        Err(e) => return vec![format!("load: {e}")],
    };
    let mut diags = ws.diagnostics.clone();
    diags.extend(hnp_events::validate::validate(&ws));
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error && d.rule != "schema-example-invalid")
        .map(|d| format!("{} {} {}", d.location, d.rule, d.message))
        .collect()
}

fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                out.push(r.to_string());
            }
            m.values().for_each(|x| refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

fn load_value(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("read");
    let mut diags = Vec::new();
    let f = hnp_events::source::parse_file(
        path,
        text.into_bytes(),
        std::sync::Arc::from(path.to_string_lossy().as_ref()),
        &mut diags,
    );
    assert!(diags.is_empty(), "{}: {diags:?}", path.display());
    f.value.expect("a value")
}

#[test]
fn hnp_asyncapi_bundles_into_one_valid_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (doc, out) in [
        ("fixtures/hnp/asyncapi.yaml", "a.yaml"),
        ("fixtures/hnp/asyncapi.yaml", "a.json"),
        ("fixtures/hnp/asyncapi-2.6.yaml", "b.yaml"),
    ] {
        let target = dir.path().join(out);
        let o = run(&["bundle", doc, "--out", target.to_str().expect("utf-8")]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(stdout(&o).is_empty());
        // The same verdict: no errors, and the gates still pass (with the saga files
        // that coordinate the contract's chains of commands).
        let sagas = [
            "fixtures/hnp/sagas/crd-apply.saga.yaml",
            "fixtures/hnp/sagas/drift-reconcile.saga.yaml",
            "fixtures/hnp/sagas/gitops-sync.saga.yaml",
            "fixtures/hnp/sagas/netbox-git-export.saga.yaml",
        ];
        let mut args = vec!["validate", "--no-config", target.to_str().expect("utf-8")];
        args.extend(sagas);
        let v = run(&args);
        assert_eq!(code(&v), 0, "{doc} → {out}: {}", stdout(&v));
        let bundled = load_value(&target);
        let original = load_value(&crate::util::repo().join(doc));
        // Key order kept.
        let keys = |v: &Value| -> Vec<String> {
            v.as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        };
        let (ko, kb) = (keys(&original), keys(&bundled));
        assert_eq!(&kb[..ko.len()], &ko[..], "top-level keys in their order");
        // Every reference is now inside the file.
        let mut rs = Vec::new();
        refs(&bundled, &mut rs);
        assert!(!rs.is_empty());
        assert!(rs.iter().all(|r| r.starts_with("#/")), "{rs:?}");
    }
    // The common schemas are pulled in under their own names.
    let a = load_value(&dir.path().join("a.yaml"));
    assert!(
        a.pointer("/components/schemas/SyncDirection").is_some(),
        "common/schemas.yaml#/components/schemas/SyncDirection keeps its name"
    );
    // YAML and JSON bundles hold the same document.
    assert_eq!(a, load_value(&dir.path().join("a.json")));
    // Stable: bundling again gives the same bytes.
    let again = dir.path().join("again.yaml");
    let o = run(&[
        "bundle",
        "fixtures/hnp/asyncapi.yaml",
        "--out",
        again.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 0);
    assert_eq!(
        std::fs::read(dir.path().join("a.yaml")).expect("read"),
        std::fs::read(&again).expect("read")
    );
}

#[test]
fn dereference_inlines_all_but_identity_and_recursive_references() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("flat.json");
    let o = run(&[
        "bundle",
        "fixtures/hnp/asyncapi.yaml",
        "--out",
        out.to_str().expect("utf-8"),
        "--dereference",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Without its saga files the contract alone misses the export saga (a gate finding by
    // design), so the bundle is checked structurally, as the original is.
    let v = run(&[
        "validate",
        "--no-config",
        "--no-gates",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&v), 0, "{}", stdout(&v));
    let flat = load_value(&out);
    // Payloads are inlined: no schema reference is left in a message.
    let msgs = flat
        .pointer("/components/messages")
        .and_then(Value::as_object)
        .expect("messages");
    for (name, m) in msgs {
        let mut rs = Vec::new();
        refs(m, &mut rs);
        assert!(rs.is_empty(), "{name}: {rs:?}");
    }
    // AsyncAPI 3 operations still name their channel by reference.
    let ops = flat
        .pointer("/operations")
        .and_then(Value::as_object)
        .expect("operations");
    for op in ops.values() {
        assert!(op.pointer("/channel/$ref").is_some(), "{op}");
    }
}

#[test]
fn nothing_is_written_but_the_out_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run_in(
        dir.path(),
        &[
            "bundle",
            crate::util::repo()
                .join("fixtures/hnp/asyncapi.yaml")
                .to_str()
                .expect("utf-8"),
            "--out",
            "one.yaml",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["one.yaml"]);
    // A missing folder for --out is an error, and nothing is created.
    let o = run_in(
        dir.path(),
        &[
            "bundle",
            crate::util::repo()
                .join("fixtures/hnp/asyncapi.yaml")
                .to_str()
                .expect("utf-8"),
            "--out",
            "missing/one.yaml",
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(!dir.path().join("missing").exists());
    // Not an API document.
    let o = run(&["bundle", "hnp-events.yaml", "--out", "/dev/null"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

/// The corpus: every document (not `excluded`) and its bundle get the same verdict.
#[test]
fn corpus_bundles_keep_their_verdict() {
    let Some(corpus) = std::env::var_os("HNP_CORPUS") else {
        println!("note: HNP_CORPUS unset, the bundle corpus test skips");
        return;
    };
    let corpus = PathBuf::from(corpus);
    assert!(
        corpus.is_dir(),
        "HNP_CORPUS={} is not a folder",
        corpus.display()
    );
    let rows = crate::corpus::read_rows(&corpus);
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    let mut n = 0;
    for row in rows.iter().filter(|r| r.expected != "excluded") {
        let path = corpus.join(&row.path);
        let before = errors(&path, &corpus);
        let opts = LoadOptions {
            root: Some(corpus.clone()),
            ..LoadOptions::default()
        };
        let ws = Workspace::load(std::slice::from_ref(&path), &opts).expect("load");
        let out = tmp.path().join(&row.path);
        let out_dir = out.parent().expect("parent").to_path_buf();
        std::fs::create_dir_all(&out_dir).expect("mkdir");
        let out_dir = out_dir.canonicalize().expect("canonical");
        let bundled = match hnp_events::bundle::bundle(&ws, &out_dir) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{}: {e}", row.path));
                continue;
            }
        };
        // Beside the original's folder layout, so that references that did not
        // resolve there do not resolve here either.
        let json = row.path.ends_with(".json");
        let text = if json {
            serde_json::to_string_pretty(&bundled).expect("JSON")
        } else {
            hnp_events::bundle::yaml::to_yaml(&bundled)
        };
        std::fs::write(&out, &text).expect("write");
        if !json {
            assert_eq!(load_value(&out), bundled, "{}: YAML round trip", row.path);
        }
        let after = errors(&out, tmp.path());
        if before.is_empty() != after.is_empty() {
            failures.push(format!(
                "{}: {} error(s) before, {} after bundling; first after: {:?}; first before: {:?}",
                row.path,
                before.len(),
                after.len(),
                after.first(),
                before.first()
            ));
        }
        n += 1;
    }
    println!("bundled {n} corpus documents");
    assert!(n > 100, "the corpus has documents ({n})");
    assert!(
        failures.is_empty(),
        "{} verdict change(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if e.file_type().expect("type").is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

/// What `validate --no-gates` says of a document: its exit code and its error rules.
fn verdict(path: &Path, root: &Path) -> (i32, Vec<String>) {
    let o = run(&[
        "validate",
        "--no-config",
        "--no-gates",
        "--root",
        root.to_str().expect("utf-8"),
        path.to_str().expect("utf-8"),
    ]);
    let mut rules: Vec<String> = errors(path, root)
        .iter()
        .map(|e| e.split(' ').nth(1).unwrap_or("").to_string())
        .collect();
    rules.sort();
    (code(&o), rules)
}

/// Every API document of the HNP fixtures: its bundle — beside the original, in
/// another folder, as JSON, dereferenced — gets the original's `validate --no-gates`
/// verdict. `openapi.yaml` names AsyncAPI messages in `x-hnp-emits`: those stay
/// references into `asyncapi.yaml` (relative to where the bundle is), not AsyncAPI
/// messages and schemas pulled into an OpenAPI 3.0 document's components.
#[test]
fn hnp_bundles_keep_their_verdict() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().canonicalize().expect("canonical");
    let hnp = root.join("hnp");
    copy_dir(&crate::util::repo().join("fixtures/hnp"), &hnp);
    let mut docs = Vec::new();
    for e in std::fs::read_dir(&hnp).expect("read dir") {
        let path = e.expect("entry").path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.lines().any(|l| {
            l.starts_with("asyncapi:") || l.starts_with("openapi:") || l.starts_with("swagger:")
        }) {
            docs.push(path);
        }
    }
    docs.sort();
    let names: Vec<String> = docs
        .iter()
        .map(|d| d.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["asyncapi-2.6.yaml", "asyncapi.yaml", "openapi.yaml"]
    );
    std::fs::create_dir_all(root.join("out/deep")).expect("mkdir");
    let mut checked = 0;
    for doc in &docs {
        let stem = doc
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        let before = verdict(doc, &root);
        for (out, extra) in [
            (hnp.join(format!("{stem}.bundled.yaml")), None),
            (root.join(format!("out/deep/{stem}.json")), None),
            (
                root.join(format!("out/{stem}.flat.yaml")),
                Some("--dereference"),
            ),
        ] {
            let mut args = vec![
                "bundle",
                doc.to_str().expect("utf-8"),
                "--root",
                root.to_str().expect("utf-8"),
                "--out",
                out.to_str().expect("utf-8"),
            ];
            args.extend(extra);
            let o = run(&args);
            assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
            let after = verdict(&out, &root);
            assert_eq!(after, before, "{} → {}", doc.display(), out.display());
            checked += 1;
        }
    }
    assert_eq!(checked, 9);
    // The OpenAPI bundle: `x-hnp-emits` still names the AsyncAPI messages, by a path
    // relative to each bundle's folder; no AsyncAPI part became an OpenAPI component.
    for (bundle, prefix) in [
        (
            hnp.join("openapi.bundled.yaml"),
            "./asyncapi.yaml#/components/messages/",
        ),
        (
            root.join("out/deep/openapi.json"),
            "../../hnp/asyncapi.yaml#/components/messages/",
        ),
        (
            root.join("out/openapi.flat.yaml"),
            "../hnp/asyncapi.yaml#/components/messages/",
        ),
    ] {
        let v = load_value(&bundle);
        let mut emits = Vec::new();
        for item in v["paths"].as_object().expect("paths").values() {
            for op in item.as_object().expect("path item").values() {
                if let Some(list) = op.get("x-hnp-emits").and_then(Value::as_array) {
                    for e in list {
                        emits.push(e["$ref"].as_str().unwrap_or("(inlined)").to_string());
                    }
                }
            }
        }
        assert!(emits.len() > 20, "{}: {emits:?}", bundle.display());
        assert!(
            emits.iter().all(|e| e.starts_with(prefix)),
            "{}: {emits:?}",
            bundle.display()
        );
        assert!(v.pointer("/components/messages").is_none());
        let mut rs = Vec::new();
        refs(&v["components"], &mut rs);
        assert!(rs.iter().all(|r| r.starts_with("#/")), "{rs:?}");
    }
}
