//! The schema-change corpus (`tests/corpus/*.sql`), run the way a team adopts tidemark: the
//! desired database is built from SQL and read with `tidemark inspect`, the spec is pushed onto
//! the current database with `tidemark push`, and then `pg_dump --schema-only` of both
//! databases must be identical and `tidemark diff --exit-code` must find nothing; the same
//! spec printed by `tidemark sql` must build a fresh database that dumps identically too. Cases the
//! model cannot represent yet must be refused by `inspect`, naming what it cannot describe,
//! never converge silently to something else.
//!
//! Every case says what it expects (`converge` or `refuse`); the test fails on any other
//! outcome and prints the convergence figures.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;

use tidemark::localpg::{DiscoveryOptions, find_binaries};
use tidemark_test_support::TestDatabase;

mod psql_support;

struct Case {
    file: String,
    name: String,
    expect: String,
    /// Extensions the case needs (`-- requires: citext`); a server without them skips it.
    requires: Vec<String>,
    current: String,
    desired: String,
}

fn cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read case file");
        let file = f.file_stem().unwrap().to_string_lossy().into_owned();
        for block in text.split("\n-- case: ").skip(1) {
            let (name, rest) = block.split_once('\n').expect("case name line");
            let (expect, rest) = rest
                .strip_prefix("-- expect: ")
                .and_then(|r| r.split_once('\n'))
                .unwrap_or_else(|| panic!("{file}/{name}: no expect line"));
            let (requires, rest) = match rest
                .strip_prefix("-- requires: ")
                .and_then(|r| r.split_once('\n'))
            {
                Some((list, rest)) => (
                    list.split(',').map(|e| e.trim().to_string()).collect(),
                    rest,
                ),
                None => (Vec::new(), rest),
            };
            let rest = rest.strip_prefix("-- current:\n").expect("current marker");
            let (current, desired) = rest
                .split_once("-- desired:\n")
                .unwrap_or_else(|| panic!("{file}/{name}: no desired marker"));
            out.push(Case {
                file: file.clone(),
                name: name.trim().to_string(),
                expect: expect.trim().to_string(),
                requires,
                current: current.trim().to_string(),
                desired: desired.trim().to_string(),
            });
        }
    }
    out
}

async fn tidemark(cwd: &Path, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_tidemark"))
        .args(args)
        .current_dir(cwd)
        .env("CI", "1")
        .env_remove("DATABASE_URL")
        .output()
        .await
        .expect("run tidemark")
}

async fn dump(pg_dump: &Path, url: &str) -> Result<String, String> {
    let out = tokio::process::Command::new(pg_dump)
        .args(["--schema-only", url])
        .output()
        .await
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    // `\restrict` lines carry a random key per dump.
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict"))
        .collect::<Vec<_>>()
        .join("\n"))
}

