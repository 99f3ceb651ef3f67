//! A tiny JSON request builder with corruption (for refusable requests).

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use violet_domain::json::{write_f64, write_str};

/// A request value under construction.
#[derive(Debug, Clone)]
pub enum J {
    /// Raw JSON text.
    Raw(String),
    /// An object.
    Obj(Vec<(&'static str, J)>),
    /// An array.
    Arr(Vec<J>),
}

/// A float, written as Python writes it (non-finite as `NaN`/`Infinity` tokens).
pub fn f(x: f64) -> J {
    let mut s = String::new();
    write_f64(&mut s, x);
    J::Raw(s)
}

/// A string.
pub fn s(x: &str) -> J {
    let mut out = String::new();
    write_str(&mut out, x);
    J::Raw(out)
}

/// An integer.
pub fn i(x: i64) -> J {
    J::Raw(x.to_string())
}

/// `null`.
pub fn null() -> J {
    J::Raw("null".into())
}

/// A request object `{"fn": name, ...}`.
pub fn req(name: &str, mut members: Vec<(&'static str, J)>) -> J {
    members.insert(0, ("fn", s(name)));
    J::Obj(members)
}

impl J {
    /// Append the JSON text.
    pub fn render(&self, out: &mut String) {
        match self {
            J::Raw(t) => out.push_str(t),
            J::Obj(m) => {
                out.push('{');
                for (n, (k, v)) in m.iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    write_str(out, k);
                    out.push(':');
                    v.render(out);
                }
                out.push('}');
            }
            J::Arr(a) => {
                out.push('[');
                for (n, v) in a.iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    v.render(out);
                }
                out.push(']');
            }
        }
    }

    fn members(&mut self) -> usize {
        match self {
            J::Raw(_) => 0,
            J::Obj(m) => m.len() + m.iter_mut().map(|(_, v)| v.members()).sum::<usize>(),
            J::Arr(a) => a.iter_mut().map(J::members).sum(),
        }
    }
}

/// Replacement values for a corrupted member: wrong types, non-finite tokens, out of range.
const BAD: &[&str] = &[
    "\"x\"",
    "\"\"",
    "true",
    "false",
    "null",
    "[]",
    "{}",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "-1e400",
    "-1",
    "0",
    "-0",
    "-0.0",
    "1.5",
    "2",
    "-5e-324",
    "123456789012345678901234567890",
    "9223372036854775808",
    "-9223372036854775809",
    "1000000001",
    "23",
    "126",
    "\"CONFIRM\"",
    "\"STALKER\"",
    "1.0000000000000002",
    "-1.0000000000000002",
];

/// Corrupt one member (anywhere in the tree, the `fn` key excluded): delete it, or replace
/// its value with something of the wrong type or range. The result may still be valid:
/// both oracles answer it either way.
pub fn corrupt(j: &mut J, rng: &mut ChaCha8Rng) {
    let n = j.members();
    if n <= 1 {
        return;
    }
    let target = rng.gen_range(1..n);
    let mut seen = 0usize;
    corrupt_at(j, target, &mut seen, rng);
}

fn corrupt_at(j: &mut J, target: usize, seen: &mut usize, rng: &mut ChaCha8Rng) -> bool {
    match j {
        J::Raw(_) => false,
        J::Obj(m) => {
            for k in 0..m.len() {
                if *seen == target {
                    if rng.gen_bool(0.25) {
                        m.remove(k);
                    } else {
                        m[k].1 = J::Raw(BAD[rng.gen_range(0..BAD.len())].to_string());
                    }
                    return true;
                }
                *seen += 1;
                if corrupt_at(&mut m[k].1, target, seen, rng) {
                    return true;
                }
            }
            false
        }
        J::Arr(a) => {
            for v in a.iter_mut() {
                if corrupt_at(v, target, seen, rng) {
                    return true;
                }
            }
            false
        }
    }
}

/// Whole-line refusals: not objects, unknown or missing `fn`, JSON errors.
pub const BAD_LINES: &[&str] = &[
    "[]",
    "\"compose\"",
    "42",
    "{}",
    "{\"fn\":\"nope\"}",
    "{\"fn\":1}",
    "{\"fn\":null}",
    "{\"fn\":\"compose\"}",
    "{\"fn\":\"select\"}",
    "{\"fn\":\"exit\",\"position\":[]}",
    "{\"fn\":\"to_exchange\",\"leverage\":1,\"notional\":1,\"price\":1}",
    "{\"fn\":\"signal_strength\",\"vel_div\":NaN}",
    "{\"fn\":\"signal_strength\",\"vel_div\":-0.03",
    "{\"fn\":\"signal_strength\" \"vel_div\":-0.03}",
    "{\"fn\":\"SIGNAL_STRENGTH\",\"vel_div\":-0.03}",
    "{fn:1}",
];
