_hnp__events() {
    local i cur prev opts cmd
    COMPREPLY=()
    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
        cur="$2"
    else
        cur="${COMP_WORDS[COMP_CWORD]}"
    fi
    prev="$3"
    cmd=""
    opts=""

    for i in "${COMP_WORDS[@]:0:COMP_CWORD}"
    do
        case "${cmd},${i}" in
            ",$1")
                cmd="hnp__events"
                ;;
            hnp__events,bundle)
                cmd="hnp__events__subcmd__bundle"
                ;;
            hnp__events,classify)
                cmd="hnp__events__subcmd__classify"
                ;;
            hnp__events,codegen)
                cmd="hnp__events__subcmd__codegen"
                ;;
            hnp__events,completions)
                cmd="hnp__events__subcmd__completions"
                ;;
            hnp__events,diff)
                cmd="hnp__events__subcmd__diff"
                ;;
            hnp__events,docs)
                cmd="hnp__events__subcmd__docs"
                ;;
            hnp__events,explain)
                cmd="hnp__events__subcmd__explain"
                ;;
            hnp__events,graph)
                cmd="hnp__events__subcmd__graph"
                ;;
            hnp__events,help)
                cmd="hnp__events__subcmd__help"
                ;;
            hnp__events,init)
                cmd="hnp__events__subcmd__init"
                ;;
            hnp__events,man)
                cmd="hnp__events__subcmd__man"
                ;;
            hnp__events,rules)
                cmd="hnp__events__subcmd__rules"
                ;;
            hnp__events,schema)
                cmd="hnp__events__subcmd__schema"
                ;;
            hnp__events,simulate)
                cmd="hnp__events__subcmd__simulate"
                ;;
            hnp__events,validate)
                cmd="hnp__events__subcmd__validate"
                ;;
            hnp__events__subcmd__help,bundle)
                cmd="hnp__events__subcmd__help__subcmd__bundle"
                ;;
            hnp__events__subcmd__help,classify)
                cmd="hnp__events__subcmd__help__subcmd__classify"
                ;;
            hnp__events__subcmd__help,codegen)
                cmd="hnp__events__subcmd__help__subcmd__codegen"
                ;;
            hnp__events__subcmd__help,completions)
                cmd="hnp__events__subcmd__help__subcmd__completions"
                ;;
            hnp__events__subcmd__help,diff)
                cmd="hnp__events__subcmd__help__subcmd__diff"
                ;;
            hnp__events__subcmd__help,docs)
                cmd="hnp__events__subcmd__help__subcmd__docs"
                ;;
            hnp__events__subcmd__help,explain)
                cmd="hnp__events__subcmd__help__subcmd__explain"
                ;;
            hnp__events__subcmd__help,graph)
                cmd="hnp__events__subcmd__help__subcmd__graph"
                ;;
            hnp__events__subcmd__help,help)
                cmd="hnp__events__subcmd__help__subcmd__help"
                ;;
            hnp__events__subcmd__help,init)
                cmd="hnp__events__subcmd__help__subcmd__init"
                ;;
            hnp__events__subcmd__help,man)
                cmd="hnp__events__subcmd__help__subcmd__man"
                ;;
            hnp__events__subcmd__help,rules)
                cmd="hnp__events__subcmd__help__subcmd__rules"
                ;;
            hnp__events__subcmd__help,schema)
                cmd="hnp__events__subcmd__help__subcmd__schema"
                ;;
            hnp__events__subcmd__help,simulate)
                cmd="hnp__events__subcmd__help__subcmd__simulate"
                ;;
            hnp__events__subcmd__help,validate)
                cmd="hnp__events__subcmd__help__subcmd__validate"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        hnp__events)
            opts="-h -V --max-file-size --help --version init validate classify rules explain schema simulate codegen completions man diff graph bundle docs help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --max-file-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__bundle)
            opts="-o -f -h -V --out --dereference --format --root --max-file-size --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --out)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -o)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --format)
                    COMPREPLY=($(compgen -W "yaml json" -- "${cur}"))
                    return 0
                    ;;
                -f)
                    COMPREPLY=($(compgen -W "yaml json" -- "${cur}"))
                    return 0
                    ;;
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-file-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__classify)
            opts="-f -h -V --format --root --max-file-size --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --format)
                    COMPREPLY=($(compgen -W "table json markdown" -- "${cur}"))
                    return 0
                    ;;
                -f)
                    COMPREPLY=($(compgen -W "table json markdown" -- "${cur}"))
                    return 0
                    ;;
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-file-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__codegen)
            opts="-h -V --lang --out --name --templates --check --dry-run --force --allow-dirty --list-templates --root --allow-invalid --max-file-size --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --lang)
                    COMPREPLY=($(compgen -W "rust python" -- "${cur}"))
                    return 0
                    ;;
                --out)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --name)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --templates)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-file-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__completions)
            opts="-h -V --max-file-size --help --version bash elvish fish powershell zsh"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --max-file-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__diff)
            opts="-f -o -q -h -V --base-from-upstream --compatibility --tags --format --output --fail-on --quiet --color --root --max-file-size --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --compatibility)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tags)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --format)
                    COMPREPLY=($(compgen -W "human json sarif junit github markdown" -- "${cur}"))
                    return 0
                    ;;
                -f)
                    COMPREPLY=($(compgen -W "human json sarif junit github markdown" -- "${cur}"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -o)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --fail-on)
                    COMPREPLY=($(compgen -W "error warning info never" -- "${cur}"))
                    return 0
                    ;;
                --color)
                    COMPREPLY=($(compgen -W "auto always never" -- "${cur}"))
                    return 0
                    ;;
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-file-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__docs)
            opts="-o -f -h -V --out --format --templates --root --base --max-file-size --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --out)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -o)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --format)
                    COMPREPLY=($(compgen -W "html markdown" -- "${cur}"))
                    return 0
                    ;;
                -f)
                    COMPREPLY=($(compgen -W "html markdown" -- "${cur}"))
                    return 0
                    ;;
                --templates)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --base)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-file-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__explain)
            opts="-h -V --max-file-size --help --version asyncapi-channel-parameter-undeclared asyncapi-channel-parameter-unused asyncapi-component-name asyncapi-duplicate-message-id asyncapi-duplicate-operation-id asyncapi-enum asyncapi-field-version asyncapi-operation-message-not-in-channel asyncapi-ref-target asyncapi-required asyncapi-schema-format-unvalidated asyncapi-security-undefined asyncapi-server-undefined asyncapi-tag-duplicate asyncapi-type asyncapi-unknown-field config-invalid cqrs-ambiguous diff-added diff-breaking-upcast-covered diff-channel-address-changed diff-channel-parameters-changed diff-channel-removed diff-cloudevents-type-bumped diff-cloudevents-type-changed diff-cloudevents-version-not-bumped diff-compatibility-invalid diff-compatibility-unmatched diff-correlation-id-moved diff-delivery-weakened diff-document-removed diff-http-media-type-removed diff-http-operation-removed diff-http-parameter-required-added diff-http-response-header-removed diff-http-status-removed diff-idempotency-key-moved diff-message-removed diff-operation-action-changed diff-operation-removed diff-ordering-key-changed diff-renamed diff-reply-changed diff-saga-removed diff-saga-step-broken diff-schema-breaking diff-schema-undecided diff-security-added diff-server-removed diff-version-not-bumped document-empty document-kind-unknown document-version-missing document-version-unsupported file-binary file-encoding file-unreadable gate-cqrs-compliance gate-delivery-declared gate-error-handling-coverage gate-event-flow-coverage gate-idempotency-declared gate-not-measured gate-ordering-declared gate-pointer-missing gate-pointer-optional gate-projection-coverage gate-saga-completeness gate-schema-consistency gate-threshold json-syntax nesting-too-deep openapi-component-name openapi-duplicate-operation-id openapi-enum openapi-example-conflict openapi-field-version openapi-parameter-schema-content openapi-path-parameter-required openapi-path-parameter-undefined openapi-required openapi-security-undefined openapi-tag-duplicate openapi-type openapi-unknown-field projection-contract projection-event-invalid projection-field-unknown projection-initial-invalid projection-invalid projection-key-missing projection-message-unknown projection-not-idempotent projection-order-sensitive projection-reducer-failed projection-reducer-invalid projection-snapshot-divergent projection-state-invalid projection-unhandled-message projection-upcast-invalid ref-cycle ref-invalid ref-outside-root ref-remote ref-unresolved saga-after-terminal saga-branch-incomplete saga-capture-missing saga-capture-type saga-child-correlation saga-child-cycle saga-child-invalid saga-child-outcome saga-child-readonly saga-child-start saga-child-timeout saga-compensates-unknown saga-compensation-mismatch saga-compensation-missing saga-compensation-order saga-concurrent-start saga-confirm-ambiguous saga-contract saga-correlation-missing saga-correlation-unknown saga-direction saga-duplicate-effect saga-event-invalid saga-failure-event-missing saga-failure-unhandled saga-invalid saga-late-effect saga-latency-objective saga-message-unknown saga-not-finished saga-orphaned-timer saga-pivot-compensation saga-pointer-optional saga-pointer-unknown saga-readonly-state-change saga-reply-foreign saga-reply-misattributed saga-reply-stale saga-retry-not-idempotent saga-stream-invalid saga-time-backwards saga-timeout-complete-command saga-timeout-missing saga-timeout-unhandled saga-unexpected-event saga-unhandled-event saga-unknown-instance saga-unknown-message saga-unreachable-step schema-enum-duplicate schema-example-invalid stream-delivery-reliability stream-latency-objective stream-ordering value-duplicate value-format value-not-in-enum value-pattern yaml-alias-limit yaml-duplicate-key yaml-lenient yaml-syntax yaml-tab-indent"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --max-file-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__graph)
            opts="-f -o -h -V --format --focus --depth --with-findings --output --root --max-file-size --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --format)
                    COMPREPLY=($(compgen -W "mermaid dot svg json" -- "${cur}"))
                    return 0
                    ;;
                -f)
                    COMPREPLY=($(compgen -W "mermaid dot svg json" -- "${cur}"))
                    return 0
                    ;;
                --focus)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --depth)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -o)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-file-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__help)
            opts="init validate classify rules explain schema simulate codegen completions man diff graph bundle docs help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__help__subcmd__bundle)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__help__subcmd__classify)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__help__subcmd__codegen)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__help__subcmd__completions)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__help__subcmd__diff)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__help__subcmd__docs)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__help__subcmd__explain)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__help__subcmd__graph)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__help__subcmd__init)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__help__subcmd__man)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__help__subcmd__rules)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__help__subcmd__schema)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__help__subcmd__simulate)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__help__subcmd__validate)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__init)
            opts="-h -V --example --max-file-size --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --max-file-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__man)
            opts="-h -V --max-file-size --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --max-file-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__rules)
            opts="-h -V --format --max-file-size --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --format)
                    COMPREPLY=($(compgen -W "table json" -- "${cur}"))
                    return 0
                    ;;
                --max-file-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__schema)
            opts="-h -V --max-file-size --help --version config saga projection upcast"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --max-file-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__simulate)
            opts="-e -f -q -h -V --events --format --expect --bless --explore --depth --shard --max-scenarios --time-budget --replay --no-validate --timelines --quiet --max-file-size --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --events)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -e)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --format)
                    COMPREPLY=($(compgen -W "human json" -- "${cur}"))
                    return 0
                    ;;
                -f)
                    COMPREPLY=($(compgen -W "human json" -- "${cur}"))
                    return 0
                    ;;
                --expect)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --depth)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --shard)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-scenarios)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --time-budget)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --replay)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-file-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        hnp__events__subcmd__validate)
            opts="-f -o -c -q -h -V --format --output --fail-on --root --allow-ref-outside --config --no-config --quiet --color --no-gates --rule --skip-rule --max-file-size --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --format)
                    COMPREPLY=($(compgen -W "human json sarif junit github markdown" -- "${cur}"))
                    return 0
                    ;;
                -f)
                    COMPREPLY=($(compgen -W "human json sarif junit github markdown" -- "${cur}"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -o)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --fail-on)
                    COMPREPLY=($(compgen -W "error warning info never" -- "${cur}"))
                    return 0
                    ;;
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -c)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --color)
                    COMPREPLY=($(compgen -W "auto always never" -- "${cur}"))
                    return 0
                    ;;
                --rule)
                    COMPREPLY=($(compgen -W "asyncapi-channel-parameter-undeclared asyncapi-channel-parameter-unused asyncapi-component-name asyncapi-duplicate-message-id asyncapi-duplicate-operation-id asyncapi-enum asyncapi-field-version asyncapi-operation-message-not-in-channel asyncapi-ref-target asyncapi-required asyncapi-schema-format-unvalidated asyncapi-security-undefined asyncapi-server-undefined asyncapi-tag-duplicate asyncapi-type asyncapi-unknown-field config-invalid cqrs-ambiguous diff-added diff-breaking-upcast-covered diff-channel-address-changed diff-channel-parameters-changed diff-channel-removed diff-cloudevents-type-bumped diff-cloudevents-type-changed diff-cloudevents-version-not-bumped diff-compatibility-invalid diff-compatibility-unmatched diff-correlation-id-moved diff-delivery-weakened diff-document-removed diff-http-media-type-removed diff-http-operation-removed diff-http-parameter-required-added diff-http-response-header-removed diff-http-status-removed diff-idempotency-key-moved diff-message-removed diff-operation-action-changed diff-operation-removed diff-ordering-key-changed diff-renamed diff-reply-changed diff-saga-removed diff-saga-step-broken diff-schema-breaking diff-schema-undecided diff-security-added diff-server-removed diff-version-not-bumped document-empty document-kind-unknown document-version-missing document-version-unsupported file-binary file-encoding file-unreadable gate-cqrs-compliance gate-delivery-declared gate-error-handling-coverage gate-event-flow-coverage gate-idempotency-declared gate-not-measured gate-ordering-declared gate-pointer-missing gate-pointer-optional gate-projection-coverage gate-saga-completeness gate-schema-consistency gate-threshold json-syntax nesting-too-deep openapi-component-name openapi-duplicate-operation-id openapi-enum openapi-example-conflict openapi-field-version openapi-parameter-schema-content openapi-path-parameter-required openapi-path-parameter-undefined openapi-required openapi-security-undefined openapi-tag-duplicate openapi-type openapi-unknown-field projection-contract projection-event-invalid projection-field-unknown projection-initial-invalid projection-invalid projection-key-missing projection-message-unknown projection-not-idempotent projection-order-sensitive projection-reducer-failed projection-reducer-invalid projection-snapshot-divergent projection-state-invalid projection-unhandled-message projection-upcast-invalid ref-cycle ref-invalid ref-outside-root ref-remote ref-unresolved saga-after-terminal saga-branch-incomplete saga-capture-missing saga-capture-type saga-child-correlation saga-child-cycle saga-child-invalid saga-child-outcome saga-child-readonly saga-child-start saga-child-timeout saga-compensates-unknown saga-compensation-mismatch saga-compensation-missing saga-compensation-order saga-concurrent-start saga-confirm-ambiguous saga-contract saga-correlation-missing saga-correlation-unknown saga-direction saga-duplicate-effect saga-event-invalid saga-failure-event-missing saga-failure-unhandled saga-invalid saga-late-effect saga-latency-objective saga-message-unknown saga-not-finished saga-orphaned-timer saga-pivot-compensation saga-pointer-optional saga-pointer-unknown saga-readonly-state-change saga-reply-foreign saga-reply-misattributed saga-reply-stale saga-retry-not-idempotent saga-stream-invalid saga-time-backwards saga-timeout-complete-command saga-timeout-missing saga-timeout-unhandled saga-unexpected-event saga-unhandled-event saga-unknown-instance saga-unknown-message saga-unreachable-step schema-enum-duplicate schema-example-invalid stream-delivery-reliability stream-latency-objective stream-ordering value-duplicate value-format value-not-in-enum value-pattern yaml-alias-limit yaml-duplicate-key yaml-lenient yaml-syntax yaml-tab-indent" -- "${cur}"))
                    return 0
                    ;;
                --skip-rule)
                    COMPREPLY=($(compgen -W "asyncapi-channel-parameter-undeclared asyncapi-channel-parameter-unused asyncapi-component-name asyncapi-duplicate-message-id asyncapi-duplicate-operation-id asyncapi-enum asyncapi-field-version asyncapi-operation-message-not-in-channel asyncapi-ref-target asyncapi-required asyncapi-schema-format-unvalidated asyncapi-security-undefined asyncapi-server-undefined asyncapi-tag-duplicate asyncapi-type asyncapi-unknown-field config-invalid cqrs-ambiguous diff-added diff-breaking-upcast-covered diff-channel-address-changed diff-channel-parameters-changed diff-channel-removed diff-cloudevents-type-bumped diff-cloudevents-type-changed diff-cloudevents-version-not-bumped diff-compatibility-invalid diff-compatibility-unmatched diff-correlation-id-moved diff-delivery-weakened diff-document-removed diff-http-media-type-removed diff-http-operation-removed diff-http-parameter-required-added diff-http-response-header-removed diff-http-status-removed diff-idempotency-key-moved diff-message-removed diff-operation-action-changed diff-operation-removed diff-ordering-key-changed diff-renamed diff-reply-changed diff-saga-removed diff-saga-step-broken diff-schema-breaking diff-schema-undecided diff-security-added diff-server-removed diff-version-not-bumped document-empty document-kind-unknown document-version-missing document-version-unsupported file-binary file-encoding file-unreadable gate-cqrs-compliance gate-delivery-declared gate-error-handling-coverage gate-event-flow-coverage gate-idempotency-declared gate-not-measured gate-ordering-declared gate-pointer-missing gate-pointer-optional gate-projection-coverage gate-saga-completeness gate-schema-consistency gate-threshold json-syntax nesting-too-deep openapi-component-name openapi-duplicate-operation-id openapi-enum openapi-example-conflict openapi-field-version openapi-parameter-schema-content openapi-path-parameter-required openapi-path-parameter-undefined openapi-required openapi-security-undefined openapi-tag-duplicate openapi-type openapi-unknown-field projection-contract projection-event-invalid projection-field-unknown projection-initial-invalid projection-invalid projection-key-missing projection-message-unknown projection-not-idempotent projection-order-sensitive projection-reducer-failed projection-reducer-invalid projection-snapshot-divergent projection-state-invalid projection-unhandled-message projection-upcast-invalid ref-cycle ref-invalid ref-outside-root ref-remote ref-unresolved saga-after-terminal saga-branch-incomplete saga-capture-missing saga-capture-type saga-child-correlation saga-child-cycle saga-child-invalid saga-child-outcome saga-child-readonly saga-child-start saga-child-timeout saga-compensates-unknown saga-compensation-mismatch saga-compensation-missing saga-compensation-order saga-concurrent-start saga-confirm-ambiguous saga-contract saga-correlation-missing saga-correlation-unknown saga-direction saga-duplicate-effect saga-event-invalid saga-failure-event-missing saga-failure-unhandled saga-invalid saga-late-effect saga-latency-objective saga-message-unknown saga-not-finished saga-orphaned-timer saga-pivot-compensation saga-pointer-optional saga-pointer-unknown saga-readonly-state-change saga-reply-foreign saga-reply-misattributed saga-reply-stale saga-retry-not-idempotent saga-stream-invalid saga-time-backwards saga-timeout-complete-command saga-timeout-missing saga-timeout-unhandled saga-unexpected-event saga-unhandled-event saga-unknown-instance saga-unknown-message saga-unreachable-step schema-enum-duplicate schema-example-invalid stream-delivery-reliability stream-latency-objective stream-ordering value-duplicate value-format value-not-in-enum value-pattern yaml-alias-limit yaml-duplicate-key yaml-lenient yaml-syntax yaml-tab-indent" -- "${cur}"))
                    return 0
                    ;;
                --max-file-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
    esac
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _hnp__events -o nosort -o bashdefault -o default hnp-events
else
    complete -F _hnp__events -o bashdefault -o default hnp-events
fi
