//! `hnp-events validate`: load, check, render, decide the exit code.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{ToolError, ValidateArgs, exit, use_color, write_atomic, write_stdout};
use crate::config::{CONFIG_FILE, Config, FailOn};
use crate::diag::{self, Diagnostic, SourceSet};
use crate::report::{self, Format, RenderOptions, Report, Summary};
use crate::source::{LoadOptions, Workspace};

pub fn run(args: &ValidateArgs) -> Result<u8, ToolError> {
    let started = Instant::now();
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut sources = SourceSet::default();

    // The configuration: explicit, or ./hnp-events.yaml unless --no-config.
    let config_path = match &args.config {
        Some(p) => Some(p.clone()),
        None if !args.no_config && Path::new(CONFIG_FILE).is_file() => {
            Some(PathBuf::from(CONFIG_FILE))
        }
        None => None,
    };
    let mut config = Config::default();
    if let Some(path) = &config_path {
        let (cfg, cdiags, file) = Config::load(path).map_err(ToolError::Usage)?;
        if let Some(f) = file {
            sources.insert(f.display.clone(), f.text.clone());
        }
        diags.extend(cdiags);
        config = cfg;
    }

    let inputs: Vec<PathBuf> = if args.paths.is_empty() {
        if config_path.is_none() {
            return Err(ToolError::Usage(format!(
                "no PATH given and no {CONFIG_FILE} in the current folder; pass files or folders to validate"
            )));
        }
        if config.documents.is_empty() {
            return Err(ToolError::Usage(format!(
                "{} lists no `documents`; add some or pass files or folders to validate",
                config_path
                    .as_deref()
                    .unwrap_or(Path::new(CONFIG_FILE))
                    .display()
            )));
        }
        config.documents.clone()
    } else {
        args.paths.clone()
    };
    let opts = LoadOptions {
        root: args.root.clone(),
        config_root: config
            .path
            .as_ref()
            .map(|_| config.root.clone().unwrap_or_else(|| config.dir.clone())),
        allow_ref_outside: args.allow_ref_outside,
    };

    let progress = progress_spinner(args);
    let ws = Workspace::load(&inputs, &opts)?;
    diags.extend(ws.diagnostics.iter().cloned());
    diags.extend(crate::validate::validate(&ws));
    if let Some(p) = progress {
        p.finish_and_clear();
    }

    config.apply_rule_levels(&mut diags);
    diag::sort_and_dedup(&mut diags);
    sources.extend(ws.sources());
    let summary = Summary {
        files: ws.files.len(),
        elapsed: started.elapsed(),
        remote_refs: ws.remote_refs,
    };
    let report = Report {
        diagnostics: &diags,
        sources: &sources,
        summary: &summary,
    };
    let to_file = args.output.is_some();
    let opts = RenderOptions {
        color: !to_file && args.format == Format::Human && use_color(args.color),
        timing: true,
        quiet: args.quiet,
    };
    let text = report::render(args.format, &report, opts);
    match &args.output {
        Some(path) => write_atomic(path, &text)?,
        None => write_stdout(&text)?,
    }

    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(FailOn::Error);
    let failed = fail_on
        .threshold()
        .is_some_and(|t| diags.iter().any(|d| d.severity >= t));
    Ok(if failed { exit::FINDINGS } else { exit::OK })
}

fn progress_spinner(args: &ValidateArgs) -> Option<indicatif::ProgressBar> {
    let interactive = std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none()
        && !args.quiet
        && args.format == Format::Human;
    if !interactive {
        return None;
    }
    let p = indicatif::ProgressBar::new_spinner();
    p.set_message("loading and checking documents…");
    p.enable_steady_tick(std::time::Duration::from_millis(100));
    Some(p)
}
