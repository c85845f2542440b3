//! Between `spec` and `shadow`: a schema cut into parts whose canonical forms do not depend on
//! each other, so the shadow only has to build the parts that changed (and can build several
//! at once, each in its own scratch database).
//!
//! A part is either one table with everything that belongs to it (the sequences it owns, its
//! triggers, row security, policies and grants), or the rest ("globals": extensions, schemas,
//! types, standalone sequences, functions, views and their triggers and grants). A table's
//! canonical form depends on the globals (its types, the functions its expressions call), on
//! itself, and on the tables it names (a foreign key's target, a policy's subquery); the
//! globals depend on themselves and the tables they name (a view's query, a function's return
//! type). "Names" is found by words, not by parsing: every identifier-like word of an object's
//! text that is some table's name counts, which can only ever find too many. When a table is
//! only needed so that another part can be created (a foreign key's target), a stripped copy is
//! built: its columns, keys and unique indexes, nothing that could need more.
//!
//! A schema whose parts could influence each other through the catalog (two relations or two
//! types of one name in a schema, whose clash only a whole build reports; a `U&"…"` identifier
//! the word scan cannot read) is not cut: [`split`] says so and the whole schema is built.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{
    Grants, ObjectRef, Policy, QualifiedName, RowSecurity, Schema, Sequence, Table, Trigger,
};

/// One table and what belongs to it.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub table: Table,
    /// The sequences its columns own (`serial`).
    pub sequences: Vec<Sequence>,
    pub triggers: Vec<Trigger>,
    pub row_security: Vec<RowSecurity>,
    pub policies: Vec<Policy>,
    /// Grants on the table and on its sequences.
    pub grants: Vec<Grants>,
}

impl Unit {
    /// `table` with nothing else belonging to it yet.
    pub fn of(table: Table) -> Unit {
        Unit {
            table,
            sequences: Vec::new(),
            triggers: Vec::new(),
            row_security: Vec::new(),
            policies: Vec::new(),
            grants: Vec::new(),
        }
    }
}

/// A schema cut into its parts.
#[derive(Debug, Clone)]
pub struct Split {
    /// Everything that belongs to no table.
    pub globals: Schema,
    pub units: BTreeMap<QualifiedName, Unit>,
}

/// Cuts `schema` into parts, or `None` when its parts could influence each other (see the
/// module's note): then only a whole build is right.
pub fn split(schema: &Schema) -> Option<Split> {
    // A partition is built only where its parent is whole (a stripped copy is no partitioned
    // table): a schema with partitions is built whole.
    if clashes(schema)
        || schema
            .tables
            .iter()
            .any(|t| t.partition_by.is_some() || t.partition_of.is_some())
    {
        return None;
    }
    let mut globals = schema.clone();
    let tables = std::mem::take(&mut globals.tables);
    let mut units: BTreeMap<QualifiedName, Unit> = tables
        .into_iter()
        .map(|t| (t.name.clone(), Unit::of(t)))
        .collect();
    let mut owned: BTreeMap<QualifiedName, QualifiedName> = BTreeMap::new();
    let sequences = std::mem::take(&mut globals.sequences);
    for s in sequences {
        let owner = s
            .owned_by
            .as_ref()
            .map(|o| QualifiedName::new(&s.name.schema, &o.table));
        match owner.and_then(|o| units.get_mut(&o).map(|u| (o, u))) {
            Some((o, u)) => {
                owned.insert(s.name.clone(), o);
                u.sequences.push(s);
            }
            None => globals.sequences.push(s),
        }
    }
    route(
        &mut globals.triggers,
        &mut units,
        |t| Some(t.table.clone()),
        |u| &mut u.triggers,
    );
    route(
        &mut globals.row_security,
        &mut units,
        |r| Some(r.table.clone()),
        |u| &mut u.row_security,
    );
    route(
        &mut globals.policies,
        &mut units,
        |p| Some(p.table.clone()),
        |u| &mut u.policies,
    );
    route(
        &mut globals.grants,
        &mut units,
        |g| match &g.object {
            ObjectRef::Table(q) => Some(q.clone()),
            ObjectRef::Sequence(q) => owned.get(q).cloned(),
            _ => None,
        },
        |u| &mut u.grants,
    );
    Some(Split { globals, units })
}

