//! `hnp-events codegen`: determinism, snapshots of the HNP output, regeneration safety
//! (no-op re-runs, hand edits refused, stale files deleted, `--check`), hostile names,
//! and — with `HNP_CODEGEN_E2E=1` — compiling, linting and testing the generated Rust
//! crate and Python package (HNP fixtures, the NetBox spec, hostile names).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{code, repo, run, stderr, stdout};

fn gen_into(dir: &Path, lang: &str, inputs: &[&str], extra: &[&str]) -> std::process::Output {
    let out = dir.to_string_lossy().into_owned();
    let mut args = vec!["codegen", "--lang", lang, "--out", out.as_str()];
    // The tests read `hnp_contract/...`; the default name comes from the contract's
    // title (tested on its own below).
    if !extra.contains(&"--name") && !inputs.contains(&"--name") {
        args.extend_from_slice(&["--name", "hnp-contract"]);
    }
    args.extend_from_slice(extra);
    args.extend_from_slice(inputs);
    run(&args)
}

fn files_under(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .expect("under dir")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&p).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

const HNP: &[&str] = &[
    "fixtures/hnp/asyncapi.yaml",
    "fixtures/hnp/asyncapi-2.6.yaml",
    "fixtures/hnp/openapi.yaml",
    "fixtures/hnp/sagas/crd-apply.saga.yaml",
    "fixtures/hnp/sagas/drift-reconcile.saga.yaml",
    "fixtures/hnp/sagas/gitops-sync.saga.yaml",
    "fixtures/hnp/projections/crd-live-status.projection.yaml",
    "fixtures/hnp/projections/drift-dashboard.projection.yaml",
    "fixtures/hnp/projections/fabric-sync-status.projection.yaml",
    "fixtures/hnp/projections/watch-health.projection.yaml",
];

/// Tagged unions (AsyncAPI 2.x and OpenAPI discriminators) and sagas with a parallel
/// group, a branch and a `when`, and with captured values, a conditional compensation
/// a step in flight awaited when its sibling fails, and a saga-wide deadline.
const FIXTURES: &[&str] = &[
    "fixtures/codegen/pets.asyncapi-2.6.yaml",
    "fixtures/codegen/events.openapi.yaml",
    "fixtures/codegen/sagas/adoption.saga.yaml",
    "fixtures/codegen/sagas/checkup.saga.yaml",
    "fixtures/codegen/sagas/fostering.saga.yaml",
    "fixtures/codegen/sagas/rehoming.saga.yaml",
];

fn file_of<'a>(files: &'a [(String, String)], path: &str) -> &'a str {
    files
        .iter()
        .find(|(p, _)| p == path)
        .map(|(_, t)| t.as_str())
        .unwrap_or("(missing)")
}

/// `lines` lines of `text` from the first line containing `from`.
fn slice(text: &str, from: &str, lines: usize) -> String {
    let start = text.find(from).unwrap_or(0);
    text[start..]
        .lines()
        .take(lines)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn hnp_output_is_deterministic_and_snapshotted() {
    for lang in ["rust", "python"] {
        let a = tempfile::tempdir().expect("tempdir");
        let b = tempfile::tempdir().expect("tempdir");
        let oa = gen_into(a.path(), lang, HNP, &[]);
        assert_eq!(code(&oa), 0, "{}", stderr(&oa));
        let ob = gen_into(b.path(), lang, HNP, &[]);
        assert_eq!(code(&ob), 0, "{}", stderr(&ob));
        let fa = files_under(a.path());
        assert_eq!(
            fa,
            files_under(b.path()),
            "{lang}: output differs between runs"
        );
        let mut snap = String::new();
        for (p, t) in &fa {
            snap.push_str(&format!("{p} ({} lines)\n", t.lines().count()));
        }
        // The event patterns (issue 16): publishers, the outbox, the idempotency guard
        // and the dead-letter path, with a consumer that has all of them.
        let key: &[&str] = if lang == "rust" {
            &[
                "src/handlers/git_commands.rs",
                "src/handlers/netbox_object_changes.rs",
                "src/outbox.rs",
                "src/idempotency.rs",
                "src/lib.rs",
                "Cargo.toml",
            ]
        } else {
            &[
                "hnp_contract/handlers/git_commands.py",
                "hnp_contract/handlers/netbox_object_changes.py",
                "hnp_contract/outbox.py",
                "hnp_contract/idempotency.py",
                "pyproject.toml",
            ]
        };
        for k in key {
            let t = fa
                .iter()
                .find(|(p, _)| p == k)
                .map(|(_, t)| t.as_str())
                .unwrap_or("(missing)");
            snap.push_str(&format!("\n==== {k}\n{t}"));
        }
        // A representative slice of the models: the CloudEvents headers.
        let models = if lang == "rust" {
            "src/models.rs"
        } else {
            "hnp_contract/models.py"
        };
        let m = fa
            .iter()
            .find(|(p, _)| p == models)
            .map(|(_, t)| t.as_str())
            .unwrap_or("");
        let start = m
            .find(if lang == "rust" {
                "pub struct CloudEventHeaders"
            } else {
                "class CloudEventHeaders"
            })
            .unwrap_or(0);
        let slice_text: String = m[start..].lines().take(40).collect::<Vec<_>>().join("\n");
        snap.push_str(&format!(
            "\n==== {models} (CloudEventHeaders)\n{slice_text}\n"
        ));
        // A saga module: its states and tables.
        let (saga, from, n) = if lang == "rust" {
            ("src/sagas/drift_reconcile.rs", "pub enum State", 45)
        } else {
            ("hnp_contract/sagas/drift_reconcile.py", "class State", 60)
        };
        snap.push_str(&format!(
            "\n==== {saga} (states and tables)\n{}\n",
            slice(file_of(&fa, saga), from, n)
        ));
        // A projection module (row type, reducers, read model), its scaffold and the
        // start of its generated tests (expectations from the simulator's fold).
        let (module, row, scaffold, tests, from) = if lang == "rust" {
            (
                "src/projections/fabric_sync_status.rs",
                "pub struct FabricSyncStatusRow",
                "src/projections_impl/fabric_sync_status.rs",
                "tests/projections.rs",
                "mod drift_dashboard",
            )
        } else {
            (
                "hnp_contract/projections/fabric_sync_status.py",
                "class FabricSyncStatusRow",
                "hnp_contract/projections_impl/fabric_sync_status.py",
                "tests/test_projections.py",
                "def _replay_drift_dashboard",
            )
        };
        snap.push_str(&format!(
            "\n==== {module}\n{}\n==== {models} (the row type)\n{}\n==== {scaffold}\n{}\n==== {tests} (drift-dashboard)\n{}\n",
            file_of(&fa, module),
            slice(m, row, 26),
            file_of(&fa, scaffold),
            slice(file_of(&fa, tests), from, 95),
        ));
        // The generated tests of that consumer's patterns.
        let (tests, from, n) = if lang == "rust" {
            (
                "tests/handlers.rs",
                "fn start_git_export_on_net_box_change_handler_1_publishes",
                160,
            )
        } else {
            (
                "tests/test_handlers.py",
                "class _ProbeStartGitExportOnNetBoxChangeHandler",
                90,
            )
        };
        snap.push_str(&format!(
            "\n==== {tests} (the patterns of startGitExportOnNetBoxChange)\n{}\n",
            slice(file_of(&fa, tests), from, n)
        ));
        insta::assert_snapshot!(format!("codegen_hnp_{lang}"), snap);
    }
}

#[test]
fn generated_files_carry_the_header_and_are_in_the_manifest() {
    let d = tempfile::tempdir().expect("tempdir");
    assert_eq!(code(&gen_into(d.path(), "rust", HNP, &[])), 0);
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(d.path().join(".hnp-events/manifest.json")).expect("manifest"),
    )
    .expect("json");
    let tracked = manifest["languages"]["rust"]
        .as_object()
        .expect("rust section");
    for (p, t) in files_under(d.path()) {
        if p.starts_with(".hnp-events") {
            continue;
        }
        let reducers = p.starts_with("src/projections_impl/") && p != "src/projections_impl/mod.rs";
        if p == "src/handlers_impl.rs" || p == "src/sagas_impl.rs" || reducers {
            assert!(!tracked.contains_key(&p), "the scaffold is not tracked");
            continue;
        }
        assert!(
            t.starts_with("// @generated by hnp-events — do not edit")
                || t.starts_with("# @generated by hnp-events — do not edit"),
            "{p}"
        );
        assert!(tracked.contains_key(&p), "{p} not in manifest");
    }
}

const SMALL_V1: &str = r#"asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  orders:
    address: orders
    messages:
      OrderPlaced: {$ref: '#/components/messages/OrderPlaced'}
  invoices:
    address: invoices
    messages:
      InvoiceSent: {$ref: '#/components/messages/InvoiceSent'}
operations:
  onOrderPlaced:
    action: receive
    channel: {$ref: '#/channels/orders'}
  onInvoiceSent:
    action: receive
    channel: {$ref: '#/channels/invoices'}
components:
  messages:
    OrderPlaced:
      payload: {type: object, properties: {id: {type: string}}}
    InvoiceSent:
      payload: {type: object, properties: {id: {type: string}}}
"#;

fn small_v2() -> String {
    // The `invoices` channel, its operation and message are gone.
    SMALL_V1
        .replace("  invoices:\n    address: invoices\n    messages:\n      InvoiceSent: {$ref: '#/components/messages/InvoiceSent'}\n", "")
        .replace("  onInvoiceSent:\n    action: receive\n    channel: {$ref: '#/channels/invoices'}\n", "")
        .replace("    InvoiceSent:\n      payload: {type: object, properties: {id: {type: string}}}\n", "")
}

