//! `hnp-events graph`: the event-flow graph of an architecture (operations as `classify`
//! labels them, channels, messages, sagas, projections) and the state machines of
//! sagas, as Mermaid, Graphviz DOT, JSON or a self-contained SVG laid out here.
//!
//! Owns: `arch` (loading an architecture, with its gate metrics and findings, for
//! `graph` and `docs`), `flow` (the graph), `machine` (saga state machines), `layout`
//! (layered layout), `render` (the output formats). Reads `model`, `classify`,
//! `gates`, `saga` and `projection` through their public APIs; changes nothing there
//! and never prints.

pub mod arch;
pub mod flow;
pub mod layout;
pub mod machine;
pub mod render;

/// An output format of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A Mermaid flowchart, or stateDiagram-v2 for a saga (GitHub renders both)
    Mermaid,
    /// Graphviz DOT (`dot -Tsvg`)
    Dot,
    /// A self-contained SVG, laid out without Graphviz or a browser
    Svg,
    /// Nodes and edges as JSON
    Json,
}

/// Render the flow graph.
pub fn render_flow(g: &flow::Graph, format: Format, title: &str) -> String {
    match format {
        Format::Mermaid => render::flow_mermaid(g),
        Format::Dot => render::flow_dot(g),
        Format::Svg => render::flow_svg(g, title),
        Format::Json => render::flow_json(g),
    }
}

/// Render a saga's state machine.
pub fn render_machine(m: &machine::Machine, format: Format) -> String {
    match format {
        Format::Mermaid => render::machine_mermaid(m),
        Format::Dot => render::machine_dot(m),
        Format::Svg => render::machine_svg(m),
        Format::Json => render::machine_json(m),
    }
}
