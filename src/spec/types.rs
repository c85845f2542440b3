//! Part of `spec` lowering: column type text (`varchar(200)`, `vector(1536)`, `doc_status[]`)
//! → [`ColumnType`]. Aliases map to one variant, so `int4` and `integer` compare equal later.

use crate::model::{ColumnType, QualifiedName};

/// pgvector's storage limit for `vector` and `halfvec` columns.
pub const MAX_VECTOR_DIMS: u32 = 16000;

/// Built-in type names a user may write, for did-you-mean hints.
pub const KNOWN_TYPES: &[&str] = &[
    "smallint",
    "int2",
    "integer",
    "int",
    "int4",
    "bigint",
    "int8",
    "real",
    "float4",
    "double precision",
    "float8",
    "numeric",
    "decimal",
    "boolean",
    "bool",
    "text",
    "varchar",
    "character varying",
    "char",
    "character",
    "bytea",
    "date",
    "time",
    "timetz",
    "timestamp",
    "timestamptz",
    "interval",
    "uuid",
    "json",
    "jsonb",
    "inet",
    "cidr",
    "macaddr",
    "money",
    "xml",
    "tsvector",
    "tsquery",
    "oid",
    "bit",
    "varbit",
    "bit varying",
    "vector",
    "halfvec",
    "sparsevec",
];

/// Why a type could not be read; the caller adds the position and the column's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeError {
    pub message: String,
    pub help: Option<String>,
}

fn err(message: impl Into<String>, help: Option<String>) -> TypeError {
    TypeError {
        message: message.into(),
        help,
    }
}

/// Finds an enum by the name written in a type; `None` when no such enum exists.
pub trait EnumLookup {
    fn find(&self, schema: Option<&str>, name: &str) -> Option<QualifiedName>;
    /// Every enum name, for did-you-mean.
    fn names(&self) -> Vec<String>;
    /// A domain or composite type of the spec by the name written in a type.
    fn find_custom(&self, _schema: Option<&str>, _name: &str) -> Option<QualifiedName> {
        None
    }
    /// A range type of the spec by the name written in a type.
    fn find_range(&self, _schema: Option<&str>, _name: &str) -> Option<QualifiedName> {
        None
    }
}

/// Types the model has no variant of that a spec may name without a schema: PostgreSQL's
/// other built-in types and the types of common extensions. Any other name is accepted too
/// when written with its schema (`public.my_type`); unqualified, a name close to a known one
/// is taken for a misspelling.
pub const OTHER_TYPES: &[&str] = &[
    // Ranges and multiranges.
    "int4range",
    "int8range",
    "numrange",
    "tsrange",
    "tstzrange",
    "daterange",
    "int4multirange",
    "int8multirange",
    "nummultirange",
    "tsmultirange",
    "tstzmultirange",
    "datemultirange",
    // Geometric types.
    "point",
    "line",
    "lseg",
    "box",
    "path",
    "polygon",
    "circle",
    // Other built-in types.
    "macaddr8",
    "pg_lsn",
    "pg_snapshot",
    "txid_snapshot",
    "jsonpath",
    "name",
    "regclass",
    "regtype",
    "regproc",
    "regprocedure",
    "regconfig",
    "regdictionary",
    "regnamespace",
    "regrole",
    "xid8",
    // Types of extensions (see [`extension_of`]).
    "citext",
    "hstore",
    "ltree",
    "lquery",
    "ltxtquery",
    "cube",
    "seg",
    "isbn",
    "isbn13",
    "ismn",
    "issn",
    "ean13",
    "upc",
    "geometry",
    "geography",
    "box2d",
    "box3d",
    "raster",
];

