//! The one compare pipeline, behind `diff`, `push`, `migrate verify` and `migrate status
//! --check-schema`: the spec is canonicalised on a shadow database (`shadow`), the live
//! database is read (`introspect`, with its inventory of what the model cannot represent), the
//! two are compared (`diff`) and the differences ordered into steps (`plan`).
//!
//! A database matches the spec only when the plan is empty *and* nothing unmanaged is left:
//! an object the spec cannot describe is reported, never counted as a match, unless the user
//! ignores it (`--ignore`, or `ignore:` in a spec file).

use std::collections::BTreeSet;

use sqlx::PgConnection;

use crate::connect;
use crate::diagnostic::Span;
use crate::diff;
use crate::introspect::{self, IntrospectOptions, Unmanaged};
use crate::kind::Change;
use crate::model::{ObjectRef, Schema};
use crate::plan::{self, Plan, PlanOptions};
use crate::shadow::{self, ShadowHost};

/// Name prefix of tidemark's own tables in a managed database; never part of the user's schema.
pub const BOOKKEEPING_PREFIX: &str = "tidemark_";

/// Tables of the tooling rather than the schema (sea-orm-migration's history), as ignore globs.
pub const BOOKKEEPING_TABLES: &[&str] = &["*.seaql_migrations"];

/// Where the spec's objects were declared, for errors that point back into the user's files.
#[derive(Debug, Clone, Default)]
pub struct SpanIndex {
    /// Where each object is declared (its name).
    pub objects: std::collections::BTreeMap<ObjectRef, Span>,
    /// Where the SQL text of an object (a view's query) is written, so a server's error
    /// position inside it points at the user's line and column.
    pub queries: std::collections::BTreeMap<ObjectRef, SqlOrigin>,
}

/// A SQL text as written in a spec file, and where each of its lines starts in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlOrigin {
    pub file: String,
    /// The text as YAML gave it (before tidemark trimmed it).
    pub text: String,
    /// 1-based (line, column) in the file of the first character of each line of `text`.
    pub lines: Vec<(u32, u32)>,
    /// Whether the server got `text` without its leading blank space (a view's query) or as
    /// written (a function's body).
    pub sent_trimmed: bool,
}

impl SpanIndex {
    /// Where `object` is declared.
    pub fn get(&self, object: &ObjectRef) -> Option<&Span> {
        self.objects.get(object)
    }

    /// The place in the user's file of character `offset` (0-based) of `object`'s SQL text as
    /// tidemark sends it (trimmed of blank space at the start).
    pub fn locate(&self, object: &ObjectRef, offset: usize) -> Option<Span> {
        let origin = self.queries.get(object)?;
        let lead = if origin.sent_trimmed {
            origin.text.chars().count() - origin.text.trim_start().chars().count()
        } else {
            0
        };
        let (mut line, mut column) = (0usize, 0u32);
        for (i, c) in origin.text.chars().enumerate() {
            if i == lead + offset {
                let (l, col) = *origin.lines.get(line)?;
                return Some(Span {
                    file: origin.file.clone(),
                    line: l,
                    column: col + column,
                    len: 1,
                });
            }
            if c == '\n' {
                line += 1;
                column = 0;
            } else {
                column += 1;
            }
        }
        None
    }
}

/// The desired side: a schema, where it came from (if from files), and what it asks to leave
/// out.
#[derive(Debug, Clone, Copy)]
pub struct Desired<'a> {
    pub schema: &'a Schema,
    pub spans: Option<&'a SpanIndex>,
    /// Globs of `schema.name` the spec itself lists under `ignore:`.
    pub ignore: &'a [String],
}

impl<'a> Desired<'a> {
    /// A schema with no source files and no ignore list (a migration snapshot).
    pub fn schema(schema: &'a Schema) -> Desired<'a> {
        Desired {
            schema,
            spans: None,
            ignore: &[],
        }
    }
}

/// How to compare.
#[derive(Debug, Clone, Default)]
pub struct CompareOptions {
    pub plan: PlanOptions,
    /// Globs of `schema.name` to leave out on both sides (with the spec's own list).
    pub ignore: Vec<String>,
}

/// Both sides of the comparison and what it found.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub current: Schema,
    pub desired: Schema,
    pub changes: Vec<Change>,
    pub plan: Plan,
    /// What the database holds that the spec cannot describe (not ignored).
    pub unmanaged: Vec<Unmanaged>,
    /// What the plan cannot make exactly as the spec says, and says so instead of hiding it
    /// (PostgreSQL adds columns at the end and cannot reorder them). Not a difference: no plan
    /// could remove it.
    pub notes: Vec<String>,
}

