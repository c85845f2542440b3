//! First step of the data flow: the YAML spec (`schemas/**/*.yaml`) → [`model::Schema`].
//!
//! `ast` reads each file into a spanned node tree under a strict parse budget, `shape` turns
//! each tree into raw declarations (shape and key checks), `lower` resolves and validates the
//! whole set (with `types`, `names` and `pgvector`). Every problem becomes a [`Diagnostic`];
//! loading never panics and never stops at the first problem.
//!
//! Format decisions (see also `docs/tidemark.schema.json`):
//! - columns are NOT NULL unless the type ends in `?` (or `nullable: true`);
//! - `default:` is a literal (quoted for you), `default_sql:` is an SQL expression;
//! - index names are the keys of `indexes:` (required); unnamed constraints get PostgreSQL's
//!   own derived names (`{table}_pkey`, `{table}_{col}_key|fkey|check`);
//! - renames are declared with `renamed_from:`; a file's objects go in its `schema:`
//!   (default `public`); unqualified enum and table references look in the file's schema
//!   first, then in `public`.

pub mod ast;
pub mod emit;
pub mod lower;
pub mod names;
pub mod pgvector;
pub mod shape;
pub mod types;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Diagnostics, Span};
use crate::model;

/// Deepest YAML nesting accepted; real specs use about six levels.
pub const MAX_DEPTH: usize = 48;

/// Largest spec file accepted, in bytes: schemas are small, and this bounds memory.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;

/// A successfully loaded spec: the schema plus the texts it came from (for later diagnostics
/// that point into the spec, e.g. from the diff or the planner).
#[derive(Debug, Clone)]
pub struct Loaded {
    pub schema: model::Schema,
    /// Where each object is declared, for errors a server raises later (the shadow database).
    pub spans: crate::compare::SpanIndex,
    /// The files' `ignore:` globs (`schema.name`), which comparisons leave out.
    pub ignore: Vec<String>,
    /// Display name → text, in load order (sorted).
    pub sources: Arc<BTreeMap<String, String>>,
    /// Display names of the files read, sorted.
    pub files: Vec<String>,
}

/// How many objects of each kind a schema holds, keyed by plural kind name (`tables`, …), for
/// summaries and machine-readable output.
pub fn counts(schema: &model::Schema) -> Vec<(&'static str, usize)> {
    let model::Schema {
        extensions,
        namespaces,
        enums,
        sequences,
        tables,
        views,
        functions,
        triggers,
        row_security: _,
        policies,
        types,
        grants: _,
        public_comment: _,
    } = schema;
    let materialized = views.iter().filter(|v| v.materialized).count();
    vec![
        ("tables", tables.len()),
        ("views", views.len() - materialized),
        ("materialized_views", materialized),
        ("functions", functions.len()),
        ("triggers", triggers.len()),
        ("policies", policies.len()),
        ("types", types.len()),
        ("enums", enums.len()),
        ("sequences", sequences.len()),
        ("extensions", extensions.len()),
        ("schemas", namespaces.len()),
    ]
}

