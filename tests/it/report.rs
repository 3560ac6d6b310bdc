//! Snapshots of every output format over a small, hand-built set of diagnostics, plus
//! structural checks (SARIF against the official schema, JSON parses, JUnit well-formed).

use std::sync::Arc;
use std::time::Duration;

use hnp_events::diag::{Diagnostic, Location, Severity, SourceSet, Span, sort_and_dedup};
use hnp_events::report::{self, Format, RenderOptions, Report, Summary};

const API: &str = "specs/api.yaml";
const API_TEXT: &str = "\
asyncapi: 3.0.0
info:
  title: Démo
  version: 1.0.0
channels:
  user:
    $ref: './common.yaml#/components/channels/missing'
  dup: {}
  dup: {}
";

const COMMON: &str = "specs/common.yaml";
const COMMON_TEXT: &str = "\
components:
  channels:
    present:
      address: user
";

/// The span of the `nth` (0-based) occurrence of `needle` in `text`.
fn span_of(text: &str, needle: &str, nth: usize) -> Span {
    let start = text
        .match_indices(needle)
        .nth(nth)
        .map(|(i, _)| i)
        .expect("needle occurs in the test text");
    span_at(text, start, start + needle.len())
}

/// The span of the byte range `start..end` of `text`, with lines and columns.
fn span_at(text: &str, start: usize, end: usize) -> Span {
    let pos = |offset: usize| {
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = text[line_start..offset].chars().count() + 1;
        (line as u32, col as u32)
    };
    let (line, col) = pos(start);
    let (end_line, end_col) = pos(end);
    Span {
        line,
        col,
        end_line,
        end_col,
        start,
        end,
    }
}

fn at(file: &str, span: Span, pointer: Option<&str>) -> Location {
    Location {
        file: Arc::from(file),
        span: Some(span),
        pointer: pointer.map(str::to_owned),
    }
}

fn sources() -> SourceSet {
    let mut sources = SourceSet::default();
    sources.insert(Arc::from(API), Arc::from(API_TEXT));
    sources.insert(Arc::from(COMMON), Arc::from(COMMON_TEXT));
    sources
}

fn diagnostics() -> Vec<Diagnostic> {
    let mut diags = vec![
        // An error with a related location in another file, and help.
        Diagnostic::new(
            "ref-unresolved",
            at(
                API,
                span_of(API_TEXT, "'./common.yaml#/components/channels/missing'", 0),
                Some("/channels/user/$ref"),
            ),
            "`./common.yaml#/components/channels/missing` does not resolve",
        )
        .with_related(
            at(
                COMMON,
                span_of(COMMON_TEXT, "channels", 0),
                Some("/components/channels"),
            ),
            "`/components/channels` has no member `missing`",
        )
        .with_help("did you mean `present`?"),
        // An error with a related location in the same file.
        Diagnostic::new(
            "yaml-duplicate-key",
            at(API, span_of(API_TEXT, "dup", 1), Some("/channels/dup")),
            "key `dup` is defined twice",
        )
        .with_related(
            at(API, span_of(API_TEXT, "dup", 0), Some("/channels/dup")),
            "first defined here",
        ),
        // A warning with help and a message full of characters that need escaping.
        Diagnostic::new(
            "ref-remote",
            at(API, span_of(API_TEXT, "Démo", 0), Some("/info/title")),
            "100% remote: a,b <&\"'>\nsecond line",
        )
        .with_help("vendor it: see <https://example.com/?a=1&b=2>"),
        // An info without a span.
        Diagnostic::new(
            "document-kind-unknown",
            Location::file(COMMON),
            "the file holds only `components`; it is validated as a fragment",
        )
        .with_severity(Severity::Info),
        // A hint at the very end of the file (a zero-width span after the last newline).
        Diagnostic::new(
            "yaml-syntax",
            at(
                COMMON,
                span_at(COMMON_TEXT, COMMON_TEXT.len(), COMMON_TEXT.len()),
                None,
            ),
            "the document ends here",
        )
        .with_severity(Severity::Hint),
    ];
    sort_and_dedup(&mut diags);
    diags
}

