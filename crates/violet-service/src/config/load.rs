//! Reading the TOML file and the environment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use violet_clickhouse::{Secret, SecretFileError};

use super::model::ServiceConfig;

/// The environment variable holding the database password.
pub const PASSWORD_ENV: &str = "VIOLET_CLICKHOUSE_PASSWORD";

/// The environment variable an operator sets to `yes` to let an armed service trade on
/// mainnet (`execution.venue = "bingx-live"`).
pub const CONFIRM_LIVE_ENV: &str = "VIOLET_CONFIRM_LIVE";

/// Variables read elsewhere (secrets, the mainnet confirmation): never configuration keys.
const SECRETS_ENV: [&str; 4] =
    [PASSWORD_ENV, "VIOLET_EXCHANGE_API_KEY", "VIOLET_EXCHANGE_API_SECRET", CONFIRM_LIVE_ENV];

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read the config file {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not valid TOML for the schema (unknown keys included).
    #[error("config file {path}: {message}")]
    Toml {
        /// The file.
        path: PathBuf,
        /// The parser's message (it names the key).
        message: String,
    },
    /// An environment override does not parse as its key's type.
    #[error("{var}={value:?}: {key} must be {expected}")]
    Env {
        /// The variable.
        var: String,
        /// Its value.
        value: String,
        /// The key it overrides.
        key: String,
        /// The type wanted.
        expected: &'static str,
    },
    /// `clickhouse.url` carries credentials (shown masked).
    #[error(
        "clickhouse.url = {0:?} carries credentials, which would be shown wherever the URL is: set clickhouse.user \
         and the password in VIOLET_CLICKHOUSE_PASSWORD (or clickhouse.password_file)"
    )]
    UrlCredentials(String),
    /// The password file is unusable.
    #[error(transparent)]
    Secret(#[from] SecretFileError),
}

/// The loaded configuration, the password (if any), and what the environment changed.
#[derive(Debug)]
pub struct Loaded {
    /// The configuration.
    pub config: ServiceConfig,
    /// The database password (`Debug` shows `***`).
    pub password: Option<Secret>,
    /// Exchange keys, when provided (`Debug` shows `***`).
    pub keys: Option<violet_venue::arming::ApiKeys>,
    /// Keys the environment overrode (`feed.batch`...), for the start-up log.
    pub overridden: Vec<String>,
    /// `VIOLET_*` variables that match no key (likely typos), for the start-up log.
    pub unknown_env: Vec<String>,
    /// `VIOLET_CONFIRM_LIVE=yes`: the operator confirms trading on mainnet.
    pub confirm_live: bool,
}

/// Every key of the schema with its default, as `(env var, dotted key, default value)`.
fn keys() -> Vec<(String, String, toml::Value)> {
    let defaults = toml::Value::try_from(ServiceConfig::default()).unwrap_or(toml::Value::Table(toml::Table::new()));
    let mut out = Vec::new();
    if let toml::Value::Table(sections) = defaults {
        for (section, v) in sections {
            if let toml::Value::Table(t) = v {
                for (key, default) in t {
                    let var = format!("VIOLET_{}_{}", section.to_uppercase(), key.to_uppercase());
                    out.push((var, format!("{section}.{key}"), default));
                }
            }
        }
    }
    out
}

/// The name of every environment variable that overrides a key (for `--help` and docs).
#[must_use]
pub fn env_vars() -> Vec<(String, String)> {
    keys().into_iter().map(|(var, key, _)| (var, key)).collect()
}

