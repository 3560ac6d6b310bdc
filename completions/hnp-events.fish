# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_hnp_events_global_optspecs
    string join \n h/help V/version
end

function __fish_hnp_events_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_hnp_events_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_hnp_events_using_subcommand
    set -l cmd (__fish_hnp_events_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c hnp-events -n "__fish_hnp_events_needs_command" -s h -l help -d 'Print help'
complete -c hnp-events -n "__fish_hnp_events_needs_command" -s V -l version -d 'Print version'
complete -c hnp-events -n "__fish_hnp_events_needs_command" -f -a "validate" -d 'Check AsyncAPI, OpenAPI and Swagger documents and everything they $ref'
complete -c hnp-events -n "__fish_hnp_events_needs_command" -f -a "classify" -d 'Classify every operation as command, query, event or request/reply, with the reason'
complete -c hnp-events -n "__fish_hnp_events_needs_command" -f -a "rules" -d 'List every rule with its id, default severity and summary'
complete -c hnp-events -n "__fish_hnp_events_needs_command" -f -a "explain" -d 'Explain a rule: what it checks and why, with a failing and a passing example'
complete -c hnp-events -n "__fish_hnp_events_needs_command" -f -a "schema" -d 'Print a JSON Schema (for editors): of hnp-events.yaml or of saga files'
complete -c hnp-events -n "__fish_hnp_events_needs_command" -f -a "simulate" -d 'Run sagas over a recorded event stream: timelines, invariants, exploration'
complete -c hnp-events -n "__fish_hnp_events_needs_command" -f -a "codegen" -d 'Generate Rust or Python message types and handler skeletons, safely regenerable'
complete -c hnp-events -n "__fish_hnp_events_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c hnp-events -n "__fish_hnp_events_needs_command" -f -a "man" -d 'Print the man page (roff)'
complete -c hnp-events -n "__fish_hnp_events_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand validate" -s f -l format -d 'Output format' -r -f -a "human\t'Source excerpts with carets, for people (colour only on a terminal)'
json\t'A stable JSON document (see README "JSON output")'
sarif\t'SARIF 2.1.0 for code-scanning upload (GitHub, GitLab, Azure DevOps)'
junit\t'JUnit XML for CI test reports'
github\t'GitHub Actions workflow commands (annotations on the pull request)'
markdown\t'Markdown for a pull-request comment: the metrics table and the findings'"
complete -c hnp-events -n "__fish_hnp_events_using_subcommand validate" -s o -l output -d 'Write the report to FILE (atomically) instead of standard output' -r -F
complete -c hnp-events -n "__fish_hnp_events_using_subcommand validate" -l fail-on -d 'Lowest severity that makes the run fail (exit code 1) [default: error, or the config\'s]' -r -f -a "error\t''
warning\t''
info\t''
never\t''"
complete -c hnp-events -n "__fish_hnp_events_using_subcommand validate" -l root -d 'Workspace root: $refs may reach any file under it [default: the config\'s folder, else the git work tree holding the input, else the input\'s folder]' -r -F
complete -c hnp-events -n "__fish_hnp_events_using_subcommand validate" -s c -l config -d 'Configuration file [default: ./hnp-events.yaml when it exists]' -r -F
complete -c hnp-events -n "__fish_hnp_events_using_subcommand validate" -l color -d 'When to use colour in human output (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hnp-events -n "__fish_hnp_events_using_subcommand validate" -l rule -d 'Run only this rule (repeatable; see `hnp-events rules`)' -r
complete -c hnp-events -n "__fish_hnp_events_using_subcommand validate" -l skip-rule -d 'Do not run this rule (repeatable)' -r
complete -c hnp-events -n "__fish_hnp_events_using_subcommand validate" -l allow-ref-outside -d 'Let $refs reach files outside the workspace root'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand validate" -l no-config -d 'Ignore ./hnp-events.yaml'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand validate" -s q -l quiet -d 'Print only diagnostics (no summary line, no progress)'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand validate" -l no-gates -d 'Run the structural rules only: no architecture gates (for documents that are not event architectures)'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand validate" -s V -l version -d 'Print version'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand classify" -s f -l format -d 'Output format' -r -f -a "table\t'An aligned table'
json\t'JSON for tools'
markdown\t'A Markdown table for pull-request comments'"
complete -c hnp-events -n "__fish_hnp_events_using_subcommand classify" -l root -d 'Workspace root for $refs' -r -F
complete -c hnp-events -n "__fish_hnp_events_using_subcommand classify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand classify" -s V -l version -d 'Print version'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand rules" -l format -d 'Output format' -r -f -a "table\t''
json\t''"
complete -c hnp-events -n "__fish_hnp_events_using_subcommand rules" -s h -l help -d 'Print help'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand rules" -s V -l version -d 'Print version'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand explain" -s h -l help -d 'Print help'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand explain" -s V -l version -d 'Print version'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand schema" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand schema" -s V -l version -d 'Print version'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand simulate" -s e -l events -d 'The event stream (JSON Lines, or a YAML/JSON list)' -r -F
complete -c hnp-events -n "__fish_hnp_events_using_subcommand simulate" -s f -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c hnp-events -n "__fish_hnp_events_using_subcommand simulate" -l expect -d 'Compare final states and emitted events with FILE (golden)' -r -F
complete -c hnp-events -n "__fish_hnp_events_using_subcommand simulate" -l depth -d 'Perturbations combined per scenario (1 or 2)' -r
complete -c hnp-events -n "__fish_hnp_events_using_subcommand simulate" -l shard -d 'Run only shard K of N of the scenarios (e.g. 2/4)' -r
complete -c hnp-events -n "__fish_hnp_events_using_subcommand simulate" -l replay -d 'Reproduce a counterexample printed by --explore' -r
complete -c hnp-events -n "__fish_hnp_events_using_subcommand simulate" -l bless -d 'Write the --expect file from this run instead of comparing'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand simulate" -l explore -d 'Perturb the stream systematically and report minimised counterexamples'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand simulate" -l no-validate -d 'Do not validate events against the contract\'s schemas'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand simulate" -l timelines -d 'Print the timeline of every instance (default: all when there are at most 20)'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand simulate" -s q -l quiet -d 'Print only violations and the summary (and forget finished instances, for long streams)'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand simulate" -s h -l help -d 'Print help'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand simulate" -s V -l version -d 'Print version'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand codegen" -l lang -d 'Target language' -r -f -a "rust\t''
python\t''"
complete -c hnp-events -n "__fish_hnp_events_using_subcommand codegen" -l out -d 'Output folder [default: generated/LANG]' -r -F
complete -c hnp-events -n "__fish_hnp_events_using_subcommand codegen" -l name -d 'Crate or package name' -r
complete -c hnp-events -n "__fish_hnp_events_using_subcommand codegen" -l templates -d 'Folder of templates overriding the embedded ones by file name' -r -F
complete -c hnp-events -n "__fish_hnp_events_using_subcommand codegen" -l root -d 'Workspace root for $refs' -r -F
complete -c hnp-events -n "__fish_hnp_events_using_subcommand codegen" -l check -d 'Write nothing; exit 1 with a per-file summary if anything would change'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand codegen" -l dry-run -d 'Write nothing; list what would be written'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand codegen" -l force -d 'Overwrite (or delete) generated files edited by hand or with uncommitted git changes'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand codegen" -l allow-dirty -d 'Overwrite generated files with uncommitted git changes (hand edits are still refused)'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand codegen" -l list-templates -d 'List the templates and the context variables each receives'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand codegen" -s h -l help -d 'Print help'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand codegen" -s V -l version -d 'Print version'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand completions" -s h -l help -d 'Print help'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand completions" -s V -l version -d 'Print version'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand man" -s h -l help -d 'Print help'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand man" -s V -l version -d 'Print version'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand help; and not __fish_seen_subcommand_from validate classify rules explain schema simulate codegen completions man help" -f -a "validate" -d 'Check AsyncAPI, OpenAPI and Swagger documents and everything they $ref'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand help; and not __fish_seen_subcommand_from validate classify rules explain schema simulate codegen completions man help" -f -a "classify" -d 'Classify every operation as command, query, event or request/reply, with the reason'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand help; and not __fish_seen_subcommand_from validate classify rules explain schema simulate codegen completions man help" -f -a "rules" -d 'List every rule with its id, default severity and summary'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand help; and not __fish_seen_subcommand_from validate classify rules explain schema simulate codegen completions man help" -f -a "explain" -d 'Explain a rule: what it checks and why, with a failing and a passing example'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand help; and not __fish_seen_subcommand_from validate classify rules explain schema simulate codegen completions man help" -f -a "schema" -d 'Print a JSON Schema (for editors): of hnp-events.yaml or of saga files'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand help; and not __fish_seen_subcommand_from validate classify rules explain schema simulate codegen completions man help" -f -a "simulate" -d 'Run sagas over a recorded event stream: timelines, invariants, exploration'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand help; and not __fish_seen_subcommand_from validate classify rules explain schema simulate codegen completions man help" -f -a "codegen" -d 'Generate Rust or Python message types and handler skeletons, safely regenerable'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand help; and not __fish_seen_subcommand_from validate classify rules explain schema simulate codegen completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand help; and not __fish_seen_subcommand_from validate classify rules explain schema simulate codegen completions man help" -f -a "man" -d 'Print the man page (roff)'
complete -c hnp-events -n "__fish_hnp_events_using_subcommand help; and not __fish_seen_subcommand_from validate classify rules explain schema simulate codegen completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