fn summary(files: usize, remote_refs: usize) -> Summary {
    Summary {
        files,
        elapsed: Duration::from_millis(12),
        remote_refs,
        ..Summary::default()
    }
}

fn plain() -> RenderOptions {
    RenderOptions {
        color: false,
        timing: false,
        ..RenderOptions::default()
    }
}

/// All formats of the sample report and of an empty one.
fn render_all(empty: bool, opts: RenderOptions) -> Vec<(Format, String)> {
    let sources = sources();
    let diags = if empty { Vec::new() } else { diagnostics() };
    let summary = if empty { summary(3, 0) } else { summary(2, 1) };
    let report = Report {
        diagnostics: &diags,
        sources: &sources,
        summary: &summary,
    };
    [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Github,
    ]
    .into_iter()
    .map(|format| (format, report::render(format, &report, opts)))
    .collect()
}

fn render_one(format: Format, empty: bool) -> String {
    render_all(empty, plain())
        .into_iter()
        .find(|(f, _)| *f == format)
        .map(|(_, out)| out)
        .expect("every format is rendered")
}

fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    let version = env!("CARGO_PKG_VERSION").replace('.', r"\.");
    settings.add_filter(
        &format!(r#""(version|semanticVersion)": "{version}""#),
        r#""$1": "[VERSION]""#,
    );
    settings
}

macro_rules! snapshot {
    ($name:literal, $format:expr, $empty:expr) => {
        snapshot_settings().bind(|| {
            insta::assert_snapshot!($name, render_one($format, $empty));
        })
    };
}

#[test]
fn human() {
    snapshot!("human", Format::Human, false);
}

#[test]
fn human_empty() {
    snapshot!("human_empty", Format::Human, true);
}

#[test]
fn json() {
    snapshot!("json", Format::Json, false);
}

#[test]
fn json_empty() {
    snapshot!("json_empty", Format::Json, true);
}

/// SARIF with `tool.driver.rules` cut down to the descriptors the results use and
/// `ruleIndex` values masked, so that registering a new rule does not change the
/// snapshot (`sarif_results_point_at_rules` checks the indexes).
fn sarif_for_snapshot(empty: bool) -> String {
    let out = render_one(Format::Sarif, empty);
    let mut log: serde_json::Value = serde_json::from_str(&out).expect("SARIF is JSON");
    let run = &mut log["runs"][0];
    let mut used: Vec<serde_json::Value> = Vec::new();
    if let Some(results) = run["results"].as_array_mut() {
        for result in results {
            used.push(result["ruleId"].clone());
            if result.get("ruleIndex").is_some() {
                result["ruleIndex"] = "[index of ruleId in rules]".into();
            }
        }
    }
    if let Some(rules) = run["tool"]["driver"]["rules"].as_array_mut() {
        rules.retain(|rule| used.contains(&rule["id"]));
    }
    serde_json::to_string_pretty(&log).expect("serializing a serde_json::Value cannot fail") + "\n"
}

#[test]
fn sarif() {
    snapshot_settings().bind(|| insta::assert_snapshot!("sarif", sarif_for_snapshot(false)));
}

#[test]
fn sarif_empty() {
    snapshot_settings().bind(|| insta::assert_snapshot!("sarif_empty", sarif_for_snapshot(true)));
}

#[test]
fn junit() {
    snapshot!("junit", Format::Junit, false);
}

#[test]
fn junit_empty() {
    snapshot!("junit_empty", Format::Junit, true);
}

#[test]
fn github() {
    snapshot!("github", Format::Github, false);
}

#[test]
fn github_empty() {
    snapshot!("github_empty", Format::Github, true);
}

#[test]
fn outputs_end_with_a_newline_and_are_deterministic() {
    for empty in [false, true] {
        let first = render_all(empty, plain());
        let second = render_all(empty, plain());
        assert_eq!(first, second);
        for (format, out) in first {
            if format == Format::Github && empty {
                assert_eq!(out, "", "no diagnostics: no workflow commands");
                continue;
            }
            assert!(
                out.ends_with('\n'),
                "{format:?} output must end with a newline"
            );
        }
    }
}

