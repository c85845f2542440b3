//! The one tokenizer for SQL expression texts (defaults, checks, generated columns, index keys
//! and predicates), shared by every step that asks "which names does this expression mention":
//! `diff` (renames rewritten inside expressions, dependents of a changed column), `kind`
//! (dependencies of a step), `spec::lower` (sequences a `nextval` default calls) and the
//! migration runner (which invalid indexes a script names). Nothing else scans SQL text.
//!
//! It is a lexer, not a parser: it knows string literals (`'…'`, `E'…'`, `$tag$…$tag$`), quoted
//! and bare identifiers (bare ones fold to lower case, as PostgreSQL folds them), numbers,
//! comments and punctuation. That is enough to tell a column `id` from the word `valid`, a
//! column from a function call (`lower(x)`) and a type (`x::text`), and to find the sequence in
//! `nextval('s.t_id_seq'::regclass)`.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::model::QualifiedName;

/// One lexical token and where it is in the text (byte range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// An identifier or keyword: the name as PostgreSQL resolves it (bare words folded to lower
    /// case, quoted ones exact, `""` unescaped), and whether it was quoted.
    Ident {
        name: String,
        quoted: bool,
    },
    /// A string literal's value (quotes removed, escapes resolved for `''`).
    String(String),
    Number,
    /// `::`, the cast operator.
    Cast,
    /// Any other punctuation or operator character, one at a time.
    Punct(char),
}

/// The tokens of `sql`; comments and whitespace are skipped. Never fails: an unterminated
/// literal or identifier runs to the end of the text.
pub fn tokens(sql: &str) -> Vec<Token> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let n = bytes.len();
    let char_at = |i: usize| sql[i..].chars().next().unwrap_or('\0');
    while i < n {
        let c = char_at(i);
        let start = i;
        if c.is_whitespace() {
            i += c.len_utf8();
        } else if sql[i..].starts_with("--") {
            i = sql[i..].find('\n').map_or(n, |p| i + p + 1);
        } else if sql[i..].starts_with("/*") {
            i = sql[i + 2..].find("*/").map_or(n, |p| i + 2 + p + 2);
        } else if c == '\'' || ((c == 'E' || c == 'e') && sql[i + 1..].starts_with('\'')) {
            let escapes = c != '\'';
            if escapes {
                i += 1;
            }
            let (value, end) = quoted(sql, i, '\'', escapes);
            i = end;
            out.push(Token {
                kind: TokenKind::String(value),
                span: start..i,
            });
        } else if c == '"' {
            let (name, end) = quoted(sql, i, '"', false);
            i = end;
            out.push(Token {
                kind: TokenKind::Ident { name, quoted: true },
                span: start..i,
            });
        } else if c == '$' && dollar_tag(sql, i).is_some() {
            let tag = dollar_tag(sql, i).unwrap_or_default();
            let body = i + tag.len();
            let end = sql[body..].find(&tag).map_or(n, |p| body + p);
            let value = sql[body..end].to_string();
            i = (end + tag.len()).min(n);
            out.push(Token {
                kind: TokenKind::String(value),
                span: start..i,
            });
        } else if c.is_alphabetic() || c == '_' {
            while i < n {
                let d = char_at(i);
                if d.is_alphanumeric() || d == '_' || d == '$' {
                    i += d.len_utf8();
                } else {
                    break;
                }
            }
            out.push(Token {
                kind: TokenKind::Ident {
                    name: sql[start..i].to_lowercase(),
                    quoted: false,
                },
                span: start..i,
            });
        } else if c.is_ascii_digit() || (c == '.' && char_at(i + 1).is_ascii_digit()) {
            while i < n {
                let d = char_at(i);
                if d.is_ascii_alphanumeric() || d == '.' || d == '_' {
                    i += 1;
                } else {
                    break;
                }
            }
            out.push(Token {
                kind: TokenKind::Number,
                span: start..i,
            });
        } else if sql[i..].starts_with("::") {
            i += 2;
            out.push(Token {
                kind: TokenKind::Cast,
                span: start..i,
            });
        } else {
            i += c.len_utf8();
            out.push(Token {
                kind: TokenKind::Punct(c),
                span: start..i,
            });
        }
    }
    out
}

