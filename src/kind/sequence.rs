//! Kind `sequence`: diff, plan and SQL for standalone sequences and the ones `serial` columns
//! own (identity sequences belong to their column, see `column`).
//!
//! - A sequence is created before the tables whose defaults call it, and `OWNED BY` is a step
//!   of its own once the owning column exists; it is dropped after the defaults calling it.
//! - A sequence owned by a column that the plan drops goes with its column or table (that step
//!   recreates it on the way back), so no step drops it separately.
//! - A sequence owned by the same column under another name (a renamed table leaves
//!   PostgreSQL's derived `<table>_<column>_seq` behind) is renamed, keeping its position.
//! - Option changes are `ALTER SEQUENCE`, which keeps the current value; `AS` narrows the range
//!   and fails if the current value no longer fits.

use std::collections::BTreeMap;
use std::fmt;

use crate::model::{ObjectRef, QualifiedName, Schema, Sequence, SequenceOptions, SequenceOwner};
use crate::plan::{Builder, HazardKind, LockLevel};
use crate::sql_ident::{qualified, quote};

use super::{Change, comment_text};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SequenceChange {
    Add(Sequence),
    Drop(Sequence),
    Rename {
        from: QualifiedName,
        to: String,
    },
    /// Options, owner or comment differ.
    Alter {
        from: Sequence,
        to: Sequence,
    },
}

impl fmt::Display for SequenceChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seq = |q: &QualifiedName| ObjectRef::Sequence(q.clone());
        match self {
            SequenceChange::Add(s) => write!(f, "add {}", seq(&s.name)),
            SequenceChange::Drop(s) => write!(f, "drop {}", seq(&s.name)),
            SequenceChange::Rename { from, to } => write!(
                f,
                "rename {} to {}",
                seq(from),
                crate::sql_ident::display(to)
            ),
            SequenceChange::Alter { from, to } => {
                let mut what = Vec::new();
                if from.options != to.options {
                    what.push("options");
                }
                if from.owned_by != to.owned_by {
                    what.push("owner");
                }
                if from.comment != to.comment {
                    what.push("comment");
                }
                write!(f, "alter {} ({})", seq(&to.name), what.join(", "))
            }
        }
    }
}

/// Sequence renames: a current sequence owned by a column that a desired sequence of another
/// name is owned by (after table and column renames), when neither name exists on the other
/// side. Returns old → new.
pub fn renames(current: &Schema, desired: &Schema) -> BTreeMap<QualifiedName, QualifiedName> {
    let mut out = BTreeMap::new();
    for d in &desired.sequences {
        let Some(owner) = &d.owned_by else { continue };
        if current.sequence(&d.name).is_some() {
            continue;
        }
        if let Some(c) = current.sequences.iter().find(|c| {
            c.name.schema == d.name.schema
                && c.owned_by.as_ref() == Some(owner)
                && desired.sequence(&c.name).is_none()
        }) {
            out.insert(c.name.clone(), d.name.clone());
        }
    }
    out
}

