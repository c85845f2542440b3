//! Issue 5's done-when: thirteen spec versions (tables, columns, vector columns, dimension
//! change, HNSW options, operator class, an enum label, table and column renames, a concurrent
//! index, drops) become migrations with `migrate new`; on a real server each version is reached
//! with `migrate apply --to` and walked back with `migrate down --to`, and every time the
//! introspected schema equals that version's spec canonicalised on a shadow database.

mod migrate_support;

use std::path::Path;
use std::time::{Duration, SystemTime};

use migrate_support::*;
use sqlx::Connection;
use tidemark::compare::{self, CompareOptions, Desired};
use tidemark::migrate::{
    self, LiveSchemaCheck, NO_TRANSACTION_MARKER, NewOptions, NewOutcome, RunOptions, Runner,
    SNAPSHOT_FILE, verify_sum,
};
use tidemark::model::Schema;
use tidemark::plan::PlanOptions;
use tidemark::shadow::{ShadowHost, ShadowServer};
use tidemark_test_support::TestDatabase;

const VERSIONS: u32 = 13;

/// The spec at version `v` (1..=13); each version changes one thing (v07: two).
fn spec_text(v: u32) -> String {
    let items = if v >= 9 { "products" } else { "items" };
    let mut s = String::from("extensions:\n  vector:\n");
    if (2..13).contains(&v) {
        // v07 adds a label in the middle: ALTER TYPE … ADD VALUE, outside a transaction.
        let labels = if v >= 7 {
            "[new, active, done]"
        } else {
            "[new, done]"
        };
        s += &format!("enums:\n  state: {labels}\n");
    }
    s += &format!("tables:\n  {items}:\n");
    if v >= 9 {
        s += "    renamed_from: items\n";
    }
    s += "    columns:\n      id: { type: bigint, primary_key: true }\n";
    if v >= 10 {
        s += "      title: { type: text, renamed_from: name }\n";
    } else {
        s += "      name: text\n";
    }
    if (3..12).contains(&v) {
        s += "      note: text?\n";
    }
    if v >= 11 {
        // Built with --concurrent-indexes: a migration of its own, outside a transaction.
        s += "    indexes:\n      products_title_idx: { on: title }\n";
    }
    if (2..13).contains(&v) {
        s += &format!(
            "  docs:\n    columns:\n      id: {{ type: bigint, primary_key: true }}\n      item_id: {{ type: bigint, references: {items}.id }}\n      state: {{ type: state, default: new }}\n"
        );
        if v >= 3 {
            let dims = if v >= 8 { 4 } else { 3 };
            s += &format!("      embedding: vector({dims})?\n");
        }
        if v >= 7 {
            s += "      score: integer?\n";
        }
        if v >= 4 {
            let ops = if v >= 6 {
                "vector_cosine_ops"
            } else {
                "vector_l2_ops"
            };
            let with = if v >= 5 {
                ", with: { m: 8, ef_construction: 32 }"
            } else {
                ""
            };
            s += &format!(
                "    indexes:\n      docs_embedding_idx: {{ on: embedding, using: hnsw, ops: {ops}{with} }}\n"
            );
        }
    }
    s
}

fn spec(v: u32) -> Schema {
    let name = format!("v{v:02}.yaml");
    tidemark::spec::load_str(&name, &spec_text(v))
        .unwrap_or_else(|d| panic!("spec v{v:02} does not load:\n{}", d.render_human()))
        .schema
}

fn options(v: u32) -> NewOptions {
    NewOptions {
        name: format!("v{v:02}"),
        allow_destructive: true,
        plan: PlanOptions {
            concurrent_indexes: v == 11,
        },
        // One minute apart, in a fixed past: versions sort in spec order.
        now: SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000 + 60 * u64::from(v)),
    }
}

/// The differences between the live schema of `url` and `spec` canonicalised on the shadow
/// server, in words, through the one compare pipeline (what is unmanaged included).
async fn differences(url: &str, shadow: &ShadowServer, spec: &Schema) -> Vec<String> {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let host = ShadowHost::start(shadow).await.unwrap();
    let found = compare::compare(
        Desired::schema(spec),
        &mut conn,
        &host,
        &CompareOptions::default(),
    )
    .await
    .unwrap();
    conn.close().await.unwrap();
    let mut out: Vec<String> = found.changes.iter().map(ToString::to_string).collect();
    out.extend(found.unmanaged.iter().map(ToString::to_string));
    out
}

