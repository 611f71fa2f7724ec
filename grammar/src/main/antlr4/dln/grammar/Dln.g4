/*
 * The grammar of DLN (.dln files). It carries no actions: dln.parse.AstBuilder turns the parse
 * tree into immutable records, and every rule that the grammar leaves loose (the type names `int`
 * and `float`, where `return` may stand, which settings exist) is checked by the compiler's passes,
 * so that errors there get precise diagnostics instead of generic syntax errors.
 *
 * Statements have no terminators: a statement ends where the next one begins. That works because no
 * statement can begin with a token that continues an expression (an operator, `(`, `,` or `->`).
 */
grammar Dln;

file        : item* EOF ;

item        : importDecl
            | constDecl
            | blockDecl
            | modelDecl
            | trainDecl
            ;

importDecl  : IMPORT STRING ;
constDecl   : CONST name '=' expr ;
blockDecl   : BLOCK name '(' (param (',' param)* ','?)? ')' '{' statement* '}' ;
param       : name (':' type=name ('=' expr)?)? ;
modelDecl   : MODEL name '{' statement* '}' ;
trainDecl   : TRAIN name '{' setting* '}' ;

statement   : INPUT name ':' (type=name)? '[' (expr (',' expr)* ','?)? ']'   # inputStmt
            | OUTPUT name '=' expr                                       # outputStmt
            | RETURN expr                                                # returnStmt
            | NAME '=' expr                                              # bindStmt
            ;

setting     : key=name arg (',' arg)* ;

// Operator precedence, tightest first: unary sign, * and /, + and -, then the pipeline arrow.
expr        : op=('+' | '-') expr                       # unaryExpr
            | expr op=('*' | '/') expr                  # binaryExpr
            | expr op=('+' | '-') expr                  # binaryExpr
            | expr '->' target=name arguments?          # pipeExpr
            | name arguments                            # callExpr
            | '(' expr ')'                              # parenExpr
            | '[' (expr (',' expr)* ','?)? ']'          # listExpr
            | NUMBER                                    # numberExpr
            | STRING                                    # stringExpr
            | name                                      # nameExpr
            ;

arguments   : '(' (arg (',' arg)* ','?)? ')' ;
arg         : (label=name ':')? expr ;

// Keywords only begin statements; wherever a name is expected they are ordinary names.
name        : NAME | IMPORT | CONST | BLOCK | MODEL | TRAIN | INPUT | OUTPUT | RETURN ;

IMPORT      : 'import' ;
CONST       : 'const' ;
BLOCK       : 'block' ;
MODEL       : 'model' ;
TRAIN       : 'train' ;
INPUT       : 'input' ;
OUTPUT      : 'output' ;
RETURN      : 'return' ;

ARROW       : '->' ;
LPAREN      : '(' ;
RPAREN      : ')' ;
LBRACE      : '{' ;
RBRACE      : '}' ;
LBRACK      : '[' ;
RBRACK      : ']' ;
COMMA       : ',' ;
COLON       : ':' ;
ASSIGN      : '=' ;
PLUS        : '+' ;
MINUS       : '-' ;
STAR        : '*' ;
SLASH       : '/' ;

NAME        : [A-Za-z_] [A-Za-z0-9_]* ;
NUMBER      : DIGITS ('.' DIGITS?)? EXPONENT?
            | '.' DIGITS EXPONENT?
            ;

// Escapes are checked by the AST builder, which reports a bad one at its exact column.
STRING      : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* '"' ;
UNTERMINATED_STRING : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* ;

LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
UNTERMINATED_COMMENT : '/*' ( ~'*' | '*'+ ~[*/] )* '*'* EOF ;
WS          : [ \t\r\n\f]+ -> skip ;

// Anything else becomes one token, so that the lexer never fails and the parser reports it.
UNEXPECTED_CHAR : . ;

fragment DIGITS   : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;
