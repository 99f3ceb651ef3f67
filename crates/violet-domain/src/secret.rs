//! A secret string (a database password, an exchange API key or secret), shared by the
//! ClickHouse and the venue sides: kept in `secrecy`'s `SecretString` (zeroed when
//! dropped), shown as `***` by `Debug` and `Display`, readable only through
//! [`Secret::expose`]; and read from a file only when its owner alone may read it.

use std::fmt;
use std::path::Path;

use secrecy::{ExposeSecret as _, SecretString};

/// A secret value. Never logged: `Debug` and `Display` print `Secret(***)` / `***`.
#[derive(Clone)]
pub struct Secret(SecretString);

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for Secret {}

/// A secret file that must not be used.
#[derive(Debug, thiserror::Error)]
pub enum SecretFileError {
    /// It cannot be read.
    #[error("cannot read the secret file {path}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// Group or others may read it.
    #[error("secret file {path} has mode {mode:04o}: it must be readable by its owner only (chmod 600 {path})")]
    Mode {
        /// The file.
        path: std::path::PathBuf,
        /// Its permission bits.
        mode: u32,
    },
}

impl Secret {
    /// Wrap `value`.
    #[must_use]
    pub fn new(value: String) -> Self {
        Self(SecretString::from(value))
    }

    /// The secret itself: pass it on, never print it.
    #[must_use]
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Read a secret from `path` (trailing newline dropped). The file must be readable by
    /// its owner only (mode 0600 or 0400).
    ///
    /// # Errors
    /// [`SecretFileError`]: unreadable, or readable by group or others.
    pub fn from_file(path: &Path) -> Result<Self, SecretFileError> {
        use std::os::unix::fs::PermissionsExt as _;
        let io = |source| SecretFileError::Io { path: path.to_path_buf(), source };
        let mode = std::fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(SecretFileError::Mode { path: path.to_path_buf(), mode });
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        Ok(Self::new(text.trim_end_matches(['\n', '\r']).to_string()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("hunter2-value".into());
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{:?}", Some(&s)), "Some(Secret(***))");
        assert_eq!(s.expose(), "hunter2-value");
    }

    #[test]
    fn a_file_others_can_read_is_refused_and_a_0600_file_is_read() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = std::env::temp_dir().join(format!("violet-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let p = dir.join("pw");
        std::fs::write(&p, "s3cret\n").expect("write");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let e = Secret::from_file(&p).expect_err("0644 must be refused");
        assert!(e.to_string().contains("0644") && e.to_string().contains("chmod 600"), "{e}");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        assert_eq!(Secret::from_file(&p).expect("0600").expose(), "s3cret");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