/// `5 tables, 3 enums, 1 extension`: tables, enums and extensions always, sequences when there
/// are any (schemas are implied by their objects).
pub fn summary(schema: &model::Schema) -> String {
    counts(schema)
        .into_iter()
        .filter(|(k, n)| match *k {
            "tables" | "enums" | "extensions" => true,
            "schemas" => false,
            _ => *n > 0,
        })
        .map(|(k, n)| {
            let noun = if n == 1 { &k[..k.len() - 1] } else { k };
            format!("{n} {}", noun.replace('_', " "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Loads every `*.yaml`/`*.yml` under `path` (recursively, sorted) or the single file `path`
/// as one schema. File names in diagnostics are `path` joined with the file's relative path.
pub fn load(path: &Path) -> Result<Loaded, Diagnostics> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut diags = Vec::new();
    if path.is_dir() {
        if let Err(e) = collect(path, &mut files) {
            diags.push(
                Diagnostic::error(format!("cannot read directory {}: {e}", display(path)))
                    .help("check that the path exists and is readable"),
            );
        }
        if files.is_empty() && diags.is_empty() {
            diags.push(
                Diagnostic::error(format!("no *.yaml or *.yml files under {}", display(path)))
                    .help("point tidemark at the directory holding your schema files"),
            );
        }
    } else if path.is_file() {
        files.push(path.to_path_buf());
    } else {
        diags.push(
            Diagnostic::error(format!("{} does not exist", display(path)))
                .help("pass the directory holding your schema files (default `schemas/`)"),
        );
    }
    files.sort();
    let mut sources = Vec::new();
    for f in files {
        let name = display(&f);
        match std::fs::metadata(&f) {
            Ok(m) if m.len() > MAX_FILE_BYTES as u64 => {
                diags.push(
                    Diagnostic::error(format!(
                        "{name} is {} bytes, larger than the {MAX_FILE_BYTES}-byte limit for a spec file",
                        m.len()
                    ))
                    .help("split the schema into several files"),
                );
                continue;
            }
            _ => {}
        }
        match std::fs::read(&f) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => sources.push((name, text)),
                Err(_) => diags.push(
                    Diagnostic::error(format!("{name} is not valid UTF-8"))
                        .help("save the file as UTF-8"),
                ),
            },
            Err(e) => diags.push(Diagnostic::error(format!("cannot read {name}: {e}"))),
        }
    }
    if !diags.is_empty() {
        let map = sources.into_iter().collect();
        return Err(Diagnostics::new(diags, Arc::new(map)));
    }
    load_sources(sources)
}

/// Loads one YAML text as if it were the only file (tests, fuzzing, editors).
pub fn load_str(name: &str, text: &str) -> Result<Loaded, Diagnostics> {
    load_sources(vec![(name.to_string(), text.to_string())])
}

/// Loads several named texts as one schema; the core of [`load`].
pub fn load_sources(sources: Vec<(String, String)>) -> Result<Loaded, Diagnostics> {
    let mut diags = Vec::new();
    let mut raws = Vec::new();
    for (name, text) in &sources {
        if text.len() > MAX_FILE_BYTES {
            diags.push(
                Diagnostic::error(format!(
                    "{name} is {} bytes, larger than the {MAX_FILE_BYTES}-byte limit for a spec file",
                    text.len()
                ))
                .help("split the schema into several files"),
            );
            continue;
        }
        match parse_yaml(name, text) {
            Ok(root) => {
                let mut reader = shape::Reader {
                    file: name,
                    source: text,
                    diags: &mut diags,
                    had_unknown: false,
                };
                raws.push(reader.file(&root));
            }
            Err(d) => diags.push(d),
        }
    }
    let mut lowerer = lower::Lowerer::default();
    let schema = lowerer.lower(&raws);
    diags.extend(std::mem::take(&mut lowerer.diags));
    let files: Vec<String> = sources.iter().map(|(n, _)| n.clone()).collect();
    let map: BTreeMap<String, String> = sources.into_iter().collect();
    let sources = Arc::new(map);
    if diags
        .iter()
        .any(|d| d.severity == crate::diagnostic::Severity::Error)
    {
        // Sort by position so output follows the files; stable for equal positions.
        diags.sort_by(|a, b| {
            let key = |d: &Diagnostic| d.span.as_ref().map(|s| (s.file.clone(), s.line, s.column));
            key(a).cmp(&key(b))
        });
        return Err(Diagnostics::new(diags, sources));
    }
    Ok(Loaded {
        schema,
        spans: lowerer.spans,
        ignore: lowerer.ignore,
        sources,
        files,
    })
}

/// Parser options: duplicate keys are errors, YAML 1.1 booleans (`yes`, `on`) are strings,
/// and a budget bounds depth, node count, aliases and scalar bytes (alias bombs, deep nesting).
fn options() -> serde_saphyr::Options {
    let mut alias_limits = serde_saphyr::options::AliasLimits::default();
    alias_limits.max_total_replayed_events = 20_000;
    alias_limits.max_replay_stack_depth = 16;
    alias_limits.max_alias_expansions_per_anchor = 100;
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_reader_input_bytes: Some(MAX_FILE_BYTES),
            max_depth: MAX_DEPTH,
            max_nodes: 2_000_000,
            max_events: 4_000_000,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_documents: 1,
            max_total_scalar_bytes: MAX_FILE_BYTES,
            max_merge_keys: 100,
        },
        alias_limits: alias_limits,
        strict_booleans: true,
        duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy::Error,
    }
}

fn parse_yaml(name: &str, text: &str) -> Result<ast::Node, Diagnostic> {
    if text.trim().is_empty() {
        return Ok(ast::Node {
            kind: ast::Kind::Null,
            pos: ast::Pos {
                line: 1,
                column: 1,
                len: 1,
            },
        });
    }
    serde_saphyr::from_str_with_options::<ast::Node>(text, options()).map_err(|e| {
        let plain = e.render_with_options(serde_saphyr::render_options! {
            snippets: serde_saphyr::SnippetMode::Off,
        });
        let msg = match plain.find(" at line ") {
            Some(i) => plain[..i].to_string(),
            None => plain,
        };
        let msg = msg.lines().next().unwrap_or("invalid YAML");
        let msg = msg
            .replace(", set DuplicateKeyPolicy in Options if acceptable", "")
            .replace(
                "budget breached: Documents { documents: 2 }",
                "more than one YAML document (`---`) in one file",
            );
        let msg = if msg.starts_with("budget breached: Depth") {
            format!("nested deeper than the {MAX_DEPTH} levels a spec may use")
        } else {
            msg
        };
        let mut d = Diagnostic::error(format!("invalid YAML: {msg}"));
        let help = if msg.contains("YAML document") {
            "a spec file holds one document; put the second one in its own file"
        } else if msg.contains("duplicate mapping key") {
            "each key may appear once per mapping; remove or rename the repeated key"
        } else if msg.contains("budget") || msg.contains("limit") || msg.contains("exceed") {
            "the file is too large, too deeply nested or uses too many aliases for a schema spec"
        } else if text.contains('\t') {
            "YAML indentation must use spaces, not tabs"
        } else {
            "check the indentation and the brackets and quotes around this position"
        };
        d = d.help(help);
        if let Some(loc) = e.location()
            && loc.line() > 0
        {
            d = d.at(Span {
                file: name.to_string(),
                line: u32::try_from(loc.line()).unwrap_or(u32::MAX),
                column: u32::try_from(loc.column().max(1)).unwrap_or(1),
                len: 1,
            });
        } else {
            d.message = format!("{name}: {}", d.message);
        }
        d
    })
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        let ft = e.file_type()?;
        if ft.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
    Ok(())
}

fn display(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_11_booleans_are_strings() {
        let l = load_str("t.yaml", "enums:\n  answer: [yes, no, on, off]\n").expect("loads");
        assert_eq!(l.schema.enums[0].values, ["yes", "no", "on", "off"]);
    }
}
