//! The `diff:` section of `hnp-events.yaml` (modes per document, channel and message,
//! the default mode, release tags, rule levels for `diff`), its located errors, and the
//! versioning policy read against the configured levels.

use std::path::Path;

use serde_json::Value;

use crate::codegen_git::commit_all;
use crate::diff::{NEW_API, OLD_AA2, OLD_API};
use crate::util::{code, run_in, stderr, stdout, summarize};

fn diags(dir: &Path, args: &[&str]) -> (i32, Vec<Value>) {
    let out = run_in(dir, args);
    assert!(code(&out) < 2, "{args:?}: {}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).expect("valid JSON report");
    (
        code(&out),
        v["diagnostics"].as_array().cloned().unwrap_or_default(),
    )
}

/// The messages that `diff-schema-breaking` names, in order.
fn breaking(ds: &[Value]) -> Vec<String> {
    let mut names: Vec<String> = ds
        .iter()
        .filter(|d| d["rule"] == "diff-schema-breaking")
        .map(|d| {
            let m = d["message"].as_str().unwrap_or("");
            if m.contains("PlaceOrder") {
                "PlaceOrder".to_string()
            } else if m.contains("OrderPlaced") {
                "OrderPlaced".to_string()
            } else {
                m.to_string()
            }
        })
        .collect();
    names.sort();
    names
}

const BASE: &[&str] = &["diff", "old.yaml", "new.yaml", "--format", "json"];

/// Modes from the config replace the direction default, at each level; the
/// document's own `x-hnp-compatibility` and `--compatibility` come first.
#[test]
fn diff_section_sets_modes_per_document_channel_and_message() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    let new = OLD_AA2.replace("enum: [a, b]", "enum: [a, b, c]");
    std::fs::write(dir.join("old.yaml"), OLD_AA2).expect("old");
    std::fs::write(dir.join("new.yaml"), &new).expect("new");
    let with = |diff: &str| -> Vec<String> {
        std::fs::write(dir.join("hnp-events.yaml"), format!("diff:\n{diff}")).expect("config");
        let (_, ds) = diags(dir, BASE);
        breaking(&ds)
    };
    // No `diff:` section: by direction, only the sent OrderPlaced breaks.
    std::fs::write(dir.join("hnp-events.yaml"), "fail-on: error\n").expect("config");
    assert_eq!(breaking(&diags(dir, BASE).1), ["OrderPlaced"]);
    // The default mode.
    assert_eq!(
        with("  compatibility: full\n"),
        ["OrderPlaced", "PlaceOrder"]
    );
    assert_eq!(with("  compatibility: NONE\n"), Vec::<String>::new());
    // --compatibility wins over the config's default.
    std::fs::write(
        dir.join("hnp-events.yaml"),
        "diff:\n  compatibility: full\n",
    )
    .expect("c");
    let mut args = BASE.to_vec();
    args.extend(["--compatibility", "none"]);
    assert_eq!(breaking(&diags(dir, &args).1), Vec::<String>::new());
    // Per document (path relative to the config's folder).
    assert_eq!(
        with("  documents:\n    new.yaml: forward\n"),
        ["OrderPlaced", "PlaceOrder"]
    );
    assert_eq!(
        with("  documents:\n    ./new.yaml: none\n"),
        Vec::<String>::new()
    );
    // Per channel: backward asks nothing of old readers of what is sent.
    assert_eq!(
        with("  channels:\n    orders: backward\n"),
        Vec::<String>::new()
    );
    // Per message, by messageId; the message's level comes before the channel's and
    // the document's.
    assert_eq!(
        with("  messages:\n    PlaceOrder: forward\n"),
        ["OrderPlaced", "PlaceOrder"]
    );
    assert_eq!(
        with("  documents:\n    new.yaml: forward\n  messages:\n    PlaceOrder: none\n"),
        ["OrderPlaced"]
    );
    assert_eq!(
        with("  channels:\n    orders: none\n  messages:\n    OrderPlaced: full\n"),
        ["OrderPlaced"]
    );
    // A mode written in the document comes before the config's at the same level.
    let own = new.replace(
        "        messageId: PlaceOrder\n",
        "        messageId: PlaceOrder\n        x-hnp-compatibility: none\n",
    );
    std::fs::write(dir.join("new.yaml"), &own).expect("new");
    assert_eq!(
        with("  messages:\n    PlaceOrder: full\n    OrderPlaced: full\n"),
        ["OrderPlaced"]
    );
}

