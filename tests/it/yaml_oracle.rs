//! YAML as real parsers read it: PyYAML (libyaml's Python twin) is the oracle.
//!
//! - Every YAML file of the shared corpus that PyYAML loads, we load to the same JSON
//!   value (PyYAML reading with the YAML 1.2 core schema's scalars, as we do: no
//!   YAML 1.1 `yes`/`on` booleans, sexagesimal numbers or timestamps).
//! - The leniencies we accept (`yaml-lenient`) give the value PyYAML gives, with a
//!   located warning; what PyYAML rejects stays an error.
//!
//! The Python interpreter is `$HNP_PYYAML_PYTHON` (`.ci/run` installs PyYAML in a venv),
//! else `python3` when it can import `yaml`; without one the PyYAML comparisons are
//! skipped with a note, and fail under `CI=true`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use serde_json::Value;

use crate::corpus_load::corpus;

/// PyYAML with the YAML 1.2 core schema's implicit scalars, and mapping keys as their
/// scalar text (as our loader keeps them). Prints one JSON line per file named on the
/// command line: `{"path", "value"}` or `{"path", "error"}`.
const ORACLE: &str = r#"
import json, re, sys, yaml
class L(getattr(yaml, 'CSafeLoader', yaml.SafeLoader)):
    pass
L.yaml_implicit_resolvers = {
    k: [(t, r) for (t, r) in v if t == 'tag:yaml.org,2002:merge']
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
L.add_implicit_resolver('tag:yaml.org,2002:null', re.compile(r'^(?:~|null|Null|NULL|)$'), ['~', 'n', 'N', ''])
L.add_implicit_resolver('tag:yaml.org,2002:bool', re.compile(r'^(?:true|True|TRUE|false|False|FALSE)$'), list('tTfF'))
L.add_implicit_resolver('tag:yaml.org,2002:int', re.compile(r'^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$'), list('-+0123456789'))
L.add_implicit_resolver('tag:yaml.org,2002:float', re.compile(r'^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$'), list('-+.0123456789'))
def int_(loader, node):
    s = loader.construct_scalar(node)
    return int(s, 0) if s[:2] in ('0o', '0x') else int(s, 10)
L.add_constructor('tag:yaml.org,2002:int', int_)
def mapping(self, node, deep=False):
    self.flatten_mapping(node)
    out = {}
    for k, v in node.value:
        key = k.value if isinstance(k, yaml.ScalarNode) else json.dumps(self.construct_object(k, deep=True))
        out[key] = self.construct_object(v, deep=deep)
    return out
L.construct_mapping = mapping
for path in sys.argv[1:]:
    try:
        with open(path, encoding='utf-8-sig') as f:
            value = yaml.load(f, Loader=L)
        print(json.dumps({'path': path, 'value': value}, default=str))
    except Exception as e:
        print(json.dumps({'path': path, 'error': str(e).replace('\n', ' ')}))
"#;

/// The Python that has PyYAML, or `None` (with a note; a failure under `CI=true`).
fn python() -> Option<String> {
    let candidates = std::env::var("HNP_PYYAML_PYTHON")
        .ok()
        .into_iter()
        .chain(["python3".to_string()]);
    for py in candidates {
        let ok = Command::new(&py)
            .args(["-c", "import yaml"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(py);
        }
    }
    assert!(
        std::env::var("CI").is_err(),
        "CI: no Python with PyYAML (set HNP_PYYAML_PYTHON; .ci/run installs one)"
    );
    println!("skipping the PyYAML comparison: no Python with PyYAML (set HNP_PYYAML_PYTHON)");
    None
}

/// PyYAML's reading of each file: `Ok(value)` or `Err(message)`.
fn pyyaml(py: &str, files: &[PathBuf]) -> Vec<Result<Value, String>> {
    let mut out = Vec::new();
    for chunk in files.chunks(200) {
        let o = Command::new(py)
            .arg("-c")
            .arg(ORACLE)
            .args(chunk)
            .output()
            .expect("python runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = String::from_utf8_lossy(&o.stdout);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), chunk.len(), "one line per file");
        for l in lines {
            let mut v: Value = serde_json::from_str(l).expect("oracle JSON");
            out.push(match v.get_mut("value") {
                Some(value) => Ok(value.take()),
                None => Err(v["error"].as_str().unwrap_or("?").to_string()),
            });
        }
    }
    out
}

/// Our reading of a file: the value, or the rules of its errors; and its diagnostics.
fn ours(path: &Path) -> (Result<Value, String>, Vec<hnp_events::diag::Diagnostic>) {
    let bytes = std::fs::read(path).expect("read");
    let mut diags = Vec::new();
    let f = hnp_events::source::parse_file(
        path,
        bytes,
        Arc::from(path.file_name().and_then(|n| n.to_str()).unwrap_or("?")),
        &mut diags,
    );
    let value = f.value.clone().ok_or_else(|| {
        diags
            .iter()
            .map(|d| format!("{} {}: {}", d.location, d.rule, d.message))
            .collect::<Vec<_>>()
            .join("; ")
    });
    (value, diags)
}

/// The first place two values differ, as a JSON pointer and both sides.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                let p = format!("{at}/{k}");
                match y.get(k) {
                    None => return Some(format!("{p}: only ours has it")),
                    Some(w) => {
                        if let Some(d) = first_difference(v, w, &p) {
                            return Some(d);
                        }
                    }
                }
            }
            y.keys()
                .find(|k| !x.contains_key(*k))
                .map(|k| format!("{at}/{k}: only PyYAML has it"))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (v, w))| first_difference(v, w, &format!("{at}/{i}"))),
        _ => (a != b).then(|| format!("{at}: ours {a}, PyYAML {b}")),
    }
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if matches!(p.extension().and_then(|x| x.to_str()), Some("yaml" | "yml")) {
            out.push(p);
        }
    }
}