/// A literal or quoted identifier starting at `i` (its opening quote), with the doubled quote
/// as an escaped quote (and backslash escapes skipped when `escapes`): (value, end offset).
fn quoted(sql: &str, i: usize, quote: char, escapes: bool) -> (String, usize) {
    let mut value = String::new();
    let mut chars = sql[i + 1..].char_indices().peekable();
    while let Some((off, c)) = chars.next() {
        if escapes && c == '\\' {
            if let Some((_, next)) = chars.next() {
                value.push(next);
            }
        } else if c == quote {
            if chars.peek().map(|(_, d)| *d) == Some(quote) {
                value.push(quote);
                chars.next();
            } else {
                return (value, i + 1 + off + 1);
            }
        } else {
            value.push(c);
        }
    }
    (value, sql.len())
}

/// `$tag$` at `i`, if a dollar-quote opener starts there.
fn dollar_tag(sql: &str, i: usize) -> Option<String> {
    let rest = &sql[i + 1..];
    let end = rest.find('$')?;
    let tag = &rest[..end];
    let valid = tag
        .chars()
        .enumerate()
        .all(|(k, c)| c == '_' || c.is_alphabetic() || (k > 0 && c.is_ascii_digit()));
    valid.then(|| format!("${tag}$"))
}

/// How an identifier token is used, judged from its neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A column (or other value) reference.
    Name,
    /// `word(`: a function call.
    Call,
    /// `::word`: a type name in a cast.
    Type,
}

fn role(tokens: &[Token], k: usize) -> Role {
    let next_is_paren = matches!(
        tokens.get(k + 1).map(|t| &t.kind),
        Some(TokenKind::Punct('('))
    );
    let after_cast = k > 0 && tokens[k - 1].kind == TokenKind::Cast;
    // `::public.mood`: the name after a dot that follows a cast is part of the type too.
    let qualified_type = k >= 3
        && tokens[k - 1].kind == TokenKind::Punct('.')
        && tokens[k - 3].kind == TokenKind::Cast;
    if after_cast || qualified_type {
        Role::Type
    } else if next_is_paren {
        Role::Call
    } else {
        Role::Name
    }
}

/// SQL words that read like names in expressions but never name a column.
const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "is",
    "null",
    "true",
    "false",
    "in",
    "like",
    "ilike",
    "between",
    "case",
    "when",
    "then",
    "else",
    "end",
    "any",
    "all",
    "some",
    "array",
    "distinct",
    "from",
    "as",
    "collate",
    "similar",
    "to",
    "escape",
    "isnull",
    "notnull",
    "at",
    "time",
    "zone",
    "interval",
    "current_date",
    "current_timestamp",
    "current_time",
    "localtime",
    "localtimestamp",
    "current_user",
    "session_user",
    "user",
    "current_role",
    "with",
    "without",
    "varying",
    "precision",
    "double",
    "character",
    "unknown",
    "overlaps",
];

/// Each character of `s` with its byte index and its parenthesis depth (before an opening
/// one, after a closing one), skipping the inside of `'…'` and `"…"` quotes: what splitting
/// at top-level commas or finding a top-level `::` needs.
pub fn depths(s: &str) -> impl Iterator<Item = (usize, char, i32)> + '_ {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    s.char_indices().filter_map(move |(i, c)| match (quote, c) {
        (Some(q), c) if c == q => {
            quote = None;
            None
        }
        (Some(_), _) => None,
        (None, '\'' | '"') => {
            quote = Some(c);
            None
        }
        (None, '(') => {
            depth += 1;
            Some((i, c, depth - 1))
        }
        (None, ')') => {
            depth -= 1;
            Some((i, c, depth))
        }
        (None, c) => Some((i, c, depth)),
    })
}

/// The column-like names an expression mentions (not function names, types or keywords), as
/// PostgreSQL resolves them; quoted keywords (`"end"`) count as names.
pub fn names(expr: &str) -> Vec<String> {
    let toks = tokens(expr);
    let mut out: Vec<String> = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        if let TokenKind::Ident { name, quoted } = &t.kind
            && role(&toks, k) == Role::Name
            && (*quoted || !KEYWORDS.contains(&name.as_str()))
            && !out.contains(name)
        {
            out.push(name.clone());
        }
    }
    out
}

