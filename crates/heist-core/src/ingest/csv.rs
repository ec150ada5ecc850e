//! CSV records for mapped sources, read with the `csv` crate: RFC 4180 quoting (`""` escapes, line breaks inside
//! quotes), CRLF, LF or CR line ends, blank lines skipped, rows of any length (a BOM is already dropped by the
//! decoder). Each record keeps its starting line and byte span, for the raw view and the record's identity. A
//! record whose quoting is broken (a quote never closed, text after a closing quote) is an error at its line,
//! and reading goes on with the next line.

/// One CSV record: where it starts and its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRecord<'a> {
    pub line: u32,
    pub offset: usize,
    /// The record as written, without its line end.
    pub text: &'a str,
    pub fields: Vec<String>,
}

/// Why a record broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    pub line: u32,
    pub message: String,
}

pub struct CsvReader<'a> {
    s: &'a str,
    rdr: csv::Reader<&'a [u8]>,
    /// Where `rdr`'s input starts in `s`, and that byte's line: reading starts afresh after a broken record.
    base: usize,
    base_line: u64,
    record: csv::StringRecord,
}

fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

impl<'a> CsvReader<'a> {
    pub fn new(s: &'a str) -> Self {
        Self {
            s,
            rdr: reader(s.as_bytes()),
            base: 0,
            base_line: 1,
            record: csv::StringRecord::new(),
        }
    }

    /// Go on reading at the line after byte `at` (the rest of a broken record's line is not read).
    fn resume_after_line_of(&mut self, at: usize) {
        let b = self.s.as_bytes();
        let at = at.min(b.len());
        let next = memchr::memchr(b'\n', &b[at..]).map_or(b.len(), |k| at + k + 1);
        self.base_line = 1 + memchr::memchr_iter(b'\n', &b[..next]).count() as u64;
        self.base = next;
        self.rdr = reader(&b[next..]);
    }
}

impl<'a> Iterator for CsvReader<'a> {
    type Item = Result<CsvRecord<'a>, CsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        let before = self.rdr.position().clone();
        let read = self.rdr.read_record(&mut self.record);
        // The reader's position before a record includes the blank lines it skips on the way to it.
        let b = self.s.as_bytes();
        let mut start = (self.base + before.byte() as usize).min(b.len());
        let mut line = self.base_line + before.line() - 1;
        while start < b.len() && matches!(b[start], b'\r' | b'\n') {
            line += u64::from(b[start] == b'\n');
            start += 1;
        }
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        match read {
            Ok(false) => None,
            Err(e) => Some(Err(CsvError {
                line,
                message: e.to_string(),
            })),
            Ok(true) => {
                let end = (self.base + self.rdr.position().byte() as usize).clamp(start, b.len());
                let text = self.s[start..end].trim_end_matches(['\r', '\n']);
                let message = match quoting(text.as_bytes()) {
                    Quoting::Fine => {
                        return Some(Ok(CsvRecord {
                            line,
                            offset: start,
                            text,
                            fields: self.record.iter().map(str::to_string).collect(),
                        }))
                    }
                    Quoting::Unclosed => "unclosed quote: the record never ends",
                    Quoting::TextAfterQuote(at) => {
                        self.resume_after_line_of(start + at);
                        "text after a closing quote"
                    }
                };
                Some(Err(CsvError {
                    line,
                    message: message.into(),
                }))
            }
        }
    }
}

/// A record's quoting, as heist judges it.
enum Quoting {
    Fine,
    /// A quote is never closed: the `csv` crate runs the field to the end of the file, and so does heist.
    Unclosed,
    /// Text follows a closing quote at this byte: the `csv` crate joins it to the field; heist reports the record
    /// and goes on at the next line.
    TextAfterQuote(usize),
}

fn quoting(record: &[u8]) -> Quoting {
    let mut i = 0;
    loop {
        if record.get(i) != Some(&b'"') {
            // An unquoted field runs to the next comma.
            match record.get(i..).and_then(|r| memchr::memchr(b',', r)) {
                Some(k) => i += k + 1,
                None => return Quoting::Fine,
            }
            continue;
        }
        i += 1;
        loop {
            let Some(k) = record.get(i..).and_then(|r| memchr::memchr(b'"', r)) else {
                return Quoting::Unclosed;
            };
            i += k + 1;
            if record.get(i) != Some(&b'"') {
                break;
            }
            i += 1;
        }
        match record.get(i) {
            None => return Quoting::Fine,
            Some(b',') => i += 1,
            Some(_) => return Quoting::TextAfterQuote(i),
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

    #[test]
    fn records_keep_their_line_and_span() {
        let s = "\n\nh1,h2\r\n\r\n\"a\nb\",2\rx,\"\"\n";
        let recs: Vec<_> = CsvReader::new(s).map(Result::unwrap).collect();
        let spans: Vec<_> = recs.iter().map(|r| (r.line, r.offset, r.text)).collect();
        assert_eq!(
            spans,
            [(3, 2, "h1,h2"), (5, 11, "\"a\nb\",2"), (6, 19, "x,\"\"")]
        );
        assert_eq!(recs[2].fields, ["x", ""]);
    }

    #[test]
    fn ragged_rows_and_errors_carry_their_line() {
        let s = "a,b,c\n1\n\"x\"y,2\n3,4,5,6\n";
        let got: Vec<_> = CsvReader::new(s)
            .map(|r| r.map(|r| r.fields.len()).map_err(|e| (e.line, e.message)))
            .collect();
        assert_eq!(
            got,
            [
                Ok(3),
                Ok(1),
                Err((3, "text after a closing quote".to_string())),
                Ok(4)
            ]
        );
    }
}
