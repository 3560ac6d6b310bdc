//! What a channel (and the messages on it) is for, read from its address and message
//! names: the answering half of a request/reply pair, an error channel, a dead-letter
//! queue, or a control channel (subscribe, ping, heartbeat). `classify` lets this role
//! outrank the verb a message name starts with (`addCheck_response` carries an answer,
//! not an `addCheck` command); the gates use it to link a command to its reply and error
//! channels and to keep event-only checks off channels that carry no events.
//!
//! Reads the IR only; pure functions.

use crate::model::{Channel, Document, Message};

/// The role of a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelRole {
    /// Carries answers: `…_response`, `….reply`, `…/result`.
    Reply,
    /// Carries failure answers: `…_error`, `pipeline.errors`.
    Error,
    /// Carries requests: `….request`, or `….requested` with a `….response` twin.
    Request,
    /// A dead-letter queue: `orders.dlq`, `….dead-letter`.
    DeadLetter,
    /// Nothing the address says.
    Plain,
}

const REPLY_WORDS: &[&str] = &[
    "response",
    "responses",
    "reply",
    "replies",
    "result",
    "results",
    "resp",
];
const ERROR_WORDS: &[&str] = &["error", "errors", "err"];
const REQUEST_WORDS: &[&str] = &["request", "requests", "req", "requested"];
const DLQ_WORDS: &[&str] = &["dlq", "dlx", "deadletter", "deadletters"];

/// Words of an address or name, lower case, without `{parameters}`
/// (`run.{run_id}.step` → `run`, `step`; `addCheck_response` → `add`, `check`, `response`).
pub fn words(text: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                plain.push('.');
            }
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    crate::classify::words(&plain)
        .into_iter()
        .map(|w| w.to_ascii_lowercase())
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
        .collect()
}

/// The address of a channel (its key when it has none).
pub fn address(ch: &Channel) -> &str {
    ch.address.as_deref().unwrap_or(&ch.key)
}

/// The role an address (or a message name) states with its last word, and the words
/// before it (the stem that pairs `x.get.requested` with `x.get.response`).
pub fn role_of_words(w: &[String]) -> (ChannelRole, &[String]) {
    let Some((last, stem)) = w.split_last() else {
        return (ChannelRole::Plain, w);
    };
    let last = last.as_str();
    if REPLY_WORDS.contains(&last) {
        (ChannelRole::Reply, stem)
    } else if ERROR_WORDS.contains(&last) {
        (ChannelRole::Error, stem)
    } else if DLQ_WORDS.contains(&last) {
        (ChannelRole::DeadLetter, stem)
    } else if last == "letter" || last == "letters" {
        match stem.split_last() {
            Some((d, s)) if d == "dead" => (ChannelRole::DeadLetter, s),
            _ => (ChannelRole::Plain, w),
        }
    } else if REQUEST_WORDS.contains(&last) {
        (ChannelRole::Request, stem)
    } else {
        (ChannelRole::Plain, w)
    }
}

/// The roles of every channel of a document, with their stems. A `….requested` channel
/// is a request only when a reply channel with the same stem exists (else it may be an
/// event, `OrderRequested`).
pub fn channel_roles(doc: &Document) -> Vec<(ChannelRole, Vec<String>)> {
    let raw: Vec<(ChannelRole, Vec<String>, bool)> = doc
        .channels
        .iter()
        .map(|c| {
            let w = words(address(c));
            let past = w.last().is_some_and(|l| l == "requested");
            let (r, stem) = role_of_words(&w);
            (r, stem.to_vec(), past)
        })
        .collect();
    let reply_stems: std::collections::HashSet<&Vec<String>> = raw
        .iter()
        .filter(|(r, _, _)| *r == ChannelRole::Reply)
        .map(|(_, s, _)| s)
        .collect();
    raw.iter()
        .map(|(r, stem, past)| {
            if *r == ChannelRole::Request && *past && !reply_stems.contains(&stem) {
                (ChannelRole::Plain, words_with(stem, "requested"))
            } else {
                (*r, stem.clone())
            }
        })
        .collect()
}

fn words_with(stem: &[String], last: &str) -> Vec<String> {
    let mut w = stem.to_vec();
    w.push(last.to_string());
    w
}

/// The role a message (or operation) name states: `Reply` for `SumResult`,
/// `AddCheckResponse`; `Plain` for anything else (a `PaymentRequest` may be a document
/// of the domain, not a request awaiting an answer).
pub fn message_role(name: &str) -> ChannelRole {
    let w = words(name);
    // Answers that name themselves by their outcome: `success`, `error`, `pong`, `ack`.
    let outcome = w.last().is_some_and(|l| {
        matches!(
            l.as_str(),
            "success" | "error" | "failure" | "pong" | "ack" | "nack"
        )
    });
    match role_of_words(&w).0 {
        ChannelRole::Reply => ChannelRole::Reply,
        _ if outcome => ChannelRole::Reply,
        _ => ChannelRole::Plain,
    }
}

/// Control messages of a connection (subscription management, liveness): not events.
pub fn control_message(m: &Message, name: &str) -> bool {
    let _ = m;
    let w = words(name);
    let first = w.first().map(String::as_str).unwrap_or("");
    let all = w.join("");
    [
        "ping",
        "pong",
        "heartbeat",
        "keepalive",
        "subscribe",
        "unsubscribe",
        "subscription",
        "hello",
        "identify",
        "authenticate",
        "auth",
    ]
    .contains(&first)
        || ["ping", "pong", "heartbeat", "keepalive", "ack", "nack"].contains(&all.as_str())
}

/// Whether the failure channel with `stem` covers a channel with words `w` (the stem is
/// a non-empty prefix of them: `orders.dlq` covers `orders.ingest`).
pub fn covers(stem: &[String], w: &[String]) -> bool {
    !stem.is_empty() && w.len() >= stem.len() && w[..stem.len()] == *stem
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(a: &str) -> ChannelRole {
        role_of_words(&words(a)).0
    }

    #[test]
    fn roles_from_addresses() {
        assert_eq!(role("addCheck_response"), ChannelRole::Reply);
        assert_eq!(role("triggerCheck_error"), ChannelRole::Error);
        assert_eq!(role("pipeline.errors"), ChannelRole::Error);
        assert_eq!(role("orders.dlq"), ChannelRole::DeadLetter);
        assert_eq!(role("orders.dead-letter"), ChannelRole::DeadLetter);
        assert_eq!(role("leaderboard.get.requested"), ChannelRole::Request);
        assert_eq!(role("run.{run_id}.step.{step_id}"), ChannelRole::Plain);
        assert_eq!(role("orders.validated"), ChannelRole::Plain);
        assert_eq!(words("run.{run_id}.step.{step_id}"), ["run", "step"]);
    }

    #[test]
    fn messages_and_cover() {
        assert_eq!(message_role("sumResult"), ChannelRole::Reply);
        assert_eq!(message_role("AddCheckResponse"), ChannelRole::Reply);
        assert_eq!(message_role("OrderRequested"), ChannelRole::Plain);
        assert_eq!(message_role("PaymentRequest"), ChannelRole::Plain);
        assert_eq!(message_role("pong"), ChannelRole::Reply);
        assert_eq!(message_role("PaymentFailed"), ChannelRole::Plain);
        assert_eq!(message_role("OrderPlaced"), ChannelRole::Plain);
        assert!(covers(&words("orders"), &words("orders.ingest")));
        assert!(!covers(&[], &words("orders.ingest")));
        assert!(!covers(&words("payments"), &words("orders.ingest")));
    }
}
