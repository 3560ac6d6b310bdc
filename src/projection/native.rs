//! A native path for the jq forms reducers use most (path reads and assignments,
//! `+=`, `+`, `//`, `==`/`!=`, `if … then … else … end`, `[…]`, `max`), so a replay
//! does not pay jaq's interpreter for every event (also `<`, `<=`, `>`, `>=`, `and`,
//! `or`).
//!
//! It is an *accelerator*, never a second semantics: a program is compiled natively
//! only when every term of it is one of these forms, each form is evaluated with
//! jaq's own value operations (`index`, `map_index`, `+`, `==`, the ordering `max`
//! uses), and whenever jaq would raise an error or give other than one value the
//! native run gives up (`None`) and the caller runs jaq, which then says what it
//! says. A native result is therefore always the value jaq gives; the tests check
//! it against jaq on the fixtures' reducers and on generated rows and events.

use jaq_core::ValT;
use jaq_core::load::lex::StrPart;
use jaq_core::load::parse::{BinaryOp, Term};
use jaq_core::ops::{Cmp, Math};
use jaq_core::path::{Opt, Part};
use jaq_json::Val;

/// A natively evaluated jq expression.
#[derive(Debug, Clone)]
pub enum Expr {
    /// `.`
    Id,
    /// A literal.
    Const(Val),
    /// `$event` followed by keys: the index of the path in [`Native::paths`].
    Event(usize),
    /// `f.k1.k2…`
    Path(Box<Expr>, Vec<Val>),
    /// `f | g`
    Pipe(Box<Expr>, Box<Expr>),
    /// `[f, g, …]`
    Arr(Vec<Expr>),
    /// `f // g`
    Alt(Box<Expr>, Box<Expr>),
    /// `if c then t (elif …) else e end` (no `else`: `.`).
    If(Vec<(Expr, Expr)>, Box<Expr>),
    /// `f == g`, `f < g`, …
    Cmp(Box<Expr>, Cmp, Box<Expr>),
    /// `f and g` (`false`: stops at a false `f`) or `f or g` (`true`).
    Logic(Box<Expr>, bool, Box<Expr>),
    /// `f + g`
    Add(Box<Expr>, Box<Expr>),
    /// `.k1.k2… = f`
    Assign(Vec<Val>, Box<Expr>),
    /// `.k1.k2… += f`
    AddAssign(Vec<Val>, Box<Expr>),
    /// `max` (of the input).
    Max,
    /// `not` (of the input).
    Not,
}

/// A compiled native program: its expression and the `$event` paths it reads.
#[derive(Debug, Clone)]
pub struct Native {
    pub expr: Expr,
    /// `$event` paths, as keys (`["payload", "syncId"]`).
    pub paths: Vec<Vec<String>>,
    vals: Vec<Vec<Val>>,
    /// Whether the program cannot fail on an object once every `$event` path it reads
    /// resolved (see [`total`]): such a run may change the row in place.
    pub total: bool,
}

/// Compile `code` natively; `None` when it uses anything beyond the native forms.
pub fn compile(code: &str) -> Option<Native> {
    let term = jaq_core::load::parse(code, |p| p.term())?;
    let mut n = Native {
        expr: Expr::Id,
        paths: Vec::new(),
        vals: Vec::new(),
        total: false,
    };
    n.expr = n.term(&term)?;
    n.total = total(&n.expr, Kind::Obj);
    Some(n)
}

/// What a value is known to be, for [`total`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Obj,
    Arr,
    Any,
}

fn kind_of(v: &Val) -> Kind {
    match v {
        Val::Obj(_) => Kind::Obj,
        Val::Arr(_) => Kind::Arr,
        _ => Kind::Any,
    }
}

/// What `e` gives on an input of kind `k`.
fn yields(e: &Expr, k: Kind) -> Kind {
    match e {
        Expr::Id => k,
        Expr::Const(v) => kind_of(v),
        Expr::Arr(_) => Kind::Arr,
        Expr::Assign(..) | Expr::AddAssign(..) if k == Kind::Obj => Kind::Obj,
        Expr::Pipe(f, g) => yields(g, yields(f, k)),
        Expr::If(branches, otherwise) => {
            let all_obj = branches.iter().all(|(_, t)| yields(t, k) == Kind::Obj)
                && yields(otherwise, k) == Kind::Obj;
            if all_obj { Kind::Obj } else { Kind::Any }
        }
        _ => Kind::Any,
    }
}

