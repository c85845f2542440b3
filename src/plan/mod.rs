//! Step `plan` of the data flow: the [`Change`]s of `diff` → ordered [`Step`]s. A step is data:
//! its statements, its reverse, whether each direction may run in a transaction, the locks it
//! takes, its timeouts, typed [`Hazard`]s and the change it came from. Nothing downstream (the
//! executor, migration authoring, the CLI) reads SQL text to learn what a step does.
//!
//! Each object kind plans its own changes (`kind::*::plan`), declaring for every step what it
//! creates, removes and depends on; [`graph`] orders the steps by those dependencies. There is
//! no hand-placed list of stages: a default runs after the sequence it calls, a foreign key after
//! the unique key it rests on, a dropped check before the column it reads is retyped, and so on.
//!
//! Decisions (documented here because users will meet them in plans):
//! - **Non-transactional steps are re-runnable.** `CREATE INDEX CONCURRENTLY IF NOT EXISTS`,
//!   `DROP INDEX CONCURRENTLY IF EXISTS`, `ADD VALUE IF NOT EXISTS`: a runner repairs a run that
//!   died among them by running them again.
//! - **Down statements** restore the structure; they cannot restore dropped data, which the
//!   step's [`HazardKind::DataLoss`] says. `down` is `None` only where no SQL can undo the step.
//! - The kind modules document their own decisions (index replacement, enum rebuilds, vector
//!   dimension changes, type changes, generated columns, sequences).

pub mod graph;

use std::collections::BTreeSet;

use serde::Serialize;

use crate::kind::Change;
use crate::model::{Enum, ObjectRef, QualifiedName, Schema};
use crate::sql_ident::one_line;

/// How a plan is built; an options struct so callers name what they ask for.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Build and drop indexes of existing tables with `CONCURRENTLY` (no write lock, but
    /// outside any transaction and slower).
    pub concurrent_indexes: bool,
}

/// What can go wrong when a step runs, so a reviewer (or CI) can stop a dangerous migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardKind {
    /// Rows or values are destroyed (drop table/column, narrowing type, cleared embeddings).
    DataLoss,
    /// The whole table is rewritten under an exclusive lock.
    TableRewrite,
    /// Reads or writes are blocked while the step scans or builds (index build, validation).
    BlockingLock,
    /// Embedding dimensions change: every stored embedding becomes invalid.
    VectorDimsChange,
    /// A vector index is rebuilt (opclass, m, ef_construction, lists, expression): slow.
    VectorIndexRebuild,
    /// The step cannot be undone by SQL.
    Irreversible,
    /// The step fails on some existing data (e.g. NULLs under a new NOT NULL).
    MayFail,
}

impl HazardKind {
    /// Words for script comments and messages.
    pub fn label(self) -> &'static str {
        match self {
            HazardKind::DataLoss => "data loss",
            HazardKind::TableRewrite => "table rewrite",
            HazardKind::BlockingLock => "blocking lock",
            HazardKind::VectorDimsChange => "vector dimension change",
            HazardKind::VectorIndexRebuild => "vector index rebuild",
            HazardKind::Irreversible => "irreversible",
            HazardKind::MayFail => "may fail",
        }
    }

    /// Hazards that destroy data, which `push` and `migrate new` apply only when allowed.
    pub fn is_destructive(self) -> bool {
        matches!(self, HazardKind::DataLoss | HazardKind::VectorDimsChange)
    }
}

/// One hazard of a step, with a sentence naming the object and the consequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hazard {
    pub kind: HazardKind,
    pub message: String,
}

/// PostgreSQL's table lock levels that DDL takes, weakest last; what a step holds decides what
/// the application can still do meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LockLevel {
    /// Blocks reads and writes (most `ALTER TABLE`, `DROP`).
    AccessExclusive,
    /// Blocks writes and other DDL, allows reads (`ADD FOREIGN KEY`, triggers).
    ShareRowExclusive,
    /// Blocks writes, allows reads (plain `CREATE INDEX`).
    Share,
    /// Blocks only other DDL and vacuum (`CREATE INDEX CONCURRENTLY`, `VALIDATE CONSTRAINT`,
    /// `COMMENT`).
    ShareUpdateExclusive,
}

