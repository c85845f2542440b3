//! Runtime support for tidemark-generated SeaORM entities (the `entity/` crate that
//! `codegen::entity` writes): value types for the pgvector types SeaORM 2 has no type for
//! (`halfvec`, `sparsevec`, `bit`), and [`Neighbor`] for nearest-neighbour queries that also
//! return the distance.
//!
//! SeaORM's `Value` has a variant for `vector` only, so these types travel as their PostgreSQL
//! *text* form: a value binds as text (`'[1,2,3]'`, `'{1:1.5}/10'`, `'0101'`) and the generated
//! column carries `save_as = "halfvec(n)"` (a `CAST($1 AS halfvec(n))` on insert, update and in
//! filters) and `select_as = "text"` (the column is read back as text and parsed here). Text is
//! exact for all three types: pgvector prints the shortest decimal that reads back to the same
//! `f16`/`f32`, and bits are printed one character each.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, ValueType, ValueTypeErr};
use sea_orm::{
    ActiveValue, ColIdx, DbErr, FromQueryResult, IntoActiveValue, QueryResult, TryGetError,
    TryGetable, Value,
};

/// Re-exported so generated code and its users name one `Vector` type (SeaORM's own mapping).
pub use pgvector::Vector;

/// Column alias under which the `*_with_distance` queries return the distance; chosen so it
/// cannot shadow a real column of the entity.
pub const DISTANCE_ALIAS: &str = "_tidemark_distance";

/// Why a text form could not be read as a pgvector value. Carries the type and the offending
/// text so a bad row or a bad literal can be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub type_name: &'static str,
    pub input: String,
    pub reason: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown: String = self.input.chars().take(60).collect();
        if shown.len() < self.input.len() {
            shown.push('…');
        }
        write!(
            f,
            "invalid {} text {:?}: {}",
            self.type_name, shown, self.reason
        )
    }
}

impl std::error::Error for ParseError {}

fn parse_error(type_name: &'static str, input: &str, reason: impl Into<String>) -> ParseError {
    ParseError {
        type_name,
        input: input.to_string(),
        reason: reason.into(),
    }
}

/// A pgvector `halfvec`: half-precision vector, half the storage of `vector` and indexable up to
/// 4000 dimensions.
#[cfg(feature = "halfvec")]
#[derive(Debug, Clone, PartialEq)]
pub struct HalfVector(pub pgvector::HalfVector);

#[cfg(feature = "halfvec")]
impl HalfVector {
    /// Embedding models return `f32`; this rounds each to the nearest `f16`, as PostgreSQL does.
    pub fn from_f32_slice(values: &[f32]) -> Self {
        Self(pgvector::HalfVector::from_f32_slice(values))
    }

    /// The values widened to `f32` (exact), for distance computations in Rust.
    pub fn to_f32_vec(&self) -> Vec<f32> {
        self.0.as_slice().iter().map(|v| v.to_f32()).collect()
    }
}

#[cfg(feature = "halfvec")]
impl From<pgvector::HalfVector> for HalfVector {
    fn from(v: pgvector::HalfVector) -> Self {
        Self(v)
    }
}

#[cfg(feature = "halfvec")]
impl fmt::Display for HalfVector {
    /// pgvector's text form `[1,2.5,-3]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_list(f, self.0.as_slice().iter().map(|v| v.to_f32()))
    }
}

#[cfg(feature = "halfvec")]
impl FromStr for HalfVector {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        let values = parse_list("halfvec", s)?;
        let mut halves = Vec::with_capacity(values.len());
        for v in values {
            let h = half::f16::from_f32(v);
            if h.is_infinite() {
                return Err(parse_error(
                    "halfvec",
                    s,
                    format!("{v} is out of range for half precision"),
                ));
            }
            halves.push(h);
        }
        Ok(Self(pgvector::HalfVector::from(halves)))
    }
}

/// A pgvector `sparsevec`: only the non-zero elements are stored (indices are 0-based here and
/// 1-based in PostgreSQL's text form, as in the `pgvector` crate).
#[derive(Debug, Clone, PartialEq)]
pub struct SparseVector(pub pgvector::SparseVector);

impl SparseVector {
    /// Keeps the non-zero elements of a dense vector.
    pub fn from_dense(values: &[f32]) -> Self {
        Self(pgvector::SparseVector::from_dense(values))
    }

    /// The dense form, for distance computations in Rust.
    pub fn to_dense(&self) -> Vec<f32> {
        self.0.to_vec()
    }
}

impl From<pgvector::SparseVector> for SparseVector {
    fn from(v: pgvector::SparseVector) -> Self {
        Self(v)
    }
}

