//! Building the IR from AsyncAPI 2.x and 3.x documents.

use std::collections::HashMap;

use serde_json::Value;

use super::*;

struct B<'a> {
    ws: &'a Workspace,
    doc: Document,
    /// Message index by where it lives.
    msg_index: HashMap<Src, usize>,
    chan_index: HashMap<Src, usize>,
}

pub(super) fn build(ws: &Workspace, file: FileId, root: &Value, v: Version) -> Document {
    let src = Src::new(file, "");
    let info = root.get("info");
    let doc = Document {
        spec: Spec::AsyncApi(v),
        title: info.and_then(|i| str_field(i, "title")),
        version: info.and_then(|i| str_field(i, "version")),
        servers: Vec::new(),
        channels: Vec::new(),
        operations: Vec::new(),
        messages: Vec::new(),
        security_schemes: Vec::new(),
        tags: if v.major >= 3 {
            info.map(|i| tags(ws, i, &src.child("info")))
                .unwrap_or_default()
        } else {
            tags(ws, root, &src)
        },
        extensions: extensions(root, &src),
        src: src.clone(),
    };
    let mut b = B {
        ws,
        doc,
        msg_index: HashMap::new(),
        chan_index: HashMap::new(),
    };
    b.security_schemes(root, &src);
    b.servers(root, &src, v.major);
    if v.major >= 3 {
        b.channels3(root, &src);
        b.operations3(root, &src);
    } else {
        b.channels2(root, &src);
    }
    b.doc
}

impl<'a> B<'a> {
    fn security_schemes(&mut self, root: &'a Value, src: &Src) {
        let at = src.child("components").child("securitySchemes");
        let Some(m) = root
            .get("components")
            .and_then(|c| c.get("securitySchemes"))
            .and_then(Value::as_object)
        else {
            return;
        };
        for (name, s) in m {
            let (s_src, s) = resolve(self.ws, &at.child(name), s);
            self.doc.security_schemes.push(SecurityScheme {
                name: name.clone(),
                kind: str_field(s, "type"),
                src: s_src,
            });
        }
    }

