
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'hnp-events' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'hnp-events'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'hnp-events' {
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented hnp-events.yaml listing the API documents and sagas found here')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check AsyncAPI, OpenAPI and Swagger documents and everything they $ref')
            [CompletionResult]::new('classify', 'classify', [CompletionResultType]::ParameterValue, 'Classify every operation as command, query, event or request/reply, with the reason')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List every rule with its id, default severity and summary')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Explain a rule: what it checks and why (with examples, if it has them)')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print a JSON Schema (for editors): of hnp-events.yaml or of saga files')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Run sagas over a recorded event stream: timelines, invariants, exploration')
            [CompletionResult]::new('codegen', 'codegen', [CompletionResultType]::ParameterValue, 'Generate Rust or Python message types and handler skeletons, safely regenerable')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Compare two revisions of the contract: breaking changes, and which side they break')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'Draw the event flow (operations, channels, messages, sagas, projections) or a saga''s state machine: Mermaid, DOT, SVG or JSON')
            [CompletionResult]::new('bundle', 'bundle', [CompletionResultType]::ParameterValue, 'Write a multi-file document as one file (external parts under components)')
            [CompletionResult]::new('docs', 'docs', [CompletionResultType]::ParameterValue, 'Write a self-contained HTML site (or Markdown) of the architecture: gates, flow, CQRS, channels, messages, sagas, projections')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hnp-events;init' {
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]')
            [CompletionResult]::new('--example', '--example', [CompletionResultType]::ParameterName, 'Also write an example AsyncAPI contract (contracts/), saga (sagas/) and event stream (streams/) that pass `validate` and `simulate`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hnp-events;validate' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the report to FILE (atomically) instead of standard output')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the report to FILE (atomically) instead of standard output')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Lowest severity that makes the run fail (exit code 1) [default: error, or the config''s]')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root: $refs may reach any file under it [default: the config''s folder, else the git work tree holding the input, else the input''s folder]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: ./hnp-events.yaml when it exists]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./hnp-events.yaml when it exists]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour in human output (NO_COLOR is honoured)')
            [CompletionResult]::new('--rule', '--rule', [CompletionResultType]::ParameterName, 'Run only this rule (repeatable; see `hnp-events rules`)')
            [CompletionResult]::new('--skip-rule', '--skip-rule', [CompletionResultType]::ParameterName, 'Do not run this rule (repeatable)')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]')
            [CompletionResult]::new('--allow-ref-outside', '--allow-ref-outside', [CompletionResultType]::ParameterName, 'Let $refs reach files outside the workspace root')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore ./hnp-events.yaml')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only diagnostics (no summary line, no progress)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only diagnostics (no summary line, no progress)')
            [CompletionResult]::new('--no-gates', '--no-gates', [CompletionResultType]::ParameterName, 'Run the structural rules only: no architecture gates (for documents that are not event architectures)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hnp-events;classify' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root for $refs')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hnp-events;rules' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hnp-events;explain' {
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hnp-events;schema' {
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hnp-events;simulate' {
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'The event stream (JSON Lines, or a YAML/JSON list)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'The event stream (JSON Lines, or a YAML/JSON list)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--expect', '--expect', [CompletionResultType]::ParameterName, 'Compare final states and emitted events with FILE (golden)')
            [CompletionResult]::new('--depth', '--depth', [CompletionResultType]::ParameterName, 'Perturbations combined per scenario (1 or 2)')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Run only shard K of N of the scenarios (e.g. 2/4)')
            [CompletionResult]::new('--max-scenarios', '--max-scenarios', [CompletionResultType]::ParameterName, 'Stop exploring after N scenarios (what was found so far is reported)')
            [CompletionResult]::new('--time-budget', '--time-budget', [CompletionResultType]::ParameterName, 'Stop exploring after this long, e.g. 30s or 5m (what was found so far is reported)')
            [CompletionResult]::new('--replay', '--replay', [CompletionResultType]::ParameterName, 'Reproduce a counterexample printed by --explore')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]')
            [CompletionResult]::new('--bless', '--bless', [CompletionResultType]::ParameterName, 'Write the --expect file from this run instead of comparing')
            [CompletionResult]::new('--explore', '--explore', [CompletionResultType]::ParameterName, 'Perturb the stream systematically and report minimised counterexamples')
            [CompletionResult]::new('--no-validate', '--no-validate', [CompletionResultType]::ParameterName, 'Do not validate events against the contract''s schemas')
            [CompletionResult]::new('--timelines', '--timelines', [CompletionResultType]::ParameterName, 'Print the timeline of every instance (default: all when there are at most 20)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only violations and the summary (and forget finished instances, for long streams)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only violations and the summary (and forget finished instances, for long streams)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hnp-events;codegen' {
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Target language (required, except with --list-templates)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output folder [default: generated/LANG]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Crate or package name [default: from the first document''s `info.title`, e.g. `shop-events` / `shop_events`]')
            [CompletionResult]::new('--templates', '--templates', [CompletionResultType]::ParameterName, 'Folder of templates overriding the embedded ones by file name')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root for $refs')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Write nothing; exit 1 with a per-file summary if anything would change')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Write nothing; list what would be written')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite (or delete) generated files edited by hand (in git: only committed edits, unless --allow-dirty)')
            [CompletionResult]::new('--allow-dirty', '--allow-dirty', [CompletionResultType]::ParameterName, 'With --force, also discard hand edits that are not committed in git')
            [CompletionResult]::new('--list-templates', '--list-templates', [CompletionResultType]::ParameterName, 'List the templates and the context variables each receives')
            [CompletionResult]::new('--allow-invalid', '--allow-invalid', [CompletionResultType]::ParameterName, 'Generate even from a contract with errors (as `validate` reports them)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hnp-events;completions' {
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hnp-events;man' {
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hnp-events;diff' {
            [CompletionResult]::new('--compatibility', '--compatibility', [CompletionResultType]::ParameterName, 'Compatibility mode of items declaring no `x-hnp-compatibility` (default: by direction: forward for what the application writes, backward for what it reads)')
            [CompletionResult]::new('--tags', '--tags', [CompletionResultType]::ParameterName, 'Release tags (a glob, e.g. ''v*'') that `-transitive` modes check HEAD against, besides BASE')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format (markdown: a changelog for a pull-request comment)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format (markdown: a changelog for a pull-request comment)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the report to FILE (atomically) instead of standard output')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the report to FILE (atomically) instead of standard output')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Lowest severity that makes the run fail (exit code 1) [default: error, or the config''s]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour in human output (NO_COLOR is honoured)')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Two files: $refs may reach any file under DIR [default: the config''s `root:` or folder, else the git work tree holding the file, else its folder]; git revisions always resolve inside their tree')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]')
            [CompletionResult]::new('--base-from-upstream', '--base-from-upstream', [CompletionResultType]::ParameterName, 'Use the merge-base of HEAD with its upstream branch as BASE')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only diagnostics (no summary line)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only diagnostics (no summary line)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hnp-events;graph' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--focus', '--focus', [CompletionResultType]::ParameterName, 'Draw only the neighbourhood of this node (an operation id, message name, channel address, saga or projection name)')
            [CompletionResult]::new('--depth', '--depth', [CompletionResultType]::ParameterName, 'How many edges away from --focus to go')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to this file instead of standard output')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to this file instead of standard output')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root for $refs')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]')
            [CompletionResult]::new('--with-findings', '--with-findings', [CompletionResultType]::ParameterName, 'Mark the nodes that architecture gates find lacking (runs the gates)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hnp-events;bundle' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The file to write')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The file to write')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format [default: by the --out extension: .json is JSON, else YAML]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: by the --out extension: .json is JSON, else YAML]')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root: $refs may reach any file under it')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]')
            [CompletionResult]::new('--dereference', '--dereference', [CompletionResultType]::ParameterName, 'Inline every $ref except recursive ones')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hnp-events;docs' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The folder to write the site into (created if missing)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The folder to write the site into (created if missing)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'HTML site or Markdown pages')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'HTML site or Markdown pages')
            [CompletionResult]::new('--templates', '--templates', [CompletionResultType]::ParameterName, 'Folder of templates overriding the embedded ones by file name')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root for $refs')
            [CompletionResult]::new('--base', '--base', [CompletionResultType]::ParameterName, 'Add the changelog from this git revision to the working tree (as `hnp-events diff REV` reports it for the documents)')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Largest input file read (documents, $ref targets, sagas, streams'' lines); larger files are refused before reading [default: 256M]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hnp-events;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented hnp-events.yaml listing the API documents and sagas found here')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check AsyncAPI, OpenAPI and Swagger documents and everything they $ref')
            [CompletionResult]::new('classify', 'classify', [CompletionResultType]::ParameterValue, 'Classify every operation as command, query, event or request/reply, with the reason')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List every rule with its id, default severity and summary')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Explain a rule: what it checks and why (with examples, if it has them)')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print a JSON Schema (for editors): of hnp-events.yaml or of saga files')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Run sagas over a recorded event stream: timelines, invariants, exploration')
            [CompletionResult]::new('codegen', 'codegen', [CompletionResultType]::ParameterValue, 'Generate Rust or Python message types and handler skeletons, safely regenerable')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Compare two revisions of the contract: breaking changes, and which side they break')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'Draw the event flow (operations, channels, messages, sagas, projections) or a saga''s state machine: Mermaid, DOT, SVG or JSON')
            [CompletionResult]::new('bundle', 'bundle', [CompletionResultType]::ParameterValue, 'Write a multi-file document as one file (external parts under components)')
            [CompletionResult]::new('docs', 'docs', [CompletionResultType]::ParameterValue, 'Write a self-contained HTML site (or Markdown) of the architecture: gates, flow, CQRS, channels, messages, sagas, projections')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hnp-events;help;init' {
            break
        }
        'hnp-events;help;validate' {
            break
        }
        'hnp-events;help;classify' {
            break
        }
        'hnp-events;help;rules' {
            break
        }
        'hnp-events;help;explain' {
            break
        }
        'hnp-events;help;schema' {
            break
        }
        'hnp-events;help;simulate' {
            break
        }
        'hnp-events;help;codegen' {
            break
        }
        'hnp-events;help;completions' {
            break
        }
        'hnp-events;help;man' {
            break
        }
        'hnp-events;help;diff' {
            break
        }
        'hnp-events;help;graph' {
            break
        }
        'hnp-events;help;bundle' {
            break
        }
        'hnp-events;help;docs' {
            break
        }
        'hnp-events;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
