//! Column type → Rust type for the entity generator: what each PostgreSQL type becomes in a
//! SeaORM 2 model, and which casts carry the types SeaORM cannot bind natively.
//!
//! Types SeaORM has no value for (`inet`, `cidr`, `macaddr`, `money`, `xml`, `tsvector`,
//! `tsquery`, `interval`, `timetz`, and arrays of anything not natively supported) become
//! `String` read with `select_as = "text"` and written with `save_as = "<type>"`, so they
//! round-trip exactly in PostgreSQL's own text form; so does every type the model has no variant
//! of (ranges, geometric types, extension types). `oid` becomes `i64` through `bigint`.
//! `halfvec`, `sparsevec` and `bit`/`varbit` use the support crate's types the same way.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::model::ColumnType;
use crate::sql_ident;

/// How one column is declared in a generated `Model`.
pub struct RustType {
    /// The field type without `Option`.
    pub ty: TokenStream,
    /// Value of `#[sea_orm(column_type = "...")]`, when SeaORM's inference from `ty` is not exact.
    pub column_type: Option<String>,
    pub select_as: Option<String>,
    pub save_as: Option<String>,
    /// Whether `ty` implements `Eq` (the model derives `Eq` only if every field does).
    pub eq: bool,
    /// Bound with SeaORM's native value (no cast needed in hand-written SQL).
    pub native: bool,
}

impl RustType {
    fn plain(ty: TokenStream, column_type: Option<String>, eq: bool) -> Self {
        Self {
            ty,
            column_type,
            select_as: None,
            save_as: None,
            eq,
            native: true,
        }
    }

    fn via_text(ty: TokenStream, sql: &str, eq: bool) -> Self {
        Self {
            ty,
            column_type: Some(custom(sql)),
            select_as: Some("text".into()),
            save_as: Some(sql.into()),
            eq,
            native: false,
        }
    }
}

fn custom(sql: &str) -> String {
    format!("Custom({:?}.into())", sql)
}

/// `ty` with each domain replaced by its base type (a domain's values travel as its base
/// type's; the server checks the domain's constraints on write).
pub fn through_domains(ty: &ColumnType, types: &[crate::model::CustomType]) -> ColumnType {
    match ty {
        ColumnType::Custom(q) => match types.iter().find(|t| &t.name == q).map(|t| &t.kind) {
            Some(crate::model::CustomTypeKind::Domain { base, .. }) => through_domains(base, types),
            _ => ty.clone(),
        },
        ColumnType::Array(inner) => ColumnType::Array(Box::new(through_domains(inner, types))),
        other => other.clone(),
    }
}

