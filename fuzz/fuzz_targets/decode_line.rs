//! Fuzz the event-line decoder: any bytes must decode, blank or reject, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use violet_domain::event::{EventStream, decode_line};
use violet_domain::json::{ParseOptions, Parser};

fuzz_target!(|data: &[u8]| {
    let mut parser = Parser::new(ParseOptions::default());
    let _ = decode_line(&mut parser, 1, data);
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
