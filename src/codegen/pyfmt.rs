//! Layout of generated Python as `ruff format` lays it out (the line length the generated
//! `pyproject.toml` sets): string literals in ruff's quotes, docstrings indented as ruff
//! indents them, and the few generated statements whose length depends on the contract's
//! names split where ruff splits them. No formatter runs: the templates and these helpers
//! write formatted code directly (`ruff format --check` in the e2e tests holds them to it).

/// `line-length` in the generated `pyproject.toml` (`[tool.ruff]`).
pub const LINE_LENGTH: usize = 120;

fn width(s: &str) -> usize {
    s.chars().count()
}

/// A Python string literal as ruff writes it: double quotes, unless the text holds more
/// double quotes than single ones (then single quotes, fewer escapes).
pub fn str_lit(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let doubles = s.matches('"').count();
    let singles = s.matches('\'').count();
    if doubles <= singles {
        return json;
    }
    // Re-quote the JSON escape sequences: `\"` needs no escape between single quotes,
    // `'` does; every other escape (`\\`, `\n`, `\u0001`) is the same in Python.
    let inner = &json[1..json.len() - 1];
    let mut out = String::with_capacity(inner.len() + 2 + singles);
    out.push('\'');
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('"') => out.push('"'),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            '\'' => out.push_str("\\'"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The indentation width of a line, tabs expanded to the next multiple of 8.
fn indent_columns(line: &str) -> (usize, usize) {
    let mut col = 0;
    let mut bytes = 0;
    for c in line.chars() {
        match c {
            ' ' => col += 1,
            '\t' => col = (col / 8 + 1) * 8,
            _ => break,
        }
        bytes += c.len_utf8();
    }
    (col, bytes)
}

/// The text of a docstring (between its quotes) as ruff formats it at `indent`: the
/// first line without surrounding blanks, the others re-indented by their common
/// indentation (tabs expanded), trailing blanks removed. `text` is already escaped.
pub fn docstring(text: &str, indent: &str) -> String {
    let mut lines = text.split('\n');
    let first = lines.next().unwrap_or("").trim();
    let rest: Vec<&str> = lines.map(str::trim_end).collect();
    let common = rest
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent_columns(l).0)
        .min()
        .unwrap_or(0);
    let mut out = first.to_string();
    for l in &rest {
        out.push('\n');
        if l.trim().is_empty() {
            continue;
        }
        let (cols, bytes) = indent_columns(l);
        out.push_str(indent);
        out.push_str(&" ".repeat(cols - common));
        out.push_str(&l[bytes..]);
    }
    if rest.last().is_some_and(|l| l.trim().is_empty()) {
        // The closing quotes on a line of their own, at the docstring's indentation.
        out.push_str(indent);
    } else if out.ends_with('"') {
        // A closing quote would run into the docstring's own.
        out.push(' ');
    }
    out
}

/// Where each character outside strings and brackets sits in one line of code, with
/// the top-level brackets themselves: (byte offset, char).
fn top_level(code: &str) -> Vec<(usize, char)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in code.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '(' | '[' | '{' => {
                if depth == 0 {
                    out.push((i, c));
                }
                depth += 1;
            }
            ')' | ']' | '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    out.push((i, c));
                }
            }
            _ if depth == 0 => out.push((i, c)),
            _ => {}
        }
    }
    out
}

/// Top-level comma-separated parts of `code` (no enclosing brackets).
fn split_commas(code: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in top_level(code) {
        if c == ',' {
            parts.push(code[start..i].trim());
            start = i + 1;
        }
    }
    let last = code[start..].trim();
    if !last.is_empty() {
        parts.push(last);
    }
    parts
}