impl fmt::Display for SparseVector {
    /// pgvector's text form `{1:1.5,3:2}/5` (1-based indices, then the dimensions).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (n, (i, v)) in self.0.indices().iter().zip(self.0.values()).enumerate() {
            if n > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}:{}", i + 1, v)?;
        }
        write!(f, "}}/{}", self.0.dimensions())
    }
}

impl FromStr for SparseVector {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        const T: &str = "sparsevec";
        let t = s.trim();
        let body = t
            .strip_prefix('{')
            .ok_or_else(|| parse_error(T, s, "expected `{` at the start"))?;
        let (elements, dims) = body
            .split_once("}/")
            .ok_or_else(|| parse_error(T, s, "expected `}/<dimensions>` at the end"))?;
        let dims: i32 = dims
            .trim()
            .parse()
            .map_err(|_| parse_error(T, s, "dimensions must be an integer"))?;
        if dims < 1 {
            return Err(parse_error(T, s, "dimensions must be at least 1"));
        }
        let mut pairs: Vec<(i32, f32)> = Vec::new();
        for element in elements.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (i, v) = element.split_once(':').ok_or_else(|| {
                parse_error(T, s, format!("element {element:?} is not `index:value`"))
            })?;
            let i: i32 = i
                .trim()
                .parse()
                .map_err(|_| parse_error(T, s, format!("index {i:?} is not an integer")))?;
            if i < 1 || i > dims {
                return Err(parse_error(
                    T,
                    s,
                    format!("index {i} is outside 1..={dims}"),
                ));
            }
            let v: f32 = v
                .trim()
                .parse()
                .map_err(|_| parse_error(T, s, format!("value {v:?} is not a number")))?;
            if !v.is_finite() {
                return Err(parse_error(T, s, format!("value {v} is not finite")));
            }
            pairs.push((i - 1, v));
        }
        Ok(Self(pgvector::SparseVector::from_map(
            pairs.iter().map(|(i, v)| (i, v)),
            dims,
        )))
    }
}

/// A fixed-length bit string (`bit(n)`), as searched by Hamming or Jaccard distance, e.g. the
/// binary quantisation of an embedding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bit(pub pgvector::Bit);

impl Bit {
    /// One bit per `bool`, first element first (the leftmost character of the text form).
    pub fn new(bits: &[bool]) -> Self {
        Self(pgvector::Bit::new(bits))
    }

    /// The bits in order, for distance computations in Rust.
    pub fn to_bools(&self) -> Vec<bool> {
        let bytes = self.0.as_bytes();
        (0..self.0.len())
            .map(|i| (bytes[i / 8] >> (7 - (i % 8))) & 1 == 1)
            .collect()
    }
}

impl From<pgvector::Bit> for Bit {
    fn from(v: pgvector::Bit) -> Self {
        Self(v)
    }
}

impl fmt::Display for Bit {
    /// PostgreSQL's text form of a bit string: `0101`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.to_bools() {
            f.write_str(if b { "1" } else { "0" })?;
        }
        Ok(())
    }
}

impl FromStr for Bit {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        let bits = s
            .trim()
            .chars()
            .map(|c| match c {
                '0' => Ok(false),
                '1' => Ok(true),
                other => Err(parse_error("bit", s, format!("{other:?} is not 0 or 1"))),
            })
            .collect::<Result<Vec<bool>, ParseError>>()?;
        Ok(Self::new(&bits))
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, values: impl Iterator<Item = f32>) -> fmt::Result {
    f.write_str("[")?;
    for (n, v) in values.enumerate() {
        if n > 0 {
            f.write_str(",")?;
        }
        write!(f, "{v}")?;
    }
    f.write_str("]")
}

#[cfg(feature = "halfvec")]
fn parse_list(type_name: &'static str, s: &str) -> Result<Vec<f32>, ParseError> {
    let t = s.trim();
    let body = t
        .strip_prefix('[')
        .and_then(|b| b.strip_suffix(']'))
        .ok_or_else(|| parse_error(type_name, s, "expected `[...]`"))?;
    if body.trim().is_empty() {
        return Err(parse_error(type_name, s, "must have at least 1 dimension"));
    }
    body.split(',')
        .map(|v| {
            let v = v.trim();
            match v.parse::<f32>() {
                Ok(x) if x.is_finite() => Ok(x),
                Ok(x) => Err(parse_error(type_name, s, format!("{x} is not finite"))),
                Err(_) => Err(parse_error(type_name, s, format!("{v:?} is not a number"))),
            }
        })
        .collect()
}

