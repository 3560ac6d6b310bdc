# Drive the bash completion function as bash does on <TAB>, print COMPREPLY one per line.
# usage: bash --norc --noprofile complete.bash SCRIPT WORKDIR LINE
# The line is split on blanks (the test lines hold no quotes); a trailing blank starts
# an empty word, as the cursor after a space does.
set -u
source "$1" || exit 3
cd "$2" || exit 3
COMP_LINE=$3
COMP_POINT=${#COMP_LINE}
read -ra COMP_WORDS <<<"$COMP_LINE"
[[ $COMP_LINE == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
# `complete -p` names the function registered for the command: call that one.
spec=$(complete -p "${COMP_WORDS[0]}") || exit 3
func=${spec#*-F }
func=${func%% *}
"$func" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
# With `-o default` bash itself completes file names when the function offers nothing.
if [[ ${#COMPREPLY[@]} -eq 0 && $spec == *'-o default'* ]]; then
    mapfile -t COMPREPLY < <(compgen -f -- "${COMP_WORDS[COMP_CWORD]}")
fi
printf '%s\n' "${COMPREPLY[@]}"