/// Moves each of `items` that belongs to a table (as `owner` says) into that table's unit (the
/// list `field` picks); the others stay.
fn route<T>(
    items: &mut Vec<T>,
    units: &mut BTreeMap<QualifiedName, Unit>,
    owner: impl Fn(&T) -> Option<QualifiedName>,
    field: impl Fn(&mut Unit) -> &mut Vec<T>,
) {
    for item in std::mem::take(items) {
        match owner(&item).and_then(|o| units.get_mut(&o)) {
            Some(u) => field(u).push(item),
            None => items.push(item),
        }
    }
}

/// The schema made of `globals` and `units` (in any order), sorted as introspection sorts.
pub fn assemble<'u>(globals: &Schema, units: impl IntoIterator<Item = &'u Unit>) -> Schema {
    let mut out = globals.clone();
    for u in units {
        out.tables.push(u.table.clone());
        out.sequences.extend(u.sequences.iter().cloned());
        out.triggers.extend(u.triggers.iter().cloned());
        out.row_security.extend(u.row_security.iter().cloned());
        out.policies.extend(u.policies.iter().cloned());
        out.grants.extend(u.grants.iter().cloned());
    }
    out.normalize();
    out
}

/// The copy of a table that is enough for other parts to be created against it: its columns
/// (types only), primary key, unique constraints and unique indexes without a predicate.
pub fn stripped(unit: &Unit) -> Unit {
    let mut table = unit.table.clone();
    for c in &mut table.columns {
        c.default = None;
        c.identity = None;
        c.generated = None;
        c.comment = None;
        c.renamed_from = None;
    }
    table.checks.clear();
    table.foreign_keys.clear();
    table.indexes.retain(|i| i.unique && i.predicate.is_none());
    for i in &mut table.indexes {
        i.comment = None;
    }
    table.comment = None;
    table.renamed_from = None;
    Unit::of(table)
}

/// What each part names: the texts its keys are made of, and the tables it depends on.
pub struct Dependencies {
    names: TableNames,
    /// The globals, serialized.
    pub globals_text: String,
    /// Each table's unit, serialized.
    pub texts: BTreeMap<QualifiedName, String>,
    /// The other tables each table names.
    pub refs: BTreeMap<QualifiedName, BTreeSet<QualifiedName>>,
    /// The tables the globals name.
    pub globals_refs: BTreeSet<QualifiedName>,
}

impl Split {
    /// Reads, by words, which tables each part names.
    pub fn dependencies(&self) -> Dependencies {
        let names = TableNames::new(self.units.keys());
        let globals_text = text_of(&self.globals);
        let texts: BTreeMap<QualifiedName, String> = self
            .units
            .iter()
            .map(|(q, u)| (q.clone(), text_of(u)))
            .collect();
        let refs = texts
            .iter()
            .map(|(q, t)| {
                let mut r = names.named_in(t);
                r.remove(q);
                (q.clone(), r)
            })
            .collect();
        let globals_refs = names.named_in(&globals_text);
        Dependencies {
            names,
            globals_text,
            texts,
            refs,
            globals_refs,
        }
    }

    /// The schema to build so that the tables `whole` are read back as they are: the globals,
    /// those tables, and stripped copies of every other table they or the globals name (and,
    /// in turn, the tables those copies name).
    pub fn build_set(&self, deps: &Dependencies, whole: &BTreeSet<QualifiedName>) -> Schema {
        let mut parts: Vec<&Unit> = whole.iter().map(|q| &self.units[q]).collect();
        let mut thin: Vec<Unit> = Vec::new();
        let mut seen: BTreeSet<QualifiedName> = whole.clone();
        let mut queue: Vec<QualifiedName> = whole
            .iter()
            .flat_map(|q| deps.refs[q].iter().cloned())
            .chain(deps.globals_refs.iter().cloned())
            .collect();
        while let Some(q) = queue.pop() {
            if !seen.insert(q.clone()) {
                continue;
            }
            let t = stripped(&self.units[&q]);
            let mut more = deps.names.named_in(&text_of(&t));
            more.remove(&q);
            queue.extend(more);
            thin.push(t);
        }
        parts.extend(thin.iter());
        assemble(&self.globals, parts)
    }
}

/// The text a part's dependencies are read from: its serialized form.
pub fn text_of<T: serde::Serialize>(part: &T) -> String {
    // Serializing the model cannot fail: it is plain data.
    serde_json::to_string(part).unwrap_or_default()
}

