# Drive zsh's completion system as an interactive zsh does on <TAB>, print the matches
# offered, one per line. A zsh in a pseudo-terminal (zpty) loads the completion folder
# with compinit; a compadd wrapper prints every match it is given.
# usage: zsh -f complete.zsh COMPLETION_DIR WORKDIR LINE
zmodload zsh/zpty || exit 3
compdir=$1 workdir=$2 line=$3
zpty -b z zsh -f -i
zpty -w z "cd ${(q)workdir}"
zpty -w z "PS1='' RPROMPT=''; fpath=(${(q)compdir} \$fpath); autoload -Uz compinit; compinit -u -D"
# The markers are written split ("MA""TCH") so the echo of these input lines never
# matches the patterns read below.
zpty -w z 'compadd () { local -a m; builtin compadd -O m "$@"; local x; for x in $m; do print -r -- "MA""TCH:$x"; done; builtin compadd "$@"; }'
zpty -w z 'capture () { zle complete-word; print -r -- "DO""NE"; }; zle -N capture; bindkey "^T" capture'
zpty -w z 'print -r -- RE""ADY'
zpty -r z out '*READY*'
zpty -w -n z "$line"$'\x14'
zpty -r z out '*DONE*'
print -r -- "$out" | tr -d '\r' | sed -n 's/.*MATCH://p' | sort -u
zpty -d z