/// One generated line laid out as ruff lays it out when it is longer than the line
/// length: an assignment (`x = …`, `x: T = …`), a keyword argument (`k=…`) or an
/// expression, optionally followed by a comma (an element of a group). Its last bracket
/// group is split: the contents on one line if they fit, else one per line with a
/// trailing comma (each laid out the same way); a string too long after `=` is
/// parenthesised if that makes it fit. Lines that fit, and shapes this does not know,
/// are returned as they are.
pub fn fit_line(line: &str) -> String {
    if width(line) <= LINE_LENGTH {
        return line.to_string();
    }
    let code = line.trim_start();
    let indent = &line[..line.len() - code.len()];
    let inner_indent = format!("{indent}    ");
    if code.starts_with("def ") || code.starts_with("async def ") || code.starts_with("class ") {
        return fit_def(line, indent, code);
    }
    let (code, suffix) = match top_level(code).last() {
        Some(&(i, ',')) if i + 1 == code.len() => (&code[..i], ","),
        _ => (code, ""),
    };
    // The assignment's (or keyword's) `=`: not `==`, `!=`, `<=`, `>=`.
    let b = code.as_bytes();
    let eq = top_level(code).into_iter().find_map(|(i, c)| {
        (c == '='
            && b.get(i + 1) != Some(&b'=')
            && i > 0
            && !matches!(b[i - 1], b'=' | b'!' | b'<' | b'>'))
        .then_some(i)
    });
    let split_at = eq.map_or(0, |i| i + 1);
    let rhs = code[split_at..].trim_start();
    let prefix = &code[..code.len() - rhs.len()];
    if eq.is_none() && suffix.is_empty() {
        // `name: T` alone (a field without a default).
        if let Some(a) = fit_annotation(indent, code, "") {
            return a;
        }
    }
    // A union (`A | B | C`): one operand per line, in parentheses after `=`.
    let ops = binary_operands(rhs);
    if ops.len() > 1 {
        let (open, inner, close) = if eq.is_some() {
            (
                format!("{indent}{prefix}(\n"),
                inner_indent.clone(),
                format!("\n{indent}){suffix}"),
            )
        } else {
            (
                format!("{indent}{prefix}"),
                indent.to_string(),
                suffix.to_string(),
            )
        };
        let flat = format!("{inner}{rhs}");
        if eq.is_some() && width(&flat) <= LINE_LENGTH {
            return format!("{open}{flat}{close}");
        }
        let mut out = open;
        for (n, op) in ops.iter().enumerate() {
            if n > 0 {
                out.push('\n');
                out.push_str(&inner);
                out.push_str("| ");
            } else if eq.is_some() {
                out.push_str(&inner);
            }
            out.push_str(op);
        }
        return format!("{out}{close}");
    }
    // The right-hand side of an assignment in parentheses of its own, when that fits.
    let paren =
        (eq.is_some() && suffix.is_empty() && width(&format!("{indent}{prefix}(")) <= LINE_LENGTH)
            .then(|| format!("{inner_indent}{rhs}"))
            .filter(|l| width(l) <= LINE_LENGTH)
            .map(|inner| format!("{indent}{prefix}(\n{inner}\n{indent})"));
    // An annotation too long for `name: T = call(` is split on its own.
    // (Not before a call without arguments: ruff leaves that line long.)
    let annotated = eq
        .filter(|_| !rhs.ends_with("()"))
        .and_then(|e| fit_annotation(indent, &code[..e], &format!(" = {rhs}{suffix}")));
    match (split_group(indent, prefix, rhs, suffix), paren) {
        (Some((true, g)), _) => g,
        (_, Some(p)) => p,
        (g, None) => match (annotated, g) {
            (Some(a), _) => a,
            (None, Some((_, g))) => g,
            (None, None) => line.to_string(),
        },
    }
}

/// `name: T` + `rest` (` = value`, or nothing) with the annotation split: a subscript's
/// brackets (`list[`…`]`), else the annotation in parentheses (a union one operand per
/// line if it does not fit). None when the last line would not fit, or no annotation.
fn fit_annotation(indent: &str, target: &str, rest: &str) -> Option<String> {
    let (name, ann) = target.trim().split_once(": ")?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
    {
        return None;
    }
    let ann = ann.trim();
    let inner = format!("{indent}    ");
    let marks = top_level(ann);
    let subscript = binary_operands(ann).len() == 1
        && ann.ends_with(']')
        && marks.iter().filter(|&&(_, c)| c == '[').count() == 1;
    let (open, body, close) = if subscript {
        let at = ann.find('[')?;
        (&ann[..=at], &ann[at + 1..ann.len() - 1], "]")
    } else {
        ("(", ann, ")")
    };
    let last = format!("{indent}{close}{rest}");
    if width(&last) > LINE_LENGTH {
        return None;
    }
    let flat = format!("{inner}{body}");
    let ops = binary_operands(body);
    let middle = if width(&flat) <= LINE_LENGTH || ops.len() == 1 {
        flat
    } else {
        format!("{inner}{}", ops.join(&format!("\n{inner}| ")))
    };
    Some(format!("{indent}{name}: {open}\n{middle}\n{last}"))
}

