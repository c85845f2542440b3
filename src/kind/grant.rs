//! Kind `grant`: the privileges on tables, views, materialized views, sequences, functions,
//! procedures and schemas, managed only where the spec declares `grants:` for the object.
//!
//! - A declared object gets exactly the declared privileges for roles other than its owner
//!   (`PUBLIC` included): the plan grants what is missing and revokes the rest, in one step.
//! - The model holds an object's grants only where they differ from what PostgreSQL gives a new
//!   object ([`default_privileges`]: nothing, except `EXECUTE` to `PUBLIC` on routines).
//! - An object the spec does not declare grants for is not managed: its live grants are
//!   reported by the comparison (never silently kept as "matching"), not revoked.
//! - A dropped table's or sequence's grants are revoked first, so the way back grants them
//!   again; a dropped view or routine, and an object dropped and created again, get theirs back
//!   in the step that creates it ([`regrant_sql`]), so each way restores its own side's grants.

use std::collections::BTreeSet;
use std::fmt;

use crate::model::{Grants, ObjectRef, Schema};
use crate::plan::{Builder, LockLevel};
use crate::sql_ident::{qualified, quote};

use super::Change;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantChange {
    pub object: ObjectRef,
    pub from: Vec<(String, Vec<String>)>,
    pub to: Vec<(String, Vec<String>)>,
}

impl fmt::Display for GrantChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "grants on {}", self.object)
    }
}

pub type Privileges = Vec<(String, Vec<String>)>;

/// What PostgreSQL grants on a new `object` to roles other than its owner: `EXECUTE` to
/// `PUBLIC` on functions and procedures, nothing on relations and schemas.
pub fn default_privileges(object: &ObjectRef) -> Privileges {
    match object {
        ObjectRef::Function { .. } => vec![("PUBLIC".to_string(), vec!["EXECUTE".to_string()])],
        _ => Vec::new(),
    }
}

/// `object`'s privileges in `schema`: its entry, or the default.
pub fn privileges_of(schema: &Schema, object: &ObjectRef) -> Privileges {
    schema
        .grants
        .iter()
        .find(|g| &g.object == object)
        .map_or_else(|| default_privileges(object), |g| g.privileges.clone())
}

/// Whether `schema` has the object (of a kind that takes grants) that `object` names.
pub fn exists(schema: &Schema, object: &ObjectRef) -> bool {
    match object {
        ObjectRef::Table(q) => schema.table(q).is_some(),
        ObjectRef::View(q) => schema.view(q).is_some(),
        ObjectRef::Sequence(q) => schema.sequence(q).is_some(),
        ObjectRef::Function { .. } => schema.functions.iter().any(|f| &f.object() == object),
        ObjectRef::Schema(n) => schema.namespaces.iter().any(|x| &x.name == n),
        _ => false,
    }
}

/// The objects that `changes` drop and create again: their grants go with the rebuild.
fn rebuilt(changes: &[Change]) -> BTreeSet<ObjectRef> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::View(super::ViewChange::Rebuild { to, .. }) => Some(to.object()),
            Change::Function(super::FunctionChange::Rebuild { to, .. }) => Some(to.object()),
            _ => None,
        })
        .collect()
}

/// Runs after every other kind's diff (`out` holds their changes).
pub fn diff(current: &Schema, desired: &Schema, out: &mut Vec<Change>) {
    let rebuilt = rebuilt(out);
    let mut changes = Vec::new();
    for d in &desired.grants {
        let from = privileges_of(current, &d.object);
        if from != d.privileges && !rebuilt.contains(&d.object) {
            changes.push(Change::Grant(GrantChange {
                object: d.object.clone(),
                from,
                to: d.privileges.clone(),
            }));
        }
    }
    for c in &current.grants {
        let declared = desired.grants.iter().any(|d| d.object == c.object);
        let default = default_privileges(&c.object);
        // A dropped view or routine gets its grants back with the step that re-creates it on
        // the way down; a dropped table or sequence through this revoke.
        let with_its_drop = matches!(c.object, ObjectRef::View(_) | ObjectRef::Function { .. });
        if !declared && !exists(desired, &c.object) && c.privileges != default && !with_its_drop {
            changes.push(Change::Grant(GrantChange {
                object: c.object.clone(),
                from: c.privileges.clone(),
                to: default,
            }));
        }
    }
    out.extend(changes);
}

