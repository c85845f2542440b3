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

/// The cache files in `dir` whose name starts with `prefix`.
fn files_named(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .expect("cache dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .collect()
}

/// The one whole-schema cache file in `dir`, as an error when there is not exactly one.
fn file_of_whole(dir: &Path) -> Result<PathBuf, String> {
    match files_named(dir, "canonical-").as_slice() {
        [one] => Ok(one.clone()),
        other => Err(format!("expected one whole entry, found {other:?}")),
    }
}

/// The one whole-schema cache file in `dir`.
fn entry_file(dir: &Path) -> PathBuf {
    let files = files_named(dir, "canonical-");
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
    // The reference: every schema built whole in one database, no cache.
    let plain = ShadowHost::start(&server)
        .await
        .map_err(|e| e.to_string())?
        .with_parallel(0);
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
    expect(
        "the other side's whole entry answered",
        host.cache_hits() == 0,
    );
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
    // Broken packs of parts and a broken index, with no whole entry to fall back on, are
    // misses too; and the next canonicalisation writes them whole again.
    let packs = files_named(only.path(), "pack-");
    expect("no pack of parts was written", packs.len() == 1);
    let index = only.path().join("parts-index.json");
    let (pack, good_pack, good_index) = match (
        packs
            .first()
            .map(|p| (p.clone(), std::fs::read_to_string(p))),
        std::fs::read_to_string(&index),
    ) {
        (Some((p, Ok(text))), Ok(i)) => (p, text, i),
        _ => return Err(format!("{}: no pack or index to damage", name)),
    };
    let mut renamed: serde_json::Value =
        serde_json::from_str(&good_pack).map_err(|e| e.to_string())?;
    let mut parts = serde_json::Map::new();
    if let Some(m) = renamed["parts"].as_object() {
        for (i, v) in m.values().enumerate() {
            parts.insert(format!("{i:064}"), v.clone());
        }
    }
    renamed["parts"] = serde_json::Value::Object(parts);
    let renamed = serde_json::to_string(&renamed).map_err(|e| e.to_string())?;
    for (what, file, text) in [
        ("a truncated pack", &pack, &good_pack[..good_pack.len() / 2]),
        ("a pack holding other keys", &pack, renamed.as_str()),
        (
            "a truncated index",
            &index,
            &good_index[..good_index.len() / 2],
        ),
    ] {
        std::fs::remove_file(&file_of_whole(only.path())?).map_err(|e| e.to_string())?;
        std::fs::write(file, text).map_err(|e| e.to_string())?;
        let before = host2.part_hits();
        let d = host2
            .canonicalize(&desired, None, &read)
            .await
            .map_err(|e| e.to_string())?;
        expect(&format!("{what} was used"), host2.part_hits() == before);
        expect(
            &format!("{what}: the plan differs"),
            script(&cur, &d) == expected,
        );
        // Whole again: every part of the next canonicalisation comes from the cache.
        std::fs::remove_file(&file_of_whole(only.path())?).map_err(|e| e.to_string())?;
        let again = host2
            .canonicalize(&desired, None, &read)
            .await
            .map_err(|e| e.to_string())?;
        expect(
            &format!("{what}: not repaired"),
            host2.part_hits() > before && again == des,
        );
        std::fs::write(&pack, &good_pack).map_err(|e| e.to_string())?;
        std::fs::write(&index, &good_index).map_err(|e| e.to_string())?;
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

/// A schema of `n` tables in a chain of foreign keys, with a view over one table, a function
/// whose SQL body names another, an `updated_at` trigger, a policy whose subquery names a
/// third, and a serial key; `variant` edits table `t0007`'s comment and, when `view`, the view.
fn chain_spec(n: usize, variant: &str, view: bool) -> String {
    let mut out = String::from(
        "extensions:\n  vector: {}\n\
         functions:\n  set_updated_at:\n    returns: trigger\n    language: plpgsql\n    body: |\n      BEGIN NEW.updated_at := now(); RETURN NEW; END\n  \
         t0003_count:\n    returns: bigint\n    language: sql\n    body: SELECT count(*) FROM t0003\n",
    );
    out.push_str(&format!(
        "views:\n  v_t0005:\n    sql: SELECT id, title{} FROM t0005\n",
        if view { ", score" } else { "" }
    ));
    out.push_str("tables:\n");
    for i in 0..n {
        out.push_str(&format!(
            "  t{i:04}:\n    comment: table {i}{}\n    columns:\n      id: {{ type: {}, primary_key: true }}\n      \
             title: text\n      score: {{ type: integer, default: 0 }}\n      embedding: vector(8)?\n      \
             updated_at: {{ type: timestamptz, default_sql: now() }}\n",
            if i == 7 { variant } else { "" },
            if i == 2 { "bigserial" } else { "bigint" },
        ));
        if i > 0 {
            out.push_str(&format!(
                "      parent_id: {{ type: bigint?, references: t{:04}.id, on_delete: cascade }}\n",
                i - 1
            ));
        }
        out.push_str(&format!(
            "    indexes:\n      t{i:04}_embedding_idx: {{ on: embedding, using: hnsw, ops: vector_cosine_ops }}\n      \
             t{i:04}_title_idx: {{ on: title }}\n"
        ));
        if i == 9 {
            out.push_str(
                "    row_level_security: true\n    triggers:\n      t0009_set_updated_at: { before: [update], execute: set_updated_at }\n    \
                 policies:\n      via_t0011: { using: \"EXISTS (SELECT 1 FROM t0011 x WHERE x.id = parent_id)\" }\n",
            );
        }
    }
    out
}

fn load_text(text: &str) -> Schema {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("spec.yaml");
    std::fs::write(&path, text).expect("write spec");
    match tidemark::spec::load(&path) {
        Ok(l) => l.schema,
        Err(d) => panic!("spec does not load:\n{d:?}"),
    }
}

/// A cut schema gives what a whole build gives: cold (built in several databases at once),
/// after one table changed (only it and its neighbour are built, the rest come from the
/// cache), and after a view changed (the globals and the table it names are built).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schema_built_in_parts_equals_the_whole_build() {
    let db = TestDatabase::create().await.expect("db");
    let server = ShadowServer::Url(DatabaseUrl::parse(db.server_url()).expect("url"));
    let read = IntrospectOptions::default();
    let whole = ShadowHost::start(&server)
        .await
        .expect("host")
        .with_parallel(0);
    let dir = tempfile::tempdir().expect("tempdir");
    let parts = ShadowHost::start(&server)
        .await
        .expect("host")
        .with_cache(CacheOptions {
            dir: Some(dir.path().to_path_buf()),
        })
        .with_parallel(3)
        .with_tables_per_database(50);
    let n = 120;
    let base = load_text(&chain_spec(n, "", false));
    let expected = whole.canonicalize(&base, None, &read).await.expect("whole");
    let cold = parts.canonicalize(&base, None, &read).await.expect("parts");
    assert_eq!(parts.part_hits(), 0);
    assert_eq!(cold, expected, "cold, built in 3 databases");
    assert_eq!(expected.tables.len(), n);

    let one = load_text(&chain_spec(n, " (edited)", false));
    let expected_one = whole.canonicalize(&one, None, &read).await.expect("whole");
    let got = parts.canonicalize(&one, None, &read).await.expect("parts");
    assert_eq!(got, expected_one, "one table changed");
    // t0007 and t0008 (which names it) are built; the other tables and the globals are not.
    assert_eq!(parts.part_hits(), n - 2 + 1);
    assert_ne!(expected_one, expected);

    let before = parts.part_hits();
    let view = load_text(&chain_spec(n, " (edited)", true));
    let expected_view = whole.canonicalize(&view, None, &read).await.expect("whole");
    let got = parts.canonicalize(&view, None, &read).await.expect("parts");
    assert_eq!(got, expected_view, "view changed");
    // The globals changed, so every table's key did.
    assert_eq!(parts.part_hits(), before);
    assert_eq!(parts.cache_hits(), 0);
}

/// The cut follows the names: a table is one part with its sequences, triggers and policies;
/// a table a view, function or policy names is among its dependencies; a clash refuses the cut.
#[test]
fn the_cut_keeps_what_belongs_to_a_table_and_refuses_clashes() {
    use tidemark::canonical_units::{TableNames, split, text_of};
    let schema = load_text(&chain_spec(12, "", false));
    let cut = split(&schema).expect("no clash");
    assert_eq!(cut.units.len(), 12);
    let t2 = &cut.units[&tidemark::model::QualifiedName::new("public", "t0002")];
    assert_eq!(t2.sequences.len(), 1, "the serial's sequence is t0002's");
    let t9 = &cut.units[&tidemark::model::QualifiedName::new("public", "t0009")];
    assert_eq!((t9.triggers.len(), t9.policies.len()), (1, 1));
    assert!(cut.globals.tables.is_empty() && cut.globals.sequences.is_empty());
    let names = TableNames::new(cut.units.keys());
    let named: Vec<String> = names
        .named_in(&text_of(&cut.globals))
        .iter()
        .map(|q| q.name.clone())
        .collect();
    assert_eq!(named, ["t0003", "t0005"]);
    let named: Vec<String> = names
        .named_in(&text_of(t9))
        .iter()
        .map(|q| q.name.clone())
        .collect();
    assert_eq!(named, ["t0008", "t0009", "t0011"]);
    assert_eq!(
        tidemark::canonical_units::assemble(&cut.globals, cut.units.values()),
        {
            let mut s = schema.clone();
            s.normalize();
            s
        }
    );

    let mut clash = schema.clone();
    clash.tables[1].indexes[0].name = clash.tables[0].indexes[0].name.clone();
    assert!(split(&clash).is_none(), "two indexes of one name");
}
