//! Robustness: arbitrary bytes and arbitrary spec-shaped YAML never panic the loader, and the
//! parse budget turns alias bombs and absurd nesting into errors instead of OOM or overflow.

use proptest::prelude::*;

/// The loader's own key vocabulary (so the generator cannot drift from it), plus option names
/// and a few plausible object names.
fn keys() -> Vec<&'static str> {
    use tidemark::spec::shape::*;
    let mut keys: Vec<&'static str> = [
        FILE_KEYS,
        EXTENSION_KEYS,
        ENUM_KEYS,
        TABLE_KEYS,
        COLUMN_KEYS,
        INDEX_KEYS,
        INDEX_KEY_KEYS,
        PRIMARY_KEY_KEYS,
        UNIQUE_KEYS,
        FOREIGN_KEY_KEYS,
    ]
    .concat();
    keys.extend(["m", "ef_construction", "lists", "t", "id", "embedding"]);
    keys.sort_unstable();
    keys.dedup();
    keys
}
const SCALARS: &[&str] = &[
    "bigint",
    "text?",
    "vector(1536)",
    "vector(3072)?",
    "halfvec(0)",
    "hnsw",
    "ivfflat",
    "vector_cosine_ops",
    "bit_hamming_ops",
    "t.id",
    "t(id)",
    "x.t.id",
    "always",
    "by_default",
    "desc",
    "first",
    "true",
    "false",
    "null",
    "~",
    "0",
    "-1",
    "99999999999999999999999",
    "1.5",
    "\"{}\"",
    "'it''s'",
    "[]",
    "{}",
    "\"(id::halfvec(3))\"",
    "public",
    "other",
];

#[derive(Debug, Clone)]
enum Doc {
    Scalar(&'static str),
    Seq(Vec<Doc>),
    Map(Vec<(&'static str, Doc)>),
}

fn doc() -> impl Strategy<Value = Doc> {
    let leaf = prop::sample::select(SCALARS).prop_map(Doc::Scalar);
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Doc::Seq),
            prop::collection::vec((prop::sample::select(keys()), inner), 0..6).prop_map(|mut v| {
                // Unique keys keep most documents past the parser and into the checks.
                let mut seen = std::collections::BTreeSet::new();
                v.retain(|(k, _)| seen.insert(*k));
                Doc::Map(v)
            }),
        ]
    })
}

fn render(d: &Doc, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match d {
        Doc::Scalar(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Doc::Seq(items) if items.is_empty() => out.push_str("[]\n"),
        Doc::Map(items) if items.is_empty() => out.push_str("{}\n"),
        Doc::Seq(items) => {
            out.push('\n');
            for i in items {
                out.push_str(&pad);
                out.push_str("- ");
                render(i, indent + 2, out);
            }
        }
        Doc::Map(items) => {
            out.push('\n');
            for (k, v) in items {
                out.push_str(&pad);
                out.push_str(k);
                out.push_str(": ");
                render(v, indent + 2, out);
            }
        }
    }
}

fn check_no_panic(text: &str) {
    let r = std::panic::catch_unwind(|| tidemark::spec::load_str("fuzz.yaml", text));
    match r {
        Err(_) => panic!("loader panicked on:\n{text}"),
        Ok(Err(d)) => {
            assert!(d.has_errors());
            // Rendering must not panic either, whatever the positions.
            let _ = d.render_human();
            let _ = d.render_github();
            let json: serde_json::Value =
                serde_json::from_str(&d.render_json()).expect("json renders");
            assert!(json["diagnostics"].is_array());
        }
        Ok(Ok(_)) => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        check_no_panic(&text);
    }

    #[test]
    fn arbitrary_spec_shaped_documents_never_panic(d in doc(), wrap in 0usize..3) {
        let mut body = String::new();
        render(&d, 2, &mut body);
        let text = match wrap {
            0 => format!("tables:\n  t:{body}"),
            1 => format!("tables:\n  t:\n    columns:\n      id: bigint\n    indexes:\n      i:{}", body.replace('\n', "\n    ")),
            _ => format!("root:{body}"),
        };
        check_no_panic(&text);
    }
}

#[test]
fn billion_laughs_is_refused() {
    let mut s = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(",");
        s.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
    }
    let err = tidemark::spec::load_str("bomb.yaml", &s).expect_err("alias bomb must fail");
    let text = err.render_human();
    assert!(text.contains("alias"), "{text}");
}

#[test]
fn deep_nesting_is_refused_without_stack_overflow() {
    for (open, close) in [("[", "]"), ("{a: ", "}")] {
        let text = format!("{}1{}", open.repeat(100_000), close.repeat(100_000));
        let err = tidemark::spec::load_str("deep.yaml", &text).expect_err("deep nesting must fail");
        let rendered = err.render_human();
        eprintln!("{}", rendered.lines().next().unwrap_or(""));
        assert!(rendered.contains("invalid YAML"), "{rendered}");
    }
    // Block-style nesting too (1000 levels: deep, yet far below the input-size limit).
    let mut text = String::new();
    for i in 0..1_000usize {
        text.push_str(&" ".repeat(i));
        text.push_str("a:\n");
    }
    let err =
        tidemark::spec::load_str("deep.yaml", &text).expect_err("deep block nesting must fail");
    let rendered = err.render_human();
    eprintln!("{rendered}");
    assert!(rendered.contains("invalid YAML"), "{rendered}");
}

#[test]
fn oversized_input_is_refused() {
    let text = format!(
        "comment: \"{}\"\n",
        "x".repeat(tidemark::spec::MAX_FILE_BYTES + 1)
    );
    let err = tidemark::spec::load_str("big.yaml", &text).expect_err("too big");
    assert!(err.render_human().contains("limit"));
}
