//! Kind `enum`: diff, plan and SQL for enum types.
//!
//! - **Labels added** (appended or inserted) are `ALTER TYPE … ADD VALUE IF NOT EXISTS` steps,
//!   non-transactional: PostgreSQL ≥ 12 accepts them in a transaction, but the new label cannot
//!   be used until that transaction commits, and a later step (a default, a check) may use it.
//! - **Labels removed or reordered** rebuild the type: rename the old one away, create the new
//!   one, convert every column with `USING col::text::new`, drop the old one. Checks and
//!   indexes whose expressions compare such a column with a label are dropped before and added
//!   after (PostgreSQL re-parses them against the old type): see `diff`'s dependents pass.

use std::fmt;

use crate::model::{ColumnType, DefaultValue, Enum, ObjectRef, QualifiedName, Schema};
use crate::plan::{Builder, HazardKind};
use crate::sql_ident::{literal, qualified, quote};

use super::{Change, comment_text, temporary_name};

/// Where `ALTER TYPE … ADD VALUE` puts a new label: label order is the enum's sort order, so a
/// plan must be able to insert in the middle, not only append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnumValuePosition {
    End,
    Before(String),
    After(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnumChange {
    Add(Enum),
    Drop(Enum),
    /// A new label, at a position that keeps the desired sort order.
    AddValue {
        name: QualifiedName,
        value: String,
        position: EnumValuePosition,
    },
    /// Labels were removed or reordered: the type is rebuilt and every column using it is
    /// converted (rows holding a removed label fail).
    Recreate {
        from: Enum,
        to: Enum,
    },
    AlterComment {
        name: QualifiedName,
        from: Option<String>,
        to: Option<String>,
    },
}

impl fmt::Display for EnumChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = |q: &QualifiedName| ObjectRef::Enum(q.clone());
        match self {
            EnumChange::Add(x) => write!(f, "add {}", e(&x.name)),
            EnumChange::Drop(x) => write!(f, "drop {}", e(&x.name)),
            EnumChange::AddValue { name, value, .. } => write!(
                f,
                "add value {} to {}",
                crate::sql_ident::one_line(&literal(value)),
                e(name)
            ),
            EnumChange::Recreate { to, .. } => {
                write!(f, "recreate {} (labels removed or reordered)", e(&to.name))
            }
            EnumChange::AlterComment { name, .. } => write!(f, "change comment on {}", e(name)),
        }
    }
}

pub fn diff(current: &Schema, desired: &Schema, out: &mut Vec<Change>) {
    for e in &current.enums {
        if desired.enum_type(&e.name).is_none() {
            out.push(Change::Enum(EnumChange::Drop(e.clone())));
        }
    }
    for d in &desired.enums {
        let Some(c) = current.enum_type(&d.name) else {
            out.push(Change::Enum(EnumChange::Add(d.clone())));
            continue;
        };
        if c.values != d.values {
            // Appending or inserting only if the current labels are a subsequence of the
            // desired ones in the same order.
            let kept: Vec<&String> = d.values.iter().filter(|v| c.values.contains(v)).collect();
            let only_added =
                kept.len() == c.values.len() && kept.iter().zip(&c.values).all(|(a, b)| *a == b);
            if only_added {
                // Each new label goes after its predecessor in the desired order (or before the
                // first label when it leads), so adding them in order reproduces that order.
                for (i, v) in d.values.iter().enumerate() {
                    if c.values.contains(v) {
                        continue;
                    }
                    let position = if i == 0 {
                        match c.values.first() {
                            Some(first) => EnumValuePosition::Before(first.clone()),
                            None => EnumValuePosition::End,
                        }
                    } else if i == d.values.len() - 1 {
                        EnumValuePosition::End
                    } else {
                        EnumValuePosition::After(d.values[i - 1].clone())
                    };
                    out.push(Change::Enum(EnumChange::AddValue {
                        name: d.name.clone(),
                        value: v.clone(),
                        position,
                    }));
                }
            } else {
                out.push(Change::Enum(EnumChange::Recreate {
                    from: c.clone(),
                    to: d.clone(),
                }));
            }
        }
        if c.comment != d.comment {
            out.push(Change::Enum(EnumChange::AlterComment {
                name: d.name.clone(),
                from: c.comment.clone(),
                to: d.comment.clone(),
            }));
        }
    }
}

