//! Build step: a fingerprint of tidemark's own sources (`TIDEMARK_SOURCE_HASH`), part of every
//! cache key of the canonical-form cache, so a cache written by another build of tidemark (whose
//! DDL or catalog reading may differ) is never used.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=src");
    let mut all = Vec::new();
    files(Path::new("src"), &mut all);
    all.sort();
    // SipHash with fixed keys: the same sources give the same value on every build.
    #[allow(deprecated)]
    let mut h = std::hash::SipHasher::new();
    for p in &all {
        p.to_string_lossy().hash(&mut h);
        std::fs::read(p).unwrap_or_default().hash(&mut h);
    }
    println!("cargo:rustc-env=TIDEMARK_SOURCE_HASH={:016x}", h.finish());
}
