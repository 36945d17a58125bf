//! A forgiving content-stream parser: bytes → operations, skipping what it cannot read.
//!
//! lopdf's `Content::decode` stops at the first token it does not understand and returns
//! the operations before it, so one stray byte early in a page silently drops the rest of
//! the page's text. MuPDF and poppler instead skip a bad token, drop the operands gathered
//! so far and go on; [`parse`] does the same. Unknown operators are kept (the walker ignores
//! them) and counted in [`Parsed::junk`], so the caller can warn about a damaged stream.

use lopdf::content::Operation;
use lopdf::{Dictionary, Object, StringFormat};

/// Operations of a content stream and how much of it was not understood.
#[derive(Debug, Default)]
pub struct Parsed {
    pub operations: Vec<Operation>,
    /// Tokens skipped: unbalanced delimiters, unknown operators, malformed objects.
    pub junk: usize,
}

/// Operators of ISO 32000 content streams (and the compatibility ones).
const OPERATORS: &[&str] = &[
    "b", "B", "b*", "B*", "BDC", "BI", "BMC", "BT", "BX", "c", "cm", "CS", "cs", "d", "d0", "d1",
    "Do", "DP", "EI", "EMC", "ET", "EX", "f", "F", "f*", "G", "g", "gs", "h", "i", "ID", "j", "J",
    "K", "k", "l", "m", "M", "MP", "n", "q", "Q", "re", "RG", "rg", "ri", "s", "S", "SC", "sc",
    "SCN", "scn", "sh", "T*", "Tc", "Td", "TD", "Tf", "Tj", "TJ", "TL", "Tm", "Tr", "Ts", "Tw",
    "Tz", "v", "w", "W", "W*", "y", "'", "\"",
];

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delim(c: u8) -> bool {
    matches!(
        c,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(c: u8) -> bool {
    !is_space(c) && !is_delim(c)
}

/// Nesting limit for arrays and dictionaries.
const MAX_DEPTH: usize = 32;

struct Lexer<'a> {
    b: &'a [u8],
    i: usize,
    junk: usize,
}

enum Token {
    Obj(Object),
    Op(String),
    ArrayEnd,
    DictEnd,
    /// Something unreadable (an unbalanced `)` `}` `{`…), already skipped.
    Junk,
}

impl<'a> Lexer<'a> {
    fn skip_space(&mut self) {
        while self.i < self.b.len() {
            let c = self.b[self.i];
            if is_space(c) {
                self.i += 1;
            } else if c == b'%' {
                while self.i < self.b.len() && !matches!(self.b[self.i], b'\r' | b'\n') {
                    self.i += 1;
                }
            } else {
                break;
            }
        }
    }

    fn next(&mut self, depth: usize) -> Option<Token> {
        self.skip_space();
        let c = *self.b.get(self.i)?;
        Some(match c {
            b'/' => {
                self.i += 1;
                let s = self.i;
                while self.i < self.b.len() && is_regular(self.b[self.i]) {
                    self.i += 1;
                }
                Token::Obj(Object::Name(name_bytes(&self.b[s..self.i])))
            }
            b'(' => Token::Obj(Object::String(self.literal(), StringFormat::Literal)),
            b'<' if self.b.get(self.i + 1) == Some(&b'<') => {
                self.i += 2;
                match self.dict(depth + 1) {
                    Some(d) => Token::Obj(Object::Dictionary(d)),
                    None => Token::Junk,
                }
            }
            b'<' => {
                self.i += 1;
                let s = self.i;
                while self.i < self.b.len() && self.b[self.i] != b'>' {
                    self.i += 1;
                }
                let hex: Vec<u8> = self.b[s..self.i]
                    .iter()
                    .filter_map(|&c| (c as char).to_digit(16).map(|d| d as u8))
                    .collect();
                self.i += 1;
                let bytes = hex
                    .chunks(2)
                    .map(|p| p[0] * 16 + p.get(1).copied().unwrap_or(0))
                    .collect();
                Token::Obj(Object::String(bytes, StringFormat::Hexadecimal))
            }
            b'>' if self.b.get(self.i + 1) == Some(&b'>') => {
                self.i += 2;
                Token::DictEnd
            }
            b'[' => {
                self.i += 1;
                match self.array(depth + 1) {
                    Some(a) => Token::Obj(Object::Array(a)),
                    None => Token::Junk,
                }
            }
            b']' => {
                self.i += 1;
                Token::ArrayEnd
            }
            b')' | b'>' | b'{' | b'}' => {
                self.i += 1;
                Token::Junk
            }
            _ => {
                let s = self.i;
                while self.i < self.b.len() && is_regular(self.b[self.i]) {
                    self.i += 1;
                }
                let word = &self.b[s..self.i];
                if let Some(n) = number(word) {
                    Token::Obj(n)
                } else {
                    match word {
                        b"true" => Token::Obj(Object::Boolean(true)),
                        b"false" => Token::Obj(Object::Boolean(false)),
                        b"null" => Token::Obj(Object::Null),
                        _ => Token::Op(String::from_utf8_lossy(word).into_owned()),
                    }
                }
            }
        })
    }

    fn literal(&mut self) -> Vec<u8> {
        self.i += 1; // (
        let mut out = Vec::new();
        let mut depth = 1;
        while self.i < self.b.len() {
            let c = self.b[self.i];
            self.i += 1;
            match c {
                b'\\' => {
                    let Some(&e) = self.b.get(self.i) else { break };
                    self.i += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.b.get(self.i) == Some(&b'\n') {
                                self.i += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = (e - b'0') as u32;
                            for _ in 0..2 {
                                match self.b.get(self.i) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = v * 8 + (d - b'0') as u32;
                                        self.i += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(v as u8);
                        }
                        other => out.push(other),
                    }
                }
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
        out
    }

    fn array(&mut self, depth: usize) -> Option<Vec<Object>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut items = Vec::new();
        loop {
            match self.next(depth)? {
                Token::Obj(o) => items.push(o),
                Token::ArrayEnd => return Some(items),
                // An operator inside an array: the `]` is missing; stop before it.
                Token::Op(_) | Token::DictEnd | Token::Junk => {
                    self.junk += 1;
                }
            }
        }
    }

    fn dict(&mut self, depth: usize) -> Option<Dictionary> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut d = Dictionary::new();
        let mut key: Option<Vec<u8>> = None;
        loop {
            match self.next(depth)? {
                Token::DictEnd => return Some(d),
                Token::Obj(Object::Name(n)) if key.is_none() => key = Some(n),
                Token::Obj(o) => {
                    if let Some(k) = key.take() {
                        d.set(k, o);
                    }
                }
                _ => self.junk += 1,
            }
        }
    }

    /// Skip inline image data after `ID` up to and including `EI`.
    fn skip_inline_image(&mut self) {
        let b = self.b;
        let mut i = self.i + 1;
        while i + 2 <= b.len() {
            if &b[i..i + 2] == b"EI"
                && i > 0
                && is_space(b[i - 1])
                && b.get(i + 2).is_none_or(|&c| !is_regular(c))
            {
                self.i = i + 2;
                return;
            }
            i += 1;
        }
        self.i = b.len();
    }
}

fn name_bytes(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'#'
            && i + 2 < raw.len()
            && let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&raw[i + 1..i + 3]).unwrap_or("x"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

fn number(w: &[u8]) -> Option<Object> {
    let s = std::str::from_utf8(w).ok()?;
    let first = *w.first()?;
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return None;
    }
    if let Ok(i) = s.parse::<i64>() {
        return Some(Object::Integer(i));
    }
    if s.bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'+' | b'-' | b'.'))
        && s.matches('.').count() <= 1
        && let Ok(f) = s.parse::<f32>()
    {
        return Some(Object::Real(f));
    }
    None
}

