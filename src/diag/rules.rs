//! The one registry of rule metadata: id, default severity, summary and rationale.
//! Renderers (SARIF rule descriptors), `hnp-events rules` and the README read it from here.

use super::Severity;

/// What a rule is and why it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMeta {
    pub id: &'static str,
    pub severity: Severity,
    /// One line, shown in listings and SARIF `shortDescription`.
    pub summary: &'static str,
    /// Why the rule exists, shown by `explain` and in SARIF `fullDescription`.
    pub rationale: &'static str,
}

macro_rules! rules {
    ($( $id:literal => $sev:ident, $summary:literal, $rationale:literal; )*) => {
        /// Every rule hnp-events can report, sorted by id.
        pub static RULES: &[RuleMeta] = &[
            $( RuleMeta { id: $id, severity: Severity::$sev, summary: $summary, rationale: $rationale }, )*
        ];
    };
}

rules! {
    "config-invalid" => Error,
        "The hnp-events.yaml configuration has an unknown setting or a bad value.",
        "A misspelled setting is silently ignored by many tools; here it is an error, with a suggestion, so the configuration does what it says.";
    "document-empty" => Error,
        "The file is empty or holds only comments.",
        "An empty file cannot describe an API; it is usually a truncated write or a wrong path.";
    "document-kind-unknown" => Error,
        "The file is not an AsyncAPI, OpenAPI or Swagger document, nor a fragment of one.",
        "Documents are recognised by their `asyncapi`, `openapi` or `swagger` version field; fragments hold only reusable parts such as `components`. Anything else given explicitly is probably the wrong file.";
    "document-version-unsupported" => Error,
        "The document declares a specification version hnp-events does not support.",
        "Supported: AsyncAPI 2.0–2.6, 3.0 and 3.1; OpenAPI 3.0.x and 3.1.x; Swagger 2.0. Validating against the wrong version's rules would give wrong answers.";
    "file-binary" => Error,
        "The file holds binary data, not YAML or JSON text.",
        "A NUL byte or other control characters mean the file is not a text document (an image, an archive, a compiled file).";
    "file-encoding" => Error,
        "The file is not valid UTF-8.",
        "YAML 1.2 and JSON documents exchanged between tools must be UTF-8; other encodings are misread silently by some tools.";
    "file-unreadable" => Error,
        "The file could not be read.",
        "The path does not exist, is a directory where a file was expected, or cannot be opened.";
    "json-syntax" => Error,
        "The JSON text is malformed.",
        "A syntax error stops every later check; the location points at the first character that cannot be parsed.";
    "nesting-too-deep" => Error,
        "The document nests deeper than the supported limit.",
        "Real API documents rarely nest more than a few dozen levels; pathological nesting is refused so that no later stage can overflow its stack.";
    "ref-cycle" => Error,
        "A chain of `$ref`s leads back to itself without reaching any content.",
        "`$ref: A` where A is `$ref: B` and B is `$ref: A` never resolves to a value. (Recursive schemas, whose references sit inside real content, are fine.)";
    "ref-invalid" => Error,
        "The `$ref` value is not a valid reference.",
        "A reference must be a URI reference: a relative file path and/or a `#` JSON pointer starting with `/`.";
    "ref-outside-root" => Error,
        "A `$ref` points to a file outside the workspace root.",
        "Refs may only reach files under the workspace root so that validating an untrusted document cannot read arbitrary files. Use `--root` or `--allow-ref-outside` if this is intended.";
    "ref-remote" => Warning,
        "A `$ref` points to a remote URL, which is never fetched.",
        "hnp-events never uses the network. The content behind a remote reference is not validated; vendor it into the repository to have it checked.";
    "ref-unresolved" => Error,
        "A `$ref` points to a file or a JSON pointer that does not exist.",
        "An unresolvable reference makes the document invalid for every consumer: code generators, validators and documentation tools all fail on it.";
    "yaml-alias-limit" => Error,
        "YAML aliases expand to more nodes than allowed (an alias bomb).",
        "A few lines of nested aliases can expand to billions of nodes (the 'billion laughs' attack). Expansion is bounded so that validation runs in bounded memory.";
    "yaml-duplicate-key" => Error,
        "A mapping holds the same key twice.",
        "YAML 1.2 and JSON (RFC 8259, 'SHOULD be unique') leave duplicate keys ill-defined: tools silently keep the first or the last one. Both locations are reported.";
    "yaml-syntax" => Error,
        "The YAML text is malformed.",
        "A syntax error stops every later check; the location points where the parser gave up.";
    "yaml-tab-indent" => Error,
        "A tab character is used for indentation.",
        "YAML forbids tabs in indentation; editors display them at different widths, so the structure the author sees is not the one parsed.";
}

/// Metadata of a registered rule.
pub fn rule_meta(id: &str) -> Option<&'static RuleMeta> {
    RULES
        .binary_search_by(|m| m.id.cmp(id))
        .ok()
        .map(|i| &RULES[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_sorted_and_unique() {
        for w in RULES.windows(2) {
            assert!(
                w[0].id < w[1].id,
                "{} must sort before {}",
                w[0].id,
                w[1].id
            );
        }
    }
}
