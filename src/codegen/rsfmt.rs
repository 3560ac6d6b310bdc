//! rustfmt's layout for the lines of the Rust scaffolds whose length depends on the
//! contract's names (the files written once and then formatted by their owner, so a new
//! project passes `cargo fmt --check` as generated). The regenerated modules need none of
//! this: they are `#[rustfmt::skip]`, so formatting never makes them look edited.
//!
//! Only what the scaffold templates produce is handled: a function signature on one
//! line, split as rustfmt splits one that is longer than its `max_width` (100).

/// rustfmt's default `max_width`.
const MAX_WIDTH: usize = 100;

/// The one-line signature `sig` (`    fn name(params) -> Ret {`, indented) as rustfmt lays
/// it out: unchanged when it fits in 100 columns, else one parameter per line (indented
/// one level more, each with a trailing comma) and `) -> Ret {` on its own line.
pub fn fit_fn(sig: &str) -> String {
    if sig.chars().count() <= MAX_WIDTH {
        return sig.to_string();
    }
    let indent: String = sig.chars().take_while(|c| *c == ' ').collect();
    let Some(open) = sig.find('(') else {
        return sig.to_string();
    };
    let Some(close) = matching(sig, open) else {
        return sig.to_string();
    };
    let params = split_top_level(&sig[open + 1..close]);
    let mut out = String::new();
    out.push_str(&sig[..=open]);
    out.push('\n');
    for p in params.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        out.push_str(&indent);
        out.push_str("    ");
        out.push_str(p);
        out.push_str(",\n");
    }
    out.push_str(&closing(&indent, &sig[close..]));
    out
}

/// The line `) -> Ret {` after parameters laid out vertically: as is when it fits; else
/// `{` on a line of its own; else the return type's generic arguments one per line. The
/// limits are rustfmt's as measured on methods (indent 4): the brace stays while the line
/// with it is at most `max_width - indent` (96) long, and the type stays on one line while
/// the line without the brace is at most `max_width - indent + 6` (102).
fn closing(indent: &str, rest: &str) -> String {
    let line = format!("{indent}{rest}");
    let n = indent.chars().count();
    if line.chars().count() <= MAX_WIDTH - n {
        return line;
    }
    let Some(head) = line.strip_suffix(" {") else {
        return line;
    };
    if head.chars().count() <= MAX_WIDTH - n + 6 {
        return format!("{head}\n{indent}{{");
    }
    let Some((before, ret)) = rest.split_once("-> ") else {
        return line;
    };
    let ret = ret.trim_end_matches(" {");
    match (ret.find('<'), ret.strip_suffix('>')) {
        (Some(lt), Some(inner)) => {
            let mut out = format!("{indent}{before}-> {}<\n", &ret[..lt]);
            let mut overflow = false;
            for a in split_top_level(&inner[lt + 1..]) {
                let arg = format!("{indent}    {},", a.trim());
                overflow |= arg.chars().count() > MAX_WIDTH;
                out.push_str(&arg);
                out.push('\n');
            }
            // rustfmt writes `>{` when an argument overflows the line (as it does).
            out.push_str(&format!("{indent}>{}{{", if overflow { "" } else { " " }));
            out
        }
        _ => line,
    }
}

/// The one-line header `impl Trait for Type {` as rustfmt lays it out: unchanged when it
/// fits in 100 columns, else `for Type` on the next line (indented) and `{` on its own.
pub fn fit_impl(line: &str) -> String {
    if line.chars().count() <= MAX_WIDTH {
        return line.to_string();
    }
    // `impl … {` opens a body; `impl … {}` is an empty one (`{` and `}` on their lines).
    let (head, close) = match line.strip_suffix(" {}") {
        Some(h) => (h, "\n}"),
        None => match line.strip_suffix(" {") {
            Some(h) => (h, ""),
            None => return line.to_string(),
        },
    };
    match head.rfind(" for ") {
        // A trait path that does not fit after `impl ` goes on a line of its own.
        Some(i) if head[..i].chars().count() > MAX_WIDTH => format!(
            "impl\n    {}\n    for {}\n{{{close}",
            head[..i].trim_start_matches("impl "),
            &head[i + 5..]
        ),
        Some(i) => format!("{}\n    for {}\n{{{close}", &head[..i], &head[i + 5..]),
        None => line.to_string(),
    }
}

