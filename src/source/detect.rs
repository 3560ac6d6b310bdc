//! What kind of document a parsed file is, and which specification version it claims.

use serde_json::Value;

/// The kind of a loaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocKind {
    /// AsyncAPI with its `(major, minor, patch)` version.
    AsyncApi(Version),
    /// OpenAPI 3.x.
    OpenApi(Version),
    /// Swagger 2.0.
    Swagger,
    /// A file of reusable parts (`components`, `definitions`, …) without a version
    /// field: loaded as a `$ref` target.
    Fragment,
    /// Anything else (a `$ref` target holding a bare schema, or not an API file at all).
    Other,
    /// The file failed to parse.
    Unparsed,
}

/// A specification version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u16,
    pub minor: u16,
    pub patch: u16,
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl DocKind {
    /// A full API document (not a fragment or other file).
    pub fn is_document(&self) -> bool {
        matches!(
            self,
            DocKind::AsyncApi(_) | DocKind::OpenApi(_) | DocKind::Swagger
        )
    }

    pub fn label(&self) -> String {
        match self {
            DocKind::AsyncApi(v) => format!("AsyncAPI {v}"),
            DocKind::OpenApi(v) => format!("OpenAPI {v}"),
            DocKind::Swagger => "Swagger 2.0".to_string(),
            DocKind::Fragment => "fragment".to_string(),
            DocKind::Other => "other".to_string(),
            DocKind::Unparsed => "unparsed".to_string(),
        }
    }
}

/// Why a version field is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionProblem {
    /// The version key (`asyncapi`, `openapi`, `swagger`).
    pub key: &'static str,
    pub message: String,
}

/// Keys that make a version-less file a fragment of reusable parts.
const FRAGMENT_KEYS: &[&str] = &[
    "components",
    "definitions",
    "parameters",
    "responses",
    "securityDefinitions",
    "schemas",
    "messages",
    "channels",
];

fn parse_version(s: &str) -> Option<Version> {
    let mut it = s.split('.');
    let major = it.next()?.parse().ok()?;
    let minor = it.next()?.parse().ok()?;
    // A pre-release suffix (`3.0.0-rc1`) is allowed by the OpenAPI schemas.
    let patch = it.next()?.split('-').next()?.parse().ok()?;
    if it.next().is_some() {
        return None;
    }
    Some(Version {
        major,
        minor,
        patch,
    })
}

/// Decide the kind of a parsed root value. A recognised version key with an
/// unsupported or malformed value gives the kind it claims (when it can be told) and a
/// problem to report.
pub fn detect(root: &Value) -> (DocKind, Option<VersionProblem>) {
    let Some(obj) = root.as_object() else {
        return (DocKind::Other, None);
    };
    let bad = |key: &'static str, message: String| Some(VersionProblem { key, message });
    if let Some(v) = obj.get("asyncapi") {
        let Some(s) = v.as_str() else {
            return (
                DocKind::Other,
                bad(
                    "asyncapi",
                    format!(
                        "`asyncapi` must be a version string such as \"3.0.0\", found {}",
                        describe(v)
                    ),
                ),
            );
        };
        return match parse_version(s) {
            Some(ver)
                if (ver.major == 2 && ver.minor <= 6 && ver.patch == 0)
                    || (ver.major == 3 && ver.minor <= 1 && ver.patch == 0) =>
            {
                (DocKind::AsyncApi(ver), None)
            }
            _ => (
                DocKind::Other,
                bad(
                    "asyncapi",
                    format!(
                        "unsupported AsyncAPI version \"{s}\"; supported: 2.0.0–2.6.0, 3.0.0, 3.1.0"
                    ),
                ),
            ),
        };
    }
    if let Some(v) = obj.get("openapi") {
        let Some(s) = v.as_str() else {
            return (
                DocKind::Other,
                bad(
                    "openapi",
                    format!(
                        "`openapi` must be a version string such as \"3.0.3\", found {}",
                        describe(v)
                    ),
                ),
            );
        };
        return match parse_version(s) {
            Some(ver) if ver.major == 3 && ver.minor <= 1 => (DocKind::OpenApi(ver), None),
            _ => (
                DocKind::Other,
                bad(
                    "openapi",
                    format!("unsupported OpenAPI version \"{s}\"; supported: 3.0.x, 3.1.x"),
                ),
            ),
        };
    }
    if let Some(v) = obj.get("swagger") {
        return if v.as_str() == Some("2.0") {
            (DocKind::Swagger, None)
        } else {
            (
                DocKind::Other,
                bad(
                    "swagger",
                    format!(
                        "unsupported Swagger version {}; only \"2.0\" is supported",
                        describe(v)
                    ),
                ),
            )
        };
    }
    if obj.keys().any(|k| FRAGMENT_KEYS.contains(&k.as_str())) {
        return (DocKind::Fragment, None);
    }
    (DocKind::Other, None)
}

