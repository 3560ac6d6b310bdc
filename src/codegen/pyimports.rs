//! Python import blocks computed from what a rendered module uses, so the output is
//! clean under `ruff check` (no unused imports, isort order). A template asks for them
//! with a `#:imports [local imports]` line (`from M import a, b`, several separated by
//! `;`); each name is kept when the module uses it.

/// The code of a module without string literals and comments (what names it uses).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if text[i..].starts_with("\"\"\"") {
            match text[i + 3..].find("\"\"\"") {
                Some(e) => i += 3 + e + 3,
                None => break,
            }
            out.push_str("\"\"");
            continue;
        }
        match b[i] {
            b'"' | b'\'' => {
                let q = b[i];
                i += 1;
                while i < b.len() && b[i] != q && b[i] != b'\n' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                out.push_str("\"\"");
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {
                let ch_len = text[i..].chars().next().map(char::len_utf8).unwrap_or(1);
                out.push_str(&text[i..i + ch_len]);
                i += ch_len;
            }
        }
    }
    out
}

fn uses_word(code: &str, word: &str) -> bool {
    let is_id = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
    code.match_indices(word).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + word.len()..].chars().next();
        !before.is_some_and(is_id) && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Replace a `#:imports` line with the imports the rest of the module needs.
pub fn fill(text: &str) -> String {
    let Some(at) = text.find("#:imports") else {
        return text.to_string();
    };
    let line_end = text[at..].find('\n').map(|e| at + e).unwrap_or(text.len());
    let local = text[at + "#:imports".len()..line_end].trim().to_string();
    let head = &text[..at];
    let rest = text[line_end..].trim_start_matches('\n');
    let code = code_only(rest);
    let mut plain = Vec::new();
    for (module, needle) in [
        ("import asyncio", "asyncio."),
        ("import datetime as _dt", "_dt."),
        ("import json", "json."),
        ("import uuid as _uuid", "_uuid."),
    ] {
        if code.contains(needle) {
            plain.push(module.to_string());
        }
    }
    let mut from = Vec::new();
    if uses_word(&code, "Enum") {
        from.push("from enum import Enum".to_string());
    }
    let typing: Vec<&str> = [
        "Annotated",
        "Any",
        "ClassVar",
        "Literal",
        "Protocol",
        "TypeAlias",
    ]
    .into_iter()
    .filter(|w| uses_word(&code, w))
    .collect();
    if !typing.is_empty() {
        from.push(format!("from typing import {}", typing.join(", ")));
    }
    let mut third = Vec::new();
    if code.contains("pytest.") {
        third.push("import pytest".to_string());
    }
    let pyd: Vec<&str> = ["BaseModel", "ConfigDict", "Field"]
        .into_iter()
        .filter(|w| uses_word(&code, w))
        .collect();
    if !pyd.is_empty() {
        third.push(format!("from pydantic import {}", pyd.join(", ")));
    }
    let mut sections: Vec<Vec<String>> = Vec::new();
    plain.extend(from);
    sections.push(plain);
    sections.push(third);
    // Local imports: `from M import a, b` statements separated by `;`, each name kept
    // when the module uses it (a module by `name.`, a class by its name).
    let mut locals = Vec::new();
    for stmt in local.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        match stmt.split_once(" import ") {
            Some((module, names)) => {
                let used: Vec<&str> = names
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty() && uses_word(&code, n))
                    .collect();
                if !used.is_empty() {
                    locals.push(format!("{module} import {}", used.join(", ")));
                }
            }
            None => {
                // `import m`: kept when `m.` is used.
                let m = stmt.trim_start_matches("import ").trim();
                if uses_word(&code, m) {
                    locals.push(stmt.to_string());
                }
            }
        }
    }
    if !locals.is_empty() {
        sections.push(locals);
    }
    let block: Vec<String> = sections
        .into_iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.join("\n"))
        .collect();
    let gap = if rest.trim().is_empty() {
        // Nothing after the imports: the module ends there, with one line break.
        "\n"
    } else if rest.starts_with("class ") || rest.starts_with("def ") || rest.starts_with('@') {
        "\n\n\n"
    } else {
        "\n\n"
    };
    if block.is_empty() {
        return format!("{}{gap}{rest}", head.trim_end_matches('\n'));
    }
    format!("{head}{}{gap}{rest}", block.join("\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_used_imports() {
        let t = "\"\"\"Doc with Any.\"\"\"\n\nfrom __future__ import annotations\n\n#:imports from . import models\n\nclass A(BaseModel):\n    \"\"\"Any text.\"\"\"\n    x: _dt.datetime\n";
        let out = fill(t);
        assert!(
            out.contains("import datetime as _dt\n\nfrom pydantic import BaseModel\n\n\nclass A"),
            "{out}"
        );
        assert!(!out.contains("typing"));
        assert!(!out.contains("models"));
    }

    #[test]
    fn local_imports_keep_the_names_used() {
        let t = "#:imports from .. import models; from ..outbox import Outbox, Recorder; from ..idempotency import Processed\n\nclass A(Recorder):\n    x: models.B\n";
        let out = fill(t);
        assert!(
            out.starts_with("from .. import models\nfrom ..outbox import Recorder\n"),
            "{out}"
        );
        assert!(
            !out.contains("Outbox,") && !out.contains("idempotency"),
            "{out}"
        );
    }
}