impl LockLevel {
    pub fn label(self) -> &'static str {
        match self {
            LockLevel::AccessExclusive => "ACCESS EXCLUSIVE",
            LockLevel::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockLevel::Share => "SHARE",
            LockLevel::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
        }
    }
}

/// A lock a step takes on an object that exists before the plan (locks on objects the plan
/// creates block nobody and are not listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lock {
    pub level: LockLevel,
    /// The locked object, in annotation form (`table public.docs`).
    pub object: String,
}

/// One unit of execution. A runner executes `statements` in order, in a transaction with its
/// neighbours when `transactional`, one by one in autocommit otherwise; `down` undoes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The statements, without terminating `;`.
    pub statements: Vec<String>,
    /// Statements that undo this step when steps are undone in reverse order; `None` when
    /// irreversible (then a [`HazardKind::Irreversible`] hazard says why).
    pub down: Option<Vec<String>>,
    /// Whether `statements` may run inside a transaction.
    pub transactional: bool,
    /// Whether `down` may run inside a transaction (a concurrent index build is undone by a
    /// concurrent drop, but a comment step by a comment).
    pub down_transactional: bool,
    /// The object the step is about (its spec location, its annotation).
    #[serde(serialize_with = "display")]
    pub object: ObjectRef,
    /// Locks taken on pre-existing objects.
    pub locks: Vec<Lock>,
    /// `lock_timeout` for this step, overriding the session's (milliseconds).
    pub lock_timeout_ms: Option<u64>,
    /// `statement_timeout` for this step, overriding the session's (milliseconds; 0 = none).
    pub statement_timeout_ms: Option<u64>,
    pub hazards: Vec<Hazard>,
    /// Index of the source change in the `changes` given to [`plan`].
    pub change: usize,
    /// The source change in words (the script's `-- from:` line).
    pub from: String,
}

impl Step {
    /// The statements as one text, `;`-separated (for messages and JSON readers).
    pub fn sql(&self) -> String {
        self.statements.join(";\n")
    }

    /// The down statements as one text; `None` when irreversible.
    pub fn down_sql(&self) -> Option<String> {
        self.down.as_ref().map(|d| d.join(";\n"))
    }

    /// Whether the step destroys data (needs `--allow-destructive`).
    pub fn is_destructive(&self) -> bool {
        self.hazards.iter().any(|h| h.kind.is_destructive())
    }
}

/// The ordered steps that take `current` to `desired`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// Dependency cycles the ordering had to break (always 0 for the plans the kinds make;
    /// the tests hold every plan to it).
    #[serde(skip)]
    pub broken_cycles: usize,
    /// The `search_path` the statements are written for: `public` and the schemas of the
    /// desired extensions, when any lives outside `public` (pgvector in `extensions`, as on
    /// Supabase), so their types, operator classes and functions resolve. Empty: the server's.
    pub search_path: Vec<String>,
}

/// What a step does to objects, which orders it (see [`graph`]). Only `plan` and the kinds see
/// these; a finished [`Step`] does not carry them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Deps {
    /// Objects that exist (in their new form) once the step ran.
    pub provides: Vec<ObjectRef>,
    /// Objects that no longer exist (in their old form) once the step ran.
    pub removes: Vec<ObjectRef>,
    /// Objects that must exist (in their new form) when the step runs.
    pub requires: Vec<ObjectRef>,
    /// Objects the removed or altered object used to depend on: they must outlive this step.
    pub releases: Vec<ObjectRef>,
}

