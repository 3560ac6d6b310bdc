//! Rules the specifications state in prose (and the AsyncAPI parser enforces), checked
//! on the IR: unique ids, channel/path parameters, references to servers and security
//! schemes, operation messages belonging to their channel.

use std::collections::{HashMap, HashSet};

use crate::diag::Diagnostic;
use crate::model::{Document, Model, Spec, Src, Verb};
use crate::source::Workspace;

/// Check every document of the model.
pub fn check(ws: &Workspace, model: &Model) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for doc in &model.documents {
        let mut c = Ctx {
            ws,
            doc,
            schemes: doc
                .security_schemes
                .iter()
                .map(|s| s.name.as_str())
                .collect(),
            out: &mut out,
        };
        match doc.spec {
            Spec::AsyncApi(v) => c.asyncapi(v.major),
            Spec::OpenApi(_) | Spec::Swagger => c.openapi(),
        }
    }
    out
}

struct Ctx<'a, 'o> {
    ws: &'a Workspace,
    doc: &'a Document,
    /// The names of the document's security schemes.
    schemes: HashSet<&'a str>,
    out: &'o mut Vec<Diagnostic>,
}

/// At most this many names are compared for a "did you mean" (a miss stays O(1) however
/// many names are defined).
const SUGGEST_MAX_NAMES: usize = 1000;

/// [`crate::suggest::closest`] among at most [`SUGGEST_MAX_NAMES`] names.
fn closest<'n>(name: &str, names: &[&'n str]) -> Option<&'n str> {
    if names.len() > SUGGEST_MAX_NAMES {
        return None;
    }
    crate::suggest::closest(name, names)
}

/// The `{name}` template expressions of an address or path.
pub fn template_params(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(&after[..close]);
        rest = &after[close + 1..];
    }
    out
}

impl Ctx<'_, '_> {
    fn at(&self, src: &Src) -> crate::diag::Location {
        self.ws.file(src.file).locate(&src.pointer)
    }

    /// An item that is a `{$ref: ...}` is located at its `$ref` string (the whole
    /// reference is underlined, not the item's first character); else as `at`.
    fn at_ref(&self, src: &Src) -> crate::diag::Location {
        let file = self.ws.file(src.file);
        let with_ref = crate::source::pointer::push(&src.pointer, "$ref");
        if file
            .value
            .as_ref()
            .and_then(|v| v.pointer(&with_ref))
            .is_some()
        {
            file.locate(&with_ref)
        } else {
            file.locate(&src.pointer)
        }
    }

    fn at_key(&self, src: &Src) -> crate::diag::Location {
        self.ws.file(src.file).locate_key(&src.pointer)
    }

    fn push(&mut self, d: Diagnostic) {
        self.out.push(d);
    }

