# bash completion for zooc. Source it, or install it as
# /usr/share/bash-completion/completions/zooc (or ~/.local/share/bash-completion/completions/zooc);
# cmake --install puts it in share/bash-completion/completions under the prefix. zsh has its own:
# _zooc, beside this file.
# Options and their values come from `zooc --help-list`; names for --model, --hardware, the
# precisions and --runtime from `zooc --list=KIND` over the files and directories already on the
# command line, so they follow the user's own registry.

# The .zoo files and directories among the words of the command line.
_zooc_inputs() {
  local w
  for w in "${COMP_WORDS[@]:1}"; do
    [[ $w != -* && ( -d $w || $w == *.zoo ) ]] && printf '%s\n' "$w"
  done
}

_zooc() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} zooc=${COMP_WORDS[0]}
  local opt= val=
  if [[ $cur == --*=* ]]; then
    opt=${cur%%=*} val=${cur#*=}
  elif [[ $cur == = && $prev == --* ]]; then # bash splits `--opt=` at the `=`
    opt=$prev val=
  elif [[ $prev == = && COMP_CWORD -ge 2 && ${COMP_WORDS[COMP_CWORD-2]} == --* ]]; then
    opt=${COMP_WORDS[COMP_CWORD-2]} val=$cur
  fi
  if [[ -n $opt ]]; then
    local kind= words=
    case $opt in
      --model) kind=models ;;
      --hardware) kind=hardware ;;
      --weights|--kv|--activations|--compute|--expert-weights|--expert-compute) kind=precisions ;;
      --runtime) kind=runtimes ;;
      --emit|--list|--table)
        words=$("$zooc" --help-list 2>/dev/null |
          awk -v o="$opt=" '$1 ~ /^--/ { in_opt = index($1, o) == 1 } in_opt && $1 ~ /^=/ { print substr($1, 2) }') ;;
      -o|--stdlib|--cache-dir|--depfile|-I)
        COMPREPLY=($(compgen -f -- "$val")); return ;;
    esac
    if [[ -n $kind ]]; then
      local inputs
      mapfile -t inputs < <(_zooc_inputs)
      words=$("$zooc" --list="$kind" "${inputs[@]}" 2>/dev/null)
      # --model names a pipeline too.
      [[ $kind == models ]] && words+=" $("$zooc" --list=pipelines "${inputs[@]}" 2>/dev/null)"
    fi
    COMPREPLY=($(compgen -W "$words" -- "$val"))
    [[ $cur == --*=* ]] && COMPREPLY=("${COMPREPLY[@]/#/$opt=}")
    return
  fi
  if [[ $cur == -* ]]; then
    local opts
    opts=$("$zooc" --help-list 2>/dev/null | awk '$1 ~ /^-/ { sub(/=.*/, "=", $1); print $1 }')
    COMPREPLY=($(compgen -W "$opts import-hf" -- "$cur"))
    [[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
    return
  fi
  COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X '!*.zoo' -- "$cur"))
}
complete -F _zooc zooc
