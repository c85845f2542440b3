//! Between `spec` and `shadow`: the canonical forms the shadow database gave, remembered under
//! `.tidemark/cache/` so an unchanged spec needs no shadow database at all.
//!
//! A key covers everything the canonical form depends on: the desired schema itself, what is
//! read back (the introspection options), the server (its version, encoding and the versions
//! of the extensions the spec names) and tidemark's own build (its sources' fingerprint). A
//! file whose key does not match, that does not parse, or that belongs to another build is a
//! miss, never an answer; files are written whole (to a temporary name, then renamed), so a
//! crash leaves no half-written entry. Deleting the directory is always safe.
//!
//! Whole schemas are one file each (`canonical-<key>.json`); the parts of a schema cut by
//! [`crate::canonical_units`] are written together, one pack per canonicalisation
//! (`pack-<hash>.json`), found through `parts-index.json`.

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

/// Parts kept (in whole packs, oldest first out) when a new pack is written.
const KEEP_PARTS: usize = 50_000;

#[derive(serde::Serialize, serde::Deserialize)]
struct Entry<T> {
    format: u32,
    key: String,
    /// The canonical form of a whole schema.
    schema: T,
}

fn path_of(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("canonical-{}.json", &key[..key.len().min(32)]))
}

/// The canonical form stored under `key`, if there is one and it is whole and current.
pub fn get(options: &CacheOptions, key: &str) -> Option<Schema> {
    let dir = options.dir.as_ref()?;
    let bytes = std::fs::read(path_of(dir, key)).ok()?;
    let entry: Entry<Schema> = serde_json::from_slice(&bytes).ok()?;
    (entry.format == FORMAT && entry.key == key).then_some(entry.schema)
}

/// Stores `schema` under `key`, then keeps the newest [`KEEP`] entries. Best effort: a cache
/// that cannot be written only costs time.
pub fn put(options: &CacheOptions, key: &str, schema: &Schema) {
    let Some(dir) = &options.dir else {
        return;
    };
    let entry = Entry {
        format: FORMAT,
        key: key.to_string(),
        schema,
    };
    if let Ok(bytes) = serde_json::to_vec(&entry)
        && write_whole(dir, &path_of(dir, key), &bytes).is_ok()
    {
        prune(dir);
    }
}

/// Writes `bytes` to `path` through a temporary file, so a reader never sees half of it.
fn write_whole(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    std::fs::create_dir_all(dir)?;
    let temporary = dir.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&temporary);
        })
}

/// The parts one canonicalisation built (see [`crate::canonical_units`]), written together as
/// one pack file: on the disks this was measured on, creating a file costs 0.2 to 0.8 ms, so
/// 1,000 tables in 1,000 files took up to 0.85 s and in one pack 5 ms. An index
/// (`parts-index.json`) says which pack holds each key; a pack is never changed once written.
#[derive(Default)]
pub struct Pack {
    parts: std::collections::BTreeMap<String, Box<serde_json::value::RawValue>>,
}

