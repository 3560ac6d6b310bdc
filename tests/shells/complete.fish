# Ask fish what it completes for a command line, print the candidates (without their
# descriptions), one per line.
# usage: fish --no-config complete.fish SCRIPT WORKDIR LINE
source $argv[1]; or exit 3
cd $argv[2]; or exit 3
complete -C $argv[3] | string replace -r '\t.*' ''
exit 0  # string replace fails when no candidate has a description
