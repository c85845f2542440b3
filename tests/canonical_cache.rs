//! The canonical-form cache is never wrong: for every pair in `tests/pairs/`, the plan computed
//! from cached canonical forms equals the plan computed with no cache, whether the cache was
//! filled by the same side, by the other side of the pair, holds an entry written for another
//! server or build, or holds a corrupted file. Each case also proves the cache was (or was not)
//! used, so a cache that is never read cannot pass.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tidemark::canonical_cache::{self, CacheOptions, ServerFacts};
use tidemark::compare::compare_schemas;
use tidemark::connect::DatabaseUrl;
use tidemark::introspect::IntrospectOptions;
use tidemark::model::Schema;
use tidemark::plan::PlanOptions;
use tidemark::shadow::{ShadowHost, ShadowServer};
use tidemark_test_support::TestDatabase;

mod plan_support;
use plan_support::{load_pair_side as load_side, pairs};

fn script(current: &Schema, desired: &Schema) -> String {
    compare_schemas(
        current.clone(),
        Vec::new(),
        desired.clone(),
        &PlanOptions::default(),
    )
    .map(|c| c.plan.script())
    .unwrap_or_else(|e| format!("error: {e}"))
}

/// The one cache file in `dir`.
fn entry_file(dir: &Path) -> PathBuf {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("cache dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

/// `damage`: also plant foreign, truncated and garbage entries (every pair shares that code
/// path, so a sample of pairs covers it).
async fn check_pair(
    server: ShadowServer,
    name: String,
    current: Schema,
    desired: Schema,
    damage: bool,
) -> Result<(), String> {
    let read = IntrospectOptions::default();
    let plain = ShadowHost::start(&server)
        .await
        .map_err(|e| e.to_string())?;
    let fresh = |s: &Schema| {
        let s = s.clone();
        let plain = &plain;
        let read = read.clone();
        async move { plain.canonicalize(&s, None, &read).await }
    };
    let (cur, des) = match (fresh(&current).await, fresh(&desired).await) {
        (Ok(c), Ok(d)) => (c, d),
        (Err(e), _) | (_, Err(e)) => {
            return Err(format!("{name}: a side does not build on the shadow: {e}"));
        }
    };
    let expected = script(&cur, &des);

    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let cache = CacheOptions {
        dir: Some(dir.path().to_path_buf()),
    };
    let host = ShadowHost::start(&server)
        .await
        .map_err(|e| e.to_string())?
        .with_cache(cache.clone());
    let canon = |s: &Schema| {
        let s = s.clone();
        let host = &host;
        let read = read.clone();
        async move {
            host.canonicalize(&s, None, &read)
                .await
                .map_err(|e| e.to_string())
        }
    };
    let mut problems = Vec::new();
    let mut expect = |what: &str, ok: bool| {
        if !ok {
            problems.push(format!("{name}: {what}"));
        }
    };

    // Filled by the current side: the desired side must not get its entry.
    let c1 = canon(&current).await?;
    expect("a cold cache answered", host.cache_hits() == 0);
    let d1 = canon(&desired).await?;
    expect("the other side's entry answered", host.cache_hits() == 0);
    expect(
        "cold canonical forms differ from the uncached ones",
        c1 == cur && d1 == des,
    );
    // Warm: both from the cache, and the same plan.
    let c2 = canon(&current).await?;
    let d2 = canon(&desired).await?;
    expect("a warm cache was not used", host.cache_hits() == 2);
    expect("the warm plan differs", script(&c2, &d2) == expected);

    if !damage {
        return if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n"))
        };
    }
    // Entries written for another server or another build, or broken, are misses.
    let only = tempfile::tempdir().map_err(|e| e.to_string())?;
    let single = CacheOptions {
        dir: Some(only.path().to_path_buf()),
    };
    let host2 = ShadowHost::start(&server)
        .await
        .map_err(|e| e.to_string())?
        .with_cache(single);
    host2
        .canonicalize(&desired, None, &read)
        .await
        .map_err(|e| e.to_string())?;
    let file = entry_file(only.path());
    let good = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
    let mut value: serde_json::Value = serde_json::from_str(&good).map_err(|e| e.to_string())?;
    // Another server's (or build's) key under this file's name, with a wrong answer inside.
    value["key"] = serde_json::Value::String("0".repeat(64));
    value["schema"] = serde_json::to_value(&cur).map_err(|e| e.to_string())?;
    let foreign = serde_json::to_string(&value).map_err(|e| e.to_string())?;
    for (what, text) in [
        ("an entry with another key", foreign.as_str()),
        ("a truncated file", &good[..good.len() / 2]),
        ("a file of garbage", "\u{0}not json"),
    ] {
        std::fs::write(&file, text).map_err(|e| e.to_string())?;
        let before = host2.cache_hits();
        let d = host2
            .canonicalize(&desired, None, &read)
            .await
            .map_err(|e| e.to_string())?;
        expect(&format!("{what} was used"), host2.cache_hits() == before);
        expect(
            &format!("{what}: the plan differs"),
            script(&cur, &d) == expected,
        );
        // ... and the entry is whole again afterwards.
        let again = host2
            .canonicalize(&desired, None, &read)
            .await
            .map_err(|e| e.to_string())?;
        expect(
            &format!("{what}: not repaired"),
            host2.cache_hits() == before + 1 && again == des,
        );
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_canonical_forms_always_give_the_uncached_plan() {
    let db = TestDatabase::create().await.expect("db");
    let server = ShadowServer::Url(DatabaseUrl::parse(db.server_url()).expect("url"));
    let limit = Arc::new(tokio::sync::Semaphore::new(4));
    let mut tasks = Vec::new();
    for (i, (name, current, desired)) in pairs().into_iter().enumerate() {
        let limit = limit.clone();
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore");
            check_pair(server, name, current, desired, i % 12 == 0).await
        }));
    }
    let mut failures = Vec::new();
    let mut checked = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(()) => checked += 1,
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 100, "{checked} pairs");
}

/// What the key covers: a different server, build input or read option is another key.
#[test]
fn the_key_covers_the_server_the_options_and_the_schema() {
    let schema = load_side(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pairs/01_add_table"),
        "desired",
    );
    let facts = |t: &str| ServerFacts { text: t.into() };
    let read = IntrospectOptions::default();
    let base = canonical_cache::key(&schema, &read, &facts("180003 UTF8 vector=0.8.0"));
    assert_eq!(
        base,
        canonical_cache::key(&schema, &read, &facts("180003 UTF8 vector=0.8.0"))
    );
    assert_ne!(
        base,
        canonical_cache::key(&schema, &read, &facts("170005 UTF8 vector=0.8.0"))
    );
    assert_ne!(
        base,
        canonical_cache::key(&schema, &read, &facts("180003 UTF8 vector=0.7.4"))
    );
    let ignoring = IntrospectOptions {
        ignore: vec!["public.x*".into()],
        ..IntrospectOptions::default()
    };
    assert_ne!(
        base,
        canonical_cache::key(&schema, &ignoring, &facts("180003 UTF8 vector=0.8.0"))
    );
    let mut other = schema.clone();
    other.tables[0].comment = Some("changed".into());
    assert_ne!(
        base,
        canonical_cache::key(&other, &read, &facts("180003 UTF8 vector=0.8.0"))
    );
}