/// Read `path` (or only defaults when `None`), then apply `env` (`VIOLET_<SECTION>_<KEY>`
/// overrides `[section] key`; `VIOLET_CLICKHOUSE_PASSWORD` is the password), then read the
/// password file if the environment gave none.
///
/// # Errors
/// [`ConfigError`], naming the file, key or variable.
pub fn load(path: Option<&Path>, env: &BTreeMap<String, String>) -> Result<Loaded, ConfigError> {
    let mut table = match path {
        None => toml::Table::new(),
        Some(p) => {
            let text =
                std::fs::read_to_string(p).map_err(|source| ConfigError::Io { path: p.to_path_buf(), source })?;
            text.parse::<toml::Table>()
                .map_err(|e| ConfigError::Toml { path: p.to_path_buf(), message: e.message().to_string() })?
        }
    };
    let known = keys();
    let mut overridden = Vec::new();
    for (var, key, default) in &known {
        let Some(value) = env.get(var) else { continue };
        let bad = |expected| ConfigError::Env { var: var.clone(), value: value.clone(), key: key.clone(), expected };
        let parsed = match default {
            toml::Value::String(_) => toml::Value::String(value.clone()),
            toml::Value::Integer(_) => toml::Value::Integer(value.trim().parse().map_err(|_| bad("an integer"))?),
            toml::Value::Float(_) => toml::Value::Float(value.trim().parse().map_err(|_| bad("a number"))?),
            toml::Value::Boolean(_) => toml::Value::Boolean(value.trim().parse().map_err(|_| bad("true or false"))?),
            _ => continue,
        };
        let (section, k) = key.split_once('.').unwrap_or((key, ""));
        let entry = table.entry(section.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if let toml::Value::Table(t) = entry {
            t.insert(k.to_string(), parsed);
        }
        overridden.push(key.clone());
    }
    let unknown_env = env
        .keys()
        .filter(|k| {
            k.starts_with("VIOLET_") && !SECRETS_ENV.contains(&k.as_str()) && !known.iter().any(|(v, _, _)| v == *k)
        })
        .cloned()
        .collect();
    let shown = path.map_or_else(|| PathBuf::from("(defaults)"), Path::to_path_buf);
    let config: ServiceConfig = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| ConfigError::Toml { path: shown, message: e.message().to_string() })?;
    if violet_clickhouse::has_credentials(&config.clickhouse.url) {
        return Err(ConfigError::UrlCredentials(violet_clickhouse::redact_url(&config.clickhouse.url)));
    }
    let password = match env.get(PASSWORD_ENV) {
        Some(p) => Some(Secret::new(p.clone())),
        None if config.clickhouse.password_file.as_os_str().is_empty() => None,
        None => Some(Secret::from_file(&config.clickhouse.password_file)?),
    };
    let keys = violet_venue::arming::ApiKeys::load(env, Some(&config.execution.keys_file))?;
    let confirm_live = env.get(CONFIRM_LIVE_ENV).is_some_and(|v| v == "yes");
    Ok(Loaded { config, password, keys, overridden, unknown_env, confirm_live })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
    }

    fn file(name: &str, text: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("violet-config-{}-{name}.toml", std::process::id()));
        std::fs::write(&p, text).expect("write");
        p
    }

    #[test]
    fn credentials_in_the_clickhouse_url_are_refused_and_not_shown() {
        let p = file("creds", "[clickhouse]\nurl = \"http://violet:s3cret@db:8123\"\n");
        for e in [
            load(Some(&p), &env(&[])).expect_err("in the file"),
            load(None, &env(&[("VIOLET_CLICKHOUSE_URL", "http://violet:s3cret@db:8123")])).expect_err("in the env"),
        ] {
            let text = e.to_string();
            assert!(!text.contains("s3cret") && text.contains("http://***@db:8123"), "{text}");
            assert!(text.contains("VIOLET_CLICKHOUSE_PASSWORD"), "{text}");
        }
    }

    #[test]
    fn the_environment_overrides_the_file_key_by_key() {
        let p = file("env", "[feed]\nbatch = 5\npoll_interval_ms = 10\n[service]\nname = \"a\"\n");
        let l = load(Some(&p), &env(&[("VIOLET_FEED_BATCH", "77"), ("VIOLET_SERVICE_NAME", "b")])).expect("load");
        assert_eq!(l.config.feed.batch, 77);
        assert_eq!(l.config.feed.poll_interval_ms, 10, "untouched key keeps the file's value");
        assert_eq!(l.config.service.name, "b");
        assert_eq!(l.config.journal, super::super::model::JournalConfig::default());
        assert_eq!(l.overridden, ["feed.batch", "service.name"]);
        let _ = std::fs::remove_file(p);
    }

    #[test]
    fn the_example_deploy_config_loads() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/violet.example.toml");
        let l = load(Some(&p), &env(&[(PASSWORD_ENV, "x")])).expect("deploy/violet.example.toml");
        assert_eq!(l.config.feed.kind, "clickhouse");
        assert!(l.config.journal.ship_timeout_s < 30, "ships within the supervisor's 30 s");
    }

    #[test]
    fn the_log_format_and_the_metrics_address_come_from_the_file_or_the_environment() {
        use super::super::model::LogFormat;
        let l = load(None, &env(&[])).expect("defaults");
        assert_eq!((l.config.service.log_format, l.config.metrics.listen.as_str()), (LogFormat::Text, ""), "off");
        let env = env(&[("VIOLET_SERVICE_LOG_FORMAT", "json"), ("VIOLET_METRICS_LISTEN", "127.0.0.1:9187")]);
        let l = load(None, &env).expect("overrides");
        assert_eq!(
            (l.config.service.log_format, l.config.metrics.listen.as_str()),
            (LogFormat::Json, "127.0.0.1:9187")
        );
        let p = file("logfmt", "[service]\nlog_format = \"xml\"\n");
        let e = load(Some(&p), &self::env(&[])).expect_err("xml").to_string();
        assert!(e.contains("xml") && e.contains("text") && e.contains("json"), "names the value and the choices: {e}");
        let _ = std::fs::remove_file(p);
    }

    #[test]
    fn every_key_has_a_variable() {
        let vars = env_vars();
        for want in [
            "VIOLET_CLICKHOUSE_URL",
            "VIOLET_FEED_POLL_INTERVAL_MS",
            "VIOLET_MONITOR_ENABLED",
            "VIOLET_ENGINE_EXIT_CADENCE",
        ] {
            assert!(vars.iter().any(|(v, _)| v == want), "{want} missing from {vars:?}");
        }
    }

    #[test]
    fn errors_name_the_key_or_variable() {
        let p = file("typo", "[feed]\nbatchh = 5\n");
        let e = load(Some(&p), &env(&[])).expect_err("unknown key").to_string();
        assert!(e.contains("batchh") && e.contains(&p.display().to_string()), "{e}");
        let e = load(None, &env(&[("VIOLET_FEED_BATCH", "many")])).expect_err("bad int").to_string();
        assert!(e.contains("VIOLET_FEED_BATCH") && e.contains("feed.batch") && e.contains("integer"), "{e}");
        let l = load(None, &env(&[("VIOLET_FEED_BATCHH", "1")])).expect("typo in env is not fatal");
        assert_eq!(l.unknown_env, ["VIOLET_FEED_BATCHH"]);
        let _ = std::fs::remove_file(p);
    }

    #[test]
    fn the_password_comes_from_the_environment_or_a_private_file_and_never_prints() {
        let l = load(None, &env(&[(PASSWORD_ENV, "pw-from-env")])).expect("load");
        assert_eq!(l.password.as_ref().map(Secret::expose), Some("pw-from-env"));
        let shown = format!("{l:?}");
        assert!(!shown.contains("pw-from-env"), "{shown}");
        assert!(l.unknown_env.is_empty());
        let pw = file("pw", "pw-from-file\n");
        let cfg = file("pwcfg", &format!("[clickhouse]\npassword_file = {:?}\n", pw.display().to_string()));
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(matches!(load(Some(&cfg), &env(&[])), Err(ConfigError::Secret(_))));
        std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let l = load(Some(&cfg), &env(&[])).expect("load");
        assert_eq!(l.password.as_ref().map(Secret::expose), Some("pw-from-file"));
        assert!(!format!("{l:?}").contains("pw-from-file"));
        let _ = (std::fs::remove_file(pw), std::fs::remove_file(cfg));
    }
}
