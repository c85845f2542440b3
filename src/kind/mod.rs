//! The object kinds, one module each: a kind owns its diff (what differs between two schemas),
//! its planning (the steps for each change, with their reverse, hazards, locks and
//! dependencies) and its SQL rendering. `diff` and `plan` only drive the kinds; this module is
//! the one place that dispatches over them.
//!
//! Adding a kind: a model type (and its field in [`Schema`](crate::model::Schema), which every
//! exhaustive destructuring then asks for), a module here with its change enum, `diff`, `plan`
//! and SQL, a variant of [`Change`], the spec (`spec::shape`, `spec::lower`, `spec::emit`, the
//! JSON Schema) and introspection (`introspect::queries`, `introspect::convert`), and taking it
//! off the list of unmanaged objects (`introspect::inventory`).

pub mod column;
pub mod constraint;
pub mod custom_type;
pub mod enum_type;
pub mod extension;
pub mod function;
pub mod grant;
pub mod index;
pub mod namespace;
pub mod policy;
pub mod sequence;
pub mod table;
pub mod trigger;
pub mod view;

use std::collections::BTreeMap;
use std::fmt;

use crate::model::{ObjectRef, QualifiedName, Schema};
use crate::plan::Builder;

pub use column::ColumnChange;
pub use constraint::{Constraint, ConstraintChange};
pub use custom_type::TypeChange;
pub use enum_type::{EnumChange, EnumValuePosition};
pub use extension::ExtensionChange;
pub use function::FunctionChange;
pub use grant::GrantChange;
pub use index::IndexChange;
pub use namespace::NamespaceChange;
pub use policy::PolicyChange;
pub use sequence::SequenceChange;
pub use table::TableChange;
pub use trigger::TriggerChange;
pub use view::ViewChange;

/// One difference between `current` and `desired`, by kind, carrying both sides where there
/// are two, so the planner can write the forward and the reverse SQL and explain each step.
// A plan holds a few hundred changes at most; boxing the large variants would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Namespace(NamespaceChange),
    Extension(ExtensionChange),
    Enum(EnumChange),
    Sequence(SequenceChange),
    Table(TableChange),
    Column(ColumnChange),
    Constraint(ConstraintChange),
    Index(IndexChange),
    View(ViewChange),
    Function(FunctionChange),
    Trigger(TriggerChange),
    Policy(PolicyChange),
    Type(TypeChange),
    Grant(GrantChange),
}

impl fmt::Display for Change {
    /// One line for `-- from:` annotations and messages; names are escaped, so no name can
    /// break out of a comment line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Namespace(c) => c.fmt(f),
            Change::Extension(c) => c.fmt(f),
            Change::Enum(c) => c.fmt(f),
            Change::Sequence(c) => c.fmt(f),
            Change::Table(c) => c.fmt(f),
            Change::Column(c) => c.fmt(f),
            Change::Constraint(c) => c.fmt(f),
            Change::Index(c) => c.fmt(f),
            Change::View(c) => c.fmt(f),
            Change::Function(c) => c.fmt(f),
            Change::Trigger(c) => c.fmt(f),
            Change::Policy(c) => c.fmt(f),
            Change::Type(c) => c.fmt(f),
            Change::Grant(c) => c.fmt(f),
        }
    }
}

impl Change {
    /// Plans this change's steps (the kind decides them).
    pub(crate) fn plan(&self, b: &mut Builder<'_>) {
        match self {
            Change::Namespace(c) => namespace::plan(c, b),
            Change::Extension(c) => extension::plan(c, b),
            Change::Enum(c) => enum_type::plan(c, b),
            Change::Sequence(c) => sequence::plan(c, b),
            Change::Table(c) => table::plan(c, b),
            Change::Column(c) => column::plan(c, b),
            Change::Constraint(c) => constraint::plan(c, b),
            Change::Index(c) => index::plan(c, b),
            Change::View(c) => view::plan(c, b),
            Change::Function(c) => function::plan(c, b),
            Change::Trigger(c) => trigger::plan(c, b),
            Change::Policy(c) => policy::plan(c, b),
            Change::Type(c) => custom_type::plan(c, b),
            Change::Grant(c) => grant::plan(c, b),
        }
    }

