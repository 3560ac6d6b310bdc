//! Conditions on an event's fields, as a saga's `when` writes them (issue 12, item 6):
//!
//! ```yaml
//! when: {pointer: /payload/status, equals: "True"}
//! when: {pointer: /payload/resolution, in: [reapplied_from_git, kept_cluster_state]}
//! when: {pointer: /payload/error, exists: false}
//! when: {pointer: /payload/switch, matches: "^leaf-[0-9]+$"}
//! when: {not: {pointer: /payload/status, equals: "False"}}
//! ```
//!
//! `equals` and `in` compare JSON values; `exists` asks whether the pointer names a
//! value (`null` counts as a value); `matches` holds for a string that the regular
//! expression finds a match in (unanchored: write `^…$` for the whole string; the
//! syntax is the `regex` crate's, which Python's `re` shares for the common
//! constructs); `not` negates a condition.

use serde_json::Value;

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Equals { pointer: String, value: Value },
    In { pointer: String, values: Vec<Value> },
    Exists { pointer: String, exists: bool },
    Matches { pointer: String, pattern: String },
    Not(Box<Cond>),
}

/// A value that makes a condition hold: set the pointer to it, or leave it absent.
#[derive(Debug, Clone, PartialEq)]
pub enum Example {
    Set(String, Value),
    Absent(String),
}

impl Cond {
    /// The pointer the condition reads.
    pub fn pointer(&self) -> &str {
        match self {
            Cond::Equals { pointer, .. }
            | Cond::In { pointer, .. }
            | Cond::Exists { pointer, .. }
            | Cond::Matches { pointer, .. } => pointer,
            Cond::Not(c) => c.pointer(),
        }
    }

    /// Whether the pointer may be absent by design (`exists` reads it).
    pub fn tests_presence(&self) -> bool {
        match self {
            Cond::Exists { .. } => true,
            Cond::Not(c) => c.tests_presence(),
            _ => false,
        }
    }

    /// Whether the condition holds for the value at its pointer (`None`: absent).
    /// `re` compiles a `matches` pattern (the engine passes its compiled one).
    pub fn holds_for(&self, v: Option<&Value>) -> bool {
        match self {
            Cond::Equals { value, .. } => v == Some(value),
            Cond::In { values, .. } => v.is_some_and(|v| values.contains(v)),
            Cond::Exists { exists, .. } => v.is_some() == *exists,
            Cond::Matches { pattern, .. } => v
                .and_then(Value::as_str)
                .is_some_and(|s| regex::Regex::new(pattern).is_ok_and(|re| re.is_match(s))),
            Cond::Not(c) => !c.holds_for(v),
        }
    }

    /// Whether no value can meet both conditions (they read one pointer and want
    /// disjoint values). Conservative: `false` when unsure.
    pub fn excludes(&self, other: &Cond) -> bool {
        if self.pointer() != other.pointer() {
            return false;
        }
        // The values each accepts, when it is a finite set of present values.
        fn set(c: &Cond) -> Option<Vec<&Value>> {
            match c {
                Cond::Equals { value, .. } => Some(vec![value]),
                Cond::In { values, .. } => Some(values.iter().collect()),
                _ => None,
            }
        }
        if let (Some(a), Some(b)) = (set(self), set(other)) {
            return !a.iter().any(|x| b.contains(x));
        }
        let needs_value = |c: &Cond| {
            matches!(
                c,
                Cond::Equals { .. }
                    | Cond::In { .. }
                    | Cond::Matches { .. }
                    | Cond::Exists { exists: true, .. }
            )
        };
        let absent_only = |c: &Cond| matches!(c, Cond::Exists { exists: false, .. });
        if (absent_only(self) && needs_value(other)) || (absent_only(other) && needs_value(self)) {
            return true;
        }
        match (self, other) {
            (Cond::Not(a), b) | (b, Cond::Not(a)) => **a == *b,
            _ => false,
        }
    }

    /// A value that meets the condition (for the participant model's replies and
    /// generated scenarios); `None` when none is found.
    pub fn example(&self) -> Option<Example> {
        let p = self.pointer().to_string();
        match self {
            Cond::Equals { value, .. } => Some(Example::Set(p, value.clone())),
            Cond::In { values, .. } => values.first().map(|v| Example::Set(p, v.clone())),
            Cond::Exists { exists: false, .. } => Some(Example::Absent(p)),
            Cond::Exists { exists: true, .. } => Some(Example::Set(p, Value::String("x".into()))),
            Cond::Matches { pattern, .. } => {
                let s = sample(pattern)?;
                self.holds_for(Some(&Value::String(s.clone())))
                    .then(|| Example::Set(p, Value::String(s)))
            }
            Cond::Not(c) => {
                let candidates = [
                    None,
                    Some(Value::String("~other".into())),
                    Some(Value::from(-1)),
                    Some(Value::Bool(false)),
                    Some(Value::Null),
                ];
                candidates
                    .into_iter()
                    .find(|v| !c.holds_for(v.as_ref()))
                    .map(|v| match v {
                        Some(v) => Example::Set(p, v),
                        None => Example::Absent(p),
                    })
            }
        }
    }

    /// The condition in words, for diagrams and docs (`/payload/x = True`: strings
    /// unquoted, other values as JSON).
    pub fn describe(&self) -> String {
        let j = |v: &Value| match v {
            Value::String(s) => s.clone(),
            v => serde_json::to_string(v).unwrap_or_default(),
        };
        match self {
            Cond::Equals { pointer, value } => format!("{pointer} = {}", j(value)),
            Cond::In { pointer, values } => format!(
                "{pointer} in [{}]",
                values.iter().map(j).collect::<Vec<_>>().join(", ")
            ),
            Cond::Exists {
                pointer,
                exists: true,
            } => format!("{pointer} exists"),
            Cond::Exists {
                pointer,
                exists: false,
            } => format!("{pointer} absent"),
            Cond::Matches { pointer, pattern } => format!("{pointer} matches /{pattern}/"),
            Cond::Not(c) => format!("not ({})", c.describe()),
        }
    }