#[test]
fn every_corpus_yaml_file_pyyaml_loads_we_load_to_the_same_value() {
    let Some(dir) = corpus() else { return };
    let Some(py) = python() else { return };
    let mut files = Vec::new();
    yaml_files(&dir, &mut files);
    files.sort();
    assert!(files.len() > 100, "only {} YAML files", files.len());
    // PyYAML reads while we do (one core each).
    let oracle = {
        let files = files.clone();
        std::thread::spawn(move || pyyaml(&py, &files))
    };
    let mine: Vec<_> = files.iter().map(|f| ours(f).0).collect();
    let theirs = oracle.join().expect("the PyYAML thread");
    let (mut same, mut both_reject, mut failures) = (0, 0, Vec::new());
    for ((f, o), t) in files.iter().zip(mine).zip(theirs) {
        let name = f.strip_prefix(&dir).unwrap_or(f).display();
        match (o, t) {
            (Ok(o), Ok(t)) => match first_difference(&o, &t, "") {
                None => same += 1,
                Some(d) => failures.push(format!("{name}: values differ at {d}")),
            },
            (Err(e), Ok(_)) => failures.push(format!("{name}: PyYAML loads it, we do not: {e}")),
            (Ok(_), Err(e)) => println!("note: {name}: we load it, PyYAML does not: {e}"),
            (Err(_), Err(_)) => both_reject += 1,
        }
    }
    println!(
        "PyYAML agreement: {same} of {} YAML files load to the same value, {both_reject} rejected by both",
        files.len()
    );
    assert!(
        failures.is_empty(),
        "{} file(s) disagree with PyYAML:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Documents every mainstream parser loads although YAML 1.2 forbids them, with where
/// the `yaml-lenient` warning must point, and the value they hold.
/// (what, text, warnings at line:column, expected JSON value)
type LenientCase = (
    &'static str,
    &'static str,
    &'static [(u32, u32)],
    &'static str,
);

const LENIENT: &[LenientCase] = &[
    (
        "closing bracket at the grandparent's indentation",
        "a:\n  tags: [\n    x,\n    y\n]\nb: 1\n",
        &[(5, 1)],
        r#"{"a": {"tags": ["x", "y"]}, "b": 1}"#,
    ),
    (
        "flow entries at the parent key's indentation",
        "a:\n  tags: [\n    x,\n  y\n  ]\n",
        &[(4, 3)],
        r#"{"a": {"tags": ["x", "y"]}}"#,
    ),
    (
        "flow mapping closed at column 1, nested in a sequence",
        "paths:\n  - get:\n      params: {\n        a: 1,\n        b: [1,\n  2]\n}\n  - put: {}\n",
        &[(6, 3), (7, 1)],
        r#"{"paths": [{"get": {"params": {"a": 1, "b": [1, 2]}}}, {"put": {}}]}"#,
    ),
    (
        "a long entry and a comment before the bracket",
        "x:\n  y:\n    enum: [\n      \"caf\u{e9}\", 'two words',\n      # done\n  ]\n  z: true\n",
        &[(6, 3)],
        r#"{"x": {"y": {"enum": ["café", "two words"]}, "z": true}}"#,
    ),
];

#[test]
fn lenient_yaml_loads_as_pyyaml_does_with_a_located_warning() {
    let py = python();
    let dir = tempfile::tempdir().expect("tempdir");
    for (i, (what, text, at, expected)) in LENIENT.iter().enumerate() {
        let path = dir.path().join(format!("case{i}.yaml"));
        std::fs::write(&path, text).expect("write");
        let (value, diags) = ours(&path);
        let value = value.unwrap_or_else(|e| panic!("{what}: not loaded: {e}"));
        let expected: Value = serde_json::from_str(expected).expect("expected JSON");
        assert_eq!(value, expected, "{what}");
        let warned: Vec<(u32, u32)> = diags
            .iter()
            .filter(|d| d.rule == "yaml-lenient")
            .map(|d| {
                (
                    d.location.line().unwrap_or(0),
                    d.location.col().unwrap_or(0),
                )
            })
            .collect();
        assert_eq!(warned, at.to_vec(), "{what}: {diags:?}");
        assert!(
            diags.iter().all(|d| d.rule == "yaml-lenient"),
            "{what}: {diags:?}"
        );
        assert!(diags[0].message.contains("s-flow-line-prefix"), "{what}");
        if let Some(py) = &py {
            let theirs = pyyaml(py, std::slice::from_ref(&path)).remove(0);
            assert_eq!(theirs.as_ref(), Ok(&expected), "{what}: PyYAML");
        }
    }
}

/// Block scalars as PyYAML reads them, at the end of a file with and without a final
/// line break, for every chomping indicator.
#[test]
fn block_scalars_at_the_end_of_a_file_load_as_pyyaml_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: &[(&str, &str)] = &[
        ("a: >\n  x\n  y", r#"{"a": "x y"}"#),
        ("a: |\n  x\n  y", r#"{"a": "x\ny"}"#),
        ("a: >+\n  x", r#"{"a": "x"}"#),
        ("a: |-\n  x", r#"{"a": "x"}"#),
        ("a: >\n  x\n  y\n", r#"{"a": "x y\n"}"#),
        ("a: |\n  x\n", r#"{"a": "x\n"}"#),
        ("a: |+\n  x\n\n", r#"{"a": "x\n\n"}"#),
        ("a: |\n  x\nb: 1", r#"{"a": "x\n", "b": 1}"#),
        ("a: |\n  x  ", r#"{"a": "x  "}"#),
    ];
    let py = python();
    for (i, (text, expected)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("block{i}.yaml"));
        std::fs::write(&path, text).expect("write");
        let expected: Value = serde_json::from_str(expected).expect("JSON");
        let (value, diags) = ours(&path);
        assert_eq!(value, Ok(expected.clone()), "{text:?}: {diags:?}");
        if let Some(py) = &py {
            let theirs = pyyaml(py, std::slice::from_ref(&path)).remove(0);
            assert_eq!(theirs, Ok(expected), "{text:?}: PyYAML");
        }
    }
}

/// Indentation errors outside flow collections are not bent: PyYAML rejects them too.
#[test]
fn block_indentation_errors_stay_errors() {
    let py = python();
    let dir = tempfile::tempdir().expect("tempdir");
    for (i, text) in [
        "a:\n  b: 1\n c: 2\n",
        "a:\n  - x\n - y\n",
        "a: [x,\ny: 1\n",
        "a:\n  b: [x,\n  c: 1\n",
    ]
    .iter()
    .enumerate()
    {
        let path = dir.path().join(format!("bad{i}.yaml"));
        std::fs::write(&path, text).expect("write");
        let (value, diags) = ours(&path);
        assert!(value.is_err(), "{text:?} loaded: {value:?}");
        assert!(
            diags.iter().any(|d| d.rule == "yaml-syntax"),
            "{text:?}: {diags:?}"
        );
        if let Some(py) = &py {
            let theirs = pyyaml(py, std::slice::from_ref(&path)).remove(0);
            assert!(theirs.is_err(), "{text:?}: PyYAML loads it: {theirs:?}");
        }
    }
}
