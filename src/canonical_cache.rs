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
    let mut h = base(read, facts);
    // Serializing the model cannot fail: it is plain data.
    h.update(serde_json::to_vec(desired).unwrap_or_default());
    hex::encode(h.finalize())
}

/// What every key starts with: the format, tidemark's build, the server and the reading.
fn base(read: &crate::introspect::IntrospectOptions, facts: &ServerFacts) -> Sha256 {
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
    h
}

/// The key of one part's canonical form (see [`crate::canonical_units`]): `texts` are the
/// serialized parts it depends on (its own first), each with a label.
pub fn part_key(
    read: &crate::introspect::IntrospectOptions,
    facts: &ServerFacts,
    texts: &[(&str, &str)],
) -> String {
    let mut h = base(read, facts);
    h.update(b"part\n");
    for (label, text) in texts {
        h.update(format!("{}:{label}\n{}:", label.len(), text.len()).as_bytes());
        h.update(text.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// Part entries kept; older ones are removed when new ones are written.
const KEEP_PARTS: usize = 50_000;

/// What an entry holds: a whole canonical schema, or one part of one.
#[derive(Clone, Copy)]
enum Kind {
    Whole,
    Part,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Whole => "canonical-",
            Kind::Part => "part-",
        }
    }

    /// Entries of this kind kept; older ones are removed when new ones are written.
    fn keep(self) -> usize {
        match self {
            Kind::Whole => KEEP,
            Kind::Part => KEEP_PARTS,
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Entry<T> {
    format: u32,
    key: String,
    /// The canonical form: of a whole schema, or of one part.
    schema: T,
}

fn path_of(dir: &Path, kind: Kind, key: &str) -> PathBuf {
    dir.join(format!(
        "{}{}.json",
        kind.prefix(),
        &key[..key.len().min(32)]
    ))
}

/// The entry of `kind` stored under `key`, if there is one and it is whole and current.
fn read<T: serde::de::DeserializeOwned>(
    options: &CacheOptions,
    kind: Kind,
    key: &str,
) -> Option<T> {
    let dir = options.dir.as_ref()?;
    let bytes = std::fs::read(path_of(dir, kind, key)).ok()?;
    let entry: Entry<T> = serde_json::from_slice(&bytes).ok()?;
    (entry.format == FORMAT && entry.key == key).then_some(entry.schema)
}

/// Stores entries of `kind` under their keys, then keeps the newest ones. Best effort: a cache
/// that cannot be written only costs time.
fn write<'a, T: serde::Serialize + 'a>(
    options: &CacheOptions,
    kind: Kind,
    entries: impl IntoIterator<Item = (&'a str, &'a T)>,
) {
    let Some(dir) = &options.dir else {
        return;
    };
    let mut wrote = false;
    for (key, value) in entries {
        if !wrote && std::fs::create_dir_all(dir).is_err() {
            return;
        }
        wrote = true;
        let entry = Entry {
            format: FORMAT,
            key: key.to_string(),
            schema: value,
        };
        let Ok(bytes) = serde_json::to_vec(&entry) else {
            continue;
        };
        // Through a temporary file, so a reader never sees half of it.
        let temporary = dir.join(format!(
            ".tmp-{}-{}",
            std::process::id(),
            &key[..12.min(key.len())]
        ));
        if std::fs::write(&temporary, bytes).is_ok()
            && std::fs::rename(&temporary, path_of(dir, kind, key)).is_err()
        {
            let _ = std::fs::remove_file(&temporary);
        }
    }
    if wrote {
        prune(dir, kind);
    }
}

/// The canonical form stored under `key`, if there is one and it is whole and current.
pub fn get(options: &CacheOptions, key: &str) -> Option<Schema> {
    read(options, Kind::Whole, key)
}

/// Stores `schema` under `key`.
pub fn put(options: &CacheOptions, key: &str, schema: &Schema) {
    write(options, Kind::Whole, [(key, schema)]);
}

/// The part stored under `key`, if there is one and it is whole and current.
pub fn get_part<T: serde::de::DeserializeOwned>(options: &CacheOptions, key: &str) -> Option<T> {
    read(options, Kind::Part, key)
}

/// Stores parts under their keys.
pub fn put_parts<'a, T: serde::Serialize + 'a>(
    options: &CacheOptions,
    parts: impl IntoIterator<Item = (&'a str, &'a T)>,
) {
    write(options, Kind::Part, parts);
}

/// Keeps the newest entries of `kind`.
fn prune(dir: &Path, kind: Kind) {
    let (prefix, keep) = (kind.prefix(), kind.keep());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with(prefix) && name.ends_with(".json")
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if files.len() <= keep {
        return;
    }
    files.sort();
    for (_, p) in &files[..files.len() - keep] {
        let _ = std::fs::remove_file(p);
    }
}
