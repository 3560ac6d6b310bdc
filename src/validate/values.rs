//! Constraints of the official JSON Schemas on field *values* that the field tables'
//! types do not express: formats (`uri`, `uri-reference`, `email`, `regex`), patterns,
//! lists whose items must be distinct, lists that must not be empty, and combinations
//! of fields (an OAuth flow's required and forbidden URLs, a message example's payload
//! or headers, a parameter's `style` per location). Found missing by the constraint
//! coverage test (`tests/it/constraint_coverage.rs`), which mutates corpus documents
//! against every constraint of the official schemas; each entry here says which
//! schemas state it.

use std::sync::LazyLock;

use serde_json::{Map, Value};

use super::spec::{K, Ver};
use super::walk::{Family, Seg, Walker};

/// A constraint on one field's value.
#[derive(Debug, Clone, Copy)]
pub(super) enum Cons {
    /// A JSON Schema `format`, checked as the official schemas' validators check it.
    Format(Fmt),
    /// Items must be distinct (`uniqueItems`).
    Unique,
    /// A runtime expression `$message.header#/…` or `$message.payload#/…`.
    MessageLocation,
    /// Swagger `host`: a name or address and an optional port, no scheme or path.
    SwaggerHost,
    /// Swagger `basePath`: starts with `/`.
    LeadingSlash,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fmt {
    Uri,
    UriReference,
    UriTemplate,
    Email,
    Regex,
}

impl Fmt {
    fn name(self) -> &'static str {
        match self {
            Fmt::Uri => "uri",
            Fmt::UriReference => "uri-reference",
            Fmt::UriTemplate => "uri-template",
            Fmt::Email => "email",
            Fmt::Regex => "regex",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Fmt::Uri => "an absolute URI (with a scheme, e.g. `https://example.com/docs`)",
            Fmt::UriReference => "a URI reference",
            Fmt::UriTemplate => "a URI template (RFC 6570, e.g. `replies/{id}`)",
            Fmt::Email => "an email address",
            Fmt::Regex => "a regular expression (ECMA-262)",
        }
    }
}

/// One validator per format: the same checks as the `jsonschema` crate (and ajv with
/// ajv-formats, which the AsyncAPI parser and Spectral use) apply.
fn format_ok(fmt: Fmt, s: &str) -> bool {
    static CHECKERS: LazyLock<Vec<(Fmt, Option<jsonschema::Validator>)>> = LazyLock::new(|| {
        [
            Fmt::Uri,
            Fmt::UriReference,
            Fmt::UriTemplate,
            Fmt::Email,
            Fmt::Regex,
        ]
        .into_iter()
        .map(|f| {
            let schema = serde_json::json!({ "format": f.name() });
            let v = jsonschema::options()
                .should_validate_formats(true)
                .build(&schema)
                .ok();
            (f, v)
        })
        .collect()
    });
    let value = Value::String(s.to_string());
    CHECKERS
        .iter()
        .find(|(f, _)| *f == fmt)
        .and_then(|(_, v)| v.as_ref())
        .is_none_or(|v| v.is_valid(&value))
}

/// Whether `s` is a URI reference as the official schemas' validators check it.
pub(super) fn uri_reference_ok(s: &str) -> bool {
    format_ok(Fmt::UriReference, s)
}

