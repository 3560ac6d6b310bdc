//! Shapes of schema evolution met in documents written outside the project (see the
//! README's `diff` section, "Measured on outside material"): each test is a small
//! self-written pair of that shape, checked for the findings a careful reviewer
//! expects and for the absence of false "breaking" ones.

use std::path::Path;

use serde_json::Value;

use crate::util::{code, run_in, stderr, stdout};

/// `(rule, message)` of every finding of `diff old.yaml new.yaml`, without the
/// versioning policy's.
fn findings(old: &str, new: &str) -> Vec<(String, String)> {
    let work = tempfile::tempdir().expect("tempdir");
    let dir: &Path = work.path();
    std::fs::write(dir.join("old.yaml"), old).expect("old");
    std::fs::write(dir.join("new.yaml"), new).expect("new");
    let out = run_in(dir, &["diff", "old.yaml", "new.yaml", "--format", "json"]);
    assert!(code(&out) < 2, "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json");
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or("").to_string(),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .filter(|(r, _)| r != "diff-version-not-bumped")
        .collect()
}

fn breaking(f: &[(String, String)]) -> Vec<&str> {
    f.iter()
        .filter(|(r, _)| r == "diff-schema-breaking")
        .map(|(_, m)| m.as_str())
        .collect()
}

/// A request/reply service: the application receives `Ask` and replies with `Answer`.
fn request_reply(ask_required: &str, answer_required: &str, answer_enum: &str) -> String {
    format!(
        r#"asyncapi: 3.0.0
info: {{title: t, version: 1.0.0}}
channels:
  asks:
    address: svc.asks
    messages:
      Ask:
        payload:
          type: object
          required: [{ask_required}]
          properties:
            id: {{type: string}}
            extra: {{type: string}}
  answers:
    address: svc.answers
    messages:
      Answer:
        payload:
          type: object
          required: [{answer_required}]
          properties:
            id: {{type: string}}
            extra: {{type: string}}
            outcome: {{type: string, enum: [{answer_enum}]}}
operations:
  handleAsk:
    action: receive
    channel: {{$ref: '#/channels/asks'}}
    reply:
      channel: {{$ref: '#/channels/answers'}}
"#
    )
}

#[test]
fn a_reply_travels_against_its_operation() {
    let old = request_reply("id", "id", "yes, no");
    // The reply (sent by the application) requires more: readers are fine.
    let f = findings(&old, &request_reply("id", "id, extra", "yes, no"));
    assert!(breaking(&f).is_empty(), "{f:?}");
    // The reply gains an outcome value: readers still on the old version break.
    let f = findings(&old, &request_reply("id", "id", "yes, no, maybe"));
    let b = breaking(&f);
    assert_eq!(b.len(), 1, "{f:?}");
    assert!(
        b[0].contains("Answer") && b[0].contains("breaks readers"),
        "{b:?}"
    );
    // The request (received) requires more: writers still on the old version break.
    let f = findings(&old, &request_reply("id, extra", "id", "yes, no"));
    let b = breaking(&f);
    assert_eq!(b.len(), 1, "{f:?}");
    assert!(
        b[0].contains("Ask") && b[0].contains("breaks writers"),
        "{b:?}"
    );
}