/// Finds, in texts, the tables they name.
pub struct TableNames {
    /// Lower-cased table name → the tables of that name (in any schema).
    by_word: BTreeMap<String, Vec<QualifiedName>>,
    /// Tables whose name is not one word: named by every text.
    odd: Vec<QualifiedName>,
}

impl TableNames {
    pub fn new<'t>(tables: impl IntoIterator<Item = &'t QualifiedName>) -> TableNames {
        let mut by_word: BTreeMap<String, Vec<QualifiedName>> = BTreeMap::new();
        let mut odd = Vec::new();
        for q in tables {
            let lower = q.name.to_lowercase();
            if !lower.is_empty() && lower.chars().all(is_word_char) {
                by_word.entry(lower).or_default().push(q.clone());
            } else {
                odd.push(q.clone());
            }
        }
        TableNames { by_word, odd }
    }

    /// Every table whose name occurs as a word of `text` (plus the odd-named ones).
    pub fn named_in(&self, text: &str) -> BTreeSet<QualifiedName> {
        let lower = text.to_lowercase();
        let mut out: BTreeSet<QualifiedName> = self.odd.iter().cloned().collect();
        for word in lower.split(|c: char| !is_word_char(c)) {
            if let Some(tables) = self.by_word.get(word) {
                out.extend(tables.iter().cloned());
            }
        }
        out
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Whether parts of `schema` could change each other's canonical form or creation: names that
/// clash in one of PostgreSQL's per-schema name spaces (relations, types), or identifiers
/// written with Unicode escapes.
fn clashes(schema: &Schema) -> bool {
    let mut relations: BTreeSet<(String, String)> = BTreeSet::new();
    let mut types: BTreeSet<(String, String)> = BTreeSet::new();
    let unique = |set: &mut BTreeSet<(String, String)>, schema: &str, name: &str| {
        set.insert((schema.to_string(), name.to_string()))
    };
    let mut ok = true;
    for t in &schema.tables {
        let s = t.name.schema.as_str();
        ok &= unique(&mut relations, s, &t.name.name);
        ok &= unique(&mut types, s, &t.name.name);
        ok &= unique(&mut types, s, &format!("_{}", t.name.name));
        for i in &t.indexes {
            ok &= unique(&mut relations, s, &i.name);
        }
        if let Some(pk) = &t.primary_key {
            ok &= unique(&mut relations, s, &pk.name);
        }
        for u in &t.uniques {
            ok &= unique(&mut relations, s, &u.name);
        }
        for c in &t.columns {
            if let Some(id) = &c.identity {
                ok &= unique(&mut relations, s, &id.sequence);
            }
        }
    }
    for v in &schema.views {
        let s = v.name.schema.as_str();
        ok &= unique(&mut relations, s, &v.name.name);
        ok &= unique(&mut types, s, &v.name.name);
        ok &= unique(&mut types, s, &format!("_{}", v.name.name));
        for i in &v.indexes {
            ok &= unique(&mut relations, s, &i.name);
        }
    }
    for q in &schema.sequences {
        ok &= unique(&mut relations, &q.name.schema, &q.name.name);
    }
    for e in &schema.enums {
        ok &= unique(&mut types, &e.name.schema, &e.name.name);
        ok &= unique(&mut types, &e.name.schema, &format!("_{}", e.name.name));
    }
    for t in &schema.types {
        ok &= unique(&mut types, &t.name.schema, &t.name.name);
        ok &= unique(&mut types, &t.name.schema, &format!("_{}", t.name.name));
    }
    !ok || text_of(schema).to_lowercase().contains("u&\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_find_named_tables_and_only_superset() {
        let a = QualifiedName::new("public", "documents");
        let b = QualifiedName::new("app", "Chunks");
        let c = QualifiedName::new("public", "odd name");
        let names = TableNames::new([&a, &b, &c]);
        let found = names.named_in("SELECT * FROM public.documents d JOIN app.\"Chunks\" x");
        assert!(found.contains(&a) && found.contains(&b) && found.contains(&c));
        let found = names.named_in("SELECT documents_count FROM other");
        assert!(!found.contains(&a) && !found.contains(&b));
        // A name that is not one word is always taken.
        assert!(found.contains(&c));
    }
}
