# Runs zsh's completion system on a command line as TAB runs it in an interactive shell, and
# prints what it offers, one candidate a line (`candidate -- description` where it has one).
# zsh -f complete.zsh COMPLETION_DIR ZOOC_DIR 'COMMAND LINE': an interactive zsh on a
# pseudo-terminal, with COMPLETION_DIR first in $fpath, ZOOC_DIR first in $PATH and compinit run,
# gets the line and a TAB. Its `compadd` is wrapped to print the matches it is given that fit the
# word (then adds them as usual); the shell exits once the completion is done.
zmodload zsh/zpty || exit 2
local init=${TMPDIR:-/tmp}/complete-zsh-$$.zsh
cat > $init <<INIT
PS1= PS2= RPS1=
stty columns 500   # descriptions are cut to the terminal's width
fpath=(${(q)1} \$fpath)
path=(${(q)2} \$path)
autoload -Uz compinit && compinit -u -D
zstyle ':completion:*' insert-tab false
zstyle ':completion:*' list-grouped false
bindkey '^I' complete-word
compadd() {
  # Calls that fill or filter arrays for the completion functions themselves pass through.
  if (( \${@[(I)-[AOD]]} )); then
    builtin compadd "\$@"
    return
  fi
  local -a hits descr
  local i=\${@[(i)-d]}
  if (( i < \$# )); then
    local d=\${@[i+1]}
    [[ \$d == \(* ]] && eval "descr=\$d" || descr=("\${(@P)d}")
  fi
  # The matches that fit the word, and their descriptions filtered alike; a suffix the match
  # gets (= after --emit) is printed with it.
  builtin compadd -A hits -D descr "\$@"
  setopt localoptions extendedglob
  local sfx= a next=0
  for a in "\$@"; do
    (( next )) && { sfx=\$a; break }
    [[ \$a == -(-|a) ]] && break
    if [[ \$a == (#b)-[a-zA-Z]#S(*) ]]; then
      [[ -n \$match[1] ]] && { sfx=\$match[1]; break }
      next=1
    fi
  done
  for (( i = 1; i <= \$#hits; i++ )); do
    if (( i <= \$#descr )) && [[ \$descr[i] == *' -- '* ]]; then
      print -r -- "CANDIDATE: \$hits[i]\$sfx -- \${descr[i]#* -- }"
    else
      print -r -- "CANDIDATE: \$hits[i]\$sfx"
    fi
  done
  # Added for real too, so that the completion functions see what they found (a file pattern
  # with matches does not fall back to every file).
  builtin compadd "\$@"
}
comppostfuncs=(_complete_done)
_complete_done() { print -r -- COMPLETION-DONE; exit }
print -r -- READY
INIT
zpty z zsh -f -i
zpty -w z "source ${(q)init}"
local out
zpty -r -m z out '*READY*'
zpty -w -n z "$3"$'\t'
zpty -r -m z out '*COMPLETION-DONE*'
rm -f $init
local line
for line in ${(f)out//$'\r'/}; do
  # (the first may follow the terminal's escape sequences on its line)
  [[ $line == *CANDIDATE:\ * ]] && print -r -- ${line#*CANDIDATE: }
done | sort -u
