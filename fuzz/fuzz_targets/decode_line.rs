//! Fuzz the event-line decoder: any bytes must decode, blank or reject, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use violet_domain::event::{Event, EventStream, canonical_scan, decode_line, decode_line_generic, trim_line};
use violet_domain::json::{ParseOptions, Parser};

fuzz_target!(|data: &[u8]| {
    let mut parser = Parser::new(ParseOptions::default());
    let _ = decode_line(&mut parser, 1, data);
    // The canonical-scan fast path accepts only what the generic decoder accepts, identically.
    if let Some(Event::Scan(fast)) = std::str::from_utf8(trim_line(data)).ok().and_then(canonical_scan) {
        match decode_line_generic(&mut parser, 1, data) {
            Ok(Some(Event::Scan(generic))) => assert!(
                fast.scan_number == generic.scan_number
                    && fast.vel_div.into_inner().to_bits() == generic.vel_div.into_inner().to_bits()
                    && fast.assets.len() == generic.assets.len()
            ),
            other => panic!("fast path accepted a line the generic decoder did not: {other:?}"),
        }
    }
    // The same bytes as a multi-line stream through the stateful checks.
    let mut stream = EventStream::new();
    for line in data.split(|&b| b == b'\n') {
        let _ = stream.next_line(line);
    }
    let mut lenient = Parser::new(ParseOptions { allow_constants: true });
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = lenient.parse(text);
    }
});