/// Whether `e` cannot fail (give no value) on an input of kind `k`, every `$event`
/// value it reads being there: reading one key of an object, setting one key of an
/// object, literals, comparisons, `//`, `and`/`or`/`not`, `if`, arrays, `max` of an
/// array. Addition (`+`, `+=`: types may not add) and deeper paths (a member on the
/// way may be a string) may fail.
fn total(e: &Expr, k: Kind) -> bool {
    match e {
        Expr::Id | Expr::Const(_) | Expr::Event(_) | Expr::Not => true,
        Expr::Path(f, keys) => matches!(**f, Expr::Id) && keys.len() == 1 && k == Kind::Obj,
        Expr::Pipe(f, g) => total(f, k) && total(g, yields(f, k)),
        Expr::Arr(items) => items.iter().all(|f| total(f, k)),
        Expr::Alt(f, g) | Expr::Cmp(f, _, g) | Expr::Logic(f, _, g) => total(f, k) && total(g, k),
        Expr::If(branches, otherwise) => {
            branches.iter().all(|(c, t)| total(c, k) && total(t, k)) && total(otherwise, k)
        }
        Expr::Assign(keys, f) => k == Kind::Obj && keys.len() == 1 && total(f, k),
        Expr::Max => k == Kind::Arr,
        Expr::Add(..) | Expr::AddAssign(..) => false,
    }
}

/// The keys of a path made only of `.key` / `."key"` / `.["key"]` parts.
fn keys(path: &jaq_core::path::Path<Term<&str>>) -> Option<Vec<String>> {
    path.0
        .iter()
        .map(|(part, opt)| match (part, opt) {
            (Part::Index(t), Opt::Essential) => plain_str(t),
            _ => None,
        })
        .collect()
}

/// A string literal without escapes, interpolation or format.
fn plain_str(t: &Term<&str>) -> Option<String> {
    match t {
        Term::Str(None, parts) => match parts.as_slice() {
            [] => Some(String::new()),
            [StrPart::Str(s)] => Some((*s).to_string()),
            _ => None,
        },
        _ => None,
    }
}

fn key_vals(keys: &[String]) -> Vec<Val> {
    keys.iter().map(|k| Val::from(k.clone())).collect()
}

impl Native {
    fn event(&mut self, keys: Vec<String>) -> Expr {
        if let Some(i) = self.paths.iter().position(|p| *p == keys) {
            return Expr::Event(i);
        }
        self.vals.push(key_vals(&keys));
        self.paths.push(keys);
        Expr::Event(self.paths.len() - 1)
    }

    fn boxed(&mut self, t: &Term<&str>) -> Option<Box<Expr>> {
        self.term(t).map(Box::new)
    }

