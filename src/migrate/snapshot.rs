//! Per-migration schema snapshots (`sql/<version>/schema.yaml`), the offline "current" side of
//! `migrate new`: the spec as it stood after that migration, written with `spec::emit` so it
//! reads like a spec and loads back through the same loader.
//!
//! A spec can span several PostgreSQL schemas, and a spec file holds one, so the snapshot is the
//! per-schema files of `spec::emit` in one file, separated by lines of exactly `---`. Each part
//! is loaded as its own source, padded with blank lines so diagnostics point at the line of
//! `schema.yaml` itself. Declared renames (`renamed_from`) are left out: after the migration
//! that performed them they describe history, not the schema.

use std::path::{Path, PathBuf};

use super::{MigrateError, MigrationDir};
use crate::model::Schema;
use crate::spec::emit::{Layout, emit};

/// File name of a migration's snapshot inside its folder.
pub const SNAPSHOT_FILE: &str = "schema.yaml";

const SEPARATOR: &str = "---";

/// The snapshot text of `schema` (renames stripped), deterministic so re-running `migrate new`
/// on the same spec writes the same bytes.
pub fn render_snapshot(schema: &Schema) -> String {
    let stripped = without_renames(schema);
    let files = emit(&stripped, Layout::PerSchema);
    let mut out = String::from(
        "# tidemark snapshot: the schema after this migration, written by `tidemark migrate new`.\n\
         # `migrate new` diffs the spec against the newest snapshot; do not edit it by hand.\n",
    );
    for (i, f) in files.iter().enumerate() {
        if i > 0 {
            out.push_str(SEPARATOR);
            out.push('\n');
        }
        out.push_str(&format!("# {}\n", f.path));
        out.push_str(&f.contents);
    }
    out
}

/// `schema` without its declared renames and view entities: what a snapshot records and what
/// loads back from one (the database state, not code generation's extras).
pub fn without_renames(schema: &Schema) -> Schema {
    let mut s = schema.clone();
    for t in &mut s.tables {
        t.renamed_from = None;
        for c in &mut t.columns {
            c.renamed_from = None;
        }
    }
    // A view's entity (its key and column types) is code generation's, not the database's.
    for v in &mut s.views {
        v.entity = None;
    }
    s
}

/// Loads snapshot text; `name` (the file's path for messages) names it in diagnostics.
pub fn parse_snapshot(name: &str, text: &str) -> Result<Schema, MigrateError> {
    let mut sources = Vec::new();
    let mut part = String::new();
    let mut first_line = 1usize;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if line.trim_end_matches(['\n', '\r']) == SEPARATOR {
            sources.push(source(name, sources.len(), first_line, &part));
            part.clear();
            first_line = i + 2;
        } else {
            part.push_str(line);
        }
    }
    sources.push(source(name, sources.len(), first_line, &part));
    crate::spec::load_sources(sources)
        .map(|l| l.schema)
        .map_err(|d| MigrateError::Snapshot {
            path: PathBuf::from(name),
            message: d.render_human(),
        })
}

fn source(name: &str, index: usize, first_line: usize, text: &str) -> (String, String) {
    let display = if index == 0 {
        name.to_string()
    } else {
        format!("{name} (part {})", index + 1)
    };
    (display, format!("{}{text}", "\n".repeat(first_line - 1)))
}

/// Reads `sql/<version>/schema.yaml` under `root`, `None` when the migration has none.
pub fn read_snapshot(root: &Path, version: &str) -> Result<Option<Schema>, MigrateError> {
    let rel = PathBuf::from("sql").join(version).join(SNAPSHOT_FILE);
    let path = root.join(&rel);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| MigrateError::Directory {
        path: rel.clone(),
        message: format!("cannot read: {e}"),
        help: "snapshots must be readable UTF-8 text".into(),
    })?;
    parse_snapshot(&rel.display().to_string(), &text).map(Some)
}

/// The newest snapshot in the directory and the version it belongs to; the empty schema (and
/// `None`) when no migration has one. Parts of a split migration and hand-written migrations
/// carry none, so the newest one that does is the schema the whole directory reaches, as long
/// as every hand-written migration after it also writes a snapshot.
pub fn latest_snapshot(dir: &MigrationDir) -> Result<(Option<String>, Schema), MigrateError> {
    for m in dir.migrations.iter().rev() {
        if let Some(schema) = read_snapshot(&dir.root, &m.version)? {
            return Ok((Some(m.version.clone()), schema));
        }
    }
    Ok((None, Schema::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_keep_their_line_numbers_in_diagnostics() {
        let text = "tables:\n  a:\n    columns:\n      id: bigint\n---\nschema: other\ntables:\n  b:\n    columns:\n      id: integr\n";
        let err = parse_snapshot("sql/m1/schema.yaml", text).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("sql/m1/schema.yaml (part 2):10:"),
            "diagnostic names the part and its line in the file: {msg}"
        );
    }
}