impl Pack {
    /// Adds `value` under `key`.
    pub fn add<T: serde::Serialize>(&mut self, key: &str, value: &T) {
        // Serializing the model cannot fail: it is plain data.
        if let Ok(raw) = serde_json::value::to_raw_value(value) {
            self.parts.insert(key.to_string(), raw);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct PackFile<P> {
    format: u32,
    /// Key → canonical form of the part.
    parts: P,
}

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct PartsIndex {
    format: u32,
    /// Oldest first.
    packs: Vec<PackEntry>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct PackEntry {
    file: String,
    keys: Vec<String>,
}

const INDEX_FILE: &str = "parts-index.json";

fn read_index(dir: &Path) -> PartsIndex {
    std::fs::read(dir.join(INDEX_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice::<PartsIndex>(&b).ok())
        .filter(|i| i.format == FORMAT)
        .unwrap_or_default()
}

/// A valid pack file name (the index is data read from disk: it must not name other files).
fn pack_name_ok(name: &str) -> bool {
    name.strip_prefix("pack-")
        .and_then(|n| n.strip_suffix(".json"))
        .is_some_and(|h| h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Stores `pack`, then keeps the newest [`KEEP_PARTS`] parts. Best effort, like [`put`]. Two
/// processes writing at once may each replace the other's index: the loser's pack is then only
/// a miss, and is removed by a later write.
pub fn put_pack(options: &CacheOptions, pack: Pack) {
    let Some(dir) = &options.dir else {
        return;
    };
    if pack.is_empty() {
        return;
    }
    let keys: Vec<String> = pack.parts.keys().cloned().collect();
    let mut h = Sha256::new();
    for k in &keys {
        h.update(k.as_bytes());
    }
    let file = format!("pack-{}.json", &hex::encode(h.finalize())[..32]);
    let Ok(bytes) = serde_json::to_vec(&PackFile {
        format: FORMAT,
        parts: &pack.parts,
    }) else {
        return;
    };
    if write_whole(dir, &dir.join(&file), &bytes).is_err() {
        return;
    }
    let mut index = read_index(dir);
    index.format = FORMAT;
    index.packs.retain(|p| p.file != file);
    index.packs.push(PackEntry { file, keys });
    let mut total: usize = index.packs.iter().map(|p| p.keys.len()).sum();
    let mut dropped = Vec::new();
    while total > KEEP_PARTS && index.packs.len() > 1 {
        let old = index.packs.remove(0);
        total -= old.keys.len();
        dropped.push(old.file);
    }
    let Ok(bytes) = serde_json::to_vec(&index) else {
        return;
    };
    if write_whole(dir, &dir.join(INDEX_FILE), &bytes).is_err() {
        return;
    }
    for f in dropped.iter().filter(|f| pack_name_ok(f)) {
        let _ = std::fs::remove_file(dir.join(f));
    }
    // Packs no index names (lost to a concurrent write) are removed once they are old enough
    // that no writer can still be about to name them.
    let named: std::collections::BTreeSet<&str> =
        index.packs.iter().map(|p| p.file.as_str()).collect();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let stale = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|age| age > std::time::Duration::from_secs(600));
            if pack_name_ok(&name) && !named.contains(name.as_str()) && stale {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// The stored parts, read once per canonicalisation: the index, then each pack that holds a
/// key asked for, once. A pack that does not parse or belongs to another build, and a key it
/// does not hold, are misses.
pub struct Parts {
    dir: Option<PathBuf>,
    /// Key → the newest pack that holds it.
    located: std::collections::HashMap<String, String>,
    loaded: std::collections::HashMap<
        String,
        Option<std::collections::HashMap<String, Box<serde_json::value::RawValue>>>,
    >,
}

impl Parts {
    pub fn open(options: &CacheOptions) -> Parts {
        let mut located = std::collections::HashMap::new();
        if let Some(dir) = &options.dir {
            for pack in read_index(dir).packs {
                if pack_name_ok(&pack.file) {
                    for k in pack.keys {
                        located.insert(k, pack.file.clone());
                    }
                }
            }
        }
        Parts {
            dir: options.dir.clone(),
            located,
            loaded: Default::default(),
        }
    }

    /// The part stored under `key`, if there is one and it is whole and current.
    pub fn get<T: serde::de::DeserializeOwned>(&mut self, key: &str) -> Option<T> {
        let dir = self.dir.as_ref()?;
        let file = self.located.get(key)?;
        let pack = self.loaded.entry(file.clone()).or_insert_with(|| {
            let bytes = std::fs::read(dir.join(file)).ok()?;
            let pack: PackFile<
                std::collections::HashMap<String, Box<serde_json::value::RawValue>>,
            > = serde_json::from_slice(&bytes).ok()?;
            (pack.format == FORMAT).then_some(pack.parts)
        });
        serde_json::from_str(pack.as_ref()?.get(key)?.get()).ok()
    }
}

/// Keeps the newest [`KEEP`] whole entries.
fn prune(dir: &Path) {
    let (prefix, keep) = ("canonical-", KEEP);
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