/// Writes the thirteen versions' migrations into `root`; returns, per spec version, the last
/// migration it wrote.
fn write_all(root: &Path) -> Vec<String> {
    let mut targets = Vec::new();
    for v in 1..=VERSIONS {
        let outcome = migrate::new_migration(root, &spec(v), &options(v)).unwrap();
        let NewOutcome::Written { plan, .. } = outcome else {
            panic!("v{v:02}: expected migrations, got {outcome:?}");
        };
        let parts = &plan.migrations;
        let last = parts.last().unwrap();
        for (i, m) in parts.iter().enumerate() {
            let folder = root.join("sql").join(&m.version);
            let up = std::fs::read_to_string(folder.join("up.sql")).unwrap();
            assert_eq!(
                up.starts_with(NO_TRANSACTION_MARKER),
                !m.transactional,
                "{}: the marker matches the part's kind",
                m.version
            );
            assert_eq!(
                folder.join(SNAPSHOT_FILE).is_file(),
                i + 1 == parts.len(),
                "{}: only the last part carries the snapshot",
                m.version
            );
        }
        // The snapshot loads back to the spec exactly (declared renames left out).
        assert_eq!(
            migrate::read_snapshot(root, &last.version)
                .unwrap()
                .unwrap(),
            migrate::without_renames(&spec(v)),
            "v{v:02}: snapshot round trip"
        );
        match v {
            7 => {
                let kinds: Vec<bool> = parts.iter().map(|m| m.transactional).collect();
                assert_eq!(
                    kinds,
                    [false, true],
                    "v07: label outside, column inside a transaction"
                );
                assert!(
                    parts[0]
                        .up_sql
                        .contains("ADD VALUE IF NOT EXISTS 'active' AFTER 'new'"),
                    "{}",
                    parts[0].up_sql
                );
                assert!(parts[1].version.ends_with("_v07_2"));
            }
            11 => {
                assert_eq!(parts.len(), 1);
                assert!(!parts[0].transactional);
                assert!(
                    parts[0]
                        .up_sql
                        .contains("CREATE INDEX CONCURRENTLY IF NOT EXISTS")
                );
            }
            9 => assert!(
                plan.plan
                    .steps
                    .iter()
                    .any(|s| s.sql().contains("RENAME TO \"products\"")),
                "v09 renames the table:\n{}",
                plan.plan.script()
            ),
            10 => assert!(
                plan.plan
                    .steps
                    .iter()
                    .any(|s| s.sql().contains("RENAME COLUMN \"name\" TO \"title\"")),
                "v10 renames the column:\n{}",
                plan.plan.script()
            ),
            _ => assert_eq!(parts.len(), 1, "v{v:02}: one transactional migration"),
        }
        targets.push(last.version.clone());
    }
    targets
}