/// The extension that provides a type of [`OTHER_TYPES`], for the hint when the server lacks
/// the type.
pub fn extension_of(type_name: &str) -> Option<&'static str> {
    Some(match type_name {
        "citext" => "citext",
        "hstore" => "hstore",
        "ltree" | "lquery" | "ltxtquery" => "ltree",
        "cube" => "cube",
        "seg" => "seg",
        "isbn" | "isbn13" | "ismn" | "issn" | "ean13" | "upc" => "isn",
        "geometry" | "geography" | "box2d" | "box3d" => "postgis",
        "raster" => "postgis_raster",
        _ => return None,
    })
}

/// Parses a type; `text` has no trailing `?` (nullability is the caller's business).
pub fn parse(text: &str, enums: &dyn EnumLookup) -> Result<ColumnType, TypeError> {
    let compact = normalize(text);
    if compact.is_empty() {
        return Err(err(
            "empty type",
            Some("write a type such as `text` or `bigint`".into()),
        ));
    }
    if let Some(inner) = compact.strip_suffix("[]") {
        return Ok(ColumnType::Array(Box::new(parse(inner, enums)?)));
    }
    let lower = compact.to_lowercase();
    let (rest, tz) = if let Some(r) = lower.strip_suffix(" without time zone") {
        (r.to_string(), Some(false))
    } else if let Some(r) = lower.strip_suffix(" with time zone") {
        (r.to_string(), Some(true))
    } else {
        (lower.clone(), None)
    };
    // The name, and the modifiers' text inside one pair of parentheses at the end.
    let (name, modifiers) = match rest.find('(') {
        Some(open) => {
            let Some(inner) = rest[open + 1..].strip_suffix(')') else {
                return Err(err(
                    format!("malformed type `{text}`"),
                    Some("type modifiers go in one pair of parentheses at the end, e.g. `numeric(10,2)`".into()),
                ));
            };
            (rest[..open].trim().to_string(), Some(inner))
        }
        None => (rest.trim().to_string(), None),
    };
    let args: Result<Vec<u32>, &str> = modifiers
        .into_iter()
        .flat_map(|m| m.split(','))
        .map(|a| a.trim().parse::<u32>().map_err(|_| a.trim()))
        .collect();
    match args {
        Ok(args) => {
            if let Some(t) = builtin(&name, &args, tz, text)? {
                return Ok(t);
            }
        }
        Err(a) if KNOWN_TYPES.contains(&name.as_str()) => {
            return Err(err(
                format!("invalid type modifier `{a}` in `{text}`"),
                Some("type modifiers are non-negative whole numbers".into()),
            ));
        }
        // Another type's modifiers are its own business (`geometry(Point,4326)`).
        Err(_) => {}
    }
    if tz.is_some() {
        return Err(err(
            format!("`with time zone` only applies to time and timestamp, not `{text}`"),
            None,
        ));
    }
    // Not built in: an enum or a type of the spec, matched on the name as written
    // (identifiers keep their case), or another type of the server.
    let written = match compact.find('(') {
        Some(open) => &compact[..open],
        None => compact.as_str(),
    };
    let (schema, ename) = match written.split_once('.') {
        Some((s, n)) => (Some(s.trim()), n.trim()),
        None => (None, written.trim()),
    };
    if modifiers.is_none()
        && let Some(t) = enums
            .find(schema, ename)
            .map(ColumnType::Enum)
            .or_else(|| enums.find_custom(schema, ename).map(ColumnType::Custom))
            .or_else(|| {
                enums.find_range(schema, ename).map(|q| {
                    ColumnType::Other(crate::model::OtherType {
                        schema: Some(q.schema),
                        name: q.name,
                        modifiers: None,
                    })
                })
            })
    {
        return Ok(t);
    }
    if ename.is_empty() || schema.is_some_and(str::is_empty) {
        return Err(unknown(text, &compact, enums));
    }
    if schema.is_none() && !OTHER_TYPES.contains(&ename.to_lowercase().as_str()) {
        let e = unknown(text, ename, enums);
        if e.help
            .as_deref()
            .is_some_and(|h| h.starts_with("did you mean"))
        {
            return Err(e);
        }
    }
    let modifiers = compact
        .find('(')
        .map(|open| compact[open + 1..compact.len() - 1].to_string());
    Ok(ColumnType::Other(crate::model::OtherType {
        schema: schema.map(str::to_string),
        // As PostgreSQL folds an unquoted name, so that `Point` and `point` are one type.
        name: if OTHER_TYPES.contains(&ename.to_lowercase().as_str()) {
            ename.to_lowercase()
        } else {
            ename.to_string()
        },
        modifiers,
    }))
}