    fn term(&mut self, t: &Term<&str>) -> Option<Expr> {
        Some(match t {
            Term::Id => Expr::Id,
            Term::Num(s) => Expr::Const(Val::from_num(s).ok()?),
            Term::Str(..) => Expr::Const(Val::from(plain_str(t)?)),
            Term::Var("$event") => self.event(Vec::new()),
            Term::Path(base, path) => {
                let keys = keys(path)?;
                match &**base {
                    Term::Var("$event") => self.event(keys),
                    b => Expr::Path(self.boxed(b)?, key_vals(&keys)),
                }
            }
            Term::Arr(None) => Expr::Arr(Vec::new()),
            Term::Arr(Some(inner)) => {
                let mut items = Vec::new();
                let mut stack = vec![&**inner];
                // `a, b, c`: commas nest to the left or right; keep the order.
                while let Some(t) = stack.pop() {
                    match t {
                        Term::BinOp(l, BinaryOp::Comma, r) => {
                            stack.push(r);
                            stack.push(l);
                        }
                        t => items.push(self.term(t)?),
                    }
                }
                Expr::Arr(items)
            }
            Term::IfThenElse(branches, otherwise) => {
                let mut bs = Vec::with_capacity(branches.len());
                for (c, then) in branches {
                    bs.push((self.term(c)?, self.term(then)?));
                }
                let e = match otherwise {
                    Some(e) => self.boxed(e)?,
                    None => Box::new(Expr::Id),
                };
                Expr::If(bs, e)
            }
            Term::Call("max", args) if args.is_empty() => Expr::Max,
            Term::Call("true", args) if args.is_empty() => Expr::Const(Val::Bool(true)),
            Term::Call("false", args) if args.is_empty() => Expr::Const(Val::Bool(false)),
            Term::Call("null", args) if args.is_empty() => Expr::Const(Val::Null),
            Term::Call("not", args) if args.is_empty() => Expr::Not,
            Term::BinOp(l, op, r) => match op {
                BinaryOp::Pipe(None) => Expr::Pipe(self.boxed(l)?, self.boxed(r)?),
                BinaryOp::Alt => Expr::Alt(self.boxed(l)?, self.boxed(r)?),
                BinaryOp::Cmp(c) => Expr::Cmp(self.boxed(l)?, *c, self.boxed(r)?),
                BinaryOp::And => Expr::Logic(self.boxed(l)?, false, self.boxed(r)?),
                BinaryOp::Or => Expr::Logic(self.boxed(l)?, true, self.boxed(r)?),
                BinaryOp::Math(Math::Add) => Expr::Add(self.boxed(l)?, self.boxed(r)?),
                BinaryOp::Assign | BinaryOp::UpdateMath(Math::Add) => {
                    let Term::Path(base, path) = &**l else {
                        return None;
                    };
                    if !matches!(**base, Term::Id) {
                        return None;
                    }
                    let keys = key_vals(&keys(path)?);
                    let f = self.boxed(r)?;
                    if matches!(op, BinaryOp::Assign) {
                        Expr::Assign(keys, f)
                    } else {
                        Expr::AddAssign(keys, f)
                    }
                }
                _ => return None,
            },
            _ => return None,
        })
    }

    /// The `$event` values of every path, read from the whole event as jq reads
    /// `$event.k1.k2…` (`None` where jq would raise an error).
    pub fn resolve(&self, event: &Val, out: &mut Vec<Option<Val>>) {
        out.clear();
        for keys in &self.vals {
            let mut v = Some(event.clone());
            for k in keys {
                v = v.and_then(|v| v.index(k).ok());
            }
            out.push(v);
        }
    }

    /// Run on `input` with the `$event` values of [`Native::paths`]; `None` when jaq
    /// would not give exactly one value (an error, none, several), or when an event
    /// value is missing.
    pub fn run(&self, input: Val, event: &[Option<Val>]) -> Option<Val> {
        eval(&self.expr, input, event, false)
    }

    /// [`Native::run`], but an assignment that would put an identical value in
    /// place of the one there leaves the object as it is, so a row that does not
    /// change is not copied (for the idempotency check, where it usually does not).
    /// The result is identical to [`Native::run`]'s.
    pub fn run_keeping(&self, input: Val, event: &[Option<Val>]) -> Option<Val> {
        eval(&self.expr, input, event, true)
    }
}

/// Whether two values are the same, representation included (`1` and `1.0` are
/// equal jq values but not the same; objects also in the order of their keys).
pub fn same(a: &Val, b: &Val) -> bool {
    use jaq_json::Num;
    match (a, b) {
        (Val::Null, Val::Null) => true,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        (Val::Num(x), Val::Num(y)) => match (x, y) {
            (Num::Int(x), Num::Int(y)) => x == y,
            (Num::Float(x), Num::Float(y)) => x.to_bits() == y.to_bits(),
            (Num::BigInt(x), Num::BigInt(y)) => x == y,
            (Num::Dec(x), Num::Dec(y)) => x == y,
            _ => false,
        },
        (Val::TStr(x), Val::TStr(y)) | (Val::BStr(x), Val::BStr(y)) => x == y,
        (Val::Arr(x), Val::Arr(y)) => {
            std::rc::Rc::ptr_eq(x, y)
                || (x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| same(a, b)))
        }
        (Val::Obj(x), Val::Obj(y)) => {
            std::rc::Rc::ptr_eq(x, y)
                || (x.len() == y.len()
                    && x.iter()
                        .zip(y.iter())
                        .all(|((ka, va), (kb, vb))| same(ka, kb) && same(va, vb)))
        }
        _ => false,
    }
}

/// What an update does at the end of its path: `= y` or `+= y`.
#[derive(Clone, Copy)]
enum Op<'v> {
    Set(&'v Val),
    Add(&'v Val),
}

impl Op<'_> {
    fn apply(self, x: Val) -> Option<Val> {
        match self {
            Op::Set(y) => Some(y.clone()),
            Op::Add(y) => (x + y.clone()).ok(),
        }
    }
}

