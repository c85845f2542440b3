//! Kind `extension`: diff, plan and SQL. Extensions are database-wide prerequisites (types,
//! operator classes, access methods): every other object's step depends on the extensions of
//! its side (see `plan::implied_dependencies`), so they are created first and dropped last.
//! Only extensions the spec names are managed; the compare pipeline leaves others out.

use std::fmt;

use crate::model::{Extension, ObjectRef, Schema};
use crate::plan::{Builder, HazardKind};
use crate::sql_ident::{literal, quote};

use super::Change;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtensionChange {
    Add(Extension),
    Drop(Extension),
    /// Version or schema of an installed extension; `to.version == None` never asks for a change.
    Alter {
        from: Extension,
        to: Extension,
    },
}

impl fmt::Display for ExtensionChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ext = |n: &str| ObjectRef::Extension(n.to_string());
        match self {
            ExtensionChange::Add(e) => write!(f, "add {}", ext(&e.name)),
            ExtensionChange::Drop(e) => write!(f, "drop {}", ext(&e.name)),
            ExtensionChange::Alter { to, .. } => write!(f, "alter {}", ext(&to.name)),
        }
    }
}

pub fn diff(current: &Schema, desired: &Schema, out: &mut Vec<Change>) {
    for e in &current.extensions {
        if !desired.extensions.iter().any(|d| d.name == e.name) {
            out.push(Change::Extension(ExtensionChange::Drop(e.clone())));
        }
    }
    for d in &desired.extensions {
        match current.extensions.iter().find(|c| c.name == d.name) {
            None => out.push(Change::Extension(ExtensionChange::Add(d.clone()))),
            Some(c) => {
                let version_differs = d.version.is_some() && d.version != c.version;
                let schema_differs = d.schema.is_some() && d.schema != c.schema;
                if version_differs || schema_differs {
                    out.push(Change::Extension(ExtensionChange::Alter {
                        from: c.clone(),
                        to: d.clone(),
                    }));
                }
            }
        }
    }
}

/// `CREATE EXTENSION IF NOT EXISTS`: extensions are often pre-installed by the provider, so
/// creating one that exists must not fail.
pub fn create_sql(extension: &Extension) -> String {
    let mut sql = format!("CREATE EXTENSION IF NOT EXISTS {}", quote(&extension.name));
    if let Some(schema) = &extension.schema {
        sql.push_str(&format!(" SCHEMA {}", quote(schema)));
    }
    if let Some(version) = &extension.version {
        sql.push_str(&format!(" VERSION {}", literal(version)));
    }
    sql
}

/// `DROP EXTENSION` (without CASCADE, so objects still using it make the drop fail loudly).
pub fn drop_sql(name: &str) -> String {
    format!("DROP EXTENSION {}", quote(name))
}

/// `ALTER EXTENSION … UPDATE TO 'v'`.
pub fn update_sql(name: &str, version: &str) -> String {
    format!(
        "ALTER EXTENSION {} UPDATE TO {}",
        quote(name),
        literal(version)
    )
}

/// `ALTER EXTENSION … SET SCHEMA`.
pub fn set_schema_sql(name: &str, schema: &str) -> String {
    format!(
        "ALTER EXTENSION {} SET SCHEMA {}",
        quote(name),
        quote(schema)
    )
}

pub(crate) fn plan(change: &ExtensionChange, b: &mut Builder<'_>) {
    match change {
        ExtensionChange::Add(e) => {
            let me = ObjectRef::Extension(e.name.clone());
            b.step(&me, vec![create_sql(e)], Some(vec![drop_sql(&e.name)]))
                .provides([me.clone()])
                .requires(e.schema.iter().map(|s| ObjectRef::Schema(s.clone())));
        }
        ExtensionChange::Drop(e) => {
            let me = ObjectRef::Extension(e.name.clone());
            b.step(&me, vec![drop_sql(&e.name)], Some(vec![create_sql(e)]))
                .removes([me.clone()])
                .releases(e.schema.iter().map(|s| ObjectRef::Schema(s.clone())));
        }
        ExtensionChange::Alter { from, to } => {
            let me = ObjectRef::Extension(to.name.clone());
            if let Some(v) = &to.version
                && to.version != from.version
            {
                let down = from
                    .version
                    .as_ref()
                    .map(|old| vec![update_sql(&from.name, old)]);
                let irreversible = down.is_none();
                let d = b
                    .step(&me, vec![update_sql(&to.name, v)], down)
                    .provides([me.clone()]);
                if irreversible {
                    d.hazard(
                        HazardKind::Irreversible,
                        format!(
                            "the installed version of {me} is unknown, so the update cannot be undone"
                        ),
                    );
                }
            }
            if let Some(s) = &to.schema
                && to.schema != from.schema
            {
                let back = from.schema.clone().unwrap_or_else(|| "public".into());
                b.then(
                    &me,
                    vec![set_schema_sql(&to.name, s)],
                    Some(vec![set_schema_sql(&to.name, &back)]),
                )
                .provides([me.clone()])
                .requires([ObjectRef::Schema(s.clone())])
                .releases([ObjectRef::Schema(back)]);
            }
        }
    }
}
