//! `docs/tidemark.schema.json` (for editor completion) must list every key the loader accepts,
//! and no key it rejects, so the two cannot drift apart.

use std::collections::BTreeSet;

use serde_json::Value;
use tidemark::spec::shape;

fn schema() -> Value {
    let text = std::fs::read_to_string("docs/tidemark.schema.json").expect("schema file");
    serde_json::from_str(&text).expect("valid JSON")
}

/// Property names of the object schema at `pointer` (following a `oneOf` to its object arm).
fn keys(root: &Value, pointer: &str) -> BTreeSet<String> {
    let mut node = root
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{pointer} missing"));
    if let Some(arms) = node.get("oneOf").and_then(Value::as_array) {
        node = arms
            .iter()
            .find(|a| a.get("properties").is_some())
            .unwrap_or_else(|| panic!("{pointer}: no object arm"));
    }
    assert_eq!(
        node.get("additionalProperties"),
        Some(&Value::Bool(false)),
        "{pointer} must reject unknown keys like the loader"
    );
    node["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("{pointer}: no properties"))
        .keys()
        .cloned()
        .collect()
}

fn set(keys: &[&str]) -> BTreeSet<String> {
    keys.iter().map(|k| k.to_string()).collect()
}

#[test]
fn json_schema_matches_the_loader() {
    let s = schema();
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(keys(&s, ""), set(shape::FILE_KEYS));
    assert_eq!(keys(&s, "/$defs/table"), set(shape::TABLE_KEYS));
    assert_eq!(keys(&s, "/$defs/partition"), set(shape::PARTITION_KEYS));
    assert_eq!(
        keys(&s, "/$defs/partition_by"),
        set(shape::PARTITION_BY_KEYS)
    );
    assert_eq!(keys(&s, "/$defs/column"), set(shape::COLUMN_KEYS));
    assert_eq!(keys(&s, "/$defs/index"), set(shape::INDEX_KEYS));
    assert_eq!(keys(&s, "/$defs/index_key"), set(shape::INDEX_KEY_KEYS));
    assert_eq!(keys(&s, "/$defs/enum"), set(shape::ENUM_KEYS));
    assert_eq!(keys(&s, "/$defs/extension"), set(shape::EXTENSION_KEYS));
    assert_eq!(keys(&s, "/$defs/sequence"), set(shape::SEQUENCE_KEYS));
    assert_eq!(keys(&s, "/$defs/view"), set(shape::VIEW_KEYS));
    assert_eq!(keys(&s, "/$defs/function"), set(shape::FUNCTION_KEYS));
    assert_eq!(keys(&s, "/$defs/procedure"), set(shape::PROCEDURE_KEYS));
    assert_eq!(keys(&s, "/$defs/trigger"), set(shape::TRIGGER_KEYS));
    assert_eq!(keys(&s, "/$defs/policy"), set(shape::POLICY_KEYS));
    assert_eq!(keys(&s, "/$defs/domain"), set(shape::DOMAIN_KEYS));
    assert_eq!(
        keys(&s, "/$defs/composite_type"),
        set(shape::COMPOSITE_TYPE_KEYS)
    );
    assert_eq!(
        keys(&s, "/$defs/materialized_view"),
        set(shape::MATERIALIZED_VIEW_KEYS)
    );
    assert_eq!(
        keys(&s, "/$defs/column/oneOf/1/properties/identity"),
        set(shape::IDENTITY_KEYS)
    );
    assert_eq!(
        keys(&s, "/$defs/table/properties/primary_key"),
        set(shape::PRIMARY_KEY_KEYS)
    );
    assert_eq!(
        keys(&s, "/$defs/table/properties/unique/additionalProperties"),
        set(shape::UNIQUE_KEYS)
    );
    assert_eq!(
        keys(
            &s,
            "/$defs/table/properties/foreign_keys/additionalProperties"
        ),
        set(shape::FOREIGN_KEY_KEYS)
    );
}

#[test]
fn json_schema_lists_every_index_method() {
    let s = schema();
    let methods: BTreeSet<String> = s["$defs"]["index"]["properties"]["using"]["enum"]
        .as_array()
        .expect("enum")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let model: BTreeSet<String> = tidemark::model::IndexMethod::ALL
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    assert_eq!(methods, model);
}