/// Every dotted chain of identifiers in `sql` (`documents`, `public.documents`, `d.title`),
/// each part as PostgreSQL resolves it, in order of appearance: the raw material for "which
/// relations and columns does this query read" (a superset: aliases and keywords are chains
/// too, and the caller keeps the ones that name something it knows).
pub fn name_chains(sql: &str) -> Vec<Vec<String>> {
    let toks = tokens(sql);
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut k = 0;
    while k < toks.len() {
        let TokenKind::Ident { name, .. } = &toks[k].kind else {
            k += 1;
            continue;
        };
        let mut chain = vec![name.clone()];
        let mut j = k + 1;
        while j + 1 < toks.len()
            && toks[j].kind == TokenKind::Punct('.')
            && toks[j].span.start == toks[j - 1].span.end
        {
            match &toks[j + 1].kind {
                TokenKind::Ident { name, .. } => {
                    chain.push(name.clone());
                    j += 2;
                }
                _ => break,
            }
        }
        out.push(chain);
        k = j;
    }
    out
}

/// The identity of a function's argument list as written (`q vector(3), k int DEFAULT 10` →
/// `q vector(3), k int`): each argument without its default, blank space collapsed — what
/// `DROP FUNCTION` and `COMMENT ON FUNCTION` take.
pub fn function_identity(args: &str) -> String {
    let toks = tokens(args);
    let mut parts: Vec<String> = Vec::new();
    let (mut depth, mut start, mut cut): (i32, usize, Option<usize>) = (0, 0, None);
    let mut finish = |from: usize, to: usize, cut: Option<usize>| {
        let text = &args[from..cut.unwrap_or(to)];
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            parts.push(text);
        }
    };
    for t in &toks {
        match &t.kind {
            TokenKind::Punct('(') => depth += 1,
            TokenKind::Punct(')') => depth -= 1,
            TokenKind::Punct(',') if depth == 0 => {
                finish(start, t.span.start, cut);
                start = t.span.end;
                cut = None;
            }
            TokenKind::Punct('=') if depth == 0 && cut.is_none() => cut = Some(t.span.start),
            TokenKind::Ident {
                name,
                quoted: false,
            } if depth == 0 && cut.is_none() && name == "default" => cut = Some(t.span.start),
            _ => {}
        }
    }
    finish(start, args.len(), cut);
    parts.join(", ")
}

/// Whether `expr` mentions the column `column` (exact, case-sensitive name as stored).
pub fn mentions(expr: &str, column: &str) -> bool {
    names(expr).iter().any(|n| n == column)
}

/// Whether `text` names `ident` anywhere as an identifier (any role: a table, an index, a
/// column), for "does this script touch that object". Case-sensitive on the resolved name.
pub fn names_identifier(text: &str, ident: &str) -> bool {
    tokens(text)
        .iter()
        .any(|t| matches!(&t.kind, TokenKind::Ident { name, .. } if name == ident))
}

/// `expr` with every column reference named in `renames` (old → new) replaced by the new name,
/// as PostgreSQL's own stored expressions change on `RENAME COLUMN`. The new name is written
/// bare when it is plain, quoted otherwise; everything else is kept byte for byte.
pub fn rename_in_expr(expr: &str, renames: Option<&BTreeMap<String, String>>) -> String {
    let Some(renames) = renames.filter(|r| !r.is_empty()) else {
        return expr.to_string();
    };
    let toks = tokens(expr);
    let mut out = String::with_capacity(expr.len());
    let mut at = 0;
    for (k, t) in toks.iter().enumerate() {
        let TokenKind::Ident { name, .. } = &t.kind else {
            continue;
        };
        if role(&toks, k) != Role::Name {
            continue;
        }
        if let Some(new) = renames.get(name) {
            out.push_str(&expr[at..t.span.start]);
            if crate::sql_ident::is_plain(new) {
                out.push_str(new);
            } else {
                out.push_str(&crate::sql_ident::quote(new));
            }
            at = t.span.end;
        }
    }
    out.push_str(&expr[at..]);
    out
}

/// The sequences an expression calls `nextval`, `currval` or `setval` on with a constant name
/// (`nextval('t_id_seq'::regclass)`, `nextval('"S"."q"')`); unqualified names resolve in
/// `default_schema`, as they do under a `search_path` of that schema.
pub fn sequence_calls(expr: &str, default_schema: &str) -> Vec<QualifiedName> {
    let toks = tokens(expr);
    let mut out = Vec::new();
    for (text, _) in sequence_arguments(&toks) {
        if let Some(q) = parse_qualified(text, default_schema)
            && !out.contains(&q)
        {
            out.push(q);
        }
    }
    out
}

