// Module AttuneLanguage: the Attune command language. Lexer (source → tokens), Parser (tokens →
// statements), the syntax tree (Statement, Command, Argument, Value, TensorPath), diagnostics
// with caret rendering and "did you mean" suggestions, and the command table of DESIGN.md §3a.
// No engine dependency. The grammar below is the reference; Parser follows it rule by rule.

/// The grammar of the Attune command language (also `Grammar.text`, shown by `help syntax`).
///
///     Attune reads one statement per line. A line ending in \ continues on the next
///     line, and so does a line with an open [ or (. A # starts a comment that runs
///     to the end of the line (except inside a string).
///
///     script    = { [ statement ] NEWLINE } END ;
///     statement = help | [ binding ] command ;
///     help      = "?" { argument } ;                 ?lr means help lr
///     binding   = NAME "=" ;                         base = eval, then compare base tuned
///     command   = NAME [ NAME ] { argument } ;       one verb (train) or noun verb (model load)
///     argument  = NAME "=" value | value ;           positional or key=value, space-separated
///     value     = NUMBER | PERCENT | STRING | BOOL | path | list | tuple ;
///     path      = NAME { "." ( NAME | INTEGER ) | indexing } ;    no spaces inside
///     indexing  = "[" slice { "," slice } [ "," ] "]" ;
///     slice     = INTEGER | [ INTEGER ] ":" [ INTEGER ] [ ":" [ INTEGER ] ] ;
///     list      = "[" items "]" ;
///     tuple     = "(" items ")" ;
///     items     = [ value { "," value } [ "," ] ] ;  nested lists and a trailing comma are fine
///
///     NAME      = ( letter | "_" | "*" ) { letter | digit | "_" | "*" | "-" } ;
///                 a "-" only between other name characters: all-linear, q_proj, layers.*
///     NUMBER    = [ "-" | "+" ] DIGITS [ "." DIGITS ] [ ( "e" | "E" ) [ "+" | "-" ] DIGITS ] ;
///     DIGITS    = digit { [ "_" ] digit } ;          1_000
///     INTEGER   = [ "-" ] DIGITS ;                   indices count from the end when negative
///     PERCENT   = NUMBER "%" ;                       90% (kept apart from 0.9)
///     STRING    = '"' { char } '"' | "'" { char } "'" ;   on one line
///                 escapes: \n \t \r \0 \\ \" \' \u{1F600}
///     BOOL      = "true" | "false" ;
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
public enum Grammar {
    /// The grammar above as text, for `help syntax`.
    public static let text = """
        Attune reads one statement per line. A line ending in \\ continues on the next
        line, and so does a line with an open [ or (. A # starts a comment that runs
        to the end of the line (except inside a string).

        script    = { [ statement ] NEWLINE } END ;
        statement = help | [ binding ] command ;
        help      = "?" { argument } ;                 ?lr means help lr
        binding   = NAME "=" ;                         base = eval, then compare base tuned
        command   = NAME [ NAME ] { argument } ;       one verb (train) or noun verb (model load)
        argument  = NAME "=" value | value ;           positional or key=value, space-separated
        value     = NUMBER | PERCENT | STRING | BOOL | path | list | tuple ;
        path      = NAME { "." ( NAME | INTEGER ) | indexing } ;    no spaces inside
        indexing  = "[" slice { "," slice } [ "," ] "]" ;
        slice     = INTEGER | [ INTEGER ] ":" [ INTEGER ] [ ":" [ INTEGER ] ] ;
        list      = "[" items "]" ;
        tuple     = "(" items ")" ;
        items     = [ value { "," value } [ "," ] ] ;  nested lists and a trailing comma are fine

        NAME      = ( letter | "_" | "*" ) { letter | digit | "_" | "*" | "-" } ;
                    a "-" only between other name characters: all-linear, q_proj, layers.*
        NUMBER    = [ "-" | "+" ] DIGITS [ "." DIGITS ] [ ( "e" | "E" ) [ "+" | "-" ] DIGITS ] ;
        DIGITS    = digit { [ "_" ] digit } ;          1_000
        INTEGER   = [ "-" ] DIGITS ;                   indices count from the end when negative
        PERCENT   = NUMBER "%" ;                       90% (kept apart from 0.9)
        STRING    = '"' { char } '"' | "'" { char } "'" ;   on one line
                    escapes: \\n \\t \\r \\0 \\\\ \\" \\' \\u{1F600}
        BOOL      = "true" | "false" ;

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
        """
}
