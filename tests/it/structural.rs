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