#[tokio::test]
async fn thirteen_spec_versions_apply_and_roll_back_exactly() {
    let (_t, root) = temp_dir();
    let targets = write_all(&root);
    // Nothing left to write, and the directory vouches for itself.
    assert!(
        migrate::plan_new(&root, &spec(VERSIONS), &options(VERSIONS + 1))
            .unwrap()
            .migrations
            .is_empty()
    );
    let dir = verify_sum(&root).unwrap();
    assert!(dir.migrations.len() > targets.len(), "v07 was split");
    assert!(
        migrate::sync_generated(&root, migrate::SyncMode::Check)
            .unwrap()
            .is_empty()
    );

    let db = TestDatabase::create().await.unwrap();
    let shadow = ShadowServer::Url(tidemark::connect::DatabaseUrl::parse(db.url()).unwrap());
    let dir_arg = root.to_str().unwrap();

    for (i, target) in targets.iter().enumerate() {
        let v = i as u32 + 1;
        if v == 7 {
            // Stop after the first part of the split v07: the newest applied version has no
            // snapshot, so the live-schema check says it cannot check rather than guess.
            let first = &dir
                .migrations
                .iter()
                .find(|m| m.version.contains("_v07"))
                .unwrap()
                .version;
            let out = cli_apply(&root, db.url(), &["--to", first]);
            assert!(out.status.success(), "{}", text(&out));
            let mut r = Runner::connect(
                db.url(),
                verify_sum(&root).unwrap(),
                RunOptions::default(),
                |_| {},
            )
            .await
            .unwrap();
            match r.check_live_schema(&shadow).await {
                LiveSchemaCheck::NotChecked { reason } => {
                    assert!(reason.contains("has no schema.yaml"), "{reason}")
                }
                other => panic!("expected not checked, got {other:?}"),
            }
            r.close().await.unwrap();
        }
        let out = cli_apply(&root, db.url(), &["--to", target]);
        assert!(out.status.success(), "v{v:02}: {}", text(&out));
        let d = differences(db.url(), &shadow, &spec(v)).await;
        assert!(d.is_empty(), "after apply --to {target} (v{v:02}): {d:#?}");
        if v == 5 {
            // The live-schema check of status: equal, then drift made by hand is reported.
            let mut r = Runner::connect(
                db.url(),
                verify_sum(&root).unwrap(),
                RunOptions::default(),
                |_| {},
            )
            .await
            .unwrap();
            assert_eq!(r.check_live_schema(&shadow).await, LiveSchemaCheck::Matches);
            sqlx::query("ALTER TABLE items ADD COLUMN sneaky int")
                .execute(db.pool())
                .await
                .unwrap();
            match r.check_live_schema(&shadow).await {
                LiveSchemaCheck::Differs { differences } => assert!(
                    differences.iter().any(|d| d.contains("sneaky")),
                    "{differences:?}"
                ),
                other => panic!("expected a difference, got {other:?}"),
            }
            sqlx::query("ALTER TABLE items DROP COLUMN sneaky")
                .execute(db.pool())
                .await
                .unwrap();
            r.close().await.unwrap();
        }
    }

    // verify: the directory replayed on a fresh shadow database reproduces v13, not v12.
    let verified = migrate::verify(&root, Desired::schema(&spec(VERSIONS)), &shadow)
        .await
        .unwrap();
    assert!(
        verified.comparison.matches(),
        "{}",
        verified.comparison.plan.script()
    );
    assert_eq!(verified.versions.len(), dir.migrations.len());
    let stale = migrate::verify(&root, Desired::schema(&spec(VERSIONS - 1)), &shadow)
        .await
        .unwrap();
    assert!(
        !stale.comparison.plan.is_empty(),
        "v12's spec is not what the migrations build"
    );

    for v in (1..VERSIONS).rev() {
        let target = &targets[v as usize - 1];
        let out = tidemark(&[
            "migrate",
            "down",
            "--dir",
            dir_arg,
            "--database-url",
            db.url(),
            "--to",
            target,
        ]);
        assert!(out.status.success(), "down --to {target}: {}", text(&out));
        let d = differences(db.url(), &shadow, &spec(v)).await;
        assert!(d.is_empty(), "after down --to {target} (v{v:02}): {d:#?}");
    }
    let out = tidemark(&[
        "migrate",
        "down",
        "--dir",
        dir_arg,
        "--database-url",
        db.url(),
        "--to",
        "0",
    ]);
    assert!(out.status.success(), "down --to 0: {}", text(&out));
    // Everything is gone, the extension v01 created included.
    let d = differences(db.url(), &shadow, &Schema::default()).await;
    assert!(d.is_empty(), "after down --to 0: {d:#?}");
    let vector: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'vector')")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert!(!vector, "v01's down dropped the extension it created");
}

fn write_spec(dir: &Path, v: u32) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("schema.yaml"), spec_text(v)).unwrap();
}

