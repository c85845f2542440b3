//! Between `spec` and `shadow`: the canonical forms the shadow database gave, remembered under
//! `.tidemark/cache/` so an unchanged spec needs no shadow database at all.
//!
//! A key covers everything the canonical form depends on: the desired schema itself, what is
//! read back (the introspection options), the server (its version, encoding and the versions
//! of the extensions the spec names) and tidemark's own build (its sources' fingerprint). A
//! file whose key does not match, that does not parse, or that belongs to another build is a
//! miss, never an answer; files are written whole (to a temporary name, then renamed), so a
//! crash leaves no half-written entry. Deleting the directory is always safe.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::model::Schema;

/// Bumped when the file format changes.
const FORMAT: u32 = 1;
/// Entries kept; older ones are removed when a new one is written.
const KEEP: usize = 32;

/// Where the entries live; `None` disables the cache (every compare builds a shadow).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheOptions {
    pub dir: Option<PathBuf>,
}

static PROCESS_DEFAULT: std::sync::OnceLock<CacheOptions> = std::sync::OnceLock::new();

/// Sets the cache every [`crate::shadow::ShadowHost`] of this process starts with (the CLI's
/// choice: `.tidemark/cache/` unless turned off); library callers get no cache unless they set
/// one here or with [`crate::shadow::ShadowHost::with_cache`]. The first call wins.
pub fn set_process_default(options: CacheOptions) {
    let _ = PROCESS_DEFAULT.set(options);
}

/// See [`set_process_default`].
pub fn process_default() -> CacheOptions {
    PROCESS_DEFAULT.get().cloned().unwrap_or_default()
}

/// What a canonical form depends on besides the desired schema: read from the shadow server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerFacts {
    /// `server_version_num`, `server_encoding` and the default version of each extension the
    /// spec names, as one text.
    pub text: String,
}

/// The key of `desired`'s canonical form on the server `facts` describe, read as `read` says.
pub fn key(
    desired: &Schema,
    read: &crate::introspect::IntrospectOptions,
    facts: &ServerFacts,
) -> String {
    let mut h = Sha256::new();
    h.update(format!("tidemark-canonical/{FORMAT}\n").as_bytes());
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(b"\n");
    h.update(env!("TIDEMARK_SOURCE_HASH").as_bytes());
    h.update(b"\n");
    h.update(facts.text.as_bytes());
    h.update(b"\n");
    h.update(format!("{read:?}").as_bytes());
    h.update(b"\n");
    // Serializing the model cannot fail: it is plain data.
    h.update(serde_json::to_vec(desired).unwrap_or_default());
    hex::encode(h.finalize())
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Entry {
    format: u32,
    key: String,
    schema: Schema,
}

fn path_of(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("canonical-{}.json", &key[..key.len().min(24)]))
}

/// The canonical form stored under `key`, if there is one and it is whole and current.
pub fn get(options: &CacheOptions, key: &str) -> Option<Schema> {
    let dir = options.dir.as_ref()?;
    let bytes = std::fs::read(path_of(dir, key)).ok()?;
    let entry: Entry = serde_json::from_slice(&bytes).ok()?;
    (entry.format == FORMAT && entry.key == key).then_some(entry.schema)
}

/// Stores `schema` under `key`. Best effort: a cache that cannot be written only costs time.
pub fn put(options: &CacheOptions, key: &str, schema: &Schema) {
    let Some(dir) = &options.dir else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let entry = Entry {
        format: FORMAT,
        key: key.to_string(),
        schema: schema.clone(),
    };
    let Ok(bytes) = serde_json::to_vec(&entry) else {
        return;
    };
    let target = path_of(dir, key);
    let temporary = dir.join(format!(
        ".canonical-{}.{}.tmp",
        std::process::id(),
        &key[..8.min(key.len())]
    ));
    if std::fs::write(&temporary, bytes).is_ok() && std::fs::rename(&temporary, &target).is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    prune(dir);
}

/// Keeps the [`KEEP`] newest entries.
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("canonical-") && name.ends_with(".json")
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if files.len() <= KEEP {
        return;
    }
    files.sort();
    for (_, p) in &files[..files.len() - KEEP] {
        let _ = std::fs::remove_file(p);
    }
}
