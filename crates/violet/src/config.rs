//! Loading configuration files for the subcommands.

use std::path::Path;

use anyhow::Context as _;
use violet_domain::config::BlueConfig;

/// BLUE's constants from a TOML file, or BLUE's defaults.
pub fn load_blue_config(path: Option<&Path>) -> anyhow::Result<BlueConfig> {
    let Some(path) = path else {
        return Ok(BlueConfig::default());
    };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config file {}", path.display()))?;
    BlueConfig::from_toml(&text).with_context(|| format!("in config file {}", path.display()))
}