/// The update of the path `keys` of `v` by `op`, as jaq's `path |= f` does it for
/// object keys (`map_index`); `None` on an error. With `keep`, a value replaced by
/// an identical one is left in place (the object is not copied for it).
fn update(v: Val, keys: &[Val], op: Op<'_>, keep: bool) -> Option<Val> {
    let Some((k, rest)) = keys.split_first() else {
        return op.apply(v);
    };
    if let Val::Obj(mut o) = v {
        if keep {
            if let Some(old) = o.get(k) {
                if let (true, Op::Set(y)) = (rest.is_empty(), op) {
                    if same(y, old) {
                        return Some(Val::Obj(o));
                    }
                }
                let y = update(old.clone(), rest, op, keep)?;
                if !same(&y, old) {
                    if let Some(slot) = std::rc::Rc::make_mut(&mut o).get_mut(k) {
                        *slot = y;
                    }
                }
                return Some(Val::Obj(o));
            }
        }
        // jaq's `map_index` on an object, without cloning the key when it is there:
        // the value is replaced in its place, or the key is appended.
        let m = std::rc::Rc::make_mut(&mut o);
        match m.get_mut(k) {
            Some(slot) => {
                let x = std::mem::take(slot);
                *slot = update(x, rest, op, keep)?;
            }
            None => {
                let y = update(Val::Null, rest, op, keep)?;
                m.insert(k.clone(), y);
            }
        }
        return Some(Val::Obj(o));
    }
    let fail = || jaq_core::Exn::from(jaq_core::Error::str("native"));
    v.map_index(k, Opt::Essential, |x| {
        std::iter::once(update(x, rest, op, keep).ok_or_else(fail))
    })
    .ok()
}

/// The value of `f` on `input` (borrowed when it is a literal or an event value).
fn operand<'e>(
    f: &'e Expr,
    input: &Val,
    ev: &'e [Option<Val>],
    keep: bool,
    owned: &'e mut Option<Val>,
) -> Option<&'e Val> {
    match f {
        Expr::Const(c) => Some(c),
        Expr::Event(i) => ev.get(*i)?.as_ref(),
        _ => {
            *owned = Some(eval(f, input.clone(), ev, keep)?);
            owned.as_ref()
        }
    }
}

