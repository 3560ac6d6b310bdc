//! jq reducers and transforms, run with jaq (`jaq-core`, `jaq-std`, `jaq-json`): compile
//! once, run many times; values convert to and from `serde_json::Value` at the edges
//! (state validation, output). Nothing here reads files or prints.

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Native, Vars, data, unwrap_valr};
use jaq_json::{Num, Val};
use serde::Deserialize;
use serde_json::{Map, Value};

type D = data::JustLut<Val>;

/// A compiled jq program with one global variable, `$event`.
pub struct Program {
    filter: jaq_core::compile::Filter<Native<D>>,
    /// The same program on the native path, when it uses only its forms.
    native: Option<super::native::Native>,
}

impl std::fmt::Debug for Program {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Program")
    }
}

/// A compile error: byte range in the code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

/// Filters whose result depends on the machine or the moment, not on the row and the
/// event: a replay must give the same rows every time, so reducers may not use them.
const NONDETERMINISTIC: &[(&str, &str)] = &[
    (
        "now",
        "the time of the replay; take the event's time from `$event.time`",
    ),
    ("env", "the replaying process's environment"),
    ("$ENV", "the replaying process's environment"),
    ("input", "input beyond the row"),
    ("inputs", "input beyond the row"),
    ("input_filename", "the replaying process's input"),
    ("$__loc__", "the reducer's own text position"),
];

/// Uses of [`NONDETERMINISTIC`] filters (outside string literals and comments, and not
/// as field names like `.now`).
fn nondeterministic(code: &str) -> Vec<CompileError> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            c if c == b'$' || c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                let word = &code[start..i];
                let field = start > 0 && b[start - 1] == b'.';
                let def = code[..start].trim_end().ends_with("def");
                if !field && !def {
                    if let Some((_, why)) = NONDETERMINISTIC.iter().find(|(w, _)| *w == word) {
                        out.push(CompileError {
                            start,
                            end: i,
                            message: format!(
                                "`{word}` makes the reducer non-deterministic ({why}): a replay must give the same rows every time"
                            ),
                        });
                    }
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// Compile `code` (with `$event` bound). `Err` lists every located error, including
/// uses of non-deterministic filters (`now`, `env`, `$ENV`, `input`…).
pub fn compile(code: &str) -> Result<Program, Vec<CompileError>> {
    let program = compile_any(code)?;
    let bad = nondeterministic(code);
    if bad.is_empty() {
        Ok(program)
    } else {
        Err(bad)
    }
}

fn compile_any(code: &str) -> Result<Program, Vec<CompileError>> {
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs());
    let funs = jaq_core::funs::<D>()
        .chain(jaq_std::funs::<D>())
        .chain(jaq_json::funs::<D>());
    let loader = Loader::new(defs);
    let arena = Arena::default();
    let at = |part: &str| {
        // Error slices point into `code` (or are empty at its end).
        let base = code.as_ptr() as usize;
        let p = part.as_ptr() as usize;
        if p >= base && p + part.len() <= base + code.len() {
            let s = p - base;
            (s, s + part.len())
        } else {
            (code.len(), code.len())
        }
    };
    let modules = loader
        .load(&arena, File { code, path: () })
        .map_err(|errs| {
            let mut out = Vec::new();
            for (_, e) in errs {
                match e {
                    jaq_core::load::Error::Io(v) => {
                        for (p, m) in v {
                            let (start, end) = at(p);
                            out.push(CompileError {
                                start,
                                end,
                                message: format!("cannot import: {m}"),
                            });
                        }
                    }
                    jaq_core::load::Error::Lex(v) => {
                        for (exp, p) in v {
                            let (start, end) = at(p);
                            out.push(CompileError {
                                start,
                                end,
                                message: format!("expected {}", exp.as_str()),
                            });
                        }
                    }
                    jaq_core::load::Error::Parse(v) => {
                        for (exp, p) in v {
                            let (start, end) = at(p);
                            let found = if p.is_empty() {
                                "the end of the expression".to_string()
                            } else {
                                format!("`{}`", p.chars().take(20).collect::<String>())
                            };
                            out.push(CompileError {
                                start,
                                end,
                                message: format!("expected {}, found {found}", exp.as_str()),
                            });
                        }
                    }
                }
            }
            out
        })?;
    let filter = Compiler::default()
        .with_funs(funs)
        .with_global_vars(["$event"])
        .compile(modules)
        .map_err(|errs| {
            let mut out = Vec::new();
            for (_, v) in errs {
                for (p, undef) in v {
                    let (start, end) = at(p);
                    out.push(CompileError {
                        start,
                        end,
                        message: format!("undefined {} `{p}`", undef.as_str()),
                    });
                }
            }
            out
        })?;
    Ok(Program {
        filter,
        native: super::native::compile(code),
    })
}