/// `CREATE TYPE … AS ENUM (…)`, labels as escaped literals.
pub fn create_sql(e: &Enum) -> String {
    format!(
        "CREATE TYPE {} AS ENUM ({})",
        qualified(&e.name),
        e.values
            .iter()
            .map(|v| literal(v))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// `ALTER TYPE … ADD VALUE IF NOT EXISTS …`: the only cheap enum change PostgreSQL offers (no
/// rewrite); re-runnable, since it runs outside a transaction.
pub fn add_value_sql(name: &QualifiedName, value: &str, position: &EnumValuePosition) -> String {
    let mut sql = format!(
        "ALTER TYPE {} ADD VALUE IF NOT EXISTS {}",
        qualified(name),
        literal(value)
    );
    match position {
        EnumValuePosition::End => {}
        EnumValuePosition::Before(v) => sql.push_str(&format!(" BEFORE {}", literal(v))),
        EnumValuePosition::After(v) => sql.push_str(&format!(" AFTER {}", literal(v))),
    }
    sql
}

/// `DROP TYPE` for an enum no column uses any more.
pub fn drop_sql(name: &QualifiedName) -> String {
    format!("DROP TYPE {}", qualified(name))
}

/// `ALTER TYPE … RENAME TO`.
pub fn rename_sql(from: &QualifiedName, to: &str) -> String {
    format!("ALTER TYPE {} RENAME TO {}", qualified(from), quote(to))
}

/// `COMMENT ON TYPE`; `None` removes the comment.
pub fn comment_sql(name: &QualifiedName, text: Option<&str>) -> String {
    format!(
        "COMMENT ON TYPE {} IS {}",
        qualified(name),
        comment_text(text)
    )
}

/// Every column of `schema` whose type is the enum `name`, directly or as an array element:
/// what a rebuild converts.
pub fn users(schema: &Schema, name: &QualifiedName) -> Vec<(QualifiedName, crate::model::Column)> {
    fn uses(ty: &ColumnType, name: &QualifiedName) -> bool {
        match ty {
            ColumnType::Enum(q) => q == name,
            ColumnType::Array(inner) => uses(inner, name),
            _ => false,
        }
    }
    let mut out = Vec::new();
    for t in &schema.tables {
        for c in &t.columns {
            if uses(&c.ty, name) {
                out.push((t.name.clone(), c.clone()));
            }
        }
    }
    out
}

/// The columns a rebuild of enum `name` converts: those of `current` (renames applied) that
/// keep the type in `desired`. Columns dropped, or retyped away from the enum, are taken care
/// of before the rebuild by their own steps.
pub fn converted_users(
    current: &Schema,
    desired: &Schema,
    name: &QualifiedName,
) -> Vec<(QualifiedName, crate::model::Column)> {
    users(current, name)
        .into_iter()
        .filter(|(t, c)| {
            desired
                .table(t)
                .and_then(|d| d.column(&c.name))
                .is_some_and(|d| d.ty == c.ty)
        })
        .collect()
}

/// The statements that rebuild enum `from` as `to` (same name), converting `columns`.
/// Defaults are dropped around the conversion (PostgreSQL cannot cast them) and restored when
/// their label survives.
fn recreate_sql(
    columns: &[(QualifiedName, crate::model::Column)],
    from: &Enum,
    to: &Enum,
) -> Vec<String> {
    let old_name = temporary_name(&from.name.name, "_tmold");
    let old = QualifiedName::new(&from.name.schema, &old_name);
    let mut out = vec![rename_sql(&from.name, &old_name), create_sql(to)];
    for (table, column) in columns {
        if column.default.is_some() {
            out.push(super::column::drop_default_sql(table, &column.name));
        }
        let using = format!(
            "{}::text{}::{}",
            quote(&column.name),
            if matches!(column.ty, ColumnType::Array(_)) {
                "[]"
            } else {
                ""
            },
            crate::sql_ident::type_name(&column.ty)
        );
        out.push(super::column::alter_type_sql(
            table,
            &column.name,
            &column.ty,
            column.collation.as_deref(),
            Some(&using),
        ));
        if let Some(d) = &column.default {
            let survives = match d {
                DefaultValue::Text(label) => {
                    to.values.contains(label) || matches!(column.ty, ColumnType::Array(_))
                }
                _ => true,
            };
            if survives {
                out.push(super::column::set_default_sql(table, &column.name, d));
            }
        }
    }
    out.push(drop_sql(&old));
    out
}

pub(crate) fn plan(change: &EnumChange, b: &mut Builder<'_>) {
    match change {
        EnumChange::Add(e) => {
            let me = ObjectRef::Enum(e.name.clone());
            b.step(&me, vec![create_sql(e)], Some(vec![drop_sql(&e.name)]))
                .provides([me.clone()]);
            if let Some(c) = &e.comment {
                b.then(
                    &me,
                    vec![comment_sql(&e.name, Some(c))],
                    Some(vec![comment_sql(&e.name, None)]),
                )
                .requires([me.clone()]);
            }
        }
        EnumChange::Drop(e) => {
            let me = ObjectRef::Enum(e.name.clone());
            let mut down = vec![create_sql(e)];
            if let Some(c) = &e.comment {
                down.push(comment_sql(&e.name, Some(c)));
            }
            b.step(&me, vec![drop_sql(&e.name)], Some(down))
                .removes([me.clone()]);
        }
        EnumChange::AddValue {
            name,
            value,
            position,
        } => {
            let kept = converted_users(&b.cx.renamed, b.cx.desired, name);
            let Some(state) = b.enum_states.iter_mut().find(|e| &e.name == name) else {
                return;
            };
            let before = state.clone();
            let at = match position {
                EnumValuePosition::End => state.values.len(),
                EnumValuePosition::Before(v) => {
                    state.values.iter().position(|x| x == v).unwrap_or(0)
                }
                EnumValuePosition::After(v) => state
                    .values
                    .iter()
                    .position(|x| x == v)
                    .map_or(state.values.len(), |p| p + 1),
            };
            state.values.insert(at, value.clone());
            let after = state.clone();
            // PostgreSQL cannot remove a label: the way back is rebuilding the type.
            // The columns converted back are those that keep the type: dropped ones are gone
            // by then (removals come first) and added ones not there yet (they need the label).
            let down = recreate_sql(&kept, &after, &before);
            let me = ObjectRef::Enum(name.clone());
            let d = b
                .step(&me, vec![add_value_sql(name, value, position)], Some(down))
                .provides([me.clone()]);
            d.step.transactional = false;
        }
        EnumChange::Recreate { from, to } => {
            let removed: Vec<&String> = from
                .values
                .iter()
                .filter(|v| !to.values.contains(v))
                .collect();
            let users = converted_users(&b.cx.renamed, b.cx.desired, &from.name);
            let up = recreate_sql(&users, from, to);
            let down = recreate_sql(&users, to, from);
            let me = ObjectRef::Enum(to.name.clone());
            let columns: Vec<ObjectRef> = users
                .iter()
                .map(|(t, c)| ObjectRef::column(t, &c.name))
                .collect();
            let d = b
                .step(&me, up, Some(down))
                .removes([me.clone()])
                .provides([me.clone()])
                .removes(columns.clone())
                .provides(columns.clone())
                .requires(columns);
            for (t, c) in &users {
                let what = ObjectRef::column(t, &c.name);
                d.hazard(
                    HazardKind::TableRewrite,
                    format!(
                        "{what} is converted to the rebuilt type, rewriting {}",
                        ObjectRef::Table(t.clone())
                    ),
                )
                .lock(
                    crate::plan::LockLevel::AccessExclusive,
                    &ObjectRef::Table(t.clone()),
                );
            }
            if !removed.is_empty() {
                d.hazard(
                    HazardKind::MayFail,
                    format!(
                        "labels removed from {me} ({}): the conversion fails on rows that still hold them; update those rows first",
                        removed
                            .iter()
                            .map(|v| v.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                            .escape_default()
                    ),
                );
            }
            if from.comment.is_some() || to.comment.is_some() {
                // The rebuilt type has no comment; restore the desired one.
                b.then(
                    &me,
                    vec![comment_sql(&to.name, to.comment.as_deref())],
                    Some(vec![comment_sql(&to.name, from.comment.as_deref())]),
                )
                .requires([me.clone()]);
            }
        }
        EnumChange::AlterComment { name, from, to } => {
            let me = ObjectRef::Enum(name.clone());
            b.step(
                &me,
                vec![comment_sql(name, to.as_deref())],
                Some(vec![comment_sql(name, from.as_deref())]),
            )
            .requires([me.clone()]);
        }
    }
}
