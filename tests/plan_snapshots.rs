//! Reviewed snapshots of plan scripts (and one JSON rendering) for corpus pairs that show the
//! ordering rules and every hazard kind; the corpus test proves they run, these show how.

use std::path::Path;

use tidemark::diff::diff;
use tidemark::model::Schema;
use tidemark::plan::{PlanOptions, plan};
use tidemark::spec;

fn side(pair: &str, side: &str) -> Schema {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/pairs")
        .join(pair);
    let file = dir.join(format!("{side}.yaml"));
    let path = if file.is_file() { file } else { dir.join(side) };
    match spec::load(&path) {
        Ok(l) => l.schema,
        Err(d) => panic!("{pair}/{side} does not load: {d:?}"),
    }
}

fn script(pair: &str, concurrent: bool) -> String {
    let (current, desired) = (side(pair, "current"), side(pair, "desired"));
    let changes = diff(&current, &desired);
    let options = PlanOptions {
        concurrent_indexes: concurrent,
    };
    plan(&current, &desired, &changes, &options).script()
}

macro_rules! snap {
    ($test:ident, $pair:literal, $concurrent:literal) => {
        #[test]
        fn $test() {
            insta::assert_snapshot!(script($pair, $concurrent));
        }
    };
}

snap!(add_table, "01_add_table", false);
snap!(drop_table, "02_drop_table", false);
snap!(rename_table, "03_rename_table", false);
snap!(
    rename_column_with_index,
    "07_rename_column_with_index",
    false
);
snap!(narrow_varchar, "11_narrow_varchar_data_loss", false);
snap!(int_to_bigint, "10_int_to_bigint_rewrite", false);
snap!(set_not_null, "17_set_not_null", false);
snap!(plain_to_generated, "27_plain_to_generated", false);
snap!(enum_values, "33_add_enum_values_start_and_middle", false);
snap!(enum_recreate, "35_enum_remove_value_recreate", false);
snap!(text_to_enum, "38_text_to_enum", false);
snap!(change_primary_key, "42_change_primary_key", false);
snap!(rename_referenced_table, "52_rename_referenced_table", false);
snap!(replace_index, "55_replace_btree_index_keys", false);
snap!(
    replace_index_concurrently,
    "55_replace_btree_index_keys",
    true
);
snap!(hnsw_change_m, "60_hnsw_change_m", false);
snap!(
    hnsw_change_opclass_concurrently,
    "61_hnsw_change_opclass",
    true
);
snap!(vector_dims_nullable, "66_vector_dims_nullable", false);
snap!(vector_dims_not_null, "67_vector_dims_not_null", false);
snap!(add_namespace, "71_add_namespace", false);
snap!(drop_namespace, "72_drop_namespace", false);
snap!(extension_moves_schema, "73_extension_moves_schema", false);

snap!(
    views_rebuilt_around_a_type_change,
    "101_column_type_change_under_views",
    false
);
snap!(
    view_rebuilt_around_renames,
    "111_rename_table_and_column_under_a_view",
    false
);
snap!(
    materialized_view_query_change,
    "105_materialized_view_query_change",
    false
);
snap!(
    function_result_change_rebuilds_its_view,
    "120_function_result_change_rebuilds_its_view",
    false
);
snap!(
    trigger_follows_a_renamed_table,
    "125_rename_table_with_a_trigger",
    false
);
snap!(
    vector_index_dropped_around_dimension_change,
    "114_vector_dims_and_index_change_together",
    false
);

#[test]
fn json_rendering() {
    let (current, desired) = (
        side("68_vector_dims_with_index", "current"),
        side("68_vector_dims_with_index", "desired"),
    );
    let changes = diff(&current, &desired);
    let p = plan(&current, &desired, &changes, &PlanOptions::default());
    let text = p.to_json();
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(json["steps"].as_array().map(Vec::len), Some(p.steps.len()));
    insta::assert_snapshot!(text);
}

snap!(
    replace_unique_referenced_by_fk,
    "74_replace_unique_referenced_by_fk",
    false
);
snap!(
    replace_index_over_dropped_column,
    "75_replace_index_over_dropped_column",
    false
);
snap!(
    type_change_under_generated_column,
    "76_type_change_under_generated_column",
    false
);
snap!(
    enum_recreate_with_dependents_and_renames,
    "77_enum_recreate_with_dependents_and_renames",
    false
);
snap!(
    enum_recreate_keeps_dependents,
    "78_enum_recreate_keeps_dependents",
    false
);
snap!(
    function_grants_revoke_public,
    "143_function_grants_revoke_public",
    false
);
snap!(
    function_rebuild_keeps_its_grants,
    "144_function_rebuild_keeps_its_grants",
    false
);
snap!(
    view_rebuild_keeps_its_grants,
    "145_view_rebuild_keeps_its_grants",
    false
);
snap!(schema_grants, "146_schema_grants", false);
snap!(
    drop_procedure_with_grants,
    "147_drop_procedure_with_grants",
    false
);
snap!(trigger_enabled_states, "148_trigger_enabled_states", false);
snap!(
    constraint_trigger_becomes_deferred,
    "149_constraint_trigger_becomes_deferred",
    false
);
snap!(
    function_rebuild_under_its_callers,
    "150_function_rebuild_under_defaults_checks_generated_and_indexes",
    false
);