/// Parse a content stream, skipping what cannot be read.
pub fn parse(b: &[u8]) -> Parsed {
    let mut lx = Lexer { b, i: 0, junk: 0 };
    let mut ops = Vec::new();
    let mut operands: Vec<Object> = Vec::new();
    while let Some(t) = lx.next(0) {
        match t {
            Token::Obj(o) => {
                if operands.len() < 64 {
                    operands.push(o);
                }
            }
            Token::Op(op) => {
                if op == "ID" {
                    lx.skip_inline_image();
                    operands.clear();
                    continue;
                }
                if OPERATORS.contains(&op.as_str()) {
                    ops.push(Operation {
                        operator: op,
                        operands: std::mem::take(&mut operands),
                    });
                } else {
                    lx.junk += 1;
                    operands.clear();
                }
            }
            Token::ArrayEnd | Token::DictEnd | Token::Junk => {
                lx.junk += 1;
                operands.clear();
            }
        }
    }
    Parsed {
        operations: ops,
        junk: lx.junk,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(p: &Parsed) -> Vec<&str> {
        p.operations.iter().map(|o| o.operator.as_str()).collect()
    }

    #[test]
    fn ordinary_content() {
        let p = parse(b"q 1 0 0 1 72 700 cm BT /F1 12 Tf (a\\(b\\)) Tj [(x) -20 <0041>] TJ ET Q");
        assert_eq!(ops(&p), ["q", "cm", "BT", "Tf", "Tj", "TJ", "ET", "Q"]);
        assert_eq!(p.junk, 0);
        assert_eq!(
            p.operations[4].operands,
            vec![Object::String(b"a(b)".to_vec(), StringFormat::Literal)]
        );
        let tj = p.operations[5].operands[0].as_array().unwrap();
        assert_eq!(tj.len(), 3);
        assert_eq!(
            tj[2],
            Object::String(vec![0, 0x41], StringFormat::Hexadecimal)
        );
    }

    #[test]
    fn garbage_is_skipped_and_counted_not_fatal() {
        let p = parse(b"BT /F1 12 Tf @@ 12 #! } { ~~ 3 0 obj ) (Hi) Tj 1.2.3 ET");
        assert_eq!(ops(&p), ["BT", "Tf", "Tj", "ET"]);
        assert!(p.junk >= 5);
        assert_eq!(p.operations[2].operands.len(), 1);
    }

    #[test]
    fn inline_images_and_marked_content() {
        let p = parse(b"/P <</MCID 0>> BDC BI /W 2 /H 1 /BPC 8 /CS /G ID \x00EI\xff EI Q EMC");
        assert_eq!(ops(&p), ["BDC", "BI", "Q", "EMC"]);
    }
}
