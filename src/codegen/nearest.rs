//! Nearest-neighbour queries for the entity generator: for every HNSW/IVFFlat index, methods on
//! the generated `Entity` that order by exactly the expression and operator the index serves
//! (so PostgreSQL can answer them from the index), with the partial index's predicate.
//!
//! Per index with stem `s` (the index name without `<table>_` and `_idx`):
//! - `distance_by_s(query) -> Expr`: the distance expression, e.g. `"embedding" <=> $1`;
//! - `nearest_by_s(query, k) -> Select<Entity>`: `WHERE <predicate> ORDER BY <distance> LIMIT k`;
//! - `nearest_by_s_with_distance(query, k)`: the same rows as `Neighbor<Model>` with the distance.
//!
//! The query argument has the Rust type of the indexed column: for an expression index such as
//! `(embedding::halfvec(3072))` or `(binary_quantize(embedding)::bit(1536))` the caller passes
//! the same kind of embedding as the column holds, and the query side repeats the expression
//! with the parameter in place of the column (`binary_quantize(($1::vector(1536)))::bit(1536)`).
//! Rows whose indexed column is NULL are filtered out, since the index holds none of them.
//!
//! On a table partitioned by one column, each index also gets a variant that searches only the
//! partitions holding the rows asked for, so PostgreSQL prunes the others and reads one
//! partition's index instead of merging all of them: `nearest_by_s_from_to(query, k, from, to)`
//! (`from <= key < to`) for a range partitioned table, `nearest_by_s_where_<key>(query, k,
//! value)` for a list or hash partitioned one.
//! Indexes whose operator cannot be known (an HNSW key without an operator class, an unknown
//! class, or an expression not over exactly one column) get no methods.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::entity::{Field, TableInfo};
use super::names::Allocator;
use crate::model::{ColumnType, Index, IndexMethod, IndexTarget};
use crate::sql_ident;

/// The distance operator an operator class serves, and its name for documentation.
fn operator(
    opclass: Option<&str>,
    method: IndexMethod,
    ty: &ColumnType,
) -> Option<(&'static str, &'static str)> {
    const OPS: [(&str, &str, &str); 6] = [
        ("_l2_ops", "<->", "Euclidean (L2) distance"),
        ("_ip_ops", "<#>", "negative inner product"),
        ("_cosine_ops", "<=>", "cosine distance"),
        ("_l1_ops", "<+>", "taxicab (L1) distance"),
        ("_hamming_ops", "<~>", "Hamming distance"),
        ("_jaccard_ops", "<%>", "Jaccard distance"),
    ];
    match opclass {
        Some(class) => OPS
            .iter()
            .find(|(suffix, _, _)| class.ends_with(suffix))
            .map(|(_, op, name)| (*op, *name)),
        // IVFFlat has default classes (l2 for vectors, hamming for bits); HNSW has none.
        None if method == IndexMethod::IvfFlat => match ty {
            ColumnType::Vector(_) | ColumnType::HalfVec(_) => {
                Some(("<->", "Euclidean (L2) distance"))
            }
            ColumnType::Bit(_) => Some(("<~>", "Hamming distance")),
            _ => None,
        },
        None => None,
    }
}

enum Token {
    /// Text copied as is (operators, literals, whitespace, type names, functions).
    Text(String),
    /// An identifier that may name a column: its folded name and its original spelling.
    Name(String, String),
}

