" Vim syntax file for Zoo, the model-description language of zooc.
" The keywords are those of grammar/Zoo.g4 (tests/Editors/vim-syntax.test keeps them in step).
if exists("b:current_syntax")
  finish
endif

" Declarations, statements and record items.
" A declaration keyword is one when a name follows (`model = Llama3_8B;` in a scenario is a field).
syn match   zooDeclaration "\<\%(block\|primitive\|enum\|model\|hardware\|precision\|scenario\|pipeline\|class\|runtime\|system\|optimizer\|training\|workload\|serving\|price\|grid\)\>\ze\s\+\h" nextgroup=zooDeclName skipwhite
syn keyword zooInclude     import
syn keyword zooRepeat      repeat for
syn keyword zooConditional if else
syn keyword zooKeyword     in with within expect measured source require
syn keyword zooBoolean     true false
syn keyword zooType        int real bool string
syn match   zooDeclName    "\<\h\w*\>" contained
" A call: a block, a primitive or a builtin (`ceil_div(...)`).
syn match   zooCall        "\<\h\w*\ze\s*("

" Numbers, with `_` separators and an exponent; a unit may follow (`80 GB`, `3.35 TB/s`).
syn match   zooNumber      "\<[0-9]\(_\=[0-9]\)*\(\.[0-9]\+\)\=\([eE][+-]\=[0-9]\+\)\=\>"
" A unit after a number (`80 GB`, `3.35 TB/s`, `8192 tokens`), not the keywords that may follow one.
syn match   zooUnit        "\%(\<[0-9][0-9_.]*\%([eE][+-]\=[0-9]\+\)\=\s\+\)\@<=\%(\%(within\|source\)\>\)\@!\h\w*\%(/\h\w*\)\="
syn match   zooOperator    "==\|!=\|<=\|>=\|&&\|||\|\~=\|\.\.\|[-+*/%<>!?:=]"

syn region  zooString      start=+"+ skip=+\\.+ end=+"+ oneline contains=zooEscape
syn match   zooEscape      +\\.+ contained
syn keyword zooTodo        TODO FIXME XXX NOTE contained
syn match   zooComment     "//.*$" contains=zooTodo,@Spell
syn region  zooComment     start="/\*" end="\*/" contains=zooTodo,@Spell

hi def link zooDeclaration Structure
hi def link zooDeclName    Identifier
hi def link zooInclude     Include
hi def link zooRepeat      Repeat
hi def link zooConditional Conditional
hi def link zooKeyword     Keyword
hi def link zooBoolean     Boolean
hi def link zooType        Type
hi def link zooNumber      Number
hi def link zooUnit        Special
hi def link zooCall        Function
hi def link zooOperator    Operator
hi def link zooString      String
hi def link zooEscape      SpecialChar
hi def link zooComment     Comment
hi def link zooTodo        Todo

let b:current_syntax = "zoo"