/// The statements that give `object`, just created, the privileges it has in `schema` (the
/// declared ones, or for an object whose grants are not managed, the live ones `schema` holds).
pub fn regrant_sql(schema: &Schema, object: &ObjectRef) -> Vec<String> {
    grant_sql(
        object,
        &default_privileges(object),
        &privileges_of(schema, object),
    )
}

fn role(r: &str) -> String {
    if r == "PUBLIC" {
        r.to_string()
    } else {
        quote(r)
    }
}

/// The `GRANT` / `REVOKE` statements taking `object` from `from` to `to`.
pub fn grant_sql(
    object: &ObjectRef,
    from: &[(String, Vec<String>)],
    to: &[(String, Vec<String>)],
) -> Vec<String> {
    let (word, name) = match object {
        ObjectRef::Sequence(q) => ("SEQUENCE", qualified(q)),
        ObjectRef::Table(q) | ObjectRef::View(q) => ("TABLE", qualified(q)),
        // `ROUTINE` names functions and procedures alike.
        ObjectRef::Function { name, args } => ("ROUTINE", format!("{}({args})", qualified(name))),
        ObjectRef::Schema(n) => ("SCHEMA", quote(n)),
        _ => return Vec::new(),
    };
    let of = |list: &[(String, Vec<String>)], r: &str| -> BTreeSet<String> {
        list.iter()
            .find(|(x, _)| x == r)
            .map(|(_, p)| p.iter().cloned().collect())
            .unwrap_or_default()
    };
    let roles: BTreeSet<&String> = from.iter().chain(to).map(|(r, _)| r).collect();
    let mut out = Vec::new();
    for r in roles {
        let (was, will) = (of(from, r), of(to, r));
        let revoke: Vec<&String> = was.difference(&will).collect();
        let grant: Vec<&String> = will.difference(&was).collect();
        if !revoke.is_empty() {
            out.push(format!(
                "REVOKE {} ON {word} {name} FROM {}",
                revoke
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                role(r)
            ));
        }
        if !grant.is_empty() {
            out.push(format!(
                "GRANT {} ON {word} {name} TO {}",
                grant
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                role(r)
            ));
        }
    }
    out
}

pub(crate) fn plan(change: &GrantChange, b: &mut Builder<'_>) {
    let up = grant_sql(&change.object, &change.from, &change.to);
    let down = grant_sql(&change.object, &change.to, &change.from);
    let existing = match &change.object {
        ObjectRef::Table(q) => b.cx.existing(q) && b.cx.current.table(q).is_some(),
        _ => false,
    };
    let goes = !exists(b.cx.desired, &change.object);
    let d = b
        .step(&change.object, up, Some(down))
        .requires([change.object.clone()]);
    if goes {
        // Before the object goes.
        d.releases([change.object.clone()]);
    }
    if existing {
        d.lock(LockLevel::ShareUpdateExclusive, &change.object);
    }
}

/// The roles `grants` name, other than `PUBLIC`.
pub fn roles(grants: &[Grants]) -> impl Iterator<Item = &String> {
    grants
        .iter()
        .flat_map(|g| g.privileges.iter().map(|(r, _)| r))
        .filter(|r| *r != "PUBLIC")
}

/// For an object dropped and created again: the statements that give it back its privileges
/// after the create on the way up (the declared ones, or the live ones where the spec does not
/// manage its grants) and after the re-create on the way down (the live ones).
/// `from` and `to` name the object before and after (a routine's arguments may change).
pub(crate) fn rebuild_sql(
    b: &Builder<'_>,
    from: &ObjectRef,
    to: &ObjectRef,
) -> (Vec<String>, Vec<String>) {
    let declared = b.cx.desired.grants.iter().any(|g| &g.object == to);
    let target = if declared {
        privileges_of(b.cx.desired, to)
    } else {
        privileges_of(b.cx.current, from)
    };
    let up = grant_sql(to, &default_privileges(to), &target);
    (up, regrant_sql(b.cx.current, from))
}