/// A step being built by a kind, with its dependencies and its order within its change.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub step: Step,
    pub deps: Deps,
    /// Earlier steps (indices into the builder's drafts) this one must follow.
    pub after: Vec<usize>,
    /// Position within its change, for a stable order among independent steps.
    pub local: usize,
    /// A declared rename: run as early as dependencies allow, because every other step (and
    /// every step's reverse) is written with the new names.
    pub rename: bool,
}

impl Draft {
    /// The step runs outside a transaction, in both directions.
    pub fn non_transactional(&mut self) -> &mut Self {
        self.step.transactional = false;
        self.step.down_transactional = false;
        self
    }

    pub fn hazard(&mut self, kind: HazardKind, message: impl Into<String>) -> &mut Self {
        self.step.hazards.push(Hazard {
            kind,
            message: message.into(),
        });
        self
    }

    pub fn hazards(&mut self, hazards: Vec<Hazard>) -> &mut Self {
        self.step.hazards.extend(hazards);
        self
    }

    pub fn lock(&mut self, level: LockLevel, object: &ObjectRef) -> &mut Self {
        self.step.locks.push(Lock {
            level,
            object: object.to_string(),
        });
        self
    }

    pub fn provides(&mut self, objects: impl IntoIterator<Item = ObjectRef>) -> &mut Self {
        self.deps.provides.extend(objects);
        self
    }

    pub fn removes(&mut self, objects: impl IntoIterator<Item = ObjectRef>) -> &mut Self {
        self.deps.removes.extend(objects);
        self
    }

    pub fn requires(&mut self, objects: impl IntoIterator<Item = ObjectRef>) -> &mut Self {
        self.deps.requires.extend(objects);
        self
    }

    pub fn releases(&mut self, objects: impl IntoIterator<Item = ObjectRef>) -> &mut Self {
        self.deps.releases.extend(objects);
        self
    }

    /// Marks a declared rename (see [`Draft::rename`]).
    pub fn is_rename(&mut self) -> &mut Self {
        self.rename = true;
        self
    }
}

/// What every kind's planner may look at besides its change.
pub(crate) struct PlanContext<'a> {
    /// The current side as the database holds it, before this plan's renames.
    pub current: &'a Schema,
    /// `current` with this plan's renames applied: the names steps after the renames use.
    pub renamed: std::borrow::Cow<'a, Schema>,
    pub desired: &'a Schema,
    /// Tables this plan creates: their indexes and constraints take no lock worth a hazard.
    pub new_tables: BTreeSet<QualifiedName>,
    pub options: &'a PlanOptions,
}

impl PlanContext<'_> {
    /// Whether `table` exists before the plan (its steps lock something the application uses).
    pub fn existing(&self, table: &QualifiedName) -> bool {
        !self.new_tables.contains(table)
    }
}

/// Collects the drafts of every change, then orders them.
pub(crate) struct Builder<'a> {
    pub cx: &'a PlanContext<'a>,
    drafts: Vec<Draft>,
    change: usize,
    from: String,
    /// First draft of the current change.
    change_start: usize,
    /// Labels of each enum as the `AddEnumValue` steps planned so far leave them (their down
    /// statements rebuild the type without the label).
    pub enum_states: Vec<Enum>,
}

impl<'a> Builder<'a> {
    /// A new transactional step about `object`, independent of the change's other steps.
    pub fn step(
        &mut self,
        object: &ObjectRef,
        up: Vec<String>,
        down: Option<Vec<String>>,
    ) -> &mut Draft {
        let local = self.drafts.len() - self.change_start;
        self.drafts.push(Draft {
            step: Step {
                statements: up,
                down,
                transactional: true,
                down_transactional: true,
                object: object.clone(),
                locks: Vec::new(),
                lock_timeout_ms: None,
                statement_timeout_ms: None,
                hazards: Vec::new(),
                change: self.change,
                from: self.from.clone(),
            },
            deps: Deps::default(),
            after: Vec::new(),
            local,
            rename: false,
        });
        self.drafts.last_mut().expect("just pushed")
    }