/// `s` with the characters a URI may not hold percent-encoded (RFC 3986: space, `"`,
/// `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`, `}`, controls and non-ASCII).
pub(super) fn percent_encode_uri(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let keep = c.is_ascii_graphic()
            && !matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}');
        if keep {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

fn message_location_ok(s: &str) -> bool {
    s.starts_with("$message.header#") || s.starts_with("$message.payload#")
}

fn swagger_host_ok(s: &str) -> bool {
    let (name, port) = match s.split_once(':') {
        Some((n, p)) => (n, Some(p)),
        None => (s, None),
    };
    !name.is_empty()
        && !name
            .chars()
            .any(|c| matches!(c, '{' | '}' | '/' | ' ' | ':' | '\\'))
        && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Value constraints of the fields of kind `k` (official schema names in comments).
fn table(family: Family, ver: Ver, k: K) -> &'static [(&'static str, Cons)] {
    use Cons::*;
    use Fmt::*;
    let asyncapi = family == Family::AsyncApi;
    let oas30 = family == Family::OpenApi && ver < 31;
    // OpenAPI 3.0 writes `uri-reference` where the others write `uri`.
    let url = if oas30 { UriReference } else { Uri };
    macro_rules! pick {
        ($uri:expr, $uriref:expr) => {
            if url == Uri { $uri } else { $uriref }
        };
    }
    match k {
        // contact.json, Contact, contact.
        K::Contact => pick!(
            &[("url", Format(Uri)), ("email", Format(Email))],
            &[("url", Format(UriReference)), ("email", Format(Email))]
        ),
        // license.json, License, license; externalDocs.
        K::License | K::ExternalDocs => {
            pick!(&[("url", Format(Uri))], &[("url", Format(UriReference))])
        }
        // info.json / Info: termsOfService (Swagger 2.0 states no format).
        K::AsyncInfo => &[("termsOfService", Format(Uri)), ("tags", Unique)],
        K::OasInfo => pick!(
            &[("termsOfService", Format(Uri))],
            &[("termsOfService", Format(UriReference))]
        ),
        // asyncapi.json: `id` is a URI.
        K::AsyncRoot => &[("id", Format(Uri))],
        // oauth2Flow.json, *OAuthFlow.
        K::AsyncOAuthFlow | K::OasOAuthFlow => pick!(
            &[
                ("authorizationUrl", Format(Uri)),
                ("tokenUrl", Format(Uri)),
                ("refreshUrl", Format(Uri)),
            ],
            &[
                ("authorizationUrl", Format(UriReference)),
                ("tokenUrl", Format(UriReference)),
                ("refreshUrl", Format(UriReference)),
            ]
        ),
        // openIdConnect.json, OpenIdConnectSecurityScheme; Swagger oauth2*Security.
        K::AsyncSecurityScheme | K::OasSecurityScheme => pick!(
            &[("openIdConnectUrl", Format(Uri))],
            &[("openIdConnectUrl", Format(UriReference))]
        ),
        K::SwSecurityScheme => &[("authorizationUrl", Format(Uri)), ("tokenUrl", Format(Uri))],
        K::OasExample => pick!(
            &[("externalValue", Format(Uri))],
            &[("externalValue", Format(UriReference))]
        ),
        K::Link => &[("operationRef", Format(UriReference))],
        // OpenAPI 3.x `format: uri`; Swagger 2.0's `xml.namespace` is any string (its
        // specification: the value SHOULD be a URL).
        K::Xml if family != Family::Swagger => &[("namespace", Format(Uri))],
        K::OasRoot if !oas30 => &[("jsonSchemaDialect", Format(Uri))],
        // correlationId.json, parameter.json, operationReplyAddress.json: `location`.
        K::CorrelationId | K::Parameter2 | K::Parameter3 | K::OperationReplyAddress => {
            &[("location", MessageLocation)]
        }
        // channelItem.json (2.2+) / channel.json: `servers` are distinct; serverVariable.json
        // `enum` too.
        K::Channel2 | K::Channel3 => &[("servers", Unique)],
        K::ServerVariable if asyncapi => &[("enum", Unique)],
        // Swagger 2.0: host and basePath patterns; mediaTypeList, schemesList,
        // parametersList and security are sets.
        K::SwRoot => &[
            ("host", SwaggerHost),
            ("basePath", LeadingSlash),
            ("consumes", Unique),
            ("produces", Unique),
            ("schemes", Unique),
            ("security", Unique),
        ],
        K::SwOperation => &[
            ("consumes", Unique),
            ("produces", Unique),
            ("schemes", Unique),
            ("parameters", Unique),
            ("security", Unique),
            ("tags", Unique),
        ],
        K::SwPathItem => &[("parameters", Unique)],
        // OpenAPI 3.0 Operation and PathItem `parameters` are sets.
        K::OasOperation | K::PathItem if oas30 => &[("parameters", Unique)],
        _ => &[],
    }
}

