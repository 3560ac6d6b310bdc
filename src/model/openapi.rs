//! Building the IR from OpenAPI 3.x and Swagger 2.0 documents: each path is a channel,
//! each method an operation; request and response bodies are messages (one per media
//! type, Swagger 2.0: one per body), named from the operationId plus `Request` or the
//! status plus `Response`. A body reached from several operations (a shared response
//! component) is one message, named after the first.

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
    let mut bodies = Bodies::default();
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
                // Operation parameters override path-level ones with the same name+in.
                let mut params = parameters(ws, op, &o_src);
                let own = params.len();
                for p in &shared {
                    if !params[..own]
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
                let base =
                    str_field(op, "operationId").unwrap_or_else(|| fallback_name(method, path));
                let messages = request_messages(ws, root, op, &o_src, &base, spec, &mut bodies);
                let responses = response_messages(ws, root, op, &o_src, &base, spec, &mut bodies);
                doc.operations.push(Operation {
                    key: None,
                    operation_id: str_field(op, "operationId"),
                    action: None,
                    verb: Verb::Http {
                        method: method.to_string(),
                        path: path.clone(),
                    },
                    channel: Some(ci),
                    messages,
                    parameters: params,
                    reply: None,
                    responses,
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
    doc.messages = bodies.messages;
    doc
}

/// The parameters declared on a path item or operation (refs followed).
pub(crate) fn parameters(ws: &Workspace, v: &Value, src: &Src) -> Vec<Parameter> {
    let Some(items) = v.get("parameters").and_then(Value::as_array) else {
        return Vec::new();
    };
    let at = src.child("parameters");
    // Sized up front: a large API has thousands of parameters, kept for the run.
    let mut out = Vec::with_capacity(items.len());
    out.extend(items.iter().enumerate().filter_map(|(i, p)| {
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
    }));
    out
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

/// The body messages of a document, each once (by where it lives).
#[derive(Default)]
struct Bodies {
    messages: Vec<Message>,
    index: std::collections::HashMap<Src, usize>,
}

impl Bodies {
    fn add(&mut self, msg: Message) -> usize {
        if let Some(&i) = self.index.get(&msg.src) {
            return i;
        }
        let i = self.messages.len();
        self.index.insert(msg.src.clone(), i);
        self.messages.push(msg);
        i
    }
}

/// A name for an operation without `operationId`: `get_users_id` for `GET /users/{id}`.
fn fallback_name(method: &str, path: &str) -> String {
    let mut out = method.to_string();
    for part in path.split(|c: char| !c.is_ascii_alphanumeric()) {
        if !part.is_empty() {
            out.push('_');
            out.push_str(part);
        }
    }
    out
}

fn body_message(
    name: String,
    content_type: Option<String>,
    payload: Option<SchemaRef>,
    src: Src,
    v: &Value,
) -> Message {
    Message {
        key: content_type.clone(),
        name: Some(name),
        message_id: None,
        title: None,
        content_type,
        schema_format: None,
        headers: None,
        payload,
        correlation_id: None,
        traits: Vec::new(),
        tags: Vec::new(),
        bindings: None,
        extensions: extensions(v, &src),
        src,
    }
}

/// One message per media type of a `content` map (OpenAPI 3).
fn content_messages(
    ws: &Workspace,
    holder: &Value,
    at: &Src,
    name: &str,
    bodies: &mut Bodies,
) -> Vec<usize> {
    let Some(content) = holder.get("content").and_then(Value::as_object) else {
        return Vec::new();
    };
    let c_src = at.child("content");
    content
        .iter()
        .map(|(mt, media)| {
            let (m_src, media) = resolve(ws, &c_src.child(mt), media);
            let payload = media.get("schema").map(|s| SchemaRef {
                src: resolve(ws, &m_src.child("schema"), s).0,
                format: None,
            });
            bodies.add(body_message(
                name.to_string(),
                Some(mt.clone()),
                payload,
                m_src,
                media,
            ))
        })
        .collect()
}

/// Swagger 2.0 media types: the operation's `consumes`/`produces`, else the document's.
fn swagger_media(root: &Value, op: &Value, key: &str) -> Option<String> {
    op.get(key)
        .or_else(|| root.get(key))
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn request_messages(
    ws: &Workspace,
    root: &Value,
    op: &Value,
    o_src: &Src,
    base: &str,
    spec: Spec,
    bodies: &mut Bodies,
) -> Vec<usize> {
    let name = format!("{base}Request");
    if spec == Spec::Swagger {
        let Some(params) = op.get("parameters").and_then(Value::as_array) else {
            return Vec::new();
        };
        let at = o_src.child("parameters");
        for (i, p) in params.iter().enumerate() {
            let (p_src, p) = resolve(ws, &at.child(&i.to_string()), p);
            if p.get("in").and_then(Value::as_str) == Some("body") {
                let payload = p.get("schema").map(|s| SchemaRef {
                    src: resolve(ws, &p_src.child("schema"), s).0,
                    format: None,
                });
                let ct = swagger_media(root, op, "consumes");
                return vec![bodies.add(body_message(name, ct, payload, p_src, p))];
            }
        }
        return Vec::new();
    }
    let Some(rb) = op.get("requestBody") else {
        return Vec::new();
    };
    let (rb_src, rb) = resolve(ws, &o_src.child("requestBody"), rb);
    content_messages(ws, rb, &rb_src, &name, bodies)
}

fn response_messages(
    ws: &Workspace,
    root: &Value,
    op: &Value,
    o_src: &Src,
    base: &str,
    spec: Spec,
    bodies: &mut Bodies,
) -> Vec<ResponseInfo> {
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        return Vec::new();
    };
    let at = o_src.child("responses");
    responses
        .iter()
        .filter(|(status, _)| !status.starts_with("x-"))
        .map(|(status, r)| {
            let (r_src, r) = resolve(ws, &at.child(status), r);
            let name = format!("{base}{status}Response");
            let messages = if spec == Spec::Swagger {
                match r.get("schema") {
                    Some(s) => {
                        let payload = Some(SchemaRef {
                            src: resolve(ws, &r_src.child("schema"), s).0,
                            format: None,
                        });
                        let ct = swagger_media(root, op, "produces");
                        vec![bodies.add(body_message(name, ct, payload, r_src.clone(), r))]
                    }
                    None => Vec::new(),
                }
            } else {
                content_messages(ws, r, &r_src, &name, bodies)
            };
            ResponseInfo {
                status: status.clone(),
                messages,
                src: r_src,
            }
        })
        .collect()
}
