//! Loading for `simulate`: saga files and their contracts, and reading a stream with
//! every event validated against the contract's schemas (each schema compiled once).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::contract::Compiled;
use super::contract::{self, Contract};
use super::hash::FastMap;
use super::scan::{Mode, scan_tape};
use super::stream::{Event, RawLine, ReadOptions, StreamFile, Wanted, line_location, parse_raw};
use super::tape::{Tape, TapeJson};
use super::view::{EventRef, EventView, TapeEvent};
use super::{Saga, check};
use crate::diag::{Diagnostic, Location, SourceSet};
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
                if let Ok(text) = crate::fsio::read_regular_string(p) {
                    sources.insert(display(p), Arc::from(text));
                }
                fatal.extend(d);
            }
        }
    }
    // Child sagas run with their parents (checked, and simulated over the same
    // stream), each once.
    let mut i = 0;
    while i < sagas.len() {
        let children: Vec<(PathBuf, Arc<str>)> = sagas[i]
            .steps
            .iter()
            .filter_map(|st| st.child.as_ref()?.saga.as_ref())
            .map(|c| (c.source.path.clone(), c.source.display.clone()))
            .collect();
        for (path, shown) in children {
            if sagas.iter().any(|s: &Saga| s.source.path == path) {
                continue;
            }
            match super::load(&path, shown) {
                Ok(s) => {
                    sources.insert(s.source.display.clone(), s.source.text.clone());
                    sagas.push(s);
                }
                Err(d) => fatal.extend(d),
            }
        }
        i += 1;
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
        for d in check(s, &contracts[ci]) {
            // A correlation key no message declares makes every instance unroutable.
            if d.rule == "saga-correlation-unknown" {
                fatal.push(d);
            } else {
                diagnostics.push(d);
            }
        }
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

    /// The pointers the sagas read from events (correlation and idempotency keys,
    /// start filters, branch pointers, captured values).
    pub fn wanted(&self) -> Wanted {
        let mut w = Wanted::default();
        for s in &self.sagas {
            w.add(&s.correlation);
            w.add(&s.idempotency);
            for st in &s.start {
                if let Some(c) = &st.when {
                    w.add(c.pointer());
                }
                for c in &st.capture {
                    w.add(&c.pointer);
                }
            }
            for st in &s.steps {
                if let Some(c) = &st.when {
                    w.add(c.pointer());
                }
                for c in &st.capture {
                    w.add(&c.pointer);
                }
                // A compensation's confirmation is told apart by its `when`.
                for k in &st.compensation {
                    if let Some(c) = &k.when {
                        w.add(c.pointer());
                    }
                }
            }
            for n in &s.nodes {
                if let super::format::Node::Branch(b) = n {
                    w.add(&b.pointer);
                }
            }
        }
        w
    }
}

/// Validates events against the contracts, compiling each message's schemas once
/// (for `serde_json` values, and for tapes: see [`Validator::valid_tape`]).
pub struct Validator<'l> {
    contracts: Vec<Contract<'l>>,
    cache: FastMap<String, Option<Compiled>>,
    tape: FastMap<String, Option<Compiled<TapeJson>>>,
}

impl<'l> Validator<'l> {
    pub fn new(loaded: &'l Loaded) -> Self {
        Validator {
            contracts: loaded
                .contracts
                .iter()
                .filter_map(|ws| Contract::new(ws).ok())
                .collect(),
            cache: FastMap::default(),
            tape: FastMap::default(),
        }
    }

    /// Whether an event read onto a tape is valid, without building any value.
    /// `false` also when it is not known to be (then [`Validator::validate`] on the
    /// event parsed by serde gives the errors, if any).
    pub fn valid_tape(&mut self, ev: &TapeEvent<'_>) -> bool {
        let name = ev.message();
        let c = match self.tape.get(name) {
            Some(c) => c,
            None => {
                let compiled = self
                    .contracts
                    .iter()
                    .find(|c| c.messages.contains_key(name))
                    .and_then(|c| c.compile_for::<TapeJson>(name).ok());
                self.tape.entry(name.to_string()).or_insert(compiled)
            }
        };
        let Some(c) = c else {
            return true;
        };
        c.accepts_tape(ev)
    }

