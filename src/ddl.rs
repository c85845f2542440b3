//! The whole schema as SQL (`tidemark sql`, the shadow database, tests): the plan from an
//! empty database to the schema, so a fresh database is built by exactly the steps, renderers
//! and dependency order that `push` and `migrate new` use. Every identifier is quoted and every
//! name schema-qualified (the kinds render them); expressions are written as the model carries
//! them.

use crate::diff::diff;
use crate::model::Schema;
use crate::plan::{Plan, PlanOptions, plan};

/// Every step that builds `schema` from an empty database, in dependency order. The output
/// depends only on the schema's content, never on the order its sources listed objects in.
pub fn create_all(schema: &Schema) -> Plan {
    let empty = Schema::default();
    let changes = diff(&empty, schema);
    plan(&empty, schema, &changes, &PlanOptions::default())
}

/// The statements of [`create_all`], in order (for tests and tools that run them as one
/// script).
pub fn create_statements(schema: &Schema) -> Vec<String> {
    create_all(schema)
        .steps
        .into_iter()
        .flat_map(|s| s.statements)
        .collect()
}

/// The plan as one readable script: a `-- <object>` line above each step's statements, each
/// terminated by `;`, and a blank line between steps that span several lines, so a reader can
/// follow what each part builds.
pub fn script(plan: &Plan) -> String {
    let mut out = String::new();
    if let Some(set) = plan.search_path_sql() {
        out.push_str(&format!(
            "-- the extensions' schemas, so their types and operator classes resolve\n{set};\n\n"
        ));
    }
    let mut previous_multiline = false;
    for step in &plan.steps {
        let multiline = step.statements.iter().any(|s| s.contains('\n'));
        if !out.is_empty() && (multiline || previous_multiline) {
            out.push('\n');
        }
        out.push_str(&format!("-- {}\n", step.object));
        for s in &step.statements {
            out.push_str(s);
            out.push_str(";\n");
        }
        previous_multiline = multiline;
    }
    out
}