enum Outcome {
    Converged,
    Refused(String),
    Noted(String),
    Diverged(String),
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn first_difference(a: &str, b: &str) -> String {
    let (al, bl): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    for i in 0..al.len().max(bl.len()) {
        if al.get(i) != bl.get(i) {
            let from = i.saturating_sub(3);
            let show = |l: &[&str]| l[from.min(l.len())..(i + 4).min(l.len())].join("\n");
            return format!(
                "line {}:\n--- desired\n{}\n--- current after push\n{}",
                i + 1,
                show(&al),
                show(&bl)
            );
        }
    }
    "no difference".into()
}

async fn run(case: &Case, pg_dump: &Path) -> Outcome {
    let diverged = |why: String| Outcome::Diverged(why);
    let (current, desired) = match (TestDatabase::create().await, TestDatabase::create().await) {
        (Ok(c), Ok(d)) => (c, d),
        (Err(e), _) | (_, Err(e)) => return diverged(format!("no database: {e}")),
    };
    if let Err(e) = psql_support::execute(current.url(), &case.current).await {
        return diverged(format!("building current failed: {e}"));
    }
    if let Err(e) = psql_support::execute(desired.url(), &case.desired).await {
        return diverged(format!("building desired failed: {e}"));
    }
    let work = tempfile::tempdir().expect("tempdir");
    let spec = work.path().join("spec");
    let spec_arg = spec.to_string_lossy().into_owned();
    let inspected = tidemark(
        work.path(),
        &[
            "inspect",
            "--database-url",
            desired.url(),
            "--out",
            &spec_arg,
        ],
    )
    .await;
    match inspected.status.code() {
        Some(0) => {}
        Some(4) => {
            let stderr = String::from_utf8_lossy(&inspected.stderr).into_owned();
            let listed = stderr.lines().filter(|l| l.starts_with("  - ")).count();
            if stderr.contains("the spec cannot describe") && listed > 0 && stderr.contains("help:")
            {
                return Outcome::Refused(stderr);
            }
            return diverged(format!("inspect refused without naming what: {stderr}"));
        }
        _ => return diverged(format!("inspect failed:\n{}", text(&inspected))),
    }
    let shadow = current.server_url().to_string();
    let pushed = tidemark(
        work.path(),
        &[
            "push",
            &spec_arg,
            "--database-url",
            current.url(),
            "--shadow-url",
            &shadow,
            "--allow-destructive",
        ],
    )
    .await;
    if !pushed.status.success() {
        return diverged(format!("push failed:\n{}", text(&pushed)));
    }
    let push_out = format!(
        "{}{}",
        String::from_utf8_lossy(&pushed.stdout),
        String::from_utf8_lossy(&pushed.stderr)
    );
    let reported = push_out.contains("in the database but not managed by the spec");
    let (a, b) = match (
        dump(pg_dump, desired.url()).await,
        dump(pg_dump, current.url()).await,
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return diverged(format!("pg_dump failed: {e}")),
    };
    if a != b && push_out.contains("note: the columns of") {
        return Outcome::Noted(push_out);
    }
    if a != b && reported {
        return Outcome::Refused(push_out);
    }
    if a != b {
        let spec_text: String = std::fs::read_dir(&spec)
            .map(|d| {
                d.flatten()
                    .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
                    .collect()
            })
            .unwrap_or_default();
        return diverged(format!(
            "pg_dump differs, {}\n--- spec\n{spec_text}\n--- push\n{}",
            first_difference(&a, &b),
            text(&pushed)
        ));
    }
    let again = tidemark(
        work.path(),
        &[
            "diff",
            &spec_arg,
            "--database-url",
            current.url(),
            "--shadow-url",
            &shadow,
            "--exit-code",
        ],
    )
    .await;
    // The same spec as a script (`tidemark sql`) builds a fresh database that dumps the same.
    if !reported {
        let script = tidemark(work.path(), &["sql", &spec_arg]).await;
        if !script.status.success() {
            return diverged(format!("sql failed:\n{}", text(&script)));
        }
        let fresh = match TestDatabase::create().await {
            Ok(db) => db,
            Err(e) => return diverged(format!("no database: {e}")),
        };
        if let Err(e) =
            psql_support::execute(fresh.url(), &String::from_utf8_lossy(&script.stdout)).await
        {
            return diverged(format!("the `tidemark sql` script failed: {e}"));
        }
        match dump(pg_dump, fresh.url()).await {
            Ok(c) if c == a => {}
            Ok(c) => {
                return diverged(format!(
                    "pg_dump of the `tidemark sql` database differs, {}",
                    first_difference(&a, &c)
                ));
            }
            Err(e) => return diverged(format!("pg_dump failed: {e}")),
        }
    }
    let again_out = String::from_utf8_lossy(&again.stdout).into_owned();
    if again.status.code() == Some(2)
        && reported
        && again_out.contains("in the database but not managed by the spec")
    {
        return Outcome::Refused(again_out);
    }
    if again.status.code() != Some(0) {
        return diverged(format!("a second diff is not empty:\n{}", text(&again)));
    }
    Outcome::Converged
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspect_then_push_reproduces_every_supported_case_and_refuses_the_rest() {
    // `TIDEMARK_CORPUS=views,enums` runs only the cases of files (or names) containing a word.
    let selected: Option<Vec<String>> = std::env::var("TIDEMARK_CORPUS")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.split(',').map(|w| w.trim().to_string()).collect());
    let cases: Vec<Case> = cases()
        .into_iter()
        .filter(|c| {
            selected.as_ref().is_none_or(|words| {
                words
                    .iter()
                    .any(|w| c.file.contains(w.as_str()) || c.name.contains(w.as_str()))
            })
        })
        .collect();
    assert!(
        selected.is_some() || cases.len() >= 300,
        "only {} cases",
        cases.len()
    );
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let install =
        tokio::task::spawn_blocking(move || find_binaries(&DiscoveryOptions::from_env(root)))
            .await
            .expect("discovery task")
            .expect("PostgreSQL binaries");
    let pg_dump = Arc::new(install.program("pg_dump"));
    // Cases that need an extension this server build lacks are skipped, and named.
    let probe = TestDatabase::create().await.expect("db");
    let available: Vec<String> =
        sqlx::query_scalar("SELECT name::text FROM pg_available_extensions")
            .fetch_all(probe.pool())
            .await
            .expect("available extensions");
    let (cases, skipped): (Vec<Case>, Vec<Case>) = cases
        .into_iter()
        .partition(|c| c.requires.iter().all(|e| available.contains(e)));
    for c in &skipped {
        println!(
            "corpus: skipped {}/{}: the server has no extension {}",
            c.file,
            c.name,
            c.requires
                .iter()
                .filter(|e| !available.contains(e))
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let limit = Arc::new(tokio::sync::Semaphore::new(4));
    let cases = Arc::new(cases);
    let mut tasks = Vec::new();
    for i in 0..cases.len() {
        let (limit, cases, pg_dump) = (limit.clone(), cases.clone(), pg_dump.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore");
            run(&cases[i], &pg_dump).await
        }));
    }
    let (mut converged, mut refused, mut noted, mut wrong) = (0, 0, 0, Vec::new());
    for (i, t) in tasks.into_iter().enumerate() {
        let case = &cases[i];
        let outcome = t.await.expect("case task");
        let id = format!("{}/{}", case.file, case.name);
        match (outcome, case.expect.as_str()) {
            (Outcome::Converged, "converge") => converged += 1,
            (Outcome::Refused(_), "refuse") => refused += 1,
            (Outcome::Noted(_), "note") => noted += 1,
            (Outcome::Converged, other) => wrong.push(format!("{id}: converged, expected {other}")),
            (Outcome::Noted(m), _) => wrong.push(format!("{id}: differs with a note: {m}")),
            (Outcome::Refused(m), _) => wrong.push(format!("{id}: refused: {m}")),
            (Outcome::Diverged(why), _) => wrong.push(format!("{id}: {why}")),
        }
    }
    let total = cases.len();
    println!(
        "corpus: {total} cases, {converged} converged ({:.1}%), {refused} refused naming what is not managed, {noted} differing with a note, {} wrong, {} skipped",
        100.0 * converged as f64 / total as f64,
        wrong.len(),
        skipped.len()
    );
    assert!(
        wrong.is_empty(),
        "{}\n\n{}",
        wrong.len(),
        wrong.join("\n\n")
    );
}
