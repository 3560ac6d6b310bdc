//! The value constraints of the official schemas (`src/validate/values.rs`): formats,
//! patterns, distinct items, OAuth flows, message examples and parameter styles, each
//! reported at the value with its rule. The documents are written here (one per
//! specification family) and the diagnostics snapshot-tested, one line each.

use hnp_events::source::{LoadOptions, Workspace};

fn diagnose(name: &str, text: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    let ws = Workspace::load(std::slice::from_ref(&path), &LoadOptions::default()).expect("load");
    let mut diags = ws.diagnostics.clone();
    diags.extend(hnp_events::validate::validate(&ws));
    hnp_events::diag::sort_and_dedup(&mut diags);
    diags
        .iter()
        .map(|d| {
            let (line, col) = d.location.span.map_or((0, 0), |s| (s.line, s.col));
            format!("{line}:{col} {} {} {}", d.severity, d.rule, d.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn asyncapi_value_constraints() {
    let out = diagnose(
        "asyncapi.yaml",
        r#"asyncapi: 3.0.0
info:
  title: T
  version: 1.0.0
  contact:
    email: not an address
  license:
    name: MIT
    url: opensource.org/licenses/MIT
channels:
  c:
    address: c
    servers:
      - $ref: '#/servers/s'
      - $ref: '#/servers/s'
    messages:
      m:
        payload: {type: object, required: [id, id], pattern: "[a-z"}
        examples:
          - name: no payload or headers
servers:
  s:
    host: example.com
    protocol: ws
components:
  securitySchemes:
    o:
      type: oauth2
      flows:
        implicit:
          tokenUrl: https://example.com/t
          availableScopes: {}
  correlationIds:
    x:
      location: $message.body#/id
"#,
    );
    for rule in [
        "value-format",
        "value-duplicate",
        "value-pattern",
        "asyncapi-required",
        "asyncapi-unknown-field",
    ] {
        assert!(out.contains(rule), "{rule} missing:\n{out}");
    }
    insta::assert_snapshot!(out);
}

#[test]
fn swagger_and_openapi_value_constraints() {
    let sw = diagnose(
        "swagger.yaml",
        r#"swagger: "2.0"
info: {title: T, version: "1", contact: {url: "not a url"}}
host: https://api.example.com
basePath: v1
schemes: [https, https]
paths:
  /a:
    get:
      tags: [x, x]
      responses:
        "200":
          description: ok
          schema: {type: string, enum: []}
"#,
    );
    let oas = diagnose(
        "openapi.yaml",
        r#"openapi: 3.0.3
info: {title: T, version: "1", contact: {email: nobody}}
paths:
  /a:
    get:
      parameters:
        - {name: q, in: query, style: simple, schema: {type: string}}
      responses:
        "200": {description: ok}
"#,
    );
    insta::assert_snapshot!(format!("{sw}\n---\n{oas}"));
}

#[test]
fn openapi31_urls_may_be_relative() {
    let out = diagnose(
        "openapi31.yaml",
        r#"openapi: 3.1.0
info: {title: T, version: "1", license: {name: MIT, url: /license}}
externalDocs: {url: /docs}
paths: {}
"#,
    );
    assert!(!out.contains("value-format"), "{out}");
}
