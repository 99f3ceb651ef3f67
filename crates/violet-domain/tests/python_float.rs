//! Float parsing is correctly rounded: proven against Python's `float()` (BLUE's parser) on
//! many random decimal strings, compared bit for bit. Needs `python3` on PATH (the README's
//! fresh machine has it); fails, never skips, without it.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use violet_domain::json::{ParseOptions, Parser, json_f64_any};

fn random_decimal(rng: &mut ChaCha8Rng) -> String {
    let mut s = String::new();
    if rng.gen_bool(0.5) {
        s.push('-');
    }
    let int_digits = rng.gen_range(1..=20);
    let first = if int_digits == 1 { rng.gen_range(0..=9) } else { rng.gen_range(1..=9) };
    s.push(char::from(b'0' + first));
    for _ in 1..int_digits {
        s.push(char::from(b'0' + rng.gen_range(0..=9u8)));
    }
    let kind = rng.gen_range(0..4);
    if kind != 0 {
        s.push('.');
        for _ in 0..rng.gen_range(1..=25) {
            s.push(char::from(b'0' + rng.gen_range(0..=9u8)));
        }
    }
    if kind >= 2 {
        s.push(if rng.gen_bool(0.5) { 'e' } else { 'E' });
        match rng.gen_range(0..3) {
            0 => s.push('-'),
            1 => s.push('+'),
            _ => {}
        }
        s.push_str(&rng.gen_range(0..=340).to_string());
    }
    s
}

fn mul_small(digits: &mut Vec<u8>, k: u8) {
    let mut carry = 0u8;
    for d in digits.iter_mut().rev() {
        let v = *d * k + carry;
        *d = v % 10;
        carry = v / 10;
    }
    if carry > 0 {
        digits.insert(0, carry);
    }
}

/// The exact decimal midpoint between a double and the next one up, sometimes nudged a
/// digit below it: the hard cases for correct rounding (ties go to even).
fn halfway(rng: &mut ChaCha8Rng) -> String {
    // Doubles between about 1e-30 and 1e30 keep the exact expansions short.
    let x = f64::from_bits(rng.gen_range(0x39B0_0000_0000_0000u64..0x4630_0000_0000_0000));
    let bits = x.to_bits();
    let exp = i32::try_from((bits >> 52) & 0x7ff).expect("exponent");
    let m = (1u64 << 52) | (bits & ((1u64 << 52) - 1));
    // x = m * 2^(exp - 1075); midpoint = (2m + 1) * 2^(exp - 1076)
    let mut digits: Vec<u8> = (2 * m + 1).to_string().bytes().map(|b| b - b'0').collect();
    let e2 = exp - 1076;
    let mut s: String;
    if e2 >= 0 {
        for _ in 0..e2 {
            mul_small(&mut digits, 2);
        }
        s = digits.iter().map(|d| char::from(b'0' + d)).collect();
    } else {
        let k = usize::try_from(-e2).expect("k");
        for _ in 0..k {
            mul_small(&mut digits, 5);
        }
        while digits.len() <= k {
            digits.insert(0, 0);
        }
        let int: String = digits[..digits.len() - k].iter().map(|d| char::from(b'0' + d)).collect();
        let frac: String = digits[digits.len() - k..].iter().map(|d| char::from(b'0' + d)).collect();
        s = format!("{int}.{frac}");
    }
    if rng.gen_bool(0.5) {
        // Just below the midpoint: drop the last (non-zero) digit.
        s.pop();
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

#[test]
fn float_parsing_matches_python_bit_for_bit() {
    const N: usize = 200_000;
    let mut rng = ChaCha8Rng::seed_from_u64(0x5EED_F10A7);
    let inputs: Vec<String> =
        (0..N).map(|i| if i % 4 == 0 { halfway(&mut rng) } else { random_decimal(&mut rng) }).collect();
    // As Python's json reads a number token: an integer token is int() then float(),
    // anything else float() of the text.
    let script = "import sys, struct\n\
                  w = sys.stdout.write\n\
                  for line in sys.stdin:\n    \
                      line = line.strip()\n    \
                      x = float(line) if any(c in line for c in '.eE') else float(int(line))\n    \
                      w(str(struct.unpack('<Q', struct.pack('<d', x))[0]) + '\\n')\n";
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 is required for this test (install Python 3)");
    let mut stdin = child.stdin.take().expect("stdin");
    let feed = inputs.clone();
    let writer = std::thread::spawn(move || {
        let mut buf = Vec::new();
        for s in feed {
            buf.extend_from_slice(s.as_bytes());
            buf.push(b'\n');
        }
        stdin.write_all(&buf).expect("write to python");
    });
    let out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut parser = Parser::new(ParseOptions::default());
    let mut checked = 0;
    for (s, line) in inputs.iter().zip(out.lines()) {
        let py: u64 = line.expect("python output").trim().parse().expect("bits");
        let doc = parser.parse(s).expect("valid JSON number");
        let ours = match json_f64_any(doc.root()) {
            Ok(x) => x,
            Err(e) => panic!("{s}: {e:?}"),
        };
        assert_eq!(ours.to_bits(), py, "{s}: ours {ours:e}, python {:e}", f64::from_bits(py));
        checked += 1;
    }
    writer.join().expect("writer");
    assert!(child.wait().expect("python exit").success());
    assert_eq!(checked, N, "python answered fewer lines than asked");
}