/// Why a run did not give exactly one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// jq raised an error.
    Error(String),
    /// No output (e.g. `empty`, a failed `select`).
    Empty,
    /// More than one output.
    Many,
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Error(e) => write!(f, "jq error: {e}"),
            RunError::Empty => {
                f.write_str("it produced no value (a reducer must give the new row)")
            }
            RunError::Many => {
                f.write_str("it produced more than one value (a reducer must give one row)")
            }
        }
    }
}

impl Program {
    /// The native form of the program, when it has one (see [`super::native`]).
    pub fn native(&self) -> Option<&super::native::Native> {
        self.native.as_ref()
    }

    /// Run on `input` with `$event` bound; exactly one output expected.
    pub fn run(&self, input: Val, event: Val) -> Result<Val, RunError> {
        let ctx = Ctx::<D>::new(&self.filter.lut, Vars::new([event]));
        let mut out = self.filter.id.run((ctx, input)).map(unwrap_valr);
        let first = match out.next() {
            None => return Err(RunError::Empty),
            Some(Err(e)) => return Err(RunError::Error(e.to_string())),
            Some(Ok(v)) => v,
        };
        match out.next() {
            None => Ok(first),
            Some(Err(e)) => Err(RunError::Error(e.to_string())),
            Some(Ok(_)) => Err(RunError::Many),
        }
    }
}

/// A JSON value as a jq value.
pub fn to_val(v: &Value) -> Val {
    Val::deserialize(v).unwrap_or(Val::Null)
}

/// A jq value as JSON (NaN and infinities become `null`, as jq prints them; byte
/// strings and non-string object keys become text).
pub fn to_json(v: &Val) -> Value {
    match v {
        Val::Null => Value::Null,
        Val::Bool(b) => Value::Bool(*b),
        Val::Num(n) => num_json(n),
        Val::TStr(b) | Val::BStr(b) => Value::String(String::from_utf8_lossy(b).into_owned()),
        Val::Arr(a) => Value::Array(a.iter().map(to_json).collect()),
        Val::Obj(o) => {
            let mut m = Map::with_capacity(o.len());
            for (k, v) in o.iter() {
                let key = match k {
                    Val::TStr(b) | Val::BStr(b) => String::from_utf8_lossy(b).into_owned(),
                    other => other.to_string(),
                };
                m.insert(key, to_json(v));
            }
            Value::Object(m)
        }
    }
}

fn num_json(n: &Num) -> Value {
    match n {
        Num::Int(i) => Value::from(*i as i64),
        Num::Float(f) => {
            if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 {
                Value::from(*f as i64)
            } else {
                serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
            }
        }
        other => {
            let text = other.to_string();
            serde_json::from_str(&text).unwrap_or(Value::Null)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn runs_with_event() {
        let p = compile(".n += 1 | .last = $event.payload.x").expect("compiles");
        let out = p
            .run(
                to_val(&json!({"n": 1})),
                to_val(&json!({"payload": {"x": "a"}})),
            )
            .expect("runs");
        assert_eq!(to_json(&out), json!({"n": 2, "last": "a"}));
    }

    #[test]
    fn locates_errors() {
        let code = ".a = (1 +";
        let e = compile(code).expect_err("fails");
        assert!(!e.is_empty());
        let e = compile(".a = foo(1)").expect_err("undefined");
        assert_eq!(&".a = foo(1)"[e[0].start..e[0].end], "foo");
        assert!(e[0].message.contains("undefined"), "{:?}", e);
    }

    #[test]
    fn rejects_nondeterministic_filters_at_their_place() {
        for (code, word) in [(".t = now", "now"), (".h = env.HOME", "env")] {
            let e = compile(code).expect_err(code);
            assert_eq!(e.len(), 1, "{code}: {e:?}");
            assert_eq!(&code[e[0].start..e[0].end], word, "{code}");
            assert!(e[0].message.contains("non-deterministic"), "{e:?}");
        }
        // Field names, strings and comments are fine.
        for code in [
            ".now = $event.time",
            ".a = \"now env\"",
            ".a = 1 # now",
            ".a = .env.now",
            "def now: 1; .a = 2",
        ] {
            assert!(compile(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn one_output() {
        let p = compile("empty").expect("compiles");
        assert_eq!(p.run(Val::Null, Val::Null), Err(RunError::Empty));
        let p = compile("1, 2").expect("compiles");
        assert_eq!(p.run(Val::Null, Val::Null), Err(RunError::Many));
        let p = compile("error(\"x\")").expect("compiles");
        assert!(matches!(
            p.run(Val::Null, Val::Null),
            Err(RunError::Error(_))
        ));
    }

    #[test]
    fn float_integers_round_trip_as_integers() {
        let p = compile(".x / 2").expect("compiles");
        assert_eq!(
            to_json(&p.run(to_val(&json!({"x": 4})), Val::Null).expect("ok")),
            json!(2)
        );
    }
}
