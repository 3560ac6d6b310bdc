//! The event-architecture IR: one normalised view of AsyncAPI 2.x/3.x, OpenAPI 3.x and
//! Swagger 2.0 documents, built from the resolved workspace. Later commands (classify,
//! gates, simulate, codegen) read this instead of raw JSON.
//!
//! - Every item keeps its source location as a [`Src`] (file + JSON pointer of where it
//!   *lives*, i.e. after following `$ref`s) and its `x-*` extensions.
//! - Schemas are not copied: headers/payloads are [`SchemaRef`] handles into the workspace.
//! - AsyncAPI 2.x `publish`/`subscribe` are mapped to the 3.x meaning (`publish` = the
//!   application receives, `subscribe` = it sends); the original wording is kept in [`Verb`].
//! - Items reached through several references appear once: channels, operations and
//!   messages refer to each other by index into the [`Document`]'s vectors.
//!
//! Building never fails: missing or malformed parts are left out (structural problems
//! are reported by `crate::validate`).

mod asyncapi;
mod openapi;
pub mod schema;

use serde_json::Value;

use crate::diag::Diagnostic;
use crate::source::detect::Version;
use crate::source::{DocKind, FileId, Workspace, pointer};

/// All documents of a workspace.
#[derive(Debug, Default)]
pub struct Model {
    pub documents: Vec<Document>,
}

/// Where an item lives: a file and the JSON pointer of the item in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Src {
    pub file: FileId,
    pub pointer: String,
}

impl Src {
    pub fn new(file: FileId, pointer: impl Into<String>) -> Self {
        Src {
            file,
            pointer: pointer.into(),
        }
    }

    /// The pointer of a child of this item.
    pub fn child(&self, token: &str) -> Src {
        Src::new(self.file, pointer::push(&self.pointer, token))
    }
}

/// Which specification a document follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spec {
    AsyncApi(Version),
    OpenApi(Version),
    Swagger,
}

/// One `x-*` extension: its key and where its value is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub key: String,
    pub src: Src,
}

/// A handle to a schema in the workspace (no copy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaRef {
    pub src: Src,
    /// The `schemaFormat` when given (AsyncAPI); `None` = the document's default.
    pub format: Option<String>,
}

/// One API document.
#[derive(Debug)]
pub struct Document {
    pub src: Src,
    pub spec: Spec,
    pub title: Option<String>,
    pub version: Option<String>,
    pub servers: Vec<Server>,
    pub channels: Vec<Channel>,
    pub operations: Vec<Operation>,
    pub messages: Vec<Message>,
    pub security_schemes: Vec<SecurityScheme>,
    pub tags: Vec<Tag>,
    pub extensions: Vec<Extension>,
}

impl Document {
    /// The document without the growth slack of its item lists (it is kept for the
    /// whole run; a large API has thousands of operations and messages).
    fn shrunk(mut self) -> Self {
        self.servers.shrink_to_fit();
        self.channels.shrink_to_fit();
        self.operations.shrink_to_fit();
        self.messages.shrink_to_fit();
        self.security_schemes.shrink_to_fit();
        self.tags.shrink_to_fit();
        self
    }
}

/// A server (AsyncAPI) or base URL (OpenAPI `servers`, Swagger `host`+`basePath`).
#[derive(Debug, Clone)]
pub struct Server {
    /// The key in `servers` (AsyncAPI), or the index as a string (OpenAPI).
    pub name: String,
    /// 2.x `url`, 3.x `host` + `pathname`, OpenAPI `url`.
    pub url: Option<String>,
    pub protocol: Option<String>,
    pub protocol_version: Option<String>,
    pub security: Vec<SecurityRequirement>,
    pub bindings: Option<Src>,
    pub src: Src,
    pub extensions: Vec<Extension>,
}

/// A named security scheme requirement with its scopes.
#[derive(Debug, Clone)]
pub struct SecurityRequirement {
    /// The scheme's name (2.x / OpenAPI) or, for 3.x inline/ref schemes, its component
    /// name when it is a reference to `#/components/securitySchemes/NAME`.
    pub scheme: String,
    pub scopes: Vec<String>,
    /// Where the requirement is written.
    pub src: Src,
}

/// A security scheme definition.
#[derive(Debug, Clone)]
pub struct SecurityScheme {
    pub name: String,
    /// The `type` field (`apiKey`, `oauth2`, …).
    pub kind: Option<String>,
    pub src: Src,
}

/// A channel (AsyncAPI) — for OpenAPI, each path is a channel.
#[derive(Debug, Clone)]
pub struct Channel {
    /// The key in `channels` (3.x id; 2.x this is also the address) or the path.
    pub key: String,
    /// The address (`null` in 3.x = unknown/dynamic).
    pub address: Option<String>,
    pub parameters: Vec<Parameter>,
    /// Names of the servers the channel is available on (empty = all).
    pub servers: Vec<String>,
    /// Indices into [`Document::messages`].
    pub messages: Vec<usize>,
    pub bindings: Option<Src>,
    pub tags: Vec<Tag>,
    pub description: Option<String>,
    pub src: Src,
    pub extensions: Vec<Extension>,
}

/// A channel or path parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    /// OpenAPI `in` (`path`, `query`, …); `None` for AsyncAPI.
    pub location: Option<String>,
    pub required: bool,
    pub schema: Option<SchemaRef>,
    pub src: Src,
}

/// What the application does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Send,
    Receive,
}

