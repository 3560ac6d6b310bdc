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
    assert_eq!(cqrs, "<!DOCTYPE html><p>custom 70 operations</p>\n");
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
    assert_eq!(s["pages"], 2);
}

/// `docs --base REV`: the changelog of `diff` as a page of the site (and a section of
/// the Markdown overview), with the same findings `hnp-events diff REV` reports.
#[test]
fn base_adds_the_changelog_of_diff() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    let from = repo().join("fixtures/hnp");
    let to = dir.join("fixtures/hnp");
    for f in [
        "asyncapi.yaml",
        "common/schemas.yaml",
        "common/cloudevents.yaml",
    ] {
        let p = to.join(f);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::copy(from.join(f), &p).expect("copy");
    }
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
    let v: serde_json::Value = serde_json::from_str(&crate::util::stdout(&o)).expect("json");
    let rules: BTreeSet<String> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["rule"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(rules.contains("diff-schema-breaking"), "{rules:?}");
    let o = run_in(dir, &["docs", "--out", "site", "--base", "HEAD"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let site = dir.join("site");
    let page = std::fs::read_to_string(site.join("changelog.html")).expect("changelog.html");
    let shown: BTreeSet<String> = page
        .match_indices("<td><code>diff-")
        .map(|(i, _)| {
            let rest = &page[i + "<td><code>".len()..];
            rest[..rest.find('<').expect("end")].to_string()
        })
        .collect();
    assert_eq!(shown, rules, "the changelog shows what `diff` reports");
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
