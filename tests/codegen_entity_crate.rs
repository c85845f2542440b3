//! The repository's own `entity/` crate is the generator's output for the example schema in
//! `schemas/`: this checks it is current (`cargo run -- generate` rewrites it) and that it, and
//! the golden edge cases, compile with `-D warnings`.

mod codegen_fixtures;

use std::path::{Path, PathBuf};
use std::process::Command;

use tidemark::codegen::GeneratedFile;
use tidemark::codegen::entity::{EntityOptions, generate};
use tidemark::codegen::sync::{self, FileAction};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn write_all(root: &Path, files: &[GeneratedFile]) {
    for f in files {
        let path = root.join(&f.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &f.contents).unwrap();
    }
}

#[test]
fn entity_crate_is_current() {
    // The same comparison `tidemark generate --check` makes.
    let files = generate(&codegen_fixtures::example(), &EntityOptions::default());
    let actions = sync::compare(&workspace().join("entity"), &files).unwrap();
    let stale: Vec<String> = actions
        .iter()
        .filter(|a| !matches!(a, FileAction::Unchanged { .. }))
        .map(|a| format!("{a:?}"))
        .collect();
    assert!(
        stale.is_empty(),
        "entity/ is not the generator's output for schemas/: {stale:#?}\nrun `cargo run -- generate`"
    );
    assert_eq!(actions.len(), files.len());
}

/// A crate outside the workspace for the golden schema, resolved with the workspace's lock file.
fn golden_crate(dir: &Path) {
    let ws = workspace();
    std::fs::create_dir_all(dir).unwrap();
    let manifest = format!(
        r#"[package]
name = "golden-entity"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
sea-orm = {{ version = "=2.0.4", default-features = false, features = ["sqlx-postgres", "runtime-tokio-rustls", "postgres-vector", "macros", "postgres-array", "with-json", "with-chrono", "with-uuid", "with-rust_decimal"] }}
tidemark-pgvector = {{ path = {:?} }}
"#,
        ws.join("crates/tidemark-pgvector").display().to_string()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(ws.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let src = dir.join("src");
    if src.exists() {
        std::fs::remove_dir_all(&src).unwrap();
    }
    write_all(
        dir,
        &generate(&codegen_fixtures::golden(), &EntityOptions::default()),
    );
}

fn cargo_check(manifest_dir: &Path, package: Option<&str>) {
    let ws = workspace();
    let mut cmd = Command::new(env!("CARGO"));
    cmd.arg("check")
        .arg("--offline")
        .arg("--quiet")
        .arg("--message-format=short")
        .current_dir(manifest_dir)
        // A target dir of its own: the outer `cargo test` holds the main one's lock, and
        // RUSTFLAGS would otherwise invalidate its cache.
        .env("CARGO_TARGET_DIR", ws.join("target/codegen-check"))
        .env("RUSTFLAGS", "-D warnings");
    if let Some(p) = package {
        cmd.args(["-p", p]);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "cargo check failed in {}:\n{}",
        manifest_dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn generated_crates_compile_without_warnings() {
    cargo_check(&workspace(), Some("entity"));
    let dir = workspace().join("target/codegen-golden");
    golden_crate(&dir);
    cargo_check(&dir, None);
}
