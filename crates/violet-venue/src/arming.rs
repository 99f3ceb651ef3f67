//! DARK until keys: execution is armed only when exchange keys are present **and** the
//! operator armed it. Until a live venue adapter exists, an armed start is refused.

use std::collections::BTreeMap;
use std::path::Path;

use violet_domain::secret::{Secret, SecretFileError};

/// The environment variables holding the exchange keys.
pub const KEY_ENV: &str = "VIOLET_EXCHANGE_API_KEY";
/// The secret's variable.
pub const SECRET_ENV: &str = "VIOLET_EXCHANGE_API_SECRET";

/// Exchange API keys. `Debug` and `Display` never show them.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeys {
    key: Secret,
    secret: Secret,
}

impl std::fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKeys(***)")
    }
}

impl std::fmt::Display for ApiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl ApiKeys {
    /// The API key (pass it to the adapter; never print it).
    #[must_use]
    pub fn key(&self) -> &Secret {
        &self.key
    }

    /// The API secret.
    #[must_use]
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// Keys from `VIOLET_EXCHANGE_API_KEY` + `VIOLET_EXCHANGE_API_SECRET`, else from
    /// `file` (mode 0600: first line the key, second the secret). `None` when neither.
    ///
    /// # Errors
    /// An unreadable or group/world-readable file, or a file without two lines.
    pub fn load(env: &BTreeMap<String, String>, file: Option<&Path>) -> Result<Option<Self>, SecretFileError> {
        if let (Some(k), Some(s)) = (env.get(KEY_ENV), env.get(SECRET_ENV)) {
            return Ok(Some(Self { key: Secret::new(k.clone()), secret: Secret::new(s.clone()) }));
        }
        let Some(file) = file.filter(|f| !f.as_os_str().is_empty()) else { return Ok(None) };
        let both = Secret::from_file(file)?;
        let mut lines = both.expose().lines();
        match (lines.next(), lines.next()) {
            (Some(k), Some(s)) if !k.trim().is_empty() && !s.trim().is_empty() => {
                Ok(Some(Self { key: Secret::new(k.trim().to_string()), secret: Secret::new(s.trim().to_string()) }))
            }
            _ => Err(SecretFileError::Io {
                path: file.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "expected two lines: the API key, then the secret",
                ),
            }),
        }
    }
}

/// Proof that execution is not armed, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObserveOnly(pub &'static str);

/// Proof that execution is armed: exchange keys present **and** armed. Only
/// [`execution_mode`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Armed(());

/// Which execution mode runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecutionMode {
    /// The observe-only guard: no order can leave the process.
    ObserveOnly(ObserveOnly),
    /// Orders go to the configured venue (after reconciliation and the risk caps).
    Armed(Armed),
}

/// An armed start that cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArmError {
    /// Armed without keys.
    #[error(
        "execution is armed but no exchange keys were found ({KEY_ENV} and {SECRET_ENV}, or execution.keys_file, mode 0600): refusing to run"
    )]
    NoKeys,
}

/// Decide the mode: observe-only unless keys are present **and** `armed`.
///
/// # Errors
/// [`ArmError::NoKeys`] when armed without keys.
pub fn execution_mode(keys: Option<&ApiKeys>, armed: bool) -> Result<ExecutionMode, ArmError> {
    match (keys, armed) {
        (Some(_), false) => {
            Ok(ExecutionMode::ObserveOnly(ObserveOnly("exchange keys present but execution not armed")))
        }
        (None, false) => Ok(ExecutionMode::ObserveOnly(ObserveOnly("no exchange keys and execution not armed"))),
        (None, true) => Err(ArmError::NoKeys),
        (Some(_), true) => Ok(ExecutionMode::Armed(Armed(()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_keys_and_arming_together_arm() {
        let env: BTreeMap<String, String> =
            [(KEY_ENV, "k-123"), (SECRET_ENV, "s-456")].iter().map(|(a, b)| ((*a).into(), (*b).into())).collect();
        let keys = ApiKeys::load(&env, None).expect("load").expect("keys");
        assert_eq!(format!("{keys:?} {keys}"), "ApiKeys(***) ***");
        assert!(matches!(execution_mode(None, false), Ok(ExecutionMode::ObserveOnly(_))));
        assert!(matches!(execution_mode(Some(&keys), false), Ok(ExecutionMode::ObserveOnly(_))));
        assert_eq!(execution_mode(None, true), Err(ArmError::NoKeys));
        assert!(matches!(execution_mode(Some(&keys), true), Ok(ExecutionMode::Armed(_))));
        assert!(ApiKeys::load(&BTreeMap::new(), None).expect("none").is_none());
    }

    #[test]
    fn a_keys_file_must_be_private_and_hold_two_lines() {
        use std::os::unix::fs::PermissionsExt as _;
        let p = std::env::temp_dir().join(format!("violet-keys-{}", std::process::id()));
        std::fs::write(&p, "key\nsecret\n").expect("write");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        assert!(ApiKeys::load(&BTreeMap::new(), Some(&p)).is_err());
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let k = ApiKeys::load(&BTreeMap::new(), Some(&p)).expect("ok").expect("keys");
        assert_eq!((k.key().expose(), k.secret().expose()), ("key", "secret"));
        std::fs::write(&p, "only-one\n").expect("write");
        assert!(ApiKeys::load(&BTreeMap::new(), Some(&p)).is_err());
        let _ = std::fs::remove_file(p);
    }
}
