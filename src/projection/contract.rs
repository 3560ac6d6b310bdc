//! What a projection needs to know of its AsyncAPI contract beyond messages: which
//! channels carry which messages, which channels declare no ordering
//! (`x-hnp-ordering: none`), which messages may be redelivered (an operation with
//! `x-hnp-delivery: at-least-once`), each message's idempotency key and examples.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::saga::contract::Contract;
use crate::source::workspace::ref_of;

/// Channel facts.
#[derive(Debug, Default, Clone)]
pub struct Channel {
    pub messages: BTreeSet<String>,
    pub unordered: bool,
}

/// The contract's channel, delivery and example facts.
#[derive(Debug, Default)]
pub struct Facts {
    pub channels: BTreeMap<String, Channel>,
    pub at_least_once: BTreeSet<String>,
    /// Message → `x-hnp-idempotency-key` (when declared).
    pub idempotency: BTreeMap<String, String>,
}

fn last_token(raw: &str) -> Option<String> {
    let t = raw.rsplit('/').next()?;
    crate::source::pointer::parse(&format!("/{t}"))?.pop()
}

impl Facts {
    pub fn new(c: &Contract<'_>) -> Facts {
        let mut f = Facts::default();
        let Some(root) = c.ws.file(c.file).value.as_ref() else {
            return f;
        };
        if let Some(Value::Object(chs)) = root.get("channels") {
            for (name, ch) in chs {
                let (_, _, ch) = c.ws.deref(c.file, ch);
                let mut out = Channel {
                    unordered: ch.get("x-hnp-ordering").and_then(Value::as_str) == Some("none"),
                    ..Channel::default()
                };
                if let Some(Value::Object(ms)) = ch.get("messages") {
                    for (k, v) in ms {
                        let n = ref_of(v)
                            .filter(|r| r.contains("/components/messages/"))
                            .and_then(last_token)
                            .unwrap_or_else(|| k.clone());
                        out.messages.insert(n);
                    }
                }
                f.channels.insert(name.clone(), out);
            }
        }
        if let Some(Value::Object(ops)) = root.get("operations") {
            for op in ops.values() {
                let (_, _, op) = c.ws.deref(c.file, op);
                let alo = op.get("x-hnp-delivery").and_then(Value::as_str) == Some("at-least-once");
                let mut names: Vec<String> = op
                    .get("messages")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|m| ref_of(m).and_then(last_token))
                            .collect()
                    })
                    .unwrap_or_default();
                if names.is_empty() {
                    if let Some(ch) = op.get("channel").and_then(ref_of).and_then(last_token) {
                        names.extend(
                            f.channels
                                .get(&ch)
                                .map(|c| c.messages.iter().cloned().collect::<Vec<_>>())
                                .unwrap_or_default(),
                        );
                    }
                }
                if alo {
                    f.at_least_once.extend(names);
                }
            }
        }
        for name in c.messages.keys() {
            if let Some((_, m)) = c.message(name) {
                if let Some(k) = m.get("x-hnp-idempotency-key").and_then(Value::as_str) {
                    f.idempotency.insert(name.clone(), k.to_string());
                }
            }
        }
        f
    }

    /// Channels that carry a message.
    pub fn channels_of<'a>(
        &'a self,
        message: &'a str,
    ) -> impl Iterator<Item = (&'a String, &'a Channel)> + 'a {
        self.channels
            .iter()
            .filter(move |(_, c)| c.messages.contains(message))
    }

    /// Whether a message travels on a channel that declares no ordering.
    pub fn unordered(&self, message: &str) -> bool {
        self.channels_of(message).any(|(_, c)| c.unordered)
    }
}

/// The examples of a message as events `{message, time, headers, payload}`.
pub fn examples(c: &Contract<'_>, message: &str) -> Vec<Value> {
    let Some((f, m)) = c.message(message) else {
        return Vec::new();
    };
    let Some(list) = m.get("examples").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .map(|ex| {
            let (_, _, ex) = c.ws.deref(f, ex);
            let headers = ex.get("headers").cloned().unwrap_or(Value::Null);
            let time = headers.get("time").cloned().unwrap_or(Value::Null);
            json!({"message": message, "time": time, "headers": headers, "payload": ex.get("payload").cloned().unwrap_or(Value::Null)})
        })
        .collect()
}