    /// Schema errors of one event: (pointer inside the event, message), at most five.
    pub fn validate(&mut self, ev: &Event) -> Vec<(String, String)> {
        if !self.cache.contains_key(&ev.message) {
            let compiled = self
                .contracts
                .iter()
                .find(|c| c.messages.contains_key(&ev.message))
                .and_then(|c| c.compile(&ev.message).ok());
            self.cache.insert(ev.message.clone(), compiled);
        }
        let Some(Some(c)) = self.cache.get(&ev.message) else {
            return Vec::new();
        };
        let mut errs = Vec::new();
        for (part, v, value) in [
            ("headers", &c.headers, &ev.headers),
            ("payload", &c.payload, &ev.payload),
        ] {
            let Some(v) = v else { continue };
            if value.is_null() {
                errs.push((String::new(), format!("`{part}` is missing")));
                continue;
            }
            if v.is_valid(value) {
                continue;
            }
            errs.extend(v.iter_errors(value).map(|e| {
                (
                    format!("/{part}{}", e.instance_path().as_str()),
                    e.to_string(),
                )
            }));
        }
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
    let (stream, wanted) = open(loaded, path, &display, sources)?;
    let opts = ReadOptions {
        full: validate,
        wanted: &wanted,
    };
    let mut out = Vec::new();
    let mut fatal = Vec::new();
    let mut diags = Vec::new();
    let mut order = TimeOrder::new(&display);
    read_sequential(
        loaded,
        stream,
        opts,
        validate,
        &mut fatal,
        &mut diags,
        &mut |e| {
            order.see(e.time, e.line, e.offset);
            out.push(e);
        },
    );
    if !fatal.is_empty() {
        fatal.truncate(MAX_FATAL);
        return Err(fatal);
    }
    diags.extend(order.finish());
    Ok((out, diags))
}

/// Events stamped earlier than an event before them. The engine cannot go back in
/// time: such an event is processed at the latest time seen, which is worth a
/// warning at its line (the first [`MAX_BACKWARDS`], then a count).
struct TimeOrder {
    display: Arc<str>,
    /// The latest time so far and the line that carried it.
    latest: Option<(i64, u32)>,
    count: usize,
    diags: Vec<Diagnostic>,
}

const MAX_BACKWARDS: usize = 20;

impl TimeOrder {
    fn new(display: &Arc<str>) -> Self {
        TimeOrder {
            display: display.clone(),
            latest: None,
            count: 0,
            diags: Vec::new(),
        }
    }

    fn see(&mut self, time: i64, line: u32, offset: usize) {
        match self.latest {
            Some((latest, at)) if time < latest => {
                self.count += 1;
                if self.count <= MAX_BACKWARDS {
                    let gap = super::duration::show_ms(u64::try_from(latest - time).unwrap_or(0));
                    self.diags.push(Diagnostic::new(
                        "saga-time-backwards",
                        line_location(&self.display, line, offset, 1),
                        format!(
                            "time goes backwards: this event is {gap} earlier than the one at line {at}; it is processed at that later time"
                        ),
                    ));
                }
            }
            _ => self.latest = Some((time, line)),
        }
    }

    fn finish(mut self) -> Vec<Diagnostic> {
        if self.count > MAX_BACKWARDS {
            self.diags.push(Diagnostic::new(
                "saga-time-backwards",
                Location::file(self.display.clone()),
                format!(
                    "{} more events go back in time (the first {MAX_BACKWARDS} are shown)",
                    self.count - MAX_BACKWARDS
                ),
            ));
        }
        self.diags
    }
}

/// Malformed events reported at most.
const MAX_FATAL: usize = 20;

fn open(
    loaded: &Loaded,
    path: &Path,
    display: &Arc<str>,
    sources: &mut SourceSet,
) -> Result<(StreamFile, Wanted), Vec<Diagnostic>> {
    let stream = StreamFile::open(path, display.clone())?;
    // Small streams are kept for source excerpts in diagnostics; large ones are
    // never read whole.
    if std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() < 4 << 20) {
        if let Ok(text) = crate::fsio::read_regular_string(path) {
            sources.insert(display.clone(), Arc::from(text));
        }
    }
    Ok((stream, loaded.wanted()))
}

/// Read a stream event by event (memory flat in its length), in stream order.
/// JSON Lines events are handed over borrowed from the line buffer when the fast
/// path reads them (and validated there); everything else as owned events.
pub fn read_each(
    loaded: &Loaded,
    path: &Path,
    display: Arc<str>,
    validate: bool,
    sources: &mut SourceSet,
    mut sink: impl FnMut(EventRef<'_>),
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let (stream, wanted) = open(loaded, path, &display, sources)?;
    let opts = ReadOptions {
        full: validate,
        wanted: &wanted,
    };
    let mut fatal = Vec::new();
    let mut diags = Vec::new();
    let mut order = TimeOrder::new(&display);
    if stream.is_lines() {
        let mut sink = |e: EventRef<'_>| {
            order.see(e.time(), e.line(), e.offset());
            sink(e);
        };
        read_lines(
            loaded, stream, opts, validate, &mut fatal, &mut diags, &mut sink,
        );
    } else {
        read_sequential(
            loaded,
            stream,
            opts,
            validate,
            &mut fatal,
            &mut diags,
            &mut |e| {
                order.see(e.time, e.line, e.offset);
                sink(EventRef::Owned(&e));
            },
        );
    }
    if !fatal.is_empty() {
        fatal.truncate(MAX_FATAL);
        return Err(fatal);
    }
    diags.extend(order.finish());
    Ok(diags)
}

