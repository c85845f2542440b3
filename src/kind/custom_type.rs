//! Kind `custom_type`: diff, plan and SQL for domains and composite types.
//!
//! - A domain's default, `NOT NULL` and checks change in place (`ALTER DOMAIN`); a new check or
//!   `NOT NULL` is validated against every stored value ([`HazardKind::MayFail`]).
//! - A domain whose base type changes cannot be altered: it is **rebuilt** in one step — the
//!   columns using it are converted to the new base type, the domain is dropped and created
//!   again, and the columns converted back to it ([`HazardKind::TableRewrite`] per table).
//! - A composite type's attributes change in place (`ALTER TYPE … ADD | DROP | ALTER
//!   ATTRIBUTE`); a dropped attribute loses its values ([`HazardKind::DataLoss`]).
//! - A range type cannot be altered: any change rebuilds it, its columns converted through
//!   their text form (which every range has) and back.

use std::fmt;

use crate::model::{
    Check, ColumnType, CustomType, CustomTypeKind, ObjectRef, QualifiedName, Schema,
};
use crate::plan::{Builder, HazardKind, LockLevel};
use crate::sql_ident::{qualified, quote, type_name};

use super::{Change, column, comment_text};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeChange {
    Add(CustomType),
    Drop(CustomType),
    /// Default, `NOT NULL`, checks, attributes or comment differ.
    Alter {
        from: CustomType,
        to: CustomType,
    },
    /// A domain's base type changes.
    Rebuild {
        from: CustomType,
        to: CustomType,
    },
}

fn word(t: &CustomType) -> &'static str {
    match t.kind {
        CustomTypeKind::Domain { .. } => "domain",
        CustomTypeKind::Composite { .. } => "composite type",
        CustomTypeKind::Range { .. } => "range type",
    }
}

fn show(t: &CustomType) -> String {
    format!(
        "{} {}.{}",
        word(t),
        crate::sql_ident::display(&t.name.schema),
        crate::sql_ident::display(&t.name.name)
    )
}

impl fmt::Display for TypeChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeChange::Add(t) => write!(f, "add {}", show(t)),
            TypeChange::Drop(t) => write!(f, "drop {}", show(t)),
            TypeChange::Alter { to, .. } => write!(f, "alter {}", show(to)),
            TypeChange::Rebuild { to, .. } => match to.kind {
                CustomTypeKind::Range { .. } => {
                    write!(f, "rebuild {} (a range type cannot be altered)", show(to))
                }
                _ => write!(f, "rebuild {} (its base type changes)", show(to)),
            },
        }
    }
}

pub fn diff(current: &Schema, desired: &Schema, out: &mut Vec<Change>) {
    for c in &current.types {
        if desired.custom_type(&c.name).is_none() {
            out.push(Change::Type(TypeChange::Drop(c.clone())));
        }
    }
    for d in &desired.types {
        let Some(c) = current.custom_type(&d.name) else {
            out.push(Change::Type(TypeChange::Add(d.clone())));
            continue;
        };
        if c == d {
            continue;
        }
        let rebuild = match (&c.kind, &d.kind) {
            (CustomTypeKind::Domain { base: a, .. }, CustomTypeKind::Domain { base: b, .. }) => {
                a != b
            }
            (CustomTypeKind::Composite { .. }, CustomTypeKind::Composite { .. }) => false,
            (CustomTypeKind::Range { .. }, CustomTypeKind::Range { .. }) => {
                let mut c = c.clone();
                c.comment = d.comment.clone();
                c != *d
            }
            _ => true,
        };
        out.push(Change::Type(if rebuild {
            TypeChange::Rebuild {
                from: c.clone(),
                to: d.clone(),
            }
        } else {
            TypeChange::Alter {
                from: c.clone(),
                to: d.clone(),
            }
        }));
    }
}

/// The types a column type needs.
pub fn dependencies(ty: &ColumnType) -> Vec<ObjectRef> {
    column::type_dependencies(ty)
}

// ---------------------------------------------------------------------------------------------
// SQL

fn check_sql(c: &Check) -> String {
    format!("CONSTRAINT {} CHECK ({})", quote(&c.name), c.expr)
}