/// The operands of a top-level `|` chain (one operand: not a chain).
fn binary_operands(code: &str) -> Vec<&str> {
    let b = code.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in top_level(code) {
        if c == '|' && i > 0 && b[i - 1] == b' ' && b.get(i + 1) == Some(&b' ') {
            parts.push(code[start..i].trim());
            start = i + 1;
        }
    }
    parts.push(code[start..].trim());
    parts
}

/// `prefix` + `rhs` + `suffix` with the last bracket group of `rhs` split (it may be
/// followed by attribute names: `f(x).done`), and whether the line that opens the group
/// fits. None when `rhs` does not end with such a group.
fn split_group(indent: &str, prefix: &str, rhs: &str, suffix: &str) -> Option<(bool, String)> {
    let inner_indent = format!("{indent}    ");
    let marks = top_level(rhs);
    let close_at = marks
        .iter()
        .rposition(|&(_, c)| matches!(c, ')' | ']' | '}'))?;
    let (close, close_c) = marks[close_at];
    let tail = &rhs[close + 1..];
    let attrs = tail
        .split('.')
        .skip(1)
        .all(|a| !a.is_empty() && a.chars().all(|c| c.is_alphanumeric() || c == '_'));
    if !(tail.is_empty() || tail.starts_with('.') && attrs) {
        return None;
    }
    let (open, open_c) = *marks.get(close_at.checked_sub(1)?)?;
    if !matches!(open_c, '(' | '[' | '{') {
        return None;
    }
    let head_start = marks[..close_at - 1]
        .iter()
        .rev()
        .find(|&&(_, c)| c == ' ')
        .map_or(0, |&(i, _)| i + 1);
    let before = &rhs[..head_start];
    let head = &rhs[head_start..open];
    let body = rhs[open + 1..close].trim();
    if body.is_empty() {
        return None;
    }
    let first = format!("{indent}{prefix}{before}{head}{open_c}");
    let fits = width(&first) <= LINE_LENGTH;
    let parts = split_commas(body);
    // A collection display (no callee or subscripted value before its bracket) with
    // commas is split one element per line, never hugged; so is a magic trailing comma.
    let display = head.is_empty() && body.contains(',') && parts.len() > 1 || body.ends_with(',');
    let flat = format!("{inner_indent}{body}");
    if !display && (width(&flat) <= LINE_LENGTH || parts.len() == 1) {
        return Some((
            fits,
            format!("{first}\n{flat}\n{indent}{close_c}{tail}{suffix}"),
        ));
    }
    let mut out = format!("{first}\n");
    for p in parts {
        out.push_str(&fit_line(&format!("{inner_indent}{p},")));
        out.push('\n');
    }
    Some((fits, format!("{out}{indent}{close_c}{tail}{suffix}")))
}

/// A `def` (or `class`) line too long: its parameters (bases) on one line if they fit, else one per line with
/// a trailing comma; the return annotation stays after the closing parenthesis.
fn fit_def(line: &str, indent: &str, code: &str) -> String {
    let marks = top_level(code);
    let Some(&(open, _)) = marks.iter().find(|&&(_, c)| c == '(') else {
        return line.to_string();
    };
    let Some(&(close, _)) = marks.iter().find(|&&(i, c)| i > open && c == ')') else {
        return line.to_string();
    };
    let head = &code[..=open];
    let body = code[open + 1..close].trim();
    let tail = &code[close..];
    if body.is_empty() {
        // No parameters: the return annotation goes in parentheses of its own.
        return match tail.strip_prefix(") -> ").and_then(|t| t.strip_suffix(':')) {
            Some(ret) if !ret.starts_with('(') => {
                format!("{indent}{head}) -> (\n{indent}    {ret}\n{indent}):")
            }
            _ => line.to_string(),
        };
    }
    let flat = format!("{indent}    {body}");
    // A lone parameter split onto its own line gets a trailing comma (a lone base class
    // does not).
    let lone = split_commas(body).len() == 1 && !code.starts_with("class ");
    if width(&flat) <= LINE_LENGTH && !body.ends_with(',') && !lone {
        return format!("{indent}{head}\n{flat}\n{indent}{tail}");
    }
    let mut out = format!("{indent}{head}\n");
    for p in split_commas(body) {
        out.push_str(&format!("{indent}    {p},\n"));
    }
    format!("{out}{indent}{tail}")
}

