//! Structural and semantic rules: each fixture `fixtures/invalid/structural/<rule>.yaml`
//! must trigger `<rule>`; the full diagnostics are snapshot-tested, one line each:
//! `file:line:col severity rule message`.

use hnp_events::source::{LoadOptions, Workspace};

fn diagnose(rule: &str) -> String {
    diagnose_file(rule, rule)
}

/// Like [`diagnose`] for a fixture named `<name>.yaml` (several fixtures for one rule).
fn diagnose_file(name: &str, rule: &str) -> String {
    let path = std::path::PathBuf::from(format!("fixtures/invalid/structural/{name}.yaml"));
    let ws = Workspace::load(&[path], &LoadOptions::default()).expect("load");
    let mut diags = ws.diagnostics.clone();
    diags.extend(hnp_events::validate::validate(&ws));
    hnp_events::diag::sort_and_dedup(&mut diags);
    assert!(
        diags.iter().any(|d| d.rule == rule),
        "{name}.yaml does not trigger {rule}: {diags:#?}"
    );
    diags
        .iter()
        .map(|d| {
            let mut line = format!("{} {} {} {}", d.location, d.severity, d.rule, d.message);
            if let Some(h) = &d.help {
                line.push_str(&format!(" [help: {h}]"));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

macro_rules! case {
    ($($name:ident => $rule:literal,)*) => {
        $(
            #[test]
            fn $name() {
                insta::assert_snapshot!(diagnose($rule));
            }
        )*
    };
}

case! {
    value_not_in_enum => "value-not-in-enum",
    asyncapi_required => "asyncapi-required",
    asyncapi_type => "asyncapi-type",
    asyncapi_unknown_field => "asyncapi-unknown-field",
    asyncapi_enum => "asyncapi-enum",
    asyncapi_field_version => "asyncapi-field-version",
    asyncapi_component_name => "asyncapi-component-name",
    asyncapi_channel_parameter_undeclared => "asyncapi-channel-parameter-undeclared",
    asyncapi_channel_parameter_unused => "asyncapi-channel-parameter-unused",
    asyncapi_duplicate_operation_id => "asyncapi-duplicate-operation-id",
    asyncapi_duplicate_message_id => "asyncapi-duplicate-message-id",
    asyncapi_security_undefined => "asyncapi-security-undefined",
    asyncapi_server_undefined => "asyncapi-server-undefined",
    asyncapi_operation_message_not_in_channel => "asyncapi-operation-message-not-in-channel",
    asyncapi_tag_duplicate => "asyncapi-tag-duplicate",
    asyncapi_schema_format_unvalidated => "asyncapi-schema-format-unvalidated",
    schema_enum_duplicate => "schema-enum-duplicate",
    openapi_required => "openapi-required",
    openapi_type => "openapi-type",
    openapi_unknown_field => "openapi-unknown-field",
    openapi_enum => "openapi-enum",
    openapi_field_version => "openapi-field-version",
    openapi_component_name => "openapi-component-name",
    openapi_duplicate_operation_id => "openapi-duplicate-operation-id",
    openapi_path_parameter_undefined => "openapi-path-parameter-undefined",
    openapi_path_parameter_required => "openapi-path-parameter-required",
    openapi_security_undefined => "openapi-security-undefined",
    openapi_tag_duplicate => "openapi-tag-duplicate",
    openapi_parameter_schema_content => "openapi-parameter-schema-content",
    openapi_example_conflict => "openapi-example-conflict",
    schema_example_invalid => "schema-example-invalid",
    asyncapi_ref_target => "asyncapi-ref-target",
}

#[test]
fn schema_example_invalid_asyncapi() {
    insta::assert_snapshot!(diagnose_file(
        "schema-example-invalid-asyncapi",
        "schema-example-invalid"
    ));
}

#[test]
fn schema_example_invalid_openapi31() {
    insta::assert_snapshot!(diagnose_file(
        "schema-example-invalid-openapi31",
        "schema-example-invalid"
    ));
}

/// The project's own example documents are valid.
#[test]
fn hnp_fixtures_have_no_errors() {
    let ws = Workspace::load(&["fixtures/hnp".into()], &LoadOptions::default()).expect("load");
    let mut diags = ws.diagnostics.clone();
    diags.extend(hnp_events::validate::validate(&ws));
    let errors: Vec<_> = diags
        .iter()
        .filter(|d| d.severity == hnp_events::diag::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// A failed `oneOf` names the branch that came closest and its own error, through nested
/// unions, instead of jsonschema's "not valid under any of the schemas".
#[test]
fn schema_example_invalid_names_the_closest_branch() {
    insta::assert_snapshot!(diagnose_file(
        "schema-example-invalid-oneof",
        "schema-example-invalid"
    ));
}

// ---- issue 14: a shared file is checked under each referencing document's rules ----

/// A schema file referenced from an OpenAPI 3.0 and an AsyncAPI 3.0 document: its
/// `const`/`examples` break only the 3.0 dialect, a bad `minLength` breaks both; each
/// finding names the document whose rules it breaks (the 3.0 one, by its `openapi` key).
#[test]
fn a_shared_schema_file_gets_each_referencing_documents_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write =
        |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("write");
    write(
        "oas30.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: './common.yaml#/components/schemas/A'}\n",
    );
    write(
        "events.yaml",
        "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    A: {$ref: './common.yaml#/components/schemas/A'}\n",
    );
    write(
        "common.yaml",
        "components:\n  schemas:\n    A:\n      type: object\n      properties:\n        x: {type: string, const: '1'}\n        y: {$ref: '#/components/schemas/B'}\n    B: {type: string, examples: [a], minLength: -1}\n",
    );
    let load = |names: &[&str]| {
        let paths: Vec<_> = names.iter().map(|n| dir.path().join(n)).collect();
        let opts = LoadOptions {
            root: Some(dir.path().to_path_buf()),
            ..LoadOptions::default()
        };
        let ws = Workspace::load(&paths, &opts).expect("load");
        hnp_events::validate::validate(&ws)
    };
    let line = |d: &hnp_events::diag::Diagnostic| {
        let rel: Vec<String> = d
            .related
            .iter()
            .map(|r| {
                format!(
                    "{}: {}",
                    r.location.pointer.as_deref().unwrap_or("-"),
                    r.message
                )
            })
            .collect();
        format!(
            "{} {} {} [{}]",
            d.rule,
            d.location.pointer.as_deref().unwrap_or("-"),
            d.location.file.rsplit('/').next().unwrap_or(""),
            rel.join("; ").replace(&*dir.path().to_string_lossy(), "")
        )
    };
    // Both documents: the 3.0 dialect's findings name oas30.yaml, the shared one each.
    let both: Vec<String> = load(&["oas30.yaml", "events.yaml"])
        .iter()
        .map(line)
        .collect();
    assert!(
        both.iter().any(|l| l.starts_with(
            "openapi-unknown-field /components/schemas/A/properties/x/const common.yaml"
        ) && l
            .contains("/openapi: checked under the rules of OpenAPI 3.0.3 because")
            && l.contains("oas30.yaml")),
        "{both:#?}"
    );
    assert!(
        both.iter()
            .any(|l| l.starts_with("openapi-unknown-field /components/schemas/B/examples")),
        "{both:#?}"
    );
    assert!(
        both.iter().any(
            |l| l.starts_with("asyncapi-type /components/schemas/B/minLength")
                && l.contains("/asyncapi: checked under the rules of AsyncAPI 3.0.0")
                && l.contains("events.yaml")
        ),
        "{both:#?}"
    );
    assert!(
        !both.iter().any(|l| l.starts_with("asyncapi-unknown-field")),
        "draft-07 allows const and examples: {both:#?}"
    );
    // The AsyncAPI document alone: only the shared finding.
    let alone: Vec<String> = load(&["events.yaml"]).iter().map(line).collect();
    assert_eq!(alone.len(), 1, "{alone:#?}");
    assert!(
        alone[0].starts_with("asyncapi-type /components/schemas/B/minLength"),
        "{alone:#?}"
    );
}

/// A file named as an API document with no version key is an error naming the key,
/// not a fragment that passes unchecked.
#[test]
fn a_document_without_its_version_key_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        (
            "info: {title: t, version: '1'}\nchannels: {}\n",
            "no `asyncapi` field",
        ),
        (
            "info: {title: t, version: '1'}\npaths: {}\n",
            "no `openapi` field",
        ),
        (
            "info: {title: t, version: '1'}\nbasePath: /v1\npaths: {}\n",
            "no `swagger` field",
        ),
        (
            "info: {title: t, version: '1'}\n",
            "no `asyncapi`, `openapi` or `swagger` field",
        ),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("doc{i}.yaml"));
        std::fs::write(&path, text).expect("write");
        let ws =
            Workspace::load(std::slice::from_ref(&path), &LoadOptions::default()).expect("load");
        let d: Vec<_> = ws
            .diagnostics
            .iter()
            .filter(|d| d.rule == "document-version-missing")
            .collect();
        assert_eq!(d.len(), 1, "{text}: {:#?}", ws.diagnostics);
        assert!(d[0].message.starts_with(want), "{}", d[0].message);
        assert_eq!(d[0].location.pointer.as_deref(), Some(""));
    }
    // A fragment (no `info`) named explicitly is still loaded as one, without the error.
    let frag = dir.path().join("frag.yaml");
    std::fs::write(&frag, "components:\n  schemas:\n    A: {type: string}\n").expect("write");
    let ws = Workspace::load(std::slice::from_ref(&frag), &LoadOptions::default()).expect("load");
    assert!(ws.diagnostics.is_empty(), "{:#?}", ws.diagnostics);
}

/// AsyncAPI 3 binding objects: `bindingVersion` per protocol and kind, and the HTTP, AMQP
/// and WebSockets bindings field by field (the official schema's constraints; the
/// constraint coverage test confirms each against `jsonschema`).
#[test]
fn asyncapi3_binding_objects_are_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("b.yaml");
    std::fs::write(
        &path,
        "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\nchannels:\n  q:\n    bindings:\n      amqp: {is: queue, exchange: {name: x}, bindingVersion: '0.3.0'}\n      ws: {method: PUT, bindingVersion: '0.2.0'}\n  r:\n    bindings:\n      amqp: {is: routingKey, exchange: {name: x, type: topic}}\n      ws: {method: GET, query: {type: object}}\noperations:\n  o:\n    action: send\n    channel: {$ref: '#/channels/q'}\n    bindings:\n      http: {method: get, foo: 1}\n      amqp: {deliveryMode: 3, expiration: -1}\n      kafka: {bindingVersion: '9'}\n  p:\n    action: send\n    channel: {$ref: '#/channels/r'}\n    bindings:\n      http: {method: GET, bindingVersion: '0.2.0'}\n      amqp: {deliveryMode: 2, ack: true, x-note: 1}\n",
    )
    .expect("write");
    let ws = Workspace::load(std::slice::from_ref(&path), &LoadOptions::default()).expect("load");
    let got: Vec<String> = hnp_events::validate::validate(&ws)
        .iter()
        .filter(|d| d.severity == hnp_events::diag::Severity::Error)
        .map(|d| {
            format!(
                "{} {}",
                d.rule,
                d.location.pointer.as_deref().unwrap_or("-")
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "asyncapi-required /channels/q/bindings/amqp",
            "asyncapi-enum /channels/q/bindings/ws/bindingVersion",
            "asyncapi-enum /operations/o/bindings/http/method",
            "asyncapi-unknown-field /operations/o/bindings/http/foo",
            "asyncapi-enum /operations/o/bindings/amqp/deliveryMode",
            "asyncapi-type /operations/o/bindings/amqp/expiration",
            "asyncapi-enum /operations/o/bindings/kafka/bindingVersion",
        ],
        "channel r and operation p are valid"
    );
}
