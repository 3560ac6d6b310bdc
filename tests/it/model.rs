//! The IR of OpenAPI documents: request and response bodies as messages.

use hnp_events::model::{self, Document};
use hnp_events::source::{LoadOptions, Workspace};

fn build(path: &std::path::Path) -> Vec<Document> {
    let ws = Workspace::load(&[path.to_path_buf()], &LoadOptions::default()).expect("load");
    model::build(&ws).0.documents
}

fn names(doc: &Document, idx: &[usize]) -> Vec<String> {
    idx.iter()
        .map(|&i| {
            let m = &doc.messages[i];
            format!(
                "{} {}",
                m.name.as_deref().unwrap_or("?"),
                m.content_type.as_deref().unwrap_or("-")
            )
        })
        .collect()
}

#[test]
fn openapi3_bodies_are_messages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("api.yaml");
    std::fs::write(
        &path,
        r#"openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /users:
    post:
      operationId: createUser
      requestBody:
        content:
          application/json: {schema: {$ref: '#/components/schemas/User'}}
          application/xml: {schema: {$ref: '#/components/schemas/User'}}
      responses:
        '201':
          description: created
          content:
            application/json: {schema: {$ref: '#/components/schemas/User'}}
        default: {$ref: '#/components/responses/Error'}
    get:
      responses:
        '204': {description: nothing}
        default: {$ref: '#/components/responses/Error'}
components:
  schemas:
    User: {type: object}
  responses:
    Error:
      description: error
      content:
        application/json: {schema: {type: object}}
"#,
    )
    .expect("write");
    let docs = build(&path);
    let doc = &docs[0];
    let post = &doc.operations[1];
    assert_eq!(post.operation_id.as_deref(), Some("createUser"));
    assert_eq!(
        names(doc, &post.messages),
        [
            "createUserRequest application/json",
            "createUserRequest application/xml"
        ]
    );
    let statuses: Vec<(&str, Vec<String>)> = post
        .responses
        .iter()
        .map(|r| (r.status.as_str(), names(doc, &r.messages)))
        .collect();
    assert_eq!(
        statuses,
        [
            (
                "201",
                vec!["createUser201Response application/json".to_string()]
            ),
            (
                "default",
                vec!["get_usersdefaultResponse application/json".to_string()]
            ),
        ]
    );
    let payload = doc.messages[post.messages[0]]
        .payload
        .as_ref()
        .expect("payload");
    assert_eq!(payload.src.pointer, "/components/schemas/User");
    // The shared error response is one message; an operation without operationId gets
    // a name from its method and path.
    let get = &doc.operations[0];
    assert!(get.messages.is_empty());
    assert!(get.responses[0].messages.is_empty());
    assert_eq!(get.responses[1].messages, post.responses[1].messages);
    assert_eq!(doc.messages.len(), 4);
}

#[test]
fn swagger_bodies_are_messages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("api.json");
    std::fs::write(
        &path,
        r##"{"swagger": "2.0", "info": {"title": "t", "version": "1"},
  "consumes": ["application/json"], "produces": ["application/json"],
  "paths": {"/pets": {"post": {
    "parameters": [{"name": "body", "in": "body", "schema": {"$ref": "#/definitions/Pet"}}],
    "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}},
                  "404": {"description": "missing"}}}}},
  "definitions": {"Pet": {"type": "object"}}}"##,
    )
    .expect("write");
    let docs = build(&path);
    let doc = &docs[0];
    let op = &doc.operations[0];
    assert_eq!(
        names(doc, &op.messages),
        ["post_petsRequest application/json"]
    );
    assert_eq!(
        names(doc, &op.responses[0].messages),
        ["post_pets200Response application/json"]
    );
    assert!(op.responses[1].messages.is_empty());
}

/// Inlining a schema follows references under properties whose names are keywords
/// elsewhere (`default`, `example`, `enum`, `x-…`): under `properties` they are
/// names of schemas, not literal data (Kubernetes' `JSONSchemaProps.default`).
#[test]
fn inlining_follows_properties_named_like_keywords() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("api.yaml");
    std::fs::write(
        &path,
        r#"asyncapi: 3.0.0
info: {title: t, version: 1.0.0}
components:
  schemas:
    Props:
      type: object
      properties:
        default: {$ref: '#/components/schemas/Name'}
        example: {$ref: '#/components/schemas/Name'}
        x-kind: {$ref: '#/components/schemas/Name'}
      default: {$ref: not-a-reference}
    Name: {type: string, minLength: 2}
"#,
    )
    .expect("write");
    let ws = Workspace::load(std::slice::from_ref(&path), &LoadOptions::default()).expect("load");
    let file = ws.inputs[0];
    let props = hnp_events::model::schema::pointer_get(&ws, file, "/components/schemas/Props")
        .expect("Props")
        .clone();
    let inlined = hnp_events::model::schema::inline(&ws, file, &props, &mut Vec::new(), 0);
    for name in ["default", "example", "x-kind"] {
        assert_eq!(
            inlined["properties"][name],
            serde_json::json!({"type": "string", "minLength": 2}),
            "{inlined:#}"
        );
    }
    // Literal data stays literal.
    assert_eq!(
        inlined["default"],
        serde_json::json!({"$ref": "not-a-reference"})
    );
}