impl Comparison {
    /// The database matches the spec: nothing to do and nothing unmanaged.
    pub fn matches(&self) -> bool {
        self.plan.is_empty() && self.unmanaged.is_empty()
    }
}

/// Why a comparison could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("could not read the target database")]
    Introspect(#[source] introspect::IntrospectError),
    #[error(transparent)]
    Shadow(#[from] shadow::ShadowError),
    #[error(transparent)]
    Extension(#[from] connect::ConnectError),
    /// The spec declares an object that the database holds in a form the model cannot read, so
    /// no plan could be right.
    #[error(
        "the spec declares {}, which the database holds in a form tidemark cannot read:\n{}\n  = help: {}",
        names.join(", "),
        reasons.iter().map(|r| format!("  - {r}")).collect::<Vec<_>>().join("\n"),
        "change the database object by hand, or leave the table out of the spec and ignore it"
    )]
    Unreadable {
        names: Vec<String>,
        reasons: Vec<String>,
    },
}

/// The PostgreSQL schemas a spec manages: `public` plus every schema it names. Only these are
/// read from the target, so objects in other schemas (another app's, an extension's) are never
/// proposed for dropping.
pub fn managed_schemas(spec: &Schema) -> Vec<String> {
    let Schema {
        extensions: _,
        namespaces,
        enums,
        sequences,
        tables,
        views,
        functions,
        triggers: _,
        row_security: _,
        policies: _,
        types,
        grants: _,
        public_comment: _,
    } = spec;
    let mut names: BTreeSet<String> = BTreeSet::from(["public".to_string()]);
    names.extend(namespaces.iter().map(|n| n.name.clone()));
    names.extend(enums.iter().map(|e| e.name.schema.clone()));
    names.extend(sequences.iter().map(|s| s.name.schema.clone()));
    names.extend(tables.iter().map(|t| t.name.schema.clone()));
    names.extend(views.iter().map(|v| v.name.schema.clone()));
    names.extend(functions.iter().map(|f| f.name.schema.clone()));
    names.extend(types.iter().map(|t| t.name.schema.clone()));
    names.into_iter().collect()
}

/// Introspection options for both sides of a comparison against `spec`.
pub fn introspect_options(spec: &Schema, ignore: &[String]) -> IntrospectOptions {
    IntrospectOptions {
        schemas: Some(managed_schemas(spec)),
        bookkeeping_prefix: Some(BOOKKEEPING_PREFIX.to_string()),
        ignore: ignore
            .iter()
            .cloned()
            .chain(BOOKKEEPING_TABLES.iter().map(|t| t.to_string()))
            .collect(),
    }
}

/// Compares the spec with the database behind `conn`: every extension the spec needs is
/// checked to be available first (with a fix in the error), then both sides are introspected
/// (the spec through a scratch database on `host`) and diffed, and the plan that takes the
/// database to the spec is built.
pub async fn compare(
    desired: Desired<'_>,
    conn: &mut PgConnection,
    host: &ShadowHost,
    options: &CompareOptions,
) -> Result<Comparison, CompareError> {
    for ext in &desired.schema.extensions {
        connect::ensure_extension(conn, &ext.name).await?;
    }
    let ignore: Vec<String> = options
        .ignore
        .iter()
        .chain(desired.ignore)
        .cloned()
        .collect();
    let read = introspect_options(desired.schema, &ignore);
    // The two sides are read at once: the live catalog and the scratch database's work
    // (creating it costs a checkpoint) overlap instead of adding up.
    let (live, canonical) = tokio::join!(
        introspect::introspect_connection(conn, &read),
        host.canonicalize(desired.schema, desired.spans, &read)
    );
    let live = live.map_err(CompareError::Introspect)?;
    let canonical = canonical?;
    compare_schemas(live.schema, live.unmanaged, canonical, &options.plan)
}

