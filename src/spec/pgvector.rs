//! Part of `spec` validation: pgvector's rules for HNSW and IVFFlat indexes (pgvector 0.8),
//! checked before any database sees the index, with the fix spelled out in the help line.

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::model::{ColumnType, IndexMethod};

use super::shape::{RawIndex, Sp};

/// Largest `vector` an HNSW or IVFFlat index accepts.
pub const MAX_INDEX_VECTOR_DIMS: u32 = 2000;
/// Largest `halfvec` an HNSW or IVFFlat index accepts.
pub const MAX_INDEX_HALFVEC_DIMS: u32 = 4000;
/// Largest `bit` an HNSW or IVFFlat index accepts.
pub const MAX_INDEX_BIT_DIMS: u32 = 64000;

/// Option defaults: an option equal to its default is not stored in the model.
pub const DEFAULTS: &[(IndexMethod, &str, &str)] = &[
    (IndexMethod::Hnsw, "m", "16"),
    (IndexMethod::Hnsw, "ef_construction", "64"),
    (IndexMethod::IvfFlat, "lists", "100"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Vector,
    HalfVec,
    SparseVec,
    Bit,
}

impl Family {
    fn of(ty: &ColumnType) -> Option<(Family, Option<u32>)> {
        match ty {
            ColumnType::Vector(d) => Some((Family::Vector, *d)),
            ColumnType::HalfVec(d) => Some((Family::HalfVec, *d)),
            ColumnType::SparseVec(d) => Some((Family::SparseVec, *d)),
            ColumnType::Bit(d) => Some((Family::Bit, *d)),
            _ => None,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Family::Vector => "vector",
            Family::HalfVec => "halfvec",
            Family::SparseVec => "sparsevec",
            Family::Bit => "bit",
        }
    }
    fn metrics(self) -> &'static [&'static str] {
        match self {
            Family::Bit => &["hamming", "jaccard"],
            _ => &["l2", "ip", "cosine", "l1"],
        }
    }
}

/// Operator classes valid for a type family under a method.
fn valid_classes(family: Family, method: IndexMethod) -> Vec<String> {
    if method == IndexMethod::IvfFlat && family == Family::SparseVec {
        return Vec::new();
    }
    family
        .metrics()
        .iter()
        .filter(|m| !(method == IndexMethod::IvfFlat && matches!(**m, "l1" | "jaccard")))
        .map(|m| format!("{}_{m}_ops", family.name()))
        .collect()
}

fn parse_class(ops: &str) -> Option<(Family, &str)> {
    let rest = ops.strip_suffix("_ops")?;
    for f in [
        Family::HalfVec,
        Family::SparseVec,
        Family::Vector,
        Family::Bit,
    ] {
        if let Some(metric) = rest
            .strip_prefix(f.name())
            .and_then(|r| r.strip_prefix('_'))
            && f.metrics().contains(&metric)
        {
            return Some((f, metric));
        }
    }
    None
}

/// The type named by a trailing cast in an expression key (`(col::halfvec(3072))`).
pub fn cast_type(expr: &str) -> Option<ColumnType> {
    let mut e = expr.trim();
    while let Some(inner) = e.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        e = inner.trim();
    }
    let (_, ty) = e.rsplit_once("::")?;
    let ty = ty.trim();
    let base = ty.to_lowercase();
    if !["vector", "halfvec", "sparsevec", "bit"]
        .iter()
        .any(|p| base.starts_with(p))
    {
        return None;
    }
    struct NoEnums;
    impl super::types::EnumLookup for NoEnums {
        fn find(&self, _: Option<&str>, _: &str) -> Option<crate::model::QualifiedName> {
            None
        }
        fn names(&self) -> Vec<String> {
            Vec::new()
        }
    }
    super::types::parse(ty, &NoEnums).ok()
}

/// The operand of a trailing cast (`embedding` in `(embedding::halfvec(3072))`), for hints.
pub fn cast_operand(expr: &str) -> Option<String> {
    let mut e = expr.trim();
    while let Some(inner) = e.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        e = inner.trim();
    }
    let (operand, _) = e.rsplit_once("::")?;
    Some(operand.trim().to_string())
}