/// HTTP operations take their document's mode: `none` from `diff.documents` silences
/// schema findings of an OpenAPI document, not its contract rules.
#[test]
fn diff_documents_mode_applies_to_http_operations() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    std::fs::write(dir.join("old.yaml"), OLD_API).expect("old");
    std::fs::write(dir.join("new.yaml"), NEW_API).expect("new");
    let rules = |ds: &[Value]| -> Vec<String> {
        let mut r: Vec<String> = ds
            .iter()
            .map(|d| d["rule"].as_str().unwrap_or("").to_string())
            .collect();
        r.sort();
        r.dedup();
        r
    };
    std::fs::write(dir.join("hnp-events.yaml"), "fail-on: error\n").expect("config");
    let by_direction = rules(&diags(dir, BASE).1);
    assert!(
        by_direction.contains(&"diff-schema-breaking".to_string()),
        "{by_direction:?}"
    );
    std::fs::write(
        dir.join("hnp-events.yaml"),
        "diff:\n  documents:\n    new.yaml: none\n",
    )
    .expect("config");
    let none = rules(&diags(dir, BASE).1);
    assert!(
        !none.iter().any(|r| r.starts_with("diff-schema-")),
        "{none:?}"
    );
    assert!(
        none.contains(&"diff-http-operation-removed".to_string()),
        "{none:?}"
    );
}

/// Every problem of the section is located in the config file, with the closest
/// spelling suggested; entries naming nothing at HEAD are warnings.
#[test]
fn diff_section_errors_are_located_with_suggestions() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    std::fs::write(dir.join("old.yaml"), OLD_AA2).expect("old");
    std::fs::write(dir.join("new.yaml"), OLD_AA2).expect("new");
    std::fs::write(
        dir.join("hnp-events.yaml"),
        "diff:\n  compatibility: backwards\n  tgs: 'v*'\n  documents:\n    new.yml: full\n  channels:\n    ordrs: FULL_TRANSITIVE\n  messages:\n    PlaceOrder: sideways\n    PlaceOrdr: none\n  rules:\n    diff-schema-braking: warning\n    diff-renamed: loud\n",
    )
    .expect("config");
    let (exit, ds) = diags(dir, BASE);
    assert_eq!(exit, 1, "config errors fail the run");
    let got: Vec<(u64, String, String, String)> = ds
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or(0),
                d["rule"].as_str().unwrap_or("").to_string(),
                d["message"].as_str().unwrap_or("").to_string(),
                d["help"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    for d in &ds {
        assert_eq!(d["file"], "hnp-events.yaml", "{d}");
    }
    let want: &[(u64, &str, &str, &str)] = &[
        (
            2,
            "config-invalid",
            "`backwards` is not a compatibility mode",
            "did you mean `backward`?",
        ),
        (
            3,
            "config-invalid",
            "unknown diff setting `tgs`",
            "did you mean `tags`?",
        ),
        (
            5,
            "diff-compatibility-unmatched",
            "`diff` sets `full` for document `new.yml`, which no compared document at new.yaml has",
            "did you mean `new.yaml`?",
        ),
        (
            7,
            "diff-compatibility-unmatched",
            "`diff` sets `full-transitive` for channel `ordrs`, which no compared document at new.yaml has",
            "did you mean `orders`?",
        ),
        (
            9,
            "config-invalid",
            "`sideways` is not a compatibility mode",
            "use one of: backward, backward-transitive, forward, forward-transitive, full, full-transitive, none",
        ),
        (
            10,
            "diff-compatibility-unmatched",
            "`diff` sets `none` for message `PlaceOrdr`, which no compared document at new.yaml has",
            "did you mean `PlaceOrder`?",
        ),
        (
            12,
            "config-invalid",
            "unknown rule `diff-schema-braking`",
            "did you mean `diff-schema-breaking`?",
        ),
        (
            13,
            "config-invalid",
            "a rule level must be one of: off, hint, info, warning, error",
            "",
        ),
    ];
    let want: Vec<(u64, String, String, String)> = want
        .iter()
        .map(|(l, r, m, h)| (*l, r.to_string(), m.to_string(), h.to_string()))
        .collect();
    assert_eq!(got, want);
    // Not a mapping.
    std::fs::write(dir.join("hnp-events.yaml"), "diff: [full]\n").expect("config");
    let (_, ds) = diags(dir, BASE);
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(ds[0]["rule"], "config-invalid");
    assert_eq!(ds[0]["line"], 1);
    // A misspelt section name is suggested too.
    std::fs::write(dir.join("hnp-events.yaml"), "dif:\n  compatibility: full\n").expect("c");
    let (_, ds) = diags(dir, BASE);
    assert_eq!(ds[0]["help"], "did you mean `diff`?", "{ds:?}");
    // The config's JSON Schema accepts what the loader accepts (registry spelling too).
    let schema = hnp_events::config_schema::json_schema();
    let ok: Value = serde_json::json!({"diff": {"compatibility": "FULL_TRANSITIVE", "tags": "v*",
        "documents": {"a.yaml": "none"}, "channels": {"c": "backward"},
        "messages": {"M": "forward-transitive"}, "rules": {"diff-renamed": "off"}}});
    let v = jsonschema::validator_for(&schema).expect("schema");
    assert!(v.is_valid(&ok));
    assert!(!v.is_valid(&serde_json::json!({"diff": {"compatibility": "backwards"}})));
    assert!(!v.is_valid(&serde_json::json!({"diff": {"tgs": "v*"}})));
}

