//! Which database URL a command uses: `--database-url` beats `DATABASE_URL`, which beats
//! `.env.local`, which beats `.env`; nothing anywhere means the dev database. Real files in
//! temporary project directories.

use std::path::Path;

use tidemark::connect::{ConnectError, ConnectionSource, ResolveInputs, UrlOrigin, resolve};

fn inputs(dir: &Path, flag: Option<&str>, env: Option<&str>) -> ResolveInputs {
    ResolveInputs {
        flag: flag.map(str::to_string),
        env: env.map(str::to_string),
        project_dir: dir.to_path_buf(),
        libpq_server: false,
    }
}

/// The user name of the resolved URL (each source below uses a different one) and its origin.
fn resolved(inputs: &ResolveInputs) -> (String, UrlOrigin) {
    match resolve(inputs).unwrap() {
        ConnectionSource::Url { url, origin } => {
            let user = url::Url::parse(url.expose_secret())
                .unwrap()
                .username()
                .to_string();
            (user, origin)
        }
        ConnectionSource::DevDatabase => ("<dev>".into(), UrlOrigin::Flag),
    }
}

#[test]
fn flag_beats_env_beats_env_local_beats_env_file() {
    let dir = tempfile::tempdir().unwrap();
    let env_local = dir.path().join(".env.local");
    let env_file = dir.path().join(".env");
    std::fs::write(
        &env_file,
        "# shared defaults\nexport DATABASE_URL=\"postgres://from_dotenv:pw@db/app\"\n",
    )
    .unwrap();
    std::fs::write(
        &env_local,
        "OTHER=1\nDATABASE_URL='postgres://from_local@db/app?sslmode=require' # mine\n",
    )
    .unwrap();
    let flag = Some("postgres://from_flag@db/app");
    let env = Some("postgres://from_env@db/app");

    assert_eq!(
        resolved(&inputs(dir.path(), flag, env)),
        ("from_flag".into(), UrlOrigin::Flag)
    );
    assert_eq!(
        resolved(&inputs(dir.path(), None, env)),
        ("from_env".into(), UrlOrigin::Env)
    );
    // An empty variable counts as unset, as an empty flag does.
    assert_eq!(
        resolved(&inputs(dir.path(), Some(""), Some(""))),
        ("from_local".into(), UrlOrigin::EnvFile(env_local.clone()))
    );
    // A .env.local without DATABASE_URL does not hide .env.
    std::fs::write(&env_local, "OTHER=1\n").unwrap();
    assert_eq!(
        resolved(&inputs(dir.path(), None, None)),
        ("from_dotenv".into(), UrlOrigin::EnvFile(env_file.clone()))
    );
    std::fs::remove_file(&env_file).unwrap();
    assert_eq!(
        resolve(&inputs(dir.path(), None, None)).unwrap(),
        ConnectionSource::DevDatabase
    );
    std::fs::remove_file(&env_local).unwrap();
    assert_eq!(
        resolve(&inputs(dir.path(), None, None)).unwrap(),
        ConnectionSource::DevDatabase
    );
}

#[test]
fn origins_read_well_in_messages() {
    assert_eq!(UrlOrigin::Flag.to_string(), "--database-url");
    assert_eq!(
        UrlOrigin::Env.to_string(),
        "the DATABASE_URL environment variable"
    );
    assert_eq!(
        UrlOrigin::EnvFile(".env.local".into()).to_string(),
        ".env.local"
    );
}

#[test]
fn a_bad_url_names_its_source_and_hides_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let env_local = dir.path().join(".env.local");
    std::fs::write(&env_local, "DATABASE_URL=mysql://root:hunter2@db/app\n").unwrap();
    let err = resolve(&inputs(dir.path(), None, None)).unwrap_err();
    assert!(matches!(err, ConnectError::BadUrl { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains(&format!("(the URL from {})", env_local.display())),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
    assert!(!format!("{err:?}").contains("hunter2"));

    let err = resolve(&inputs(dir.path(), Some("not a url"), None)).unwrap_err();
    assert!(
        err.to_string().contains("(the URL from --database-url)"),
        "{err}"
    );
}

#[test]
fn a_dotenv_syntax_error_points_at_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join(".env");
    std::fs::write(
        &env_file,
        "A=1\n\nDATABASE_URL=\"postgres://u:s3cret@db/x\n",
    )
    .unwrap();
    let err = resolve(&inputs(dir.path(), None, None)).unwrap_err();
    assert!(
        matches!(
            err,
            ConnectError::EnvFile {
                line: 3,
                column: 14,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "{}:3:14: the value of `DATABASE_URL` has no closing \"",
            env_file.display()
        )),
        "{text}"
    );
    assert!(text.contains("\nhelp: "), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
}

#[test]
fn with_no_url_the_libpq_environment_beats_the_dev_database() {
    let dir = tempfile::tempdir().unwrap();
    let mut i = inputs(dir.path(), None, None);
    assert_eq!(resolve(&i).unwrap(), ConnectionSource::DevDatabase);
    i.libpq_server = true;
    match resolve(&i).unwrap() {
        ConnectionSource::Url { url, origin } => {
            assert_eq!(origin, UrlOrigin::Libpq);
            assert_eq!(url.expose_secret(), "postgresql://");
        }
        other => panic!("{other:?}"),
    }
    // A URL anywhere still wins.
    i.env = Some("postgres://from_env@db/app".into());
    assert_eq!(resolved(&i).1, UrlOrigin::Env);
}