/// `fit_line` on every line of a block (the `py_fit` template filter), except comments
/// and the lines of docstrings.
pub fn fit(block: &str) -> String {
    let mut in_doc = false;
    block
        .split('\n')
        .map(|line| {
            let text = line.trim_start();
            if in_doc {
                in_doc = !line.contains("\"\"\"");
                return line.to_string();
            }
            if text.starts_with("\"\"\"") {
                in_doc = text.matches("\"\"\"").count() == 1;
                return line.to_string();
            }
            if text.starts_with('#') {
                line.to_string()
            } else {
                fit_line(line)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_follow_ruff() {
        assert_eq!(str_lit("a"), "\"a\"");
        assert_eq!(str_lit("it's"), "\"it's\"");
        assert_eq!(str_lit("{\"k\":1}"), "'{\"k\":1}'");
        assert_eq!(str_lit("\"x'"), "\"\\\"x'\"");
        assert_eq!(str_lit("\"\"'"), "'\"\"\\''");
        assert_eq!(str_lit("\"\\\n"), "'\"\\\\\\n'");
    }

    #[test]
    fn docstrings_are_reindented() {
        assert_eq!(
            docstring("a\n\nb\n\tc", "    "),
            "a\n\n    b\n            c"
        );
        assert_eq!(docstring("a \n  b  ", "    "), "a\n    b");
        assert_eq!(docstring("say \"x\"", "    "), "say \"x\" ");
    }

    #[test]
    fn long_assignments_split_like_ruff() {
        let short = "    x: int = Field(alias=\"y\")";
        assert_eq!(fit_line(short), short);
        let long = format!(
            "    x: {} | None = Field(default=None, alias=\"yyyyyyyyyy\")",
            "T".repeat(70)
        );
        assert_eq!(
            fit_line(&long),
            format!(
                "    x: {} | None = Field(\n        default=None, alias=\"yyyyyyyyyy\"\n    )",
                "T".repeat(70)
            )
        );
        let s = format!("X: str = \"{}\"", "a".repeat(110));
        assert_eq!(
            fit_line(&s),
            format!("X: str = (\n    \"{}\"\n)", "a".repeat(110))
        );
        let s = format!("X: str = \"{}\"", "a".repeat(130));
        assert_eq!(fit_line(&s), s);
        let d = format!(
            "    def on_x(self, row: Row, event: models.{}) -> Row:",
            "M".repeat(70)
        );
        assert_eq!(
            fit_line(&d),
            format!(
                "    def on_x(\n        self, row: Row, event: models.{}\n    ) -> Row:",
                "M".repeat(70)
            )
        );
        let u = format!("X: TypeAlias = {0}1 | {0}2 | {0}3", "U".repeat(50));
        assert_eq!(
            fit_line(&u),
            format!(
                "X: TypeAlias = (\n    {0}1\n    | {0}2\n    | {0}3\n)",
                "U".repeat(50)
            )
        );
        let doc = format!(
            "    \"\"\"`x`: {}\n    {}: y\"\"\"",
            "d ".repeat(70),
            "e".repeat(130)
        );
        assert_eq!(fit(&doc), doc);
        let a = "A".repeat(60);
        let s = format!("        f(k={a}, j=g({a}, 1)),");
        assert_eq!(
            fit_line(&s),
            format!("        f(\n            k={a},\n            j=g({a}, 1),\n        ),")
        );
    }
}