#[test]
fn colour_only_when_asked() {
    let coloured = RenderOptions {
        color: true,
        timing: false,
        ..RenderOptions::default()
    };
    for (format, out) in render_all(false, coloured) {
        assert_eq!(
            out.contains('\u{1b}'),
            format == Format::Human,
            "{format:?}: ANSI escapes only in coloured human output"
        );
    }
    for (format, out) in render_all(false, plain()) {
        assert!(!out.contains('\u{1b}'), "{format:?}: no ANSI escapes");
    }
}

#[test]
fn timing_is_shown_only_when_asked() {
    let timed = RenderOptions {
        color: false,
        timing: true,
        ..RenderOptions::default()
    };
    let outputs = render_all(false, timed);
    let get = |format: Format| {
        outputs
            .iter()
            .find(|(f, _)| *f == format)
            .map(|(_, out)| out.as_str())
            .unwrap_or_default()
    };
    assert!(
        get(Format::Human)
            .contains("\n2 files checked: 2 errors, 1 warning, 1 info, 1 hint in 12ms\n"),
        "{}",
        get(Format::Human)
    );
    let json: serde_json::Value = serde_json::from_str(get(Format::Json)).expect("valid JSON");
    assert_eq!(json["summary"]["elapsed_ms"], 12);
    assert!(get(Format::Junit).contains(r#"time="0.012""#));
    assert!(!render_one(Format::Human, false).contains("12ms"));
    assert!(!render_one(Format::Junit, false).contains("time="));
}

#[test]
fn json_parses_and_omits_absent_fields() {
    let out = render_one(Format::Json, false);
    let json: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(json["version"], 1);
    assert_eq!(json["tool"]["name"], "hnp-events");
    assert_eq!(json["summary"]["errors"], 2);
    assert!(json["summary"].get("elapsed_ms").is_none());
    let diags = json["diagnostics"].as_array().expect("an array");
    assert_eq!(diags.len(), 5);
    for d in diags {
        let d = d.as_object().expect("an object");
        assert!(d.values().all(|v| !v.is_null()), "no nulls: {d:?}");
    }
    let info = diags
        .iter()
        .find(|d| d["severity"] == "info")
        .expect("the info diagnostic");
    for absent in [
        "line",
        "column",
        "end_line",
        "end_column",
        "pointer",
        "related",
        "help",
    ] {
        assert!(info.get(absent).is_none(), "{absent} must be omitted");
    }
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let Some(corpus) = std::env::var_os("HNP_CORPUS") else {
        eprintln!("skipping: HNP_CORPUS not set");
        return;
    };
    let path = std::path::Path::new(&corpus).join("schemas/sarif-2.1.0.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "HNP_CORPUS is set but {} cannot be read: {e}",
            path.display()
        )
    });
    let schema: serde_json::Value = serde_json::from_str(&text).expect("the schema is JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    for empty in [false, true] {
        let out = render_one(Format::Sarif, empty);
        let log: serde_json::Value = serde_json::from_str(&out).expect("SARIF is JSON");
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "SARIF (empty: {empty}) does not validate:\n{}",
            errors.join("\n")
        );
    }
}

#[test]
fn sarif_results_point_at_rules() {
    let out = render_one(Format::Sarif, false);
    let log: serde_json::Value = serde_json::from_str(&out).expect("SARIF is JSON");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), hnp_events::diag::RULES.len());
    for result in run["results"].as_array().expect("results") {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
}

#[test]
fn junit_is_well_formed() {
    for empty in [false, true] {
        let out = render_one(Format::Junit, empty);
        if let Err(e) = check_xml(&out) {
            panic!("malformed JUnit XML ({e}):\n{out}");
        }
    }
}

