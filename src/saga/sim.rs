//! Loading for `simulate`: saga files and their contracts, and reading a stream with
//! every event validated against the contract's schemas (each schema compiled once).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::contract::{self, Contract};
use super::stream::{Event, ReadOptions, StreamFile};
use super::{Saga, check};
use crate::diag::{Diagnostic, SourceSet};
use crate::source::Workspace;

/// Sagas with their contracts loaded.
pub struct Loaded {
    pub sagas: Vec<Saga>,
    /// One workspace per distinct contract path.
    pub contracts: Vec<Workspace>,
    /// Static findings (sorted).
    pub diagnostics: Vec<Diagnostic>,
    pub sources: SourceSet,
}

/// Load saga files and their contracts. `Err`: located diagnostics that make the run
/// impossible (unreadable or invalid saga, unreadable contract) — exit code 2.
pub fn load(
    paths: &[PathBuf],
    display: impl Fn(&Path) -> Arc<str>,
) -> Result<Loaded, (Vec<Diagnostic>, SourceSet)> {
    let mut sagas = Vec::new();
    let mut fatal = Vec::new();
    let mut sources = SourceSet::default();
    for p in paths {
        match super::load(p, display(p)) {
            Ok(s) => {
                sources.insert(s.source.display.clone(), s.source.text.clone());
                sagas.push(s);
            }
            Err(d) => {
                if let Ok(text) = std::fs::read_to_string(p) {
                    sources.insert(display(p), Arc::from(text));
                }
                fatal.extend(d);
            }
        }
    }
    let mut contracts: Vec<Workspace> = Vec::new();
    let mut by_path: HashMap<PathBuf, usize> = HashMap::new();
    let mut diagnostics = Vec::new();
    for s in &sagas {
        let canon = s
            .contract_path
            .canonicalize()
            .unwrap_or_else(|_| s.contract_path.clone());
        let ci = match by_path.get(&canon) {
            Some(&i) => i,
            None => match contract::load_workspace(&s.contract_path) {
                Ok(ws)
                    if ws
                        .inputs
                        .first()
                        .is_some_and(|&f| ws.file(f).value.is_some()) =>
                {
                    sources.extend(ws.sources());
                    contracts.push(ws);
                    by_path.insert(canon, contracts.len() - 1);
                    contracts.len() - 1
                }
                Ok(ws) => {
                    sources.extend(ws.sources());
                    fatal.push(s.source.diag_at(
                        "saga-contract",
                        "/contract",
                        format!("the contract `{}` cannot be parsed", s.contract),
                    ));
                    fatal.extend(ws.diagnostics);
                    continue;
                }
                Err(e) => {
                    fatal.push(s.source.diag_at(
                        "saga-contract",
                        "/contract",
                        format!("the contract `{}` cannot be read: {e}", s.contract),
                    ));
                    continue;
                }
            },
        };
        diagnostics.extend(check(s, &contracts[ci]));
    }
    if !fatal.is_empty() {
        crate::diag::sort_and_dedup(&mut fatal);
        return Err((fatal, sources));
    }
    crate::diag::sort_and_dedup(&mut diagnostics);
    Ok(Loaded {
        sagas,
        contracts,
        diagnostics,
        sources,
    })
}

impl Loaded {
    /// Every message name of every contract.
    pub fn known_messages(&self) -> HashSet<String> {
        let mut out = HashSet::new();
        for ws in &self.contracts {
            if let Ok(c) = Contract::new(ws) {
                out.extend(c.messages.keys().cloned());
            }
        }
        out
    }

    /// Whether any saga reads the payload (correlation, start filter or branch).
    pub fn needs_payload(&self) -> bool {
        self.sagas.iter().any(|s| {
            s.correlation.starts_with("/payload")
                || s.idempotency.starts_with("/payload")
                || s.start.when.as_ref().is_some_and(|(p, _)| p.starts_with("/payload"))
                || s.nodes.iter().any(|n| matches!(n, super::format::Node::Branch(b) if b.pointer.starts_with("/payload")))
        })
    }
}