/// The JSON Lines loop of [`read_each`]: one reused line buffer and tape.
fn read_lines(
    loaded: &Loaded,
    mut stream: StreamFile,
    opts: ReadOptions<'_>,
    validate: bool,
    fatal: &mut Vec<Diagnostic>,
    diags: &mut Vec<Diagnostic>,
    sink: &mut impl FnMut(EventRef<'_>),
) {
    let mut validator = Validator::new(loaded);
    let display = stream.display.clone();
    let mut raw = RawLine {
        line: 0,
        offset: 0,
        bytes: Vec::with_capacity(4096),
    };
    let mut tape = Tape::default();
    loop {
        let fast = |bytes: &[u8], line: u32, offset: usize| {
            let lead = bytes.len() - bytes.trim_ascii_start().len();
            if validate {
                let Ok(text) = std::str::from_utf8(bytes) else {
                    return false;
                };
                let lead = text.len() - text.trim_start().len();
                let text = text.trim();
                let Some(top) = scan_tape(text.as_bytes(), &mut tape, Mode::Full) else {
                    return false;
                };
                let ev = TapeEvent {
                    line,
                    offset: offset + lead,
                    text,
                    tape: &tape,
                    top,
                };
                if !validator.valid_tape(&ev) {
                    return false;
                }
                sink(EventRef::Tape(&ev));
                return true;
            }
            // Not checked as UTF-8 first: the scanner checks what it accepts.
            let mode = Mode::Sparse(opts.wanted);
            let Some(top) = scan_tape(bytes.trim_ascii(), &mut tape, mode) else {
                return false;
            };
            let ev = TapeEvent {
                line,
                offset: offset + lead,
                text: &tape.text,
                tape: &tape,
                top,
            };
            sink(EventRef::Tape(&ev));
            true
        };
        match stream.next_line(&mut raw, fast) {
            Ok(Some(true)) => continue,
            Ok(Some(false)) => {}
            Ok(None) => return,
            Err(d) => {
                fatal.push(d);
                return;
            }
        }
        // The serde way: lines the fast path leaves, and invalid events (for the
        // located messages).
        match parse_checked(&raw, &display, opts, validate, &mut validator, diags) {
            Ok(ev) => sink(EventRef::Owned(&ev)),
            // Only the first ones are reported: memory stays flat.
            Err(d) if fatal.len() < MAX_FATAL => fatal.push(d),
            Err(_) => {}
        }
    }
}

/// The serde way for one raw line: parse it and, when `validate`, report its
/// schema errors (located at its line).
#[allow(clippy::result_large_err)]
fn parse_checked(
    raw: &RawLine,
    display: &Arc<str>,
    opts: ReadOptions<'_>,
    validate: bool,
    validator: &mut Validator<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Result<Event, Diagnostic> {
    let ev = parse_raw(raw, display, opts)?;
    if validate {
        let errs = validator.validate(&ev);
        if !errs.is_empty() {
            let loc = line_location(display, ev.line, ev.offset, 1);
            invalid(&ev, loc, errs, diags);
        }
    }
    Ok(ev)
}

fn invalid(ev: &Event, loc: Location, errs: Vec<(String, String)>, diags: &mut Vec<Diagnostic>) {
    for (ptr, msg) in errs {
        let at = if ptr.is_empty() {
            String::new()
        } else {
            format!(" at `{ptr}`")
        };
        diags.push(Diagnostic::new(
            "saga-event-invalid",
            loc.clone(),
            format!("`{}` does not match the contract{at}: {msg}", ev.message),
        ));
    }
}

fn read_sequential(
    loaded: &Loaded,
    mut stream: StreamFile,
    opts: ReadOptions<'_>,
    validate: bool,
    fatal: &mut Vec<Diagnostic>,
    diags: &mut Vec<Diagnostic>,
    sink: &mut impl FnMut(Event),
) {
    let mut validator = Validator::new(loaded);
    let mut index = 0usize;
    // JSON Lines are read line by line into one reused buffer.
    if stream.is_lines() {
        let display = stream.display.clone();
        let mut raw = RawLine {
            line: 0,
            offset: 0,
            bytes: Vec::with_capacity(4096),
        };
        loop {
            match stream.next_raw(&mut raw) {
                Ok(true) => {}
                Ok(false) => return,
                Err(d) => {
                    fatal.push(d);
                    return;
                }
            }
            match parse_checked(&raw, &display, opts, validate, &mut validator, diags) {
                Ok(ev) => sink(ev),
                Err(d) => fatal.push(d),
            }
        }
    }
    while let Some(r) = stream.next_event(opts) {
        match r {
            Ok(ev) => {
                if validate {
                    let errs = validator.validate(&ev);
                    for (ptr, msg) in errs {
                        invalid(
                            &ev,
                            stream.locate(&ev, index, &ptr),
                            vec![(ptr, msg)],
                            diags,
                        );
                    }
                }
                sink(ev);
            }
            Err(d) => fatal.push(d),
        }
        index += 1;
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// Validation on the tape agrees with validation of the serde value, event by
    /// event, on valid events and on every kind of schema error.
    #[test]
    fn tape_validation_agrees_with_serde_validation() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let loaded = match load(
            &[root.join("fixtures/hnp/sagas/gitops-sync.saga.yaml")],
            |p| Arc::from(p.to_string_lossy().as_ref()),
        ) {
            Ok(l) => l,
            Err(_) => panic!("the gitops-sync saga loads"),
        };
        let text =
            std::fs::read_to_string(root.join("fixtures/hnp/streams/gitops-sync-compensate.jsonl"))
                .expect("stream");
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        type Edit = Box<dyn Fn(&mut Value)>;
        let edits: Vec<Edit> = vec![
            Box::new(|v| v["payload"]["fabricId"] = json!("three")),
            Box::new(|v| v["payload"]["fabricId"] = json!(-3)),
            Box::new(|v| v["payload"]["fabricId"] = json!(3.5)),
            Box::new(|v| v["payload"]["fabricId"] = json!(3.0)),
            Box::new(|v| v["payload"]["unexpected"] = json!([1, {"a": null}])),
            Box::new(|v| v["payload"]["direction"] = json!("sideways")),
            Box::new(|v| v["payload"]["sagaId"] = json!("é€😀")),
            Box::new(|v| v["payload"]["sagaId"] = json!("")),
            Box::new(|v| v["payload"] = json!(null)),
            Box::new(|v| v["payload"] = json!([])),
            Box::new(|v| v["headers"] = json!("text")),
            Box::new(|v| {
                if let Some(m) = v["headers"].as_object_mut() {
                    m.remove("type");
                }
            }),
            Box::new(|v| {
                if let Some(m) = v.as_object_mut() {
                    m.remove("headers");
                }
            }),
            Box::new(|v| v["headers"]["specversion"] = json!(1.0)),
            Box::new(|v| v["headers"]["time"] = json!("yesterday")),
        ];
        for l in text.lines() {
            let v: Value = serde_json::from_str(l).expect("json");
            for e in &edits {
                let mut w = v.clone();
                e(&mut w);
                lines.push(w.to_string());
            }
        }
        let wanted = loaded.wanted();
        let opts = ReadOptions {
            full: true,
            wanted: &wanted,
        };
        let mut validator = Validator::new(&loaded);
        let mut tape = Tape::default();
        let (mut valid, mut invalid, mut skipped) = (0, 0, Vec::new());
        for (i, l) in lines.iter().enumerate() {
            let Some(top) = scan_tape(l.as_bytes(), &mut tape, Mode::Full) else {
                skipped.push(l);
                continue;
            };
            let ev = TapeEvent {
                line: 1,
                offset: 0,
                text: l,
                tape: &tape,
                top,
            };
            let on_tape = validator.valid_tape(&ev);
            let raw = RawLine {
                line: 1,
                offset: 0,
                bytes: l.as_bytes().to_vec(),
            };
            let owned = parse_raw(&raw, &Arc::from("s"), opts).expect("parses");
            let errs = validator.validate(&owned);
            assert_eq!(on_tape, errs.is_empty(), "line {i}: {l}\n{errs:?}");
            if on_tape {
                valid += 1;
            } else {
                invalid += 1;
            }
        }
        // Escaped strings (the failure events' messages) are read on the tape too.
        assert!(skipped.is_empty(), "{skipped:?}");
        assert!(
            valid >= 50 && invalid >= 90,
            "{valid} valid, {invalid} invalid"
        );
    }
}