    /// Report every id used more than once.
    fn unique<'s>(
        &mut self,
        rule: &'static str,
        what: &str,
        items: impl Iterator<Item = (&'s str, &'s Src)>,
    ) {
        let mut first: HashMap<&str, &Src> = HashMap::new();
        for (id, src) in items {
            match first.get(id) {
                Some(prev) if *prev != src => {
                    let d = Diagnostic::new(
                        rule,
                        self.at(src),
                        format!("{what} `{id}` is used more than once; it must be unique"),
                    )
                    .with_related(self.at(prev), "first used here");
                    self.push(d);
                }
                Some(_) => {}
                None => {
                    first.insert(id, src);
                }
            }
        }
    }

    fn asyncapi(&mut self, major: u16) {
        let doc = self.doc;
        if major < 3 {
            let ids: Vec<(&str, Src)> = doc
                .operations
                .iter()
                .filter_map(|o| Some((o.operation_id.as_deref()?, o.src.child("operationId"))))
                .collect();
            self.unique(
                "asyncapi-duplicate-operation-id",
                "operationId",
                ids.iter().map(|(i, s)| (*i, s)),
            );
        }
        let ids: Vec<(&str, Src)> = doc
            .messages
            .iter()
            .filter_map(|m| Some((m.message_id.as_deref()?, m.src.child("messageId"))))
            .collect();
        self.unique(
            "asyncapi-duplicate-message-id",
            "messageId",
            ids.iter().map(|(i, s)| (*i, s)),
        );

        // Channel parameters: declared ⇔ used in the address.
        for ch in &doc.channels {
            let Some(address) = ch.address.as_deref() else {
                continue;
            };
            let used = template_params(address);
            let declared: HashSet<&str> = ch.parameters.iter().map(|p| p.name.as_str()).collect();
            let used_set: HashSet<&str> = used.iter().copied().collect();
            let where_ = if major >= 3 {
                ch.src.child("address")
            } else {
                ch.src.clone()
            };
            for name in &used {
                if !declared.contains(name) {
                    let loc = if major >= 3 {
                        self.at(&where_)
                    } else {
                        self.at_key(&where_)
                    };
                    self.push(
                        Diagnostic::new(
                            "asyncapi-channel-parameter-undeclared",
                            loc,
                            format!("the address `{address}` uses the parameter `{name}`, which is not declared in the channel's `parameters`"),
                        )
                        .with_help(format!("add `parameters: {{ {name}: {{ description: … }} }}` to the channel")),
                    );
                }
            }
            for p in &ch.parameters {
                if !used_set.contains(p.name.as_str()) {
                    let decl = ch.src.child("parameters").child(&p.name);
                    self.push(Diagnostic::new(
                        "asyncapi-channel-parameter-unused",
                        self.at_key(&decl),
                        format!("the parameter `{}` is declared but the address `{address}` has no `{{{}}}`", p.name, p.name),
                    ));
                }
            }
        }

        // Servers named by channels exist.
        let servers: HashSet<&str> = doc.servers.iter().map(|d| d.name.as_str()).collect();
        for ch in &doc.channels {
            if major >= 3 {
                continue; // 3.x uses references (checked when loading).
            }
            for (i, s) in ch.servers.iter().enumerate() {
                if !servers.contains(s.as_str()) {
                    let names: Vec<&str> = doc.servers.iter().map(|d| d.name.as_str()).collect();
                    let mut d = Diagnostic::new(
                        "asyncapi-server-undefined",
                        self.at(&ch.src.child("servers").child(&i.to_string())),
                        format!(
                            "channel `{}` names the server `{s}`, which is not defined in `servers`",
                            ch.key
                        ),
                    );
                    if let Some(c) = closest(s, &names) {
                        d = d.with_help(format!("did you mean `{c}`?"));
                    }
                    self.push(d);
                }
            }
        }

        // Security requirements name defined schemes (2.x; 3.x uses references).
        if major < 3 {
            let reqs = doc
                .servers
                .iter()
                .flat_map(|s| &s.security)
                .chain(doc.operations.iter().flat_map(|o| &o.security));
            let reqs: Vec<_> = reqs.collect();
            for r in reqs {
                self.security_defined(
                    &r.scheme,
                    &r.src,
                    "asyncapi-security-undefined",
                    "components/securitySchemes",
                );
            }
        }

        // 3.x: an operation's messages belong to its channel; reply likewise.
        if major >= 3 {
            let sets: Vec<HashSet<_>> = doc
                .channels
                .iter()
                .map(|c| c.messages.iter().collect())
                .collect();
            for op in &doc.operations {
                let Some(ci) = op.channel else { continue };
                let Some(ch) = doc.channels.get(ci) else {
                    continue;
                };
                for (i, m) in op.messages.iter().enumerate() {
                    if !sets[ci].contains(m) {
                        self.push(Diagnostic::new(
                            "asyncapi-operation-message-not-in-channel",
                            self.at_ref(&op.src.child("messages").child(&i.to_string())),
                            format!(
                                "operation `{}` lists a message that is not one of its channel `{}`'s messages",
                                op.key.as_deref().unwrap_or("?"),
                                ch.key
                            ),
                        ).with_help("refer to the message through the channel: `$ref: '#/channels/CHANNEL/messages/MESSAGE'`"));
                    }
                }
                if let Some(reply) = &op.reply {
                    let Some((rc, rset)) = reply
                        .channel
                        .and_then(|c| Some((doc.channels.get(c)?, sets.get(c)?)))
                    else {
                        continue;
                    };
                    for (i, m) in reply.messages.iter().enumerate() {
                        if !rset.contains(m) {
                            self.push(Diagnostic::new(
                                "asyncapi-operation-message-not-in-channel",
                                self.at_ref(&reply.src.child("messages").child(&i.to_string())),
                                format!("the reply of operation `{}` lists a message that is not one of the reply channel `{}`'s messages", op.key.as_deref().unwrap_or("?"), rc.key),
                            ));
                        }
                    }
                }
            }
        }
    }

    fn security_defined(&mut self, name: &str, src: &Src, rule: &'static str, place: &str) {
        if name.is_empty() || self.schemes.contains(name) {
            return;
        }
        let names: Vec<&str> = self
            .doc
            .security_schemes
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        let mut d = Diagnostic::new(
            rule,
            self.at_key(src),
            format!("security scheme `{name}` is not defined in `{place}`"),
        );
        if let Some(c) = closest(name, &names) {
            d = d.with_help(format!("did you mean `{c}`?"));
        }
        self.push(d);
    }

    fn openapi(&mut self) {
        let doc = self.doc;
        let ids: Vec<(&str, Src)> = doc
            .operations
            .iter()
            .filter_map(|o| Some((o.operation_id.as_deref()?, o.src.child("operationId"))))
            .collect();
        self.unique(
            "openapi-duplicate-operation-id",
            "operationId",
            ids.iter().map(|(i, s)| (*i, s)),
        );
        let place = if doc.spec == Spec::Swagger {
            "securityDefinitions"
        } else {
            "components/securitySchemes"
        };
        for op in &doc.operations {
            for r in &op.security {
                self.security_defined(&r.scheme, &r.src, "openapi-security-undefined", place);
            }
            let Verb::Http { path, method } = &op.verb else {
                continue;
            };
            let params = template_params(path);
            let in_path: HashSet<&str> = if params.is_empty() {
                HashSet::new()
            } else {
                op.parameters
                    .iter()
                    .filter(|p| p.location.as_deref() == Some("path"))
                    .map(|p| p.name.as_str())
                    .collect()
            };
            for name in params {
                if !in_path.contains(name) {
                    self.push(
                        Diagnostic::new(
                            "openapi-path-parameter-undefined",
                            self.at_key(&op.src),
                            format!("`{method} {path}` has no `in: path` parameter named `{name}` for the template `{{{name}}}`"),
                        )
                        .with_help(format!("add `- {{ name: {name}, in: path, required: true, schema: {{ type: string }} }}` to `parameters`")),
                    );
                }
            }
        }
        // The operations of each channel key (channels are paths here).
        let mut ops_of: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, o) in doc.operations.iter().enumerate() {
            if let Some(c) = o.channel.and_then(|c| doc.channels.get(c)) {
                ops_of.entry(c.key.as_str()).or_default().push(i);
            }
        }
        for ch in &doc.channels {
            let ops = ops_of.get(ch.key.as_str()).map_or(&[][..], Vec::as_slice);
            for p in ch
                .parameters
                .iter()
                .chain(ops.iter().flat_map(|&i| &doc.operations[i].parameters))
            {
                if p.location.as_deref() == Some("path") && !p.required {
                    self.push(Diagnostic::new(
                        "openapi-path-parameter-required",
                        self.at_key(&p.src),
                        format!("path parameter `{}` must have `required: true`", p.name),
                    ));
                }
            }
        }
    }
}