/// Validates events against the contracts, compiling each message's schema once.
pub struct Validator<'l> {
    contracts: Vec<Contract<'l>>,
    cache: HashMap<String, Option<jsonschema::Validator>>,
}

impl<'l> Validator<'l> {
    pub fn new(loaded: &'l Loaded) -> Self {
        Validator {
            contracts: loaded
                .contracts
                .iter()
                .filter_map(|ws| Contract::new(ws).ok())
                .collect(),
            cache: HashMap::new(),
        }
    }

    /// Schema errors of one event: (pointer inside the event, message).
    pub fn validate(&mut self, ev: &Event) -> Vec<(String, String)> {
        if !self.cache.contains_key(&ev.message) {
            let compiled = self
                .contracts
                .iter()
                .find(|c| c.messages.contains_key(&ev.message))
                .and_then(|c| c.compile(&ev.message).ok());
            self.cache.insert(ev.message.clone(), compiled);
        }
        let Some(Some(v)) = self.cache.get(&ev.message) else {
            return Vec::new();
        };
        let mut inst = serde_json::Map::new();
        if !ev.headers.is_null() {
            inst.insert("headers".into(), ev.headers.clone());
        }
        if !ev.payload.is_null() {
            inst.insert("payload".into(), ev.payload.clone());
        }
        let inst = serde_json::Value::Object(inst);
        if v.is_valid(&inst) {
            return Vec::new();
        }
        let mut errs: Vec<(String, String)> = v
            .iter_errors(&inst)
            .map(|e| (e.instance_path().as_str().to_string(), e.to_string()))
            .collect();
        errs.sort();
        errs.dedup();
        errs.truncate(5);
        errs
    }
}

/// Read a whole stream, validating every event when `validate`; schema errors are
/// `saga-event-invalid` diagnostics. `Err`: the stream is unreadable or malformed.
pub fn read_all(
    loaded: &Loaded,
    path: &Path,
    display: Arc<str>,
    validate: bool,
    sources: &mut SourceSet,
) -> Result<(Vec<Event>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut out = Vec::new();
    let diags = read_each(loaded, path, display, validate, sources, |e| out.push(e))?;
    Ok((out, diags))
}

/// Read a stream event by event (memory flat in its length).
pub fn read_each(
    loaded: &Loaded,
    path: &Path,
    display: Arc<str>,
    validate: bool,
    sources: &mut SourceSet,
    mut sink: impl FnMut(Event),
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let mut stream = StreamFile::open(path, display.clone())?;
    if let Ok(text) = std::fs::read_to_string(path) {
        if text.len() < 4 << 20 {
            sources.insert(display.clone(), Arc::from(text));
        }
    }
    let opts = ReadOptions {
        payload: validate || loaded.needs_payload(),
    };
    let mut validator = Validator::new(loaded);
    let mut fatal = Vec::new();
    let mut diags = Vec::new();
    let mut index = 0usize;
    while let Some(r) = stream.next_event(opts) {
        match r {
            Ok(ev) => {
                if validate {
                    for (ptr, msg) in validator.validate(&ev) {
                        let at = if ptr.is_empty() {
                            String::new()
                        } else {
                            format!(" at `{ptr}`")
                        };
                        diags.push(Diagnostic::new(
                            "saga-event-invalid",
                            stream.locate(&ev, index, &ptr),
                            format!("`{}` does not match the contract{at}: {msg}", ev.message),
                        ));
                    }
                }
                sink(ev);
            }
            Err(d) => {
                fatal.push(d);
                if fatal.len() >= 20 {
                    break;
                }
            }
        }
        index += 1;
    }
    if !fatal.is_empty() {
        return Err(fatal);
    }
    Ok(diags)
}