/// Maps a column type; `enum_path` names the generated Rust enum of a spec enum and
/// `support` is the path of the support crate (`tidemark_pgvector`).
pub fn map(
    ty: &ColumnType,
    enum_path: &dyn Fn(&crate::model::QualifiedName) -> Option<TokenStream>,
    support: &TokenStream,
) -> RustType {
    let sql = crate::sql_ident::type_name(ty);
    match ty {
        ColumnType::SmallInt => RustType::plain(quote!(i16), None, true),
        ColumnType::Integer => RustType::plain(quote!(i32), None, true),
        ColumnType::BigInt => RustType::plain(quote!(i64), None, true),
        ColumnType::Real => RustType::plain(quote!(f32), None, false),
        ColumnType::DoublePrecision => RustType::plain(quote!(f64), None, false),
        ColumnType::Numeric { precision, scale } => {
            let ct = precision.map(|p| format!("Decimal(Some(({p}, {})))", scale.unwrap_or(0)));
            RustType::plain(quote!(Decimal), ct, true)
        }
        ColumnType::Boolean => RustType::plain(quote!(bool), None, true),
        ColumnType::Text => RustType::plain(quote!(String), Some("Text".into()), true),
        ColumnType::Varchar(n) => RustType::plain(
            quote!(String),
            Some(match n {
                Some(n) => format!("String(StringLen::N({n}))"),
                None => "String(StringLen::None)".into(),
            }),
            true,
        ),
        ColumnType::Char(n) => RustType::plain(
            quote!(String),
            Some(match n {
                Some(n) => format!("Char(Some({n}))"),
                None => "Char(None)".into(),
            }),
            true,
        ),
        ColumnType::Bytea => RustType::plain(
            quote!(Vec<u8>),
            Some("VarBinary(StringLen::None)".into()),
            true,
        ),
        ColumnType::Date => RustType::plain(quote!(Date), None, true),
        ColumnType::Time {
            with_time_zone: false,
            ..
        } => RustType::plain(quote!(Time), None, true),
        ColumnType::Timestamp {
            with_time_zone: false,
            ..
        } => RustType::plain(quote!(DateTime), None, true),
        ColumnType::Timestamp {
            with_time_zone: true,
            ..
        } => RustType::plain(
            quote!(DateTimeWithTimeZone),
            Some("TimestampWithTimeZone".into()),
            true,
        ),
        ColumnType::Uuid => RustType::plain(quote!(Uuid), None, true),
        ColumnType::Json => RustType::plain(quote!(Json), Some("Json".into()), true),
        ColumnType::Jsonb => RustType::plain(quote!(Json), Some("JsonBinary".into()), true),
        ColumnType::Time {
            with_time_zone: true,
            ..
        }
        | ColumnType::Interval
        | ColumnType::Inet
        | ColumnType::Cidr
        | ColumnType::MacAddr
        | ColumnType::Money
        | ColumnType::Xml
        | ColumnType::Tsvector
        | ColumnType::Tsquery => RustType::via_text(quote!(String), &sql, true),
        ColumnType::Oid => RustType {
            ty: quote!(i64),
            column_type: Some(custom("oid")),
            select_as: Some("bigint".into()),
            save_as: Some("oid".into()),
            eq: true,
            native: false,
        },
        ColumnType::Bit(_) | ColumnType::VarBit(_) => {
            RustType::via_text(quote!(#support::Bit), &sql, true)
        }
        ColumnType::HalfVec(_) => RustType::via_text(quote!(#support::HalfVector), &sql, false),
        ColumnType::SparseVec(_) => RustType::via_text(quote!(#support::SparseVector), &sql, false),
        ColumnType::Vector(n) => RustType::plain(
            quote!(PgVector),
            Some(match n {
                Some(n) => format!("Vector(Some({n}))"),
                None => "Vector(None)".into(),
            }),
            false,
        ),
        ColumnType::Enum(name) => match enum_path(name) {
            Some(path) => RustType {
                ty: path,
                column_type: None,
                select_as: None,
                // SeaORM casts enum values to `"enum_name"`, unqualified; a value of an enum in
                // another schema needs the qualified type.
                save_as: (name.schema != "public").then(|| sql_ident::qualified(name)),
                eq: true,
                native: true,
            },
            // An enum the schema does not declare: keep the label text.
            None => RustType::via_text(quote!(String), &sql, true),
        },
        // A composite type: its text form (`(1.50,EUR)`), cast on the way in.
        ColumnType::Custom(_) => RustType::via_text(quote!(String), &sql, true),
        // Any other type (`tstzrange`, `point`, `citext`, `geometry(Point,4326)`): its text
        // form, which every PostgreSQL type has, cast on the way in.
        ColumnType::Other(_) => RustType::via_text(quote!(String), &sql, true),
        ColumnType::Array(inner) => array(inner, &sql),
    }
}

/// Arrays of natively supported element types become `Vec<T>` (SeaORM's `postgres-array`);
/// anything else is `Vec<String>` through `text[]`.
fn array(inner: &ColumnType, sql: &str) -> RustType {
    let native = |ty: TokenStream, ct: &str, eq: bool| RustType {
        ty: quote!(Vec<#ty>),
        column_type: Some(format!("Array(RcOrArc::new(ColumnType::{ct}))")),
        select_as: None,
        save_as: None,
        eq,
        native: true,
    };
    match inner {
        ColumnType::SmallInt => native(quote!(i16), "SmallInteger", true),
        ColumnType::Integer => native(quote!(i32), "Integer", true),
        ColumnType::BigInt => native(quote!(i64), "BigInteger", true),
        ColumnType::Real => native(quote!(f32), "Float", false),
        ColumnType::DoublePrecision => native(quote!(f64), "Double", false),
        ColumnType::Boolean => native(quote!(bool), "Boolean", true),
        ColumnType::Numeric { .. } => native(quote!(Decimal), "Decimal(None)", true),
        ColumnType::Text | ColumnType::Varchar(_) | ColumnType::Char(_) => {
            native(quote!(String), "Text", true)
        }
        ColumnType::Uuid => native(quote!(Uuid), "Uuid", true),
        ColumnType::Date => native(quote!(Date), "Date", true),
        ColumnType::Timestamp {
            with_time_zone: false,
            ..
        } => native(quote!(DateTime), "DateTime", true),
        ColumnType::Timestamp {
            with_time_zone: true,
            ..
        } => native(quote!(DateTimeWithTimeZone), "TimestampWithTimeZone", true),
        _ => {
            let string = format_ident!("String");
            RustType {
                ty: quote!(Vec<#string>),
                column_type: Some("Array(RcOrArc::new(ColumnType::Text))".into()),
                select_as: Some("text[]".into()),
                save_as: Some(sql.into()),
                eq: true,
                native: false,
            }
        }
    }
}
