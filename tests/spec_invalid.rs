//! The invalid-spec corpus: every case under `tests/invalid/` must fail to load with at least
//! one error, without panicking, and its rendered diagnostics are snapshotted.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

fn cases() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir("tests/invalid")
        .expect("tests/invalid exists")
        .map(|e| e.expect("dir entry").path())
        .collect();
    out.sort();
    out
}

#[test]
fn every_invalid_case_reports_errors_without_panicking() {
    let cases = cases();
    assert!(cases.len() >= 70, "only {} cases", cases.len());
    let mut panicked = Vec::new();
    let mut accepted = Vec::new();
    for case in &cases {
        let rel: &Path = case.as_path();
        let result = catch_unwind(AssertUnwindSafe(|| tidemark::spec::load(rel)));
        let stem = case
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name")
            .to_string();
        match result {
            Err(_) => panicked.push(stem),
            Ok(Ok(_)) => accepted.push(stem),
            Ok(Err(diags)) => {
                assert!(diags.error_count() >= 1, "{stem}: no error");
                for d in &diags.items {
                    let span = d.span.as_ref();
                    if let Some(s) = span {
                        assert!(s.line >= 1 && s.column >= 1, "{stem}: 0-based position");
                        assert!(s.file.starts_with("tests/invalid/"), "{stem}: {}", s.file);
                    }
                }
                let human = diags.render_human();
                // Every format renders and the JSON form parses.
                let json: serde_json::Value =
                    serde_json::from_str(&diags.render_json()).expect("json diagnostics parse");
                assert_eq!(
                    json["diagnostics"].as_array().map(Vec::len),
                    Some(diags.items.len())
                );
                assert!(diags.render_github().starts_with("::error"));
                insta::with_settings!({ snapshot_suffix => stem.clone(), prepend_module_to_snapshot => false }, {
                    insta::assert_snapshot!("invalid", human);
                });
            }
        }
    }
    assert!(panicked.is_empty(), "panicked: {panicked:?}");
    assert!(accepted.is_empty(), "accepted invalid specs: {accepted:?}");
}