    fn security(&self, v: &'a Value, src: &Src) -> Vec<SecurityRequirement> {
        let Some(items) = v.get("security").and_then(Value::as_array) else {
            return Vec::new();
        };
        let at = src.child("security");
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let item_src = at.child(&i.to_string());
            if let Some(r) = item.get("$ref").and_then(Value::as_str) {
                // 3.x: a reference to a security scheme.
                let name = r.rsplit('/').next().unwrap_or(r).to_string();
                out.push(SecurityRequirement {
                    scheme: name,
                    scopes: Vec::new(),
                    src: item_src,
                });
            } else if item.get("type").is_some() {
                // 3.x inline scheme.
                out.push(SecurityRequirement {
                    scheme: String::new(),
                    scopes: item
                        .get("scopes")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|s| s.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default(),
                    src: item_src,
                });
            } else if let Some(m) = item.as_object() {
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
                        src: item_src.child(name),
                    });
                }
            }
        }
        out
    }

    fn servers(&mut self, root: &'a Value, src: &Src, major: u16) {
        let Some(m) = root.get("servers").and_then(Value::as_object) else {
            return;
        };
        let at = src.child("servers");
        for (name, s) in m {
            let (s_src, s) = resolve(self.ws, &at.child(name), s);
            let url = if major >= 3 {
                str_field(s, "host")
                    .map(|h| h + s.get("pathname").and_then(Value::as_str).unwrap_or(""))
            } else {
                str_field(s, "url")
            };
            let server = Server {
                name: name.clone(),
                url,
                protocol: str_field(s, "protocol"),
                protocol_version: str_field(s, "protocolVersion"),
                security: self.security(s, &s_src),
                bindings: bindings(self.ws, s, &s_src),
                extensions: extensions(s, &s_src),
                src: s_src,
            };
            self.doc.servers.push(server);
        }
    }

    /// Add (once) the message that `v` (found at `at`) stands for; its index.
    fn message(&mut self, key: Option<&str>, at: &Src, v: &'a Value) -> usize {
        let (m_src, m) = resolve(self.ws, at, v);
        if let Some(&i) = self.msg_index.get(&m_src) {
            return i;
        }
        let schema_format = str_field(m, "schemaFormat");
        let schema = |field: &str, fmt: Option<String>| -> Option<SchemaRef> {
            let s = m.get(field)?;
            let (s_src, s) = resolve(self.ws, &m_src.child(field), s);
            // 3.x Multi Format Schema: the schema is inside.
            if let (Some(f), Some(inner)) = (
                s.get("schemaFormat").and_then(Value::as_str),
                s.get("schema"),
            ) {
                let (i_src, _) = resolve(self.ws, &s_src.child("schema"), inner);
                return Some(SchemaRef {
                    src: i_src,
                    format: Some(f.to_string()),
                });
            }
            Some(SchemaRef {
                src: s_src,
                format: fmt,
            })
        };
        let payload = schema("payload", schema_format.clone());
        let headers = schema("headers", None);
        let correlation_id = m.get("correlationId").map(|c| {
            let (c_src, c) = resolve(self.ws, &m_src.child("correlationId"), c);
            CorrelationId {
                location: str_field(c, "location"),
                src: c_src,
            }
        });
        let traits = self.traits(m, &m_src);
        let msg = Message {
            key: key.map(str::to_string),
            name: str_field(m, "name"),
            message_id: str_field(m, "messageId"),
            title: str_field(m, "title"),
            content_type: str_field(m, "contentType"),
            schema_format,
            headers,
            payload,
            correlation_id,
            traits,
            tags: tags(self.ws, m, &m_src),
            bindings: bindings(self.ws, m, &m_src),
            extensions: extensions(m, &m_src),
            src: m_src.clone(),
        };
        let i = self.doc.messages.len();
        self.doc.messages.push(msg);
        self.msg_index.insert(m_src, i);
        i
    }

    fn traits(&self, v: &'a Value, src: &Src) -> Vec<Src> {
        let Some(items) = v.get("traits").and_then(Value::as_array) else {
            return Vec::new();
        };
        let at = src.child("traits");
        items
            .iter()
            .enumerate()
            .map(|(i, t)| resolve(self.ws, &at.child(&i.to_string()), t).0)
            .collect()
    }

    fn parameters(&self, v: &'a Value, src: &Src) -> Vec<Parameter> {
        let Some(m) = v.get("parameters").and_then(Value::as_object) else {
            return Vec::new();
        };
        let at = src.child("parameters");
        m.iter()
            .map(|(name, p)| {
                let (p_src, p) = resolve(self.ws, &at.child(name), p);
                let schema = p.get("schema").map(|s| SchemaRef {
                    src: resolve(self.ws, &p_src.child("schema"), s).0,
                    format: None,
                });
                Parameter {
                    name: name.clone(),
                    location: None,
                    required: true,
                    schema,
                    src: p_src,
                }
            })
            .collect()
    }

    fn channels2(&mut self, root: &'a Value, src: &Src) {
        let Some(m) = root.get("channels").and_then(Value::as_object) else {
            return;
        };
        let at = src.child("channels");
        let faststream = faststream_generated(self.ws, m, &at);
        for (name, c) in m {
            let (c_src, c) = resolve(self.ws, &at.child(name), c);
            let ci = self.doc.channels.len();
            let mut channel = Channel {
                key: name.clone(),
                address: Some(name.clone()),
                parameters: self.parameters(c, &c_src),
                servers: c
                    .get("servers")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| s.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
                messages: Vec::new(),
                bindings: bindings(self.ws, c, &c_src),
                tags: Vec::new(),
                description: str_field(c, "description"),
                extensions: extensions(c, &c_src),
                src: c_src.clone(),
            };
            // FastStream's 2.x documents name the handler's side: its subscribers
            // (`@broker.subscriber`, the application receives) are written `subscribe`
            // and its publishers `publish`, the reverse of the 2.x meaning. Its channel
            // keys are `<queue>:<exchange>:<Handler>` / `<topic>:<Handler>`: the address
            // is the first part.
            let (publish_action, subscribe_action) = if faststream {
                if let Some(first) = name.split(':').next().filter(|f| !f.is_empty()) {
                    channel.address = Some(first.to_string());
                }
                (Action::Send, Action::Receive)
            } else {
                (Action::Receive, Action::Send)
            };
            let mut ops = Vec::new();
            for (verb_key, verb, action) in [
                ("publish", Verb::Publish, publish_action),
                ("subscribe", Verb::Subscribe, subscribe_action),
            ] {
                let Some(op) = c.get(verb_key) else { continue };
                let o_src = c_src.child(verb_key);
                let mut messages = Vec::new();
                if let Some(msg) = op.get("message") {
                    let (m_src, m) = resolve(self.ws, &o_src.child("message"), msg);
                    match m.get("oneOf").and_then(Value::as_array) {
                        Some(list) => {
                            let list_src = m_src.child("oneOf");
                            for (i, item) in list.iter().enumerate() {
                                messages.push(self.message(
                                    None,
                                    &list_src.child(&i.to_string()),
                                    item,
                                ));
                            }
                        }
                        None => messages.push(self.message(None, &o_src.child("message"), msg)),
                    }
                }
                for &mi in &messages {
                    if !channel.messages.contains(&mi) {
                        channel.messages.push(mi);
                    }
                }
                ops.push(Operation {
                    key: None,
                    operation_id: str_field(op, "operationId"),
                    action: Some(action),
                    verb,
                    channel: Some(ci),
                    messages,
                    parameters: Vec::new(),
                    reply: None,
                    responses: Vec::new(),
                    traits: self.traits(op, &o_src),
                    tags: tags(self.ws, op, &o_src),
                    security: self.security(op, &o_src),
                    bindings: bindings(self.ws, op, &o_src),
                    summary: str_field(op, "summary"),
                    extensions: extensions(op, &o_src),
                    src: o_src,
                });
            }
            channel.src = c_src;
            self.doc.channels.push(channel);
            self.doc.operations.extend(ops);
        }
        // FastStream names a message after its channel (`<key>:Message`); the name its
        // author gave is the payload model's (`title: CreateOrder`, a Pydantic class).
        if faststream {
            for m in self.doc.messages.iter_mut().filter(|m| m.name.is_none()) {
                let title = m
                    .payload
                    .as_ref()
                    .and_then(|p| crate::classify::value_at(self.ws, &p.src))
                    .and_then(|v| v.get("title"))
                    .and_then(Value::as_str)
                    .filter(|t| {
                        !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    });
                if let Some(t) = title {
                    m.name = Some(t.to_string());
                }
            }
        }
    }

    fn channels3(&mut self, root: &'a Value, src: &Src) {
        let Some(m) = root.get("channels").and_then(Value::as_object) else {
            return;
        };
        let at = src.child("channels");
        for (name, c) in m {
            let (c_src, c) = resolve(self.ws, &at.child(name), c);
            let mut messages = Vec::new();
            if let Some(ms) = c.get("messages").and_then(Value::as_object) {
                let ms_src = c_src.child("messages");
                for (key, msg) in ms {
                    messages.push(self.message(Some(key), &ms_src.child(key), msg));
                }
            }
            let servers = c
                .get("servers")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.get("$ref")?.as_str())
                        .map(|r| r.rsplit('/').next().unwrap_or(r).to_string())
                        .collect()
                })
                .unwrap_or_default();
            let channel = Channel {
                key: name.clone(),
                address: str_field(c, "address"),
                parameters: self.parameters(c, &c_src),
                servers,
                messages,
                bindings: bindings(self.ws, c, &c_src),
                tags: tags(self.ws, c, &c_src),
                description: str_field(c, "description"),
                extensions: extensions(c, &c_src),
                src: c_src.clone(),
            };
            self.chan_index.insert(c_src, self.doc.channels.len());
            self.doc.channels.push(channel);
        }
    }

    /// The channel a `{$ref}` found at `at` points to.
    fn channel_of(&self, at: &Src, v: &'a Value) -> Option<usize> {
        let (c_src, _) = resolve(self.ws, at, v);
        self.chan_index.get(&c_src).copied()
    }

    fn message_list(&mut self, v: &'a Value, src: &Src) -> Option<Vec<usize>> {
        let items = v.get("messages")?.as_array()?;
        let at = src.child("messages");
        Some(
            items
                .iter()
                .enumerate()
                .map(|(i, m)| self.message(None, &at.child(&i.to_string()), m))
                .collect(),
        )
    }

    fn operations3(&mut self, root: &'a Value, src: &Src) {
        let Some(m) = root.get("operations").and_then(Value::as_object) else {
            return;
        };
        let at = src.child("operations");
        for (name, o) in m {
            let (o_src, o) = resolve(self.ws, &at.child(name), o);
            let channel = o
                .get("channel")
                .and_then(|c| self.channel_of(&o_src.child("channel"), c));
            let messages = match self.message_list(o, &o_src) {
                Some(list) => list,
                None => channel
                    .and_then(|c| self.doc.channels.get(c))
                    .map(|c| c.messages.clone())
                    .unwrap_or_default(),
            };
            let reply = o.get("reply").map(|r| {
                let (r_src, r) = resolve(self.ws, &o_src.child("reply"), r);
                let channel = r
                    .get("channel")
                    .and_then(|c| self.channel_of(&r_src.child("channel"), c));
                let messages = self.message_list(r, &r_src).unwrap_or_default();
                let address_location = r.get("address").and_then(|a| {
                    let (_, a) = resolve(self.ws, &r_src.child("address"), a);
                    str_field(a, "location")
                });
                Reply {
                    channel,
                    messages,
                    address_location,
                    src: r_src,
                }
            });
            let action = match o.get("action").and_then(Value::as_str) {
                Some("send") => Some(Action::Send),
                Some("receive") => Some(Action::Receive),
                _ => None,
            };
            let op = Operation {
                key: Some(name.clone()),
                operation_id: None,
                action,
                verb: if action == Some(Action::Send) {
                    Verb::Send
                } else {
                    Verb::Receive
                },
                channel,
                messages,
                parameters: Vec::new(),
                reply,
                responses: Vec::new(),
                traits: self.traits(o, &o_src),
                tags: tags(self.ws, o, &o_src),
                security: self.security(o, &o_src),
                bindings: bindings(self.ws, o, &o_src),
                summary: str_field(o, "summary"),
                extensions: extensions(o, &o_src),
                src: o_src,
            };
            self.doc.operations.push(op);
        }
    }
}

/// Whether a 2.x document was generated by FastStream (Python): every channel with an
/// operation carries one message titled `<channel key>:Message` with its correlation id
/// at `$message.header#/correlation_id`, and some channel key has the generator's
/// `<name>:<Handler>` form. FastStream writes its subscribers (the application receives)
/// as `subscribe` and its publishers as `publish`.
fn faststream_generated(
    ws: &Workspace,
    channels: &serde_json::Map<String, Value>,
    at: &Src,
) -> bool {
    let mut seen = false;
    for (name, c) in channels {
        let (c_src, c) = resolve(ws, &at.child(name), c);
        for verb in ["publish", "subscribe"] {
            let Some(op) = c.get(verb) else { continue };
            let Some(msg) = op.get("message") else {
                return false;
            };
            let (_, msg) = resolve(ws, &c_src.child(verb).child("message"), msg);
            let titled = msg.get("title").and_then(Value::as_str)
                == Some(format!("{name}:Message").as_str());
            let correlated = msg
                .get("correlationId")
                .and_then(|c| c.get("location"))
                .and_then(Value::as_str)
                == Some("$message.header#/correlation_id");
            if !(titled && correlated && name.contains(':')) {
                return false;
            }
            seen = true;
        }
    }
    seen
}