/// The pure part of [`compare`]: two read schemas (and what the live side could not read) →
/// changes and plan. Extensions are database-wide and managed servers install their own: only
/// the ones the desired side names are managed, so an unlisted one is never dropped.
pub fn compare_schemas(
    mut current: Schema,
    unmanaged: Vec<Unmanaged>,
    desired: Schema,
    options: &PlanOptions,
) -> Result<Comparison, CompareError> {
    let unreadable: Vec<&Unmanaged> = unmanaged
        .iter()
        .filter(|u| {
            u.leaves_table_out() && u.table_name().is_some_and(|t| desired.table(&t).is_some())
        })
        .collect();
    if !unreadable.is_empty() {
        let mut names: Vec<String> = unreadable
            .iter()
            .filter_map(|u| u.table_name())
            .map(|t| ObjectRef::Table(t).to_string())
            .collect();
        names.dedup();
        return Err(CompareError::Unreadable {
            names,
            reasons: unreadable.iter().map(|u| u.to_string()).collect(),
        });
    }
    current
        .extensions
        .retain(|e| desired.extensions.iter().any(|d| d.name == e.name));
    // Grants are managed only where the spec declares them; elsewhere they are reported. The
    // live grants stay in `current`: an object dropped and created again gets them back.
    let mut unmanaged = unmanaged;
    let managed: BTreeSet<ObjectRef> = desired.grants.iter().map(|g| g.object.clone()).collect();
    for g in current
        .grants
        .iter()
        .filter(|g| !managed.contains(&g.object) && crate::kind::grant::exists(&desired, &g.object))
    {
        let word = match &g.object {
            ObjectRef::Table(_) => "table",
            ObjectRef::View(_) => "view",
            ObjectRef::Sequence(_) => "sequence",
            ObjectRef::Function { .. }
                if desired
                    .functions
                    .iter()
                    .any(|f| f.procedure && f.object() == g.object) =>
            {
                "procedure"
            }
            ObjectRef::Function { .. } => "function",
            _ => "schema",
        };
        let privileges = if g.privileges.is_empty() {
            "none, not even the default".to_string()
        } else {
            g.privileges
                .iter()
                .map(|(r, p)| format!("{r}: {}", p.join(" ").to_lowercase()))
                .collect::<Vec<_>>()
                .join("; ")
        };
        unmanaged.push(Unmanaged::object(
            word,
            &g.object,
            format!(
                "has privileges granted ({privileges}), and the spec declares no `grants:` for it"
            ),
        ));
    }
    unmanaged.sort();
    let changes = diff::diff(&current, &desired);
    let plan = plan::plan(&current, &desired, &changes, options);
    let notes = column_order_notes(&diff::after_renames(&current, &changes), &desired);
    Ok(Comparison {
        current,
        desired,
        changes,
        plan,
        unmanaged,
        notes,
    })
}

/// The tables whose columns will not be in the spec's order once the plan ran: kept columns
/// keep their places and new ones go at the end, since PostgreSQL cannot reorder columns.
fn column_order_notes(current: &Schema, desired: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for d in &desired.tables {
        let Some(c) = current.table(&d.name) else {
            continue;
        };
        let mut after: Vec<&str> = c
            .columns
            .iter()
            .filter(|col| d.column(&col.name).is_some())
            .map(|col| col.name.as_str())
            .collect();
        for col in &d.columns {
            if !after.contains(&col.name.as_str()) {
                after.push(&col.name);
            }
        }
        let wanted: Vec<&str> = d.columns.iter().map(|col| col.name.as_str()).collect();
        if after != wanted {
            let show = |names: &[&str]| {
                names
                    .iter()
                    .map(|n| crate::sql_ident::display(n))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.push(format!(
                "the columns of {} will be in the order ({}), not the spec's ({}): PostgreSQL adds columns at the end and cannot reorder them",
                ObjectRef::Table(d.name.clone()),
                show(&after),
                show(&wanted)
            ));
        }
    }
    out
}