impl<'a> Walker<'a> {
    /// Apply the value constraints of kind `k` to the object `m` (current position).
    pub(super) fn value_rules(&mut self, m: &'a Map<String, Value>, k: K) {
        for (field, cons) in table(self.family, self.ver, k) {
            let Some(v) = m.get(*field) else { continue };
            self.with_key(field, |w| w.value_rule(v, *cons));
        }
        match k {
            K::AsyncOAuthFlows => {
                let scopes = if self.ver < 30 {
                    "scopes"
                } else {
                    "availableScopes"
                };
                self.oauth_flows(m, Some(scopes))
            }
            // OpenAPI 3.0 `ImplicitOAuthFlow`, …; 3.1 `oauth-flows/$defs/implicit`, …
            // (their `scopes` is a required field of every flow's table already).
            K::OasOAuthFlows => self.oauth_flows(m, None),
            K::MessageExample
                if self.ver >= 21 && !m.contains_key("payload") && !m.contains_key("headers") =>
            {
                let loc = self.loc_key();
                let rule = self.rules.required;
                self.report(
                    rule,
                    loc,
                    "a message example must have a `payload` or `headers` (or both)".into(),
                    None,
                );
            }
            K::OasParameter => {
                self.parameter_style(m);
                self.parameter_content(m);
            }
            K::OasHeader => {
                self.parameter_content(m);
                // Header: `style` is `simple` (3.0: an enum of one; 3.1: a `const` that
                // applies with `schema`).
                if let Some(v) = m
                    .get("style")
                    .filter(|_| self.ver < 31 || m.contains_key("schema"))
                {
                    self.with_key("style", |w| w.check_enum(v, &["simple"]));
                }
            }
            // AsyncAPI 2.x `channels.json`: `propertyNames: {format: uri-template}`.
            K::AsyncRoot if self.ver < 30 => {
                if let Some(Value::Object(channels)) = m.get("channels") {
                    self.with_key("channels", |w| {
                        w.key_format_rule(channels, Fmt::UriTemplate, "channel name")
                    });
                }
            }
            K::SwSecurityScheme => self.swagger_oauth2_urls(m),
            // OpenAPI 3.0 `HTTPSecurityScheme`: `oneOf` a bearer scheme (with an optional
            // `bearerFormat`) or another scheme `not: {required: [bearerFormat]}`.
            K::OasSecurityScheme if self.ver < 31 => {
                let http = m.get("type").and_then(Value::as_str) == Some("http");
                let bearer = m
                    .get("scheme")
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.eq_ignore_ascii_case("bearer"));
                if http && !bearer && m.contains_key("bearerFormat") {
                    self.with_key("bearerFormat", |w| {
                        let (rule, loc) = (w.rules.unknown, w.loc_key());
                        w.report(
                            rule,
                            loc,
                            "`bearerFormat` goes with the `bearer` scheme only (OpenAPI 3.0)"
                                .to_string(),
                            Some("remove `bearerFormat`, or set `scheme: bearer`".to_string()),
                        );
                    });
                }
            }
            K::AsyncInfo if self.ver >= 30 => self.info_extensions(m),
            _ => {}
        }
    }

    /// OpenAPI 3 Parameter/Header `content`: exactly one media type (`minProperties`,
    /// `maxProperties`: 1); in 3.0 (`SchemaXORContent`), a parameter described by
    /// `content` has no `style`, `explode`, `allowReserved`, `example` or `examples`.
    fn parameter_content(&mut self, m: &'a Map<String, Value>) {
        let Some(content) = m.get("content") else {
            return;
        };
        if let Some(c) = content.as_object() {
            if c.len() != 1 {
                self.with_key("content", |w| {
                    let (rule, loc) = (w.rules.required, w.loc_key());
                    w.report(
                        rule,
                        loc,
                        format!(
                            "`content` holds exactly one media type; this one has {}",
                            c.len()
                        ),
                        None,
                    );
                });
            }
        }
        if self.ver >= 31 || m.contains_key("schema") {
            return;
        }
        for key in ["style", "explode", "allowReserved", "example", "examples"] {
            if m.contains_key(key) {
                let loc = self.with_key(key, |w| w.loc_key());
                let rule = self.rules.unknown;
                self.report(
                    rule,
                    loc,
                    format!("`{key}` does not go with `content` (OpenAPI 3.0: it describes a `schema`-based parameter)"),
                    None,
                );
            }
        }
    }

    /// AsyncAPI 3 `infoExtensions.json`: `x-x` (a Twitter/X handle) is a string,
    /// `x-linkedin` a LinkedIn URL (`^http(s)?://(www\.)?linkedin\.com.*$`).
    fn info_extensions(&mut self, m: &'a Map<String, Value>) {
        for key in ["x-x", "x-linkedin"] {
            let Some(v) = m.get(key) else { continue };
            let Some(s) = v.as_str() else {
                self.with_key(key, |w| w.type_error(v, "a string"));
                continue;
            };
            if key == "x-linkedin" {
                let rest = s
                    .strip_prefix("https://")
                    .or_else(|| s.strip_prefix("http://"));
                let ok = rest.is_some_and(|r| {
                    r.strip_prefix("www.")
                        .unwrap_or(r)
                        .starts_with("linkedin.com")
                });
                if !ok {
                    self.with_key(key, |w| {
                        let msg = format!(
                            "`x-linkedin` must be a LinkedIn URL (`https://www.linkedin.com/…`); found `{s}`"
                        );
                        let loc = w.loc();
                        w.report("value-pattern", loc, msg, None);
                    });
                }
            }
        }
    }

    /// Swagger 2.0 `oauth2Implicit/Password/Application/AccessCodeSecurity`: each flow
    /// requires the URLs its grant uses and allows no other.
    fn swagger_oauth2_urls(&mut self, m: &'a Map<String, Value>) {
        if m.get("type").and_then(Value::as_str) != Some("oauth2") {
            return;
        }
        let (needs, forbids): (&[&str], &[&str]) = match m.get("flow").and_then(Value::as_str) {
            Some("implicit") => (&["authorizationUrl"], &["tokenUrl"]),
            Some("password" | "application") => (&["tokenUrl"], &["authorizationUrl"]),
            Some("accessCode") => (&["authorizationUrl", "tokenUrl"], &[]),
            _ => return,
        };
        let flow = m["flow"].as_str().unwrap_or_default();
        for n in needs {
            if !m.contains_key(*n) {
                let (rule, loc) = (self.rules.required, self.loc_key());
                self.report(
                    rule,
                    loc,
                    format!("an OAuth2 security scheme with `flow: {flow}` needs `{n}`"),
                    None,
                );
            }
        }
        for n in forbids {
            if m.contains_key(*n) {
                let loc = self.with_key(n, |w| w.loc_key());
                let rule = self.rules.unknown;
                self.report(
                    rule,
                    loc,
                    format!("an OAuth2 security scheme with `flow: {flow}` has no `{n}`"),
                    None,
                );
            }
        }
    }

    /// The value `v` (current position) must be a URI template (RFC 6570).
    pub(super) fn value_rule_uri_template(&mut self, v: &'a Value) {
        self.value_rule(v, Cons::Format(Fmt::UriTemplate));
    }

    /// Items of the list `v` (current position) must be distinct.
    pub(super) fn value_rule_unique(&mut self, v: &'a Value) {
        self.value_rule(v, Cons::Unique);
    }

    /// A schema keyword's value (current position): `required` names are distinct
    /// (every dialect's meta-schema), `pattern` is a regular expression (draft-04/07 and
    /// OpenAPI 3.0 `format: regex`; OpenAPI 3.1 only annotates it).
    pub(super) fn schema_value_rules(&mut self, key: &str, v: &'a Value, regex_checked: bool) {
        match key {
            "required" => self.value_rule(v, Cons::Unique),
            "pattern" if regex_checked => self.value_rule(v, Cons::Format(Fmt::Regex)),
            // draft-07: `patternProperties: {propertyNames: {format: regex}}`.
            "patternProperties" if regex_checked => {
                if let Value::Object(m) = v {
                    self.key_format_rule(m, Fmt::Regex, "`patternProperties` key");
                }
            }
            // draft-07: `$id` is a `uri-reference`, `$schema` a `uri`; `type` lists are
            // sets.
            "$id" => self.value_rule(v, Cons::Format(Fmt::UriReference)),
            "$schema" => self.value_rule(v, Cons::Format(Fmt::Uri)),
            "type" => self.value_rule(v, Cons::Unique),
            _ => {}
        }
    }

    fn value_rule(&mut self, v: &'a Value, cons: Cons) {
        match cons {
            Cons::Unique => {
                let Some(items) = v.as_array() else { return };
                let list = self.parent_key();
                for i in super::valueset::repeated(items) {
                    self.path.push(Seg::Idx(i));
                    let loc = self.loc();
                    let shown = match &items[i] {
                        Value::String(s) => format!("`{s}`"),
                        Value::Object(_) => "an identical entry".to_string(),
                        other => other.to_string(),
                    };
                    let msg = format!(
                        "{shown} is listed more than once in `{list}`; its items must be distinct"
                    );
                    self.report("value-duplicate", loc, msg, None);
                    self.path.pop();
                }
            }
            _ => {
                let Some(s) = v.as_str() else { return };
                // OpenAPI 3.1's schema is JSON Schema 2020-12, where `format` only annotates,
                // and its specification lets URL fields be relative references.
                let oas31 = self.family == Family::OpenApi && self.ver >= 31;
                let (ok, what) = match cons {
                    Cons::Format(_) if oas31 => (true, ""),
                    Cons::Format(f) => (format_ok(f, s), f.what()),
                    Cons::MessageLocation => (
                        message_location_ok(s),
                        "a runtime expression `$message.header#/…` or `$message.payload#/…`",
                    ),
                    Cons::SwaggerHost => (
                        swagger_host_ok(s),
                        "a host name or address with an optional `:port` (no scheme, path or template)",
                    ),
                    Cons::LeadingSlash => (s.starts_with('/'), "a path starting with `/`"),
                    Cons::Unique => (true, ""),
                };
                if !ok {
                    let (rule, help) = match cons {
                        Cons::Format(_) => ("value-format", None),
                        Cons::SwaggerHost => (
                            "value-pattern",
                            Some(
                                "write the scheme in `schemes` and the path in `basePath`"
                                    .to_string(),
                            ),
                        ),
                        _ => ("value-pattern", None),
                    };
                    let msg = format!("{} must be {what}; found `{s}`", self.here());
                    let loc = self.loc();
                    self.report(rule, loc, msg, help);
                }
            }
        }
    }

    /// Each key of the map `m` (current position) must be of format `fmt`
    /// (`propertyNames: {format: …}`); reported at the key.
    pub(super) fn key_format_rule(&mut self, m: &'a Map<String, Value>, fmt: Fmt, what_key: &str) {
        for key in m.keys().filter(|k| !format_ok(fmt, k)) {
            self.with_key(key, |w| {
                let loc = w.loc_key();
                w.report(
                    "value-format",
                    loc,
                    format!("the {what_key} `{key}` must be {}", fmt.what()),
                    None,
                );
            });
        }
    }

    fn parent_key(&self) -> String {
        match self.path.last() {
            Some(Seg::Key(k)) => (*k).to_string(),
            _ => "the list".to_string(),
        }
    }

    /// Each OAuth flow has the URLs its grant needs and not those it cannot use
    /// (AsyncAPI `oauth2Flows.json`; OpenAPI's flow definitions, closed objects), and
    /// `scopes` when given.
    fn oauth_flows(&mut self, m: &'a Map<String, Value>, scopes: Option<&'static str>) {
        for (flow, needs, forbids) in [
            ("implicit", &["authorizationUrl"][..], &["tokenUrl"][..]),
            ("password", &["tokenUrl"][..], &["authorizationUrl"][..]),
            (
                "clientCredentials",
                &["tokenUrl"][..],
                &["authorizationUrl"][..],
            ),
            (
                "authorizationCode",
                &["authorizationUrl", "tokenUrl"][..],
                &[][..],
            ),
        ] {
            let Some(Value::Object(fm)) = m.get(flow) else {
                continue;
            };
            self.with_key(flow, |w| {
                for need in needs.iter().chain(scopes.as_ref()) {
                    if !fm.contains_key(*need) {
                        let (rule, loc) = (w.rules.required, w.loc_key());
                        w.report(
                            rule,
                            loc,
                            format!("the `{flow}` OAuth flow is missing the required field `{need}`"),
                            None,
                        );
                    }
                }
                {
                    for bad in forbids {
                        if fm.contains_key(*bad) {
                            let key: &'a str = fm.get_key_value(*bad).map_or("", |(k, _)| k.as_str());
                            w.path.push(Seg::Key(key));
                            let (rule, loc) = (w.rules.unknown, w.loc_key());
                            w.path.pop();
                            w.report(
                                rule,
                                loc,
                                format!("the `{flow}` OAuth flow has no `{bad}`: the grant does not use one"),
                                Some(format!("remove `{bad}`")),
                            );
                        }
                    }
                }
            });
        }
    }

    /// A parameter's `style` must be one its location allows (OpenAPI 3.x).
    fn parameter_style(&mut self, m: &'a Map<String, Value>) {
        let Some(style) = m.get("style").and_then(Value::as_str) else {
            return;
        };
        let allowed: &[&str] = match m.get("in").and_then(Value::as_str) {
            Some("query") => &["form", "spaceDelimited", "pipeDelimited", "deepObject"],
            Some("path") => &["matrix", "label", "simple"],
            Some("header") => &["simple"],
            Some("cookie") => &["form"],
            _ => return,
        };
        if !allowed.contains(&style) {
            let v = &m["style"];
            self.with_key("style", |w| w.check_enum(v, allowed));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_the_official_validators_check_them() {
        assert!(format_ok(Fmt::Uri, "https://example.com/docs"));
        assert!(!format_ok(Fmt::Uri, "/docs"));
        assert!(!format_ok(Fmt::Uri, "::not valid::"));
        assert!(format_ok(Fmt::UriReference, "/docs"));
        assert!(format_ok(Fmt::UriTemplate, "replies/{id}"));
        assert!(format_ok(Fmt::UriTemplate, "https://example.com/{id}"));
        assert!(!format_ok(Fmt::UriTemplate, "replies/{id"));
        assert!(format_ok(Fmt::Email, "team@example.com"));
        assert!(!format_ok(Fmt::Email, "not an address"));
        assert!(format_ok(Fmt::Regex, "^[a-z]+$"));
        assert!(!format_ok(Fmt::Regex, "[a-z"));
    }

    #[test]
    fn patterns() {
        assert!(swagger_host_ok("api.example.com"));
        assert!(swagger_host_ok("api.example.com:8080"));
        assert!(!swagger_host_ok("https://api.example.com"));
        assert!(!swagger_host_ok("api.example.com/v1"));
        assert!(!swagger_host_ok("{host}"));
        assert!(!swagger_host_ok("host:"));
        assert!(message_location_ok("$message.header#/correlationId"));
        assert!(message_location_ok("$message.payload#/user/id"));
        assert!(!message_location_ok("$message.body#/id"));
    }
}