/// A version-less root that is shaped like an API document (an `info` object, as every
/// specification requires at the root, which no fragment holds): the message naming the
/// missing version key (guessed from the other root keys) and a help text.
pub fn missing_version(root: &Value) -> Option<(String, String)> {
    let obj = root.as_object()?;
    if !obj.get("info").is_some_and(Value::is_object) {
        return None;
    }
    let has = |keys: &[&'static str]| keys.iter().find(|k| obj.contains_key(**k)).copied();
    let (key, example, why) = if let Some(k) =
        has(&["channels", "operations", "defaultContentType", "id"])
    {
        ("asyncapi", "asyncapi: 3.0.0", k)
    } else if let Some(k) = has(&[
        "basePath",
        "host",
        "schemes",
        "produces",
        "consumes",
        "definitions",
        "securityDefinitions",
    ]) {
        ("swagger", "swagger: '2.0'", k)
    } else if let Some(k) = has(&["paths", "webhooks", "jsonSchemaDialect"]) {
        ("openapi", "openapi: 3.0.3", k)
    } else {
        return Some((
            "no `asyncapi`, `openapi` or `swagger` field: the file has an `info` object like an API \
             document, but without its version field it is not validated as one"
                .to_string(),
            "add the version field the document follows at the top (`asyncapi: 3.0.0`, \
             `openapi: 3.1.0`, `swagger: '2.0'`)"
                .to_string(),
        ));
    };
    Some((
        format!(
            "no `{key}` field: the file looks like {} document (it has `info` and `{why}`), \
             but without its version field it is not validated as one",
            match key {
                "asyncapi" => "an AsyncAPI",
                "swagger" => "a Swagger 2.0",
                _ => "an OpenAPI",
            }
        ),
        format!("add the version it follows at the top, e.g. `{example}`"),
    ))
}

/// A short description of a JSON value for messages: `number 3.0`, `a list`.
pub fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => format!("string \"{s}\""),
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "a mapping".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds() {
        assert!(matches!(
            detect(&json!({"asyncapi": "2.6.0"})).0,
            DocKind::AsyncApi(_)
        ));
        assert!(matches!(
            detect(&json!({"asyncapi": "3.1.0"})).0,
            DocKind::AsyncApi(_)
        ));
        assert!(detect(&json!({"asyncapi": "2.7.0"})).1.is_some());
        assert!(detect(&json!({"asyncapi": "4.0.0"})).1.is_some());
        assert!(matches!(
            detect(&json!({"openapi": "3.0.3"})).0,
            DocKind::OpenApi(_)
        ));
        assert!(matches!(
            detect(&json!({"openapi": "3.1.1"})).0,
            DocKind::OpenApi(_)
        ));
        assert!(detect(&json!({"openapi": 3.0})).1.is_some());
        assert_eq!(detect(&json!({"swagger": "2.0"})).0, DocKind::Swagger);
        assert_eq!(detect(&json!({"components": {}})).0, DocKind::Fragment);
        assert_eq!(detect(&json!({"type": "object"})).0, DocKind::Other);
        assert_eq!(detect(&json!([1])).0, DocKind::Other);
    }

    #[test]
    fn a_missing_version_key_is_named() {
        let m = |v: Value| missing_version(&v).map(|(m, _)| m);
        let async_ = m(json!({"info": {}, "channels": {}})).expect("asyncapi");
        assert!(async_.starts_with("no `asyncapi` field"), "{async_}");
        let oas = m(json!({"info": {}, "paths": {}})).expect("openapi");
        assert!(oas.starts_with("no `openapi` field"), "{oas}");
        let sw = m(json!({"info": {}, "paths": {}, "basePath": "/"})).expect("swagger");
        assert!(sw.starts_with("no `swagger` field"), "{sw}");
        let any = m(json!({"info": {}})).expect("any");
        assert!(any.contains("`asyncapi`, `openapi` or `swagger`"), "{any}");
        assert_eq!(m(json!({"components": {"schemas": {}}})), None);
        assert_eq!(m(json!({"info": "x", "channels": {}})), None);
    }
}
