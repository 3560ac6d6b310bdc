//! The markdown changelog of `diff --format markdown`: for a pull-request comment,
//! breaking / to review / non-breaking, grouped by channel and operation. A pure
//! function of the findings.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::contract::Finding;
use crate::diag::Severity;

/// Render the changelog from `base` to `head`.
pub fn markdown(all: &[Finding], base: &str, head: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## Contract changes: `{base}` → `{head}`\n");
    // Problems of the inputs (a broken config, a document that does not parse) are
    // not changes of the contract: listed first, and not counted as breaking.
    let (problems, findings): (Vec<Finding>, Vec<Finding>) =
        all.iter().cloned().partition(is_problem);
    if !problems.is_empty() {
        let _ = writeln!(s, "### Problems with the inputs\n");
        for f in &problems {
            item(&mut s, f);
        }
        s.push('\n');
    }
    let findings = findings.as_slice();
    let count =
        |f: &dyn Fn(Severity) -> bool| findings.iter().filter(|x| f(x.diag.severity)).count();
    let breaking = count(&|s| s == Severity::Error);
    let review = count(&|s| s == Severity::Warning);
    let other = count(&|s| s < Severity::Warning);
    if findings.is_empty() {
        s.push_str("No changes to the contract.\n");
        return s;
    }
    let _ = writeln!(
        s,
        "**{breaking} breaking**, {review} to review, {other} non-breaking\n"
    );
    let sections: [(&str, &dyn Fn(Severity) -> bool); 3] = [
        ("Breaking", &|s| s == Severity::Error),
        ("To review", &|s| s == Severity::Warning),
        ("Non-breaking", &|s| s < Severity::Warning),
    ];
    for (title, pick) in sections {
        let mut groups: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in findings.iter().filter(|f| pick(f.diag.severity)) {
            groups.entry(f.group.as_str()).or_default().push(f);
        }
        if groups.is_empty() {
            continue;
        }
        let _ = writeln!(s, "### {title}\n");
        for (group, items) in groups {
            let _ = writeln!(s, "#### {group}\n");
            for f in items {
                item(&mut s, f);
            }
            s.push('\n');
        }
    }
    s
}

/// Not a change of the contract: a problem reading the config or a document.
fn is_problem(f: &Finding) -> bool {
    f.group == "configuration" || (f.group == "documents" && !f.diag.rule.starts_with("diff-"))
}

/// One finding as a list item.
fn item(s: &mut String, f: &Finding) {
    let d = &f.diag;
    let at = match d.location.line() {
        Some(l) => format!("{}:{l}", d.location.file),
        None => d.location.file.to_string(),
    };
    let _ = writeln!(s, "- {} (`{}`, {at})", escape(&d.message), d.rule);
}

/// Keep a message on one markdown line and out of HTML.
fn escape(m: &str) -> String {
    m.replace('\n', " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
