" Zoo model-description files.
autocmd BufRead,BufNewFile *.zoo setfiletype zoo