#[test]
fn github_commands_are_one_per_line() {
    let out = render_one(Format::Github, false);
    let lines: Vec<&str> = out.lines().collect();
    // Five diagnostics and the remote-ref note.
    assert_eq!(lines.len(), 6, "{out}");
    for line in lines {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line}"
        );
    }
}

/// Spans that do not fit the text, texts that are missing, and spans that cut through
/// a character all degrade instead of panicking.
#[test]
fn bad_spans_degrade_gracefully() {
    let sources = sources();
    let len = API_TEXT.len();
    let e_acute = API_TEXT.find('é').expect("an é");
    let span = |start: usize, end: usize| Span {
        line: 3,
        col: 10,
        end_line: 3,
        end_col: 12,
        start,
        end,
    };
    let mut diags = vec![
        Diagnostic::new(
            "yaml-syntax",
            at(API, span(len + 5, len + 9), None),
            "past the end",
        ),
        Diagnostic::new(
            "yaml-syntax",
            at(API, span(len - 2, len + 9), None),
            "ends past the end",
        ),
        Diagnostic::new(
            "yaml-syntax",
            at(API, span(10, 3), None),
            "ends before it starts",
        ),
        Diagnostic::new(
            "yaml-syntax",
            at(API, span(e_acute + 1, e_acute + 1), None),
            "inside a character",
        ),
        Diagnostic::new(
            "yaml-syntax",
            at("unknown.yaml", span(0, 4), None),
            "no text",
        )
        .with_related(at(API, span(usize::MAX, usize::MAX), None), "nowhere")
        .with_related(at("other.yaml", span(0, 1), None), "no text either"),
        Diagnostic::new("yaml-syntax", at(API, span(0, len), None), "the whole file"),
    ];
    sort_and_dedup(&mut diags);
    let summary = summary(1, 0);
    let report = Report {
        diagnostics: &diags,
        sources: &sources,
        summary: &summary,
    };
    for color in [false, true] {
        for format in [
            Format::Human,
            Format::Json,
            Format::Sarif,
            Format::Junit,
            Format::Github,
        ] {
            let opts = RenderOptions {
                color,
                ..RenderOptions::default()
            };
            let out = report::render(format, &report, opts);
            assert!(out.ends_with('\n'));
        }
    }
    let human = report::render(Format::Human, &report, plain());
    assert!(human.contains("--> specs/api.yaml:3:10\n"), "{human}");
    assert!(human.contains("--> unknown.yaml:3:10\n"), "{human}");
    assert!(
        human.contains("= note: other.yaml:3:10: no text either\n"),
        "{human}"
    );
}

/// Excerpts stay small: a span over a lot of text is cut back to its first line, and a
/// span on a very long line (minified JSON) is shown without an excerpt.
#[test]
fn huge_spans_and_lines_are_not_drawn_in_full() {
    let long_line = format!("{{{}\"end\": 1}}\n", "\"key\": 1, ".repeat(4000));
    let many_lines = format!("root:\n{}", "  key: value\n".repeat(4000));
    let mut sources = SourceSet::default();
    sources.insert(Arc::from("min.json"), Arc::from(long_line.as_str()));
    sources.insert(Arc::from("big.yaml"), Arc::from(many_lines.as_str()));
    let end = long_line.find("\"end\"").expect("end key");
    let mut diags = vec![
        Diagnostic::new(
            "json-syntax",
            at("min.json", span_at(&long_line, end, end + 5), None),
            "on a long line",
        ),
        Diagnostic::new(
            "yaml-syntax",
            at("big.yaml", span_at(&many_lines, 0, many_lines.len()), None),
            "over many lines",
        ),
    ];
    sort_and_dedup(&mut diags);
    let summary = summary(2, 0);
    let report = Report {
        diagnostics: &diags,
        sources: &sources,
        summary: &summary,
    };
    let human = report::render(Format::Human, &report, plain());
    assert!(human.len() < 2000, "{human}");
    assert!(
        human.contains(&format!("--> min.json:1:{}\n", end + 1)),
        "{human}"
    );
    assert!(human.contains("1 | root:\n"), "{human}");
    assert!(!human.contains("2 |"), "{human}");
}