/// Implements what SeaORM needs to insert, update, select and filter a type that travels as its
/// text form (see the crate docs).
macro_rules! text_value {
    ($ty:ty, $name:literal, $sql:literal) => {
        impl From<$ty> for Value {
            fn from(v: $ty) -> Value {
                Value::String(Some(v.to_string()))
            }
        }

        impl TryGetable for $ty {
            fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
                let text = String::try_get_by(res, idx)?;
                text.parse::<$ty>().map_err(|e| {
                    TryGetError::DbErr(DbErr::TryIntoErr {
                        from: "String",
                        into: $name,
                        source: Arc::new(e),
                    })
                })
            }
        }

        impl ValueType for $ty {
            fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
                let text = <String as ValueType>::try_from(v)?;
                text.parse::<$ty>().map_err(|_| ValueTypeErr)
            }

            fn type_name() -> String {
                $name.to_owned()
            }

            fn array_type() -> ArrayType {
                ArrayType::String
            }

            fn column_type() -> ColumnType {
                ColumnType::Custom($sql.into())
            }
        }

        impl Nullable for $ty {
            fn null() -> Value {
                Value::String(None)
            }
        }

        impl IntoActiveValue<$ty> for $ty {
            fn into_active_value(self) -> ActiveValue<$ty> {
                ActiveValue::Set(self)
            }
        }
    };
}

#[cfg(feature = "halfvec")]
text_value!(HalfVector, "HalfVector", "halfvec");
text_value!(SparseVector, "SparseVector", "sparsevec");
text_value!(Bit, "Bit", "bit");

/// A row of a nearest-neighbour query together with its distance to the query vector, so
/// callers can threshold or re-rank without recomputing it.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbor<M> {
    pub model: M,
    /// The value of the index's distance operator (`<->`, `<=>`, …) for this row.
    pub distance: f64,
}

impl<M: FromQueryResult> FromQueryResult for Neighbor<M> {
    fn from_query_result(res: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        Ok(Self {
            model: M::from_query_result(res, pre)?,
            distance: res.try_get("", DISTANCE_ALIAS)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "halfvec")]
    #[test]
    fn halfvec_text_round_trips() {
        let v = HalfVector::from_f32_slice(&[1.0, 2.5, -3.0, 0.1]);
        let text = v.to_string();
        // 0.1 is not representable in f16; the text is the exact f16 value, shortest form.
        assert_eq!(text, "[1,2.5,-3,0.099975586]");
        assert_eq!(text.parse::<HalfVector>().unwrap(), v);
        assert_eq!(
            " [1, 2.5,-3 ] ".parse::<HalfVector>().unwrap().to_string(),
            "[1,2.5,-3]"
        );
    }

    #[cfg(feature = "halfvec")]
    #[test]
    fn halfvec_rejects_bad_text() {
        let e = "[1,x]".parse::<HalfVector>().unwrap_err();
        assert!(e.to_string().contains("\"x\" is not a number"), "{e}");
        assert!("[]".parse::<HalfVector>().is_err());
        assert!("1,2".parse::<HalfVector>().is_err());
        assert!("[70000]".parse::<HalfVector>().is_err());
    }

    #[test]
    fn sparsevec_text_round_trips_with_one_based_indices() {
        let v = SparseVector::from_dense(&[0.0, 1.5, 0.0, 0.0, -2.0]);
        assert_eq!(v.to_string(), "{2:1.5,5:-2}/5");
        let back: SparseVector = "{2:1.5,5:-2}/5".parse().unwrap();
        assert_eq!(back, v);
        assert_eq!(back.to_dense(), vec![0.0, 1.5, 0.0, 0.0, -2.0]);
        let empty: SparseVector = "{}/3".parse().unwrap();
        assert_eq!(empty.to_dense(), vec![0.0; 3]);
        assert_eq!(empty.to_string(), "{}/3");
    }

    #[test]
    fn sparsevec_rejects_bad_text() {
        assert!("{0:1}/3".parse::<SparseVector>().is_err());
        assert!("{4:1}/3".parse::<SparseVector>().is_err());
        assert!("{1:1}".parse::<SparseVector>().is_err());
        assert!("{1=1}/3".parse::<SparseVector>().is_err());
    }

    #[test]
    fn bit_text_round_trips_at_any_length() {
        let b: Bit = "0101100101".parse().unwrap();
        assert_eq!(b.0.len(), 10);
        assert_eq!(b.to_string(), "0101100101");
        assert_eq!(
            b.to_bools(),
            vec![
                false, true, false, true, true, false, false, true, false, true
            ]
        );
        assert!("01a".parse::<Bit>().is_err());
    }

    #[test]
    fn values_bind_as_text_and_convert_back() {
        let b: Bit = "0110".parse().unwrap();
        let value: Value = b.clone().into();
        assert_eq!(value, Value::String(Some("0110".into())));
        assert_eq!(<Bit as ValueType>::try_from(value).unwrap(), b);
        assert_eq!(<Bit as Nullable>::null(), Value::String(None));
        assert_eq!(
            <SparseVector as ValueType>::column_type(),
            ColumnType::Custom("sparsevec".into())
        );
    }
}