/// Sequence changes. `current` already has its renames applied; `skip` names sequences that a
/// serial ↔ identity conversion takes care of; sequences owned by columns that `dropped`
/// reports gone go with their column.
pub fn diff(
    current: &Schema,
    desired: &Schema,
    renamed: &BTreeMap<QualifiedName, QualifiedName>,
    skip: &[QualifiedName],
    dropped: &dyn Fn(&QualifiedName, &SequenceOwner) -> bool,
    out: &mut Vec<Change>,
) {
    for (from, to) in renamed {
        out.push(Change::Sequence(SequenceChange::Rename {
            from: from.clone(),
            to: to.name.clone(),
        }));
    }
    for c in &current.sequences {
        if desired.sequence(&c.name).is_some() || skip.contains(&c.name) {
            continue;
        }
        let goes_with_owner = c
            .owned_by
            .as_ref()
            .is_some_and(|o| dropped(&QualifiedName::new(&c.name.schema, &o.table), o));
        if !goes_with_owner {
            out.push(Change::Sequence(SequenceChange::Drop(c.clone())));
        }
    }
    for d in &desired.sequences {
        if skip.contains(&d.name) {
            continue;
        }
        match current.sequence(&d.name) {
            None => out.push(Change::Sequence(SequenceChange::Add(d.clone()))),
            Some(c) if c != d => out.push(Change::Sequence(SequenceChange::Alter {
                from: c.clone(),
                to: d.clone(),
            })),
            Some(_) => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SQL

/// The option clauses of a new sequence (or identity) that differ from what PostgreSQL picks
/// by itself for its type and direction, in `CREATE SEQUENCE` order; `AS` is the caller's.
pub fn create_clauses(options: &SequenceOptions) -> Vec<String> {
    let implied = SequenceOptions::defaults(options.data_type, options.increment);
    let mut out = Vec::new();
    if options.increment != 1 {
        out.push(format!("INCREMENT BY {}", options.increment));
    }
    if options.min != implied.min {
        out.push(format!("MINVALUE {}", options.min));
    }
    if options.max != implied.max {
        out.push(format!("MAXVALUE {}", options.max));
    }
    let implied_start = if options.increment > 0 {
        options.min
    } else {
        options.max
    };
    if options.start != implied_start {
        out.push(format!("START WITH {}", options.start));
    }
    if options.cache != 1 {
        out.push(format!("CACHE {}", options.cache));
    }
    if options.cycle {
        out.push("CYCLE".into());
    }
    out
}

/// The clauses that take a sequence's options from `from` to `to` (`ALTER SEQUENCE` and
/// `ALTER COLUMN … SET …` take the same words). Bounds are written whenever the type or the
/// direction changes, so PostgreSQL's own adjustment of default bounds never decides them.
pub fn alter_clauses(to: &SequenceOptions, from: &SequenceOptions) -> Vec<String> {
    let reshaped =
        to.data_type != from.data_type || to.increment.signum() != from.increment.signum();
    let mut out = Vec::new();
    if to.data_type != from.data_type {
        out.push(format!("AS {}", to.data_type.sql()));
    }
    if to.increment != from.increment {
        out.push(format!("INCREMENT BY {}", to.increment));
    }
    if reshaped || to.min != from.min {
        out.push(format!("MINVALUE {}", to.min));
    }
    if reshaped || to.max != from.max {
        out.push(format!("MAXVALUE {}", to.max));
    }
    if to.start != from.start {
        out.push(format!("START WITH {}", to.start));
    }
    if to.cache != from.cache {
        out.push(format!("CACHE {}", to.cache));
    }
    if to.cycle != from.cycle {
        out.push(if to.cycle { "CYCLE" } else { "NO CYCLE" }.to_string());
    }
    out
}

/// `CREATE SEQUENCE … AS type [options]` (the type always written: PostgreSQL's default is
/// `bigint`, and a reader should not have to know that).
pub fn create_sql(s: &Sequence) -> String {
    let mut sql = format!(
        "CREATE SEQUENCE {} AS {}",
        qualified(&s.name),
        s.options.data_type.sql()
    );
    for c in create_clauses(&s.options) {
        sql.push(' ');
        sql.push_str(&c);
    }
    sql
}

/// `DROP SEQUENCE`.
pub fn drop_sql(name: &QualifiedName) -> String {
    format!("DROP SEQUENCE {}", qualified(name))
}

/// `ALTER SEQUENCE … RENAME TO`.
pub fn rename_sql(from: &QualifiedName, to: &str) -> String {
    format!("ALTER SEQUENCE {} RENAME TO {}", qualified(from), quote(to))
}

/// `ALTER SEQUENCE … OWNED BY "s"."t"."c"` / `OWNED BY NONE`.
pub fn owned_by_sql(name: &QualifiedName, owner: Option<&SequenceOwner>) -> String {
    let target = match owner {
        Some(o) => format!(
            "{}.{}",
            qualified(&QualifiedName::new(&name.schema, &o.table)),
            quote(&o.column)
        ),
        None => "NONE".into(),
    };
    format!("ALTER SEQUENCE {} OWNED BY {target}", qualified(name))
}

/// `COMMENT ON SEQUENCE`; `None` removes the comment.
pub fn comment_sql(name: &QualifiedName, text: Option<&str>) -> String {
    format!(
        "COMMENT ON SEQUENCE {} IS {}",
        qualified(name),
        comment_text(text)
    )
}

/// What gives a recreated sequence back its owner and comment, once the owner exists (the
/// down steps of a dropped table or column use it after recreating the column).
pub fn restore_sql(s: &Sequence) -> Vec<String> {
    let mut out = Vec::new();
    if s.owned_by.is_some() {
        out.push(owned_by_sql(&s.name, s.owned_by.as_ref()));
    }
    if let Some(c) = &s.comment {
        out.push(comment_sql(&s.name, Some(c)));
    }
    out
}

/// Moves a sequence's position into new bounds before an `ALTER` narrows them (PostgreSQL
/// refuses bounds that exclude the current value): up to a raised minimum of an ascending
/// sequence, down to a lowered maximum of a descending one. A position already inside stays.
pub fn position_into_bounds_sql(
    name: &QualifiedName,
    from: &SequenceOptions,
    to: &SequenceOptions,
) -> Option<String> {
    let regclass = crate::sql_ident::literal(&crate::sql_lex::regclass_text(name));
    if to.increment > 0 && to.min > from.min {
        Some(format!(
            "SELECT setval({regclass}::regclass, GREATEST(last_value, {m}), is_called AND last_value >= {m}) FROM {}",
            qualified(name),
            m = to.min
        ))
    } else if to.increment < 0 && to.max < from.max {
        Some(format!(
            "SELECT setval({regclass}::regclass, LEAST(last_value, {m}), is_called AND last_value <= {m}) FROM {}",
            qualified(name),
            m = to.max
        ))
    } else {
        None
    }
}

fn alter_sql(name: &QualifiedName, to: &SequenceOptions, from: &SequenceOptions) -> Option<String> {
    let clauses = alter_clauses(to, from);
    (!clauses.is_empty())
        .then(|| format!("ALTER SEQUENCE {} {}", qualified(name), clauses.join(" ")))
}

fn owner_ref(s: &QualifiedName, o: &SequenceOwner) -> ObjectRef {
    ObjectRef::column(&QualifiedName::new(&s.schema, &o.table), &o.column)
}

pub(crate) fn plan(change: &SequenceChange, b: &mut Builder<'_>) {
    match change {
        SequenceChange::Add(s) => {
            let me = ObjectRef::Sequence(s.name.clone());
            b.step(&me, vec![create_sql(s)], Some(vec![drop_sql(&s.name)]))
                .provides([me.clone()]);
            if let Some(o) = &s.owned_by {
                b.then(
                    &me,
                    vec![owned_by_sql(&s.name, Some(o))],
                    Some(vec![owned_by_sql(&s.name, None)]),
                )
                .requires([me.clone(), owner_ref(&s.name, o)]);
            }
            if let Some(c) = &s.comment {
                b.then(
                    &me,
                    vec![comment_sql(&s.name, Some(c))],
                    Some(vec![comment_sql(&s.name, None)]),
                )
                .requires([me.clone()]);
            }
        }
        SequenceChange::Drop(s) => {
            let me = ObjectRef::Sequence(s.name.clone());
            let mut down = vec![create_sql(s)];
            down.extend(restore_sql(s));
            b.step(&me, vec![drop_sql(&s.name)], Some(down))
                .removes([me.clone()])
                .releases(s.owned_by.iter().map(|o| owner_ref(&s.name, o)))
                .hazard(
                    HazardKind::DataLoss,
                    format!("dropping {me} loses its current value; the down step recreates it from its start"),
                );
        }
        SequenceChange::Rename { from, to } => {
            let new = QualifiedName::new(&from.schema, to);
            let me = ObjectRef::Sequence(new.clone());
            b.step(
                &me,
                vec![rename_sql(from, to)],
                Some(vec![rename_sql(&new, &from.name)]),
            )
            .removes([ObjectRef::Sequence(from.clone())])
            .provides([me.clone()])
            .is_rename();
        }
        SequenceChange::Alter { from, to } => {
            let me = ObjectRef::Sequence(to.name.clone());
            if let Some(alter) = alter_sql(&to.name, &to.options, &from.options) {
                let mut up: Vec<String> =
                    position_into_bounds_sql(&to.name, &from.options, &to.options)
                        .into_iter()
                        .collect();
                up.push(alter);
                let down = alter_sql(&to.name, &from.options, &to.options).map(|d| {
                    let mut back: Vec<String> =
                        position_into_bounds_sql(&to.name, &to.options, &from.options)
                            .into_iter()
                            .collect();
                    back.push(d);
                    back
                });
                let narrows = {
                    let (lo, hi) = (
                        from.options.min.max(to.options.min),
                        from.options.max.min(to.options.max),
                    );
                    lo > from.options.min || hi < from.options.max
                };
                let d = b
                    .step(&me, up, down)
                    .requires([me.clone()])
                    .lock(LockLevel::AccessExclusive, &me);
                if narrows {
                    d.hazard(
                        HazardKind::MayFail,
                        format!("{me} gets a narrower range: the change fails if its current value is outside it"),
                    );
                }
            }
            if from.owned_by != to.owned_by {
                b.then(
                    &me,
                    vec![owned_by_sql(&to.name, to.owned_by.as_ref())],
                    Some(vec![owned_by_sql(&to.name, from.owned_by.as_ref())]),
                )
                .requires([me.clone()])
                .requires(to.owned_by.iter().map(|o| owner_ref(&to.name, o)))
                .releases(from.owned_by.iter().map(|o| owner_ref(&to.name, o)));
            }
            if from.comment != to.comment {
                b.then(
                    &me,
                    vec![comment_sql(&to.name, to.comment.as_deref())],
                    Some(vec![comment_sql(&to.name, from.comment.as_deref())]),
                )
                .requires([me.clone()]);
            }
        }
    }
}