/// Every file under `root`, with contents, to prove a command wrote nothing.
fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(root).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn cli_new_writes_nothing_when_unchanged_and_refuses_destructive_changes() {
    let (_t, base) = temp_dir();
    let root = base.join("migration");
    std::fs::create_dir_all(&root).unwrap();
    let specs = base.join("schemas");
    let dir = root.to_str().unwrap();
    let spec_dir = specs.to_str().unwrap();

    write_spec(&specs, 3);
    let out = tidemark(&["migrate", "new", "Create Items!", spec_dir, "--dir", dir]);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("_create_items ("), "{stdout}");
    let written = tree(&root);
    assert!(written.iter().any(|(p, _)| p == "tidemark.sum"));
    assert!(written.iter().any(|(p, _)| p == "src/lib.rs"));

    // Unchanged spec: says so, exit 0, nothing written.
    let out = tidemark(&["migrate", "new", "again", spec_dir, "--dir", dir]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("nothing changed"),
        "{}",
        text(&out)
    );
    assert_eq!(tree(&root), written);

    // v03 → v08 changes the embedding's dimensions (destructive) among other things; without
    // the flag: exit 4, the hazard named, nothing written.
    write_spec(&specs, 8);
    let out = tidemark(&["migrate", "new", "dims", spec_dir, "--dir", dir]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("vector dimension change"), "{stderr}");
    assert!(stderr.contains("--allow-destructive"), "{stderr}");
    assert_eq!(tree(&root), written);

    // JSON says the same for machines.
    let out = tidemark(&[
        "migrate", "new", "dims", spec_dir, "--dir", dir, "--format", "json",
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["outcome"], "refused");
    assert!(
        json["destructive"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["kind"] == "vector_dims_change")
    );
    assert_eq!(tree(&root), written);

    // With the flag it is written, and the checksum file and crate are current.
    let out = tidemark(&[
        "migrate",
        "new",
        "dims",
        spec_dir,
        "--dir",
        dir,
        "--allow-destructive",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert_ne!(tree(&root), written);
    let out = tidemark(&["migrate", "hash", "--check", "--dir", dir]);
    assert!(out.status.success(), "{}", text(&out));

    // A spec error is reported with file and line, and nothing is written.
    let before = tree(&root);
    std::fs::write(
        specs.join("schema.yaml"),
        "tables:\n  t:\n    columns:\n      id: integr\n",
    )
    .unwrap();
    let out = tidemark(&["migrate", "new", "broken", spec_dir, "--dir", dir]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("schema.yaml:4:"),
        "{}",
        text(&out)
    );
    assert_eq!(tree(&root), before);
}

#[tokio::test]
async fn cli_verify_and_status_check_schema_report_through_exit_codes() {
    let (_t, base) = temp_dir();
    let root = base.join("migration");
    let specs = base.join("schemas");
    std::fs::create_dir_all(&root).unwrap();
    let (dir, spec_dir) = (root.to_str().unwrap(), specs.to_str().unwrap());
    write_spec(&specs, 4);
    let out = tidemark(&["migrate", "new", "init", spec_dir, "--dir", dir]);
    assert!(out.status.success(), "{}", text(&out));

    let db = TestDatabase::create().await.unwrap();
    let shadow = db.url();
    let out = tidemark(&[
        "migrate",
        "verify",
        spec_dir,
        "--dir",
        dir,
        "--shadow-url",
        shadow,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 migration replayed"));

    // The spec moved on without a migration: exit 1, and the missing SQL as a plan script.
    write_spec(&specs, 5);
    let out = tidemark(&[
        "migrate",
        "verify",
        spec_dir,
        "--dir",
        dir,
        "--shadow-url",
        shadow,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("docs_embedding_idx") && stdout.contains("ef_construction"),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("migrate new"));

    // status --check-schema: opt-in, equal after apply, exit 1 on drift made by hand.
    let out = cli_apply(&root, db.url(), &[]);
    assert!(out.status.success(), "{}", text(&out));
    let status = |extra: &[&str]| {
        let mut args = vec![
            "migrate",
            "status",
            "--dir",
            dir,
            "--database-url",
            db.url(),
        ];
        args.extend_from_slice(extra);
        tidemark(&args)
    };
    let out = status(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("live schema: not checked"));
    let out = status(&["--check-schema", "--shadow-url", shadow]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("live schema: matches"),
        "{}",
        text(&out)
    );
    sqlx::query("DROP INDEX docs_embedding_idx")
        .execute(db.pool())
        .await
        .unwrap();
    let out = status(&["--check-schema", "--shadow-url", shadow, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["status"]["live_schema"]["live_schema"], "differs");
    let diffs = json["status"]["live_schema"]["differences"].to_string();
    assert!(diffs.contains("docs_embedding_idx"), "{diffs}");
}

#[tokio::test]
async fn irreversible_step_makes_down_refuse_without_changing_anything() {
    let (_t, base) = temp_dir();
    let root = base.join("migration");
    let specs = base.join("schemas");
    std::fs::create_dir_all(&root).unwrap();
    let (dir, spec_dir) = (root.to_str().unwrap(), specs.to_str().unwrap());
    let db = TestDatabase::create().await.unwrap();

    write_spec(&specs, 1);
    let out = tidemark(&["migrate", "new", "init", spec_dir, "--dir", dir]);
    assert!(out.status.success(), "{}", text(&out));
    let out = cli_apply(&root, db.url(), &[]);
    assert!(out.status.success(), "{}", text(&out));
    let installed: String =
        sqlx::query_scalar("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    // Pinning the version from unpinned: the way back is unknown, so the step is irreversible.
    let pinned = spec_text(1).replace(
        "  vector:\n",
        &format!("  vector: {{ version: \"{installed}\" }}\n"),
    ) + "      extra: text?\n";
    std::fs::write(specs.join("schema.yaml"), pinned).unwrap();
    let out = tidemark(&["migrate", "new", "pin", spec_dir, "--dir", dir]);
    assert!(out.status.success(), "{}", text(&out));
    let out = cli_apply(&root, db.url(), &[]);
    assert!(out.status.success(), "{}", text(&out));
    let versions = verify_sum(&root).unwrap().migrations;
    let pin = &versions[1].version;
    let down = std::fs::read_to_string(root.join("sql").join(pin).join("down.sql")).unwrap();
    assert!(down.contains("-- irreversible: "), "{down}");

    let out = tidemark(&["migrate", "down", "--dir", dir, "--database-url", db.url()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot be rolled back") && stderr.contains("down.sql"),
        "{stderr}"
    );
    // Nothing moved: the column is there and the migration is still applied.
    let extra: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'extra')",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert!(extra);
    assert_eq!(
        seaql_versions(db.pool()).await.last().map(String::as_str),
        Some(pin.as_str())
    );
}