/// `CREATE DOMAIN …` / `CREATE TYPE … AS (…)`.
pub fn create_sql(t: &CustomType) -> String {
    match &t.kind {
        CustomTypeKind::Domain {
            base,
            not_null,
            default,
            checks,
        } => {
            let mut sql = format!(
                "CREATE DOMAIN {} AS {}",
                qualified(&t.name),
                type_name(base)
            );
            if let Some(d) = default {
                sql.push_str(&format!(" DEFAULT {d}"));
            }
            if *not_null {
                sql.push_str(" NOT NULL");
            }
            for c in checks {
                sql.push(' ');
                sql.push_str(&check_sql(c));
            }
            sql
        }
        CustomTypeKind::Composite { attributes } => format!(
            "CREATE TYPE {} AS ({})",
            qualified(&t.name),
            attributes
                .iter()
                .map(|(n, ty)| format!("{} {}", quote(n), type_name(ty)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        CustomTypeKind::Range {
            subtype,
            subtype_opclass,
            collation,
            subtype_diff,
            multirange,
        } => {
            let mut options = vec![format!("SUBTYPE = {}", type_name(subtype))];
            if let Some(o) = subtype_opclass {
                options.push(format!("SUBTYPE_OPCLASS = {}", quote(o)));
            }
            if let Some(c) = collation {
                options.push(format!("COLLATION = {}", column::collation_sql(c)));
            }
            if let Some(f) = subtype_diff {
                options.push(format!("SUBTYPE_DIFF = {}", function_name_sql(f)));
            }
            if let Some(m) = multirange {
                options.push(format!(
                    "MULTIRANGE_TYPE_NAME = {}",
                    qualified(&QualifiedName::new(&t.name.schema, m))
                ));
            }
            format!(
                "CREATE TYPE {} AS RANGE ({})",
                qualified(&t.name),
                options.join(", ")
            )
        }
    }
}

/// A function named in the spec (`float8mi`, `schema.f`), quoted part by part.
fn function_name_sql(name: &str) -> String {
    match name.split_once('.') {
        Some((s, n)) => format!("{}.{}", quote(s), quote(n)),
        None => quote(name),
    }
}

pub fn drop_sql(t: &CustomType) -> String {
    match t.kind {
        CustomTypeKind::Domain { .. } => format!("DROP DOMAIN {}", qualified(&t.name)),
        CustomTypeKind::Composite { .. } | CustomTypeKind::Range { .. } => {
            format!("DROP TYPE {}", qualified(&t.name))
        }
    }
}

pub fn comment_sql(t: &CustomType, text: Option<&str>) -> String {
    format!(
        "COMMENT ON {} {} IS {}",
        match t.kind {
            CustomTypeKind::Domain { .. } => "DOMAIN",
            CustomTypeKind::Composite { .. } | CustomTypeKind::Range { .. } => "TYPE",
        },
        qualified(&t.name),
        comment_text(text)
    )
}

fn structure_sql(t: &CustomType) -> Vec<String> {
    let mut out = vec![create_sql(t)];
    if let Some(c) = &t.comment {
        out.push(comment_sql(t, Some(c)));
    }
    out
}

/// The statements that alter `from` into `to` in place (same kind, same domain base), and
/// whether any may fail on stored values or destroy them.
fn alter_sql(
    name: &QualifiedName,
    from: &CustomTypeKind,
    to: &CustomTypeKind,
) -> (Vec<String>, bool, bool) {
    let q = qualified(name);
    let mut out = Vec::new();
    let (mut may_fail, mut loses) = (false, false);
    match (from, to) {
        (
            CustomTypeKind::Domain {
                not_null: n1,
                default: d1,
                checks: c1,
                ..
            },
            CustomTypeKind::Domain {
                not_null: n2,
                default: d2,
                checks: c2,
                ..
            },
        ) => {
            if d1 != d2 {
                out.push(match d2 {
                    Some(d) => format!("ALTER DOMAIN {q} SET DEFAULT {d}"),
                    None => format!("ALTER DOMAIN {q} DROP DEFAULT"),
                });
            }
            for c in c1 {
                if !c2.contains(c) {
                    out.push(format!(
                        "ALTER DOMAIN {q} DROP CONSTRAINT {}",
                        quote(&c.name)
                    ));
                }
            }
            for c in c2 {
                if !c1.contains(c) {
                    out.push(format!("ALTER DOMAIN {q} ADD {}", check_sql(c)));
                    may_fail = true;
                }
            }
            if n1 != n2 {
                out.push(format!(
                    "ALTER DOMAIN {q} {} NOT NULL",
                    if *n2 { "SET" } else { "DROP" }
                ));
                may_fail |= *n2;
            }
        }
        (
            CustomTypeKind::Composite { attributes: a1 },
            CustomTypeKind::Composite { attributes: a2 },
        ) => {
            let mut actions = Vec::new();
            for (n, _) in a1 {
                if !a2.iter().any(|(m, _)| m == n) {
                    actions.push(format!("DROP ATTRIBUTE {}", quote(n)));
                    loses = true;
                }
            }
            for (n, ty) in a2 {
                match a1.iter().find(|(m, _)| m == n) {
                    None => actions.push(format!("ADD ATTRIBUTE {} {}", quote(n), type_name(ty))),
                    Some((_, old)) if old != ty => {
                        actions.push(format!(
                            "ALTER ATTRIBUTE {} TYPE {}",
                            quote(n),
                            type_name(ty)
                        ));
                        may_fail = true;
                    }
                    Some(_) => {}
                }
            }
            if !actions.is_empty() {
                out.push(format!("ALTER TYPE {q} {}", actions.join(", ")));
            }
        }
        _ => {}
    }
    (out, may_fail, loses)
}

/// The columns of `schema` whose type is `name` (directly or as array elements).
fn users(schema: &Schema, name: &QualifiedName) -> Vec<(QualifiedName, String, ColumnType)> {
    fn uses(ty: &ColumnType, name: &QualifiedName) -> bool {
        match ty {
            ColumnType::Custom(q) => q == name,
            ColumnType::Other(o) => {
                o.schema.as_deref() == Some(name.schema.as_str()) && o.name == name.name
            }
            ColumnType::Array(inner) => uses(inner, name),
            _ => false,
        }
    }
    let mut out = Vec::new();
    for t in &schema.tables {
        for c in &t.columns {
            if uses(&c.ty, name) {
                out.push((t.name.clone(), c.name.clone(), c.ty.clone()));
            }
        }
    }
    out
}

/// A column type with the domain `name` replaced by `base` (for the conversion of a rebuild).
fn with_base(ty: &ColumnType, name: &QualifiedName, base: &ColumnType) -> ColumnType {
    match ty {
        ColumnType::Custom(q) if q == name => base.clone(),
        ColumnType::Other(o)
            if o.schema.as_deref() == Some(name.schema.as_str()) && o.name == name.name =>
        {
            base.clone()
        }
        ColumnType::Array(inner) => ColumnType::Array(Box::new(with_base(inner, name, base))),
        other => other.clone(),
    }
}

fn convert_sql(table: &QualifiedName, column: &str, ty: &ColumnType) -> String {
    let t = type_name(ty);
    format!(
        "ALTER TABLE {} ALTER COLUMN {} TYPE {t} USING {}::{t}",
        qualified(table),
        quote(column),
        quote(column)
    )
}

/// A domain rebuilt from `from` to `to`, with `users` converted through `via` (the new base).
fn rebuild_sql(
    users: &[(QualifiedName, String, ColumnType)],
    from: &CustomType,
    to: &CustomType,
    via: &ColumnType,
) -> Vec<String> {
    let mut out = Vec::new();
    for (t, c, ty) in users {
        out.push(convert_sql(t, c, &with_base(ty, &from.name, via)));
    }
    out.push(drop_sql(from));
    out.extend(structure_sql(to));
    for (t, c, ty) in users {
        out.push(convert_sql(t, c, ty));
    }
    out
}

fn base_of(t: &CustomType) -> Option<&ColumnType> {
    match &t.kind {
        CustomTypeKind::Domain { base, .. } => Some(base),
        CustomTypeKind::Composite { .. } => None,
        // Columns of a range pass through text while it is rebuilt.
        CustomTypeKind::Range { .. } => Some(&ColumnType::Text),
    }
}

fn type_deps(t: &CustomType) -> Vec<ObjectRef> {
    match &t.kind {
        CustomTypeKind::Domain { base, .. } => dependencies(base),
        CustomTypeKind::Composite { attributes } => attributes
            .iter()
            .flat_map(|(_, ty)| dependencies(ty))
            .collect(),
        CustomTypeKind::Range { subtype, .. } => dependencies(subtype),
    }
}

// ---------------------------------------------------------------------------------------------
// Planning

pub(crate) fn plan(change: &TypeChange, b: &mut Builder<'_>) {
    match change {
        TypeChange::Add(t) => {
            let me = t.object();
            b.step(&me, vec![create_sql(t)], Some(vec![drop_sql(t)]))
                .provides([me.clone()])
                .requires(type_deps(t));
            if let Some(c) = &t.comment {
                b.then(
                    &me,
                    vec![comment_sql(t, Some(c))],
                    Some(vec![comment_sql(t, None)]),
                )
                .requires([me.clone()]);
            }
        }
        TypeChange::Drop(t) => {
            let me = t.object();
            b.step(&me, vec![drop_sql(t)], Some(structure_sql(t)))
                .removes([me.clone()])
                .releases(type_deps(t));
        }
        TypeChange::Alter { from, to } => {
            let me = to.object();
            let (up, may_fail, loses) = alter_sql(&to.name, &from.kind, &to.kind);
            if !up.is_empty() {
                let (down, _, _) = alter_sql(&to.name, &to.kind, &from.kind);
                let d = b
                    .then(&me, up, Some(down))
                    .requires([me.clone()])
                    .requires(type_deps(to))
                    .lock(LockLevel::AccessExclusive, &me);
                if may_fail {
                    d.hazard(
                        HazardKind::MayFail,
                        format!("the new constraints of {} are checked against every stored value: the change fails if one breaks them", show(to)),
                    );
                }
                if loses {
                    d.hazard(
                        HazardKind::DataLoss,
                        format!("attributes dropped from {} lose their values", show(to)),
                    );
                }
            }
            if from.comment != to.comment {
                b.then(
                    &me,
                    vec![comment_sql(to, to.comment.as_deref())],
                    Some(vec![comment_sql(from, from.comment.as_deref())]),
                )
                .requires([me.clone()]);
            }
        }
        TypeChange::Rebuild { from, to } => {
            let me = to.object();
            let cx = b.cx;
            let users = users(&cx.renamed, &from.name)
                .into_iter()
                .filter(|(t, c, ty)| {
                    cx.desired
                        .table(t)
                        .and_then(|d| d.column(c))
                        .is_some_and(|d| &d.ty == ty)
                })
                .collect::<Vec<_>>();
            let (Some(old_base), Some(new_base)) = (base_of(from), base_of(to)) else {
                // Kind changes (a domain becomes a composite type): drop and create.
                b.step(
                    &me,
                    vec![drop_sql(from), create_sql(to)],
                    Some(vec![drop_sql(to), create_sql(from)]),
                )
                .removes([me.clone()])
                .provides([me.clone()]);
                return;
            };
            let columns: Vec<ObjectRef> = users
                .iter()
                .map(|(t, c, _)| ObjectRef::column(t, c))
                .collect();
            let d = b
                .step(
                    &me,
                    rebuild_sql(&users, from, to, new_base),
                    Some(rebuild_sql(&users, to, from, old_base)),
                )
                .removes([me.clone()])
                .provides([me.clone()])
                .removes(columns.clone())
                .provides(columns.clone())
                .requires(columns)
                .requires(type_deps(to))
                .releases(type_deps(from));
            for (t, c, _) in &users {
                d.hazard(
                    HazardKind::TableRewrite,
                    format!(
                        "{} is converted to the rebuilt {}, rewriting {}",
                        ObjectRef::column(t, c),
                        show(to),
                        ObjectRef::Table(t.clone())
                    ),
                )
                .lock(LockLevel::AccessExclusive, &ObjectRef::Table(t.clone()));
            }
            if !users.is_empty() {
                d.hazard(
                    HazardKind::MayFail,
                    match to.kind {
                        CustomTypeKind::Range { .. } => {
                            format!("stored values must be valid ranges of the new {}", show(to))
                        }
                        _ => format!(
                            "stored values must fit the new base type and constraints of {}",
                            show(to)
                        ),
                    },
                );
            }
        }
    }
}