    /// A stable name of the change's kind and action (`table.add`, `column.alter`), for
    /// coverage reports and machine-readable output.
    pub fn label(&self) -> &'static str {
        match self {
            Change::Namespace(c) => match c {
                NamespaceChange::Add(_) => "namespace.add",
                NamespaceChange::Drop(_) => "namespace.drop",
                NamespaceChange::AlterComment { .. } => "namespace.comment",
            },
            Change::Extension(c) => match c {
                ExtensionChange::Add(_) => "extension.add",
                ExtensionChange::Drop(_) => "extension.drop",
                ExtensionChange::Alter { .. } => "extension.alter",
            },
            Change::Enum(c) => match c {
                EnumChange::Add(_) => "enum.add",
                EnumChange::Drop(_) => "enum.drop",
                EnumChange::AddValue { .. } => "enum.add_value",
                EnumChange::Recreate { .. } => "enum.recreate",
                EnumChange::AlterComment { .. } => "enum.comment",
            },
            Change::Sequence(c) => match c {
                SequenceChange::Add(_) => "sequence.add",
                SequenceChange::Drop(_) => "sequence.drop",
                SequenceChange::Rename { .. } => "sequence.rename",
                SequenceChange::Alter { .. } => "sequence.alter",
            },
            Change::Table(c) => match c {
                TableChange::Add(_) => "table.add",
                TableChange::Drop(_) => "table.drop",
                TableChange::Rename { .. } => "table.rename",
                TableChange::AlterComment { .. } => "table.comment",
                TableChange::AlterStorage { .. } => "table.storage",
                TableChange::AlterPersistence { .. } => "table.persistence",
                TableChange::AlterReplicaIdentity { .. } => "table.replica_identity",
                TableChange::Rebound { .. } => "table.bound",
                TableChange::Detach { .. } => "table.detach",
            },
            Change::Column(c) => match c {
                ColumnChange::Add { .. } => "column.add",
                ColumnChange::Drop { .. } => "column.drop",
                ColumnChange::Rename { .. } => "column.rename",
                ColumnChange::Alter { .. } => "column.alter",
                ColumnChange::SerialToIdentity { .. } => "column.serial_to_identity",
                ColumnChange::IdentityToSerial { .. } => "column.identity_to_serial",
            },
            Change::Constraint(c) => match c {
                ConstraintChange::Add { .. } => "constraint.add",
                ConstraintChange::Drop { .. } => "constraint.drop",
                ConstraintChange::Rename { .. } => "constraint.rename",
                ConstraintChange::Validate { .. } => "constraint.validate",
                ConstraintChange::Comment { .. } => "constraint.comment",
            },
            Change::Index(c) => match c {
                IndexChange::Add { .. } => "index.add",
                IndexChange::Drop { .. } => "index.drop",
                IndexChange::Replace { .. } => "index.replace",
                IndexChange::Rename { .. } => "index.rename",
                IndexChange::AlterComment { .. } => "index.comment",
            },
            Change::View(c) => match c {
                ViewChange::Add(_) => "view.add",
                ViewChange::Drop(_) => "view.drop",
                ViewChange::Replace { .. } => "view.replace",
                ViewChange::Rebuild { .. } => "view.rebuild",
                ViewChange::Alter { .. } => "view.alter",
            },
            Change::Function(c) => match c {
                FunctionChange::Add(_) => "function.add",
                FunctionChange::Drop(_) => "function.drop",
                FunctionChange::Replace { .. } => "function.replace",
                FunctionChange::Rebuild { .. } => "function.rebuild",
                FunctionChange::AlterComment { .. } => "function.comment",
            },
            Change::Trigger(c) => match c {
                TriggerChange::Add(_) => "trigger.add",
                TriggerChange::Drop(_) => "trigger.drop",
                TriggerChange::Replace { .. } => "trigger.replace",
                TriggerChange::AlterComment { .. } => "trigger.comment",
                TriggerChange::Enable { .. } => "trigger.enable",
            },
            Change::Policy(c) => match c {
                PolicyChange::Security { .. } => "policy.row_security",
                PolicyChange::Add(_) => "policy.add",
                PolicyChange::Drop(_) => "policy.drop",
                PolicyChange::Replace { .. } => "policy.replace",
                PolicyChange::AlterComment { .. } => "policy.comment",
            },
            Change::Type(c) => match c {
                TypeChange::Add(_) => "type.add",
                TypeChange::Drop(_) => "type.drop",
                TypeChange::Alter { .. } => "type.alter",
                TypeChange::Rebuild { .. } => "type.rebuild",
            },
            Change::Grant(_) => "grant.change",
        }
    }

    /// The table this change creates, if it creates one (the planner asks whether a table
    /// existed before the plan); a materialized view created anew counts, as the relation its
    /// indexes are built on.
    pub(crate) fn created_table(&self) -> Option<&QualifiedName> {
        match self {
            Change::Table(TableChange::Add(t)) => Some(&t.name),
            Change::View(ViewChange::Add(v) | ViewChange::Rebuild { to: v, .. })
                if v.materialized =>
            {
                Some(&v.name)
            }
            _ => None,
        }
    }
}

