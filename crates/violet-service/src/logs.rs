//! The service's log lines: `text` for people, or `json` for log shippers — one object per
//! line from tracing-subscriber's JSON formatter, each carrying the run id, with the
//! event's fields as JSON values (`"fields":{"scans":1200,...}`), never JSON text inside a
//! string. Nothing logs a secret: keys and passwords have no `Debug` that shows them.

use std::fmt;

use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::{self, FormatEvent, FormatFields, Json, Writer};
use tracing_subscriber::fmt::{FmtContext, time::SystemTime};
use tracing_subscriber::registry::LookupSpan;

use crate::config::LogFormat;

/// The JSON formatter's line, with `"run_id":"<id>"` first.
struct WithRunId {
    inner: format::Format<Json, SystemTime>,
    /// `{"run_id":"<id>",`
    head: String,
}

impl<S, N> FormatEvent<S, N> for WithRunId
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let mut line = String::with_capacity(256);
        self.inner.format_event(ctx, Writer::new(&mut line), event)?;
        match line.strip_prefix('{') {
            Some(rest) => {
                writer.write_str(&self.head)?;
                writer.write_str(rest)
            }
            None => writer.write_str(&line),
        }
    }
}

/// Install the process's log subscriber on stderr: `level` and `format`, every JSON line
/// carrying `run_id`.
///
/// # Errors
/// `level` is not a level (named), or a subscriber is already installed.
pub fn init(level: &str, format: LogFormat, run_id: &str) -> Result<(), String> {
    let level: tracing::Level = level
        .parse()
        .map_err(|_| format!("service.log_level = {level:?}: expected error, warn, info, debug or trace"))?;
    let builder = tracing_subscriber::fmt().with_max_level(level).with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Text => builder.with_target(false).try_init(),
        LogFormat::Json => {
            let mut head = String::from("{\"run_id\":");
            // A run id is `<name>-<ns>`, the name of letters, digits, '-', '_' and '.': no
            // character needs escaping, but the quoting is done properly anyway.
            head.push_str(&json_string(run_id));
            head.push(',');
            let inner = format::format().json().with_current_span(false).with_span_list(false).with_target(true);
            builder.json().event_format(WithRunId { inner, head }).try_init()
        }
    };
    result.map_err(|e| format!("installing the log subscriber: {e}"))
}

/// `s` as a JSON string.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    violet_domain::json::write_str(&mut out, s);
    out
}
