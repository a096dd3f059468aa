//! The JSON form of the logs (`LAB_LOG_JSON=1`), which `scripts/lablog` lays out one
//! column per peer. One object per line:
//!
//! ```text
//! {"t":12.890124,"level":"DEBUG","target":"lab3_raft::core","msg":"becomes leader","group":"101","peer":0,"term":10}
//! ```
//!
//! `t` is the world's virtual time in seconds (`null` outside a world); `msg` the event's
//! message; then the fields of the spans the event is in, outermost first (the testers
//! open a `server` span with `group` and `peer` around each server they start, and the
//! servers' tasks and RPC handlers stay in it), then the event's own fields. A field
//! named twice keeps its last value. Events of target `harness` are the tester's own
//! actions (crashes, partitions, network modes, client operations).

use std::fmt::{self, Write as _};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

/// Writes every event as one JSON line on the test's standard output.
pub(crate) struct JsonLayer;

/// Fields as `(name, JSON value)`, in recording order.
#[derive(Default)]
struct Fields(Vec<(String, String)>);

impl Fields {
    fn set(&mut self, name: &str, json: String) {
        let name = if name == "message" { "msg" } else { name };
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some((_, value)) => *value = json,
            None => self.0.push((name.to_string(), json)),
        }
    }
}

impl Visit for Fields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.set(field.name(), value.to_string());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.set(field.name(), value.to_string());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.set(field.name(), value.to_string());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        let json = if value.is_finite() {
            value.to_string()
        } else {
            quote(&value.to_string())
        };
        self.set(field.name(), json);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.set(field.name(), quote(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.set(field.name(), quote(&format!("{value:?}")));
    }
}

/// `s` as a JSON string literal.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl<S> Layer<S> for JsonLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(fields) = span.extensions_mut().get_mut::<Fields>()
        {
            values.record(fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(span_fields) = span.extensions().get::<Fields>() {
                    for (name, value) in &span_fields.0 {
                        fields.set(name, value.clone());
                    }
                }
            }
        }
        event.record(&mut fields);
        let meta = event.metadata();
        let t = match super::world::try_current().and_then(|w| w.start.get().copied()) {
            Some(start) => {
                let t = tokio::time::Instant::now().saturating_duration_since(start);
                format!("{}.{:06}", t.as_secs(), t.subsec_micros())
            }
            None => "null".to_string(),
        };
        let mut line = format!(
            "{{\"t\":{t},\"level\":{},\"target\":{}",
            quote(meta.level().as_str()),
            quote(meta.target())
        );
        // The message first, so a raw line still reads well.
        fields.0.sort_by_key(|(name, _)| name != "msg");
        for (name, value) in &fields.0 {
            let _ = write!(line, ",{}:{value}", quote(name));
        }
        line.push('}');
        // Through `println!`, so the test harness captures it with the test's output.
        println!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn strings_are_escaped_as_json() {
        assert_eq!(quote("a\"b\\c\nd\u{1}"), r#""a\"b\\c\nd\u0001""#);
    }
}