/// The string literal right after each `nextval(` / `currval(` / `setval(` call among `toks`,
/// with its span: the one place that knows where a sequence function names its sequence.
fn sequence_arguments(toks: &[Token]) -> impl Iterator<Item = (&str, &Range<usize>)> {
    toks.iter().enumerate().filter_map(|(k, t)| {
        let TokenKind::Ident { name, .. } = &t.kind else {
            return None;
        };
        if !matches!(name.as_str(), "nextval" | "currval" | "setval") || role(toks, k) != Role::Call
        {
            return None;
        }
        match toks.get(k + 2) {
            Some(Token {
                kind: TokenKind::String(text),
                span,
            }) => Some((text.as_str(), span)),
            _ => None,
        }
    })
}

/// `expr` with the sequence names in its `nextval('…')` calls replaced per `renames`, written
/// as PostgreSQL prints a `regclass` (see [`regclass_text`]), as a stored default reads once its
/// sequence was renamed.
pub fn rename_sequences_in_expr(
    expr: &str,
    renames: &BTreeMap<QualifiedName, QualifiedName>,
) -> String {
    if renames.is_empty() {
        return expr.to_string();
    }
    let toks = tokens(expr);
    let mut out = String::with_capacity(expr.len());
    let mut at = 0;
    for (text, span) in sequence_arguments(&toks) {
        if let Some(new) = parse_qualified(text, "public").and_then(|q| renames.get(&q)) {
            out.push_str(&expr[at..span.start]);
            out.push_str(&crate::sql_ident::literal(&regclass_text(new)));
            at = span.end;
        }
    }
    out.push_str(&expr[at..]);
    out
}

/// `schema.name`, `name`, `"S"."N"` as PostgreSQL reads a regclass text: bare parts fold to
/// lower case, quoted parts are exact. `None` for anything else (three parts, empty parts).
pub fn parse_qualified(text: &str, default_schema: &str) -> Option<QualifiedName> {
    let toks = tokens(text);
    let mut parts = Vec::new();
    let mut expect_name = true;
    for t in &toks {
        match (&t.kind, expect_name) {
            (TokenKind::Ident { name, .. }, true) => {
                parts.push(name.clone());
                expect_name = false;
            }
            (TokenKind::Punct('.'), false) => expect_name = true,
            _ => return None,
        }
    }
    match (parts.as_slice(), expect_name) {
        ([name], false) => Some(QualifiedName::new(default_schema, name.clone())),
        ([schema, name], false) => Some(QualifiedName::new(schema.clone(), name.clone())),
        _ => None,
    }
}

/// A qualified name as PostgreSQL's `regclass` output prints it under `search_path = public`:
/// `public` left out, each part quoted only when it needs quotes.
pub fn regclass_text(name: &QualifiedName) -> String {
    let part = |p: &str| {
        if crate::sql_ident::is_plain(p) && !is_reserved(p) {
            p.to_string()
        } else {
            crate::sql_ident::quote(p)
        }
    };
    if name.schema == "public" {
        part(&name.name)
    } else {
        format!("{}.{}", part(&name.schema), part(&name.name))
    }
}

/// Words `quote_identifier` quotes although they are plain (PostgreSQL's reserved keywords,
/// the ones a sequence or table name is likely to collide with).
fn is_reserved(word: &str) -> bool {
    const RESERVED: &[&str] = &[
        "all",
        "analyse",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "asymmetric",
        "both",
        "case",
        "cast",
        "check",
        "collate",
        "column",
        "constraint",
        "create",
        "current_catalog",
        "current_date",
        "current_role",
        "current_time",
        "current_timestamp",
        "current_user",
        "default",
        "deferrable",
        "desc",
        "distinct",
        "do",
        "else",
        "end",
        "except",
        "false",
        "fetch",
        "for",
        "foreign",
        "from",
        "grant",
        "group",
        "having",
        "in",
        "initially",
        "intersect",
        "into",
        "lateral",
        "leading",
        "limit",
        "localtime",
        "localtimestamp",
        "not",
        "null",
        "offset",
        "on",
        "only",
        "or",
        "order",
        "placing",
        "primary",
        "references",
        "returning",
        "select",
        "session_user",
        "some",
        "symmetric",
        "system_user",
        "table",
        "then",
        "to",
        "trailing",
        "true",
        "union",
        "unique",
        "user",
        "using",
        "variadic",
        "when",
        "where",
        "window",
        "with",
    ];
    RESERVED.contains(&word)
}

#[cfg(test)]
mod tests {