/// Splits an SQL expression into identifiers and everything else; string literals, type names
/// after `::`, qualified names and function names are never taken for column names.
fn tokenize(expr: &str) -> Vec<Token> {
    let chars: Vec<char> = expr.chars().collect();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    let prev_text = |out: &Vec<Token>| -> String {
        let mut s = String::new();
        for t in out.iter().rev() {
            match t {
                Token::Text(x) => {
                    s = format!("{x}{s}");
                    if !x.trim().is_empty() {
                        break;
                    }
                }
                Token::Name(_, orig) => {
                    s = format!("{orig}{s}");
                    break;
                }
            }
        }
        s
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            let start = i;
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if i + 1 < chars.len() && chars[i + 1] == '\'' {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i = (i + 1).min(chars.len());
            out.push(Token::Text(chars[start..i].iter().collect()));
            continue;
        }
        let (name, orig, end) = if c == '"' {
            let start = i;
            let mut name = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == '"' {
                    if i + 1 < chars.len() && chars[i + 1] == '"' {
                        name.push('"');
                        i += 2;
                        continue;
                    }
                    break;
                }
                name.push(chars[i]);
                i += 1;
            }
            let end = (i + 1).min(chars.len());
            (name, chars[start..end].iter().collect::<String>(), end)
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            let orig: String = chars[start..i].iter().collect();
            (orig.to_lowercase(), orig, i)
        } else {
            out.push(Token::Text(c.to_string()));
            i += 1;
            continue;
        };
        let before = prev_text(&out);
        let before = before.trim_end();
        let next = chars[end..].iter().find(|c| !c.is_whitespace());
        let is_name = !before.ends_with("::")
            && !before.ends_with('.')
            && !matches!(next, Some('(') | Some('.'));
        out.push(if is_name {
            Token::Name(name, orig)
        } else {
            Token::Text(orig)
        });
        i = end;
    }
    out
}

/// `(x)` → `x` when the parentheses enclose the whole expression.
fn strip_outer_parens(expr: &str) -> &str {
    let t = expr.trim();
    if !(t.starts_with('(') && t.ends_with(')')) {
        return t;
    }
    let mut depth = 0;
    for (n, c) in t.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 && n != t.len() - 1 {
                    return t;
                }
            }
            _ => {}
        }
    }
    strip_outer_parens(&t[1..t.len() - 1])
}

/// Static SQL inside `Expr::cust_with_values` must not contain placeholders.
fn escape_dollars(s: &str) -> String {
    s.replace('$', "$$")
}

struct Plan<'a> {
    field: &'a Field<'a>,
    /// SQL of the distance with `$1` for the query.
    sql: String,
    op: &'static str,
    op_name: &'static str,
}

fn plan<'a>(info: &'a TableInfo<'a>, index: &Index) -> Option<Plan<'a>> {
    if !index.method.is_vector() || index.keys.len() != 1 {
        return None;
    }
    let key = &index.keys[0];
    match &key.target {
        IndexTarget::Column(col) => {
            let field = info.field(col)?;
            let (op, op_name) = operator(key.opclass.as_deref(), index.method, &field.column.ty)?;
            let param = if field.rust.native {
                "$1".to_string()
            } else {
                format!("$1::{}", crate::sql_ident::type_name(&field.column.ty))
            };
            Some(Plan {
                field,
                sql: format!("{} {op} {param}", escape_dollars(&sql_ident::quote(col))),
                op,
                op_name,
            })
        }
        IndexTarget::Expr(expr) => {
            let expr = strip_outer_parens(expr);
            let tokens = tokenize(expr);
            let mut referenced: Vec<&str> = tokens
                .iter()
                .filter_map(|t| match t {
                    Token::Name(name, _) => info
                        .table
                        .columns
                        .iter()
                        .find(|c| &c.name == name || c.name.to_lowercase() == *name)
                        .map(|c| c.name.as_str()),
                    Token::Text(_) => None,
                })
                .collect();
            referenced.sort();
            referenced.dedup();
            let [column] = referenced.as_slice() else {
                return None;
            };
            let field = info.field(column)?;
            // The key's type decides the operator (e.g. `bit` after binary_quantize).
            let key_ty = if expr.contains("::bit") || expr.contains("binary_quantize") {
                ColumnType::Bit(None)
            } else if expr.contains("::halfvec") {
                ColumnType::HalfVec(None)
            } else {
                field.column.ty.clone()
            };
            let (op, op_name) = operator(key.opclass.as_deref(), index.method, &key_ty)?;
            let param = format!("($1::{})", crate::sql_ident::type_name(&field.column.ty));
            let mut query_side = String::new();
            for t in &tokens {
                match t {
                    Token::Name(name, orig) => {
                        if info.table.columns.iter().any(|c| {
                            c.name == *column && (&c.name == name || c.name.to_lowercase() == *name)
                        }) {
                            query_side.push_str(&param);
                        } else {
                            query_side.push_str(&escape_dollars(orig));
                        }
                    }
                    Token::Text(x) => query_side.push_str(&escape_dollars(x)),
                }
            }
            Some(Plan {
                field,
                sql: format!("({}) {op} ({query_side})", escape_dollars(expr)),
                op,
                op_name,
            })
        }
    }
}

