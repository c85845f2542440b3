//! The checksum file, checked before anything connects: `tidemark.sum` chains every file under
//! `sql/` in apply order, so an edited, removed, reordered or inserted migration is reported
//! (naming the file and the fix) before any SQL runs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::MigrateError;
use super::dir::{MigrationDir, sha256_hex};

/// File name of the checksum file at the directory root.
pub const SUM_FILE: &str = "tidemark.sum";

const HASH_HELP: &str = "if the change is deliberate, run `tidemark migrate hash` to record it; otherwise restore the file from version control";

/// One parsed `tidemark.sum`, exposed so status can show the state per file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumFile {
    pub total: String,
    /// `(path under sql/, content hash, chain hash)` in order.
    pub entries: Vec<(String, String, String)>,
}

impl SumFile {
    /// Computes the sum file for these files (path under `sql/`, contents), in order.
    pub fn compute(files: &[(String, Vec<u8>)]) -> SumFile {
        let mut chain = String::new();
        let mut entries = Vec::with_capacity(files.len());
        for (path, bytes) in files {
            let content = sha256_hex(&[bytes]);
            chain = link(&chain, path, &content);
            entries.push((path.clone(), content, chain.clone()));
        }
        SumFile {
            total: total(&chain, entries.len()),
            entries,
        }
    }

    /// The file's text: `total <hash>` then one line per file.
    pub fn render(&self) -> String {
        let mut out = format!("total {}\n", self.total);
        for (path, content, chain) in &self.entries {
            out.push_str(&format!("{path} {content} {chain}\n"));
        }
        out
    }

    fn parse(text: &str, path: &Path) -> Result<SumFile, MigrateError> {
        let bad = |line: usize, what: &str| {
            MigrateError::Checksum {
            path: path.to_path_buf(),
            message: format!("line {line}: {what}"),
            help: "the file is written by `tidemark migrate hash`; resolve any merge conflict by running it again".into(),
        }
        };
        let mut lines = text.lines().enumerate();
        let total = match lines.next() {
            Some((_, l)) => match l.strip_prefix("total ") {
                Some(t) if is_hash(t) => t.to_string(),
                _ => return Err(bad(1, "expected `total <sha256>`")),
            },
            None => return Err(bad(1, "the file is empty")),
        };
        let mut entries = Vec::new();
        for (i, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let parts: Vec<&str> = line.split(' ').collect();
            match parts.as_slice() {
                [p, c, h] if is_hash(c) && is_hash(h) => {
                    entries.push((p.to_string(), c.to_string(), h.to_string()))
                }
                _ => return Err(bad(i + 1, "expected `<version>/<file> <sha256> <sha256>`")),
            }
        }
        Ok(SumFile { total, entries })
    }
}

fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn link(prev: &str, path: &str, content: &str) -> String {
    sha256_hex(&[
        prev.as_bytes(),
        b"\n",
        path.as_bytes(),
        b"\n",
        content.as_bytes(),
    ])
}

fn total(last_chain: &str, count: usize) -> String {
    sha256_hex(&[
        b"tidemark.sum v1\n",
        count.to_string().as_bytes(),
        b"\n",
        last_chain.as_bytes(),
    ])
}

/// The `tidemark.sum` text for the directory as it is now (what `tidemark migrate hash` writes).
pub fn render_sum(root: &Path) -> Result<String, MigrateError> {
    Ok(SumFile::compute(&MigrationDir::sum_files(root)?).render())
}

