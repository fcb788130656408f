# Runs the bash completion of zooc on a command line: complete.sh COMPLETION ZOOC WORD... (the
# last word is the one being completed); prints the candidates, one per line.
source "$1"
zooc=$2
shift 2
COMP_WORDS=("$zooc" "$@")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
_zooc
printf '%s\n' "${COMPREPLY[@]}"
