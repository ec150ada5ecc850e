//! A tolerant reader for Python literals, as `str(dict)` and pandas write nested values into CSV cells:
//! `{'type': 'IAMUser', 'mfa': False, 'n': 3, 'x': None, 'l': ['a', ("b", 1)]}`. Single- or double-quoted strings
//! with Python escapes (and `u`/`r`/`b` prefixes), `True` / `False` / `None`, numbers, dicts, lists and tuples. A
//! call such as `datetime.datetime(2023, 7, 10, 11, 42, tzinfo=tzutc())` is kept as its text.

use serde_json::{Map, Number, Value};

/// Parse a whole Python literal; `None` when the text is not one (trailing text included).
pub fn parse(text: &str) -> Option<Value> {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        i: 0,
        depth: 0,
    };
    let v = p.value()?;
    p.ws();
    (p.i == p.s.len()).then_some(v)
}

/// Nesting beyond this is refused (a hostile cell must not exhaust the stack).
const MAX_DEPTH: usize = 128;

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn value(&mut self) -> Option<Value> {
        self.ws();
        match self.peek()? {
            b'{' => self.nested(b'}', true),
            b'[' => self.nested(b']', false),
            b'(' => self.nested(b')', false),
            b'\'' | b'"' => self.string().map(Value::String),
            b'u' | b'r' | b'b' | b'U' | b'R' | b'B'
                if matches!(self.s.get(self.i + 1), Some(b'\'' | b'"')) =>
            {
                let raw = matches!(self.peek(), Some(b'r' | b'R'));
                self.i += 1;
                if raw {
                    self.raw_string().map(Value::String)
                } else {
                    self.string().map(Value::String)
                }
            }
            b'-' | b'+' | b'0'..=b'9' | b'.' => self.number(),
            c if c.is_ascii_alphabetic() || c == b'_' => self.word(),
            _ => None,
        }
    }

    /// A dict (`is_dict`), list or tuple, up to `close`; trailing commas allowed.
    fn nested(&mut self, close: u8, is_dict: bool) -> Option<Value> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        self.i += 1;
        let mut map = Map::new();
        let mut list = Vec::new();
        loop {
            self.ws();
            if self.peek()? == close {
                self.i += 1;
                break;
            }
            if is_dict {
                let k = self.value()?;
                self.ws();
                if self.peek()? != b':' {
                    return None;
                }
                self.i += 1;
                let v = self.value()?;
                let key = match k {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                map.insert(key, v);
            } else {
                list.push(self.value()?);
            }
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                c if c == close => {}
                _ => return None,
            }
        }
        self.depth -= 1;
        Some(if is_dict {
            Value::Object(map)
        } else {
            Value::Array(list)
        })
    }

    fn string(&mut self) -> Option<String> {
        let q = self.peek()?;
        self.i += 1;
        let mut out = String::new();
        loop {
            let start = self.i;
            while self.i < self.s.len() && self.s[self.i] != q && self.s[self.i] != b'\\' {
                self.i += 1;
            }
            out.push_str(self.text.get(start..self.i)?);
            match self.peek()? {
                c if c == q => {
                    self.i += 1;
                    return Some(out);
                }
                _ => {
                    // A backslash escape.
                    self.i += 1;
                    let e = self.peek()?;
                    self.i += 1;
                    match e {
                        b'n' => out.push('\n'),
                        b't' => out.push('\t'),
                        b'r' => out.push('\r'),
                        b'0' => out.push('\0'),
                        b'\\' => out.push('\\'),
                        b'\'' => out.push('\''),
                        b'"' => out.push('"'),
                        b'x' => out.push(self.hex(2)?),
                        b'u' => out.push(self.hex(4)?),
                        b'U' => out.push(self.hex(8)?),
                        b'\n' => {}
                        _ => {
                            // Unknown escapes stay as written, as Python keeps them.
                            out.push('\\');
                            self.i -= 1;
                            let c = self.text.get(self.i..)?.chars().next()?;
                            out.push(c);
                            self.i += c.len_utf8();
                        }
                    }
                }
            }
        }
    }

    fn raw_string(&mut self) -> Option<String> {
        let q = self.peek()?;
        self.i += 1;
        let start = self.i;
        while self.i < self.s.len() && self.s[self.i] != q {
            if self.s[self.i] == b'\\' {
                self.i += 1;
            }
            self.i += 1;
        }
        let s = self.text.get(start..self.i)?.to_string();
        self.i += 1;
        (self.i <= self.s.len()).then_some(s)
    }

    fn hex(&mut self, n: usize) -> Option<char> {
        let h = self.text.get(self.i..self.i + n)?;
        self.i += n;
        char::from_u32(u32::from_str_radix(h, 16).ok()?)
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.i;
        while self.i < self.s.len()
            && matches!(
                self.s[self.i],
                b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-' | b'_'
            )
        {
            self.i += 1;
        }
        let t: String = self.text.get(start..self.i)?.replace('_', "");
        if let Ok(n) = t.parse::<i64>() {
            return Some(Value::Number(n.into()));
        }
        let f: f64 = t.parse().ok()?;
        Number::from_f64(f).map(Value::Number)
    }

    /// `True`, `False`, `None`, or a name such as `datetime.datetime(...)` / `Decimal('1.5')` kept as text.
    fn word(&mut self) -> Option<Value> {
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || matches!(self.s[self.i], b'_' | b'.'))
        {
            self.i += 1;
        }
        let w = self.text.get(start..self.i)?;
        if self.peek() == Some(b'(') {
            // Skip the balanced call, strings included, and keep its text.
            let mut depth = 0usize;
            while let Some(c) = self.peek() {
                match c {
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            self.i += 1;
                            break;
                        }
                    }
                    b'\'' | b'"' => {
                        self.string()?;
                        continue;
                    }
                    _ => {}
                }
                self.i += 1;
            }
            if depth != 0 {
                return None;
            }
            return Some(Value::String(self.text.get(start..self.i)?.to_string()));
        }
        Some(match w {
            "True" => Value::Bool(true),
            "False" => Value::Bool(false),
            "None" => Value::Null,
            "nan" | "inf" => Value::Null,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dicts_lists_and_python_words() {
        let v = parse(
            "{'type': 'IAMUser', 'principalId': 'AIDA1', 'mfa': False, 'ok': True, 'x': None, 'n': 3, 'f': -1.5, \
             'l': ['a', (\"b\", 1)], 'nested': {'k': 'v',},}",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"type":"IAMUser","principalId":"AIDA1","mfa":false,"ok":true,"x":null,"n":3,"f":-1.5,
                "l":["a",["b",1]],"nested":{"k":"v"}})
        );
    }

    #[test]
    fn string_escapes_and_quotes() {
        assert_eq!(
            parse(r#"{'q': "it's", 'e': 'a\'b\\c\n\x41\u00e9', 'r': r'\d+', 'u': u'x'}"#).unwrap(),
            json!({"q":"it's","e":"a'b\\c\nA\u{e9}","r":"\\d+","u":"x"})
        );
        // An unknown escape stays as written.
        assert_eq!(parse(r"'\q'").unwrap(), json!("\\q"));
    }

    #[test]
    fn calls_are_kept_as_text() {
        assert_eq!(
            parse("{'t': datetime.datetime(2023, 7, 10, 11, 42, tzinfo=tzutc())}").unwrap(),
            json!({"t": "datetime.datetime(2023, 7, 10, 11, 42, tzinfo=tzutc())"})
        );
    }

    #[test]
    fn not_a_literal_is_none_never_a_panic() {
        for bad in [
            "",
            "{'a': 1",
            "{'a' 1}",
            "{a=1}",
            "'open",
            "[1, 2] tail",
            "f(",
            "'\\x4'",
            "{'k': '\\u00'}",
            "r'x",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        assert_eq!(parse(&"[".repeat(10_000)), None);
    }
}