/// A minimal XML well-formedness check: balanced, properly nested tags, quoted
/// attributes, and `&` only as a character or predefined entity reference.
fn check_xml(xml: &str) -> Result<(), String> {
    let rest = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .ok_or("missing XML declaration")?;
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut s = rest;
    while !s.is_empty() {
        match s.find('<') {
            Some(0) => {
                let end = s.find('>').ok_or("unterminated tag")?;
                let tag = &s[1..end];
                s = &s[end + 1..];
                if let Some(name) = tag.strip_prefix('/') {
                    let open = stack.pop().ok_or(format!("unmatched </{name}>"))?;
                    if open != name {
                        return Err(format!("<{open}> closed by </{name}>"));
                    }
                } else {
                    let self_closing = tag.ends_with('/');
                    let tag = tag.trim_end_matches('/');
                    let name = tag.split_whitespace().next().ok_or("empty tag")?;
                    check_attributes(&tag[name.len()..])?;
                    if stack.is_empty() {
                        roots += 1;
                    }
                    if !self_closing {
                        stack.push(name);
                    }
                }
            }
            Some(i) => {
                check_text(&s[..i])?;
                if stack.is_empty() && !s[..i].trim().is_empty() {
                    return Err("text outside the root element".into());
                }
                s = &s[i..];
            }
            None => {
                if !s.trim().is_empty() {
                    return Err("text after the root element".into());
                }
                s = "";
            }
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed elements: {stack:?}"));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(())
}

fn check_attributes(mut s: &str) -> Result<(), String> {
    loop {
        s = s.trim_start();
        if s.is_empty() {
            return Ok(());
        }
        let eq = s
            .find("=\"")
            .ok_or(format!("unquoted attribute in {s:?}"))?;
        let name = &s[..eq];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!("bad attribute name {name:?}"));
        }
        let value_and_rest = &s[eq + 2..];
        let close = value_and_rest
            .find('"')
            .ok_or("unterminated attribute value")?;
        let value = &value_and_rest[..close];
        if value.contains('<') || value.contains('\n') {
            return Err(format!("raw `<` or newline in attribute {name}"));
        }
        check_text(value)?;
        s = &value_and_rest[close + 1..];
    }
}

fn check_text(s: &str) -> Result<(), String> {
    if s.contains('>') {
        return Err(format!("raw `>` in {s:?}"));
    }
    if let Some(c) = s
        .chars()
        .find(|&c| c < ' ' && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(format!("control character {c:?}"));
    }
    for (i, _) in s.match_indices('&') {
        let entity = &s[i..];
        let end = entity.find(';').ok_or("unterminated entity")?;
        let name = &entity[1..end];
        let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
            || name
                .strip_prefix('#')
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if !ok {
            return Err(format!("bad entity &{name};"));
        }
    }
    Ok(())
}

