// Module AttuneLanguage: the Attune command and scripting language. Lexer (source → tokens),
// Parser (tokens → statements), the syntax tree (Statement, Block, Expression, Command, Argument,
// Value, TensorPath), diagnostics with caret rendering and "did you mean" suggestions, and the
// command table of DESIGN.md §3a. No engine dependency. The grammar below is the reference;
// Parser follows it rule by rule (Parser.swift for statements and commands,
// Parser+Expressions.swift for expressions).

/// The grammar of the Attune language (also `Grammar.text`, shown by `help syntax`).
///
///     Attune reads one statement per line. A line ending in \ continues on the next
///     line, and so does a line with an open [ ( or {. A # starts a comment that runs
///     to the end of the line (except inside a string).
///
///     script     = { [ statement ] NEWLINE } END ;
///     statement  = let | assignment | for | if | fn | return | break | continue
///                | print | assert | call | help | [ binding ] command ;
///     help       = "?" { argument } ;                 ?lr means help lr
///     binding    = NAME "=" ;                         base = eval, then compare base tuned
///     command    = NAME [ NAME ] { argument } ;       one verb (train) or noun verb (model load)
///     argument   = NAME "=" value | value ;           positional or key=value, space-separated
///     value      = NUMBER | PERCENT | STRING | BOOL | path | list | group | postfix ;
///                                                  postfix only as NAME "(" …: plot hist(w)
///     path       = NAME { "." ( NAME | INTEGER ) | indexing } ;    no spaces inside
///     indexing   = "[" slice { "," slice } [ "," ] "]" ;
///     slice      = INTEGER | [ INTEGER ] ":" [ INTEGER ] [ ":" [ INTEGER ] ] ;
///     list       = "[" items "]" ;
///     items      = [ value { "," value } [ "," ] ] ;  nested lists and a trailing comma are fine
///     group      = "(" expression ")" | "(" [ expression { "," expression } ] ")" ;
///
///       In arguments a bare NAME bound to a variable is the variable's value, otherwise
///       a word: method lora, compare base tuned, set lr=lr inside for lr in [...].
///       Anything with an operator goes in parentheses: set lr=(base_lr * 2).
///
///     let        = "let" NAME "=" ( command | expression ) ;    a new variable
///     assignment = NAME "=" expression ;              rebinds the nearest variable of that name
///     for        = "for" NAME "in" expression block ;
///     if         = "if" expression block { "else" "if" expression block } [ "else" block ] ;
///     fn         = "fn" NAME "(" [ NAME { "," NAME } ] ")" block ;
///     return     = "return" [ expression ] ;          only inside fn
///     break      = "break" ;                          only inside for
///     continue   = "continue" ;
///     print      = "print" [ expression { "," expression } ] ;   one output line
///     assert     = "assert" expression [ "," expression ] ;     fails the cell with the message
///     call       = NAME "(" [ expression { "," expression } ] ")" ;
///     block      = "{" { [ statement ] NEWLINE } "}" ;     write } else { on one line
///
///     expression = or ;
///     or         = and { "or" and } ;
///     and        = not { "and" not } ;
///     not        = "not" not | comparison ;
///     comparison = sum [ ( "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in" ) sum ] ;
///     sum        = product { ( "+" | "-" ) product } ;
///     product    = unary { ( "*" | "/" | "%" ) unary } ;
///     unary      = "-" unary | postfix ;
///     postfix    = primary { "." ( NAME | INTEGER ) | "[" subscript "]" | "(" [ expression { "," expression } ] ")" } ;
///     subscript  = item { "," item } ;                  xs[-1], xs[1:3], w[0:4, :8]
///     item       = expression | [ expression ] ":" [ expression ] ;
///     primary    = NUMBER | PERCENT | STRING | BOOL | "none" | NAME
///                | "[" [ expression { "," expression } ] "]"
///                | "{" [ field { "," field } ] "}" | "(" expression ")" ;
///     field      = ( NAME | STRING ) ":" expression ;    {lr: 2e-4, steps: 20}
///
///     NAME       = ( letter | "_" | "*" ) { letter | digit | "_" | "*" | "-" } ;
///                  a "-" only between other name characters: all-linear, q_proj, layers.*
///                  in expressions only letters, digits and "_": there n-1 means n - 1
///     NUMBER     = [ "-" | "+" ] DIGITS [ "." DIGITS ] [ ( "e" | "E" ) [ "+" | "-" ] DIGITS ] ;
///     DIGITS     = digit { [ "_" ] digit } ;          1_000
///     INTEGER    = [ "-" ] DIGITS ;                   indices count from the end when negative
///     PERCENT    = NUMBER "%" ;                       90% (0.9 in an expression)
///     STRING     = '"' { char | "{" expression "}" } '"' | "'" ... "'" ;   on one line
///                  escapes: \n \t \r \0 \\ \" \' \u{1F600}; {{ and }} for literal braces
///     BOOL       = "true" | "false" ;
///
///     Values: numbers, strings, true/false, none, lists, records (r.loss), functions.
///     Every command gives a record: r = train steps=20, then r.val_loss; help r lists
///     its fields. Builtins: min max sum mean abs round len log exp sqrt range sort
///     argmin argmax format str.
///
///     Examples:
///       model load smollm2
///       data split train=90% val=10% seed=42
///       method lora r=16 alpha=32 targets=[q_proj, v_proj] dropout=0.05
///       set lr=2e-4 batch=4 schedule=cosine warmup=10
///       show layers.0.attn.q_proj.lora_B[0:4, :8]
///       list layers.*.attn.*
///       base = eval
///       compare base tuned on=val[0:5]
///       ?lr
///       let losses = []
///       for lr in [1e-4, 3e-4] {
///         set lr=lr
///         r = train steps=(10 * 2)
///         losses = losses + [r.val_loss]
///       }
///       print "best lr {[1e-4, 3e-4][argmin(losses)]}"
///       assert min(losses) < 3, "the loss should fall"
public enum Grammar {
    /// The grammar above as text, for `help syntax`.
    public static let text = """
        Attune reads one statement per line. A line ending in \\ continues on the next
        line, and so does a line with an open [ ( or {. A # starts a comment that runs
        to the end of the line (except inside a string).

        script     = { [ statement ] NEWLINE } END ;
        statement  = let | assignment | for | if | fn | return | break | continue
                   | print | assert | call | help | [ binding ] command ;
        help       = "?" { argument } ;                 ?lr means help lr
        binding    = NAME "=" ;                         base = eval, then compare base tuned
        command    = NAME [ NAME ] { argument } ;       one verb (train) or noun verb (model load)
        argument   = NAME "=" value | value ;           positional or key=value, space-separated
        value      = NUMBER | PERCENT | STRING | BOOL | path | list | group | postfix ;
                                                     postfix only as NAME "(" …: plot hist(w)
        path       = NAME { "." ( NAME | INTEGER ) | indexing } ;    no spaces inside
        indexing   = "[" slice { "," slice } [ "," ] "]" ;
        slice      = INTEGER | [ INTEGER ] ":" [ INTEGER ] [ ":" [ INTEGER ] ] ;
        list       = "[" items "]" ;
        items      = [ value { "," value } [ "," ] ] ;  nested lists and a trailing comma are fine
        group      = "(" expression ")" | "(" [ expression { "," expression } ] ")" ;

          In arguments a bare NAME bound to a variable is the variable's value, otherwise
          a word: method lora, compare base tuned, set lr=lr inside for lr in [...].
          Anything with an operator goes in parentheses: set lr=(base_lr * 2).

        let        = "let" NAME "=" ( command | expression ) ;    a new variable
        assignment = NAME "=" expression ;              rebinds the nearest variable of that name
        for        = "for" NAME "in" expression block ;
        if         = "if" expression block { "else" "if" expression block } [ "else" block ] ;
        fn         = "fn" NAME "(" [ NAME { "," NAME } ] ")" block ;
        return     = "return" [ expression ] ;          only inside fn
        break      = "break" ;                          only inside for
        continue   = "continue" ;
        print      = "print" [ expression { "," expression } ] ;   one output line
        assert     = "assert" expression [ "," expression ] ;     fails the cell with the message
        call       = NAME "(" [ expression { "," expression } ] ")" ;
        block      = "{" { [ statement ] NEWLINE } "}" ;     write } else { on one line

        expression = or ;
        or         = and { "or" and } ;
        and        = not { "and" not } ;
        not        = "not" not | comparison ;
        comparison = sum [ ( "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in" ) sum ] ;
        sum        = product { ( "+" | "-" ) product } ;
        product    = unary { ( "*" | "/" | "%" ) unary } ;
        unary      = "-" unary | postfix ;
        postfix    = primary { "." ( NAME | INTEGER ) | "[" subscript "]" | "(" [ expression { "," expression } ] ")" } ;
        subscript  = item { "," item } ;                  xs[-1], xs[1:3], w[0:4, :8]
        item       = expression | [ expression ] ":" [ expression ] ;
        primary    = NUMBER | PERCENT | STRING | BOOL | "none" | NAME
                   | "[" [ expression { "," expression } ] "]"
                   | "{" [ field { "," field } ] "}" | "(" expression ")" ;
        field      = ( NAME | STRING ) ":" expression ;    {lr: 2e-4, steps: 20}

        NAME       = ( letter | "_" | "*" ) { letter | digit | "_" | "*" | "-" } ;
                     a "-" only between other name characters: all-linear, q_proj, layers.*
                     in expressions only letters, digits and "_": there n-1 means n - 1
        NUMBER     = [ "-" | "+" ] DIGITS [ "." DIGITS ] [ ( "e" | "E" ) [ "+" | "-" ] DIGITS ] ;
        DIGITS     = digit { [ "_" ] digit } ;          1_000
        INTEGER    = [ "-" ] DIGITS ;                   indices count from the end when negative
        PERCENT    = NUMBER "%" ;                       90% (0.9 in an expression)
        STRING     = '"' { char | "{" expression "}" } '"' | "'" ... "'" ;   on one line
                     escapes: \\n \\t \\r \\0 \\\\ \\" \\' \\u{1F600}; {{ and }} for literal braces
        BOOL       = "true" | "false" ;

        Values: numbers, strings, true/false, none, lists, records (r.loss), functions.
        Every command gives a record: r = train steps=20, then r.val_loss; help r lists
        its fields. Builtins: min max sum mean abs round len log exp sqrt range sort
        argmin argmax format str.

        Examples:
          model load smollm2
          data split train=90% val=10% seed=42
          method lora r=16 alpha=32 targets=[q_proj, v_proj] dropout=0.05
          set lr=2e-4 batch=4 schedule=cosine warmup=10
          show layers.0.attn.q_proj.lora_B[0:4, :8]
          list layers.*.attn.*
          base = eval
          compare base tuned on=val[0:5]
          ?lr
          let losses = []
          for lr in [1e-4, 3e-4] {
            set lr=lr
            r = train steps=(10 * 2)
            losses = losses + [r.val_loss]
          }
          print "best lr {[1e-4, 3e-4][argmin(losses)]}"
          assert min(losses) < 3, "the loss should fall"
        """
}