    /// As [`Builder::step`], ordered after the previous step of the same change.
    pub fn then(
        &mut self,
        object: &ObjectRef,
        up: Vec<String>,
        down: Option<Vec<String>>,
    ) -> &mut Draft {
        let previous = (self.drafts.len() > self.change_start).then(|| self.drafts.len() - 1);
        let draft = self.step(object, up, down);
        draft.after.extend(previous);
        draft
    }

    /// Index of the last draft (for explicit `after` edges).
    pub fn last(&self) -> usize {
        self.drafts.len() - 1
    }

    /// Adds a hazard to the draft at `at` (a step another function planned).
    pub fn hazard_on(&mut self, at: usize, kind: HazardKind, message: impl Into<String>) {
        self.drafts[at].hazard(kind, message);
    }

    /// Orders the draft at `later` after the draft at `earlier`.
    pub fn order(&mut self, earlier: usize, later: usize) {
        self.drafts[later].after.push(earlier);
    }
}

/// Orders and renders `changes` (from [`diff`](crate::diff::diff)`(current, desired)`) as
/// steps. `current` and `desired` give context the changes do not carry (which columns use an
/// enum being rebuilt; whether a table already existed). The plan for the same input is the
/// same, step for step.
pub fn plan(current: &Schema, desired: &Schema, changes: &[Change], options: &PlanOptions) -> Plan {
    let cx = PlanContext {
        current,
        renamed: crate::diff::after_renames(current, changes),
        desired,
        new_tables: changes
            .iter()
            .filter_map(Change::created_table)
            .cloned()
            .collect(),
        options,
    };
    let mut b = Builder {
        cx: &cx,
        drafts: Vec::new(),
        change: 0,
        from: String::new(),
        change_start: 0,
        enum_states: current.enums.clone(),
    };
    for (i, change) in changes.iter().enumerate() {
        b.change = i;
        b.from = change.to_string();
        b.change_start = b.drafts.len();
        change.plan(&mut b);
    }
    let mut drafts = b.drafts;
    implied_dependencies(&mut drafts, current, desired);
    let (order, broken_cycles) = graph::order(&drafts);
    let mut search_path: Vec<String> = Vec::new();
    for e in &desired.extensions {
        if let Some(s) = e.schema.as_ref().filter(|s| *s != "public")
            && !search_path.contains(s)
        {
            search_path.push(s.clone());
        }
    }
    if !search_path.is_empty() {
        search_path.insert(0, "public".into());
    }
    let mut slots: Vec<Option<Draft>> = drafts.into_iter().map(Some).collect();
    Plan {
        steps: order
            .into_iter()
            .filter_map(|i| slots[i].take().map(|d| d.step))
            .collect(),
        broken_cycles,
        search_path,
    }
}

/// Dependencies every step has without its kind saying so: on the parent of each object it
/// touches (a column's table, a table's schema), and on the extensions (which provide types,
/// operator classes and access methods anywhere): created extensions come before any object,
/// dropped ones after every object.
fn implied_dependencies(drafts: &mut [Draft], current: &Schema, desired: &Schema) {
    for d in drafts.iter_mut() {
        let own: BTreeSet<ObjectRef> = d
            .deps
            .provides
            .iter()
            .chain(&d.deps.removes)
            .cloned()
            .collect();
        let mut requires = Vec::new();
        let mut releases = Vec::new();
        for o in d.deps.provides.iter().chain(&d.deps.requires) {
            if let Some(p) = o.parent().filter(|p| !own.contains(p)) {
                requires.push(p);
            }
        }
        for o in &d.deps.removes {
            if let Some(p) = o.parent().filter(|p| !own.contains(p)) {
                requires.push(p.clone());
                releases.push(p);
            }
        }
        let touches_extension = own
            .iter()
            .any(|o| matches!(o, ObjectRef::Extension(_) | ObjectRef::Schema(_)));
        if !touches_extension {
            requires.extend(
                desired
                    .extensions
                    .iter()
                    .map(|e| ObjectRef::Extension(e.name.clone())),
            );
            releases.extend(
                current
                    .extensions
                    .iter()
                    .map(|e| ObjectRef::Extension(e.name.clone())),
            );
        }
        d.deps.requires.extend(requires);
        d.deps.releases.extend(releases);
    }
}