/// Type of the single key as far as it can be known: the column's type, or the cast of an
/// expression (`None` when an expression has no recognisable cast).
pub struct KeyType {
    pub ty: Option<ColumnType>,
    /// The column name when the key is a column (for the halfvec-cast suggestion).
    pub column: Option<String>,
}

/// IVFFlat's default operator class for `vector` keys (the only default pgvector declares).
pub const IVFFLAT_DEFAULT_OPS: &str = "vector_l2_ops";

/// Checks one HNSW/IVFFlat index; pushes every problem found.
pub fn check_index(ix: &RawIndex, what: &str, key: Option<KeyType>, diags: &mut Vec<Diagnostic>) {
    let method = ix.method.v;
    let m = method.name();
    if ix.keys.len() != 1 {
        diags.push(
            Diagnostic::error(format!(
                "{what} has {} keys, but {m} indexes take exactly one",
                ix.keys.len()
            ))
            .at(ix.on_at.clone())
            .label("one vector column or expression expected")
            .help("index each vector column in its own index"),
        );
    }
    if let Some(first) = ix.include.first() {
        diags.push(
            Diagnostic::error(format!("{what}: {m} indexes do not support `include`"))
                .at(first.at.clone())
                .help("remove `include`; pgvector indexes store only the vector"),
        );
    }
    if let Some(at) = &ix.unique {
        diags.push(
            Diagnostic::error(format!("{what}: {m} indexes cannot be unique"))
                .at(at.clone())
                .help("remove `unique: true`; add a separate unique constraint if needed"),
        );
    }
    for k in &ix.keys {
        for at in [
            k.order.as_ref().map(|o| &o.at),
            k.nulls.as_ref().map(|n| &n.at),
        ]
        .into_iter()
        .flatten()
        {
            diags.push(
                Diagnostic::error(format!("{what}: {m} indexes take no `order` or `nulls`"))
                    .at(at.clone())
                    .help("the operator class decides the ordering: remove `order`/`nulls`"),
            );
        }
    }
    check_options(ix, what, diags);
    if ix.keys.len() != 1 {
        return;
    }

    let key0 = ix.keys.first();
    let ops = key0.and_then(|k| k.ops.clone()).or_else(|| ix.ops.clone());
    let family = key
        .as_ref()
        .and_then(|k| k.ty.as_ref())
        .map(|t| (Family::of(t), t.clone()));
    let key_at = key0
        .map(|k| k.at.clone())
        .unwrap_or_else(|| ix.on_at.clone());

    // The key's type.
    let mut fam_dims: Option<(Family, Option<u32>)> = None;
    if let Some((f, ty)) = &family {
        match f {
            None => {
                diags.push(
                    Diagnostic::error(format!(
                        "{what}: {m} indexes need a vector, halfvec, sparsevec or bit key, but the key is `{}`",
                        crate::sql_ident::type_name(ty)
                    ))
                    .at(key_at.clone())
                    .label("not a pgvector type")
                    .help("use `using: btree` (or gin/gist) for this column, or index a vector column"),
                );
                return;
            }
            Some((fam, dims)) => {
                fam_dims = Some((*fam, *dims));
                if method == IndexMethod::IvfFlat && *fam == Family::SparseVec {
                    diags.push(
                        Diagnostic::error(format!("{what}: ivfflat does not support sparsevec"))
                            .at(ix.method.at.clone())
                            .help("use `using: hnsw` with a sparsevec_*_ops class"),
                    );
                    return;
                }
                if dims.is_none() {
                    diags.push(
                        Diagnostic::error(format!(
                            "{what}: the key `{}` has no dimensions, so it cannot be indexed",
                            crate::sql_ident::type_name(ty)
                        ))
                        .at(key_at.clone())
                        .label("undimensioned")
                        .help(format!(
                            "declare the dimensions, e.g. `{}(1536)`",
                            fam.name()
                        )),
                    );
                }
            }
        }
    }

    // The operator class. IVFFlat has a default for `vector` (`vector_l2_ops`, as the server's
    // `pg_opclass.opcdefault` says), which `lower` writes into the model; HNSW has none.
    let ivfflat_default =
        method == IndexMethod::IvfFlat && matches!(fam_dims, Some((Family::Vector, _)));
    let ops = ops.or_else(|| {
        ivfflat_default.then(|| Sp {
            v: IVFFLAT_DEFAULT_OPS.to_string(),
            at: ix.name.at.clone(),
        })
    });
    let Some(ops) = ops else {
        let help = match fam_dims {
            Some((f, _)) => format!(
                "add `ops:` with one of: {}",
                valid_classes(f, method).join(", ")
            ),
            None => "add `ops:` naming the distance, e.g. `ops: vector_cosine_ops`".into(),
        };
        diags.push(
            Diagnostic::error(format!(
                "{what}: {m} indexes need an explicit operator class (`ops`)"
            ))
            .at(ix.name.at.clone())
            .label(if method == IndexMethod::IvfFlat {
                "ivfflat's default class (vector_l2_ops) serves only `vector` keys".to_string()
            } else {
                format!("{m} has no default operator class")
            })
            .help(help),
        );
        return;
    };
    let metric = match parse_class(&ops.v) {
        None => {
            let all: Vec<String> = match fam_dims {
                Some((f, _)) => valid_classes(f, method),
                None => [
                    Family::Vector,
                    Family::HalfVec,
                    Family::SparseVec,
                    Family::Bit,
                ]
                .into_iter()
                .flat_map(|f| valid_classes(f, method))
                .collect(),
            };
            let help = did_you_mean(&ops.v, all.iter().map(String::as_str))
                .map(|h| format!("{h} (valid here: {})", all.join(", ")))
                .unwrap_or_else(|| format!("valid here: {}", all.join(", ")));
            diags.push(
                Diagnostic::error(format!(
                    "{what}: unknown operator class `{}` for {m}",
                    ops.v
                ))
                .at(ops.at.clone())
                .label("not a pgvector operator class")
                .help(help),
            );
            return;
        }
        Some((cf, metric)) => {
            if let Some((f, _)) = fam_dims
                && cf != f
            {
                diags.push(
                    Diagnostic::error(format!(
                        "{what}: operator class `{}` is for {}, but the key is {}",
                        ops.v,
                        cf.name(),
                        f.name()
                    ))
                    .at(ops.at.clone())
                    .label("wrong type for this key")
                    .help(format!(
                        "use one of: {}",
                        valid_classes(f, method).join(", ")
                    )),
                );
                return;
            }
            if method == IndexMethod::IvfFlat
                && (matches!(metric, "l1" | "jaccard") || cf == Family::SparseVec)
            {
                diags.push(
                    Diagnostic::error(format!(
                        "{what}: ivfflat does not support operator class `{}`",
                        ops.v
                    ))
                    .at(ops.at.clone())
                    .label("not available for ivfflat")
                    .help(format!(
                        "use `using: hnsw`, or one of: {}",
                        valid_classes(cf, method).join(", ")
                    )),
                );
                return;
            }
            metric.to_string()
        }
    };

    // Dimension limits of the index.
    let Some((fam, Some(dims))) = fam_dims else {
        return;
    };
    let limit = match fam {
        Family::Vector => MAX_INDEX_VECTOR_DIMS,
        Family::HalfVec => MAX_INDEX_HALFVEC_DIMS,
        Family::Bit => MAX_INDEX_BIT_DIMS,
        Family::SparseVec => return,
    };
    if dims <= limit {
        return;
    }
    let col = key
        .and_then(|k| k.column)
        .unwrap_or_else(|| "embedding".into());
    let help = if fam == Family::Vector && dims <= MAX_INDEX_HALFVEC_DIMS {
        format!(
            "index a half-precision cast instead: `on: {{ expr: \"({col}::halfvec({dims}))\", ops: halfvec_{metric}_ops }}` (queries must use the same expression)"
        )
    } else if matches!(fam, Family::Vector | Family::HalfVec) {
        format!(
            "index a binary quantisation instead: `on: {{ expr: \"(binary_quantize({col})::bit({dims}))\", ops: bit_hamming_ops }}` and re-rank with the full vectors"
        )
    } else {
        "reduce the dimensions".into()
    };
    diags.push(
        Diagnostic::error(format!(
            "{what}: {m} indexes accept {} keys of at most {limit} dimensions, this key has {dims}",
            fam.name()
        ))
        .at(key_at)
        .label("too many dimensions to index")
        .help(help),
    );
}

