//! The corpus check of issue 3: for every `tests/pairs/NN_name/{current,desired}` (a `.yaml`
//! file or a directory of them), on a real PostgreSQL with pgvector: build current and read it
//! back, plan to desired as PostgreSQL stores it (built on its own database and read back),
//! apply the plan with push's executor (plain, and again with concurrent indexes), read the
//! database back and require it to equal desired, and a second diff to be empty; then run the
//! down steps and require the database to equal current again (see `plan_support`).
//! Pairs with a `seed.sql` get rows before the plan, and their `check.sql` (one boolean) must
//! hold after it: renames keep data, conversions keep values, dimension changes clear vectors.
//! The corpus as a whole must exercise every change kind and every hazard kind.

mod plan_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tidemark::diff::diff;
use tidemark::model::Schema;
use tidemark::plan::{HazardKind, PlanOptions};

fn pairs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pairs")
}

/// `seed.sql` and `check.sql` of a pair, when present.
fn data(name: &str) -> plan_support::Data {
    let dir = pairs_dir().join(name);
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).ok();
    plan_support::Data {
        seed: read("seed.sql"),
        check: read("check.sql"),
    }
}

fn pairs() -> Vec<(String, Schema, Schema)> {
    plan_support::pairs()
}

#[test]
fn the_corpus_has_at_least_forty_pairs_and_each_changes_something() {
    let pairs = pairs();
    assert!(pairs.len() >= 40, "only {} pairs", pairs.len());
    for (name, current, desired) in &pairs {
        assert!(
            !diff(current, desired).is_empty(),
            "{name}: current and desired are the same"
        );
    }
}

/// `TIDEMARK_PAIRS=95,view` runs only the pairs whose names contain one of the words (for
/// working on a few; the corpus-wide coverage checks are then skipped).
fn selection() -> Option<Vec<String>> {
    std::env::var("TIDEMARK_PAIRS")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.split(',').map(|w| w.trim().to_string()).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_pair_applies_to_desired_and_reverts_to_current() {
    let selected = selection();
    let pairs: Vec<_> = pairs()
        .into_iter()
        .filter(|(name, _, _)| {
            selected
                .as_ref()
                .is_none_or(|words| words.iter().any(|w| name.contains(w.as_str())))
        })
        .collect();
    let limit = Arc::new(tokio::sync::Semaphore::new(4));
    let mut tasks = Vec::new();
    for (name, current, desired) in pairs {
        let limit = limit.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore");
            let mut out = Vec::new();
            let desired = match plan_support::canonical(&desired).await {
                Ok(d) => d,
                Err(e) => {
                    out.push((name.clone(), false, Err(e)));
                    return out;
                }
            };
            for concurrent in [false, true] {
                let options = PlanOptions {
                    concurrent_indexes: concurrent,
                };
                let result =
                    plan_support::check_pair_with_data(&current, &desired, &options, &data(&name))
                        .await;
                out.push((name.clone(), concurrent, result));
            }
            out
        }));
    }
    let mut failures = Vec::new();
    let mut change_kinds = BTreeSet::new();
    let mut hazard_kinds = BTreeSet::new();
    let mut non_transactional = 0;
    let mut checked = 0;
    for t in tasks {
        for (name, concurrent, result) in t.await.expect("task") {
            match result {
                Ok(plan) => {
                    checked += 1;
                    hazard_kinds.extend(plan.hazard_kinds());
                    non_transactional += plan.steps.iter().filter(|s| !s.transactional).count();
                    let _ = name;
                }
                Err(e) => failures.push(format!("=== {name} (concurrent={concurrent}) ===\n{e}")),
            }
        }
    }
    for (_, current, desired) in pairs_for_kinds() {
        change_kinds.extend(
            diff(&current, &desired)
                .iter()
                .map(|c| c.label().to_string()),
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    if selected.is_some() {
        return;
    }
    assert!(checked >= 80, "{checked} checks");
    assert!(non_transactional > 0);

    let expected_changes: BTreeSet<String> = [
        "namespace.add",
        "namespace.drop",
        "namespace.comment",
        "extension.add",
        "extension.drop",
        "extension.alter",
        "enum.add",
        "enum.drop",
        "enum.add_value",
        "enum.recreate",
        "enum.comment",
        "sequence.add",
        "sequence.drop",
        "sequence.rename",
        "sequence.alter",
        "table.add",
        "table.drop",
        "table.rename",
        "table.comment",
        "table.storage",
        "table.persistence",
        "table.replica_identity",
        "table.bound",
        "table.detach",
        "column.add",
        "column.drop",
        "column.rename",
        "column.alter",
        "column.serial_to_identity",
        "column.identity_to_serial",
        "constraint.add",
        "constraint.drop",
        "constraint.rename",
        "constraint.validate",
        "constraint.comment",
        "index.add",
        "index.drop",
        "index.replace",
        "index.rename",
        "index.comment",
        "view.add",
        "view.drop",
        "view.replace",
        "view.rebuild",
        "view.alter",
        "function.add",
        "function.drop",
        "function.replace",
        "function.rebuild",
        "function.comment",
        "trigger.add",
        "trigger.drop",
        "trigger.replace",
        "trigger.comment",
        "trigger.enable",
        "policy.row_security",
        "policy.add",
        "policy.drop",
        "policy.replace",
        "policy.comment",
        "type.add",
        "type.drop",
        "type.alter",
        "type.rebuild",
        "grant.change",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    let missing: Vec<_> = expected_changes.difference(&change_kinds).collect();
    assert!(missing.is_empty(), "no pair covers {missing:?}");
    let expected_hazards = [
        HazardKind::DataLoss,
        HazardKind::TableRewrite,
        HazardKind::BlockingLock,
        HazardKind::VectorDimsChange,
        HazardKind::VectorIndexRebuild,
        HazardKind::MayFail,
    ];
    for h in expected_hazards {
        assert!(hazard_kinds.contains(&h), "no pair raises {h:?}");
    }
}

fn pairs_for_kinds() -> Vec<(String, Schema, Schema)> {
    pairs()
}
