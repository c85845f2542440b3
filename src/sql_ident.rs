//! Identifier and literal quoting shared by every step that writes SQL (ddl, plan, codegen):
//! identifiers are always quoted, so a name is never read as a keyword or folded to lower case.

use crate::model::QualifiedName;

/// `"name"`, with embedded quotes doubled.
pub fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// `"schema"."name"`.
pub fn qualified(name: &QualifiedName) -> String {
    format!("{}.{}", quote(&name.schema), quote(&name.name))
}

/// `'text'`, with embedded quotes doubled; backslashes are literal (standard_conforming_strings).
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Comma-separated quoted identifiers, as in a column list.
pub fn quote_list<S: AsRef<str>>(idents: &[S]) -> String {
    idents
        .iter()
        .map(|i| quote(i.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `text` made safe for one line of a message or an SQL `--` comment: control characters
/// (line breaks included) are escaped, so a name can never end a comment and smuggle in SQL.
pub fn one_line(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// True when `name` reads the same bare as quoted: a lower-case letter or `_`, then lower-case
/// letters, digits and `_` (PostgreSQL would fold anything else, or needs quotes for it).
pub fn is_plain(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A name as a reader expects it in messages: bare when it is a plain lower-case identifier,
/// quoted otherwise, always on one line.
pub fn display(name: &str) -> String {
    if is_plain(name) {
        name.to_string()
    } else {
        one_line(&quote(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_doubled() {
        assert_eq!(quote(r#"we"ird"#), r#""we""ird""#);
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(
            qualified(&QualifiedName::new("Analytics", "user")),
            r#""Analytics"."user""#
        );
        assert_eq!(quote_list(&["a", "B"]), r#""a", "B""#);
        assert_eq!(display("docs_2"), "docs_2");
        assert_eq!(display("Docs"), r#""Docs""#);
        assert_eq!(display("a\nb"), r#""a\nb""#);
        assert_eq!(one_line("x\r\ny"), r"x\r\ny");
    }
}