/// `diff.rules` sets levels for `diff` over the top-level `rules:`; the versioning
/// policy counts a change as breaking only while it is still an error.
#[test]
fn diff_rules_set_levels_and_the_version_policy_follows_them() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    let new = OLD_AA2.replace("enum: [a, b]", "enum: [a, b, c]");
    std::fs::write(dir.join("old.yaml"), OLD_AA2).expect("old");
    std::fs::write(dir.join("new.yaml"), &new).expect("new");
    let rules = |ds: &[Value]| -> Vec<(String, String)> {
        let mut r: Vec<(String, String)> = ds
            .iter()
            .map(|d| {
                (
                    d["rule"].as_str().unwrap_or("").to_string(),
                    d["severity"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        r.sort();
        r.dedup();
        r
    };
    std::fs::write(dir.join("hnp-events.yaml"), "fail-on: error\n").expect("config");
    let (exit, ds) = diags(dir, BASE);
    assert_eq!(exit, 1);
    assert_eq!(
        rules(&ds),
        [
            ("diff-schema-breaking".into(), "error".into()),
            ("diff-version-not-bumped".into(), "error".into())
        ]
    );
    // Demoted for diff: no breaking change left, so no version bump is asked for.
    std::fs::write(
        dir.join("hnp-events.yaml"),
        "rules:\n  diff-schema-breaking: error\ndiff:\n  rules:\n    diff-schema-breaking: warning\n",
    )
    .expect("config");
    let (exit, ds) = diags(dir, BASE);
    assert_eq!(
        exit,
        0,
        "{}",
        summarize(&serde_json::json!({"diagnostics": ds}).to_string())
    );
    assert_eq!(
        rules(&ds),
        [("diff-schema-breaking".into(), "warning".into())]
    );
    // The top-level level applies when diff.rules says nothing; off removes.
    std::fs::write(
        dir.join("hnp-events.yaml"),
        "rules:\n  diff-schema-breaking: off\n",
    )
    .expect("config");
    let (exit, ds) = diags(dir, BASE);
    assert_eq!((exit, rules(&ds)), (0, vec![]));
    // The version policy itself can be demoted.
    std::fs::write(
        dir.join("hnp-events.yaml"),
        "diff:\n  rules:\n    diff-version-not-bumped: warning\n",
    )
    .expect("config");
    let (_, ds) = diags(dir, BASE);
    assert_eq!(
        rules(&ds),
        [
            ("diff-schema-breaking".into(), "error".into()),
            ("diff-version-not-bumped".into(), "warning".into())
        ]
    );
}

/// `info.version` under the policy: a major bump answers a breaking change; during
/// initial development (0.y) a minor bump does; the help names the next such version.
#[test]
fn version_policy_reads_majors_and_initial_development() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    let new = OLD_AA2.replace("enum: [a, b]", "enum: [a, b, c]");
    let policy = |old_v: &str, new_v: &str| -> Option<String> {
        std::fs::write(
            dir.join("old.yaml"),
            OLD_AA2.replace("version: 1.0.0", &format!("version: '{old_v}'")),
        )
        .expect("old");
        std::fs::write(
            dir.join("new.yaml"),
            new.replace("version: 1.0.0", &format!("version: '{new_v}'")),
        )
        .expect("new");
        let (_, ds) = diags(dir, BASE);
        ds.iter()
            .find(|d| d["rule"] == "diff-version-not-bumped")
            .map(|d| d["help"].as_str().unwrap_or("").to_string())
    };
    let asks = |h: Option<String>, v: &str| {
        let h = h.unwrap_or_else(|| panic!("no diff-version-not-bumped, expected one asking {v}"));
        assert!(h.contains(&format!("`{v}`")), "{h}");
    };
    asks(policy("1.0.0", "1.1.0"), "2.0.0");
    asks(policy("v1.4.2", "v1.4.3"), "2.0.0");
    asks(policy("2.0.0", "1.9.0"), "3.0.0");
    assert_eq!(policy("1.0.0", "2.0.0"), None);
    assert_eq!(policy("v1.9.0", "v2.0.0-rc.1"), None);
    asks(policy("0.3.1", "0.3.2"), "0.4.0");
    assert_eq!(policy("0.3.1", "0.4.0"), None);
    assert_eq!(policy("0.3.1", "1.0.0"), None);
    // A YAML number is read too (a float keeps its minor).
    let numeric = |old_v: &str, new_v: &str| -> bool {
        std::fs::write(
            dir.join("old.yaml"),
            OLD_AA2.replace("version: 1.0.0", &format!("version: {old_v}")),
        )
        .expect("old");
        std::fs::write(
            dir.join("new.yaml"),
            new.replace("version: 1.0.0", &format!("version: {new_v}")),
        )
        .expect("new");
        let (_, ds) = diags(dir, BASE);
        ds.iter().any(|d| d["rule"] == "diff-version-not-bumped")
    };
    assert!(numeric("1", "1"));
    assert!(numeric("1.0", "1.5"));
    assert!(!numeric("1", "2"));
}

/// `diff.tags` is the release pattern when `--tags` is not given; two files ignore it.
#[test]
fn diff_tags_from_the_config() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    std::fs::write(
        dir.join("hnp-events.yaml"),
        "documents:\n  - api.yaml\ndiff:\n  tags: 'v*'\n  messages:\n    PlaceOrder: backward-transitive\n",
    )
    .expect("config");
    let git = git2::Repository::init(dir).expect("git init");
    let tag = |name: &str| {
        let head = git.head().expect("head").peel_to_commit().expect("commit");
        git.tag_lightweight(name, head.as_object(), false)
            .expect("tag");
    };
    std::fs::write(dir.join("api.yaml"), OLD_AA2).expect("v1");
    commit_all(&git, "v1");
    tag("v1.0.0");
    let v2 = OLD_AA2.replace(
        "            kind: {type: string, enum: [a, b]}\n  gone:",
        "            kind: {type: string, enum: [a]}\n  gone:",
    );
    std::fs::write(dir.join("api.yaml"), &v2).expect("v2");
    commit_all(&git, "v2");
    tag("v2.0.0");
    let (_, ds) = diags(dir, &["diff", "v2.0.0", "--format", "json"]);
    let found: Vec<&Value> = ds
        .iter()
        .filter(|d| d["rule"] == "diff-schema-breaking")
        .collect();
    assert_eq!(found.len(), 1, "{ds:?}");
    let m = found[0]["message"].as_str().unwrap_or("");
    assert!(m.starts_with("since release `v1.0.0`"), "{m}");
    // The message's mode is the channel's default otherwise: nothing against v1.
    std::fs::write(
        dir.join("hnp-events.yaml"),
        "documents:\n  - api.yaml\ndiff:\n  tags: 'v*'\n",
    )
    .expect("config");
    let (_, ds) = diags(dir, &["diff", "v2.0.0", "--format", "json"]);
    assert!(
        !ds.iter().any(|d| d["rule"] == "diff-schema-breaking"),
        "{ds:?}"
    );
    // Two files: the config's tags do not apply (no error).
    std::fs::write(dir.join("a.yaml"), OLD_AA2).expect("a");
    std::fs::write(dir.join("b.yaml"), &v2).expect("b");
    let out = run_in(dir, &["diff", "a.yaml", "b.yaml"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
}

/// `--base-from-upstream` compares with the merge-base of HEAD and its upstream, not
/// with the upstream's tip, and names it by its short id.
#[test]
fn base_from_upstream_is_the_merge_base() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    std::fs::write(dir.join("hnp-events.yaml"), "documents:\n  - api.yaml\n").expect("config");
    std::fs::write(dir.join("api.yaml"), OLD_AA2).expect("base");
    let git = git2::Repository::init(dir).expect("git init");
    commit_all(&git, "base");
    let main = git
        .head()
        .expect("head")
        .shorthand()
        .expect("branch")
        .to_string();
    let base_id = git.head().expect("head").target().expect("id");
    let switch = |branch: &str| {
        git.set_head(&format!("refs/heads/{branch}"))
            .expect("set_head");
        git.checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
            .expect("checkout");
    };
    // The feature adds an enum value to the sent OrderPlaced (breaking).
    let base_commit = git.find_commit(base_id).expect("commit");
    git.branch("feature", &base_commit, false).expect("branch");
    switch("feature");
    std::fs::write(
        dir.join("api.yaml"),
        OLD_AA2.replacen("enum: [a, b]", "enum: [a, b, c]", 1),
    )
    .expect("feature");
    commit_all(&git, "feature");
    // Meanwhile the upstream removed the channel `gone`: not the feature's change.
    switch(&main);
    std::fs::write(
        dir.join("api.yaml"),
        OLD_AA2.replace(
            "  gone:\n    subscribe:\n      message: {messageId: Gone, payload: {type: string}}\n",
            "",
        ),
    )
    .expect("main");
    commit_all(&git, "main moves on");
    switch("feature");
    let out = run_in(dir, &["diff", "--base-from-upstream"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("has no upstream"), "{}", stderr(&out));
    git.find_branch("feature", git2::BranchType::Local)
        .expect("feature")
        .set_upstream(Some(&main))
        .expect("upstream");
    let (exit, ds) = diags(dir, &["diff", "--base-from-upstream", "--format", "json"]);
    assert_eq!(exit, 1);
    let mut rules: Vec<&str> = ds
        .iter()
        .map(|d| d["rule"].as_str().unwrap_or(""))
        .collect();
    rules.sort();
    assert_eq!(
        rules,
        ["diff-schema-breaking", "diff-version-not-bumped"],
        "{ds:?}"
    );
    let related = ds[1]["related"][0]["file"].as_str().unwrap_or("");
    let short = base_id.to_string();
    let (label, path) = related.split_once(':').expect("REV:path");
    assert!(
        label.len() >= 7 && label.len() < 40 && short.starts_with(label),
        "{related}"
    );
    assert_eq!(path, "api.yaml");
}

/// SARIF, GitHub annotations and JUnit locate findings of a HEAD revision in the
/// checked-out file (relative to the working directory), not at `HEAD:path`, which no
/// code-scanning service can map; JSON and human output keep git's `REV:path`.
#[test]
fn code_scanning_formats_use_working_tree_paths() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    let sub = dir.join("contracts");
    std::fs::create_dir_all(&sub).expect("mkdir");
    std::fs::write(sub.join("hnp-events.yaml"), "documents:\n  - api.yaml\n").expect("cfg");
    std::fs::write(sub.join("api.yaml"), OLD_AA2).expect("v1");
    let git = git2::Repository::init(dir).expect("git init");
    commit_all(&git, "v1");
    std::fs::write(
        sub.join("api.yaml"),
        OLD_AA2.replacen("enum: [a, b]", "enum: [a, b, c]", 1),
    )
    .expect("v2");
    commit_all(&git, "v2");
    let out = run_in(&sub, &["diff", "HEAD~1", "HEAD", "--format", "sarif"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).expect("sarif");
    let results = v["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "api.yaml",
            "{r}"
        );
    }
    let out = run_in(&sub, &["diff", "HEAD~1", "HEAD", "--format", "github"]);
    let text = stdout(&out);
    assert!(text.contains("::error file=api.yaml,line="), "{text}");
    let (_, ds) = diags(&sub, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    assert!(
        !ds.is_empty()
            && ds
                .iter()
                .all(|d| d["file"].as_str() == Some("HEAD:contracts/api.yaml")),
        "{ds:?}"
    );
    // `diff.documents` paths are relative to the config's folder, in a subfolder of
    // the repository too.
    std::fs::write(
        sub.join("hnp-events.yaml"),
        "documents:\n  - api.yaml\ndiff:\n  documents:\n    api.yaml: none\n",
    )
    .expect("cfg");
    let (exit, ds) = diags(&sub, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    assert_eq!((exit, ds.len()), (0, 0), "{ds:?}");
}

/// In the markdown changelog a broken config is a problem with the inputs, listed
/// first and not counted as a breaking change of the contract.
#[test]
fn markdown_lists_config_problems_apart_from_changes() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    std::fs::write(dir.join("old.yaml"), OLD_AA2).expect("old");
    std::fs::write(dir.join("new.yaml"), OLD_AA2).expect("new");
    std::fs::write(dir.join("hnp-events.yaml"), "diff:\n  compatibility: ful\n").expect("c");
    let out = run_in(
        dir,
        &["diff", "old.yaml", "new.yaml", "--format", "markdown"],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("### Problems with the inputs\n\n- `ful` is not a compatibility mode (`config-invalid`, hnp-events.yaml:2)\n"),
        "{text}"
    );
    assert!(text.contains("No changes to the contract."), "{text}");
    assert!(!text.contains("breaking"), "{text}");
}