fn unknown(text: &str, name: &str, enums: &dyn EnumLookup) -> TypeError {
    let enum_names = enums.names();
    let candidates = KNOWN_TYPES
        .iter()
        .chain(OTHER_TYPES)
        .map(|s| s.to_string())
        .chain(enum_names)
        .collect::<Vec<_>>();
    let help = crate::diagnostic::did_you_mean(name, candidates.iter().map(String::as_str))
        .map(|h| format!("{h} (another type is written with its schema: `public.{name}`)"))
        .or_else(|| Some("use a PostgreSQL type such as `text`, `bigint`, `vector(1536)`, or an enum declared under `enums:`".into()));
    err(format!("unknown type `{}`", text.trim()), help)
}

/// Collapses whitespace and removes it around parentheses and commas.
fn normalize(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    let mut out = String::with_capacity(joined.len());
    let chars: Vec<char> = joined.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = if i > 0 { chars[i - 1] } else { ' ' };
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            if matches!(next, '(' | ')' | ',' | '[' | ']' | '.') || matches!(prev, '(' | ',' | '.')
            {
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn builtin(
    name: &str,
    args: &[u32],
    tz: Option<bool>,
    text: &str,
) -> Result<Option<ColumnType>, TypeError> {
    let no_args = |t: ColumnType| -> Result<Option<ColumnType>, TypeError> {
        if args.is_empty() {
            Ok(Some(t))
        } else {
            Err(err(
                format!("type `{name}` takes no modifier, found `{}`", text.trim()),
                None,
            ))
        }
    };
    let one_arg = |args: &[u32]| -> Result<Option<u32>, TypeError> {
        match args {
            [] => Ok(None),
            [n] => Ok(Some(*n)),
            _ => Err(err(
                format!("type `{name}` takes one modifier, found `{}`", text.trim()),
                None,
            )),
        }
    };
    if tz.is_some() && !matches!(name, "time" | "timestamp") {
        return Err(err(
            format!(
                "`with time zone` only applies to time and timestamp, not `{}`",
                text.trim()
            ),
            None,
        ));
    }
    let t = match name {
        "smallint" | "int2" => return no_args(ColumnType::SmallInt),
        "integer" | "int" | "int4" => return no_args(ColumnType::Integer),
        "bigint" | "int8" => return no_args(ColumnType::BigInt),
        "real" | "float4" => return no_args(ColumnType::Real),
        "double precision" | "float8" => return no_args(ColumnType::DoublePrecision),
        "boolean" | "bool" => return no_args(ColumnType::Boolean),
        "text" => return no_args(ColumnType::Text),
        "bytea" => return no_args(ColumnType::Bytea),
        "date" => return no_args(ColumnType::Date),
        "interval" => return no_args(ColumnType::Interval),
        "uuid" => return no_args(ColumnType::Uuid),
        "json" => return no_args(ColumnType::Json),
        "jsonb" => return no_args(ColumnType::Jsonb),
        "inet" => return no_args(ColumnType::Inet),
        "cidr" => return no_args(ColumnType::Cidr),
        "macaddr" => return no_args(ColumnType::MacAddr),
        "money" => return no_args(ColumnType::Money),
        "xml" => return no_args(ColumnType::Xml),
        "tsvector" => return no_args(ColumnType::Tsvector),
        "tsquery" => return no_args(ColumnType::Tsquery),
        "oid" => return no_args(ColumnType::Oid),
        "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2" => {
            let base = match name {
                "bigserial" | "serial8" => "bigint",
                "smallserial" | "serial2" => "smallint",
                _ => "integer",
            };
            // A plain `serial` column is read before type parsing; reaching here means it
            // was used where a plain type is needed (an array element, a cast).
            return Err(err(
                format!("`{name}` is only a column type, not an element or a cast type"),
                Some(format!(
                    "use `{base}` here; `{name}` declares a whole column with its own sequence"
                )),
            ));
        }
        "numeric" | "decimal" => match args {
            [] => ColumnType::Numeric {
                precision: None,
                scale: None,
            },
            [p] | [p, _] => {
                if *p == 0 || *p > 1000 {
                    return Err(err(
                        format!("numeric precision {p} is out of range"),
                        Some("precision must be between 1 and 1000".into()),
                    ));
                }
                let scale = args.get(1).copied();
                if let Some(s) = scale
                    && s > *p
                {
                    return Err(err(
                        format!("numeric scale {s} is larger than its precision {p}"),
                        Some("write `numeric(precision, scale)` with scale ≤ precision".into()),
                    ));
                }
                ColumnType::Numeric {
                    precision: Some(*p),
                    scale,
                }
            }
            _ => {
                return Err(err(
                    format!(
                        "numeric takes at most two modifiers, found `{}`",
                        text.trim()
                    ),
                    None,
                ));
            }
        },
        "varchar" | "character varying" => {
            ColumnType::Varchar(positive(name, one_arg(args)?, 10_485_760)?)
        }
        // PostgreSQL reads a bare `character` as `character(1)`.
        "char" | "character" => ColumnType::Char(Some(
            positive(name, one_arg(args)?, 10_485_760)?.unwrap_or(1),
        )),
        "time" | "timetz" => {
            let p = precision(name, one_arg(args)?)?;
            ColumnType::Time {
                precision: p,
                with_time_zone: name == "timetz" || tz == Some(true),
            }
        }
        "timestamp" | "timestamptz" => {
            let p = precision(name, one_arg(args)?)?;
            ColumnType::Timestamp {
                precision: p,
                with_time_zone: name == "timestamptz" || tz == Some(true),
            }
        }
        // PostgreSQL reads a bare `bit` as `bit(1)`.
        "bit" => ColumnType::Bit(Some(
            positive(name, one_arg(args)?, 83_886_080)?.unwrap_or(1),
        )),
        "varbit" | "bit varying" => ColumnType::VarBit(positive(name, one_arg(args)?, 83_886_080)?),
        "vector" => ColumnType::Vector(positive(name, one_arg(args)?, MAX_VECTOR_DIMS)?),
        "halfvec" => ColumnType::HalfVec(positive(name, one_arg(args)?, MAX_VECTOR_DIMS)?),
        "sparsevec" => ColumnType::SparseVec(positive(name, one_arg(args)?, 1_000_000_000)?),
        _ => return Ok(None),
    };
    Ok(Some(t))
}

fn positive(name: &str, n: Option<u32>, max: u32) -> Result<Option<u32>, TypeError> {
    match n {
        Some(0) => Err(err(
            format!("`{name}(0)`: the length must be at least 1"),
            None,
        )),
        Some(n) if n > max => {
            let help = if matches!(name, "vector" | "halfvec") {
                Some(format!(
                    "pgvector stores at most {max} dimensions in `{name}`; reduce the dimensions or use `sparsevec`"
                ))
            } else {
                Some(format!("the largest `{name}` length is {max}"))
            };
            Err(err(
                format!("`{name}({n})` is longer than {name} allows ({max})"),
                help,
            ))
        }
        other => Ok(other),
    }
}

fn precision(name: &str, p: Option<u32>) -> Result<Option<u32>, TypeError> {
    match p {
        Some(p) if p > 6 => Err(err(
            format!("`{name}({p})`: fractional-second precision must be between 0 and 6"),
            None,
        )),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Enums;
    impl EnumLookup for Enums {
        fn find(&self, schema: Option<&str>, name: &str) -> Option<QualifiedName> {
            match (schema, name) {
                (None | Some("public"), "mood") => Some(QualifiedName::public("mood")),
                (Some("other"), "mood") => Some(QualifiedName::new("other", "mood")),
                _ => None,
            }
        }
        fn names(&self) -> Vec<String> {
            vec!["mood".into()]
        }
    }

    fn p(s: &str) -> ColumnType {
        parse(s, &Enums).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    #[test]
    fn aliases_map_to_one_variant() {
        use ColumnType as T;
        let cases: &[(&[&str], ColumnType)] = &[
            (&["smallint", "int2", "SMALLINT"], T::SmallInt),
            (&["integer", "int", "int4", " Int4 "], T::Integer),
            (&["bigint", "int8"], T::BigInt),
            (&["real", "float4"], T::Real),
            (
                &[
                    "double precision",
                    "float8",
                    "double   precision",
                    "DOUBLE PRECISION",
                ],
                T::DoublePrecision,
            ),
            (
                &["numeric", "decimal"],
                T::Numeric {
                    precision: None,
                    scale: None,
                },
            ),
            (
                &["numeric(10,3)", "decimal( 10 , 3 )", "NUMERIC (10, 3)"],
                T::Numeric {
                    precision: Some(10),
                    scale: Some(3),
                },
            ),
            (
                &["numeric(7)"],
                T::Numeric {
                    precision: Some(7),
                    scale: None,
                },
            ),
            (&["boolean", "bool"], T::Boolean),
            (&["text", "TEXT"], T::Text),
            (
                &[
                    "varchar(200)",
                    "character varying(200)",
                    "character  varying (200)",
                ],
                T::Varchar(Some(200)),
            ),
            (&["varchar", "character varying"], T::Varchar(None)),
            (&["char(3)", "character(3)"], T::Char(Some(3))),
            (&["char", "character"], T::Char(Some(1))),
            (&["bytea"], T::Bytea),
            (&["date"], T::Date),
            (
                &["time", "time without time zone"],
                T::Time {
                    precision: None,
                    with_time_zone: false,
                },
            ),
            (
                &["timetz", "time with time zone"],
                T::Time {
                    precision: None,
                    with_time_zone: true,
                },
            ),
            (
                &["time(3) with time zone", "timetz(3)"],
                T::Time {
                    precision: Some(3),
                    with_time_zone: true,
                },
            ),
            (
                &["timestamp", "timestamp without time zone"],
                T::Timestamp {
                    precision: None,
                    with_time_zone: false,
                },
            ),
            (
                &[
                    "timestamptz",
                    "timestamp with time zone",
                    "TIMESTAMP WITH TIME ZONE",
                ],
                T::Timestamp {
                    precision: None,
                    with_time_zone: true,
                },
            ),
            (
                &[
                    "timestamptz(6)",
                    "timestamp(6) with time zone",
                    "timestamp (6) with  time zone",
                ],
                T::Timestamp {
                    precision: Some(6),
                    with_time_zone: true,
                },
            ),
            (&["interval"], T::Interval),
            (&["uuid"], T::Uuid),
            (&["json"], T::Json),
            (&["jsonb"], T::Jsonb),
            (&["inet"], T::Inet),
            (&["cidr"], T::Cidr),
            (&["macaddr"], T::MacAddr),
            (&["money"], T::Money),
            (&["xml"], T::Xml),
            (&["tsvector"], T::Tsvector),
            (&["tsquery"], T::Tsquery),
            (&["oid"], T::Oid),
            (&["bit(8)"], T::Bit(Some(8))),
            (&["bit"], T::Bit(Some(1))),
            (&["varbit(8)", "bit varying(8)"], T::VarBit(Some(8))),
            (&["varbit", "bit varying"], T::VarBit(None)),
            (&["vector(1536)", "VECTOR (1536)"], T::Vector(Some(1536))),
            (&["vector"], T::Vector(None)),
            (&["halfvec(4000)"], T::HalfVec(Some(4000))),
            (&["sparsevec(30522)"], T::SparseVec(Some(30522))),
            (
                &["mood", "public.mood"],
                T::Enum(QualifiedName::public("mood")),
            ),
            (
                &["other.mood", "other . mood"],
                T::Enum(QualifiedName::new("other", "mood")),
            ),
        ];
        for (spellings, want) in cases {
            for s in *spellings {
                assert_eq!(&p(s), want, "spelling {s:?}");
            }
        }
    }

    #[test]
    fn arrays_nest() {
        assert_eq!(
            p("integer[]"),
            ColumnType::Array(Box::new(ColumnType::Integer))
        );
        assert_eq!(
            p("text[][]"),
            ColumnType::Array(Box::new(ColumnType::Array(Box::new(ColumnType::Text))))
        );
        assert_eq!(
            p("mood []"),
            ColumnType::Array(Box::new(ColumnType::Enum(QualifiedName::public("mood"))))
        );
        assert_eq!(
            crate::sql_ident::type_name(&p("varchar(5)[]")),
            "character varying(5)[]"
        );
    }

    #[test]
    fn other_types_are_kept_by_name() {
        let other = |schema: Option<&str>, name: &str, modifiers: Option<&str>| {
            ColumnType::Other(crate::model::OtherType {
                schema: schema.map(str::to_string),
                name: name.into(),
                modifiers: modifiers.map(str::to_string),
            })
        };
        let p = |t: &str| parse(t, &Enums).unwrap();
        assert_eq!(p("tstzrange"), other(None, "tstzrange", None));
        assert_eq!(p("Point"), other(None, "point", None));
        assert_eq!(p("citext"), other(None, "citext", None));
        assert_eq!(
            p("geometry(Point, 4326)"),
            other(None, "geometry", Some("Point,4326"))
        );
        assert_eq!(
            p("extensions.geography(Point,4326)[]"),
            ColumnType::Array(Box::new(other(
                Some("extensions"),
                "geography",
                Some("Point,4326")
            )))
        );
        // A name close to no known type is the server's to check.
        assert_eq!(p("zzyzx_kind"), other(None, "zzyzx_kind", None));
        assert_eq!(
            crate::sql_ident::type_name(&p("extensions.geometry(Point,4326)")),
            "\"extensions\".\"geometry\"(Point,4326)"
        );
        assert_eq!(
            crate::sql_ident::type_name(&p("int4range[]")),
            "\"int4range\"[]"
        );
        assert_eq!(extension_of("citext"), Some("citext"));
        assert_eq!(extension_of("tstzrange"), None);
    }

    #[test]
    fn bad_types_explain_themselves() {
        let e = parse("bigserial", &Enums).unwrap_err();
        assert!(e.help.unwrap().contains("use `bigint` here"));
        let e = parse("integr", &Enums).unwrap_err();
        assert_eq!(
            e.help.as_deref(),
            Some(
                "did you mean `integer`? (another type is written with its schema: `public.integr`)"
            )
        );
        let e = parse("mod", &Enums).unwrap_err();
        assert!(e.help.unwrap().starts_with("did you mean `mood`?"));
        // A misspelt extension type is caught too; written with its schema it is another type.
        let e = parse("citxt", &Enums).unwrap_err();
        assert!(e.help.unwrap().starts_with("did you mean `citext`?"));
        assert!(parse("public.citxt", &Enums).is_ok());
        assert!(parse("vector(16001)", &Enums).is_err());
        assert!(parse("vector(0)", &Enums).is_err());
        assert!(parse("numeric(5,6)", &Enums).is_err());
        assert!(parse("text(3)", &Enums).is_err());
        assert!(parse("uuid with time zone", &Enums).is_err());
        assert!(parse("varchar(x)", &Enums).is_err());
        assert!(parse("varchar(3", &Enums).is_err());
    }
}