/// What a newcomer sees for a few common mistakes (issue 15, Found 10): a typo in a
/// `$ref` gets a "did you mean"; the same example is numbered alike by the structural
/// rule and the gate; `message-not-in-channel` underlines the whole `$ref`.
#[test]
fn newcomer_mistakes_human() {
    use crate::util::{run_in, stdout};
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let gate_fixture = std::fs::read_to_string(
        crate::util::repo().join("fixtures/gates/schema-consistency.pass.yaml"),
    )
    .expect("fixture");
    // An example whose payload does not match its schema.
    std::fs::write(
        d.join("examples.yaml"),
        gate_fixture.replace("payload: {fabric: dc1-prod}", "payload: {fabric: 7}"),
    )
    .expect("write");
    std::fs::write(
        d.join("orders.yaml"),
        "asyncapi: 3.0.0\ninfo: {title: t, version: 1.0.0}\ncomponents:\n  schemas:\n    Order: {type: object}\n",
    )
    .expect("write");
    // A `$ref` to a file whose name is one letter off.
    std::fs::write(
        d.join("refs.yaml"),
        "asyncapi: 3.0.0\ninfo: {title: t, version: 1.0.0}\ncomponents:\n  schemas:\n    Order: {$ref: './order.yaml#/components/schemas/Order'}\n",
    )
    .expect("write");
    let mut shown = String::new();
    for (args, cwd) in [
        (
            vec![
                "validate",
                "--no-config",
                "--no-gates",
                "fixtures/invalid/loading/ref-unresolved.yaml",
            ],
            None,
        ),
        (
            vec![
                "validate",
                "--no-config",
                "--no-gates",
                "fixtures/invalid/loading/ref-missing-file.yaml",
            ],
            None,
        ),
        (
            vec![
                "validate",
                "--no-config",
                "--no-gates",
                "fixtures/invalid/structural/asyncapi-operation-message-not-in-channel.yaml",
            ],
            None,
        ),
        (
            vec!["validate", "--no-config", "--no-gates", "refs.yaml"],
            Some(d),
        ),
        (
            vec![
                "validate",
                "--no-config",
                "--rule",
                "schema-example-invalid",
                "--rule",
                "gate-schema-consistency",
                "examples.yaml",
            ],
            Some(d),
        ),
    ] {
        let out = match cwd {
            Some(dir) => run_in(dir, &args),
            None => crate::util::run(&args),
        };
        let text = stdout(&out);
        let text = crate::util::without_timing(&text);
        shown.push_str(&format!("$ hnp-events {}\n{text}\n\n", args.join(" ")));
    }
    assert!(shown.contains("did you mean `OrderPlaced`?"), "{shown}");
    assert!(shown.contains("did you mean `orders.yaml`?"), "{shown}");
    assert!(!shown.contains("example 0"), "{shown}");
    insta::assert_snapshot!("newcomer_mistakes_human", shown);
}

/// `explain` examples are self-contained: a passing example never `$ref`s a file the
/// user does not have (the reader can paste it into one file and see it pass).
#[test]
fn explain_examples_need_no_other_file() {
    for r in hnp_events::diag::RULES {
        if let Some(p) = r.example_pass {
            for line in p.lines() {
                let refs_file = line.split("$ref:").skip(1).any(|rest| {
                    !rest
                        .trim_start()
                        .trim_start_matches(['\'', '"', '{', ' '])
                        .starts_with('#')
                });
                assert!(!refs_file, "{}: passing example refs a file: {line}", r.id);
            }
        }
    }
    // The `$ref` rules explain themselves with examples.
    for id in [
        "ref-unresolved",
        "ref-cycle",
        "ref-invalid",
        "ref-outside-root",
        "ref-remote",
    ] {
        let m = hnp_events::diag::rule_meta(id).expect("rule");
        assert!(m.example_fail.is_some() && m.example_pass.is_some(), "{id}");
    }
    let out = crate::util::run(&["explain", "ref-unresolved"]);
    insta::assert_snapshot!("explain_ref_unresolved", crate::util::stdout(&out));
}

/// The `$ref` rules' examples do what they say: wrapped in a minimal document, the
/// failing one reports the rule and the passing one does not.
#[test]
fn ref_rule_examples_fail_and_pass() {
    use crate::util::{run_in, stdout, summarize};
    for id in ["ref-unresolved", "ref-cycle"] {
        let m = hnp_events::diag::rule_meta(id).expect("rule");
        for (example, should_fail) in [(m.example_fail, true), (m.example_pass, false)] {
            let dir = tempfile::tempdir().expect("tempdir");
            let doc = format!(
                "asyncapi: 3.0.0\ninfo: {{title: t, version: 1.0.0}}\n{}\n",
                example.expect("example")
            );
            std::fs::write(dir.path().join("api.yaml"), &doc).expect("write");
            let out = run_in(
                dir.path(),
                &[
                    "validate",
                    "--no-config",
                    "--no-gates",
                    "--format",
                    "json",
                    "api.yaml",
                ],
            );
            let s = summarize(&stdout(&out));
            assert_eq!(s.contains(id), should_fail, "{id} on\n{doc}\n{s}");
        }
    }
}