    /// The condition as the saga file writes it (JSON), for generated code.
    pub fn to_json(&self) -> Value {
        match self {
            Cond::Equals { pointer, value } => {
                serde_json::json!({"pointer": pointer, "equals": value})
            }
            Cond::In { pointer, values } => serde_json::json!({"pointer": pointer, "in": values}),
            Cond::Exists { pointer, exists } => {
                serde_json::json!({"pointer": pointer, "exists": exists})
            }
            Cond::Matches { pointer, pattern } => {
                serde_json::json!({"pointer": pointer, "matches": pattern})
            }
            Cond::Not(c) => serde_json::json!({"not": c.to_json()}),
        }
    }

    /// Whether a `matches` appears anywhere in the condition.
    pub fn uses_matches(&self) -> bool {
        match self {
            Cond::Matches { .. } => true,
            Cond::Not(c) => c.uses_matches(),
            _ => false,
        }
    }
}

/// A short string the pattern matches, built from its syntax tree (the first
/// alternative, the fewest repetitions, the first character of each class).
fn sample(pattern: &str) -> Option<String> {
    use regex_syntax::hir::{Class, Hir, HirKind};
    fn go(h: &Hir, out: &mut String, depth: usize) -> Option<()> {
        if depth > 64 {
            return None;
        }
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => Some(()),
            HirKind::Literal(l) => {
                out.push_str(std::str::from_utf8(&l.0).ok()?);
                Some(())
            }
            HirKind::Class(Class::Unicode(c)) => {
                out.push(c.ranges().first()?.start());
                Some(())
            }
            HirKind::Class(Class::Bytes(c)) => {
                let b = c.ranges().first()?.start();
                b.is_ascii().then(|| out.push(char::from(b)))
            }
            HirKind::Repetition(r) => {
                for _ in 0..r.min.min(64) {
                    go(&r.sub, out, depth + 1)?;
                }
                Some(())
            }
            HirKind::Capture(c) => go(&c.sub, out, depth + 1),
            HirKind::Concat(v) => v.iter().try_for_each(|h| go(h, out, depth + 1)),
            HirKind::Alternation(v) => go(v.first()?, out, depth + 1),
        }
    }
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut out = String::new();
    go(&hir, &mut out, 0)?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eq(v: Value) -> Cond {
        Cond::Equals {
            pointer: "/payload/s".into(),
            value: v,
        }
    }

    #[test]
    fn every_operator_holds_as_documented() {
        let s = json!("leaf-7");
        assert!(eq(json!("leaf-7")).holds_for(Some(&s)));
        assert!(!eq(json!("leaf-7")).holds_for(None));
        let inn = Cond::In {
            pointer: "/payload/s".into(),
            values: vec![json!("a"), json!("leaf-7")],
        };
        assert!(inn.holds_for(Some(&s)) && !inn.holds_for(Some(&json!("b"))));
        let ex = Cond::Exists {
            pointer: "/payload/s".into(),
            exists: true,
        };
        assert!(ex.holds_for(Some(&Value::Null)) && !ex.holds_for(None));
        let m = Cond::Matches {
            pointer: "/payload/s".into(),
            pattern: "^leaf-[0-9]+$".into(),
        };
        assert!(m.holds_for(Some(&s)) && !m.holds_for(Some(&json!("spine-1"))));
        assert!(!m.holds_for(Some(&json!(7))));
        let not = Cond::Not(Box::new(m.clone()));
        assert!(not.holds_for(Some(&json!("spine-1"))) && !not.holds_for(Some(&s)));
    }

    #[test]
    fn examples_meet_their_condition() {
        let conds = [
            eq(json!(3)),
            Cond::In {
                pointer: "/payload/s".into(),
                values: vec![json!("x"), json!("y")],
            },
            Cond::Exists {
                pointer: "/payload/s".into(),
                exists: false,
            },
            Cond::Matches {
                pointer: "/payload/s".into(),
                pattern: "^(leaf|spine)-[0-9]{2,}\\.[a-z]+$".into(),
            },
            Cond::Not(Box::new(eq(json!("~other")))),
            Cond::Not(Box::new(Cond::Exists {
                pointer: "/payload/s".into(),
                exists: false,
            })),
        ];
        for c in conds {
            let v = match c.example() {
                Some(Example::Set(_, v)) => Some(v),
                Some(Example::Absent(_)) => None,
                None => panic!("no example for {c:?}"),
            };
            assert!(c.holds_for(v.as_ref()), "{c:?}: {v:?}");
        }
    }

    #[test]
    fn exclusion_is_only_claimed_when_no_value_meets_both() {
        let a = eq(json!("a"));
        let b = eq(json!("b"));
        let ab = Cond::In {
            pointer: "/payload/s".into(),
            values: vec![json!("a"), json!("b")],
        };
        assert!(a.excludes(&b));
        assert!(!a.excludes(&ab) && !ab.excludes(&a));
        assert!(a.excludes(&Cond::Not(Box::new(a.clone()))));
        let absent = Cond::Exists {
            pointer: "/payload/s".into(),
            exists: false,
        };
        assert!(absent.excludes(&a));
        let other = Cond::Equals {
            pointer: "/payload/t".into(),
            value: json!("b"),
        };
        assert!(!a.excludes(&other));
        let m = Cond::Matches {
            pointer: "/payload/s".into(),
            pattern: "^a".into(),
        };
        assert!(!m.excludes(&b)); // unsure: not claimed
    }
}