    #[test]
    fn function_identity_drops_defaults_and_keeps_types() {
        assert_eq!(
            function_identity("query vector(3),  k integer DEFAULT 10"),
            "query vector(3), k integer"
        );
        assert_eq!(
            function_identity("a text = 'x, y', b numeric(10, 2)"),
            "a text, b numeric(10, 2)"
        );
        assert_eq!(
            function_identity("OUT r int, \"Default\" int"),
            "OUT r int, \"Default\" int"
        );
        assert_eq!(function_identity(""), "");
    }

    #[test]
    fn name_chains_follow_dots_not_spaces() {
        assert_eq!(
            name_chains("SELECT d.title FROM public.documents d JOIN x ON x.id = d.id"),
            vec![
                vec!["select".to_string()],
                vec!["d".into(), "title".into()],
                vec!["from".into()],
                vec!["public".into(), "documents".into()],
                vec!["d".into()],
                vec!["join".into()],
                vec!["x".into()],
                vec!["on".into()],
                vec!["x".into(), "id".into()],
                vec!["d".into(), "id".into()],
            ]
        );
        assert_eq!(
            name_chains("'a.b' || \"T\".\"C\""),
            vec![vec!["T".to_string(), "C".into()]]
        );
    }

    use super::*;

    #[test]
    fn names_tell_columns_from_words_calls_and_types() {
        assert_eq!(names("valid AND id > 0"), ["valid", "id"]);
        assert!(!mentions("valid", "id"));
        assert!(mentions("(id > 0)", "id"));
        assert_eq!(names("lower(title) = 'x'::text"), ["title"]);
        assert_eq!(names("status <> 'archived'::public.doc_status"), ["status"]);
        assert_eq!(names("\"Weird Col\" IS NOT NULL"), ["Weird Col"]);
        assert_eq!(names("\"end\" > 1 AND e'it\\'s' = x"), ["end", "x"]);
        assert_eq!(names("a -- b\n + /* c */ d"), ["a", "d"]);
        assert_eq!(names("$$lit$$ || $t$ y $t$ || z"), ["z"]);
        assert!(mentions("Title IS NULL", "title"), "bare words fold");
        assert!(!mentions("\"Title\" IS NULL", "title"));
    }

    #[test]
    fn renames_keep_everything_else_byte_for_byte() {
        let map: BTreeMap<String, String> = [
            ("a".to_string(), "b".to_string()),
            ("x".to_string(), "New X".to_string()),
        ]
        .into();
        assert_eq!(
            rename_in_expr("a > 0 AND 'a' <> a::text AND f(a) AND a(1)", Some(&map)),
            "b > 0 AND 'a' <> b::text AND f(b) AND a(1)"
        );
        assert_eq!(
            rename_in_expr("\"x\" + x", Some(&map)),
            "\"New X\" + \"New X\""
        );
        assert_eq!(rename_in_expr("ab + a_", Some(&map)), "ab + a_");
    }

    #[test]
    fn sequence_calls_resolve_like_regclass() {
        let q = QualifiedName::new;
        assert_eq!(
            sequence_calls("nextval('t_id_seq'::regclass)", "public"),
            [q("public", "t_id_seq")]
        );
        assert_eq!(
            sequence_calls(
                "nextval('\"App\".\"Seq\"'::regclass) + nextval('s.x')",
                "public"
            ),
            [q("App", "Seq"), q("s", "x")]
        );
        assert_eq!(
            sequence_calls("NEXTVAL('Foo')", "public"),
            [q("public", "foo")]
        );
        assert!(sequence_calls("nextval(some_col)", "public").is_empty());
        assert!(sequence_calls("'nextval(''x'')'", "public").is_empty());
        assert_eq!(parse_qualified("a.b.c", "public"), None);
        assert_eq!(regclass_text(&q("public", "t_id_seq")), "t_id_seq");
        assert_eq!(regclass_text(&q("App", "user")), "\"App\".\"user\"");
        assert_eq!(regclass_text(&q("s", "order_id_seq")), "s.order_id_seq");
    }

    #[test]
    fn identifiers_match_whole_tokens() {
        assert!(names_identifier(
            "create index if not exists items_emb on items",
            "items_emb"
        ));
        assert!(names_identifier(
            "create index \"items_emb\" on items",
            "items_emb"
        ));
        assert!(!names_identifier(
            "create index items_emb2 on items",
            "items_emb"
        ));
        assert!(!names_identifier("-- items_emb\nselect 1", "items_emb"));
    }
}
