//! Shapes of schema evolution met in documents written outside the project (see the
//! README's `diff` section, "Measured on outside material"): each test is a small
//! self-written pair of that shape, checked for the findings a careful reviewer
//! expects and for the absence of false "breaking" ones.

/// `(rule, message)` of every finding of `diff old.yaml new.yaml`, without the
/// versioning policy's.
fn findings(old: &str, new: &str) -> Vec<(String, String)> {
    crate::util::diff_findings(old, new)
        .into_iter()
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

/// `contains_counts` with `items: {type: ITEMS}` beside each `contains`.
fn contains_counts_items(min: u32, max: u32, items: &str) -> String {
    contains_counts(min, max)
        .lines()
        .flat_map(|line| {
            let indent = &line[..line.len() - line.trim_start().len()];
            let extra = (line.trim_start() == "contains: {type: integer}")
                .then(|| format!("{indent}items: {{type: {items}}}"));
            extra.into_iter().chain(std::iter::once(line.to_string()))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// oasdiff's `contains_min_max` fixture shape: `items` of strings but `contains`
/// an integer, so no array is valid on either side; changing the counts breaks
/// nobody. With `items` that can hold integers the same change breaks.
#[test]
fn counts_on_arrays_no_value_satisfies_break_nobody() {
    let vacuous = |min, max| contains_counts_items(min, max, "string");
    assert!(vacuous(1, 5).contains("items: {type: string}"));
    let f = findings(&vacuous(1, 5), &vacuous(2, 6));
    assert!(breaking(&f).is_empty(), "{f:#?}");
    let live = |min, max| contains_counts_items(min, max, "number");
    let f = findings(&live(1, 5), &live(2, 6));
    assert_eq!(breaking(&f).len(), 2, "{f:#?}");
}

/// Kubernetes' Swagger 2.0 document, one property type changed in a shared
/// definition (`ObjectMeta`): told once where it changed, with the places that
/// reach it counted, not once per operation (it was 3 214 findings). A property
/// named `default` (a schema, not literal data) is followed, not "undecided".
fn shared_meta(generation: &str) -> String {
    let mut paths = String::new();
    for kind in ["pods", "services", "secrets", "configmaps", "nodes"] {
        paths.push_str(&format!(
            r#"  /api/v1/{kind}:
    get:
      responses:
        '200':
          description: ok
          schema: {{$ref: '#/definitions/Meta'}}
    post:
      parameters:
        - {{in: body, name: body, required: true, schema: {{$ref: '#/definitions/Meta'}}}}
      responses:
        '201': {{description: created}}
"#
        ));
    }
    format!(
        r#"swagger: '2.0'
info: {{title: k, version: unversioned}}
paths:
{paths}definitions:
  Meta:
    type: object
    properties:
      generation: {{type: {generation}}}
      default: {{$ref: '#/definitions/Props'}}
  Props:
    type: object
    properties:
      name: {{type: string}}
"#
    )
}

#[test]
fn a_change_in_a_shared_schema_is_told_once_with_the_places_reaching_it() {
    let f = findings(&shared_meta("integer"), &shared_meta("string"));
    let b = breaking(&f);
    // Responses (readers) and request bodies (writers) break: one finding each.
    assert_eq!(b.len(), 2, "{f:#?}");
    assert!(
        b.iter()
            .any(|m| m.contains("breaks readers") && m.contains("Reached from 5 places")),
        "{b:#?}"
    );
    assert!(
        b.iter()
            .any(|m| m.contains("breaks writers") && m.contains("Reached from 5 places")),
        "{b:#?}"
    );
    // Three places are named, the rest counted.
    assert!(b.iter().all(|m| m.ends_with("; and 2 more")), "{b:#?}");
    assert!(
        !f.iter().any(|(r, _)| r == "diff-schema-undecided"),
        "{f:#?}"
    );
    // The versioning policy counts changes, not places.
    let all = crate::util::diff_findings(&shared_meta("integer"), &shared_meta("string"));
    assert!(
        all.iter()
            .any(|(r, m)| r == "diff-version-not-bumped" && m.starts_with("2 breaking changes")),
        "{all:#?}"
    );
    // A change behind the property called `default` is found too.
    let f = findings(
        &shared_meta("integer"),
        &shared_meta("integer").replace("name: {type: string}", "name: {type: integer}"),
    );
    assert_eq!(breaking(&f).len(), 2, "{f:#?}");
    assert!(
        breaking(&f)
            .iter()
            .all(|m| m.contains("at `/default/name`") && m.contains("Reached from 5 places")),
        "{f:#?}"
    );
}
