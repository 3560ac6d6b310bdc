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
    /// A short document snippet the rule reports (shown by `explain`).
    pub example_fail: Option<&'static str>,
    /// The same snippet fixed.
    pub example_pass: Option<&'static str>,
}

/// `id => Severity, summary, rationale;` with optional `fail: "…", pass: "…"` examples
/// before the `;`.
macro_rules! rules {
    (@opt) => { None };
    (@opt $x:literal) => { Some($x) };
    ($( $id:literal => $sev:ident, $summary:literal, $rationale:literal
        $(, fail: $fail:literal, pass: $pass:literal)?; )*) => {
        /// Every rule hnp-events can report, sorted by id.
        pub static RULES: &[RuleMeta] = &[
            $( RuleMeta {
                id: $id,
                severity: Severity::$sev,
                summary: $summary,
                rationale: $rationale,
                example_fail: rules!(@opt $($fail)?),
                example_pass: rules!(@opt $($pass)?),
            }, )*
        ];
    };
}

rules! {
    "asyncapi-channel-parameter-undeclared" => Error,
        "A channel address uses a `{parameter}` that the channel does not declare.",
        "Every template expression in a channel address must be described in the channel's `parameters`, or consumers cannot know what values it takes (the AsyncAPI parser rejects it).";
    "asyncapi-channel-parameter-unused" => Error,
        "A channel declares a parameter its address does not use.",
        "A declared parameter that appears nowhere in the address is a leftover or a typo; the AsyncAPI parser rejects it.";
    "asyncapi-component-name" => Error,
        "A component name has characters outside `[a-zA-Z0-9.-_]`.",
        "Component names are used in `$ref` pointers and generated code; the specification restricts them to `^[a-zA-Z0-9\\.\\-_]+$`.";
    "asyncapi-duplicate-message-id" => Error,
        "Two messages share a `messageId`.",
        "`messageId` identifies a message across the document (tools and code generators key on it); the specification requires it to be unique.";
    "asyncapi-duplicate-operation-id" => Error,
        "Two operations share an `operationId`.",
        "`operationId` identifies an operation for tools and code generators; the specification requires it to be unique.";
    "asyncapi-enum" => Error,
        "A field has a value outside its allowed list.",
        "Fixed-vocabulary fields (e.g. `action: send|receive`, security scheme `type`) are matched exactly by every tool; any other value is meaningless to them.";
    "asyncapi-field-version" => Error,
        "A field is used in an AsyncAPI version that does not have it.",
        "Fields differ between versions (e.g. `operations` exists only in 3.x, `messageId` only in 2.4+); a field from another version is ignored or rejected by tools for this version.";
    "asyncapi-operation-message-not-in-channel" => Error,
        "An operation (or its reply) lists a message its channel does not carry.",
        "In AsyncAPI 3 an operation's `messages` must be a subset of its channel's `messages`; anything else describes a message that never travels on that channel.";
    "asyncapi-ref-target" => Error,
        "An AsyncAPI 3 `channel` or `servers` reference does not point into the root `channels`/`servers`.",
        "An operation's `channel` (and a reply's) must be a reference to `#/channels/NAME`, a channel's `servers` references to `#/servers/NAME`: that is what makes the channel or server part of the document's topology.";
    "asyncapi-required" => Error,
        "A required AsyncAPI field is missing.",
        "The specification requires the field; documents without it are rejected by the official schema and the AsyncAPI parser.";
    "asyncapi-schema-format-unvalidated" => Info,
        "A schema in a non-default format (Avro, Protobuf, RAML…) is not validated.",
        "hnp-events validates AsyncAPI, JSON Schema and OpenAPI schemas; other formats are accepted as written.";
    "asyncapi-security-undefined" => Error,
        "A security requirement names a scheme not defined in `components/securitySchemes`.",
        "A requirement must refer to a defined security scheme by name; otherwise clients cannot know how to authenticate (the AsyncAPI parser rejects it).";
    "asyncapi-server-undefined" => Error,
        "A channel names a server that is not defined in `servers`.",
        "A channel's `servers` list must name servers of the document; an unknown name is a typo or a removed server.";
    "asyncapi-tag-duplicate" => Error,
        "The same tag name is listed twice.",
        "Tags must be unique within a list (the specification and the official schema require unique items).";
    "asyncapi-type" => Error,
        "An AsyncAPI field has the wrong JSON type.",
        "Tools read fields with a fixed type (a string, an object, a list); a value of another type is rejected by the official schema.";
    "asyncapi-unknown-field" => Error,
        "An AsyncAPI object holds a field the specification does not define.",
        "AsyncAPI objects are closed: only the specified fields and `x-` extensions are allowed, so a typo is not silently ignored.";
    "config-invalid" => Error,
        "The hnp-events.yaml configuration has an unknown setting or a bad value.",
        "A misspelled setting is silently ignored by many tools; here it is an error, with a suggestion, so the configuration does what it says.";
    "cqrs-ambiguous" => Warning,
        "An operation's method and its name disagree about whether it changes state.",
        "CQRS separates commands (change state, emit events) from queries (read only). A GET named `sync…` or a POST that only searches hides which one it is; say it with `x-hnp-cqrs: command|query`.";
    "diff-added" => Info,
        "A channel, operation or message was added (non-breaking; listed in the changelog).",
        "Additions break nobody: applications on the old version ignore what they do not know. They are listed so that the changelog is complete.";
    "diff-breaking-upcast-covered" => Info,
        "A stored event's schema changed incompatibly, and a verified upcaster turns every old example into a valid new event.",
        "Event-sourced read models replay stored events of every version. A breaking change to such an event is safe for them when an upcaster (`upcasters:` in a projection or an `*.upcast.yaml` file listed under `projections:` in hnp-events.yaml) turns each old example into an event the new schema accepts; live consumers still see the new CloudEvents type. An upcaster that fails on an old example leaves the change breaking (its help says why).";
    "diff-channel-address-changed" => Error,
        "A channel's address changed.",
        "Producers and consumers still on the old version keep using the old address: messages go where nobody listens, or nobody sends where they listen. Add a new channel and retire the old one after every side moved.";
    "diff-channel-parameters-changed" => Error,
        "A channel's parameters were added, removed or renamed.",
        "Parameters are parts of the address; applications on the old version fill in the old set and address a channel that no longer exists.";
    "diff-channel-removed" => Error,
        "A channel was removed.",
        "Applications still on the old version publish to or subscribe on a channel the new contract no longer has. Deprecate first, remove when no deployed version uses it.";
    "diff-cloudevents-type-bumped" => Info,
        "A CloudEvents `type` got a higher version suffix (the correct way to ship a breaking payload change).",
        "Consumers select events by `type`; a new `.vN` suffix lets them opt in to the new shape while the old type keeps its meaning.";
    "diff-cloudevents-type-changed" => Error,
        "A message's CloudEvents `type` changed (other than a version bump).",
        "Consumers route and filter CloudEvents by `type`; a changed type silently stops delivery to every consumer that filters on the old one.";
    "diff-cloudevents-version-not-bumped" => Error,
        "A message's payload changed incompatibly but its CloudEvents `type` kept its version suffix.",
        "A `type` names one payload shape. When the shape breaks, the type's version suffix (`.v1` → `.v2`) must change too, or consumers cannot tell old events from new ones.",
        fail: "# payload: `status` became required\nheaders:\n  properties:\n    type: {const: com.example.created.v1}",
        pass: "headers:\n  properties:\n    type: {const: com.example.created.v2}";
    "diff-compatibility-invalid" => Error,
        "An `x-hnp-compatibility` value is not a compatibility mode.",
        "The mode decides which direction of schema compatibility `diff` requires (backward, forward, full, none, and the -transitive variants that also check every release tag); an unknown value would silently fall back to the default.",
        fail: "x-hnp-compatibility: backwards",
        pass: "x-hnp-compatibility: backward-transitive";
    "diff-compatibility-unmatched" => Warning,
        "A compatibility mode in the `diff:` section of hnp-events.yaml names a document, channel or message that no compared document has.",
        "`diff.documents`, `diff.channels` and `diff.messages` give modes by path, channel key or address, and message name; an entry that matches nothing (a typo, or an item renamed) silently leaves its item at the default mode.",
        fail: "diff:\n  messages:\n    ResourceCreatd: full",
        pass: "diff:\n  messages:\n    ResourceCreated: full";
    "diff-correlation-id-moved" => Error,
        "A message's `correlationId` location changed.",
        "Requesters and repliers on different versions look for the correlation id in different places; replies of requests in flight are no longer matched.";
    "diff-delivery-weakened" => Error,
        "An operation's delivery guarantee (`x-hnp-delivery`) was weakened.",
        "Consumers built for exactly-once or at-least-once delivery lose messages, or get duplicates they do not deduplicate, when the guarantee is weakened.";
    "diff-document-removed" => Error,
        "A document listed at the base revision is gone at the head revision.",
        "Every channel and operation of a removed document is removed for its producers and consumers.";
    "diff-http-media-type-removed" => Error,
        "An HTTP request or response media type was removed.",
        "Clients send or accept the media types the contract listed; removing one refuses their requests or leaves them with responses they cannot read.";
    "diff-http-operation-removed" => Error,
        "An HTTP operation (method + path) was removed.",
        "Clients still calling it get 404 or 405. Deprecate the operation first and remove it when no client uses it.";
    "diff-http-parameter-required-added" => Error,
        "A required HTTP parameter or request body was added (or an optional one became required).",
        "Clients on the old version do not send it, so the server refuses their requests.";
    "diff-http-response-header-removed" => Error,
        "A required HTTP response header was removed or became optional.",
        "Clients read the headers the contract promised (a `Location`, a rate limit, a request id); when the server stops sending one, the clients on the old version that rely on it fail.";
    "diff-http-status-removed" => Error,
        "A success response status of an HTTP operation was removed.",
        "Clients handle the statuses the contract promised; a removed success status means the server now answers in a way they were not built for.";
    "diff-idempotency-key-moved" => Error,
        "A message's idempotency key (`x-hnp-idempotency-key`) moved or was removed.",
        "Consumers deduplicate by the idempotency key; when it moves, a message sent before the change and redelivered after it is processed twice.";
    "diff-message-removed" => Error,
        "A message was removed from a channel or operation.",
        "Producers on the old version keep sending it and consumers on the old version keep waiting for it.";
    "diff-operation-action-changed" => Error,
        "An operation changed its action (send ↔ receive) or its channel.",
        "The operation's partners were built for the old direction or channel; after the flip nobody sends what they receive, or they receive from the wrong channel.";
    "diff-operation-removed" => Error,
        "An operation was removed.",
        "The applications on the other side of the operation lose their partner: messages are no longer sent, or no longer consumed.";
    "diff-ordering-key-changed" => Error,
        "A message's ordering key (`x-hnp-ordering-key` or Kafka `key` binding) changed.",
        "Ordering holds per key (per partition). Records of one entity keyed differently before and after the change may be processed out of order while both are in flight.";
    "diff-renamed" => Info,
        "An item was renamed without a change to what is on the wire (a channel key with the same address, a path parameter name).",
        "Renames that keep the address or URL break no application, but generated code and documentation links change; they are listed so that reviewers see them.";
    "diff-reply-changed" => Error,
        "A request/reply operation's reply channel, messages or address changed.",
        "Requesters on the old version wait for replies on the old channel or for the old messages; they time out.";
    "diff-saga-removed" => Warning,
        "A saga listed in `hnp-events.yaml` at the base revision is gone.",
        "Instances of the saga still running on the old version have no orchestrator definition to finish against; make sure none are in flight.";
    "diff-saga-step-broken" => Error,
        "A saga step sends or waits for a message that changed incompatibly (or was removed) in the contract.",
        "The saga's participants on the old version exchange that message; the break surfaces at this step of every running instance. The related location is the contract change.";
    "diff-schema-breaking" => Error,
        "A schema changed so that some value valid on one side is invalid on the other, in the direction that matters.",
        "For what the application writes, readers still on the old schema must accept the new values; for what it reads, values from writers still on the old schema must stay valid. The message says which side breaks.",
        fail: "# a message the application receives\npayload:\n  required: [id, status]   # `status` became required",
        pass: "payload:\n  required: [id]           # `status` optional, with a default in the reader";
    "diff-schema-undecided" => Warning,
        "A schema changed in a way whose compatibility cannot be decided (a changed pattern, an open content model, an unknown keyword).",
        "The compatibility engine only calls a change safe when it can prove it. What it cannot decide is reported for a person to judge rather than passed in silence.";
    "diff-security-added" => Error,
        "An operation now requires a security scheme it did not require.",
        "Clients on the old version do not authenticate with the new scheme and are refused.";
    "diff-server-removed" => Error,
        "A server was removed or changed protocol.",
        "Applications configured for the server lose their broker or base URL.";
    "diff-version-not-bumped" => Error,
        "A breaking change was made without a major bump of `info.version`.",
        "Semantic versioning of a contract tells its users when to expect breakage; a breaking change under a minor or patch bump reaches them unannounced.",
        fail: "info:\n  version: 1.4.0   # was 1.3.0, and a required field was added",
        pass: "info:\n  version: 2.0.0";
    "document-empty" => Error,
        "The file is empty or holds only comments.",
        "An empty file cannot describe an API; it is usually a truncated write or a wrong path.";
    "document-kind-unknown" => Error,
        "The file is not an AsyncAPI, OpenAPI or Swagger document, nor a fragment of one.",
        "Documents are recognised by their `asyncapi`, `openapi` or `swagger` version field; fragments hold only reusable parts such as `components`. Anything else given explicitly is probably the wrong file.";
    "document-version-missing" => Error,
        "A file named as an API document has no `asyncapi`, `openapi` or `swagger` version field.",
        "The version field is how a document's specification and version are known, and every specification requires it. A file given explicitly that has an `info` object like an API document but no version field would otherwise be read as a fragment and pass unchecked; the message names the field its other keys suggest (`channels`/`operations`: `asyncapi`; `paths`/`webhooks`: `openapi`; `basePath`/`definitions`: `swagger`).",
        fail: "info: {title: Orders, version: 1.0.0}\nchannels: {}",
        pass: "asyncapi: 3.0.0\ninfo: {title: Orders, version: 1.0.0}\nchannels: {}";
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
    "gate-cqrs-compliance" => Warning,
        "An operation's CQRS kind is ambiguous, or it breaks the command/query contract.",
        "Gate `cqrs_compliance` (default 100%). Commands change state and declare their outcome; queries only read: they use a safe method and emit no events. An operation whose method and name disagree, a query that emits events or uses PUT/PATCH/DELETE, or a command with no success response, reply or `x-hnp-emits` makes the read and write sides impossible to separate.",
        fail: "paths:\n  /fabrics/{id}/sync/:\n    get:                      # named `sync` but safe: which is it?\n      operationId: syncFabric\n      responses: {'200': {description: ok}}",
        pass: "paths:\n  /fabrics/{id}/sync/:\n    post:\n      operationId: syncFabric\n      x-hnp-emits: [SyncStarted]   # a message name, or a $ref to the message\n      responses: {'202': {description: accepted}}";
    "gate-delivery-declared" => Warning,
        "A send/receive operation declares no delivery guarantee, one its producer does not give, or exactly-once with no visible mechanism.",
        "Gate `delivery_declared` (default 100%). Consumers must know whether a message can be lost (at-most-once) or repeated (at-least-once) to be written correctly, and can count on no more than the producer gives: a consumer declaring at-least-once or exactly-once of a producer declaring at-most-once misses; `exactly-once` needs a mechanism the tool can see (`x-hnp-delivery-mechanism`, a transactional Kafka binding, MQTT `qos: 2`). Declare it with `x-hnp-delivery: at-most-once|at-least-once|exactly-once`, or through a binding that implies it (MQTT `qos`, Kafka `acks`, AMQP `ack`/`deliveryMode`, an SQS `deadLetterQueue`); a server protocol that fixes it (Kafka, SQS, SNS, NATS with or without JetStream, MQTT, WebSocket, Redis) needs nothing — the README lists each.",
        fail: "operations:\n  publishSyncStarted:\n    action: send\n    channel: {$ref: '#/channels/syncProgress'}",
        pass: "operations:\n  publishSyncStarted:\n    action: send\n    channel: {$ref: '#/channels/syncProgress'}\n    x-hnp-delivery: at-least-once";
    "gate-error-handling-coverage" => Warning,
        "A command, or an at-least-once event consumer, declares no failure path.",
        "Gate `error_handling_coverage` (default 90%). Every command can fail; callers and sagas need to know how. OpenAPI: 4xx/5xx (or `default`) responses. AsyncAPI: a failure event in the `reply` or `x-hnp-emits` (a name with Failed/Error/Rejected), or a dead-letter channel (`x-hnp-dead-letter`) for the consumer. An event consumer declaring `x-hnp-delivery: at-least-once` needs a dead-letter channel or `x-hnp-retry`, else a message that keeps failing is redelivered forever.",
        fail: "operations:\n  requestApplyResources:\n    action: send\n    channel: {$ref: '#/channels/commands'}\n    messages: [{$ref: '#/channels/commands/messages/ApplyResources'}]\n    reply:\n      messages: [{$ref: '#/channels/replies/messages/ResourcesApplied'}]",
        pass: "operations:\n  requestApplyResources:\n    action: send\n    channel: {$ref: '#/channels/commands'}\n    messages: [{$ref: '#/channels/commands/messages/ApplyResources'}]\n    reply:\n      messages:\n        - {$ref: '#/channels/replies/messages/ResourcesApplied'}\n        - {$ref: '#/channels/replies/messages/ResourceApplyFailed'}";
    "gate-event-flow-coverage" => Warning,
        "A command leads to no event, an event has no consumer or producer, an `x-hnp-emits` target is sent by nothing, or a message is in no operation.",
        "Gate `event_flow_coverage` (default 90%). In an event-driven architecture every command results in at least one event, every event is consumed by someone and produced by someone, and every message on a channel belongs to some operation; a dead end is either missing documentation or dead code. Declare results with `x-hnp-emits` (each target must be sent by an operation), a `reply` or OpenAPI `callbacks`; add the operation that uses a channel's message or remove it; mark events produced or consumed outside these documents with `x-hnp-external: true`.",
        fail: "operations:\n  publishDriftDetected:\n    action: send\n    channel: {$ref: '#/channels/drift'}   # and no operation receives it",
        pass: "operations:\n  publishDriftDetected:\n    action: send\n    channel: {$ref: '#/channels/drift'}\n  projectDriftToNetBox:\n    action: receive\n    channel: {$ref: '#/channels/drift'}";
    "gate-idempotency-declared" => Warning,
        "A consumed message (or an OpenAPI POST that starts asynchronous work) has no idempotency key.",
        "Gate `idempotency_declared` (default 100%). With at-least-once delivery a consumer sees duplicates; it can only drop them if each message carries a key that identifies it. Declare `x-hnp-idempotency-key` (a JSON pointer into the message), a `correlationId`, a CloudEvents `id` header, an `eventId`/`messageId`/`requestId` header or property, or a required payload `id`. Messages delivered at most once (declared or implied by the protocol) cannot arrive twice and are not counted.",
        fail: "messages:\n  SyncStarted:\n    payload: {type: object, required: [fabric], properties: {fabric: {type: string}}}",
        pass: "messages:\n  SyncStarted:\n    x-hnp-idempotency-key: /headers/id\n    headers: {type: object, properties: {id: {type: string}}}\n    payload: {type: object, required: [fabric], properties: {fabric: {type: string}}}";
    "gate-not-measured" => Info,
        "A gate could not measure part of the documents (no producer, no consumers described, channels without operations).",
        "A gate that counts nothing passes vacuously: a document whose only operations consume events has event_flow at 100% without a single producer, and a document with channels but no operations has its messages in no count. The note says what was not measured so a 100% is not mistaken for a checked architecture.",
        fail: "channels:\n  orders: {messages: {placed: {payload: {type: object}}}}\n# no operations", pass: "operations:\n  onOrderPlaced: {action: receive, channel: {$ref: '#/channels/orders'}}\n  placeOrder: {action: send, channel: {$ref: '#/channels/orders'}}";
    "gate-ordering-declared" => Warning,
        "An event channel declares no ordering key.",
        "Gate `ordering_declared` (default 100%). Consumers of a partitioned log see events in order only per key; without a declared key they cannot tell which events are ordered relative to each other. Declare `x-hnp-ordering-key` (a JSON pointer into the message), a Kafka message `key` binding, or `x-hnp-ordering: none` when order does not matter.",
        fail: "channels:\n  lifecycle:\n    address: kubernetes.resource.lifecycle",
        pass: "channels:\n  lifecycle:\n    address: kubernetes.resource.lifecycle\n    x-hnp-ordering-key: /payload/resource/uid";
    "gate-pointer-missing" => Error,
        "An ordering, idempotency or correlation pointer cannot exist in a message it applies to.",
        "A key that points to a property no schema on its path declares (following `$ref`, `allOf`, `oneOf`, `anyOf`) is never there: events are not ordered, duplicates are not recognised, replies are not correlated, while every gate counts the key as declared. Fix the pointer or the schema.",
        fail: "channels:\n  lifecycle:\n    x-hnp-ordering-key: /payload/doesNotExist\n    messages:\n      ResourceCreated:\n        payload: {type: object, required: [uid], properties: {uid: {type: string}}}", pass: "channels:\n  lifecycle:\n    x-hnp-ordering-key: /payload/uid\n    messages:\n      ResourceCreated:\n        payload: {type: object, required: [uid], properties: {uid: {type: string}}}";
    "gate-pointer-optional" => Warning,
        "An ordering, idempotency or correlation pointer may be absent from a message it applies to.",
        "A key whose property is not `required` at every level of its path may be missing from a message; the consumer then cannot order, deduplicate or correlate it. Make the path required, or point to one that is.",
        fail: "channels:\n  lifecycle:\n    x-hnp-ordering-key: /payload/uid\n    messages:\n      ResourceCreated:\n        payload: {type: object, properties: {uid: {type: string}}}", pass: "channels:\n  lifecycle:\n    x-hnp-ordering-key: /payload/uid\n    messages:\n      ResourceCreated:\n        payload: {type: object, required: [uid], properties: {uid: {type: string}}}";
    "gate-projection-coverage" => Warning,
        "A query operation is served by no projection and does not say why.",
        "Gate `projection_coverage` (default 90%; measured only when the run includes projection files). In an event-sourced design the queries answer from read models folded from the event streams; a query that no projection serves reads some other state, which replay cannot rebuild. List the operation in a projection's `serves`, or mark it `x-hnp-projection: {none: <reason>}` when it reads state that is not event-sourced (the reason is required).",
        fail: "paths:\n  /fabrics/{id}/status/:\n    get:\n      operationId: getFabricStatus   # in no projection's `serves`",
        pass: "# fabric-sync-status.projection.yaml\nserves: [getFabricStatus]\n# openapi.yaml: a query not event-sourced\npaths:\n  /fabrics/:\n    get:\n      operationId: listFabrics\n      x-hnp-projection: {none: read from the NetBox database}";
    "gate-saga-completeness" => Warning,
        "A saga step lacks a compensation, a timeout or failure handling, or a workflow of several commands has no saga.",
        "Gate `saga_completeness` (default > 85%; n/a when there is neither a saga file nor a chain of commands). A step that changes state must be undone when a later step fails (unless it is the pivot or read-only), must not wait forever, and must say which failure events end it. Missing sagas: an operation that starts a chain of two or more commands (what it leads to through `x-hnp-emits`, a `reply`, and the operations that consume those messages, transitively) is a multi-step workflow; when one of its commands fails, the effects of the earlier ones stay unless something coordinates their undoing. It is covered when some saga file sends (as a step or a compensation) at least two of the chain's commands; the finding is at the operation that starts the chain (not again at the command's sender or a later handler) and names the chain. A chain is a sequence: two commands in `x-hnp-emits`, or a command reached through another operation; the messages one operation sends are alternatives (a `oneOf` of requests), not a chain. The chain is gathered once per strongly connected component of the operation graph (linear), keeping its first 16 commands.",
        fail: "# no saga sends CommitToGit and UpdateFabricStatus\noperations:\n  startGitExportOnNetBoxChange:\n    action: receive\n    channel: {$ref: '#/channels/netboxObjectChanges'}\n    x-hnp-emits:\n      - $ref: '#/components/messages/CommitToGit'\n      - $ref: '#/components/messages/UpdateFabricStatus'\n# saga step:\nsteps:\n  - id: apply-resources\n    send: ApplyResources\n    on: ResourcesApplied",
        pass: "# netbox-git-export.saga.yaml coordinates the chain\nstart: NetBoxObjectUpdated\nsteps:\n  - id: commit-to-git\n    send: CommitToGit\n    on: ChangesCommitted\n    fail: GitCommitFailed\n    timeout: 1m\n    onTimeout: retry\n    compensation: {send: RevertCommit, confirm: CommitReverted, timeout: 1m}\n  - id: update-status\n    send: UpdateFabricStatus\n    on: FabricStatusUpdated\n    fail: FabricStatusUpdateFailed\n    timeout: 30s\n    onTimeout: retry\n    compensation: {send: MarkSyncError, confirm: SyncErrorMarked, timeout: 30s}";
    "gate-schema-consistency" => Warning,
        "A message misses an object payload with `required`, the envelope, naming conventions or a valid example.",
        "Gate `schema_consistency` (default 100%). Consumers rely on a predictable message shape: an object payload that says which properties are always there, the envelope attributes (CloudEvents 1.0 by default: id, source, specversion, type; configure `gates: {schema_consistency: {envelope: [...]}}`), names that say what the message is (events PascalCase in the past tense, commands imperative) and an example that validates against the schemas.",
        fail: "messages:\n  syncStart:\n    payload: {type: string}",
        pass: "messages:\n  SyncStarted:\n    headers:\n      type: object\n      required: [id, source, specversion, type]\n      properties: {id: {type: string}, source: {type: string}, specversion: {const: '1.0'}, type: {type: string}}\n    payload: {type: object, required: [fabric], properties: {fabric: {type: string}}}\n    examples:\n      - headers: {id: '1', source: /hnp, specversion: '1.0', type: com.githedgehog.hnp.sync.started.v1}\n        payload: {fabric: dc1-prod}";
    "gate-threshold" => Error,
        "An architecture metric is below its threshold.",
        "Each architecture gate is a metric: the items that meet it over the items it counts (commands with a resulting event, messages with an envelope, ...), shown as PASSED/COUNTED in the table. A metric below its threshold fails the run; the per-item warnings of the gate's rule (`gate-...`) say what to fix. The default thresholds (90% for coverage-like gates, 85% for saga steps, 100% for what every item must declare) are what the HNP reference architecture in fixtures/hnp meets; set your own under `gates:` in hnp-events.yaml, turn one gate off (`gates: {NAME: off}`) or all of them (`gates: off`). A metric with nothing to count is n/a: it neither passes nor fails. Gates run only on documents without structural errors (a `$ref` that did not resolve, an invalid example, a component name, a format or an undefined security scheme leave the model sound and do not stop them).",
        fail: "gates:\n  event_flow_coverage: {threshold: 0.9}   # measured 80% (8/10)",
        pass: "gates:\n  event_flow_coverage: {threshold: 0.8}   # measured 80% (8/10)";
    "json-syntax" => Error,
        "The JSON text is malformed.",
        "A syntax error stops every later check; the location points at the first character that cannot be parsed.";
    "nesting-too-deep" => Error,
        "The document nests deeper than the supported limit.",
        "Real API documents rarely nest more than a few dozen levels; pathological nesting is refused so that no later stage can overflow its stack.";
    "openapi-component-name" => Error,
        "A component name has characters outside `[a-zA-Z0-9.-_]`.",
        "Component names are used in `$ref` pointers and generated code; the specification restricts them to `^[a-zA-Z0-9\\.\\-_]+$`.";
    "openapi-duplicate-operation-id" => Error,
        "Two operations share an `operationId`.",
        "`operationId` must be unique among all operations of the API; code generators use it as the function name.";
    "openapi-enum" => Error,
        "A field has a value outside its allowed list.",
        "Fixed-vocabulary fields (parameter `in`, security scheme `type`, schema `type`) are matched exactly by every tool.";
    "openapi-example-conflict" => Error,
        "An OpenAPI 3.0 parameter, header or media type has both `example` and `examples`.",
        "The specification makes the two fields mutually exclusive (the official 3.0 schema rejects both together); tools pick one and silently drop the other.";
    "openapi-field-version" => Error,
        "A field is used in an OpenAPI version that does not have it.",
        "Fields differ between OpenAPI 3.0 and 3.1 (e.g. `webhooks`, `jsonSchemaDialect`, `license.identifier` are 3.1 only).";
    "openapi-parameter-schema-content" => Error,
        "A parameter or header has both or neither of `schema` and `content`.",
        "A Parameter or Header Object describes its value either with `schema` or with `content` (exactly one); the official schemas reject anything else.";
    "openapi-path-parameter-required" => Error,
        "A path parameter is not marked `required: true`.",
        "Path parameters are part of the URL and therefore always present; the specification requires `required: true`.";
    "openapi-path-parameter-undefined" => Error,
        "A path template `{name}` has no matching `in: path` parameter.",
        "Every template expression in a path must be described by a path parameter, or clients cannot build the URL.";
    "openapi-required" => Error,
        "A required OpenAPI/Swagger field is missing.",
        "The specification requires the field; documents without it are rejected by the official schema.";
    "openapi-security-undefined" => Error,
        "A security requirement names a scheme that is not defined.",
        "Security requirements must name schemes declared in `components/securitySchemes` (Swagger: `securityDefinitions`).";
    "openapi-tag-duplicate" => Error,
        "The same tag name is listed twice.",
        "Tag names must be unique (the specification requires it).";
    "openapi-type" => Error,
        "An OpenAPI/Swagger field has the wrong JSON type.",
        "Tools read fields with a fixed type; a value of another type is rejected by the official schema.";
    "openapi-unknown-field" => Error,
        "An OpenAPI/Swagger object holds a field the specification does not define.",
        "OpenAPI objects (including OpenAPI 3.0 and Swagger Schema Objects) are closed: only the specified fields and `x-` extensions are allowed.";
    "projection-contract" => Error,
        "A projection's contract cannot be loaded or used.",
        "A projection is checked against the AsyncAPI document its `contract:` names (relative to the projection file); without it no message, key or schema can be checked.";
    "projection-event-invalid" => Error,
        "An event of a replayed stream does not match its message's schemas in the contract.",
        "A read model folded from events the contract does not allow proves nothing about the real one; fix the stream or the contract (or pass `--no-validate`).";
    "projection-field-unknown" => Error,
        "A reducer writes a field that the closed `state` schema does not declare.",
        "With `additionalProperties: false` every row written with that field is invalid, and a snapshot serialised through the schema would drop it; declare the field or fix its name.",
        fail: "state: {type: object, additionalProperties: false, properties: {status: {type: string}}}\non:\n  SyncFailed: '.status = \"error\" | .lastEror = $event.payload.reason'",
        pass: "state: {type: object, additionalProperties: false, properties: {status: {type: string}, lastError: {type: string}}}\non:\n  SyncFailed: '.status = \"error\" | .lastError = $event.payload.reason'";
    "projection-initial-invalid" => Error,
        "The `initial` row of a projection does not fit its `state` schema.",
        "Every row starts as `initial`; if it does not fit `state`, the first event's row may not either, and readers of the model get rows the schema forbids.";
    "projection-invalid" => Error,
        "A projection file does not follow the projection format (`hnp-events schema projection`).",
        "The file is checked against its own JSON Schema so that every field is known and typed before anything runs; a misspelt field would otherwise be silently ignored.";
    "projection-key-missing" => Error,
        "A handled message does not declare the projection's key in its schema (or an event has no key).",
        "Each event is folded into the row named by the key pointer; a message without it cannot be routed to a row, so its events would be lost.";
    "projection-message-unknown" => Error,
        "A projection names a message its contract does not define.",
        "Reducers, `ignore` and upcasters name messages of the contract (`components.messages`); an unknown name is a typo or a message that was renamed.";
    "projection-not-idempotent" => Error,
        "A reducer changes the row again when the same event is delivered twice.",
        "At-least-once channels redeliver events (same idempotency key); a reducer such as `.syncs += 1` then counts twice. Make it idempotent, e.g. remember the last event id in the row.",
        fail: "SyncCompleted: '.syncs += 1'",
        pass: "SyncCompleted: 'if .lastEventId == $event.headers.id then . else .syncs += 1 | .lastEventId = $event.headers.id end'";
    "projection-order-sensitive" => Warning,
        "A projection's row depends on the order of events on a channel that declares no ordering.",
        "On a channel with `x-hnp-ordering: none` consumers may see events in any order; a reducer that does not commute (last writer wins, appending to a list) then builds different read models on different consumers.";
    "projection-reducer-failed" => Error,
        "A reducer raised a jq error or gave no single row for an event.",
        "A reducer must turn every event it handles into exactly one new row; an error or `empty` loses the event.";
    "projection-reducer-invalid" => Error,
        "A reducer (or a snapshot or upcaster transform) is not valid jq.",
        "Reducers are compiled once, before anything runs; the error points at the line and column of the expression in the projection file.";
    "projection-snapshot-divergent" => Error,
        "Restoring a snapshot and folding the rest of the stream gives other rows than folding from the start.",
        "Snapshots are only an optimisation: a row stored as a snapshot (through `persist`, the state schema and `restore`) must fold on to the same row, or the read model depends on when it was last restored.";
    "projection-state-invalid" => Error,
        "A row does not fit the projection's `state` schema after an event (or after a contract example).",
        "The read model is validated after every event so that the query side never serves a row its schema forbids; the finding names the event and the reducer.";
    "projection-unhandled-message" => Warning,
        "A message on the same channels as a projection's messages is neither handled nor ignored.",
        "A new event type on a channel a read model consumes is either relevant (add a reducer) or deliberately not (list it under `ignore:`); silence hides the decision.";
    "projection-upcast-invalid" => Error,
        "An upcaster does not turn an old event into a valid new one.",
        "Old events are upcast before folding; every example of the old message, and every old event of a replayed stream, must become an event its new message's schema accepts, through the whole chain.";
    "ref-cycle" => Error,
        "A chain of `$ref`s leads back to itself without reaching any content.",
        "`$ref: A` where A is `$ref: B` and B is `$ref: A` never resolves to a value. (Recursive schemas, whose references sit inside real content, are fine.)",
        fail: "components:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}",
        pass: "components:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B:\n      type: object\n      properties:\n        children: {type: array, items: {$ref: '#/components/schemas/B'}}   # recursive, with content";
    "ref-invalid" => Error,
        "The `$ref` value is not a valid reference.",
        "A reference must be a URI reference: a relative file path and/or a `#` JSON pointer starting with `/`.",
        fail: "payload: {$ref: 'components/schemas/Order'}   # no '#': read as a file path",
        pass: "payload: {$ref: '#/components/schemas/Order'}";
    "ref-outside-root" => Error,
        "A `$ref` points to a file outside the workspace root.",
        "Refs may only reach files under the workspace root so that validating an untrusted document cannot read arbitrary files. Use `--root` or `--allow-ref-outside` if this is intended.",
        fail: "payload: {$ref: '../../../etc/passwd'}",
        pass: "payload: {$ref: '#/components/schemas/Order'}   # or a file under the workspace root";
    "ref-remote" => Warning,
        "A `$ref` points to a remote URL, which is never fetched.",
        "hnp-events never uses the network. The content behind a remote reference is not validated; vendor it into the repository to have it checked.",
        fail: "payload: {$ref: 'https://example.com/schemas/order.json'}",
        pass: "payload: {$ref: '#/components/schemas/Order'}   # the schema copied into the document or the repository";
    "ref-unresolved" => Error,
        "A `$ref` points to a file or a JSON pointer that does not exist.",
        "An unresolvable reference makes the document invalid for every consumer: code generators, validators and documentation tools all fail on it.",
        fail: "channels:\n  orders:\n    messages:\n      OrderPlaced: {$ref: '#/components/messages/OrderPlacd'}   # a typo\ncomponents:\n  messages:\n    OrderPlaced: {payload: {type: object}}",
        pass: "channels:\n  orders:\n    messages:\n      OrderPlaced: {$ref: '#/components/messages/OrderPlaced'}\ncomponents:\n  messages:\n    OrderPlaced: {payload: {type: object}}";
    "saga-after-terminal" => Error,
        "A saga instance received an event after it ended.",
        "Once an instance is completed or compensated nothing may change it; a late event with a new id means a participant acted on a saga that was already over. List expected stragglers under `ignore`.";
    "saga-branch-incomplete" => Error,
        "A branch has no case for some value its pointer can take.",
        "The schema's `enum` lists every value the branch can see; an event with a value no case names fails the instance at run time. Add a case per value (an empty list of steps goes straight on).";
    "saga-capture-missing" => Error,
        "A command's `with` uses a value that may not have been captured when the command is sent.",
        "`capture: {NAME: POINTER}` reads a value from the start message or from the event that completes a step; `with: {NAME: POINTER}` writes it into a command. A value is there only when what captures it has happened on every path before the command: not a later step, a parallel sibling, a branch case that may not be taken, or a step that completes on its timeout. A compensation may use its own step's capture only if the step is never compensated in doubt (a timed-out or abandoned step captured nothing) or if the property it fills is optional in the command.";
    "saga-capture-type" => Error,
        "A command's `with` writes a captured value where the command's schema expects another type.",
        "The value is read (`capture`) where the source message's schema gives one type and written (`with`) where the command's schema asks for another: the command would be invalid. Capture the right property, or write it where the type fits.";
    "saga-child-correlation" => Error,
        "A child saga reads its correlation key at another pointer than its parent.",
        "A child saga runs under the key its parent gives it: the id of the command that starts it (`KEY/STEP/ATTEMPT`), written at the correlation pointer of the start message. Its outcome events come back under that key, which the parent reads at its own pointer: the two sagas must read the key at the same pointer.";
    "saga-child-cycle" => Error,
        "A child saga runs its parent again (directly or through other children).",
        "A saga cannot contain itself: the chain of child sagas would never end. Break the cycle.";
    "saga-child-invalid" => Error,
        "A child saga file cannot be read or parsed, or children nest too deep.",
        "The step names a child saga (`saga: PATH`, relative to the parent's file) that cannot be loaded; its own diagnostics follow. Fix the path or the child.";
    "saga-child-outcome" => Error,
        "A child saga declares no outcome event the parent can wait for.",
        "A step that runs a child saga completes on the child's `emits.onComplete` and fails on its `emits.onFailure`. Without `onComplete` the step never completes; without `onFailure`, a child that can fail leaves the parent waiting until its timeout, after which it cannot know whether the child's work stands.";
    "saga-child-readonly" => Error,
        "A step that runs a child saga is marked `readOnly`, but the child changes state.",
        "When the parent gives up after the child completed, a read-only step is not compensated: the child's effects stay. Drop `readOnly` and give the step a compensation that undoes the child's work (without `readOnly` the step is read-only exactly when every step of the child is).";
    "saga-child-start" => Error,
        "A child-saga step sends a message the child does not start on, or does not say which of several.",
        "The parent starts the child by sending one of the child's `start` messages (the step's `send`, or the child's only one). Any other message starts nothing, and the step waits until its timeout.";
    "saga-child-timeout" => Warning,
        "A child-saga step's timeout is shorter than the child's deadline.",
        "The parent gives up on the step (and compensates) while the child may still be working towards its deadline; the child's late success is then a late effect. Give the step a timeout at least the child's deadline plus the time its compensations take.";
    "saga-compensates-unknown" => Warning,
        "A contract's `x-hnp-compensates` names a message the contract does not have.",
        "`x-hnp-compensates` on a command's message or on the operation that sends it (AsyncAPI 3 `operations`, 2.x `publish` / `subscribe`) names the commands it undoes; the saga checks use it to tell a compensation on the wrong step (`saga-compensation-mismatch`) and a `readOnly` step that changes state (`saga-readonly-state-change`). An entry that names no message (a typo, a renamed command, a `$ref` to nothing) is ignored, so those checks silently see no inverse there: fix the name or the `$ref`.";
    "saga-compensation-mismatch" => Error,
        "A compensation sends a command that the contract declares undoes another command than its step's.",
        "A compensation must undo its own step: attached to the wrong step (two steps' compensations swapped), it undoes an effect that may not exist and leaves the step's own effect in place. The contract's `x-hnp-compensates` on a command (or on the operation that sends it) names the commands it undoes.";
    "saga-compensation-missing" => Warning,
        "A saga step that changes state has no compensation.",
        "If a later step fails, the saga cannot undo this one. Add a `compensation`, or mark the step `readOnly: true` or `pivot: true` (the point of no return) if that is intended.";
    "saga-compensation-order" => Error,
        "Compensations ran for a step that never completed, out of reverse order, or twice.",
        "A saga undoes exactly the steps that completed, last first, each once; anything else undoes work that was never done or undoes it twice.";
    "saga-concurrent-start" => Error,
        "A second start event arrives for the correlation key of a running instance.",
        "A correlation key must identify one run: when two runs share it, their events are merged into one instance and both go wrong. The second start is rejected; make the key unique per run (e.g. a run id, not the fabric id).";
    "saga-confirm-ambiguous" => Error,
        "A compensation is confirmed by a message that is also a forward reply.",
        "When a compensation's `confirm` (or `fail`) is the forward command's reply, a late forward reply \"confirms\" a compensation that never ran, and the compensation's answer can complete a forward step. Each compensation needs replies of its own.";
    "saga-contract" => Error,
        "The saga's contract cannot be read or parsed.",
        "A saga is checked and simulated against its AsyncAPI contract; without it nothing can be verified.";
    "saga-correlation-missing" => Error,
        "A message used by a saga does not declare the saga's correlation key.",
        "Instances are matched by the correlation key (a JSON pointer into every message); a message whose schema lacks it cannot be routed to its instance.";
    "saga-correlation-unknown" => Error,
        "A saga's correlation key is declared by none of the messages it uses.",
        "The key routes every message to its saga instance; when no message declares it (usually a typo in `correlation:`), nothing can be simulated, so the run stops here with the nearest pointer the messages do declare.";
    "saga-direction" => Warning,
        "A saga sends a message the contract does not let it send, waits for a command, or expects a reply the contract does not declare.",
        "The orchestrator sends commands (operations with a reply) and waits for their declared replies; using a message the other way round means the saga and the contract disagree.";
    "saga-duplicate-effect" => Error,
        "A redelivered message (same idempotency key) had a second effect.",
        "Delivery is at least once: the same CloudEvents `id` may arrive again and must change nothing the second time.";
    "saga-event-invalid" => Error,
        "A stream event does not match its message's schema in the contract.",
        "A simulation is only as good as its input: events that the contract rejects would be dead-lettered in production.";
    "saga-failure-event-missing" => Error,
        "A saga that can fail emits no failure event, or emits a success event on failure.",
        "Consumers learn how a run ended only from the saga's events: `emits.onFailure` must name a failure event, distinct from `onComplete`.";
    "saga-failure-unhandled" => Warning,
        "A saga step that sends a command lists no failure events.",
        "Every command can fail; without `fail` events the failure reply is an unexpected event and the saga waits for its timeout.";
    "saga-invalid" => Error,
        "The saga file is malformed: a missing field, a wrong type, an unknown field or a bad duration.",
        "The saga format is checked strictly so that a typo does not silently change the saga's behaviour.";
    "saga-late-effect" => Error,
        "A state-changing step the saga gave up on (its outcome unknown) took effect late, and nothing undoes it: the step has no compensation, the saga `ignore`s that success, or the saga had passed its pivot.",
        "When a command times out (`onTimeout: fail`, or every retry) or is abandoned, its effect may still happen. A late success of such a step runs that step's compensations again (their `if` evaluated on the late event, its captures available to `with`): after the compensation in flight while the saga is still compensating, or by reopening an instance that had ended, which then ends again as it had (a re-run compensation that fails for good is `saga-not-finished`). Nothing undoes the effect, and it outlives the saga, when the step has no compensation, when the saga lists its success message in `ignore:` (the late success is dropped once the step's compensation was sent), or past the pivot (nothing is compensated there); also past 64 late effects compensated again in one instance (a guard against endless re-runs). Without `causation`, a message that also answers one of the step's compensations already sent is taken as that answer, not as a late effect. Give the step a compensation (idempotent: it may run twice), do not ignore its success message, or give it a longer timeout or retries.";
    "saga-latency-objective" => Error,
        "A step's simulated p95 latency exceeds its objective.",
        "Steps may declare `p95: 100ms`; the simulation computes percentiles from the stream and checks them.";
    "saga-message-unknown" => Error,
        "A saga names a message that is not in its contract.",
        "Every command and event of a saga must be a message of the AsyncAPI contract, or the saga describes traffic that cannot exist.";
    "saga-not-finished" => Error,
        "A saga instance ended neither completed nor fully compensated, or waits forever.",
        "The saga guarantee: every instance completes or is compensated. A failure after the pivot, a compensation that failed, a completed step without compensation or a wait without timeout break it.";
    "saga-orphaned-timer" => Error,
        "A saga timer fired after its instance ended.",
        "Timers must be cancelled when the step they guard ends; an orphaned timer retries or compensates a saga that is over.";
    "saga-pivot-compensation" => Error,
        "A step after the pivot has a compensation.",
        "Past the pivot a saga only goes forward (its steps retry until they succeed); a compensation there can never run in order, so it hides a design error.";
    "saga-pointer-optional" => Warning,
        "A branch, `when` or correlation pointer is optional in its message's schema.",
        "An event without the property takes no branch case and matches no condition; without the correlation key it reaches no instance. Make it `required`.";
    "saga-pointer-unknown" => Error,
        "A branch or `when` pointer names a property the message's schema does not declare.",
        "The pointer can never match: the branch always fails or the condition never holds. It is usually a typo.";
    "saga-readonly-state-change" => Error,
        "A step marked `readOnly: true` sends a command that changes state.",
        "`readOnly` means the step needs no compensation. A command the contract gives an inverse (`x-hnp-compensates`), marks non-idempotent, or that the saga itself compensates on another step or sends as a compensation changes state: marked read-only, its effect is never undone when the saga gives up.";
    "saga-reply-foreign" => Error,
        "A reply names (at the saga's `causation` pointer) a command its instance did not send.",
        "The orchestrator names each command it sends `KEY/STEP/ATTEMPT`; a reply routed to an instance by its correlation key but caused by another instance's command carries the wrong correlation key (or the wrong causation). It completes nothing: taken by message type it would complete the wrong instance.";
    "saga-reply-misattributed" => Error,
        "Exploration: a reply was taken as the answer to another attempt than the one that caused it.",
        "Without `causation:`, a reply is matched to a step by its message type only, so a late failure reply of attempt 1 fails attempt 2, and a late success completes a retry whose own outcome is still unknown. Declare `causation: /headers/causationid` so that replies name the attempt they answer.";
    "saga-reply-stale" => Error,
        "A reply names an older attempt of its step, or a command its instance has not sent.",
        "A reply of an earlier attempt arriving while a retry is in flight says nothing about the retry: it is not a completion or a failure of it. Reported so that the participant's lateness (or a reply before its command) is seen; the instance goes on waiting for the attempt in flight.";
    "saga-retry-not-idempotent" => Error,
        "A step retries a command the contract marks `x-hnp-idempotent: false`.",
        "After a lost reply the command may have taken effect; retrying a non-idempotent command applies it twice. Fail instead, or make the command idempotent with a deduplication key.";
    "saga-stream-invalid" => Error,
        "An event stream line is malformed.",
        "Each stream event needs `time`, `message` and optional `headers`/`payload`; malformed lines make the simulation meaningless.";
    "saga-time-backwards" => Warning,
        "A stream event is stamped earlier than an event before it.",
        "Virtual time only goes forward: an event from the past is processed at the latest time seen, so timeouts around it may not be what the recording meant. Sort the recording by time, or fix the clock that stamped it.";
    "saga-timeout-complete-command" => Error,
        "A step that sends a command completes on timeout.",
        "When a command's reply does not arrive its outcome is unknown; `onTimeout: complete` goes on as if it had succeeded. Use `retry` (idempotent commands) or `fail`; `complete` is for steps that only wait.";
    "saga-timeout-missing" => Warning,
        "A saga step has no timeout.",
        "Without a timeout, a lost reply leaves the saga waiting forever. A saga-wide `deadline` bounds its steps and branches (the saga gives up then); compensations still need their own timeouts, since they run after it.";
    "saga-timeout-unhandled" => Warning,
        "A saga step's timeout has no handler.",
        "Each timeout needs `onTimeout: retry | fail | complete` (and a retry policy for retry) so that what happens at the deadline is explicit.";
    "saga-unexpected-event" => Error,
        "A saga instance received an event its current state neither handles nor ignores.",
        "Out-of-order, late and stray events must be decided on explicitly (handled or listed under `ignore`), never dropped silently.";
    "saga-unhandled-event" => Warning,
        "A saga state neither handles nor ignores some event of the saga.",
        "Every (state, event) pair should be handled or explicitly ignored, so that late or duplicated replies have a defined effect.";
    "saga-unknown-instance" => Error,
        "An event of a saga arrived for no running instance.",
        "The event's correlation key matches no instance: its start message was lost, or the key is wrong.";
    "saga-unknown-message" => Error,
        "A stream event names a message that is not in the contract.",
        "Only contract messages can travel between HNP components.";
    "saga-unreachable-step" => Error,
        "A saga step or branch case can never run.",
        "A step after a step that can never complete, or a branch case the contract's enum cannot produce, is dead code in the saga.";
    "schema-enum-duplicate" => Warning,
        "An `enum` lists the same value twice.",
        "A repeated enum value is redundant and usually a copy-paste mistake (draft-04 and OpenAPI 3.0 require unique values).";
    "schema-example-invalid" => Error,
        "An example does not match its schema.",
        "Examples are shown in documentation, used as mock data and copied into tests; an example its own schema rejects misleads all of them, or shows that the schema is wrong.";
    "stream-delivery-reliability" => Error,
        "Commands in a simulated stream are answered within their timeout less often than the objective (> 99.9 %).",
        "The HNP checklist asks Message_Delivery_Reliability > 99.9 %. `simulate` counts, from the instances' timelines, command and compensation attempts answered (success or failure reply) before their timeout against those that timed out; commands still in flight when the stream ends are not counted. The objective is `objectives.delivery` in hnp-events.yaml.",
        fail: "{\"time\":\"…00.000Z\",\"message\":\"SyncStarted\",…}\n# no reply to ValidateRepositoryAccess within 30s, nor to its retries", pass: "{\"time\":\"…00.400Z\",\"message\":\"RepositoryAccessValidated\",\"headers\":{\"causationid\":\"saga-…/validate-access/1\",…}}";
    "stream-latency-objective" => Error,
        "An event consumer's p95 reaction time in a simulated stream misses its objective (`x-hnp-latency`, default < 100 ms).",
        "The HNP checklist asks Event_Processing_Latency < 100 ms p95. `simulate` measures, per consumer operation, the time from an event to each reaction it causes (an event whose causation pointer names the first event's id) and compares the p95 with the consumer's `x-hnp-latency: {p95: …}` (at most), else the default for event consumers (`objectives.latency-p95`, below 100 ms); a saga step without `p95` is held to its command handler's `x-hnp-latency`. A malformed `x-hnp-latency` is reported at the operation.",
        fail: "{\"time\":\"…00.000Z\",\"message\":\"NetBoxObjectUpdated\",\"headers\":{\"id\":\"e1\",…}}\n{\"time\":\"…00.250Z\",\"message\":\"…\",\"headers\":{\"causationid\":\"e1\",…}}", pass: "{\"time\":\"…00.000Z\",\"message\":\"NetBoxObjectUpdated\",\"headers\":{\"id\":\"e1\",…}}\n{\"time\":\"…00.040Z\",\"message\":\"…\",\"headers\":{\"causationid\":\"e1\",…}}";
    "stream-ordering" => Error,
        "Events of one ordering key arrive in a simulated stream in another order than they were produced.",
        "The HNP checklist asks Event_Ordering_Guarantee 100 %. For messages on a channel with `x-hnp-ordering-key`, `simulate` groups events by the key's value and counts an event out of order when an event of the same key produced later (by the producer's `/headers/time`) arrived before it; the in-order ratio is compared with `objectives.ordering` (default 100 %).",
        fail: "# same /payload/sagaId\n{\"time\":\"…00.400Z\",\"headers\":{\"time\":\"…03.400Z\"},…}\n{\"time\":\"…03.400Z\",\"headers\":{\"time\":\"…00.400Z\"},…}", pass: "# same /payload/sagaId\n{\"time\":\"…00.400Z\",\"headers\":{\"time\":\"…00.400Z\"},…}\n{\"time\":\"…03.400Z\",\"headers\":{\"time\":\"…03.400Z\"},…}";
    "value-duplicate" => Error,
        "A list whose items the specification requires to be distinct repeats one.",
        "The official schemas declare these lists sets (`uniqueItems`): server names of a channel, scopes, media types, schemes, parameters, a schema's `required`; a repeated entry is a copy-paste slip that validators and code generators reject or silently merge.",
        fail: "servers: [production, production]", pass: "servers: [production, staging]";
    "value-format" => Error,
        "A URL, email address or regular expression field is malformed.",
        "The official schemas give these fields a `format` (`uri`, `uri-reference`, `email`, `regex`) that the AsyncAPI parser and Spectral check; a relative or malformed URL breaks every link, client and OAuth flow that follows it.",
        fail: "license:\n  name: MIT\n  url: opensource.org/licenses/MIT", pass: "license:\n  name: MIT\n  url: https://opensource.org/licenses/MIT";
    "value-not-in-enum" => Warning,
        "A parameter's or server variable's `default` or example is not one of its `enum` values.",
        "A default the enum does not allow is substituted whenever no value is given, so every client that relies on it sends a value the API itself declares impossible; an example outside the enum documents one.";
    "value-pattern" => Error,
        "A field's value does not have the form the specification requires.",
        "The official schemas constrain some strings by pattern: a Swagger `host` is a bare host and port, a `basePath` starts with `/`, a correlation ID or parameter `location` is a `$message.header#/…` or `$message.payload#/…` runtime expression; other values cannot be resolved by tools.",
        fail: "host: https://api.example.com/v1", pass: "host: api.example.com\nbasePath: /v1";
    "yaml-alias-limit" => Error,
        "YAML aliases expand to more nodes than allowed (an alias bomb).",
        "A few lines of nested aliases can expand to billions of nodes (the 'billion laughs' attack). Expansion is bounded so that validation runs in bounded memory.";
    "yaml-duplicate-key" => Error,
        "A mapping holds the same key twice.",
        "YAML 1.2 and JSON (RFC 8259, 'SHOULD be unique') leave duplicate keys ill-defined: tools silently keep the first or the last one. Both locations are reported.";
    "yaml-lenient" => Warning,
        "YAML that breaks a YAML 1.2 rule but that PyYAML, js-yaml and the AsyncAPI tools accept, read as they read it.",
        "A document that loads in every other tool should not fail CI here, yet a strict YAML 1.2 parser may reject it: the warning names the rule bent (e.g. a flow collection's closing bracket at the parent key's indentation) so it can be fixed at leisure.",
        fail: "tags: [\n    a,\n    b\n]   # inside a mapping: the `]` is no more indented than `tags`",
        pass: "tags: [\n    a,\n    b\n  ]";
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