/// The objects that `changes` take away from under what rests on them (views, triggers,
/// policies), with why: columns retyped, dropped or replaced, tables dropped, columns of an enum
/// rebuilt, tables and columns renamed (by their old names, which is how a current object names
/// what it reads), functions dropped or rebuilt, views rebuilt. PostgreSQL refuses most of
/// these changes while something rests on the object, so the dependents are rebuilt around
/// them.
pub(crate) fn taken_away(
    current: &Schema,
    changes: &[Change],
) -> BTreeMap<ObjectRef, &'static str> {
    let mut out: BTreeMap<ObjectRef, &'static str> = function::removed(changes)
        .into_iter()
        .map(|f| (f, "is dropped or created again"))
        .collect();
    let mut old_table: BTreeMap<&QualifiedName, &QualifiedName> = BTreeMap::new();
    for c in changes {
        if let Change::Table(TableChange::Rename { from, to }) = c {
            old_table.insert(to, from);
            out.insert(ObjectRef::Table(from.clone()), "is renamed");
            if let Some(t) = current.table(to) {
                for col in &t.columns {
                    out.insert(
                        ObjectRef::column(from, &col.name),
                        "is renamed with its table",
                    );
                }
            }
        }
    }
    for c in changes {
        match c {
            Change::Column(ColumnChange::Rename { table, from, .. }) => {
                let old = old_table.get(table).copied().unwrap_or(table);
                out.insert(ObjectRef::column(old, from), "is renamed");
            }
            Change::Column(ColumnChange::Drop { table, column }) => {
                out.insert(ObjectRef::column(table, &column.name), "is dropped");
            }
            Change::Column(ColumnChange::Alter { table, from, to })
                if from.ty != to.ty || column::replaced(from, to) =>
            {
                let verb = if from.ty != to.ty {
                    "changes type"
                } else {
                    "is dropped and added again"
                };
                out.insert(ObjectRef::column(table, &to.name), verb);
            }
            Change::Table(TableChange::Drop(t)) => {
                out.insert(ObjectRef::Table(t.name.clone()), "is dropped");
                for col in &t.columns {
                    out.insert(ObjectRef::column(&t.name, &col.name), "is dropped");
                }
            }
            Change::View(ViewChange::Rebuild { from, .. }) => {
                out.insert(from.object(), "is rebuilt");
            }
            Change::Enum(EnumChange::Recreate { from, .. }) => {
                for (t, col) in enum_type::users(current, &from.name) {
                    out.insert(
                        ObjectRef::column(&t, &col.name),
                        "is converted to its rebuilt enum",
                    );
                }
            }
            _ => {}
        }
    }
    out
}

/// Why an object resting on others must be dropped and created again: its own definition
/// changed, or something it reads is taken away ([`taken_away`]).
pub(crate) fn replace_reason(
    definition_changed: bool,
    reads: &[ObjectRef],
    taken: &BTreeMap<ObjectRef, &'static str>,
) -> Option<String> {
    if definition_changed {
        return Some("its definition changed".into());
    }
    reads
        .iter()
        .find_map(|o| taken.get(o).map(|why| format!("it reads {o}, which {why}")))
}

/// A comment's text as SQL: a literal, or `NULL` to remove it.
pub(crate) fn comment_text(text: Option<&str>) -> String {
    text.map_or_else(|| "NULL".to_string(), crate::sql_ident::literal)
}

/// `ALTER <kind> … RESET (…)` / `SET (…)` taking a relation's storage parameters from `from`
/// to `to` (`kind`: `TABLE`, `MATERIALIZED VIEW`). A `toast.` parameter's parts are quoted
/// apart, as `RESET` reads them.
pub(crate) fn storage_change_sql(
    kind: &str,
    name: &crate::model::QualifiedName,
    from: &crate::model::IndexOptions,
    to: &crate::model::IndexOptions,
) -> Vec<String> {
    use crate::sql_ident::{qualified, quote};
    let mut out = Vec::new();
    let reset: Vec<String> = from
        .iter()
        .filter(|(k, _)| to.get(k).is_none())
        .map(|(k, _)| k.split('.').map(quote).collect::<Vec<_>>().join("."))
        .collect();
    if !reset.is_empty() {
        out.push(format!(
            "ALTER {kind} {} RESET ({})",
            qualified(name),
            reset.join(", ")
        ));
    }
    let set: Vec<String> = to
        .iter()
        .filter(|(k, v)| from.get(k) != Some(*v))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if !set.is_empty() {
        out.push(format!(
            "ALTER {kind} {} SET ({})",
            qualified(name),
            set.join(", ")
        ));
    }
    out
}

/// `name` + `suffix`, with `name` cut on a character boundary so the result fits PostgreSQL's
/// 63-byte identifiers (temporary names of index replacements and type rebuilds).
pub fn temporary_name(name: &str, suffix: &str) -> String {
    let mut base = name.to_string();
    while base.len() + suffix.len() > 63 {
        base.pop();
    }
    format!("{base}{suffix}")
}
