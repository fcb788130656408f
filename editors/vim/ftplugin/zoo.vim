" Zoo: comments and indentation as the bundled zoo/ and stdlib/ are written (two spaces).
if exists("b:did_ftplugin")
  finish
endif
let b:did_ftplugin = 1
setlocal commentstring=//\ %s
setlocal comments=s1:/*,mb:*,ex:*/,://
setlocal shiftwidth=2 softtabstop=2 expandtab
setlocal textwidth=100
let b:undo_ftplugin = "setlocal commentstring< comments< shiftwidth< softtabstop< expandtab< textwidth<"
