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
    }
}
