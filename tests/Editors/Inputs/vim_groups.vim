" Writes, for every word and operator of the buffer, `LINE:COL TEXT GROUP` to the file named by
" g:out (GROUP is `-` where no syntax item applies).
let s:lines = []
for lnum in range(1, line('$'))
  let text = getline(lnum)
  let col = 0
  while 1
    let m = matchstrpos(text, '\k\+\|[-+*/%<>=!?:~&|.]\+\|"[^"]*"\?', col)
    if m[1] < 0
      break
    endif
    let group = synIDattr(synID(lnum, m[1] + 1, 1), 'name')
    call add(s:lines, lnum . ':' . (m[1] + 1) . ' ' . m[0] . ' ' . (group == '' ? '-' : group))
    let col = m[2]
  endwhile
endfor
call writefile(s:lines, g:out)