fn stem(table: &str, index: &str) -> String {
    let mut s = index;
    if let Some(rest) = s.strip_prefix(&format!("{table}_")) {
        s = rest;
    }
    for suffix in ["_idx", "_index"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest;
            break;
        }
    }
    if s.is_empty() {
        index.to_string()
    } else {
        s.to_string()
    }
}

/// The `impl Entity { … }` block with the nearest-neighbour methods of `info`'s vector indexes
/// (empty when it has none).
pub(crate) fn methods(info: &TableInfo, support: &TokenStream) -> TokenStream {
    let mut indexes: Vec<&Index> = info.table.indexes.iter().collect();
    indexes.sort_by(|a, b| a.name.cmp(&b.name));
    let mut alloc = Allocator::default();
    let mut items = Vec::new();
    for index in indexes {
        let Some(plan) = plan(info, index) else {
            continue;
        };
        let s = alloc.snake(&stem(&info.table.name.name, &index.name));
        let distance_fn = format_ident!("distance_by_{}", s);
        let nearest_fn = format_ident!("nearest_by_{}", s);
        let with_distance_fn = format_ident!("nearest_by_{}_with_distance", s);
        let ty = &plan.field.rust.ty;
        let sql = &plan.sql;
        let class = index
            .keys
            .first()
            .and_then(|k| k.opclass.clone())
            .unwrap_or_else(|| "default class".into());
        let what = format!(
            "index `{}` ({} {}, {} `{}`)",
            index.name,
            index.method.name(),
            class,
            plan.op_name,
            plan.op
        );
        let distance_doc = format!(
            " Distance from `query` written exactly as {what} computes it: `{}`.",
            plan.sql.replace("$$", "$")
        );
        let mut nearest_doc = format!(
            " The `k` rows nearest to `query` (`ORDER BY distance LIMIT k`), answerable from {what}."
        );
        let mut filters = Vec::new();
        if plan.field.column.nullable {
            let v = format_ident!("{}", plan.field.variant);
            filters.push(quote!(.filter(Column::#v.is_not_null())));
        }
        if let Some(pred) = &index.predicate {
            nearest_doc.push_str(&format!(
                " Only rows matching the index's predicate `{pred}` are searched."
            ));
            filters.push(quote!(.filter(Expr::cust(#pred))));
        }
        let with_distance_doc =
            " Like the method above, with each row's distance (in `Neighbor::distance`).";
        let pruned = partition_variant(info, &nearest_fn, ty);
        items.push(quote! {
            #[doc = #distance_doc]
            pub fn #distance_fn(query: #ty) -> Expr {
                Expr::cust_with_values(#sql, [query])
            }

            #[doc = #nearest_doc]
            pub fn #nearest_fn(query: #ty, k: u64) -> Select<Entity> {
                use sea_orm::{QueryOrder, QuerySelect};
                Self::find()
                    #(#filters)*
                    .order_by_asc(Self::#distance_fn(query))
                    .limit(k)
            }

            #[doc = #with_distance_doc]
            pub fn #with_distance_fn(
                query: #ty,
                k: u64,
            ) -> sea_orm::Selector<sea_orm::SelectModel<#support::Neighbor<Model>>> {
                use sea_orm::QuerySelect;
                Self::#nearest_fn(query.clone(), k)
                    .column_as(Self::#distance_fn(query), #support::DISTANCE_ALIAS)
                    .into_model()
            }

            #pruned
        });
    }
    if items.is_empty() {
        return quote!();
    }
    quote! {
        /// Nearest-neighbour queries, one set per vector index.
        impl Entity {
            #(#items)*
        }
    }
}

/// The pruning variant of `nearest_fn` for a table partitioned by one column (see the module
/// docs); nothing for any other table or a key the entity has no field for.
fn partition_variant(
    info: &TableInfo,
    nearest_fn: &proc_macro2::Ident,
    query_ty: &TokenStream,
) -> TokenStream {
    use crate::model::PartitionStrategy;
    let Some(key) = &info.table.partition_by else {
        return quote!();
    };
    let [IndexTarget::Column(column)] = key.keys.as_slice() else {
        return quote!();
    };
    let Some(field) = info.field(column) else {
        return quote!();
    };
    // A key SeaORM binds natively compares as a plain `Column` filter.
    if !field.rust.native {
        return quote!();
    }
    let key_ty = &field.rust.ty;
    let variant = format_ident!("{}", field.variant);
    let table = &info.table.name;
    match key.strategy {
        PartitionStrategy::Range => {
            let name = format_ident!("{}_from_to", nearest_fn);
            let doc = format!(
                " Like `{nearest_fn}`, among rows with `from <= {column} < to`: `{table}` is range partitioned by `{column}`, so only the partitions holding those rows are searched."
            );
            quote! {
                #[doc = #doc]
                pub fn #name(query: #query_ty, k: u64, from: #key_ty, to: #key_ty) -> Select<Entity> {
                    Self::#nearest_fn(query, k)
                        .filter(Column::#variant.gte(from))
                        .filter(Column::#variant.lt(to))
                }
            }
        }
        PartitionStrategy::List | PartitionStrategy::Hash => {
            let name = format_ident!(
                "{}_where_{}",
                nearest_fn,
                field.name.trim_start_matches("r#")
            );
            let doc = format!(
                " Like `{nearest_fn}`, among rows with `{column} = value`: `{table}` is {} partitioned by `{column}`, so only the partition holding them is searched.",
                key.strategy.keyword().to_lowercase()
            );
            quote! {
                #[doc = #doc]
                pub fn #name(query: #query_ty, k: u64, value: #key_ty) -> Select<Entity> {
                    Self::#nearest_fn(query, k).filter(Column::#variant.eq(value))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_of(expr: &str) -> Vec<String> {
        tokenize(expr)
            .into_iter()
            .filter_map(|t| match t {
                Token::Name(n, _) => Some(n),
                Token::Text(_) => None,
            })
            .collect()
    }

    #[test]
    fn tokenizer_finds_only_column_references() {
        assert_eq!(
            names_of("binary_quantize(embedding)::bit(1536)"),
            vec!["embedding"]
        );
        assert_eq!(names_of("\"Emb\"::halfvec(3)"), vec!["Emb"]);
        assert_eq!(names_of("t.x + y || 'z w'"), vec!["y"]);
    }

    #[test]
    fn outer_parens_are_stripped_only_when_enclosing() {
        assert_eq!(strip_outer_parens("((a::b(3)))"), "a::b(3)");
        assert_eq!(strip_outer_parens("(a) + (b)"), "(a) + (b)");
    }

    #[test]
    fn stems_drop_table_prefix_and_suffix() {
        assert_eq!(stem("chunks", "chunks_embedding_bq_idx"), "embedding_bq");
        assert_eq!(stem("chunks", "other_idx"), "other");
        assert_eq!(stem("chunks", "chunks_idx"), "idx");
        assert_eq!(stem("chunks", "chunks_"), "chunks_");
    }
}
