//! The SQL spelling of names, literals and types, shared by every step that writes SQL (the
//! kinds' renderers, codegen, messages): identifiers are always quoted, so a name is never read
//! as a keyword or folded to lower case. The model itself carries no SQL spelling.

use crate::model::{ColumnType, FkAction, QualifiedName};

/// A column type as PostgreSQL's `format_type` prints it (used in DDL and messages).
pub fn type_name(ty: &ColumnType) -> String {
    fn with_mod(base: &str, n: &Option<u32>) -> String {
        match n {
            Some(n) => format!("{base}({n})"),
            None => base.to_string(),
        }
    }
    let zone = |base: String, tz: bool| {
        if tz {
            format!("{base} with time zone")
        } else {
            format!("{base} without time zone")
        }
    };
    match ty {
        ColumnType::SmallInt => "smallint".into(),
        ColumnType::Integer => "integer".into(),
        ColumnType::BigInt => "bigint".into(),
        ColumnType::Real => "real".into(),
        ColumnType::DoublePrecision => "double precision".into(),
        ColumnType::Numeric { precision, scale } => match (precision, scale) {
            (Some(p), Some(s)) => format!("numeric({p},{s})"),
            (Some(p), None) => format!("numeric({p})"),
            _ => "numeric".into(),
        },
        ColumnType::Boolean => "boolean".into(),
        ColumnType::Text => "text".into(),
        ColumnType::Varchar(n) => with_mod("character varying", n),
        ColumnType::Char(n) => with_mod("character", n),
        ColumnType::Bytea => "bytea".into(),
        ColumnType::Date => "date".into(),
        ColumnType::Time {
            precision,
            with_time_zone,
        } => zone(with_mod("time", precision), *with_time_zone),
        ColumnType::Timestamp {
            precision,
            with_time_zone,
        } => zone(with_mod("timestamp", precision), *with_time_zone),
        ColumnType::Interval => "interval".into(),
        ColumnType::Uuid => "uuid".into(),
        ColumnType::Json => "json".into(),
        ColumnType::Jsonb => "jsonb".into(),
        ColumnType::Inet => "inet".into(),
        ColumnType::Cidr => "cidr".into(),
        ColumnType::MacAddr => "macaddr".into(),
        ColumnType::Money => "money".into(),
        ColumnType::Xml => "xml".into(),
        ColumnType::Tsvector => "tsvector".into(),
        ColumnType::Tsquery => "tsquery".into(),
        ColumnType::Oid => "oid".into(),
        ColumnType::Bit(n) => with_mod("bit", n),
        ColumnType::VarBit(n) => with_mod("bit varying", n),
        ColumnType::Vector(n) => with_mod("vector", n),
        ColumnType::HalfVec(n) => with_mod("halfvec", n),
        ColumnType::SparseVec(n) => with_mod("sparsevec", n),
        ColumnType::Enum(q) | ColumnType::Custom(q) => qualified(q),
        ColumnType::Array(inner) => format!("{}[]", type_name(inner)),
        ColumnType::Other(o) => {
            let name = match o.schema.as_deref() {
                Some(s) if s != "pg_catalog" => format!("{}.{}", quote(s), quote(&o.name)),
                _ => quote(&o.name),
            };
            match &o.modifiers {
                Some(m) => format!("{name}({m})"),
                None => name,
            }
        }
    }
}

/// A referential action as written after `ON DELETE` / `ON UPDATE`.
pub fn fk_action(action: FkAction) -> &'static str {
    match action {
        FkAction::NoAction => "NO ACTION",
        FkAction::Restrict => "RESTRICT",
        FkAction::Cascade => "CASCADE",
        FkAction::SetNull => "SET NULL",
        FkAction::SetDefault => "SET DEFAULT",
    }
}

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