fn eval(e: &Expr, input: Val, ev: &[Option<Val>], keep: bool) -> Option<Val> {
    match e {
        Expr::Id => Some(input),
        Expr::Const(v) => Some(v.clone()),
        Expr::Event(i) => ev.get(*i).cloned().flatten(),
        Expr::Path(f, keys) => {
            let mut v = eval(f, input, ev, keep)?;
            for k in keys {
                v = v.index(k).ok()?;
            }
            Some(v)
        }
        Expr::Pipe(f, g) => eval(g, eval(f, input, ev, keep)?, ev, keep),
        Expr::Arr(items) => items
            .iter()
            .map(|f| eval(f, input.clone(), ev, keep))
            .collect::<Option<Vec<Val>>>()
            .map(|v| v.into_iter().collect()),
        Expr::Alt(f, g) => {
            let v = eval(f, input.clone(), ev, keep)?;
            if v.as_bool() {
                Some(v)
            } else {
                eval(g, input, ev, keep)
            }
        }
        Expr::If(branches, otherwise) => {
            for (c, then) in branches {
                if eval(c, input.clone(), ev, keep)?.as_bool() {
                    return eval(then, input, ev, keep);
                }
            }
            eval(otherwise, input, ev, keep)
        }
        Expr::Cmp(f, c, g) => {
            let (a, b) = (eval(f, input.clone(), ev, keep)?, eval(g, input, ev, keep)?);
            Some(Val::from(c.run(&a, &b)))
        }
        Expr::Logic(f, stop, g) => {
            if eval(f, input.clone(), ev, keep)?.as_bool() == *stop {
                Some(Val::from(*stop))
            } else {
                Some(Val::from(eval(g, input, ev, keep)?.as_bool()))
            }
        }
        Expr::Add(f, g) => {
            let (a, b) = (eval(f, input.clone(), ev, keep)?, eval(g, input, ev, keep)?);
            (a + b).ok()
        }
        Expr::Assign(keys, f) => {
            let mut owned = None;
            let y = operand(f, &input, ev, keep, &mut owned)?;
            update(input, keys, Op::Set(y), keep)
        }
        Expr::AddAssign(keys, f) => {
            let mut owned = None;
            let y = operand(f, &input, ev, keep, &mut owned)?;
            update(input, keys, Op::Add(y), keep)
        }
        Expr::Not => Some(Val::from(!input.as_bool())),
        Expr::Max => match input {
            // jq's `max` is `max_by(.)`: the last of the greatest elements; `null`
            // for an empty array.
            Val::Arr(a) => {
                let mut best: Option<&Val> = None;
                for x in a.iter() {
                    if best.is_none_or(|b| x >= b) {
                        best = Some(x);
                    }
                }
                Some(best.cloned().unwrap_or(Val::Null))
            }
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projection::jq::{self, to_val};
    use serde_json::{Value, json};

    /// The reducers of every fixture projection, and forms written to reach each
    /// branch of the native path (errors included: there it must give up).
    fn programs() -> Vec<String> {
        let mut out: Vec<String> = [
            ".",
            ".a",
            ".a.b",
            ".[\"a\"]",
            ".\"a\"",
            "$event",
            "$event.payload",
            "$event.payload.n",
            "$event.payload.s.x",
            "$event.message",
            "$event.time",
            "$event.nothing.deeper",
            "1",
            "1.5",
            "100000000000000000000",
            "\"text\"",
            "\"\"",
            "[]",
            "[.a, .b, $event.payload.n]",
            "[.a, .b] | max",
            "[.n // 0, $event.payload.n] | max",
            "[.n, $event.payload.n, .a, .s] | max",
            ".a | max",
            ".a // .b",
            ".a // \"d\"",
            ".a == .b",
            ".a != $event.payload.n",
            ".a + .b",
            ".a < .b",
            ".n >= $event.payload.n",
            ".a and .b",
            ".t = true | .f = false | .z = null",
            ".a | not",
            "(.a == 1) | not",
            ".a or $event.payload.n",
            "(.a == 1 and .b != 2) or .n > 0",
            ".n + $event.payload.n",
            ".s + $event.payload.s",
            ".a = 1",
            ".a.b = 1",
            ".x.y = $event.payload.n",
            ".n += 1",
            ".n += $event.payload.n",
            ".s += \"x\"",
            ".a += 1",
            ".new = 1 | .new += 1",
            "if .a == 1 then .b = 2 else . end",
            "if .a then 1 elif .b then 2 else 3 end",
            "if .a then .n += 1 end",
            "(if .last == $event.payload.s then . else .n += 1 | .last = $event.payload.s end) | .status = \"done\"",
            ".a = .b | .b = .a",
            ".a = (.b // 0) + 1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hnp/projections");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("fixtures")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| crate::projection::is_projection_path(p))
            .collect();
        files.sort();
        for f in files {
            let p = crate::projection::load(&f, std::sync::Arc::from("p")).expect("loads");
            out.extend(p.on.iter().map(|r| r.code.clone()));
        }
        out
    }

    /// Rows and events of many shapes (numbers of each kind, strings, nulls, nested
    /// objects, arrays), from a fixed seed.
    fn values() -> Vec<Value> {
        let mut out = vec![
            json!(null),
            json!({}),
            json!({"a": 1, "b": 2}),
            json!({"a": 1.0, "b": 1}),
            json!({"a": null, "b": "x", "n": 3, "s": "t"}),
            json!({"a": {"b": 1}, "n": 9007199254740993_i64}),
            json!({"a": [1, 2], "b": {"c": null}}),
            json!({"a": "s", "x": {"y": 0}, "n": -1, "last": "k"}),
            json!({"n": 1.5, "s": "a", "status": "x"}),
            json!({"a": false, "b": true}),
            json!([1, 2, 3]),
            json!("text"),
            json!(4),
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let leaves = [
            json!(0),
            json!(1),
            json!(1.0),
            json!(-3),
            json!(2.5),
            json!(null),
            json!(true),
            json!("x"),
            json!("k"),
            json!([0, 1.0]),
            json!({"b": 1}),
            json!(i64::MAX),
        ];
        for _ in 0..300 {
            let mut m = serde_json::Map::new();
            for k in ["a", "b", "n", "s", "x", "last", "status"] {
                if next() % 3 != 0 {
                    m.insert(
                        k.into(),
                        leaves[(next() % leaves.len() as u64) as usize].clone(),
                    );
                }
            }
            out.push(Value::Object(m));
        }
        out
    }

    fn events(vals: &[Value]) -> Vec<Value> {
        vals.iter()
            .take(60)
            .map(|p| json!({"message": "M", "time": 5, "headers": {"id": "e"}, "payload": p}))
            .chain([json!(null), json!({"message": "M"})])
            .collect()
    }

    #[test]
    fn native_runs_give_what_jaq_gives() {
        let vals = values();
        let evs = events(&vals);
        let mut native_runs = 0;
        for code in programs() {
            let Some(n) = compile(&code) else { continue };
            let prog = jq::compile(&code).expect(&code);
            let mut paths = Vec::new();
            for ev in &evs {
                let event = to_val(ev);
                n.resolve(&event, &mut paths);
                for row in &vals {
                    let row = to_val(row);
                    let by_jaq = prog.run(row.clone(), event.clone());
                    for keep in [false, true] {
                        let got = if keep {
                            n.run_keeping(row.clone(), &paths)
                        } else {
                            n.run(row.clone(), &paths)
                        };
                        if let Some(v) = got {
                            native_runs += 1;
                            match &by_jaq {
                                Ok(j) => assert!(
                                    same(&v, j),
                                    "{code} on {row:?} / {ev}: native {v:?}, jaq {j:?}"
                                ),
                                Err(e) => {
                                    panic!("{code} on {row:?} / {ev}: native {v:?}, jaq fails: {e}")
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(native_runs > 100_000, "{native_runs}");
    }

    /// A program called total gives a value on every object row of the sample with
    /// every event whose `$event` paths all resolve (the replay then changes the row in
    /// place and has no stored row to fall back on); and some programs are total, some
    /// are not.
    #[test]
    fn total_programs_never_fail_on_object_rows() {
        let vals = values();
        let evs = events(&vals);
        let (mut total, mut not, mut runs) = (0, 0, 0);
        for code in programs() {
            let Some(n) = compile(&code) else { continue };
            if !n.total {
                not += 1;
                continue;
            }
            total += 1;
            let mut paths = Vec::new();
            for ev in &evs {
                n.resolve(&to_val(ev), &mut paths);
                if !paths.iter().all(Option::is_some) {
                    continue;
                }
                for row in vals.iter().filter(|v| v.is_object()) {
                    runs += 1;
                    assert!(
                        n.run(to_val(row), &paths).is_some(),
                        "{code} on {row} with {ev}"
                    );
                }
            }
        }
        assert!(
            total >= 10 && not >= 5 && runs >= 100,
            "{total} {not} {runs}"
        );
        for (code, want) in [
            (".a = 1 | .b = $event.x", true),
            ("if .a == 1 then .b = 2 else . end", true),
            (".p = ([.p // 0, $event.p] | max)", true),
            (".a += 1", false),
            (".a.b = 1", false),
            (".a | .b", false),
            ("max", false),
        ] {
            assert_eq!(compile(code).map(|n| n.total), Some(want), "{code}");
        }
    }

    #[test]
    fn the_fixture_reducers_are_native_and_other_forms_are_not() {
        for code in programs() {
            if code.contains("ascii") || code.contains("tostring") {
                continue;
            }
            assert!(compile(&code).is_some(), "{code}");
        }
        for code in [
            ".a |= 1",
            ".a -= 1",
            ".[0] = 1",
            ".a? = 1",
            "def f: 1; f",
            ".a as $x | $x",
            "$x",
            ".a, .b",
            "min",
            "max(1)",
            "\"\\(.a)\"",
            "@base64 \"x\"",
            "try .a",
            "(.a, .b) = 1",
            "$event.a = 1",
        ] {
            assert!(compile(code).is_none(), "{code}");
        }
    }

    #[test]
    fn sameness_sees_representation() {
        let v = |j: Value| to_val(&j);
        assert!(same(&v(json!({"a": 1})), &v(json!({"a": 1}))));
        assert!(!same(&v(json!(1)), &v(json!(1.0))));
        assert!(v(json!(1)) == v(json!(1.0)));
        assert!(!same(
            &v(json!({"a": 1, "b": 2})),
            &v(json!({"b": 2, "a": 1}))
        ));
        assert!(!same(&v(json!([1])), &v(json!([1, 2]))));
    }
}
