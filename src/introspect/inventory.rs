//! What a database holds that the model cannot represent, part of every introspection: the
//! rows of [`super::queries::INVENTORY`] (views, functions, triggers, policies, custom types,
//! partitions, …, and attributes such as `NOT VALID` or a column collation that a modelled
//! object would lose) plus the tables the converter had to leave out. `inspect` refuses while
//! any is left; `diff` and `push` report them as "not managed by the spec" and never say the
//! database matches while there is one, unless the user ignores it.

use std::fmt;

use serde::Serialize;

use crate::model::{ObjectRef, QualifiedName};

/// A row of [`super::queries::INVENTORY`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InventoryRow {
    pub kind: String,
    pub schema: String,
    pub table_name: Option<String>,
    pub name: String,
    pub detail: String,
}

/// One object, or one attribute of an object, that the model cannot represent.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Unmanaged {
    /// What it is: `view`, `function`, `trigger`, `check constraint`, `column`, …
    pub kind: String,
    /// Its schema (empty for database-wide objects such as event triggers).
    pub schema: String,
    /// The table it belongs to, for triggers, policies, rules, constraints, columns, indexes.
    pub table: Option<String>,
    pub name: String,
    /// For an attribute: what the model would lose (`is NOT VALID`); empty for whole objects.
    pub detail: String,
}

impl From<InventoryRow> for Unmanaged {
    fn from(r: InventoryRow) -> Self {
        Unmanaged {
            kind: r.kind,
            schema: r.schema,
            table: r.table_name,
            name: r.name,
            detail: r.detail,
        }
    }
}

impl Unmanaged {
    /// A column the model cannot hold (its table is left out).
    pub fn column(table: &QualifiedName, column: &str, detail: String) -> Unmanaged {
        Unmanaged {
            kind: "column".into(),
            schema: table.schema.clone(),
            table: Some(table.name.clone()),
            name: column.to_string(),
            detail,
        }
    }

    /// An object that stands on its own (a relation, a routine, a schema), named as
    /// `inspect` and `diff` print it: `schema.name`, `schema.name(args)`, or the schema's name.
    pub fn object(kind: &str, object: &ObjectRef, detail: String) -> Unmanaged {
        let (schema, name) = match object {
            ObjectRef::Table(q) | ObjectRef::View(q) | ObjectRef::Sequence(q) => {
                (q.schema.clone(), q.name.clone())
            }
            ObjectRef::Function { name, args } => {
                (name.schema.clone(), format!("{}({args})", name.name))
            }
            ObjectRef::Schema(n) => (String::new(), n.clone()),
            other => (String::new(), other.to_string()),
        };
        Unmanaged {
            kind: kind.into(),
            schema,
            table: None,
            name,
            detail,
        }
    }

    /// An index the model cannot hold (its table is left out).
    pub fn index(table: &QualifiedName, index: &str, detail: String) -> Unmanaged {
        Unmanaged {
            kind: "index".into(),
            schema: table.schema.clone(),
            table: Some(table.name.clone()),
            name: index.to_string(),
            detail,
        }
    }

    /// `schema.name`, or `schema.table.name` for an object of a table.
    pub fn qualified(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        if !self.schema.is_empty() {
            parts.push(&self.schema);
        }
        if let Some(t) = &self.table {
            parts.push(t);
        }
        parts.push(&self.name);
        parts.join(".")
    }

    /// The table this entry belongs to, when it is a table's object or attribute, or a table.
    pub fn table_name(&self) -> Option<QualifiedName> {
        match &self.table {
            Some(t) => Some(QualifiedName::new(&self.schema, t)),
            None if self.kind == "table" => Some(QualifiedName::new(&self.schema, &self.name)),
            None => None,
        }
    }

    /// Whether a left-out table is what this entry is about (the converter could not read
    /// one of its columns or indexes).
    pub fn leaves_table_out(&self) -> bool {
        self.detail.ends_with("(the table is left out)")
    }

    /// Whether any ignore glob covers this entry: its qualified name, or the table it belongs
    /// to (ignoring a table ignores its triggers, policies and attributes).
    pub fn is_ignored(&self, patterns: &[String]) -> bool {
        patterns.iter().any(|p| {
            // A whole schema outside the spec is ignored by a pattern for the schema itself or
            // for everything in it (`app`, `app.*`).
            if self.kind == "schema" {
                return match p.split_once('.') {
                    Some((schema, "*")) => super::glob_matches(schema, &self.name),
                    Some(_) => false,
                    None => super::glob_matches(p, &self.name),
                };
            }
            super::glob_matches(p, &self.qualified())
                || (!p.contains('.') && self.schema == "public" && {
                    let local = match &self.table {
                        Some(t) => format!("{t}.{}", self.name),
                        None => self.name.clone(),
                    };
                    super::glob_matches(p, &local)
                })
                || self
                    .table_name()
                    .is_some_and(|t| super::glob_matches_name(p, &t))
                || (self.schema.is_empty() && super::glob_matches(p, &self.name))
        })
    }

    /// The glob that leaves this entry out: its table for an object of a table, the name with
    /// any argument list for a function or an operator (`public.match_documents(*`).
    pub fn ignore_glob(&self) -> String {
        if let Some(t) = self.table_name() {
            return format!("{}.{}", t.schema, t.name);
        }
        match self.name.find('(') {
            Some(at) => format!(
                "{}(*",
                &self.qualified()[..self.qualified().len() - self.name.len() + at]
            ),
            None => self.qualified(),
        }
    }

    /// The way forward for this entry: the spec feature that will cover it, or ignoring it.
    pub fn hint(&self) -> String {
        if self.kind == "schema" {
            return format!(
                "to manage it, add a spec file with `schema: {0}`; to leave it alone, `--ignore '{0}.*'` (or `ignore:` in a spec file)",
                self.name
            );
        }
        let glob = self.ignore_glob();
        let what = if self.detail.is_empty() {
            format!("the spec cannot declare a {} yet", self.kind)
        } else {
            "the spec has no field for this yet".to_string()
        };
        format!("{what}; leave it out with `--ignore '{glob}'` (or `ignore:` in a spec file)")
    }
}

impl fmt::Display for Unmanaged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = crate::sql_ident::one_line(&self.qualified());
        if self.detail.is_empty() {
            write!(f, "{} {name}", self.kind)
        } else {
            write!(
                f,
                "{} {name}: {}",
                self.kind,
                crate::sql_ident::one_line(&self.detail)
            )
        }
    }
}