/// A projection removed from the inputs takes its reducers scaffold with it when the
/// scaffold is as generated (a module importing the deleted one would break mypy and
/// the crate's build); an edited one is left in place and listed.
#[test]
fn removed_projection_scaffolds_go_unless_edited() {
    let work = tempfile::tempdir().expect("tempdir");
    let out = work.path().join("gen");
    let spec = "fixtures/hnp/asyncapi.yaml";
    let sync = "fixtures/hnp/projections/fabric-sync-status.projection.yaml";
    let drift = "fixtures/hnp/projections/drift-dashboard.projection.yaml";
    for lang in ["python", "rust"] {
        let out = out.join(lang);
        let o = gen_into(&out, lang, &[spec, sync, drift], &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let scaffold = match lang {
            "python" => out.join("hnp_contract/projections_impl/drift_dashboard.py"),
            _ => out.join("src/projections_impl/drift_dashboard.rs"),
        };
        assert!(scaffold.is_file(), "{}", files_under(&out).len());
        let kept = scaffold.with_file_name(match lang {
            "python" => "fabric_sync_status.py",
            _ => "fabric_sync_status.rs",
        });
        std::fs::write(&kept, "# mine\n").expect("edit the kept projection's scaffold");

        // Untouched: deleted with its projection.
        let o = gen_into(&out, lang, &[spec, sync], &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(!scaffold.exists(), "{lang}: {}", stdout(&o));
        assert_eq!(std::fs::read_to_string(&kept).expect("kept"), "# mine\n");

        // Edited: left in place and listed.
        let o = gen_into(&out, lang, &[spec, sync, drift], &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        std::fs::write(&scaffold, "# my reducers\n").expect("edit");
        let o = gen_into(&out, lang, &[spec, sync], &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(
            std::fs::read_to_string(&scaffold).expect("kept"),
            "# my reducers\n"
        );
        assert!(
            stdout(&o)
                .contains("keep (edited scaffold of a removed projection or saga: delete it)"),
            "{lang}: {}",
            stdout(&o)
        );
        // Nothing to do next time but that note: --check passes.
        assert_eq!(code(&gen_into(&out, lang, &[spec, sync], &["--check"])), 0);
    }
}

#[test]
fn regeneration_is_safe() {
    let work = tempfile::tempdir().expect("tempdir");
    let spec = work.path().join("api.yaml");
    std::fs::write(&spec, SMALL_V1).expect("write spec");
    let spec_s = spec.to_string_lossy().into_owned();
    let out = work.path().join("gen");
    let o = gen_into(&out, "rust", &[&spec_s], &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let invoices = out.join("src/handlers/invoices.rs");
    assert!(invoices.is_file());

    // An untouched re-run changes nothing; --check agrees.
    let before = files_under(&out);
    let o = gen_into(&out, "rust", &[&spec_s], &[]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("up to date"), "{}", stdout(&o));
    assert_eq!(before, files_under(&out));
    assert_eq!(code(&gen_into(&out, "rust", &[&spec_s], &["--check"])), 0);

    // The scaffold is the user's: edits survive regeneration.
    let scaffold = out.join("src/handlers_impl.rs");
    let mine = format!(
        "{}\n// my code\n",
        std::fs::read_to_string(&scaffold).expect("scaffold")
    );
    std::fs::write(&scaffold, &mine).expect("edit scaffold");

    // A removed channel: --check reports it (exit 1), --dry-run lists it, a run deletes it.
    std::fs::write(&spec, small_v2()).expect("write spec");
    let c = gen_into(&out, "rust", &[&spec_s], &["--check"]);
    assert_eq!(code(&c), 1);
    assert!(
        stdout(&c).contains("delete") && stdout(&c).contains("src/handlers/invoices.rs"),
        "{}",
        stdout(&c)
    );
    let d = gen_into(&out, "rust", &[&spec_s], &["--dry-run"]);
    assert_eq!(code(&d), 0);
    assert!(invoices.is_file(), "--dry-run wrote nothing");
    let o = gen_into(&out, "rust", &[&spec_s], &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!invoices.exists(), "stale generated file deleted");
    assert_eq!(std::fs::read_to_string(&scaffold).expect("scaffold"), mine);

    // A hand edit of a generated file stops the run, naming the file; --force overrides.
    let models = out.join("src/models.rs");
    std::fs::write(&models, "// hand edit\n").expect("edit");
    std::fs::write(&spec, SMALL_V1).expect("write spec");
    let o = gen_into(&out, "rust", &[&spec_s], &[]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("src/models.rs") && stderr(&o).contains("edited by hand"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(&models).expect("models"),
        "// hand edit\n"
    );
    assert!(
        !out.join("src/handlers/invoices.rs").exists(),
        "a refused run writes nothing"
    );
    let o = gen_into(&out, "rust", &[&spec_s], &["--force"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(&models)
            .expect("models")
            .starts_with("// @generated")
    );
    assert_eq!(code(&gen_into(&out, "rust", &[&spec_s], &["--check"])), 0);
}

const HOSTILE: &str = r#"asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  '../../etc/x':
    address: '../../etc/x'
    messages:
      self: {$ref: '#/components/messages/self'}
operations:
  type:
    action: receive
    channel: {$ref: '#/channels/../../etc/x'}
components:
  schemas:
    '../../etc/x': {type: object, description: 'Ends in a quote: "x"', properties: {self: {type: string}, type: {type: string}, class: {type: integer}, match: {type: boolean}, 'a b-c': {type: string}}}
    self: {type: object, properties: {x: {$ref: '#/components/schemas/..~1..~1etc~1x'}, match: {type: string, enum: [self, type, '', '1a']}}}
    type: {type: string}
    class: {type: object, properties: {next: {$ref: '#/components/schemas/class'}}}
    match: {oneOf: [{$ref: '#/components/schemas/self'}, {$ref: '#/components/schemas/class'}]}
    Option: {type: string}
    'True': {type: object, description: "Fenced:\n\n```\nfn main() { panic!() }\n```\n\n\tTabbed \\ back\\slash \"\"\" quotes\n\n    let x: u8 = 300;\n", properties: {model_dump_: {type: string}, case: {type: integer}, _: {type: string}, str: {type: string}, models: {type: string}}}
    'False': {type: object, description: "~~~~rust\nassert!(false);\n~~~~", properties: {None: {type: boolean}, 'True': {$ref: '#/components/schemas/True'}}}
  messages:
    self:
      payload:
        type: object
        properties:
          a: {$ref: '#/components/schemas/self'}
          b: {$ref: '#/components/schemas/match'}
          c: {$ref: '#/components/schemas/type'}
          d: {$ref: '#/components/schemas/Option'}
          e: {$ref: '#/components/schemas/..~1..~1etc~1x'}
          f: {$ref: '#/components/schemas/True'}
          g: {$ref: '#/components/schemas/False'}
"#;

/// A saga whose names are keywords, quotes, backslashes and line breaks.
const HOSTILE_SAGA: &str = r#"saga: type
version: '1 """ \'
description: "ends with a quote\\ \"\"\"\n*/ and more"
contract: hostile.yaml
correlation: /headers/correlationid
start: {message: "self", when: {pointer: "/payload/a~1b", equals: {"k": [1, "\"x"]}}}
steps:
  - id: "Se\"lf\\"
    send: "say \"hi\""
    on: "done\\"
    fail: ['no"']
    retry: {max: 2}
    compensation: {send: "undo\n*/", confirm: "undone \"\"\""}
  - parallel:
      - {id: "fn", send: "match", on: "type", timeout: 1s, onTimeout: retry, retry: {max: 2}}
      - {id: "\u00e9t\u00e9", on: "class", when: {pointer: /payload/x, equals: null}, timeout: 1s, onTimeout: complete}
  - branch:
      id: "None"
      on: "self"
      pointer: "/payload/k"
      cases:
        "\"": [{id: "r#x", send: "s\"", on: "t\"", pivot: true}]
        "1": []
emits: {onComplete: ["\"end\""], onFailure: []}
"#;

fn hostile_saga(work: &Path) -> String {
    let saga = work.join("type.saga.yaml");
    std::fs::write(&saga, HOSTILE_SAGA).expect("write saga");
    saga.to_string_lossy().into_owned()
}

/// A projection over the hostile contract whose name is a keyword and whose reducer and
/// texts hold code fences, quotes and backslashes, with a stream beside it.
const HOSTILE_PROJECTION: &str = r##"projection: type
version: '1 """ \'
description: "ends with a quote\\ \"\"\"\n*/ and more"
contract: hostile.yaml
key: /payload/c
state:
  type: object
  additionalProperties: false
  properties:
    type: {type: string}
    self: {type: string}
    since: {type: integer}
    'a b-c': {$ref: 'hostile.yaml#/components/schemas/True'}
initial: {}
on:
  self: |-
    .type = $event.payload.c
    | .since = $event.time | .self = "```\"\"\" \\ \(.type) */"
"##;

fn hostile_projection(work: &Path) -> String {
    let p = work.join("type.projection.yaml");
    std::fs::write(&p, HOSTILE_PROJECTION).expect("write projection");
    std::fs::create_dir_all(work.join("streams")).expect("streams");
    std::fs::write(
        work.join("streams/one.jsonl"),
        r#"{"time":"2026-01-01T00:00:00.000Z","message":"self","headers":{"id":"1"},"payload":{"c":"k\"1"}}
{"time":"2026-01-01T00:00:01.000Z","message":"self","headers":{"id":"2"},"payload":{"c":"2"}}
"#,
    )
    .expect("write stream");
    p.to_string_lossy().into_owned()
}

fn hostile_spec(work: &Path) -> String {
    let spec = work.join("hostile.yaml");
    std::fs::write(&spec, HOSTILE).expect("write spec");
    spec.to_string_lossy().into_owned()
}

#[test]
fn hostile_names_stay_inside_and_are_sanitised() {
    let work = tempfile::tempdir().expect("tempdir");
    let spec = hostile_spec(work.path());
    let saga = hostile_saga(work.path());
    let projection = hostile_projection(work.path());
    for lang in ["rust", "python"] {
        let out = work.path().join("deep/gen").join(lang);
        // The hostile names are invalid component names: generated anyway.
        let o = gen_into(
            &out,
            lang,
            &[&spec, &saga, &projection],
            &["--allow-invalid"],
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        for (p, _) in files_under(&out) {
            assert!(!p.contains(".."), "{p}");
        }
        assert!(!work.path().join("deep/etc").exists() && !work.path().join("etc").exists());
    }
    let models =
        std::fs::read_to_string(work.path().join("deep/gen/rust/src/models.rs")).expect("models");
    assert!(models.contains("pub r#type: Option<String>"), "{models}");
    assert!(models.contains("pub self_: Option<String>"), "{models}");
    assert!(models.contains("pub struct EtcX"), "{models}");
    assert!(models.contains("pub type Option2 = String;"), "{models}");
    assert!(
        models.contains("Box<"),
        "recursive `class` is boxed: {models}"
    );
    // The saga `type` is a keyword: its module gets a suffix.
    let saga_rs = std::fs::read_to_string(work.path().join("deep/gen/rust/src/sagas/type_saga.rs"))
        .expect("saga module");
    assert!(
        saga_rs.contains("pub const NAME: &str = \"type\";"),
        "{saga_rs}"
    );
    assert!(
        work.path()
            .join("deep/gen/python/hnp_contract/sagas/type_saga.py")
            .is_file()
    );
    // So does the projection `type`; the code fence in its reducer is no fence in the
    // doc comment (one opened and closed per reducer), and its stream gets a test.
    let projection_rs = std::fs::read_to_string(
        work.path()
            .join("deep/gen/rust/src/projections/type_projection.rs"),
    )
    .expect("projection module");
    assert_eq!(projection_rs.matches("```").count(), 2, "{projection_rs}");
    assert!(
        projection_rs.contains("pub type Row = crate::models::TypeRow;"),
        "{projection_rs}"
    );
    let tests = std::fs::read_to_string(
        work.path()
            .join("deep/gen/python/tests/test_projections.py"),
    )
    .expect("projection tests");
    assert!(
        tests.contains("def test_type_projection_replays_one() -> None:"),
        "{tests}"
    );
    let py = std::fs::read_to_string(work.path().join("deep/gen/python/hnp_contract/models.py"))
        .expect("models");
    assert!(
        py.contains("class_: int | None = Field(default=None, alias=\"class\")"),
        "{py}"
    );
    // A docstring ending in a quote stays valid Python.
    assert!(py.contains("\"\"\"Ends in a quote: \"x\" \"\"\""), "{py}");
    // Python constants and pydantic's `model_` namespace are not names (issue 11, 14).
    assert!(
        py.contains("class True2(BaseModel):") && py.contains("class False2(BaseModel):"),
        "{py}"
    );
    assert!(
        !py.contains("class True(") && !py.contains("class False("),
        "{py}"
    );
    assert!(py.contains("field_model_dump: str | None"), "{py}");
    assert!(py.contains("case_: int | None"), "{py}");
    assert!(py.contains("models_: str | None"), "{py}");
    // Descriptions are never doctests: fences become `text`, indented code is not code,
    // tabs are spaces (issue 11, 15).
    assert!(
        models.contains("/// ```text\n/// fn main() { panic!() }\n/// ```"),
        "{models}"
    );
    assert!(
        models.contains("/// ~~~~text\n/// assert!(false);\n/// ~~~~"),
        "{models}"
    );
    assert!(!models.contains('\t'), "{models}");
    assert!(models.contains("///    let x: u8 = 300;"), "{models}");
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_output_folder_are_refused() {
    let work = tempfile::tempdir().expect("tempdir");
    let outside = work.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    let out = work.path().join("gen");
    std::fs::create_dir_all(&out).expect("mkdir");
    std::os::unix::fs::symlink(&outside, out.join("src")).expect("symlink");
    let spec = work.path().join("api.yaml");
    std::fs::write(&spec, SMALL_V1).expect("write");
    let o = gen_into(&out, "rust", &[&spec.to_string_lossy()], &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(&outside).expect("dir").count(), 0);
}

#[test]
fn discriminators_become_tagged_unions() {
    let work = tempfile::tempdir().expect("tempdir");
    let mut outs = Vec::new();
    for lang in ["rust", "python"] {
        let out = work.path().join(lang);
        let o = gen_into(&out, lang, FIXTURES, &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        outs.push(files_under(&out));
    }
    let rust = file_of(&outs[0], "src/models.rs");
    // AsyncAPI 2.x `discriminator: petType`, tags from the schema names.
    for want in [
        "/// Tagged by `petType`, which each variant struct keeps as a field: the\n/// generated `Deserialize` picks the variant by the tag and hands it the whole object.\n#[derive(Debug, Clone, PartialEq, Serialize)]\n#[serde(untagged)]\npub enum Pet {\n    Cat(Cat),",
        "\"Cat\" => serde_json::from_value(v)\n                .map(Self::Cat)",
        // OpenAPI mapping, by $ref and by bare name; a second tag is an alias.
        "\"created\" => serde_json::from_value(v)\n                .map(Self::Created)",
        "\"deleted\" | \"removed\" => serde_json::from_value(v)\n                .map(Self::Deleted)",
        // One-value enums as tags.
        "\"email\" => serde_json::from_value(v)\n                .map(Self::Email)",
        // The variant struct keeps its tag (it is whole on its own too).
        "pub struct Cat {\n    #[serde(rename = \"petType\")]\n    pub pet_type: String,\n    pub name: String,",
        // Fallbacks, with the reason.
        "untagged (kept as a field of each\n/// variant): variant 2 is not an object type, so it cannot carry the `unit` tag.\n#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]\n#[serde(untagged)]\npub enum Reading",
        "`Car` is also used on its own, so its struct keeps the `kind` field.",
    ] {
        assert!(rust.contains(want), "missing {want:?} in:\n{rust}");
    }
    let py = file_of(&outs[1], "hnp_contract/models.py");
    for want in [
        "Pet: TypeAlias = Annotated[Cat | Dog, Field(discriminator=\"pet_type\")]",
        "pet_type: Literal[\"Cat\"] = Field(alias=\"petType\")",
        "AuditEvent: TypeAlias = Annotated[Created | Deleted, Field(discriminator=\"type_\")]",
        "type_: Literal[\"deleted\", \"removed\"] = Field(alias=\"type\")",
        "channel: Literal[\"sms\"]",
        // A variant struct used on its own: untagged in Python too, like in Rust.
        "# Discriminated by `kind` but not a pydantic discriminated union: `Car` is also used on its own, so its struct keeps the `kind` field.\nVehicle: TypeAlias = Car | Bike",
        "class Car(BaseModel):\n    model_config = ConfigDict(populate_by_name=True)\n    kind: str\n",
        "# Discriminated by `unit` but not a pydantic discriminated union: variant 2 is not an object type, so it cannot carry the `unit` tag.\nReading: TypeAlias = Temperature | float",
    ] {
        assert!(py.contains(want), "missing {want:?} in:\n{py}");
    }
    // No discriminator: untagged, as before (the hostile-names `match` union).
    let spec = hostile_spec(work.path());
    let out = work.path().join("hostile");
    assert_eq!(
        code(&gen_into(&out, "rust", &[&spec], &["--allow-invalid"])),
        0
    );
    let m = std::fs::read_to_string(out.join("src/models.rs")).expect("models");
    assert!(
        m.contains("#[serde(untagged)]\npub enum Match") && !m.contains("serde(tag"),
        "{m}"
    );
}

#[test]
fn sagas_come_from_the_configuration_or_the_paths() {
    let work = tempfile::tempdir().expect("tempdir");
    // No PATH: the documents and sagas of ./hnp-events.yaml.
    let out = work.path().join("all");
    let o = gen_into(&out, "rust", &[], &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for m in ["crd_apply", "drift_reconcile", "gitops_sync"] {
        assert!(out.join(format!("src/sagas/{m}.rs")).is_file(), "{m}");
    }
    // Only a saga: the configured documents, that saga's module only.
    let out = work.path().join("one");
    let o = gen_into(
        &out,
        "python",
        &["fixtures/hnp/sagas/gitops-sync.saga.yaml"],
        &[],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let files: Vec<String> = files_under(&out).into_iter().map(|(p, _)| p).collect();
    let sagas: Vec<&String> = files
        .iter()
        .filter(|p| p.starts_with("hnp_contract/sagas/"))
        .collect();
    assert_eq!(
        sagas,
        [
            "hnp_contract/sagas/__init__.py",
            "hnp_contract/sagas/_runtime.py",
            "hnp_contract/sagas/gitops_sync.py"
        ]
    );
    assert!(files.contains(&"hnp_contract/models.py".to_string()));
    // Documents only: no saga files at all.
    let out = work.path().join("none");
    assert_eq!(
        code(&gen_into(
            &out,
            "rust",
            &["fixtures/hnp/asyncapi.yaml"],
            &[]
        )),
        0
    );
    assert!(!out.join("src/sagas").exists() && !out.join("tests/sagas.rs").exists());
    let lib = std::fs::read_to_string(out.join("src/lib.rs")).expect("lib");
    assert!(!lib.contains("sagas"), "{lib}");
    // A broken saga: exit 2, located.
    let bad = work.path().join("bad.saga.yaml");
    std::fs::write(
        &bad,
        "saga: x\nversion: 1\ncontract: api.yaml\ncorrelation: /headers/id\nstart: A\nsteps:\n  - id: s\n    sendd: B\n    on: C\n",
    )
    .expect("write");
    let o = gen_into(
        &work.path().join("bad"),
        "rust",
        &["fixtures/hnp/asyncapi.yaml", &bad.to_string_lossy()],
        &[],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("bad.saga.yaml:8:5") && stderr(&o).contains("unknown field `sendd`"),
        "{}",
        stderr(&o)
    );
    assert!(!work.path().join("bad").exists(), "nothing written");
}

#[test]
fn saga_tests_are_derived_from_the_saga_and_the_scaffold_is_kept() {
    let work = tempfile::tempdir().expect("tempdir");
    let out = work.path().join("gen");
    assert_eq!(code(&gen_into(&out, "rust", HNP, &[])), 0);
    let tests = std::fs::read_to_string(out.join("tests/sagas.rs")).expect("tests");
    // gitops-sync: apply-netbox completed, update-status fails on its 3 attempts, the
    // NetBox snapshot is restored.
    let failure = slice(&tests, "mod gitops_sync", 400);
    let failure = slice(&failure, "fn failure_is_compensated", 30);
    // The events carry the values the saga captures (named after the capture and where it
    // is read), and the commands carry them (`with`): the restore, the snapshot the apply
    // reported.
    for want in [
        "Feed::Event(\"ConflictDetectionCompleted\", None),\n            Feed::Event(\"NetBoxChangesApplied\", Some(r#\"{\"payload\":{\"snapshotId\":\"snapshotId@apply-netbox\"}}\"#)),\n            Feed::Event(\"FabricStatusUpdateFailed\", None),\n            Feed::Event(\"FabricStatusUpdateFailed\", None),\n            Feed::Event(\"FabricStatusUpdateFailed\", None),\n            Feed::Event(\"NetBoxSnapshotRestored\", None),",
        "State::Compensated",
        "\"send ApplyToNetBox {\\\"fabricId\\\":\\\"fabricId@start\\\",\\\"stagingId\\\":\\\"stagingId@stage-crds\\\",\\\"syncId\\\":\\\"syncId@start\\\"}\"",
        "\"compensate RestoreNetBoxSnapshot {\\\"fabricId\\\":\\\"fabricId@start\\\",\\\"snapshotId\\\":\\\"snapshotId@apply-netbox\\\",\\\"syncId\\\":\\\"syncId@start\\\"}\", \"emit SyncFailed\"",
    ] {
        assert!(failure.contains(want), "missing {want:?} in:\n{failure}");
    }
    // gitops-sync: `SyncFailed` (`abortOn`) while `update-status` is in flight: its
    // outcome is awaited (it completes), then it is compensated before the apply.
    let abort = slice(
        &slice(&tests, "mod gitops_sync", 2000),
        "fn an_abort_gives_up",
        20,
    );
    for want in [
        "Feed::Event(\"SyncFailed\", None),\n            Feed::Event(\"FabricStatusUpdated\", None),\n            Feed::Event(\"SyncErrorMarked\", None),\n            Feed::Event(\"NetBoxSnapshotRestored\", None),",
        "State::Compensated",
        "\"compensate MarkSyncError {\\\"fabricId\\\":\\\"fabricId@start\\\",\\\"syncId\\\":\\\"syncId@start\\\"}\", \"compensate RestoreNetBoxSnapshot",
    ] {
        assert!(abort.contains(want), "missing {want:?} in:\n{abort}");
    }
    // gitops-sync: every attempt of `apply-netbox` times out; the restore runs without a
    // snapshot id (none captured), the late success reports one and the restore runs again
    // with it.
    let late = slice(
        &slice(&tests, "mod gitops_sync", 2000),
        "fn a_late_success_is_compensated_again",
        20,
    );
    for want in [
        "Feed::Timer,\n            Feed::Timer,\n            Feed::Event(\"NetBoxChangesApplied\", Some(r#\"{\"payload\":{\"snapshotId\":\"snapshotId@apply-netbox\"}}\"#)),\n            Feed::Event(\"NetBoxSnapshotRestored\", None),\n            Feed::Event(\"NetBoxSnapshotRestored\", None),",
        "\"compensate RestoreNetBoxSnapshot {\\\"fabricId\\\":\\\"fabricId@start\\\",\\\"syncId\\\":\\\"syncId@start\\\"}\", \"compensate RestoreNetBoxSnapshot {\\\"fabricId\\\":\\\"fabricId@start\\\",\\\"snapshotId\\\":\\\"snapshotId@apply-netbox\\\",\\\"syncId\\\":\\\"syncId@start\\\"}\"",
    ] {
        assert!(late.contains(want), "missing {want:?} in:\n{late}");
    }
    // drift-reconcile: the `favor_git` case is a pivot, so the failure path takes `favor_cluster`.
    let drift = slice(&tests, "mod drift_reconcile", 400);
    assert!(
        drift.contains("favor_cluster") && drift.contains("compensate RevertCommit"),
        "{drift}"
    );
    // rehoming (codegen fixtures): a compensation skipped by its `if`, and a step in
    // flight awaited when its sibling fails, then compensated.
    let fx = work.path().join("fixtures");
    assert_eq!(code(&gen_into(&fx, "rust", FIXTURES, &[])), 0);
    let fx_tests = std::fs::read_to_string(fx.join("tests/sagas.rs")).expect("tests");
    let rehoming = slice(&fx_tests, "mod rehoming", 400);
    let skipped = slice(&rehoming, "fn a_conditional_compensation_is_skipped", 40);
    for want in [
        "Feed::Event(\"FeeCharged\", Some(r#\"{\"payload\":{\"id\":\"waived-\"}}\"#)),",
        "assert_eq!(recorder.0, [\"CancelVisit {\\\"reservationId\\\":\\\"reservationId@reserve-pet\\\"}\", \"ReleasePet {\\\"petId\\\":\\\"petId@start\\\"}\"]);",
    ] {
        assert!(skipped.contains(want), "missing {want:?} in:\n{skipped}");
    }
    let awaited = slice(&rehoming, "fn an_in_flight_step_is_awaited", 30);
    assert!(
        awaited.contains("Feed::Event(\"FeeDeclined\", None),\n            Feed::Event(\"VisitBooked\", None),\n            Feed::Event(\"VisitCancelled\", None),\n            Feed::Event(\"PetReleased\", None),")
            && awaited.contains("State::Compensated"),
        "{awaited}"
    );
    // The hooks scaffold is the user's.
    let scaffold = out.join("src/sagas_impl.rs");
    let mine = format!(
        "{}\n// mine\n",
        std::fs::read_to_string(&scaffold).expect("scaffold")
    );
    std::fs::write(&scaffold, &mine).expect("write");
    let o = gen_into(&out, "rust", HNP, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("up to date"), "{}", stdout(&o));
    assert_eq!(std::fs::read_to_string(&scaffold).expect("scaffold"), mine);
}

/// The fixture saga whose generated tests carry captured values, skip a conditional
/// compensation and await a step in flight: `simulate` does the same with its stream
/// (and the golden file records it).
#[test]
fn rehoming_fixture_stream_meets_its_golden_file() {
    let o = run(&[
        "simulate",
        "fixtures/codegen/sagas/rehoming.saga.yaml",
        "--events",
        "fixtures/codegen/streams/rehoming.jsonl",
        "--expect",
        "fixtures/codegen/streams/rehoming.expect.json",
        "--timelines",
    ]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    for want in [
        "send BookVisit {reservationId: \"res-1\"} [book-visit]",
        "skip compensation of charge-fee: RefundFee",
        "giving up: wait for the outcome of book-visit (in flight) before compensating",
        "compensate book-visit: send CancelVisit {reservationId: \"res-3\"}",
        "compensate book-visit: send CancelVisit {reservationId: \"res-2\"}",
        "0 violations",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
}

#[test]
fn projection_modules_fold_their_streams_and_keep_the_reducers() {
    let work = tempfile::tempdir().expect("tempdir");
    let out = work.path().join("gen");
    let drift = "fixtures/hnp/projections/drift-dashboard.projection.yaml";
    // A projection PATH alone: the configured documents, that projection's module only.
    let o = gen_into(&out, "rust", &[drift], &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let files: Vec<String> = files_under(&out)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.contains("projection"))
        .collect();
    assert_eq!(
        files,
        [
            "src/projections/drift_dashboard.rs",
            "src/projections/mod.rs",
            "src/projections_impl/drift_dashboard.rs",
            "src/projections_impl/mod.rs",
            "tests/projections.rs"
        ]
    );
    // The test of the stream beside it expects the simulator's rows.
    let tests = std::fs::read_to_string(out.join("tests/projections.rs")).expect("tests");
    let sim = run(&[
        "simulate",
        drift,
        "--events",
        "fixtures/hnp/projections/streams/drift.jsonl",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&sim)).expect("json report");
    let rows = report
        .pointer("/projections/0/rows")
        .or_else(|| report.pointer("/rows"))
        .cloned()
        .unwrap_or_else(|| panic!("rows in {report}"));
    let rows = serde_json::to_string(&rows).expect("rows");
    assert!(tests.contains("fn replays_drift()"), "{tests}");
    assert!(tests.contains(&format!("r#\"{rows}\"#")), "{rows}\n{tests}");
    // The reducers are the user's: kept on regeneration; the trait follows the file.
    let scaffold = out.join("src/projections_impl/drift_dashboard.rs");
    let mine = std::fs::read_to_string(&scaffold)
        .expect("scaffold")
        .replace("let _ = (row, event);", "let _ = (row, event); // mine");
    std::fs::write(&scaffold, &mine).expect("write");
    let o = gen_into(&out, "rust", &[drift], &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&scaffold).expect("scaffold"), mine);
    // A projection the checks find flawed is refused, located, unless --allow-invalid;
    // an upcast file gets no module.
    let unsafe_counter = "fixtures/hnp/projections/sync-counter-unsafe.projection.yaml";
    let o = gen_into(&work.path().join("bad"), "python", &[unsafe_counter], &[]);
    assert_eq!(code(&o), 1);
    assert!(!work.path().join("bad").exists());
    assert!(
        stderr(&o).contains("sync-counter-unsafe.projection.yaml:15:18: projection-not-idempotent"),
        "{}",
        stderr(&o)
    );
    let o = gen_into(
        &work.path().join("bad"),
        "python",
        &[
            unsafe_counter,
            "fixtures/hnp/projections/watch-errored-v2.upcast.yaml",
        ],
        &["--allow-invalid"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let modules: Vec<String> = files_under(&work.path().join("bad/hnp_contract/projections"))
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        modules,
        ["__init__.py", "_runtime.py", "sync_counter_unsafe.py"]
    );
    // No PATH: the `projections:` of ./hnp-events.yaml (its upcast file gets no module).
    let fx = repo().join("fixtures/hnp");
    let config = format!(
        "documents: ['{}']\nprojections: ['{}', '{}']\n",
        fx.join("asyncapi.yaml").display(),
        fx.join("projections/drift-dashboard.projection.yaml")
            .display(),
        fx.join("projections/watch-errored-v2.upcast.yaml")
            .display()
    );
    std::fs::write(work.path().join("hnp-events.yaml"), config).expect("config");
    let o = crate::util::run_in(
        work.path(),
        &[
            "codegen",
            "--lang",
            "python",
            "--out",
            "configured",
            "--name",
            "hnp-contract",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let modules: Vec<String> =
        files_under(&work.path().join("configured/hnp_contract/projections"))
            .into_iter()
            .map(|(p, _)| p)
            .collect();
    assert_eq!(
        modules,
        ["__init__.py", "_runtime.py", "drift_dashboard.py"]
    );
}

#[test]
fn templates_are_listed_and_overridable() {
    let o = run(&["codegen", "--list-templates"]);
    assert_eq!(code(&o), 0);
    for t in [
        "models.rs.j2",
        "handlers_group.rs.j2",
        "models.py.j2",
        "handlers_group.py.j2",
        "saga.rs.j2",
        "sagas_runtime.rs.j2",
        "sagas_impl.rs.j2",
        "tests_sagas.rs.j2",
        "sagas_saga.py.j2",
        "sagas__runtime.py.j2",
        "sagas_impl.py.j2",
        "tests_test_sagas.py.j2",
        "saga: {name, name_lit, name_doc, module",
    ] {
        assert!(stdout(&o).contains(t), "{}", stdout(&o));
    }
    let work = tempfile::tempdir().expect("tempdir");
    let tdir = work.path().join("tpl");
    std::fs::create_dir_all(&tdir).expect("mkdir");
    std::fs::write(
        tdir.join("Cargo.toml.j2"),
        "[package]\nname = \"{{ crate_name }}\"\n# custom\n",
    )
    .expect("write");
    let out = work.path().join("gen");
    let t = tdir.to_string_lossy().into_owned();
    let o = gen_into(&out, "rust", HNP, &["--templates", &t]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(out.join("Cargo.toml"))
            .expect("toml")
            .contains("# custom")
    );
    let help = run(&["codegen", "--help"]);
    assert!(stdout(&help).contains("Examples:"));
}

// ---- end to end: the generated code builds, lints, type-checks and passes its tests ----

fn e2e() -> bool {
    std::env::var_os("HNP_CODEGEN_E2E").is_some_and(|v| v == "1")
}

fn sh(dir: &Path, prog: &str, args: &[&str]) {
    let o = Command::new(prog)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{prog}: {e}"));
    assert!(
        o.status.success(),
        "{prog} {args:?} in {}:\n{}\n{}",
        dir.display(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn check_rust(dir: &Path, full: bool) {
    let target = std::env::var("HNP_CODEGEN_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join("target/codegen-e2e"));
    let t = target.to_string_lossy().into_owned();
    // As generated, the crate is as rustfmt lays it out: the regenerated modules are
    // `rustfmt::skip`, the scaffolds written in rustfmt's layout (a scaffold a test filled
    // in by hand is the test's code).
    if scaffolds_unedited(dir, "rust") {
        sh(dir, "cargo", &["fmt", "--check"]);
    }
    if !full {
        // Large specs: the library, linted (about 2 min of CPU for NetBox's ~88,000 lines
        // of models, against 30 s for `cargo check`); the test targets would take minutes
        // more on two cores.
        sh(
            dir,
            "cargo",
            &[
                "clippy",
                "--lib",
                "--target-dir",
                &t,
                "--",
                "-D",
                "warnings",
            ],
        );
        return;
    }
    sh(
        dir,
        "cargo",
        &[
            "clippy",
            "--all-targets",
            "--target-dir",
            &t,
            "--",
            "-D",
            "warnings",
        ],
    );
    sh(dir, "cargo", &["test", "--target-dir", &t]);
}

/// Whether every scaffold of `lang` under `dir` is as generated (its manifest hash).
fn scaffolds_unedited(dir: &Path, lang: &str) -> bool {
    let text = std::fs::read_to_string(dir.join(".hnp-events/manifest.json")).expect("manifest");
    let manifest: serde_json::Value = serde_json::from_str(&text).expect("manifest JSON");
    manifest["scaffolds"][lang].as_object().is_none_or(|m| {
        m.iter().all(|(p, h)| {
            std::fs::read(dir.join(p.as_str())).is_ok_and(|b| {
                Some(hnp_events::codegen::manifest::hash_bytes(&b).as_str()) == h.as_str()
            })
        })
    })
}

/// The generated files of `lang` under `dir` ending in `ext`, as they were generated (the
/// manifest's hash still matches: a scaffold the test filled in by hand is the test's code).
fn generated_files(dir: &Path, lang: &str, ext: &str) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(".hnp-events/manifest.json")).expect("manifest");
    let manifest: serde_json::Value = serde_json::from_str(&text).expect("manifest JSON");
    let mut files: Vec<String> = manifest["languages"][lang]
        .as_object()
        .expect("manifest languages")
        .iter()
        .filter(|(p, h)| {
            p.ends_with(ext)
                && std::fs::read(dir.join(p.as_str())).is_ok_and(|b| {
                    Some(hnp_events::codegen::manifest::hash_bytes(&b).as_str()) == h.as_str()
                })
        })
        .map(|(p, _)| p.clone())
        .collect();
    files.sort();
    files
}

/// The generated Python is as `ruff format` formats it (the package's `pyproject.toml`
/// configures it), so a user's `ruff format --check` passes.
fn check_python_format(dir: &Path) {
    let py = std::env::var("HNP_CODEGEN_PYTHON").unwrap_or_else(|_| "python3".into());
    let files = generated_files(dir, "python", ".py");
    assert!(
        !files.is_empty(),
        "no generated Python in {}",
        dir.display()
    );
    let mut args = vec!["-m", "ruff", "format", "--check", "--diff", "--no-cache"];
    args.extend(files.iter().map(String::as_str));
    sh(dir, &py, &args);
}

fn check_python(dir: &Path) {
    let py = std::env::var("HNP_CODEGEN_PYTHON").unwrap_or_else(|_| "python3".into());
    sh(dir, &py, &["-m", "compileall", "-q", "."]);
    sh(dir, &py, &["-m", "ruff", "check", "."]);
    check_python_format(dir);
    sh(
        dir,
        &py,
        &["-m", "mypy", "--strict", "hnp_contract", "tests"],
    );
    sh(dir, &py, &["-m", "pytest", "-q", "-p", "no:cacheprovider"]);
}

fn e2e_for(inputs: &[&str], full: bool) {
    let work = tempfile::tempdir().expect("tempdir");
    for lang in ["rust", "python"] {
        let out = work.path().join(lang);
        let o = gen_into(&out, lang, inputs, &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        if lang == "rust" {
            check_rust(&out, full)
        } else {
            check_python(&out)
        }
    }
}

#[test]
fn e2e_hnp() {
    if e2e() {
        e2e_for(HNP, true);
    }
}

#[test]
fn e2e_codegen_fixtures() {
    if e2e() {
        e2e_for(FIXTURES, true);
    }
}

/// A compensation added to a saga after the hooks scaffold was written: regenerating
/// keeps the scaffold, and both outputs still lint, type-check and pass their tests (the
/// new hook has a default: the Rust trait's, the Python protocol's, which the scaffold
/// class inherits).
#[test]
fn e2e_saga_compensation_added_keeps_the_scaffold() {
    if !e2e() {
        return;
    }
    let work = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(work.path().join("sagas")).expect("mkdir");
    let contract = work.path().join("pets.asyncapi-2.6.yaml");
    std::fs::copy(
        repo().join("fixtures/codegen/pets.asyncapi-2.6.yaml"),
        &contract,
    )
    .expect("copy contract");
    let saga = work.path().join("sagas/rehoming.saga.yaml");
    let text = std::fs::read_to_string(repo().join("fixtures/codegen/sagas/rehoming.saga.yaml"))
        .expect("saga");
    std::fs::write(&saga, &text).expect("write saga");
    let inputs = [
        contract.to_string_lossy().into_owned(),
        saga.to_string_lossy().into_owned(),
    ];
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    for lang in ["rust", "python"] {
        let o = gen_into(&work.path().join(lang), lang, &inputs, &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let scaffolds = [
        work.path().join("rust/src/sagas_impl.rs"),
        work.path().join("python/hnp_contract/sagas_impl.py"),
    ];
    let before: Vec<String> = scaffolds
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("scaffold"))
        .collect();
    // `home-check` now sends a command that changes something, with a compensation.
    let changed = text
        .replace(
            "  - id: home-check\n    on: HomeChecked",
            "  - id: home-check\n    send: BookVisit\n    on: HomeChecked",
        )
        .replace(
            "    timeout: 1h\n    onTimeout: fail\n    readOnly: true\n",
            "    timeout: 1h\n    onTimeout: fail\n    compensation: {send: CancelVisit, confirm: VisitCancelled, timeout: 30s}\n",
        );
    assert_ne!(changed, text);
    std::fs::write(&saga, &changed).expect("write saga");
    for lang in ["rust", "python"] {
        let o = gen_into(&work.path().join(lang), lang, &inputs, &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    for (p, b) in scaffolds.iter().zip(&before) {
        assert_eq!(
            &std::fs::read_to_string(p).expect("scaffold"),
            b,
            "{}",
            p.display()
        );
    }
    let module =
        std::fs::read_to_string(work.path().join("rust/src/sagas/rehoming.rs")).expect("module");
    assert!(module.contains("fn home_check_cancel_visit("), "{module}");
    check_rust(&work.path().join("rust"), true);
    check_python(&work.path().join("python"));
}

#[test]
fn e2e_hostile_names() {
    if e2e() {
        let work = tempfile::tempdir().expect("tempdir");
        let spec = hostile_spec(work.path());
        let saga = hostile_saga(work.path());
        let projection = hostile_projection(work.path());
        e2e_for(&["--allow-invalid", &spec, &saga, &projection], true);
    }
}

/// drift-dashboard's reducers written by hand, as a user would (Rust).
const DRIFT_RS: &str = r#"use crate::models;
use crate::projections::drift_dashboard::{Reducers, Row};
use crate::HandlerError;

#[derive(Debug, Default, Clone)]
pub struct DriftDashboard;

fn text<T: serde::Serialize>(v: T) -> Result<String, HandlerError> {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        other => Err(HandlerError::Failed(format!("{other:?}"))),
    }
}

impl Reducers for DriftDashboard {
    fn on_drift_detected(&self, row: &mut Row, event: &models::DriftDetected) -> Result<(), HandlerError> {
        row.drifted.insert(event.payload.resource_id.clone(), text(event.payload.severity)?);
        row.open = row.drifted.len() as i64;
        Ok(())
    }

    fn on_drift_resolved(&self, row: &mut Row, event: &models::DriftResolved) -> Result<(), HandlerError> {
        row.drifted.remove(&event.payload.resource_id);
        row.open = row.drifted.len() as i64;
        row.last_resolution = Some(text(event.payload.resolution)?);
        Ok(())
    }
}
"#;

/// The same in Python.
const DRIFT_PY: &str = r#"from __future__ import annotations

from .. import models
from ..projections.drift_dashboard import Row


class DriftDashboard:
    def on_drift_detected(self, row: Row, event: models.DriftDetected) -> Row:
        row.drifted[event.payload.resource_id] = event.payload.severity.value
        row.open = len(row.drifted)
        return row

    def on_drift_resolved(self, row: Row, event: models.DriftResolved) -> Row:
        row.drifted.pop(event.payload.resource_id, None)
        row.open = len(row.drifted)
        row.last_resolution = event.payload.resolution.value
        return row
"#;

fn sh_fails(dir: &Path, prog: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let o = Command::new(prog)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{prog}: {e}"));
    assert!(
        !o.status.success(),
        "{prog} {args:?} passed in {}",
        dir.display()
    );
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Reducers filled in by hand reproduce the simulator's rows (strict: nothing skipped);
/// a wrong one fails the generated tests; an untouched scaffold fails them when strict.
#[test]
fn e2e_projection_reducers_filled_in() {
    if !e2e() {
        return;
    }
    let work = tempfile::tempdir().expect("tempdir");
    let inputs = [
        "fixtures/hnp/asyncapi.yaml",
        "fixtures/hnp/projections/drift-dashboard.projection.yaml",
        "fixtures/hnp/projections/crd-live-status.projection.yaml",
    ];
    let strict = [("HNP_PROJECTIONS_STRICT", "1")];
    let target = std::env::var("HNP_CODEGEN_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join("target/codegen-e2e"));
    let t = target.to_string_lossy().into_owned();
    let py = std::env::var("HNP_CODEGEN_PYTHON").unwrap_or_else(|_| "python3".into());
    for lang in ["rust", "python"] {
        let out = work.path().join(lang);
        let o = gen_into(&out, lang, &inputs, &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let (file, mine) = if lang == "rust" {
            ("src/projections_impl/drift_dashboard.rs", DRIFT_RS)
        } else {
            ("hnp_contract/projections_impl/drift_dashboard.py", DRIFT_PY)
        };
        std::fs::write(out.join(file), mine).expect("write reducers");
        let run_tests = |env: &[(&str, &str)], pass: bool| -> String {
            let (prog, args): (&str, Vec<&str>) = if lang == "rust" {
                (
                    "cargo",
                    vec![
                        "test",
                        "--target-dir",
                        &t,
                        "--test",
                        "projections",
                        "drift_dashboard",
                    ],
                )
            } else {
                (
                    py.as_str(),
                    vec![
                        "-m",
                        "pytest",
                        "-q",
                        "-p",
                        "no:cacheprovider",
                        "tests/test_projections.py",
                        "-k",
                        "drift_dashboard",
                    ],
                )
            };
            if pass {
                let o = Command::new(prog)
                    .args(&args)
                    .envs(env.iter().copied())
                    .current_dir(&out)
                    .output()
                    .expect("run");
                assert!(
                    o.status.success(),
                    "{lang}: {}{}",
                    String::from_utf8_lossy(&o.stdout),
                    String::from_utf8_lossy(&o.stderr)
                );
                String::from_utf8_lossy(&o.stdout).into_owned()
            } else {
                sh_fails(&out, prog, &args, env)
            }
        };
        // Written: every drift test runs and passes, strict.
        let passed = run_tests(&strict, true);
        if lang == "python" {
            assert!(!passed.contains("skipped"), "{passed}");
        }
        // The untouched crd-live-status scaffold: skipped, or failed when strict.
        if lang == "rust" {
            sh(
                &out,
                "cargo",
                &[
                    "clippy",
                    "--all-targets",
                    "--target-dir",
                    &t,
                    "--",
                    "-D",
                    "warnings",
                ],
            );
            let o = sh_fails(
                &out,
                "cargo",
                &[
                    "test",
                    "--target-dir",
                    &t,
                    "--test",
                    "projections",
                    "crd_live_status",
                ],
                &strict,
            );
            assert!(
                o.contains("not implemented: crd-live-status: ResourceStatusChanged"),
                "{o}"
            );
        } else {
            sh(
                &out,
                &py,
                &["-m", "mypy", "--strict", "hnp_contract", "tests"],
            );
            let o = sh_fails(
                &out,
                &py,
                &[
                    "-m",
                    "pytest",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    "tests/test_projections.py",
                    "-k",
                    "crd_live_status",
                ],
                &strict,
            );
            assert!(
                o.contains("not implemented: crd-live-status: ResourceStatusChanged"),
                "{o}"
            );
        }
        // A wrong reducer (the count off by one) fails its streams' test.
        let wrong = mine
            .replacen(
                "row.drifted.len() as i64",
                "row.drifted.len() as i64 + 1",
                1,
            )
            .replacen(
                "row.open = len(row.drifted)",
                "row.open = len(row.drifted) + 1",
                1,
            );
        assert_ne!(wrong, mine);
        std::fs::write(out.join(file), wrong).expect("write reducers");
        let o = run_tests(&[], false);
        assert!(o.contains("replays_drift"), "{o}");
        // A reducer that folds this stream right but not idempotently: a redelivery
        // changes the row (the declared reducer's does not).
        let twice = mine
            .replacen(
                "row.last_resolution = Some(text(event.payload.resolution)?);",
                "row.last_resolution = Some(row.last_resolution.clone().unwrap_or_default() + &text(event.payload.resolution)?);",
                1,
            )
            .replacen(
                "row.last_resolution = event.payload.resolution.value",
                "row.last_resolution = (row.last_resolution or \"\") + event.payload.resolution.value",
                1,
            );
        assert_ne!(twice, mine);
        std::fs::write(out.join(file), twice).expect("write reducers");
        let o = run_tests(&[], false);
        assert!(
            o.contains("a redelivery of event 3 (DriftResolved) changes the rows"),
            "{o}"
        );
    }
}

#[test]
fn e2e_netbox() {
    if !e2e() {
        return;
    }
    let corpus = std::env::var("HNP_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join("../shared/corpus"));
    let spec = corpus.join("openapi/large/netbox-community__go-netbox__api__openapi.yaml");
    if spec.is_file() {
        e2e_for(&[&spec.to_string_lossy()], false);
    }
}

#[test]
fn unnamed_inline_messages_are_named_from_where_they_sit() {
    let work = tempfile::tempdir().expect("tempdir");
    let spec = work.path().join("inline.yaml");
    std::fs::write(
        &spec,
        "asyncapi: 2.6.0\ninfo: {title: t, version: '1'}\nchannels:\n  user/signedup:\n    subscribe:\n      message:\n        payload: {type: object, properties: {id: {type: string}}}\n  user/deleted:\n    publish:\n      message:\n        oneOf:\n          - payload: {type: object, properties: {id: {type: string}}}\n          - title: Deletion refused\n            payload: {type: object, properties: {why: {type: string}}}\n",
    )
    .expect("write");
    let out = work.path().join("out");
    let spec = spec.to_string_lossy().into_owned();
    let o = gen_into(&out, "rust", &[&spec], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let files = files_under(&out);
    let messages = file_of(&files, "src/messages.rs");
    for name in [
        "UserSignedupSubscribeMessage",
        "UserDeletedPublishMessage0",
        "DeletionRefused",
    ] {
        assert!(
            messages.contains(&format!("impl crate::models::{name} {{")),
            "{name} missing:\n{messages}"
        );
    }
    assert!(
        !messages.contains("impl crate::models::Message {"),
        "{messages}"
    );
}

/// Generates `spec` (an OpenAPI document) in both languages: (Rust models, Python models).
fn models_of(work: &Path, spec: &str) -> (String, String) {
    let path = work.join("spec.yaml");
    std::fs::write(&path, spec).expect("write");
    let path = path.to_string_lossy().into_owned();
    let mut out = Vec::new();
    for (lang, file) in [
        ("rust", "src/models.rs"),
        ("python", "hnp_contract/models.py"),
    ] {
        let dir = work.join(lang);
        let o = gen_into(&dir, lang, &[&path], &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        out.push(std::fs::read_to_string(dir.join(file)).expect("models"));
    }
    let py = out.pop().unwrap_or_default();
    (out.pop().unwrap_or_default(), py)
}

const PETS_HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema: {$ref: '#/components/schemas/Pet'}\n      responses: {'204': {description: ok}}\ncomponents:\n  schemas:\n";

#[test]
fn a_mapping_may_name_one_variant_under_several_tags() {
    let work = tempfile::tempdir().expect("tempdir");
    let spec = format!(
        "{PETS_HEAD}    Pet:\n      oneOf: [{{$ref: '#/components/schemas/Dog'}}, {{$ref: '#/components/schemas/Cat'}}]\n      discriminator:\n        propertyName: petType\n        mapping: {{dog: Dog, puppy: Dog, cat: Cat}}\n    Dog:\n      type: object\n      required: [petType]\n      properties: {{petType: {{type: string}}, bark: {{type: boolean}}}}\n    Cat:\n      type: object\n      required: [petType]\n      properties: {{petType: {{type: string}}, name: {{type: string}}}}\n"
    );
    let (rust, py) = models_of(work.path(), &spec);
    assert!(
        rust.contains(
            "\"dog\" | \"puppy\" => serde_json::from_value(v)\n                .map(Self::Dog)"
        ) && rust.contains("\"cat\" => serde_json::from_value(v)\n                .map(Self::Cat)"),
        "{rust}"
    );
    assert!(
        py.contains("pet_type: Literal[\"dog\", \"puppy\"] = Field(alias=\"petType\")")
            && py.contains("pet_type: Literal[\"cat\"] = Field(alias=\"petType\")")
            && py.contains(
                "Pet: TypeAlias = Annotated[Dog | Cat, Field(discriminator=\"pet_type\")]"
            ),
        "{py}"
    );
}

#[test]
fn a_derived_tag_the_variant_forbids_leaves_the_union_untagged() {
    let work = tempfile::tempdir().expect("tempdir");
    // Dog's petType only allows `dog`/`hound`, so the schema name `Dog` cannot be its tag.
    let spec = format!(
        "{PETS_HEAD}    Pet:\n      oneOf: [{{$ref: '#/components/schemas/Dog'}}, {{$ref: '#/components/schemas/Cat'}}]\n      discriminator: {{propertyName: petType}}\n    Dog:\n      type: object\n      required: [petType]\n      properties: {{petType: {{type: string, enum: [dog, hound]}}}}\n    Cat:\n      type: object\n      required: [petType]\n      properties: {{petType: {{type: string}}}}\n"
    );
    let (rust, py) = models_of(work.path(), &spec);
    let why = "the `petType` value `Dog` of variant `Dog` is not one its schema allows";
    assert!(
        rust.contains(&format!(
            "variant): {why}.\n///\n/// Several object variants accept"
        )) && rust.contains(
            "#[derive(Debug, Clone, PartialEq, Serialize)]\n#[serde(untagged)]\npub enum Pet"
        ) && rust.contains("impl<'de> Deserialize<'de> for Pet {")
            && !rust.contains("serde(tag"),
        "{rust}"
    );
    assert!(
        py.contains(&format!(
            "not a pydantic discriminated union: {why}.\nPet: TypeAlias = Dog | Cat"
        )) && !py.contains("Literal["),
        "{py}"
    );
}

#[test]
fn a_struct_in_unions_tagged_by_different_properties_keeps_both_fields() {
    let work = tempfile::tempdir().expect("tempdir");
    let spec = format!(
        "{PETS_HEAD}    Pet:\n      oneOf: [{{$ref: '#/components/schemas/Dog'}}, {{$ref: '#/components/schemas/Cat'}}]\n      discriminator: {{propertyName: petType}}\n    Animal:\n      oneOf: [{{$ref: '#/components/schemas/Dog'}}, {{$ref: '#/components/schemas/Fish'}}]\n      discriminator: {{propertyName: kind}}\n    Holder:\n      type: object\n      properties: {{animal: {{$ref: '#/components/schemas/Animal'}}}}\n    Dog:\n      type: object\n      required: [petType, kind]\n      properties: {{petType: {{type: string}}, kind: {{type: string}}}}\n    Cat:\n      type: object\n      required: [petType]\n      properties: {{petType: {{type: string}}}}\n    Fish:\n      type: object\n      required: [kind]\n      properties: {{kind: {{type: string}}}}\n"
    );
    let (rust, _) = models_of(work.path(), &spec);
    for want in [
        "variant): `Dog` is also a variant of a union tagged by `kind`, so its struct keeps the `petType` field.\n///\n/// Several object variants accept some of the same objects, and serde's untagged\n/// first match would take the first that fits (dropping the members only a later one\n/// knows): `Deserialize` is generated, trying the variants that know most of the\n/// object's members first.\n#[derive(Debug, Clone, PartialEq, Serialize)]\n#[serde(untagged)]\npub enum Pet",
        "variant): `Dog` is also a variant of a union tagged by `petType`, so its struct keeps the `kind` field.\n///\n/// Several object variants accept",
        "    #[serde(rename = \"petType\")]\n    pub pet_type: String,\n    pub kind: String,\n}",
    ] {
        assert!(rust.contains(want), "missing {want:?} in:\n{rust}");
    }
    assert!(!rust.contains("serde(tag"), "{rust}");
}

#[test]
fn saga_module_and_hooks_names_are_unique_and_clear_of_the_tests_imports() {
    let work = tempfile::tempdir().expect("tempdir");
    let contract =
        std::fs::canonicalize("fixtures/codegen/pets.asyncapi-2.6.yaml").expect("contract");
    let checkup =
        std::fs::read_to_string("fixtures/codegen/sagas/checkup.saga.yaml").expect("checkup");
    let mut inputs = vec![contract.to_string_lossy().into_owned()];
    for (file, name) in [
        ("a", "checkout-2"),
        ("b", "checkout2"),
        ("c", "rt"),
        ("d", "sagas impl"),
    ] {
        let text = checkup
            .replace("saga: checkup", &format!("saga: '{name}'"))
            .replace("../pets.asyncapi-2.6.yaml", &contract.to_string_lossy());
        let p = work.path().join(format!("{file}.saga.yaml"));
        std::fs::write(&p, text).expect("write");
        inputs.push(p.to_string_lossy().into_owned());
    }
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let out = work.path().join("py");
    let o = gen_into(&out, "python", &inputs, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let files = files_under(&out);
    let hooks = file_of(&files, "hnp_contract/sagas_impl.py");
    assert!(
        hooks.contains(
            "class Checkout2Hooks(checkout_2.Hooks):\n    \"\"\"Implements `sagas.checkout_2.Hooks`"
        ) && hooks.contains(
            "class Checkout2Hooks2(checkout2.Hooks):\n    \"\"\"Implements `sagas.checkout2.Hooks`"
        ),
        "{hooks}"
    );
    let tests = file_of(&files, "tests/test_sagas.py");
    assert!(
        tests.contains("from hnp_contract.sagas import _runtime as rt\nfrom hnp_contract.sagas import checkout2, checkout_2, rt_2, sagas_impl_2\n"),
        "{tests}"
    );
    for m in ["rt_2", "sagas_impl_2"] {
        assert!(
            files
                .iter()
                .any(|(p, _)| p == &format!("hnp_contract/sagas/{m}.py")),
            "{m}"
        );
    }
}

#[test]
fn property_names_and_tag_values_with_line_breaks_stay_in_their_comment() {
    let work = tempfile::tempdir().expect("tempdir");
    // Tagged (Rust `/// Tagged by`), and untagged with the bad tag value in the reason.
    let spec = format!(
        "{PETS_HEAD}    Pet:\n      oneOf: [{{$ref: '#/components/schemas/Dog'}}, {{$ref: '#/components/schemas/Cat'}}]\n      discriminator: {{propertyName: \"pet\\nType\"}}\n    Animal:\n      oneOf: [{{$ref: '#/components/schemas/Fish'}}, {{$ref: '#/components/schemas/Bird'}}]\n      discriminator:\n        propertyName: kind\n        mapping: {{\"fi\\nsh\": Fish}}\n    Holder:\n      type: object\n      properties: {{animal: {{$ref: '#/components/schemas/Animal'}}}}\n    Dog:\n      type: object\n      properties: {{bark: {{type: boolean}}}}\n    Cat:\n      type: object\n      properties: {{name: {{type: string}}}}\n    Fish:\n      type: object\n      required: [kind]\n      properties: {{kind: {{type: string, enum: [fish]}}}}\n    Bird:\n      type: object\n      properties: {{kind: {{type: string}}}}\n"
    );
    let (rust, py) = models_of(work.path(), &spec);
    for want in [
        "/// Tagged by `pet Type`.\n",
        "/// variant): the `kind` value `fi sh` of variant `Fish` is not one its schema allows.\n",
    ] {
        assert!(rust.contains(want), "missing {want:?} in:\n{rust}");
    }
    assert!(
        py.contains("# Discriminated by `kind` but not a pydantic discriminated union: the `kind` value `fi sh` of variant `Fish` is not one its schema allows.\nAnimal: TypeAlias = Fish | Bird\n"),
        "{py}"
    );
    for text in [&rust, &py] {
        assert!(
            !text
                .lines()
                .any(|l| l.starts_with("Type`") || l.starts_with("sh`")),
            "{text}"
        );
    }
}

/// Issue 11, 16: without a `discriminator`, variants told apart by a required `const`
/// property are tagged by it, so the superset variant (`Heartbeat`, a subset of `Update`'s
/// fields) cannot swallow an `update` message (websocket-gemini's `Market`).
/// A variant that does not declare the tag property: serde's internally tagged enum
/// carries the tag (the struct has no field for it).
#[test]
fn a_variant_without_the_tag_property_gets_a_serde_tagged_enum() {
    let work = tempfile::tempdir().expect("tempdir");
    let spec = format!(
        "{PETS_HEAD}    Pet:\n      oneOf: [{{$ref: '#/components/schemas/Dog'}}, {{$ref: '#/components/schemas/Cat'}}]\n      discriminator: {{propertyName: petType}}\n    Dog:\n      type: object\n      properties: {{bark: {{type: boolean}}}}\n    Cat:\n      type: object\n      required: [petType]\n      properties: {{petType: {{type: string}}, name: {{type: string}}}}\n"
    );
    let (rust, _) = models_of(work.path(), &spec);
    assert!(
        rust.contains("#[serde(tag = \"petType\")]\npub enum Pet {\n    #[serde(rename = \"Dog\")]\n    Dog(Dog),")
            && rust.contains("pub struct Cat {\n    #[serde(default, skip_serializing_if")
            && !rust.contains("pub pet_type"),
        "{rust}"
    );
}

#[test]
fn const_properties_discriminate_a_union_without_a_discriminator() {
    let work = tempfile::tempdir().expect("tempdir");
    // OpenAPI 3.1: `const` is a keyword there (3.0 would refuse the contract).
    let head = PETS_HEAD.replace("openapi: 3.0.3", "openapi: 3.1.0");
    let spec = format!(
        "{head}    Pet:\n      oneOf: [{{$ref: '#/components/schemas/Beat'}}, {{$ref: '#/components/schemas/Update'}}]\n    Beat:\n      type: object\n      required: [type]\n      properties: {{type: {{type: string, const: heartbeat}}, seq: {{type: integer}}}}\n    Update:\n      type: object\n      required: [type, events]\n      properties: {{type: {{type: string, const: update}}, seq: {{type: integer}}, events: {{type: array, items: {{type: string}}}}}}\n"
    );
    let (rust, py) = models_of(work.path(), &spec);
    assert!(
        rust.contains("\"heartbeat\" => serde_json::from_value(v)\n                .map(Self::Beat)")
            && rust.contains("\"update\" => serde_json::from_value(v)\n                .map(Self::Update)")
            && rust.contains("pub struct Beat {\n    /// Always `heartbeat`.\n    #[serde(deserialize_with = \"crate::serde_helpers::const_0\")]\n    pub r#type: String,"),
        "{rust}"
    );
    assert!(
        py.contains("Pet: TypeAlias = Annotated[Beat | Update, Field(discriminator=\"type_\")]"),
        "{py}"
    );
}

/// Issue 16: the schema shapes the models used to reject or lose, as generated (the
/// fidelity harness checks that they round-trip; see `codegen_fidelity.rs`).
#[test]
fn fidelity_fixture_models_are_snapshotted() {
    let work = tempfile::tempdir().expect("tempdir");
    let spec = repo().join("fixtures/codegen/fidelity.openapi-3.1.yaml");
    let spec = spec.to_string_lossy().into_owned();
    for (lang, file) in [
        ("rust", "src/models.rs"),
        ("python", "hnp_contract/models.py"),
    ] {
        let out = work.path().join(lang);
        let o = gen_into(&out, lang, &[&spec], &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let text = std::fs::read_to_string(out.join(file)).expect("models");
        insta::assert_snapshot!(format!("codegen_fidelity_models_{lang}"), text);
    }
}

#[test]
fn e2e_fidelity_fixture() {
    if e2e() {
        e2e_for(&["fixtures/codegen/fidelity.openapi-3.1.yaml"], true);
    }
}

/// Issue 16 item 6: an example its own schema rejects (as `validate` reports,
/// `schema-example-invalid`) gets no generated round-trip test, only a comment saying
/// which example and why; the valid one keeps its test, numbered as in the contract.
const EXAMPLES_ONE_INVALID: &str = r#"asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  orders:
    address: orders
    messages:
      OrderPlaced: {$ref: '#/components/messages/OrderPlaced'}
operations:
  onOrderPlaced:
    action: receive
    channel: {$ref: '#/channels/orders'}
components:
  messages:
    OrderPlaced:
      payload:
        type: object
        required: [id, pair]
        properties:
          id: {type: string}
          pair: {type: array, items: {type: string}}
      examples:
        - name: wrong
          payload: {id: a, pair: XBT/EUR}
        - payload: {id: b, pair: [XBT, EUR]}
"#;

#[test]
fn examples_the_schema_rejects_get_no_test() {
    let work = tempfile::tempdir().expect("tempdir");
    let spec = work.path().join("orders.yaml");
    std::fs::write(&spec, EXAMPLES_ONE_INVALID).expect("write");
    let spec = spec.to_string_lossy().into_owned();
    // `validate` reports the first example; codegen still generates (examples are not
    // errors of the contract for codegen).
    let v = run(&["validate", &spec]);
    assert!(
        stdout(&v).contains("schema-example-invalid"),
        "{}",
        stdout(&v)
    );
    let mut outs = Vec::new();
    for lang in ["rust", "python"] {
        let out = work.path().join(lang);
        let o = gen_into(&out, lang, &[&spec], &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        outs.push(out);
    }
    let rs = std::fs::read_to_string(outs[0].join("tests/roundtrip.rs")).expect("roundtrip.rs");
    assert!(rs.contains("fn order_placed_example_2()"), "{rs}");
    assert!(!rs.contains("fn order_placed_example_1()"), "{rs}");
    let comment = "// No test for OrderPlaced example 1 (`wrong`): its schema rejects it, so the models would too.\n// `hnp-events validate` reports schema-example-invalid: the `payload` of message example `wrong` does not match its schema:";
    assert!(rs.contains(comment), "{rs}");
    assert!(rs.contains("\"XBT/EUR\" is not of type \"array\""), "{rs}");
    let py = std::fs::read_to_string(outs[1].join("tests/test_roundtrip.py"))
        .expect("test_roundtrip.py");
    assert!(py.contains(&comment.replace("// ", "    # ")), "{py}");
    assert_eq!(py.matches("(models.OrderPlaced, ").count(), 1, "{py}");
    // Quoted as ruff quotes it: single quotes around JSON, no escapes.
    assert!(
        py.contains("'{\"payload\":{\"id\":\"b\",\"pair\":[\"XBT\",\"EUR\"]}}'"),
        "{py}"
    );
    if e2e() {
        check_rust(&outs[0], true);
        check_python(&outs[1]);
    }
}

/// Issue 15, "Found" 9: the default crate and package name comes from the contract's
/// title; both get a `.gitignore` for their build output; the Python package declares
/// what its tests need.
#[test]
fn default_name_gitignore_and_test_dependencies() {
    let work = tempfile::tempdir().expect("tempdir");
    let spec = work.path().join("orders.yaml");
    std::fs::write(
        &spec,
        EXAMPLES_ONE_INVALID.replace("title: t,", "title: Shop Order Events 2026 (beta),"),
    )
    .expect("write");
    let spec = spec.to_string_lossy().into_owned();
    for lang in ["rust", "python"] {
        let out = work.path().join(lang);
        let dir = out.to_string_lossy().into_owned();
        let o = run(&["codegen", "--lang", lang, "--out", &dir, &spec]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let ignore = std::fs::read_to_string(out.join(".gitignore")).expect(".gitignore");
        if lang == "rust" {
            let toml = std::fs::read_to_string(out.join("Cargo.toml")).expect("Cargo.toml");
            assert!(
                toml.contains("name = \"shop-order-events-2026-beta\"")
                    && toml.contains("name = \"shop_order_events_2026_beta\""),
                "{toml}"
            );
            assert!(ignore.contains("\n/target/\n"), "{ignore}");
        } else {
            let toml = std::fs::read_to_string(out.join("pyproject.toml")).expect("pyproject");
            assert!(
                toml.contains("[project.optional-dependencies]\n")
                    && toml.contains("test = [\"pytest"),
                "{toml}"
            );
            assert!(out.join("shop_order_events_2026_beta/models.py").is_file());
            assert!(
                ignore.contains("__pycache__/") && ignore.contains(".mypy_cache/"),
                "{ignore}"
            );
        }
    }
    // No title: `contract`.
    let bare = work.path().join("bare.yaml");
    std::fs::write(
        &bare,
        EXAMPLES_ONE_INVALID.replace("title: t,", "title: '***',"),
    )
    .expect("write");
    let out = work.path().join("bare");
    let dir = out.to_string_lossy().into_owned();
    let o = run(&[
        "codegen",
        "--lang",
        "python",
        "--out",
        &dir,
        &bare.to_string_lossy(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(out.join("contract/models.py").is_file());
    // `--lang` is shown as required.
    let help = stdout(&run(&["codegen", "--help"]));
    assert!(
        help.contains("Usage: hnp-events codegen --lang <LANG> [OPTIONS] [PATHS]..."),
        "{help}"
    );
}

/// Issue 16 item 4: a path and a query parameter of one name (and a parameter named
/// `body` beside the request body) are distinct fields with distinct keys; in Python a
/// member whose key is already a name keeps it (`id` beside `@id`), so `id=...` fills it.
const COLLISIONS: &str = r#"openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /items/{id}:
    put:
      operationId: putItem
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: id, in: query, schema: {type: integer}}
        - {name: body, in: query, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Node'}
      responses: {'204': {description: ok}}
components:
  schemas:
    Node:
      type: object
      properties:
        '@id': {type: string}
        id: {type: integer}
"#;

#[test]
fn colliding_names_get_distinct_fields() {
    let work = tempfile::tempdir().expect("tempdir");
    let (rust, py) = models_of(work.path(), COLLISIONS);
    for want in [
        "pub id_query: Option<i64>,",
        "pub id: String,",
        "pub body: Option<String>,",
        "pub request_body: Node,",
    ] {
        assert!(rust.contains(want), "missing {want:?} in:\n{rust}");
    }
    assert!(
        py.contains("id_2: str | None = Field(default=None, alias=\"@id\")")
            && py.contains("    id: int | None = None\n"),
        "{py}"
    );
    if e2e() {
        let o = Command::new(
            std::env::var("HNP_CODEGEN_PYTHON").unwrap_or_else(|_| "python3".into()),
        )
        .args([
            "-c",
            "from hnp_contract.models import Node\nn = Node(id=3)\nassert n.id == 3 and n.id_2 is None, n\nassert Node.model_validate({'@id': 'x', 'id': 1}).model_dump(by_alias=True, exclude_unset=True) == {'@id': 'x', 'id': 1}",
        ])
        .current_dir(work.path().join("python"))
        .output()
        .expect("python runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
}

/// Issue 16 item 8: a contract without handlers or without types gives no unused import
/// (clippy -D warnings, ruff F401 on the generated code).
const NO_HANDLERS: &str = "asyncapi: 3.0.0\ninfo: {title: Quiet, version: '1'}\ncomponents:\n  schemas:\n    Alias: {type: string}\n";

#[test]
fn no_handlers_no_types_no_unused_imports() {
    let work = tempfile::tempdir().expect("tempdir");
    let spec = work.path().join("quiet.yaml");
    std::fs::write(&spec, NO_HANDLERS).expect("write");
    let spec = spec.to_string_lossy().into_owned();
    let rs = work.path().join("rust");
    let py = work.path().join("python");
    for (lang, out) in [("rust", &rs), ("python", &py)] {
        let o = gen_into(out, lang, &[&spec], &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let models = std::fs::read_to_string(rs.join("src/models.rs")).expect("models");
    assert!(!models.contains("use serde"), "{models}");
    let t = std::fs::read_to_string(rs.join("tests/handlers.rs")).expect("tests");
    assert!(!t.contains("use "), "{t}");
    let t = std::fs::read_to_string(py.join("tests/test_handlers.py")).expect("tests");
    assert!(!t.contains("import handlers"), "{t}");
    if e2e() {
        check_rust(&rs, true);
        check_python(&py);
    }
}

// ---- issue 16, item 3: handlers that carry the event patterns ----

/// A command consumed at least once, with an idempotency key, a dead-letter channel and
/// one declared event (`OrderPlaced`); v2 declares a second one (`OrderRejected`).
const SHOP_V1: &str = r#"asyncapi: 3.0.0
info: {title: Shop, version: '1'}
channels:
  orders:
    address: shop.orders
    messages:
      PlaceOrder: {$ref: '#/components/messages/PlaceOrder'}
  events:
    address: shop.events
    messages:
      OrderPlaced: {$ref: '#/components/messages/OrderPlaced'}
      OrderRejected: {$ref: '#/components/messages/OrderRejected'}
  parked:
    address: shop.dead-letter
    messages:
      OrderParked: {$ref: '#/components/messages/OrderParked'}
operations:
  placeOrder:
    action: receive
    channel: {$ref: '#/channels/orders'}
    x-hnp-delivery: at-least-once
    x-hnp-dead-letter: {$ref: '#/channels/parked'}
    x-hnp-emits:
      - $ref: '#/components/messages/OrderPlaced'
  publishOrderEvents:
    action: send
    channel: {$ref: '#/channels/events'}
  parkOrders:
    action: send
    channel: {$ref: '#/channels/parked'}
components:
  messages:
    PlaceOrder:
      headers: {type: object, properties: {id: {type: string}}, required: [id]}
      payload: {type: object, properties: {sku: {type: string}}, required: [sku]}
      x-hnp-idempotency-key: /headers/id
      examples: [{headers: {id: cmd-1}, payload: {sku: A-1}}]
    OrderPlaced:
      payload: {type: object, properties: {sku: {type: string}}, required: [sku]}
      examples: [{payload: {sku: A-1}}]
    OrderRejected:
      payload: {type: object, properties: {sku: {type: string}}, required: [sku]}
      examples: [{payload: {sku: A-1}}]
    OrderParked:
      payload: {type: object, properties: {reason: {type: string}}}
"#;

fn shop_v2() -> String {
    SHOP_V1.replace(
        "      - $ref: '#/components/messages/OrderPlaced'\n",
        "      - $ref: '#/components/messages/OrderPlaced'\n      - $ref: '#/components/messages/OrderRejected'\n",
    )
}

/// The user's handler: publishes `OrderPlaced`, parks an order without a SKU.
const SHOP_RUST_IMPL: &str = r#"//! My handlers.
use crate::handlers::orders::{PlaceOrderHandler, PlaceOrderPublisher};
use crate::models::PlaceOrder;

#[derive(Debug, Default, Clone)]
pub struct Service;

impl PlaceOrderHandler for Service {
    async fn handle_place_order(
        &self,
        message: PlaceOrder,
        publisher: &mut dyn PlaceOrderPublisher,
    ) -> Result<(), crate::HandlerError> {
        if message.payload.sku.is_empty() {
            return publisher.dead_letter("empty sku");
        }
        let event = serde_json::from_value(serde_json::json!({"payload": {"sku": message.payload.sku}}))
            .map_err(|e| crate::HandlerError::Failed(e.to_string()))?;
        publisher.publish_order_placed(event)
    }
}
"#;

/// The user's own test of it, through the generated guard and outbox.
const SHOP_RUST_TEST: &str = r#"use hnp_contract::handlers::orders::PlaceOrderHandler;
use hnp_contract::idempotency::{InMemoryIdempotencyStore, Processed};
use hnp_contract::models::PlaceOrder;
use hnp_contract::outbox::Outbox;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut f = std::pin::pin!(f);
    loop {
        if let std::task::Poll::Ready(v) = std::future::Future::poll(f.as_mut(), &mut cx) {
            return v;
        }
    }
}

fn order(id: &str, sku: &str) -> PlaceOrder {
    serde_json::from_value(serde_json::json!({"headers": {"id": id}, "payload": {"sku": sku}}))
        .expect("an order")
}

#[test]
fn my_service_publishes_once_and_parks_what_it_cannot_process() {
    let service = hnp_contract::handlers_impl::Service;
    let store = InMemoryIdempotencyStore::new();
    let mut outbox = Outbox::new();
    let first = block_on(service.consume_place_order(order("c1", "A"), &store, &mut outbox));
    assert_eq!(first, Ok(Processed::Done(())));
    let again = block_on(service.consume_place_order(order("c1", "A"), &store, &mut outbox));
    assert_eq!(again, Ok(Processed::Duplicate));
    let sent: Vec<_> = outbox.entries().iter().map(|e| (e.message, e.address)).collect();
    assert_eq!(sent, vec![("OrderPlaced", Some("shop.events"))]);
    let parked = block_on(service.consume_place_order(order("c2", ""), &store, &mut outbox));
    assert_eq!(parked, Ok(Processed::Done(())));
    let dead: Vec<_> = outbox.dead_letters().iter().map(|d| (d.address, d.reason.as_str())).collect();
    assert_eq!(dead, vec![("shop.dead-letter", "empty sku")]);
}
"#;

const SHOP_PY_IMPL: &str = r#""""My handlers."""

from __future__ import annotations

from . import handlers, models


class PlaceOrderHandlerImpl:
    async def handle_place_order(
        self, message: models.PlaceOrder, publisher: handlers.orders.PlaceOrderPublisher
    ) -> None:
        if not message.payload.sku:
            publisher.dead_letter("empty sku")
            return
        publisher.publish_order_placed(models.OrderPlaced.model_validate({"payload": {"sku": message.payload.sku}}))
"#;

const SHOP_PY_TEST: &str = r#""""My own test of my handler, through the generated guard and outbox."""

from __future__ import annotations

import asyncio

from hnp_contract import handlers, handlers_impl, models
from hnp_contract.idempotency import InMemoryIdempotencyStore
from hnp_contract.outbox import Outbox


def _order(id_: str, sku: str) -> models.PlaceOrder:
    return models.PlaceOrder.model_validate({"headers": {"id": id_}, "payload": {"sku": sku}})


def test_my_service_publishes_once_and_parks_what_it_cannot_process() -> None:
    outbox = Outbox()
    consumer = handlers.orders.PlaceOrderConsumer(handlers_impl.PlaceOrderHandlerImpl(), InMemoryIdempotencyStore(), outbox)
    assert not asyncio.run(consumer.consume_place_order(_order("c1", "A"))).duplicate
    assert asyncio.run(consumer.consume_place_order(_order("c1", "A"))).duplicate
    assert [(e.message, e.address) for e in outbox.entries] == [("OrderPlaced", "shop.events")]
    assert not asyncio.run(consumer.consume_place_order(_order("c2", ""))).duplicate
    assert [(d.address, d.reason) for d in outbox.dead_letters] == [("shop.dead-letter", "empty sku")]
"#;

/// Issue 16, item 3: a consumer's publisher has exactly the events its operation
/// declares plus its dead-letter path; at-least-once delivery gets the idempotency
/// guard keyed by the declared key; the user's handler (the scaffold, edited) and their
/// own tests survive regeneration when the contract declares one more event. With
/// `HNP_CODEGEN_E2E=1` both outputs are built, linted, type-checked and tested (the
/// generated pattern tests and the user's), and the Python pattern tests are shown to
/// fail when the guard or the outbox rollback is broken.
#[test]
fn e2e_patterns_follow_the_contract_and_survive_regeneration() {
    let work = tempfile::tempdir().expect("tempdir");
    let spec = work.path().join("shop.yaml");
    std::fs::write(&spec, SHOP_V1).expect("write spec");
    let spec_s = spec.to_string_lossy().into_owned();
    let rs = work.path().join("rust");
    let py = work.path().join("python");
    for (lang, out) in [("rust", &rs), ("python", &py)] {
        let o = gen_into(out, lang, &[&spec_s], &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let group = std::fs::read_to_string(rs.join("src/handlers/orders.rs")).expect("orders.rs");
    // The trait, up to its closing brace.
    let trait_of = |g: &str| {
        let t = slice(g, "pub trait PlaceOrderPublisher", 40);
        t.split("\n}").next().unwrap_or_default().to_string()
    };
    let publisher = trait_of(&group);
    assert_eq!(publisher.matches("    fn ").count(), 2, "{publisher}");
    assert!(
        publisher.contains("fn publish_order_placed(&mut self, event: crate::models::OrderPlaced)"),
        "{publisher}"
    );
    assert!(
        publisher.contains("fn dead_letter(&mut self, reason: &str)"),
        "{publisher}"
    );
    assert!(
        !group.contains("publish_order_rejected"),
        "not declared in v1: {group}"
    );
    assert!(group.contains("Some(\"shop.events\"), &event)"), "{group}");
    assert!(
        group.contains("self.park(\"shop.dead-letter\", reason)"),
        "{group}"
    );
    assert!(
        group.contains("crate::idempotency::key_in(j, \"/headers/id\")"),
        "{group}"
    );
    assert!(group.contains("fn consume_place_order(&self, message: crate::models::PlaceOrder, store: &dyn crate::idempotency::IdempotencyStore, outbox: &mut crate::outbox::Outbox)"), "{group}");
    let pygroup =
        std::fs::read_to_string(py.join("hnp_contract/handlers/orders.py")).expect("orders.py");
    assert!(
        pygroup.contains("class PlaceOrderPublisher(Protocol):"),
        "{pygroup}"
    );
    assert!(pygroup.contains("class PlaceOrderConsumer:"), "{pygroup}");
    assert!(
        pygroup.contains("key = key_in(body, \"/headers/id\")"),
        "{pygroup}"
    );
    assert!(!pygroup.contains("publish_order_rejected"), "{pygroup}");

    // The user fills in the scaffold and adds a test of their own.
    let rs_impl = rs.join("src/handlers_impl.rs");
    let py_impl = py.join("hnp_contract/handlers_impl.py");
    std::fs::write(&rs_impl, SHOP_RUST_IMPL).expect("edit scaffold");
    std::fs::write(rs.join("tests/service.rs"), SHOP_RUST_TEST).expect("user test");
    std::fs::write(&py_impl, SHOP_PY_IMPL).expect("edit scaffold");
    std::fs::write(py.join("tests/test_service.py"), SHOP_PY_TEST).expect("user test");

    // The contract declares one more event: the publishers grow, the user's files stay.
    std::fs::write(&spec, shop_v2()).expect("write spec");
    for (lang, out) in [("rust", &rs), ("python", &py)] {
        let o = gen_into(out, lang, &[&spec_s], &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let again = gen_into(out, lang, &[&spec_s], &[]);
        assert!(stdout(&again).contains("up to date"), "{}", stdout(&again));
    }
    assert_eq!(
        std::fs::read_to_string(&rs_impl).expect("impl"),
        SHOP_RUST_IMPL
    );
    assert_eq!(
        std::fs::read_to_string(&py_impl).expect("impl"),
        SHOP_PY_IMPL
    );
    assert_eq!(
        std::fs::read_to_string(rs.join("tests/service.rs")).expect("user test"),
        SHOP_RUST_TEST
    );
    let group = std::fs::read_to_string(rs.join("src/handlers/orders.rs")).expect("orders.rs");
    let publisher = trait_of(&group);
    assert_eq!(publisher.matches("    fn ").count(), 3, "{publisher}");
    assert!(
        publisher
            .contains("fn publish_order_rejected(&mut self, event: crate::models::OrderRejected)"),
        "{publisher}"
    );
    let pygroup =
        std::fs::read_to_string(py.join("hnp_contract/handlers/orders.py")).expect("orders.py");
    assert!(
        pygroup.contains(
            "def publish_order_rejected(\n        self,\n        event: models.OrderRejected,\n    ) -> None:"
        ),
        "{pygroup}"
    );

    if e2e() {
        check_rust(&rs, true);
        check_python(&py);
        // The generated pattern tests catch a broken guard and a missing rollback.
        let pyexe = std::env::var("HNP_CODEGEN_PYTHON").unwrap_or_else(|_| "python3".into());
        for (file, from, to) in [
            (
                "hnp_contract/idempotency.py",
                "        if (consumer, key) in self._keys:\n            return False\n",
                "",
            ),
            (
                "hnp_contract/outbox.py",
                "        del self.entries[at.entries :]\n",
                "",
            ),
        ] {
            let path = py.join(file);
            let good = std::fs::read_to_string(&path).expect("generated file");
            assert!(good.contains(from), "{file}: {good}");
            std::fs::write(&path, good.replace(from, to)).expect("mutate");
            let o = Command::new(&pyexe)
                .args([
                    "-m",
                    "pytest",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    "tests/test_handlers.py",
                ])
                .current_dir(&py)
                .output()
                .expect("pytest");
            assert!(
                !o.status.success(),
                "the tests missed a mutant of {file}:\n{}",
                String::from_utf8_lossy(&o.stdout)
            );
            std::fs::write(&path, good).expect("restore");
        }
    }
}

/// A consumer with neither an idempotency key nor a publisher has nothing to undo when
/// its handler fails: its Python `consume_*` calls the handler without a
/// `try`/`except BaseException: raise` (ruff TRY203 on 26 corpus documents, the
/// streetlights examples among them), and the package passes `ruff check` (e2e).
#[test]
fn plain_consumer_has_no_useless_try() {
    let spec_text = "asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  readings:
    address: readings
    messages:
      Reading: {$ref: '#/components/messages/Reading'}
operations:
  onReading:
    action: receive
    channel: {$ref: '#/channels/readings'}
    x-hnp-delivery: at-least-once
components:
  messages:
    Reading:
      payload:
        type: object
        properties:
          lumens: {type: integer}
";
    let work = tempfile::tempdir().expect("tempdir");
    let spec = work.path().join("readings.yaml");
    std::fs::write(&spec, spec_text).expect("write");
    let spec = spec.to_string_lossy().into_owned();
    let out = work.path().join("python");
    let o = gen_into(&out, "python", &[&spec], &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut handlers = String::new();
    for e in std::fs::read_dir(out.join("hnp_contract/handlers"))
        .expect("handlers")
        .flatten()
    {
        handlers.push_str(&std::fs::read_to_string(e.path()).expect("read"));
    }
    assert!(
        handlers.contains("async def consume_reading("),
        "{handlers}"
    );
    assert!(
        handlers.contains("        await self.handler.handle_reading(message)\n        return Processed(duplicate=False)"),
        "{handlers}"
    );
    assert!(!handlers.contains("except BaseException"), "{handlers}");
    if e2e() {
        check_python(&out);
    }
}

/// A handler whose message type is a nested generic (a list of maps of objects, as
/// USPTO's search answers) names it with an alias in its module: the trait and the
/// skeleton read `ListReportsOutput`, not the whole type (clippy's `type_complexity`
/// failed the generated crate).
#[test]
fn nested_generic_message_types_are_named_by_an_alias() {
    let work = tempfile::tempdir().expect("tempdir");
    let out = work.path().join("out");
    let o = gen_into(&out, "rust", &["fixtures/codegen/events.openapi.yaml"], &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let files = files_under(&out);
    let reports = file_of(&files, "src/handlers/reports.rs");
    assert!(
        reports.contains("pub type ListReportsOutput = Vec<std::collections::BTreeMap<String, serde_json::Map<String, serde_json::Value>>>;"),
        "{reports}"
    );
    assert!(
        reports.contains("Output = Result<ListReportsOutput, crate::HandlerError>>"),
        "{reports}"
    );
    let skeleton = file_of(&files, "src/handlers_impl.rs");
    assert!(
        skeleton
            .contains("Result<crate::handlers::reports::ListReportsOutput, crate::HandlerError>"),
        "{skeleton}"
    );
    // A plain type is spelled out, not aliased.
    let events = file_of(&files, "src/handlers/events.rs");
    assert!(!events.contains("pub type"), "{events}");
}