fn check_options(ix: &RawIndex, what: &str, diags: &mut Vec<Diagnostic>) {
    let method = ix.method.v;
    let allowed: &[(&str, i64, i64)] = match method {
        IndexMethod::Hnsw => &[("m", 2, 100), ("ef_construction", 4, 1000)],
        IndexMethod::IvfFlat => &[("lists", 1, 32768)],
        _ => return,
    };
    let names: Vec<&str> = allowed.iter().map(|a| a.0).collect();
    let mut values: Vec<(&str, i64)> = Vec::new();
    for (k, v, is_int) in &ix.with {
        let Some((name, lo, hi)) = allowed.iter().find(|a| a.0 == k.v) else {
            diags.push(
                Diagnostic::error(format!(
                    "{what}: unknown {} option `{}`",
                    method.name(),
                    k.v
                ))
                .at(k.at.clone())
                .label("unknown option")
                .help(
                    did_you_mean(&k.v, names.iter().copied()).unwrap_or_else(|| {
                        format!("{} accepts: {}", method.name(), names.join(", "))
                    }),
                ),
            );
            continue;
        };
        let n = if *is_int {
            v.v.parse::<i64>().ok()
        } else {
            None
        };
        match n {
            Some(n) if (*lo..=*hi).contains(&n) => values.push((name, n)),
            _ => diags.push(
                Diagnostic::error(format!(
                    "{what}: option `{name}` is `{}`, expected a whole number from {lo} to {hi}",
                    v.v
                ))
                .at(v.at.clone())
                .label("out of range")
                .help(format!("{name} must be between {lo} and {hi}")),
            ),
        }
    }
    if method == IndexMethod::Hnsw {
        let get = |n: &str| values.iter().find(|v| v.0 == n).map(|v| v.1);
        let m = get("m").unwrap_or(16);
        let ef = get("ef_construction").unwrap_or(64);
        if ef < 2 * m && (get("m").is_some() || get("ef_construction").is_some()) {
            let at = ix
                .with
                .iter()
                .find(|(k, _, _)| k.v == "ef_construction")
                .or_else(|| ix.with.iter().find(|(k, _, _)| k.v == "m"))
                .map(|(k, _, _)| k.at.clone())
                .unwrap_or_else(|| ix.name.at.clone());
            diags.push(
                Diagnostic::error(format!(
                    "{what}: ef_construction ({ef}) must be at least twice m ({m})"
                ))
                .at(at)
                .label("too small for this m")
                .help(format!(
                    "set `ef_construction: {}` or more, or lower `m`",
                    2 * m
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_are_read_from_expressions() {
        assert_eq!(
            cast_type("(embedding::halfvec(3072))"),
            Some(ColumnType::HalfVec(Some(3072)))
        );
        assert_eq!(
            cast_type("(binary_quantize(embedding)::bit(1536))"),
            Some(ColumnType::Bit(Some(1536)))
        );
        assert_eq!(cast_type("lower(name)"), None);
        assert_eq!(cast_type("(x::text)"), None);
    }

    #[test]
    fn classes_per_method() {
        assert_eq!(
            valid_classes(Family::Vector, IndexMethod::IvfFlat),
            ["vector_l2_ops", "vector_ip_ops", "vector_cosine_ops"]
        );
        assert_eq!(
            valid_classes(Family::Bit, IndexMethod::Hnsw),
            ["bit_hamming_ops", "bit_jaccard_ops"]
        );
        assert!(valid_classes(Family::SparseVec, IndexMethod::IvfFlat).is_empty());
        assert_eq!(
            parse_class("halfvec_cosine_ops"),
            Some((Family::HalfVec, "cosine"))
        );
        assert_eq!(parse_class("vector_cos_ops"), None);
    }
}
