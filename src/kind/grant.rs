//! Kind `grant`: the privileges on tables, views, materialized views and sequences, managed
//! only where the spec declares `grants:` for the object.
//!
//! - A declared object gets exactly the declared privileges for roles other than its owner
//!   (`PUBLIC` included): the plan grants what is missing and revokes the rest, in one step.
//! - An object the spec does not declare grants for is not managed: its live grants are
//!   reported by the comparison (never silently kept as "matching"), not revoked.
//! - A dropped object's grants are revoked first, so the way back grants them again.

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

/// Whether `schema` has the relation `object` names.
fn exists(schema: &Schema, object: &ObjectRef) -> bool {
    match object {
        ObjectRef::Table(q) => schema.table(q).is_some(),
        ObjectRef::View(q) => schema.view(q).is_some(),
        ObjectRef::Sequence(q) => schema.sequence(q).is_some(),
        _ => false,
    }
}

pub fn diff(current: &Schema, desired: &Schema, out: &mut Vec<Change>) {
    let empty = Vec::new();
    for d in &desired.grants {
        let from = current
            .grants
            .iter()
            .find(|c| c.object == d.object)
            .map_or(&empty, |c| &c.privileges);
        if *from != d.privileges {
            out.push(Change::Grant(GrantChange {
                object: d.object.clone(),
                from: from.clone(),
                to: d.privileges.clone(),
            }));
        }
    }
    for c in &current.grants {
        let declared = desired.grants.iter().any(|d| d.object == c.object);
        if !declared && !exists(desired, &c.object) && !c.privileges.is_empty() {
            out.push(Change::Grant(GrantChange {
                object: c.object.clone(),
                from: c.privileges.clone(),
                to: Vec::new(),
            }));
        }
    }
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
    let d = b
        .step(&change.object, up, Some(down))
        .requires([change.object.clone()]);
    if change.to.is_empty() && !change.from.is_empty() {
        // Before the object goes, if it goes.
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