/// The position of the `)` that closes the `(` at `open`.
fn matching(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices().skip_while(|(i, _)| *i < open) {
        match c {
            '(' | '[' | '<' => depth += 1,
            ')' | ']' | '>' if !s[..i].ends_with('-') => {
                depth = depth.saturating_sub(1);
                if depth == 0 && c == ')' {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `s` split at the commas outside brackets.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' | '<' => depth += 1,
            ')' | ']' | '>' if !s[..i].ends_with('-') => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_that_fits_is_kept() {
        let s = "    fn f(&self, row: &mut Row, event: &E) -> Result<(), HandlerError> {";
        assert_eq!(fit_fn(s), s);
    }

    #[test]
    fn a_long_signature_has_one_parameter_per_line() {
        let s = "    async fn handle(&self, message: crate::models::SomeLongMessageName, publisher: &mut dyn crate::handlers::g::P) -> Result<crate::models::R<A, B>, crate::HandlerError> {";
        assert_eq!(
            fit_fn(s),
            "    async fn handle(\n        &self,\n        message: crate::models::SomeLongMessageName,\n        publisher: &mut dyn crate::handlers::g::P,\n    ) -> Result<crate::models::R<A, B>, crate::HandlerError> {"
        );
    }

    #[test]
    fn a_long_impl_header_puts_its_type_on_the_next_line() {
        let short = "impl crate::handlers::g::H for Service {";
        assert_eq!(fit_impl(short), short);
        let long = format!("impl crate::handlers::{}::H for Service {{", "m".repeat(70));
        assert_eq!(
            fit_impl(&long),
            format!(
                "impl crate::handlers::{}::H\n    for Service\n{{",
                "m".repeat(70)
            )
        );
    }

    #[test]
    fn a_long_return_type_moves_the_brace_or_splits_its_arguments() {
        let t = "M".repeat(47);
        let s = format!(
            "    async fn handle(&self, message: crate::models::Request) -> Result<crate::models::{t}, crate::HandlerError> {{"
        );
        assert_eq!(
            fit_fn(&s),
            format!(
                "    async fn handle(\n        &self,\n        message: crate::models::Request,\n    ) -> Result<crate::models::{t}, crate::HandlerError>\n    {{"
            )
        );
        let t = "M".repeat(60);
        let s = format!(
            "    async fn handle(&self, message: crate::models::Request) -> Result<crate::models::{t}, crate::HandlerError> {{"
        );
        assert_eq!(
            fit_fn(&s),
            format!(
                "    async fn handle(\n        &self,\n        message: crate::models::Request,\n    ) -> Result<\n        crate::models::{t},\n        crate::HandlerError,\n    > {{"
            )
        );
    }

    #[test]
    fn a_trait_path_longer_than_a_line_goes_on_its_own() {
        let path = format!("crate::handlers::{}::H", "m".repeat(90));
        assert_eq!(
            fit_impl(&format!("impl {path} for Service {{")),
            format!("impl\n    {path}\n    for Service\n{{")
        );
    }

    #[test]
    fn an_overflowing_generic_argument_closes_with_rustfmts_brace() {
        let t = "M".repeat(90);
        let s = format!(
            "    async fn handle(&self, message: crate::models::Request) -> Result<crate::models::{t}, crate::HandlerError> {{"
        );
        assert!(
            fit_fn(&s).ends_with("        crate::HandlerError,\n    >{"),
            "{}",
            fit_fn(&s)
        );
    }

    #[test]
    fn commas_inside_generics_do_not_split() {
        assert_eq!(
            split_top_level("&self, m: HashMap<String, Vec<(u8, u8)>>, x: u8"),
            vec!["&self", " m: HashMap<String, Vec<(u8, u8)>>", " x: u8"]
        );
    }
}