fn read_write_only(secret_enum: &str, required: &str) -> String {
    format!(
        r#"openapi: 3.0.3
info: {{title: t, version: '1'}}
paths:
  /users:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [{required}]
              properties:
                name: {{type: string}}
                id: {{type: string, readOnly: true}}
                password: {{type: string, writeOnly: true}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  name: {{type: string{secret_enum}}}
                  password: {{type: string, writeOnly: true{secret_enum}}}
"#
    )
}

#[test]
fn write_only_properties_are_not_in_responses_nor_read_only_ones_in_requests() {
    let old = read_write_only(", enum: [a, b]", "name");
    // The enum goes from a response property and from a writeOnly one: only the
    // first reaches readers.
    let f = findings(&old, &read_write_only("", "name"));
    let b = breaking(&f);
    assert_eq!(b.len(), 1, "{f:?}");
    assert!(b[0].contains("at `/name`"), "{b:?}");
    // A readOnly property required in the request is not sent by clients: no break.
    let f = findings(&old, &read_write_only(", enum: [a, b]", "name, id"));
    assert!(breaking(&f).is_empty(), "{f:?}");
    // A plain property required is.
    let f = findings(&old, &read_write_only(", enum: [a, b]", "name, password"));
    assert_eq!(breaking(&f).len(), 1, "{f:?}");
}

fn nullable_wrapper(response: &str, request: &str) -> String {
    format!(
        r#"openapi: 3.1.0
info: {{title: t, version: '1'}}
paths:
  /state:
    put:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                mode: {request}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  mode: {response}
"#
    )
}

#[test]
fn a_nullable_wrapper_is_reported_by_what_it_lets_through() {
    let plain = "{type: string, enum: [on, off]}";
    let wrapped = "{oneOf: [{type: 'null'}, {type: string, enum: [on, off]}]}";
    let narrowed = "{oneOf: [{type: 'null'}, {type: string, enum: [on]}]}";
    // Response made nullable: one finding, naming null, never "any type".
    let f = findings(
        &nullable_wrapper(plain, plain),
        &nullable_wrapper(wrapped, plain),
    );
    let b = breaking(&f);
    assert_eq!(b.len(), 1, "{f:?}");
    assert!(
        b[0].contains("null values were rejected before") && !b[0].contains("any type"),
        "{b:?}"
    );
    // Request made nullable: compatible.
    let f = findings(
        &nullable_wrapper(plain, plain),
        &nullable_wrapper(plain, wrapped),
    );
    assert!(f.is_empty(), "{f:?}");
    // Request made nullable while its enum lost a value: the value is named.
    let f = findings(
        &nullable_wrapper(plain, plain),
        &nullable_wrapper(plain, narrowed),
    );
    let b = breaking(&f);
    assert_eq!(b.len(), 1, "{f:?}");
    assert!(
        b[0].contains(r#"value "off" is no longer allowed"#),
        "{b:?}"
    );
}

fn contains_counts(min: u32, max: u32) -> String {
    format!(
        r#"openapi: 3.1.0
info: {{title: t, version: '1'}}
paths:
  /batch:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: array
              contains: {{type: integer}}
              minContains: {min}
              maxContains: {max}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: array
                contains: {{type: integer}}
                minContains: {min}
                maxContains: {max}
"#
    )
}

#[test]
fn contains_counts_are_compared_as_numbers() {
    let f = findings(&contains_counts(1, 5), &contains_counts(2, 6));
    let b = breaking(&f);
    assert_eq!(b.len(), 2, "{f:?}");
    assert!(
        b.iter()
            .any(|m| m.contains("request body") && m.contains("`minContains` changed from 1 to 2")),
        "{b:?}"
    );
    assert!(
        b.iter()
            .any(|m| m.contains("response") && m.contains("`maxContains` changed from 5 to 6")),
        "{b:?}"
    );
    // Looser for requests, tighter for responses: compatible.
    let f = findings(&contains_counts(2, 6), &contains_counts(2, 6));
    assert!(f.is_empty(), "{f:?}");
    let f = findings(&contains_counts(2, 5), &contains_counts(1, 5));
    assert!(breaking(&f).iter().all(|m| m.contains("response")), "{f:?}");
}

fn v2_doc(result_type: &str) -> String {
    format!(
        r#"asyncapi: '2.6.0'
info: {{title: t, version: '1.0.0'}}
channels:
  calc.requests:
    publish:
      operationId: compute
      message:
        payload:
          type: object
          properties:
            numbers: {{type: array, items: {{type: number}}}}
  calc.results:
    subscribe:
      operationId: sendResult
      message:
        payload:
          type: object
          properties:
            result: {{type: {result_type}}}
"#
    )
}

fn v3_doc(result_type: &str) -> String {
    format!(
        r#"asyncapi: 3.0.0
info: {{title: t, version: '1.0.0'}}
channels:
  requests:
    address: calc.requests
    messages:
      compute.message:
        payload:
          type: object
          properties:
            numbers: {{type: array, items: {{type: number}}}}
  calc.results:
    address: calc.results
    messages:
      result.message:
        payload:
          type: object
          properties:
            result: {{type: {result_type}}}
operations:
  compute:
    action: receive
    channel: {{$ref: '#/channels/requests'}}
  sendResult:
    action: send
    channel: {{$ref: '#/channels/calc.results'}}
"#
    )
}

#[test]
fn a_2x_to_3_migration_compares_the_same_traffic() {
    // The same channels, directions and payloads: nothing removed, nothing breaks.
    let f = findings(&v2_doc("number"), &v3_doc("number"));
    assert!(
        f.iter().all(|(r, _)| r == "diff-renamed"),
        "a spec migration is no removal: {f:?}"
    );
    // The sent result widened on the way: still found, for readers.
    let f = findings(&v2_doc("integer"), &v3_doc("number"));
    let b = breaking(&f);
    assert_eq!(b.len(), 1, "{f:?}");
    assert!(
        b[0].contains("/result") && b[0].contains("breaks readers"),
        "{b:?}"
    );
    assert!(!f.iter().any(|(r, _)| r.ends_with("-removed")), "{f:?}");
}
