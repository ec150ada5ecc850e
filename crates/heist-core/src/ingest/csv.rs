//! A small RFC 4180 reader: quoted fields with `""` escapes and line breaks inside quotes, CRLF or LF, a BOM
//! already dropped by the decoder. Each record keeps its starting line and byte span for the raw view.

use std::borrow::Cow;

/// One CSV record: where it starts and its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRecord<'a> {
    pub line: u32,
    pub offset: usize,
    pub text: &'a str,
    pub fields: Vec<Cow<'a, str>>,
}

/// Why a record broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    pub line: u32,
    pub message: String,
}

pub struct CsvReader<'a> {
    s: &'a str,
    pos: usize,
    line: u32,
}

impl<'a> CsvReader<'a> {
    pub fn new(s: &'a str) -> Self {
        Self { s, pos: 0, line: 1 }
    }
}

impl<'a> Iterator for CsvReader<'a> {
    type Item = Result<CsvRecord<'a>, CsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.s.as_bytes();
        // Skip blank lines.
        while self.pos < b.len() && (b[self.pos] == b'\n' || b[self.pos] == b'\r') {
            if b[self.pos] == b'\n' {
                self.line += 1;
            }
            self.pos += 1;
        }
        if self.pos >= b.len() {
            return None;
        }
        let start = self.pos;
        let start_line = self.line;
        let mut fields = Vec::new();
        let mut i = self.pos;
        loop {
            if i < b.len() && b[i] == b'"' {
                // Quoted field.
                let mut val = String::new();
                let mut j = i + 1;
                let mut plain_from = j;
                let mut escaped = false;
                loop {
                    match memchr::memchr(b'"', &b[j..]) {
                        None => {
                            self.pos = b.len();
                            return Some(Err(CsvError {
                                line: start_line,
                                message: "unclosed quote: the record never ends".into(),
                            }));
                        }
                        Some(k) => {
                            let q = j + k;
                            self.line += memchr::memchr_iter(b'\n', &b[j..q]).count() as u32;
                            if b.get(q + 1) == Some(&b'"') {
                                val.push_str(&self.s[plain_from..=q]);
                                escaped = true;
                                j = q + 2;
                                plain_from = j;
                            } else {
                                let field = if escaped {
                                    val.push_str(&self.s[plain_from..q]);
                                    Cow::Owned(std::mem::take(&mut val))
                                } else {
                                    Cow::Borrowed(&self.s[i + 1..q])
                                };
                                fields.push(field);
                                i = q + 1;
                                break;
                            }
                        }
                    }
                }
            } else {
                let end = b[i..]
                    .iter()
                    .position(|&c| c == b',' || c == b'\n' || c == b'\r')
                    .map(|k| i + k)
                    .unwrap_or(b.len());
                fields.push(Cow::Borrowed(&self.s[i..end]));
                i = end;
            }
            match b.get(i) {
                Some(b',') => i += 1,
                Some(b'\r') | Some(b'\n') | None => {
                    let end = i;
                    if b.get(i) == Some(&b'\r') {
                        i += 1;
                    }
                    if b.get(i) == Some(&b'\n') {
                        i += 1;
                        self.line += 1;
                    }
                    self.pos = i;
                    return Some(Ok(CsvRecord {
                        line: start_line,
                        offset: start,
                        text: &self.s[start..end],
                        fields,
                    }));
                }
                Some(_) => {
                    // Text after a closing quote: skip to the end of the line and report.
                    let end = b[i..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map(|k| i + k + 1)
                        .unwrap_or(b.len());
                    self.pos = end;
                    self.line += 1;
                    return Some(Err(CsvError {
                        line: start_line,
                        message: "text after a closing quote".into(),
                    }));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_escapes_and_newlines() {
        let s = "a,b,c\r\n1,\"x, \"\"y\"\"\",\"multi\nline\"\n\n2,,3\n";
        let recs: Vec<_> = CsvReader::new(s).map(Result::unwrap).collect();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[1].fields, ["1", "x, \"y\"", "multi\nline"]);
        assert_eq!(recs[1].line, 2);
        assert_eq!(recs[2].line, 5);
        assert_eq!(recs[2].fields, ["2", "", "3"]);
    }

    #[test]
    fn broken_records_are_errors_not_panics() {
        let mut r = CsvReader::new("a,b\n\"open,1\n");
        assert!(r.next().unwrap().is_ok());
        assert!(r.next().unwrap().is_err());
        assert!(r.next().is_none());
        let mut r = CsvReader::new("\"a\"x,b\nc,d\n");
        assert!(r.next().unwrap().is_err());
        assert_eq!(r.next().unwrap().unwrap().fields, ["c", "d"]);
    }
}