impl Plan {
    /// True when there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Every hazard kind in the plan, sorted, for a one-line summary or a CI gate.
    pub fn hazard_kinds(&self) -> Vec<HazardKind> {
        let mut kinds: Vec<HazardKind> = self
            .steps
            .iter()
            .flat_map(|s| s.hazards.iter().map(|h| h.kind))
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }

    /// Consecutive steps grouped as a runner executes them: each group of transactional steps
    /// in one transaction, each non-transactional step alone. Indices into `steps`.
    pub fn batches(&self) -> Vec<(bool, Vec<usize>)> {
        batches(self.steps.iter().map(|s| s.transactional))
    }

    /// `SET search_path TO …` for [`Plan::search_path`], if it is set.
    pub fn search_path_sql(&self) -> Option<String> {
        self.search_path_statement(false)
    }

    /// As [`Plan::search_path_sql`]; `SET LOCAL` when `local` (inside a transaction).
    pub fn search_path_statement(&self, local: bool) -> Option<String> {
        (!self.search_path.is_empty()).then(|| {
            format!(
                "SET {}search_path TO {}",
                if local { "LOCAL " } else { "" },
                self.search_path
                    .iter()
                    .map(|s| crate::sql_ident::quote(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    }

    /// The plan as a script for review or `psql`: transactional runs wrapped in
    /// `BEGIN`/`COMMIT`, each step preceded by its header (see [`step_header`]).
    pub fn script(&self) -> String {
        let mut out = String::new();
        if let Some(set) = self.search_path_sql() {
            out.push_str(&format!("{set};\n"));
        }
        for (transactional, group) in self.batches() {
            if transactional {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str("BEGIN;\n");
            }
            for i in group {
                let step = &self.steps[i];
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&format!("-- step {}", i + 1));
                if !step.transactional {
                    out.push_str(" (outside a transaction)");
                }
                out.push('\n');
                out.push_str(&step_header(step));
                for s in &step.statements {
                    out.push_str(s);
                    out.push_str(";\n");
                }
            }
            if transactional {
                out.push_str("\nCOMMIT;\n");
            }
        }
        out
    }

    /// The plan as pretty JSON, for `--format json`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

/// The comment lines above a step in every script tidemark writes (plans, migrations): its
/// source change, its hazards, the locks it takes, and a note when it cannot be undone.
pub fn step_header(step: &Step) -> String {
    let mut out = format!("-- from: {}\n", one_line(&step.from));
    for h in &step.hazards {
        out.push_str(&format!(
            "-- hazard: {}: {}\n",
            h.kind.label(),
            one_line(&h.message)
        ));
    }
    if step.down.is_none() {
        out.push_str("-- down: none (irreversible)\n");
    }
    out
}

/// Groups a sequence of "transactional?" flags into runner batches (see [`Plan::batches`]).
pub fn batches(flags: impl Iterator<Item = bool>) -> Vec<(bool, Vec<usize>)> {
    let mut out: Vec<(bool, Vec<usize>)> = Vec::new();
    for (i, tx) in flags.enumerate() {
        match out.last_mut() {
            Some((true, group)) if tx => group.push(i),
            _ => out.push((tx, vec![i])),
        }
    }
    out
}

fn display<S: serde::Serializer>(o: &ObjectRef, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(o)
}

/// Shorthand for kinds: a hazard value.
pub(crate) fn hazard(kind: HazardKind, message: impl Into<String>) -> Hazard {
    Hazard {
        kind,
        message: message.into(),
    }
}
