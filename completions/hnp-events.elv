
use builtin;
use str;

set edit:completion:arg-completer[hnp-events] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'hnp-events'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'hnp-events'= {
            cand --max-file-size 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Write a commented hnp-events.yaml listing the API documents and sagas found here'
            cand validate 'Check AsyncAPI, OpenAPI and Swagger documents and everything they $ref'
            cand classify 'Classify every operation as command, query, event or request/reply, with the reason'
            cand rules 'List every rule with its id, default severity and summary'
            cand explain 'Explain a rule: what it checks and why (with examples, if it has them)'
            cand schema 'Print a JSON Schema (for editors): of hnp-events.yaml or of saga files'
            cand simulate 'Run sagas over a recorded event stream: timelines, invariants, exploration'
            cand codegen 'Generate Rust or Python message types and handler skeletons, safely regenerable'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff)'
            cand diff 'Compare two revisions of the contract: breaking changes, and which side they break'
            cand graph 'Draw the event flow (operations, channels, messages, sagas, projections) or a saga''s state machine: Mermaid, DOT, SVG or JSON'
            cand bundle 'Write a multi-file document as one file (external parts under components)'
            cand docs 'Write a self-contained HTML site (or Markdown) of the architecture: gates, flow, CQRS, channels, messages, sagas, projections'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hnp-events;init'= {
            cand --max-file-size 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]'
            cand --example 'Also write an example AsyncAPI contract (contracts/), saga (sagas/) and event stream (streams/) that pass `validate` and `simulate`'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;validate'= {
            cand -f 'Output format'
            cand --format 'Output format'
            cand -o 'Write the report to FILE (atomically) instead of standard output'
            cand --output 'Write the report to FILE (atomically) instead of standard output'
            cand --fail-on 'Lowest severity that makes the run fail (exit code 1) [default: error, or the config''s]'
            cand --root 'Workspace root: $refs may reach any file under it [default: the config''s folder, else the git work tree holding the input, else the input''s folder]'
            cand -c 'Configuration file [default: ./hnp-events.yaml when it exists]'
            cand --config 'Configuration file [default: ./hnp-events.yaml when it exists]'
            cand --color 'When to use colour in human output (NO_COLOR is honoured)'
            cand --rule 'Run only this rule (repeatable; see `hnp-events rules`)'
            cand --skip-rule 'Do not run this rule (repeatable)'
            cand --max-file-size 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]'
            cand --allow-ref-outside 'Let $refs reach files outside the workspace root'
            cand --no-config 'Ignore ./hnp-events.yaml'
            cand -q 'Print only diagnostics (no summary line, no progress)'
            cand --quiet 'Print only diagnostics (no summary line, no progress)'
            cand --no-gates 'Run the structural rules only: no architecture gates (for documents that are not event architectures)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;classify'= {
            cand -f 'Output format'
            cand --format 'Output format'
            cand --root 'Workspace root for $refs'
            cand --max-file-size 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;rules'= {
            cand --format 'Output format'
            cand --max-file-size 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;explain'= {
            cand --max-file-size 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;schema'= {
            cand --max-file-size 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;simulate'= {
            cand -e 'The event stream (JSON Lines, or a YAML/JSON list)'
            cand --events 'The event stream (JSON Lines, or a YAML/JSON list)'
            cand -f 'Output format'
            cand --format 'Output format'
            cand --expect 'Compare final states and emitted events with FILE (golden)'
            cand --depth 'Perturbations combined per scenario (1 or 2)'
            cand --shard 'Run only shard K of N of the scenarios (e.g. 2/4)'
            cand --max-scenarios 'Stop exploring after N scenarios (what was found so far is reported)'
            cand --time-budget 'Stop exploring after this long, e.g. 30s or 5m (what was found so far is reported)'
            cand --replay 'Reproduce a counterexample printed by --explore'
            cand --max-file-size 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]'
            cand --bless 'Write the --expect file from this run instead of comparing'
            cand --explore 'Perturb the stream systematically and report minimised counterexamples'
            cand --no-validate 'Do not validate events against the contract''s schemas'
            cand --timelines 'Print the timeline of every instance (default: all when there are at most 20)'
            cand -q 'Print only violations and the summary (and forget finished instances, for long streams)'
            cand --quiet 'Print only violations and the summary (and forget finished instances, for long streams)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;codegen'= {
            cand --lang 'Target language (required, except with --list-templates)'
            cand --out 'Output folder [default: generated/LANG]'
            cand --name 'Crate or package name [default: from the first document''s `info.title`, e.g. `shop-events` / `shop_events`]'
            cand --templates 'Folder of templates overriding the embedded ones by file name'
            cand --root 'Workspace root for $refs'
            cand --max-file-size 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]'
            cand --check 'Write nothing; exit 1 with a per-file summary if anything would change'
            cand --dry-run 'Write nothing; list what would be written'
            cand --force 'Overwrite (or delete) generated files edited by hand (in git: only committed edits, unless --allow-dirty)'
            cand --allow-dirty 'With --force, also discard hand edits that are not committed in git'
            cand --list-templates 'List the templates and the context variables each receives'
            cand --allow-invalid 'Generate even from a contract with errors (as `validate` reports them)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;completions'= {
            cand --max-file-size 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;man'= {
            cand --max-file-size 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;diff'= {
            cand --compatibility 'Compatibility mode of items declaring no `x-hnp-compatibility` (default: by direction: forward for what the application writes, backward for what it reads)'
            cand --tags 'Release tags (a glob, e.g. ''v*'') that `-transitive` modes check HEAD against, besides BASE'
            cand -f 'Output format (markdown: a changelog for a pull-request comment)'
            cand --format 'Output format (markdown: a changelog for a pull-request comment)'
            cand -o 'Write the report to FILE (atomically) instead of standard output'
            cand --output 'Write the report to FILE (atomically) instead of standard output'
            cand --fail-on 'Lowest severity that makes the run fail (exit code 1) [default: error, or the config''s]'
            cand --color 'When to use colour in human output (NO_COLOR is honoured)'
            cand --root 'Two files: $refs may reach any file under DIR [default: the config''s `root:` or folder, else the git work tree holding the file, else its folder]; git revisions always resolve inside their tree'
            cand --max-file-size 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]'
            cand --base-from-upstream 'Use the merge-base of HEAD with its upstream branch as BASE'
            cand -q 'Print only diagnostics (no summary line)'
            cand --quiet 'Print only diagnostics (no summary line)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;graph'= {
            cand -f 'Output format'
            cand --format 'Output format'
            cand --focus 'Draw only the neighbourhood of this node (an operation id, message name, channel address, saga or projection name)'
            cand --depth 'How many edges away from --focus to go'
            cand -o 'Write to this file instead of standard output'
            cand --output 'Write to this file instead of standard output'
            cand --root 'Workspace root for $refs'
            cand --max-file-size 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]'
            cand --with-findings 'Mark the nodes that architecture gates find lacking (runs the gates)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;bundle'= {
            cand -o 'The file to write'
            cand --out 'The file to write'
            cand -f 'Output format [default: by the --out extension: .json is JSON, else YAML]'
            cand --format 'Output format [default: by the --out extension: .json is JSON, else YAML]'
            cand --root 'Workspace root: $refs may reach any file under it'
            cand --max-file-size 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]'
            cand --dereference 'Inline every $ref except recursive ones'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;docs'= {
            cand -o 'The folder to write the site into (created if missing)'
            cand --out 'The folder to write the site into (created if missing)'
            cand -f 'HTML site or Markdown pages'
            cand --format 'HTML site or Markdown pages'
            cand --templates 'Folder of templates overriding the embedded ones by file name'
            cand --root 'Workspace root for $refs'
            cand --base 'Add the changelog from this git revision to the working tree (as `hnp-events diff REV` reports it for the documents)'
            cand --max-file-size 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;help'= {
            cand init 'Write a commented hnp-events.yaml listing the API documents and sagas found here'
            cand validate 'Check AsyncAPI, OpenAPI and Swagger documents and everything they $ref'
            cand classify 'Classify every operation as command, query, event or request/reply, with the reason'
            cand rules 'List every rule with its id, default severity and summary'
            cand explain 'Explain a rule: what it checks and why (with examples, if it has them)'
            cand schema 'Print a JSON Schema (for editors): of hnp-events.yaml or of saga files'
            cand simulate 'Run sagas over a recorded event stream: timelines, invariants, exploration'
            cand codegen 'Generate Rust or Python message types and handler skeletons, safely regenerable'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff)'
            cand diff 'Compare two revisions of the contract: breaking changes, and which side they break'
            cand graph 'Draw the event flow (operations, channels, messages, sagas, projections) or a saga''s state machine: Mermaid, DOT, SVG or JSON'
            cand bundle 'Write a multi-file document as one file (external parts under components)'
            cand docs 'Write a self-contained HTML site (or Markdown) of the architecture: gates, flow, CQRS, channels, messages, sagas, projections'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hnp-events;help;init'= {
        }
        &'hnp-events;help;validate'= {
        }
        &'hnp-events;help;classify'= {
        }
        &'hnp-events;help;rules'= {
        }
        &'hnp-events;help;explain'= {
        }
        &'hnp-events;help;schema'= {
        }
        &'hnp-events;help;simulate'= {
        }
        &'hnp-events;help;codegen'= {
        }
        &'hnp-events;help;completions'= {
        }
        &'hnp-events;help;man'= {
        }
        &'hnp-events;help;diff'= {
        }
        &'hnp-events;help;graph'= {
        }
        &'hnp-events;help;bundle'= {
        }
        &'hnp-events;help;docs'= {
        }
        &'hnp-events;help;help'= {
        }
    ]
    $completions[$command]
}
