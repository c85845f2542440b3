//! Kind `namespace` (PostgreSQL schemas other than `public`): diff, plan and SQL. A schema is
//! created before anything is put in it and dropped (without CASCADE) after its contents.

use std::fmt;

use crate::model::{Namespace, ObjectRef, Schema};
use crate::plan::Builder;
use crate::sql_ident::quote;

use super::{Change, comment_text};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamespaceChange {
    Add(Namespace),
    Drop(Namespace),
    AlterComment {
        name: String,
        from: Option<String>,
        to: Option<String>,
    },
}

impl fmt::Display for NamespaceChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let schema = |n: &str| ObjectRef::Schema(n.to_string());
        match self {
            NamespaceChange::Add(n) => write!(f, "add {}", schema(&n.name)),
            NamespaceChange::Drop(n) => write!(f, "drop {}", schema(&n.name)),
            NamespaceChange::AlterComment { name, .. } => {
                write!(f, "change comment on {}", schema(name))
            }
        }
    }
}

pub fn diff(current: &Schema, desired: &Schema, out: &mut Vec<Change>) {
    for n in &current.namespaces {
        if !desired.namespaces.iter().any(|d| d.name == n.name) {
            out.push(Change::Namespace(NamespaceChange::Drop(n.clone())));
        }
    }
    for d in &desired.namespaces {
        match current.namespaces.iter().find(|c| c.name == d.name) {
            None => out.push(Change::Namespace(NamespaceChange::Add(d.clone()))),
            Some(c) if c.comment != d.comment => {
                out.push(Change::Namespace(NamespaceChange::AlterComment {
                    name: d.name.clone(),
                    from: c.comment.clone(),
                    to: d.comment.clone(),
                }))
            }
            Some(_) => {}
        }
    }
    if current.public_comment != desired.public_comment {
        out.push(Change::Namespace(NamespaceChange::AlterComment {
            name: "public".into(),
            from: current.public_comment.clone(),
            to: desired.public_comment.clone(),
        }));
    }
}

/// The comment PostgreSQL gives `public`, which a spec without one leaves (or puts back).
pub const PUBLIC_COMMENT: &str = "standard public schema";

/// `CREATE SCHEMA`.
pub fn create_sql(name: &str) -> String {
    format!("CREATE SCHEMA {}", quote(name))
}

/// `DROP SCHEMA` (without CASCADE: a plan drops the contents first, explicitly).
pub fn drop_sql(name: &str) -> String {
    format!("DROP SCHEMA {}", quote(name))
}

/// `COMMENT ON SCHEMA`; `None` removes the comment.
pub fn comment_sql(name: &str, text: Option<&str>) -> String {
    format!(
        "COMMENT ON SCHEMA {} IS {}",
        quote(name),
        comment_text(text)
    )
}

pub(crate) fn plan(change: &NamespaceChange, b: &mut Builder<'_>) {
    match change {
        NamespaceChange::Add(n) => {
            let me = ObjectRef::Schema(n.name.clone());
            b.step(
                &me,
                vec![create_sql(&n.name)],
                Some(vec![drop_sql(&n.name)]),
            )
            .provides([me.clone()]);
            if let Some(c) = &n.comment {
                b.then(
                    &me,
                    vec![comment_sql(&n.name, Some(c))],
                    Some(vec![comment_sql(&n.name, None)]),
                )
                .requires([me.clone()]);
            }
        }
        NamespaceChange::Drop(n) => {
            let me = ObjectRef::Schema(n.name.clone());
            let mut down = vec![create_sql(&n.name)];
            if let Some(c) = &n.comment {
                down.push(comment_sql(&n.name, Some(c)));
            }
            b.step(&me, vec![drop_sql(&n.name)], Some(down))
                .removes([me.clone()]);
        }
        NamespaceChange::AlterComment { name, from, to } => {
            let me = ObjectRef::Schema(name.clone());
            // `public` has no comment of the spec's: it goes back to PostgreSQL's own.
            let text = |c: &Option<String>| match (name.as_str(), c) {
                ("public", None) => Some(PUBLIC_COMMENT.to_string()),
                _ => c.clone(),
            };
            let step = b.step(
                &me,
                vec![comment_sql(name, text(to).as_deref())],
                Some(vec![comment_sql(name, text(from).as_deref())]),
            );
            if name != "public" {
                step.requires([me.clone()]);
            }
        }
    }
}
