
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
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand validate 'Check AsyncAPI, OpenAPI and Swagger documents and everything they $ref'
            cand classify 'Classify every operation as command, query, event or request/reply, with the reason'
            cand rules 'List every rule with its id, default severity and summary'
            cand explain 'Explain a rule: what it checks and why'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
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
            cand --allow-ref-outside 'Let $refs reach files outside the workspace root'
            cand --no-config 'Ignore ./hnp-events.yaml'
            cand -q 'Print only diagnostics (no summary line, no progress)'
            cand --quiet 'Print only diagnostics (no summary line, no progress)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;classify'= {
            cand -f 'Output format'
            cand --format 'Output format'
            cand --root 'Workspace root for $refs'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;rules'= {
            cand --format 'Output format'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;explain'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;man'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hnp-events;help'= {
            cand validate 'Check AsyncAPI, OpenAPI and Swagger documents and everything they $ref'
            cand classify 'Classify every operation as command, query, event or request/reply, with the reason'
            cand rules 'List every rule with its id, default severity and summary'
            cand explain 'Explain a rule: what it checks and why'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hnp-events;help;validate'= {
        }
        &'hnp-events;help;classify'= {
        }
        &'hnp-events;help;rules'= {
        }
        &'hnp-events;help;explain'= {
        }
        &'hnp-events;help;completions'= {
        }
        &'hnp-events;help;man'= {
        }
        &'hnp-events;help;help'= {
        }
    ]
    $completions[$command]
}
