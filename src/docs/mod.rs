//! `hnp-events docs`: a static, self-contained site (HTML with inline CSS and SVG, no
//! fonts, external scripts or network; one optional inline filter script on the
//! overview; works from `file://`) or the same content as Markdown
//! with Mermaid blocks. Owns the site's context (`context`) and its rendering with
//! embedded minijinja templates (`templates/docs/`), overridable by file name from a
//! folder. Returns the files to write (relative paths); never writes itself.

pub mod context;

use std::path::Path;

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde_json::Value;

use crate::graph::arch::Arch;

/// The site's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DocsFormat {
    /// A static HTML site
    Html,
    /// Markdown with Mermaid diagrams (for a wiki or a pull request)
    Markdown,
}

macro_rules! tpl {
    ($dir:literal, $name:literal) => {
        (
            $name,
            include_str!(concat!("../../templates/docs/", $dir, "/", $name)),
        )
    };
}

/// The embedded HTML templates.
pub const HTML: &[(&str, &str)] = &[
    tpl!("html", "base.html.j2"),
    tpl!("html", "macros.html.j2"),
    tpl!("html", "index.html.j2"),
    tpl!("html", "cqrs.html.j2"),
    tpl!("html", "channel.html.j2"),
    tpl!("html", "message.html.j2"),
    tpl!("html", "saga.html.j2"),
    tpl!("html", "projection.html.j2"),
    tpl!("html", "changelog.html.j2"),
];

/// The embedded Markdown templates.
pub const MARKDOWN: &[(&str, &str)] = &[
    tpl!("markdown", "macros.md.j2"),
    tpl!("markdown", "index.md.j2"),
    tpl!("markdown", "cqrs.md.j2"),
    tpl!("markdown", "channel.md.j2"),
    tpl!("markdown", "message.md.j2"),
    tpl!("markdown", "saga.md.j2"),
    tpl!("markdown", "projection.md.j2"),
];

/// A failure to render (a template of `--templates` that does not compile or run).
#[derive(Debug, thiserror::Error)]
#[error("template {name}: {message}")]
pub struct DocsError {
    pub name: String,
    pub message: String,
}

/// A Markdown table cell: no `|`, no line breaks.
fn cell(s: String) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Markdown prose in a table cell: [`cell`], and no brackets or tags that would turn
/// into links or HTML.
fn text(s: String) -> String {
    cell(s)
        .replace('[', "\\[")
        .replace(']', "\\]")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Render the site: `(relative path, text)` for every page, in a stable order.
pub fn render(
    arch: &Arch,
    format: DocsFormat,
    overrides: Option<&Path>,
) -> Result<Vec<(String, String)>, DocsError> {
    let ctx = context::build(arch);
    render_context(&ctx, format, overrides)
}

/// [`render`] from a built context.
pub fn render_context(
    ctx: &Value,
    format: DocsFormat,
    overrides: Option<&Path>,
) -> Result<Vec<(String, String)>, DocsError> {
    let (set, ext) = match format {
        DocsFormat::Html => (HTML, "html"),
        DocsFormat::Markdown => (MARKDOWN, "md"),
    };
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.contains(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.set_keep_trailing_newline(true);
    env.add_filter("cell", cell);
    env.add_filter("text", text);
    for (name, text) in set {
        let text = match overrides.map(|d| d.join(name)) {
            Some(p) if p.is_file() => std::fs::read_to_string(&p).map_err(|e| DocsError {
                name: p.display().to_string(),
                message: e.to_string(),
            })?,
            _ => (*text).to_string(),
        };
        env.add_template_owned(name.to_string(), text)
            .map_err(|e| DocsError {
                name: name.to_string(),
                message: e.to_string(),
            })?;
    }
    let site = minijinja::Value::from_serialize(ctx);
    let page = |tpl: &str, root: &str, item: Option<&Value>| -> Result<String, DocsError> {
        let t = env
            .get_template(&format!("{tpl}.{ext}.j2"))
            .map_err(|e| DocsError {
                name: tpl.to_string(),
                message: e.to_string(),
            })?;
        let item = item
            .map(minijinja::Value::from_serialize)
            .unwrap_or_default();
        t.render(minijinja::context! { site => site.clone(), root => root, item => item })
            .map_err(|e| DocsError {
                name: format!("{tpl}.{ext}.j2"),
                message: format!("{e:#}"),
            })
    };
    let mut out = vec![
        (format!("index.{ext}"), page("index", "", None)?),
        (format!("cqrs.{ext}"), page("cqrs", "", None)?),
    ];
    // The changelog (`docs --base REV`): a page of the HTML site; in Markdown, a
    // section of the overview.
    if ctx["changelog"].is_object() && format == DocsFormat::Html {
        out.push(("changelog.html".to_string(), page("changelog", "", None)?));
    }
    for (list, tpl, dir) in [
        ("channels", "channel", "channels"),
        ("messages", "message", "messages"),
        ("sagas", "saga", "sagas"),
        ("projections", "projection", "projections"),
    ] {
        for item in ctx[list].as_array().into_iter().flatten() {
            let slug = item["slug"].as_str().unwrap_or("item");
            out.push((format!("{dir}/{slug}.{ext}"), page(tpl, "../", Some(item))?));
        }
    }
    Ok(out)
}
