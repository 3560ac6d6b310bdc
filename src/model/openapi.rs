//! Building the IR from OpenAPI 3.x and Swagger 2.0 documents: each path is a channel,
//! each method an operation (request bodies and responses are not yet modelled as
//! messages).

use serde_json::Value;

use super::*;

/// HTTP methods of a Path Item.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub(super) fn build(ws: &Workspace, file: FileId, root: &Value, spec: Spec) -> Document {
    let src = Src::new(file, "");
    let info = root.get("info");
    let mut doc = Document {
        spec,
        title: info.and_then(|i| str_field(i, "title")),
        version: info.and_then(|i| str_field(i, "version")),
        servers: Vec::new(),
        channels: Vec::new(),
        operations: Vec::new(),
        messages: Vec::new(),
        security_schemes: Vec::new(),
        tags: tags(ws, root, &src),
        extensions: extensions(root, &src),
        src: src.clone(),
    };
    // Security schemes.
    let (schemes, schemes_src) = match spec {
        Spec::Swagger => (
            root.get("securityDefinitions"),
            src.child("securityDefinitions"),
        ),
        _ => (
            root.get("components")
                .and_then(|c| c.get("securitySchemes")),
            src.child("components").child("securitySchemes"),
        ),
    };
    if let Some(m) = schemes.and_then(Value::as_object) {
        for (name, s) in m {
            let (s_src, s) = resolve(ws, &schemes_src.child(name), s);
            doc.security_schemes.push(SecurityScheme {
                name: name.clone(),
                kind: str_field(s, "type"),
                src: s_src,
            });
        }
    }
    // Servers.
    if let Some(items) = root.get("servers").and_then(Value::as_array) {
        for (i, s) in items.iter().enumerate() {
            let s_src = src.child("servers").child(&i.to_string());
            doc.servers.push(Server {
                name: i.to_string(),
                url: str_field(s, "url"),
                protocol: Some("http".to_string()),
                protocol_version: None,
                security: Vec::new(),
                bindings: None,
                extensions: extensions(s, &s_src),
                src: s_src,
            });
        }
    } else if let Some(host) = root.get("host").and_then(Value::as_str) {
        doc.servers.push(Server {
            name: "0".to_string(),
            url: Some(format!(
                "{host}{}",
                root.get("basePath").and_then(Value::as_str).unwrap_or("")
            )),
            protocol: Some("http".to_string()),
            protocol_version: None,
            security: Vec::new(),
            bindings: None,
            extensions: Vec::new(),
            src: src.child("host"),
        });
    }
    let global_security = security(root, &src);
    // Paths.
    if let Some(paths) = root.get("paths").and_then(Value::as_object) {
        let paths_src = src.child("paths");
        for (path, item) in paths {
            if !path.starts_with('/') {
                continue;
            }
            let (p_src, item) = resolve(ws, &paths_src.child(path), item);
            let shared = parameters(ws, item, &p_src);
            let ci = doc.channels.len();
            doc.channels.push(Channel {
                key: path.clone(),
                address: Some(path.clone()),
                parameters: shared.clone(),
                servers: Vec::new(),
                messages: Vec::new(),
                bindings: None,
                tags: Vec::new(),
                description: str_field(item, "description"),
                extensions: extensions(item, &p_src),
                src: p_src.clone(),
            });
            for &method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let o_src = p_src.child(method);
                let own = parameters(ws, op, &o_src);
                // Operation parameters override path-level ones with the same name+in.
                let mut params = own.clone();
                for p in &shared {
                    if !own
                        .iter()
                        .any(|o| o.name == p.name && o.location == p.location)
                    {
                        params.push(p.clone());
                    }
                }
                let sec = if op.get("security").is_some() {
                    security(op, &o_src)
                } else {
                    global_security.clone()
                };
                doc.operations.push(Operation {
                    key: None,
                    operation_id: str_field(op, "operationId"),
                    action: None,
                    verb: Verb::Http {
                        method: method.to_string(),
                        path: path.clone(),
                    },
                    channel: Some(ci),
                    messages: Vec::new(),
                    parameters: params,
                    reply: None,
                    traits: Vec::new(),
                    tags: op
                        .get("tags")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .enumerate()
                                .filter_map(|(i, t)| {
                                    Some(Tag {
                                        name: t.as_str()?.to_string(),
                                        src: o_src.child("tags").child(&i.to_string()),
                                    })
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    security: sec,
                    bindings: None,
                    summary: str_field(op, "summary"),
                    extensions: extensions(op, &o_src),
                    src: o_src,
                });
            }
        }
    }
    doc
}

/// The parameters declared on a path item or operation (refs followed).
pub(crate) fn parameters(ws: &Workspace, v: &Value, src: &Src) -> Vec<Parameter> {
    let Some(items) = v.get("parameters").and_then(Value::as_array) else {
        return Vec::new();
    };
    let at = src.child("parameters");
    items
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let (p_src, p) = resolve(ws, &at.child(&i.to_string()), p);
            Some(Parameter {
                name: str_field(p, "name")?,
                location: str_field(p, "in"),
                required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                schema: p.get("schema").map(|s| SchemaRef {
                    src: resolve(ws, &p_src.child("schema"), s).0,
                    format: None,
                }),
                src: p_src,
            })
        })
        .collect()
}

fn security(v: &Value, src: &Src) -> Vec<SecurityRequirement> {
    let Some(items) = v.get("security").and_then(Value::as_array) else {
        return Vec::new();
    };
    let at = src.child("security");
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(m) = item.as_object() else { continue };
        for (name, scopes) in m {
            out.push(SecurityRequirement {
                scheme: name.clone(),
                scopes: scopes
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| s.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
                src: at.child(&i.to_string()).child(name),
            });
        }
    }
    out
}