/// The operation as written in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
    /// AsyncAPI 2.x `publish` (the application receives).
    Publish,
    /// AsyncAPI 2.x `subscribe` (the application sends).
    Subscribe,
    /// AsyncAPI 3.x `action: send`.
    Send,
    /// AsyncAPI 3.x `action: receive`.
    Receive,
    /// OpenAPI/Swagger: an HTTP method on a path.
    Http { method: String, path: String },
}

/// An operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The key in `operations` (3.x); `None` for 2.x and OpenAPI.
    pub key: Option<String>,
    pub operation_id: Option<String>,
    /// `None` for HTTP operations.
    pub action: Option<Action>,
    pub verb: Verb,
    /// Index into [`Document::channels`].
    pub channel: Option<usize>,
    /// Indices into [`Document::messages`] (3.x: the listed messages, or all of the
    /// channel's when the list is absent; 2.x: the operation's message(s); OpenAPI: the
    /// request body, one message per media type).
    pub messages: Vec<usize>,
    /// OpenAPI: the effective parameters (operation-level plus inherited path-level).
    pub parameters: Vec<Parameter>,
    pub reply: Option<Reply>,
    /// OpenAPI/Swagger: the responses, by status key, with their body messages (empty
    /// for AsyncAPI).
    pub responses: Vec<ResponseInfo>,
    /// Where each applied trait lives.
    pub traits: Vec<Src>,
    pub tags: Vec<Tag>,
    pub security: Vec<SecurityRequirement>,
    pub bindings: Option<Src>,
    pub summary: Option<String>,
    pub src: Src,
    pub extensions: Vec<Extension>,
}

/// One response of an HTTP operation.
#[derive(Debug, Clone)]
pub struct ResponseInfo {
    /// The key in `responses`: `200`, `4XX`, `default`.
    pub status: String,
    /// Indices into [`Document::messages`]: one per media type (Swagger 2.0: one).
    pub messages: Vec<usize>,
    /// Where the Response Object lives.
    pub src: Src,
}

/// The reply of a 3.x request/reply operation.
#[derive(Debug, Clone)]
pub struct Reply {
    pub channel: Option<usize>,
    pub messages: Vec<usize>,
    /// The runtime expression of `address.location`.
    pub address_location: Option<String>,
    pub src: Src,
}

/// A message (AsyncAPI) or a request/response body (OpenAPI: one per media type).
#[derive(Debug, Clone)]
pub struct Message {
    /// The key under which it was first found (channel `messages` key, component name).
    pub key: Option<String>,
    pub name: Option<String>,
    /// 2.4+ `messageId`.
    pub message_id: Option<String>,
    pub title: Option<String>,
    pub content_type: Option<String>,
    pub schema_format: Option<String>,
    pub headers: Option<SchemaRef>,
    pub payload: Option<SchemaRef>,
    pub correlation_id: Option<CorrelationId>,
    pub traits: Vec<Src>,
    pub tags: Vec<Tag>,
    pub bindings: Option<Src>,
    pub src: Src,
    pub extensions: Vec<Extension>,
}

/// Where the correlation id of a message is found.
#[derive(Debug, Clone)]
pub struct CorrelationId {
    /// The runtime expression (`$message.header#/correlationId`).
    pub location: Option<String>,
    pub src: Src,
}

/// A tag.
#[derive(Debug, Clone)]
pub struct Tag {
    pub name: String,
    pub src: Src,
}

/// Build the IR of every input document of the workspace.
pub fn build(ws: &Workspace) -> (Model, Vec<Diagnostic>) {
    let mut model = Model::default();
    let diags = Vec::new();
    for &id in &ws.inputs {
        let file = ws.file(id);
        let Some(root) = file.value.as_ref() else {
            continue;
        };
        let doc = match &file.kind {
            DocKind::AsyncApi(v) => asyncapi::build(ws, id, root, *v),
            DocKind::OpenApi(v) => openapi::build(ws, id, root, Spec::OpenApi(*v)),
            DocKind::Swagger => openapi::build(ws, id, root, Spec::Swagger),
            _ => continue,
        };
        model.documents.push(doc.shrunk());
    }
    (model, diags)
}

// ---- helpers shared by the builders ----

/// A string field of an object.
pub(crate) fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// The `x-*` extensions of an object.
pub(crate) fn extensions(v: &Value, src: &Src) -> Vec<Extension> {
    v.as_object()
        .map(|m| {
            m.keys()
                .filter(|k| k.starts_with("x-"))
                .map(|k| Extension {
                    key: k.clone(),
                    src: src.child(k),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Follow `$ref`s: the value and where it lives.
pub(crate) fn resolve<'a>(ws: &'a Workspace, at: &Src, v: &'a Value) -> (Src, &'a Value) {
    let (file, ptr, target) = ws.deref(at.file, v);
    match ptr {
        Some(p) => (Src::new(file, p), target),
        None => (at.clone(), target),
    }
}

/// The tags of an object (`tags: [{name}]`, refs followed).
pub(crate) fn tags(ws: &Workspace, v: &Value, src: &Src) -> Vec<Tag> {
    let Some(items) = v.get("tags").and_then(Value::as_array) else {
        return Vec::new();
    };
    let tags_src = src.child("tags");
    items
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let (s, t) = resolve(ws, &tags_src.child(&i.to_string()), t);
            let name = match t {
                Value::String(s) => s.clone(),
                _ => str_field(t, "name")?,
            };
            Some(Tag { name, src: s })
        })
        .collect()
}

/// `bindings` of an object, as a location.
pub(crate) fn bindings(ws: &Workspace, v: &Value, src: &Src) -> Option<Src> {
    let b = v.get("bindings")?;
    Some(resolve(ws, &src.child("bindings"), b).0)
}
