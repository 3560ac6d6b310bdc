//! `hnp-events docs`: the HNP site's overview shows the eight gate metrics and the flow
//! diagram, every internal link of every page resolves (HTML and Markdown), nothing
//! refers outside the site, templates can be overridden, and nothing is written
//! outside --out.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::util::{code, repo, run, run_in, stderr};

const METRICS: &[&str] = &[
    "event_flow_coverage",
    "cqrs_compliance",
    "schema_consistency",
    "saga_completeness",
    "error_handling_coverage",
    "delivery_declared",
    "ordering_declared",
    "idempotency_declared",
];

fn site(args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("site");
    let mut all = vec!["docs"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().expect("utf-8")]);
    let o = run(&all);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    dir
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

/// Values of an attribute (`href="…"`) in a page.
fn attr_values(text: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    text.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &text[i + needle.len()..];
            rest.find('"').map(|end| rest[..end].to_string())
        })
        .collect()
}

fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/").replace("&amp;", "&")
}

/// Every link of every page leads to an existing file (and, with a fragment, to an
/// element with that id).
fn check_links(root: &Path, pages: &[PathBuf], links: impl Fn(&str) -> Vec<String>, ids: bool) {
    let mut checked = 0;
    for page in pages {
        let text = std::fs::read_to_string(page).expect("read page");
        for raw in links(&text) {
            let link = unescape(&raw);
            assert!(
                !link.contains("://") && !link.starts_with("//"),
                "{}: external link {link}",
                page.display()
            );
            let (path, frag) = match link.split_once('#') {
                Some((p, f)) => (p.to_string(), Some(f.to_string())),
                None => (link.clone(), None),
            };
            let target = if path.is_empty() {
                page.clone()
            } else {
                page.parent().expect("folder").join(&path)
            };
            let target = hnp_events::source::normalise_path(&target);
            assert!(
                target.starts_with(hnp_events::source::normalise_path(root)),
                "{}: {link} leaves the site",
                page.display()
            );
            assert!(target.is_file(), "{}: broken link {link}", page.display());
            if let (Some(f), true) = (frag, ids) {
                let t = std::fs::read_to_string(&target).expect("read target");
                assert!(
                    t.contains(&format!("id=\"{f}\"")),
                    "{}: {link}: no element with id `{f}`",
                    page.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "links were checked ({checked})");
}

#[test]
fn hnp_site_overview_links_and_self_containment() {
    let dir = site(&["fixtures/hnp"]);
    let root = dir.path().join("site");
    let index = std::fs::read_to_string(root.join("index.html")).expect("index.html");
    for m in METRICS {
        assert!(
            index.contains(&format!("<code>{m}</code>")),
            "the overview shows {m}"
        );
    }
    // Each of the nine rows (the eight metrics and projection coverage) has a pass/fail
    // status, and HNP passes them all.
    assert_eq!(index.matches("<td class=\"pass\">pass</td>").count(), 9);
    let fig = index.find("id=\"flow-diagram\"").expect("the flow diagram");
    assert!(index[fig..].trim_start().contains("<svg"), "an inline SVG");
    assert!(index.contains("prefers-color-scheme: dark"));
    let mut pages = Vec::new();
    files(&root, "html", &mut pages);
    let names: BTreeSet<String> = pages
        .iter()
        .map(|p| {
            p.strip_prefix(&root)
                .expect("under root")
                .display()
                .to_string()
        })
        .collect();
    for expected in [
        "cqrs.html",
        "sagas/gitops-sync.html",
        "projections/fabric-sync-status.html",
        "messages/syncstarted.html",
        "channels/gitops-sync-progress.html",
    ] {
        assert!(names.contains(expected), "{expected} in {names:?}");
    }
    for p in &pages {
        let t = std::fs::read_to_string(p).expect("page");
        assert!(t.starts_with("<!DOCTYPE html>"), "{}", p.display());
        for banned in ["<link", "@import", "url(http", " src=\""] {
            assert!(!t.contains(banned), "{}: {banned}", p.display());
        }
        // One small inline script, on the overview only (the filter box).
        let scripts = t.matches("<script").count();
        let want = usize::from(p.ends_with("index.html") && p.parent() == Some(root.as_path()));
        assert_eq!(scripts, want, "{}", p.display());
        assert!(
            t.contains("<main id=\"main\">") && t.contains("<nav"),
            "{}",
            p.display()
        );
    }
    check_links(&root, &pages, |t| attr_values(t, "href"), true);
    // A message page: its schema table, CloudEvents type and producers.
    let msg = std::fs::read_to_string(root.join("messages/syncstarted.html")).expect("page");
    assert!(msg.contains("com.githedgehog.hnp.gitops.sync_started.v1"));
    assert!(msg.contains("<caption>Payload</caption>"));
    assert!(msg.contains("saga gitops-sync"));
    // A saga page: the state machine and the steps table.
    let saga = std::fs::read_to_string(root.join("sagas/gitops-sync.html")).expect("page");
    assert!(saga.contains("class=\"hnp-graph\"") && saga.contains("undo apply-netbox"));
    assert!(saga.contains("<code>apply-netbox</code>"));
}

#[test]
fn markdown_site_has_mermaid_and_resolving_links() {
    let dir = site(&["fixtures/hnp", "--format", "markdown"]);
    let root = dir.path().join("site");
    let index = std::fs::read_to_string(root.join("index.md")).expect("index.md");
    assert!(index.contains("```mermaid\nflowchart LR"));
    for m in METRICS {
        assert!(index.contains(&format!("`{m}`")), "{m}");
    }
    let saga = std::fs::read_to_string(root.join("sagas/gitops-sync.md")).expect("saga");
    assert!(saga.contains("```mermaid\n---\ntitle: saga gitops-sync\n---\nstateDiagram-v2"));
    let mut pages = Vec::new();
    files(&root, "md", &mut pages);
    // Links outside code: fenced blocks and inline code spans are text.
    let md_links = |t: &str| -> Vec<String> {
        let mut prose = String::new();
        for (i, block) in t.split("```").enumerate() {
            if i % 2 == 0 {
                for line in block.lines() {
                    for (j, span) in line.split('`').enumerate() {
                        if j % 2 == 0 {
                            prose.push_str(span);
                        }
                    }
                    prose.push('\n');
                }
            }
        }
        prose
            .match_indices("](")
            // `\]` is an escaped bracket, not the end of a link text.
            .filter(|(i, _)| !prose[..*i].ends_with('\\'))
            .filter_map(|(i, _)| {
                let rest = &prose[i + 2..];
                rest.find(')').map(|e| rest[..e].to_string())
            })
            .collect()
    };
    check_links(&root, &pages, md_links, false);
}

#[test]
fn templates_override_by_name_and_only_out_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tpl = dir.path().join("tpl");
    std::fs::create_dir(&tpl).expect("mkdir");
    std::fs::write(
        tpl.join("cqrs.html.j2"),
        "<!DOCTYPE html><p>custom {{ site.cqrs | length }} operations</p>\n",
    )
    .expect("write");
    let o = run_in(
        dir.path(),
        &[
            "docs",
            repo()
                .join("fixtures/hnp/asyncapi.yaml")
                .to_str()
                .expect("utf-8"),
            "--out",
            "site",
            "--templates",
            "tpl",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let cqrs = std::fs::read_to_string(dir.path().join("site/cqrs.html")).expect("cqrs");
    assert_eq!(cqrs, "<!DOCTYPE html><p>custom 72 operations</p>\n");
    let mut top: Vec<String> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["site", "tpl"]);
    // A template that does not compile is a tool error naming it.
    std::fs::write(tpl.join("index.html.j2"), "{% if %}").expect("write");
    let o = run_in(
        dir.path(),
        &[
            "docs",
            repo()
                .join("fixtures/hnp/asyncapi.yaml")
                .to_str()
                .expect("utf-8"),
            "--out",
            "site2",
            "--templates",
            "tpl",
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("index.html.j2"), "{}", stderr(&o));
}

/// Headless Chromium (`CHROMIUM`, else `chromium` on the PATH), or `None` with a note
/// (a failure when `CI` is set: `.ci/run` installs Debian's `chromium`).
fn chromium() -> Option<String> {
    let exe = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".to_string());
    let found = std::process::Command::new(&exe)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some(exe);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but `{exe}` is missing (apt-get install chromium)"
    );
    println!("note: `{exe}` not found; the site is not checked in a browser");
    None
}

/// `.ci/browser-check.py SITE`: its exit code and JSON summary.
fn browser_check(exe: &str, site: &Path) -> (i32, serde_json::Value) {
    let o = std::process::Command::new("python3")
        .arg(repo().join(".ci/browser-check.py"))
        .arg(site)
        .env("CHROMIUM", exe)
        .output()
        .expect("python3");
    let summary = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    (o.status.code().unwrap_or(-1), summary)
}

/// What the browser shows (rendered DOM, not the HTML text): every page of the HNP site
/// loads from file:// without a console error, every link and fragment resolves, the
/// overview shows the eight gate metrics with a status and the laid-out flow diagram.
#[test]
fn hnp_site_in_a_headless_browser() {
    let Some(exe) = chromium() else { return };
    let dir = site(&["fixtures/hnp"]);
    let root = dir.path().join("site");
    let mut pages = Vec::new();
    files(&root, "html", &mut pages);
    let (rc, s) = browser_check(&exe, &root);
    assert_eq!(rc, 0, "{s:#}");
    assert_eq!(s["errors"], serde_json::json!([]));
    assert_eq!(s["pages"].as_u64(), Some(pages.len() as u64));
    let shown: Vec<&str> = s["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .map(|m| m["name"].as_str().unwrap_or_default())
        .collect();
    // fixtures/hnp has projection files, so projection coverage is measured too.
    let expected: Vec<&str> = METRICS
        .iter()
        .copied()
        .chain(["projection_coverage"])
        .collect();
    assert_eq!(shown, expected);
    for m in s["metrics"].as_array().into_iter().flatten() {
        // Projection coverage passes too: 30 of 33 queries are served or marked
        // `x-hnp-projection: {none: ...}` in fixtures/hnp.
        assert_eq!(m["status"], "pass", "{m}");
        assert_eq!(m["visible"], true, "{m}");
    }
    let flow = &s["flow"];
    assert!(flow["width"].as_f64() > Some(100.0), "{flow}");
    assert!(flow["height"].as_f64() > Some(100.0), "{flow}");
    assert!(flow["nodes"].as_u64() > Some(100), "{flow}");
    assert_eq!(flow["legend"], true);
    // The optional filter box (JavaScript) narrows the lists and restores them.
    let f = &s["filter"];
    assert_eq!(f["shown_box"], true, "{f}");
    assert!(
        f["shown"].as_u64() >= Some(1) && f["shown"].as_u64() < f["total"].as_u64(),
        "{f}"
    );
    assert_eq!(f["after_clear"], f["total"], "{f}");
    // Readable in light and dark, and keyboard-navigable (the errors above would say
    // where not): every text was measured in both schemes, and Tab walked the overview
    // and one page of each kind.
    for scheme in ["light", "dark"] {
        let c = &s["contrast"][scheme];
        assert!(c["texts"].as_u64() > Some(1000), "{c}");
        assert!(c["min"].as_f64() >= Some(4.5), "{c}");
    }
    // Without JavaScript: no filter box, every list item shown.
    // Diagram labels, laid out by the browser, fit their boxes and do not overlap
    // (the errors above would say which): the overview's and the sagas' texts.
    assert!(
        s["diagram_labels"].as_u64() > Some(500),
        "{}",
        s["diagram_labels"]
    );
    let nojs = &s["without_js"];
    assert_eq!(nojs["filter_shown"], false, "{nojs}");
    assert!(nojs["total"].as_u64() > Some(50), "{nojs}");
    assert_eq!(nojs["shown"], nojs["total"], "{nojs}");
    let k = &s["keyboard"];
    assert_eq!(
        k["pages_walked"],
        serde_json::json!([
            "channels",
            "cqrs.html",
            "index.html",
            "messages",
            "projections",
            "sagas"
        ]),
        "{k}"
    );
    assert!(k["tab_stops"].as_u64() > Some(100), "{k}");
}

/// The browser check fails where it should: a console error, a broken link, a missing
/// fragment, an external link, and an overview without the metrics and the diagram.
#[test]
fn browser_check_catches_console_errors_and_broken_links() {
    let Some(exe) = chromium() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let page = |body: &str| {
        format!(
            "<!DOCTYPE html><html lang=\"en\"><head><title>t</title></head><body><main id=\"main\">{body}</main></body></html>"
        )
    };
    std::fs::write(
        dir.path().join("index.html"),
        page("<a href=\"other.html#nowhere\">o</a> <a href=\"missing.html\">m</a> <a href=\"https://example.invalid/\">x</a>"),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("other.html"),
        page("<script>console.error('boom')</script><a href=\"index.html#main\">back</a>"),
    )
    .expect("write");
    // Accessibility: no skip link, nav or caption, a skipped heading level, a positive
    // tabindex, text too faint in the light scheme and in the dark scheme only.
    std::fs::write(
        dir.path().join("a11y.html"),
        page(concat!(
            "<style>body { background: #fff; color: #000; } p.faint { color: #777; }",
            " @media (prefers-color-scheme: dark) { body { background: #000; } p.dim { color: #333; } }</style>",
            "<h1>t</h1><h3>skipped</h3><p class=\"faint\">faint</p><p class=\"dim\">dim at night</p>",
            "<table><tr><td>no caption, no header</td></tr></table>",
            "<a href=\"index.html\">a</a><span tabindex=\"2\">jumps the queue</span>"
        )),
    )
    .expect("write");
    // A diagram whose label is wider than its box and overlaps another.
    std::fs::write(
        dir.path().join("diagram.html"),
        page(concat!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"hnp-graph\" width=\"400\" height=\"100\">",
            "<g class=\"node k-event\"><rect x=\"10\" y=\"10\" width=\"40\" height=\"30\"/>",
            "<text x=\"12\" y=\"30\">a label far wider than its box</text></g>",
            "<text x=\"60\" y=\"30\">neighbour</text></svg>"
        )),
    )
    .expect("write");
    let (rc, s) = browser_check(&exe, dir.path());
    assert_eq!(rc, 1, "{s:#}");
    let errors: Vec<&str> = s["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e.as_str())
        .collect();
    let has = |needle: &str| errors.iter().any(|e| e.contains(needle));
    assert!(has("other.html: console.error"), "{errors:#?}");
    assert!(has("broken link file://"), "{errors:#?}");
    assert!(has("no element #nowhere"), "{errors:#?}");
    assert!(
        has("link outside the site: https://example.invalid/"),
        "{errors:#?}"
    );
    assert!(has("gate metrics shown []"), "{errors:#?}");
    assert!(has("flow diagram not shown"), "{errors:#?}");
    assert!(
        has("index.html: no <nav> with an aria-label"),
        "{errors:#?}"
    );
    assert!(has("index.html: 0 <h1>"), "{errors:#?}");
    assert!(
        has("index.html: the first Tab does not show a focused skip link"),
        "{errors:#?}"
    );
    assert!(
        has("a11y.html: heading level skips from h1 to h3"),
        "{errors:#?}"
    );
    assert!(has("a11y.html: table 1 has no caption"), "{errors:#?}");
    assert!(has("a11y.html: table 1 has no header cells"), "{errors:#?}");
    assert!(has("a11y.html: positive tabindex on <span>"), "{errors:#?}");
    assert!(
        has("a11y.html: light scheme: low contrast <p> \"faint\""),
        "{errors:#?}"
    );
    assert!(
        !has("a11y.html: light scheme: low contrast <p> \"dim"),
        "{errors:#?}"
    );
    assert!(
        has("a11y.html: dark scheme: low contrast <p> \"dim at night\""),
        "{errors:#?}"
    );
    assert!(
        has("diagram.html: diagram label overflows its box: \"a label far wider than its box\""),
        "{errors:#?}"
    );
    assert!(
        has(
            "diagram.html: diagram labels overlap: \"a label far wider than its box\" and \"neighbour\""
        ),
        "{errors:#?}"
    );
    assert_eq!(s["pages"], 4);
}

/// The HNP contract (and `extra` files of fixtures/hnp) copied into `dir`, as a repository
/// would hold them.
fn copy_hnp(dir: &Path, extra: &[&str]) {
    let from = repo().join("fixtures/hnp");
    let to = dir.join("fixtures/hnp");
    let files = [
        "asyncapi.yaml",
        "common/schemas.yaml",
        "common/cloudevents.yaml",
    ];
    for f in files.iter().chain(extra) {
        let p = to.join(f);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::copy(from.join(f), &p).expect("copy");
    }
}

/// The rules of `diff --format json`'s findings.
fn rules_of(o: &std::process::Output) -> BTreeSet<String> {
    let v: serde_json::Value = serde_json::from_str(&crate::util::stdout(o)).expect("json");
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["rule"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The rules a changelog page lists.
fn changelog_rules(page: &str) -> BTreeSet<String> {
    page.match_indices("<td><code>diff-")
        .map(|(i, _)| {
            let rest = &page[i + "<td><code>".len()..];
            rest[..rest.find('<').expect("end")].to_string()
        })
        .collect()
}

/// `docs --base REV`: the changelog of `diff` as a page of the site (and a section of
/// the Markdown overview), with the same findings `hnp-events diff REV` reports.
#[test]
fn base_adds_the_changelog_of_diff() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    copy_hnp(dir, &[]);
    std::fs::write(
        dir.join("hnp-events.yaml"),
        "documents:\n  - fixtures/hnp/asyncapi.yaml\n",
    )
    .expect("config");
    let git = git2::Repository::init(dir).expect("git init");
    crate::codegen_git::commit_all(&git, "v1");
    // Unchanged: a changelog page saying so.
    let o = run_in(dir, &["docs", "--out", "site0", "--base", "HEAD"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = std::fs::read_to_string(dir.join("site0/changelog.html")).expect("page");
    assert!(page.contains("No changes to the contract."), "{page}");
    // A breaking change in the working tree (patch 01 of fixtures/hnp-evolution).
    let text =
        std::fs::read(repo().join("fixtures/hnp-evolution/01-resource-created-uid-optional.patch"))
            .expect("patch");
    let diff = git2::Diff::from_buffer(&text).expect("a git patch");
    git.apply(&diff, git2::ApplyLocation::WorkDir, None)
        .expect("applies");
    let o = run_in(dir, &["diff", "HEAD", "--format", "json"]);
    let rules = rules_of(&o);
    assert!(rules.contains("diff-schema-breaking"), "{rules:?}");
    let o = run_in(dir, &["docs", "--out", "site", "--base", "HEAD"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let site = dir.join("site");
    let page = std::fs::read_to_string(site.join("changelog.html")).expect("changelog.html");
    assert_eq!(
        changelog_rules(&page),
        rules,
        "the changelog shows what `diff` reports"
    );
    assert!(page.contains("<h2 id=\"cl-1\">Breaking</h2>"), "{page}");
    let index = std::fs::read_to_string(site.join("index.html")).expect("index");
    assert!(index.contains("href=\"changelog.html\""));
    let mut pages = Vec::new();
    files(&site, "html", &mut pages);
    check_links(&site, &pages, |t| attr_values(t, "href"), true);
    // Markdown: a section of the overview, the changelog `diff --format markdown` writes.
    let o = run_in(
        dir,
        &["docs", "--out", "wiki", "-f", "markdown", "--base", "HEAD"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let md = std::fs::read_to_string(dir.join("wiki/index.md")).expect("index.md");
    let o = run_in(dir, &["diff", "HEAD", "--format", "markdown"]);
    let changelog = crate::util::stdout(&o);
    assert!(md.contains(changelog.trim()), "{md}\n---\n{changelog}");
    assert!(!dir.join("wiki/changelog.md").exists());
    // Not a revision: a clear error, nothing written.
    let o = run_in(dir, &["docs", "--out", "site2", "--base", "no-such-rev"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--base no-such-rev"), "{}", stderr(&o));
    assert!(!dir.join("site2").exists());
}

/// `docs --base` shows what `diff` reports beyond the documents: a saga dropped from the
/// config between the revisions is in both (the changelog comes from one function).
#[test]
fn base_changelog_includes_sagas_like_diff() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    copy_hnp(dir, &["sagas/crd-apply.saga.yaml"]);
    let docs = "documents:\n  - fixtures/hnp/asyncapi.yaml\n";
    let config = dir.join("hnp-events.yaml");
    std::fs::write(
        &config,
        format!("{docs}sagas:\n  - fixtures/hnp/sagas/crd-apply.saga.yaml\n"),
    )
    .expect("config");
    let git = git2::Repository::init(dir).expect("git init");
    crate::codegen_git::commit_all(&git, "v1");
    std::fs::write(&config, docs).expect("config without the saga");
    let o = run_in(dir, &["diff", "HEAD", "--format", "json"]);
    let rules = rules_of(&o);
    assert!(rules.contains("diff-saga-removed"), "{rules:?}");
    let o = run_in(dir, &["docs", "--out", "site", "--base", "HEAD"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = std::fs::read_to_string(dir.join("site/changelog.html")).expect("changelog");
    assert_eq!(
        changelog_rules(&page),
        rules,
        "the changelog shows what `diff` reports"
    );
}

/// The site's flow diagram marks the nodes with gate misses, exactly as `graph
/// --with-findings` does, and the overview says so.
#[test]
fn overview_diagram_marks_nodes_with_findings_like_graph() {
    let doc = "fixtures/gates/delivery-declared.fail.yaml";
    let dir = site(&[doc]);
    let index = std::fs::read_to_string(dir.path().join("site/index.html")).expect("index");
    let o = run(&["graph", doc, "--with-findings", "--format", "svg"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let svg = crate::util::stdout(&o);
    let marked = |t: &str| -> Vec<String> {
        t.match_indices(" marked\"><title>")
            .map(|(i, _)| {
                let rest = &t[i + " marked\"><title>".len()..];
                rest[..rest.find('<').expect("end")].to_string()
            })
            .collect()
    };
    let in_site = marked(&index);
    assert!(!in_site.is_empty(), "the fail fixture has gate misses");
    assert_eq!(in_site, marked(&svg));
}

fn yaml_value(path: &Path) -> serde_json::Value {
    let text = std::fs::read(path).expect("read");
    let mut diags = Vec::new();
    let f = hnp_events::source::parse_file(
        path,
        text,
        std::sync::Arc::from(path.to_string_lossy().as_ref()),
        &mut diags,
    );
    f.value.expect("a value")
}

/// A `$ref` (local to `file`, or `./other.yaml#/…` beside it) followed to its value.
fn deref(
    v: &serde_json::Value,
    file: &Path,
    cache: &mut std::collections::HashMap<PathBuf, serde_json::Value>,
) -> (serde_json::Value, PathBuf) {
    let Some(r) = v.get("$ref").and_then(serde_json::Value::as_str) else {
        return (v.clone(), file.to_path_buf());
    };
    let (path, ptr) = r.split_once('#').expect("a fragment");
    let target = if path.is_empty() {
        file.to_path_buf()
    } else {
        file.parent().expect("folder").join(path)
    };
    let doc = cache
        .entry(target.clone())
        .or_insert_with(|| yaml_value(&target));
    let found = doc.pointer(ptr).expect("the $ref resolves").clone();
    deref(&found, &target, cache)
}

/// The top-level properties of an object schema as JSON Schema sees them: those of its
/// `allOf` parts, then its own, each with every schema that constrains it; `required`
/// collects the names any of them requires.
fn collect_fields(
    schema: &serde_json::Value,
    file: &Path,
    cache: &mut std::collections::HashMap<PathBuf, serde_json::Value>,
    fields: &mut Vec<(String, Vec<serde_json::Value>)>,
    required: &mut BTreeSet<String>,
    depth: usize,
) {
    assert!(depth < 10, "allOf nesting");
    let (s, sfile) = deref(schema, file, cache);
    for part in s
        .get("allOf")
        .and_then(|a| a.as_array())
        .into_iter()
        .flatten()
    {
        collect_fields(part, &sfile, cache, fields, required, depth + 1);
    }
    for r in s
        .get("required")
        .and_then(|r| r.as_array())
        .into_iter()
        .flatten()
    {
        required.insert(r.as_str().expect("a name").to_string());
    }
    for (name, p) in s
        .get("properties")
        .and_then(|p| p.as_object())
        .into_iter()
        .flatten()
    {
        let (p, _) = deref(p, &sfile, cache);
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some((_, schemas)) => schemas.push(p),
            None => fields.push((name.clone(), vec![p])),
        }
    }
}

/// A duration as saga files and the pages write it (`1m30s`, `24h`, `500ms`), in ms.
fn millis(d: &str) -> u64 {
    let mut total = 0;
    let mut num = String::new();
    let mut chars = d.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u64 = num.parse().unwrap_or_else(|_| panic!("duration {d}"));
        num.clear();
        total += n * match c {
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                1
            }
            's' => 1000,
            'm' => 60_000,
            'h' => 3_600_000,
            'd' => 86_400_000,
            _ => panic!("duration {d}"),
        };
    }
    assert!(num.is_empty(), "duration {d}");
    total
}

/// The rows of the table with this caption: cells as text (tags dropped).
fn table_rows(page: &str, caption: &str) -> Vec<Vec<String>> {
    let Some(start) = page.find(&format!("<caption>{caption}</caption>")) else {
        return Vec::new();
    };
    let body = &page[start..];
    let body = &body[..body.find("</table>").expect("table end")];
    let strip = |s: &str| {
        let mut out = String::new();
        let mut tag = false;
        for c in s.chars() {
            match c {
                '<' => tag = true,
                '>' => tag = false,
                c if !tag => out.push(c),
                _ => {}
            }
        }
        unescape(&out).trim().to_string()
    };
    body.split("<tr>")
        .skip(2) // the caption and the header row
        .map(|row| {
            row.split("</td>")
                .flat_map(|c| c.split("</th>"))
                .map(strip)
                .collect()
        })
        .collect()
}

/// The pages say what the sources say. Oracle: the fixture files read as plain data.
/// Every HNP AsyncAPI 3 message with an object payload: its page's payload table lists
/// exactly the schema's properties, in order, with their type and whether they are
/// required. Every step of every HNP saga: its row shows the timeout, on-timeout,
/// retries, p95 and compensation command the saga file declares.
#[test]
fn pages_show_what_the_sources_declare() {
    let dir = site(&["fixtures/hnp"]);
    let root = dir.path().join("site");
    let hnp = repo().join("fixtures/hnp");
    let mut cache = std::collections::HashMap::new();
    // Message pages by the name in their heading, declared in asyncapi.yaml.
    let mut pages = std::collections::HashMap::new();
    let mut msg_pages = Vec::new();
    files(&root.join("messages"), "html", &mut msg_pages);
    for p in msg_pages {
        let t = std::fs::read_to_string(&p).expect("page");
        let name = t
            .split_once("<h1>Message <code>")
            .and_then(|(_, r)| r.split_once("</code>"))
            .map(|(n, _)| n.to_string())
            .expect("a heading");
        if unescape(&t).contains("<code>fixtures/hnp/asyncapi.yaml:") {
            pages.insert(name, t);
        }
    }
    let doc_path = hnp.join("asyncapi.yaml");
    let doc = yaml_value(&doc_path);
    let (mut checked, mut messages) = (0, 0);
    for (name, m) in doc["components"]["messages"].as_object().expect("messages") {
        let (m, mfile) = deref(m, &doc_path, &mut cache);
        let Some(payload) = m.get("payload") else {
            continue;
        };
        let mut fields: Vec<(String, Vec<serde_json::Value>)> = Vec::new();
        let mut required = BTreeSet::new();
        collect_fields(payload, &mfile, &mut cache, &mut fields, &mut required, 0);
        if fields.is_empty() {
            continue;
        }
        // A message also in asyncapi-2.6.yaml may be shown from there.
        let Some(page) = pages.get(name) else {
            continue;
        };
        messages += 1;
        // Top-level fields (nested objects' fields follow theirs as `a.b`).
        let rows: Vec<Vec<String>> = table_rows(page, "Payload")
            .into_iter()
            .filter(|r| !r[0].contains('.'))
            .collect();
        let shown: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        let declared: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(shown, declared, "{name}: payload fields");
        for (row, (prop, schemas)) in rows.iter().zip(&fields) {
            let want = if required.contains(prop) { "yes" } else { "no" };
            assert_eq!(row[2], want, "{name}.{prop}: required");
            for schema in schemas {
                if let Some(ty) = schema.get("type").and_then(|t| t.as_str()) {
                    assert!(
                        row[1].contains(ty),
                        "{name}.{prop}: type {ty}, shown {row:?}"
                    );
                }
                for k in ["minimum", "maxLength", "const"] {
                    if let Some(v) = schema.get(k) {
                        let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                        assert!(
                            row[3].contains(&format!("{k}: {v}")),
                            "{name}.{prop}: {k} {v}, shown {row:?}"
                        );
                    }
                }
                if let Some(f) = schema.get("format").and_then(|f| f.as_str()) {
                    assert!(
                        row[3].contains(&format!("format: {f}")),
                        "{name}.{prop}: {row:?}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(
        messages > 50 && checked > 300,
        "{messages} messages, {checked} payload fields checked"
    );
    // Channel pages: every `x-hnp-*` declaration of the channel and of each operation
    // on it, with its value.
    let mut by_address = std::collections::HashMap::new();
    let mut ch_pages = Vec::new();
    files(&root.join("channels"), "html", &mut ch_pages);
    for p in ch_pages {
        let t = std::fs::read_to_string(&p).expect("page");
        if let Some(a) = t
            .split_once("<h1>Channel <code>")
            .and_then(|(_, r)| r.split_once("</code>"))
            .map(|(a, _)| unescape(a))
        {
            if unescape(&t).contains("<code>fixtures/hnp/asyncapi.yaml:") {
                by_address.insert(a, t);
            }
        }
    }
    let mut declarations = 0;
    let channels = doc["channels"].as_object().expect("channels");
    for (id, ch) in channels {
        let Some(page) = ch["address"].as_str().and_then(|a| by_address.get(a)) else {
            continue;
        };
        let rows = table_rows(page, "Declarations (<code>x-hnp-*</code> and bindings)");
        let mut want: Vec<(String, String, serde_json::Value)> = Vec::new();
        let decl = |on: &str, o: &serde_json::Value, want: &mut Vec<_>| {
            for (k, v) in o.as_object().into_iter().flatten() {
                if k.starts_with("x-hnp-") {
                    want.push((on.to_string(), k.clone(), v.clone()));
                }
            }
        };
        decl("channel", ch, &mut want);
        for (op_id, op) in doc["operations"].as_object().expect("operations") {
            if op["channel"]["$ref"].as_str() == Some(&format!("#/channels/{id}")) {
                decl(op_id, op, &mut want);
            }
        }
        for (on, key, value) in want {
            let row = rows
                .iter()
                .find(|r| r[0] == on && r[1] == key)
                .unwrap_or_else(|| panic!("channel {id}: no row for {on} {key}: {rows:?}"));
            let shown: serde_json::Value = serde_json::from_str(&row[2].replace("&quot;", "\""))
                .unwrap_or_else(|_| serde_json::Value::String(row[2].clone()));
            assert_eq!(shown, value, "channel {id}: {on} {key}");
            declarations += 1;
        }
    }
    assert!(declarations > 50, "{declarations} declarations checked");
    // Projection pages: the key, the queries served, the state's fields (required as
    // declared) and a reducer row per event.
    let mut projections = 0;
    for e in std::fs::read_dir(hnp.join("projections")).expect("projections") {
        let path = e.expect("entry").path();
        if !path.to_string_lossy().ends_with(".projection.yaml") {
            continue;
        }
        let v = yaml_value(&path);
        let name = v["projection"].as_str().expect("a name");
        let page = std::fs::read_to_string(root.join(format!("projections/{name}.html")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = unescape(&page);
        let key = v["key"].as_str().expect("a key");
        assert!(
            text.contains(&format!("<dd><code>{key}</code></dd>")),
            "{name}: key {key}"
        );
        for q in v["serves"].as_array().into_iter().flatten() {
            assert!(
                text.contains(q.as_str().expect("a query")),
                "{name}: serves {q}"
            );
        }
        let state = table_rows(&page, "Read model (state)");
        let required: Vec<&str> = v["state"]["required"]
            .as_array()
            .map(|r| r.iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default();
        let fields: Vec<&String> = v["state"]["properties"]
            .as_object()
            .expect("state properties")
            .keys()
            .collect();
        let shown: Vec<&String> = state.iter().map(|r| &r[0]).collect();
        assert_eq!(shown, fields, "{name}: state fields");
        for r in &state {
            let want = if required.contains(&r[0].as_str()) {
                "yes"
            } else {
                "no"
            };
            assert_eq!(r[2], want, "{name}.{}: required", r[0]);
        }
        let reducers = table_rows(&page, "Events folded into the read model");
        let events: Vec<&String> = v["on"].as_object().expect("reducers").keys().collect();
        let shown: Vec<&String> = reducers.iter().map(|r| &r[0]).collect();
        assert_eq!(shown, events, "{name}: reducers");
        projections += 1;
    }
    assert_eq!(projections, 7, "the HNP projections");
    // Saga steps and branches.
    let (mut steps, mut branches) = (0, 0);
    for s in ["crd-apply", "drift-reconcile", "gitops-sync"] {
        let saga = yaml_value(&hnp.join(format!("sagas/{s}.saga.yaml")));
        let page = std::fs::read_to_string(root.join(format!("sagas/{s}.html"))).expect("page");
        let rows = table_rows(
            &page,
            "Steps with timeouts, retries, compensations and objectives",
        );
        let mut stack: Vec<&serde_json::Value> = vec![&saga["steps"]];
        while let Some(v) = stack.pop() {
            match v {
                serde_json::Value::Array(a) => stack.extend(a),
                serde_json::Value::Object(o) => {
                    // Parallel groups and branches hold steps of their own.
                    stack.extend(o.values().filter(|x| x.is_array() || x.is_object()));
                    let (Some(id), true) = (
                        o.get("id").and_then(|x| x.as_str()),
                        o.contains_key("timeout"),
                    ) else {
                        continue;
                    };
                    let row = rows
                        .iter()
                        .find(|r| r[0] == id)
                        .unwrap_or_else(|| panic!("{s}: no row for step {id}: {rows:?}"));
                    let text = |k: &str| o.get(k).and_then(|x| x.as_str()).map(str::to_string);
                    // The same duration (the page writes `24h` as `1d`).
                    assert_eq!(
                        millis(&row[4]),
                        millis(&text("timeout").unwrap_or_default()),
                        "{s}/{id}: {row:?}"
                    );
                    if let Some(t) = text("onTimeout") {
                        assert_eq!(row[5], t, "{s}/{id}");
                    }
                    if o.contains_key("branch") || o.contains_key("cases") {
                        // A branch waits for its event; a timeout fails the saga.
                        assert_eq!(row[5], "fail", "{s}/{id}");
                        assert!(row[9].contains("branch on "), "{s}/{id}: {row:?}");
                        branches += 1;
                    }
                    if let Some(r) = o.get("retry") {
                        let want = format!(
                            "×{}, backoff {}",
                            r["max"],
                            r["backoff"].as_str().unwrap_or_default()
                        );
                        assert_eq!(row[6], want, "{s}/{id}");
                    }
                    if let Some(c) = o.get("compensation") {
                        // One compensation, or several in order.
                        let list = c.as_array().cloned().unwrap_or_else(|| vec![c.clone()]);
                        let shown: Vec<&str> = row[7].split("; ").collect();
                        assert_eq!(shown.len(), list.len(), "{s}/{id}: {row:?}");
                        for (x, c) in shown.iter().zip(&list) {
                            let send = c["send"].as_str().expect("a compensation command");
                            let confirm = c["confirm"].as_str().expect("its confirmation");
                            assert!(
                                x.starts_with(&format!("send {send} → {confirm}")),
                                "{s}/{id}: {row:?}"
                            );
                        }
                    } else {
                        assert_eq!(row[7], "", "{s}/{id}");
                    }
                    assert_eq!(row[8], text("p95").unwrap_or_default(), "{s}/{id}");
                    steps += 1;
                }
                _ => {}
            }
        }
    }
    assert!(steps >= 15, "{steps} saga steps checked");
    assert_eq!(branches, 1, "drift-reconcile's branch has its row");
}

/// The generated site is not committed (CI builds the HNP site into `target/`): the
/// repository tracks no `docs/` folder.
#[test]
fn generated_site_is_not_committed() {
    let o = std::process::Command::new("git")
        .args(["ls-files", "--", "docs", "site"])
        .current_dir(repo())
        .output();
    match o {
        Ok(o) if o.status.success() => assert!(
            o.stdout.is_empty(),
            "tracked generated pages: {}",
            String::from_utf8_lossy(&o.stdout)
        ),
        _ => println!("note: not a git work tree; the check is skipped"),
    }
}

/// `--format markdown` writes the same content as the HTML site: the same pages (by
/// path), and every row of every table of a page (its first cell: a field, a step, an
/// operation, a metric) is a row of the Markdown page too.
#[test]
fn markdown_site_has_the_html_content() {
    let html = site(&["fixtures/hnp"]);
    let md = site(&["fixtures/hnp", "--format", "markdown"]);
    let (hroot, mroot) = (html.path().join("site"), md.path().join("site"));
    let rel = |root: &Path, ext: &str| -> BTreeSet<String> {
        let mut v = Vec::new();
        files(root, ext, &mut v);
        v.iter()
            .map(|p| {
                let r = p
                    .strip_prefix(root)
                    .expect("under root")
                    .display()
                    .to_string();
                r.strip_suffix(&format!(".{ext}")).unwrap_or(&r).to_string()
            })
            .collect()
    };
    let pages = rel(&hroot, "html");
    assert_eq!(pages, rel(&mroot, "md"), "the same pages");
    let mut rows = 0;
    for page in &pages {
        let h = std::fs::read_to_string(hroot.join(format!("{page}.html"))).expect("page");
        let m = std::fs::read_to_string(mroot.join(format!("{page}.md"))).expect("page");
        for start in ["<tr><td><code>", "<tr><th scope=\"row\"><code>"] {
            for (i, _) in h.match_indices(start) {
                let rest = &h[i + start.len()..];
                let cell = unescape(&rest[..rest.find("</code>").expect("code end")]);
                let cell = cell.replace("&lt;", "<").replace("&gt;", ">");
                assert!(
                    m.contains(&format!("| `{cell}`")),
                    "{page}.md has no row for `{cell}`"
                );
                rows += 1;
            }
        }
    }
    assert!(rows > 1000, "{rows} table rows compared");
}