/// Checks `tidemark.sum` against the files and returns the directory it vouches for, or the
/// first difference in apply order, naming the file and the fix.
pub fn verify_sum(root: &Path) -> Result<MigrationDir, MigrateError> {
    let dir = MigrationDir::read(root)?;
    let files = MigrationDir::sum_files(root)?;
    let sum_path = PathBuf::from(SUM_FILE);
    let text = match std::fs::read_to_string(root.join(SUM_FILE)) {
        Ok(t) => t,
        Err(_) if files.is_empty() => return Ok(dir),
        Err(e) => {
            return Err(MigrateError::Checksum {
                path: sum_path,
                message: format!("cannot read the checksum file: {e}"),
                help: "run `tidemark migrate hash` to write it from the migrations as they are"
                    .into(),
            });
        }
    };
    let recorded = SumFile::parse(&text, &sum_path)?;
    // The file must agree with itself first: a hand edit or a merge of two branches' sum files
    // breaks the chain, and then no line can be trusted.
    let rechained = SumFile::compute_from_hashes(&recorded.entries);
    if rechained != recorded {
        let line = recorded
            .entries
            .iter()
            .zip(&rechained.entries)
            .position(|(a, b)| a != b)
            .map_or(1, |i| i + 2);
        return Err(MigrateError::Checksum {
            path: sum_path,
            message: format!("line {line}: the chain is broken (edited by hand, or two branches' migrations merged)"),
            help: "make sure every migration is in the order you want (rename a folder to move it), then run `tidemark migrate hash`".into(),
        });
    }
    let actual = SumFile::compute(&files);
    let on_disk: HashMap<&str, &str> = actual
        .entries
        .iter()
        .map(|(p, c, _)| (p.as_str(), c.as_str()))
        .collect();
    let in_sum: HashMap<&str, &str> = recorded
        .entries
        .iter()
        .map(|(p, c, _)| (p.as_str(), c.as_str()))
        .collect();
    let n = actual.entries.len().max(recorded.entries.len());
    for i in 0..n {
        let disk = actual.entries.get(i);
        let sum = recorded.entries.get(i);
        let err = |message: String| MigrateError::Checksum {
            path: PathBuf::from("sql").join(match (disk, sum) {
                (Some((p, _, _)), _) | (None, Some((p, _, _))) => p.as_str(),
                (None, None) => "",
            }),
            message,
            help: HASH_HELP.into(),
        };
        match (disk, sum) {
            (Some((dp, dc, _)), Some((sp, sc, _))) if dp == sp && dc == sc => {}
            (Some((dp, dc, _)), Some((sp, sc, _))) if dp == sp => {
                return Err(err(format!(
                    "was edited after {SUM_FILE} was written (checksum {}… recorded, {}… now)",
                    &sc[..12],
                    &dc[..12]
                )));
            }
            (Some((dp, dc, _)), sum) if !in_sum.contains_key(dp.as_str()) => {
                let moved_from = recorded.entries.iter().find(|(p, c, _)| {
                    c == dc && !on_disk.contains_key(p.as_str()) && file_name(p) == file_name(dp)
                });
                return Err(err(match (moved_from, sum) {
                    (Some((from, _, _)), _) => format!(
                        "has the contents {SUM_FILE} lists for sql/{from}: the migration was renamed, which reorders it"
                    ),
                    (None, Some((sp, _, _))) => format!(
                        "is not in {SUM_FILE}: it was inserted before sql/{sp}, which was already recorded"
                    ),
                    (None, None) => format!("is new and not yet in {SUM_FILE}"),
                }));
            }
            (_, Some((sp, _, _))) if !on_disk.contains_key(sp.as_str()) => {
                return Err(MigrateError::Checksum {
                    path: PathBuf::from("sql").join(sp),
                    message: format!("is listed in {SUM_FILE} but was removed"),
                    help: HASH_HELP.into(),
                });
            }
            (Some(_), Some((sp, _, _))) => {
                return Err(err(format!(
                    "is out of order: {SUM_FILE} lists sql/{sp} at this place"
                )));
            }
            (None, None) => {}
            // Unreachable: a path present on one side only was handled above.
            _ => {}
        }
    }
    Ok(dir)
}

fn file_name(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

impl SumFile {
    fn compute_from_hashes(entries: &[(String, String, String)]) -> SumFile {
        let mut chain = String::new();
        let mut out = Vec::with_capacity(entries.len());
        for (path, content, _) in entries {
            chain = link(&chain, path, content);
            out.push((path.clone(), content.clone(), chain.clone()));
        }
        SumFile {
            total: total(&chain, out.len()),
            entries: out,
        }
    }
}
