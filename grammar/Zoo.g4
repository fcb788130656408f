// Zoo.g4 - the grammar of the Zoo model-description language.
//
// This is the only hand-written grammar of the project. The build turns it into C++ in the build
// directory (never committed). It describes syntax only: names, types, units and expansion are
// checked later by Sema. Keywords that users also want as parameter names (`in`) go through the
// `ident` rule.
grammar Zoo;

// The generated parser's base classes (compiler/include/zoo/Parse/ParserBase.h): the runtime's
// rule bookkeeping without its casts, and tree nodes from a pool. They change no parse.
options { superClass = ParserBase; contextSuperClass = PooledContext; }
@parser::postinclude { #include "zoo/Parse/ParserBase.h" }

file        : (importDecl | decl)* EOF ;

importDecl  : 'import' STRING ';' ;

decl        : blockDecl | primitiveDecl | enumDecl | modelDecl | hardwareDecl | precisionDecl
            | scenarioDecl | pipelineDecl | classDecl | runtimeDecl | systemDecl
            | optimizerDecl | trainingDecl | workloadDecl | servingDecl | priceDecl
            | gridDecl ;

// ---- blocks and primitives ----------------------------------------------------------------
blockDecl     : 'block' ident '(' paramList? ')' '{' stmt* '}' ;
primitiveDecl : 'primitive' ident '(' paramList? ')' ';' ;
paramList     : param (',' param)* ','? ;
param         : ident ':' typeRef ('=' expr)? ;
typeRef       : ident ('/' ident)* ;

enumDecl    : 'enum' ident '{' ident (',' ident)* ','? '}' ;

stmt        : call ';'                                                   # CallStmt
            | call '{' stmt* '}'                                         # CallBodyStmt
            | 'repeat' expr '{' stmt* '}'                                # RepeatStmt
            | 'for' ident 'in' expr '..' expr '{' stmt* '}'              # ForStmt
            | 'require' expr (',' STRING)? ';'                           # RequireStmt
            | ifStmt                                                     # IfStmtAlt
            ;
ifStmt      : 'if' expr '{' thenBody+=stmt* '}' ('else' (elseIf=ifStmt | '{' elseBody+=stmt* '}'))? ;
call        : callee=ident instance=ident? '(' argList? ')' ;
argList     : arg (',' arg)* ','? ;
arg         : (ident ':')? expr ;

// ---- models ----------------------------------------------------------------------------------
modelDecl   : 'model' name=ident '=' (arch=ident '(' argList? ')' | base=ident 'with' '(' argList? ')')
              (recordBody | ';') ;
recordBody  : '{' item* '}' ;
item        : ident '=' expr sourceTag? ';'                              # FieldItem
            | 'source' STRING ';'                                        # SourceItem
            | 'expect' metric=ident metricArgs? '==' expr ';'            # ExpectEqItem
            | 'expect' metric=ident metricArgs? '~=' expr 'within' tol=number '%' ';' # ExpectNearItem
            | 'measured' metric=ident '=' expr sourceTag? ';'            # MeasuredItem
            | kind=ident name=ident? recordBody                          # SectionItem
            ;
sourceTag   : 'source' STRING ;
metricArgs  : '(' argList? ')' ;

// ---- hardware and precisions ---------------------------------------------------------------
hardwareDecl  : 'hardware' name=ident ':' cls=ident recordBody ;
precisionDecl : 'precision' name=ident recordBody ;
scenarioDecl  : 'scenario' name=ident recordBody ;
pipelineDecl  : 'pipeline' name=ident recordBody ;
classDecl     : 'class' name=ident recordBody ;
runtimeDecl   : 'runtime' name=ident recordBody ;
systemDecl    : 'system' name=ident recordBody ;
optimizerDecl : 'optimizer' name=ident recordBody ;
trainingDecl  : 'training' name=ident recordBody ;
workloadDecl  : 'workload' name=ident recordBody ;
servingDecl   : 'serving' name=ident recordBody ;
priceDecl     : 'price' name=ident recordBody ;
gridDecl      : 'grid' name=ident recordBody ;

// ---- expressions (lowest precedence last) ---------------------------------------------------
expr        : op=('-' | '!' | '+') expr                                  # UnaryExpr
            | expr op=('*' | '/' | '%') expr                             # MulExpr
            | expr op=('+' | '-') expr                                   # AddExpr
            | expr op=('<' | '<=' | '>' | '>=') expr                     # CmpExpr
            | expr op=('==' | '!=') expr                                 # EqExpr
            | expr '&&' expr                                             # AndExpr
            | expr '||' expr                                             # OrExpr
            | <assoc=right> expr '?' expr ':' expr                       # CondExpr
            | primary                                                    # PrimaryExpr
            ;
primary     : number unit?                                               # NumberLit
            | STRING                                                     # StringLit
            | ('true' | 'false')                                         # BoolLit
            | ident '(' (expr (',' expr)*)? ')'                          # BuiltinCall
            | ident ('.' ident)*                                         # NameRef
            | '(' expr ')'                                               # ParenExpr
            ;
number      : INT | REAL ;
unit        : ident ('/' ident)? ;
ident       : ID | 'in' | 'model' | 'hardware' | 'precision' | 'scenario' | 'measured' | 'pipeline'
            | 'runtime' | 'system' | 'optimizer' | 'training' | 'workload' | 'serving' | 'price'
            | 'grid' ;

// ---- lexical ---------------------------------------------------------------------------------
INT         : [0-9] ('_'? [0-9])* ;
REAL        : [0-9] ('_'? [0-9])* '.' [0-9]+ ([eE] [+-]? [0-9]+)?
            | [0-9] ('_'? [0-9])* [eE] [+-]? [0-9]+ ;
STRING      : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;
ID          : [a-zA-Z_] [a-zA-Z_0-9]* ;
LINE_COMMENT  : '//' ~[\r\n]* -> channel(HIDDEN) ;
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN) ;
WS          : [ \t\r\n\f]+ -> channel(HIDDEN) ;
// Error tokens: the front end turns these into precise diagnostics before parsing.
// Only matches when no `*/` follows, so a terminated comment is never taken for one.
UNTERMINATED_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'* EOF ;
UNTERMINATED_STRING  : '"' (~["\\\r\n] | '\\' ~[\r\n])* ;
ERROR_CHAR  : . ;
