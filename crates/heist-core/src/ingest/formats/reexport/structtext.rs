//! Nested values written as `{key=value, key2={...}, list=[{...}, {...}]}`: how Athena (Presto / Trino) prints a
//! struct or map column in its CSV results, and how Elastic's CloudTrail pipeline keeps `request_parameters` and
//! `response_elements` (Java's `Map.toString()`). Values are unquoted, so a value runs to the next `, name=` or to
//! the closing bracket; `null` is null and every other value is text.

use serde_json::{Map, Value};

/// Parse a whole struct / map / array text; `None` when the text is not one.
pub fn parse(text: &str) -> Option<Value> {
    let t = text.trim();
    if !(t.starts_with('{') || t.starts_with('[')) {
        return None;
    }
    let mut p = Parser {
        s: t.as_bytes(),
        text: t,
        i: 0,
        depth: 0,
    };
    let v = p.value(Ctx::Top)?;
    (p.i == p.s.len() && (v.is_object() || v.is_array())).then_some(v)
}

const MAX_DEPTH: usize = 128;

#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Top,
    Member,
    Element,
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    fn spaces(&mut self) {
        while self.s.get(self.i) == Some(&b' ') {
            self.i += 1;
        }
    }

    fn value(&mut self, ctx: Ctx) -> Option<Value> {
        match self.s.get(self.i) {
            Some(b'{') if self.looks_like_struct() => self.object(),
            Some(b'[') => self.array(),
            _ => Some(self.scalar(ctx)),
        }
    }

    /// `{}` or `{name=`: a struct, not a scalar that happens to start with a brace.
    fn looks_like_struct(&self) -> bool {
        let rest = &self.s[self.i + 1..];
        if rest.first() == Some(&b'}') {
            return true;
        }
        let n = rest.iter().take_while(|&&c| is_key_byte(c)).count();
        n > 0 && rest.get(n) == Some(&b'=')
    }

    fn object(&mut self) -> Option<Value> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        self.i += 1;
        let mut map = Map::new();
        if self.s.get(self.i) == Some(&b'}') {
            self.i += 1;
            self.depth -= 1;
            return Some(Value::Object(map));
        }
        loop {
            self.spaces();
            let start = self.i;
            while self.i < self.s.len() && is_key_byte(self.s[self.i]) {
                self.i += 1;
            }
            if self.i == start || self.s.get(self.i) != Some(&b'=') {
                return None;
            }
            let key = self.text[start..self.i].to_string();
            self.i += 1;
            let v = self.value(Ctx::Member)?;
            map.insert(key, v);
            match self.s.get(self.i)? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    self.depth -= 1;
                    return Some(Value::Object(map));
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self) -> Option<Value> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        self.i += 1;
        let mut list = Vec::new();
        if self.s.get(self.i) == Some(&b']') {
            self.i += 1;
            self.depth -= 1;
            return Some(Value::Array(list));
        }
        loop {
            self.spaces();
            list.push(self.value(Ctx::Element)?);
            match self.s.get(self.i)? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    self.depth -= 1;
                    return Some(Value::Array(list));
                }
                _ => return None,
            }
        }
    }

    /// Text up to where the enclosing struct or array goes on: `, name=` or `}` for a member, `, ` or `]` for an
    /// element, the end for the whole text.
    fn scalar(&mut self, ctx: Ctx) -> Value {
        let start = self.i;
        let b = self.s;
        while self.i < b.len() {
            match (ctx, b[self.i]) {
                (Ctx::Member, b'}') | (Ctx::Element, b']') => break,
                (Ctx::Member, b',') if self.member_follows(self.i + 1) => break,
                (Ctx::Element, b',') => break,
                _ => self.i += 1,
            }
        }
        let t = &self.text[start..self.i];
        if t == "null" {
            Value::Null
        } else {
            Value::String(t.to_string())
        }
    }

    /// Whether ` name=` starts at `at` (the next member of the struct).
    fn member_follows(&self, at: usize) -> bool {
        let mut j = at;
        while self.s.get(j) == Some(&b' ') {
            j += 1;
        }
        let n = self.s[j.min(self.s.len())..]
            .iter()
            .take_while(|&&c| is_key_byte(c))
            .count();
        n > 0 && self.s.get(j + n) == Some(&b'=')
    }
}

fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'$' | b'@' | b':')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn athena_user_identity_struct() {
        let t = "{type=AssumedRole, principalid=AROA1:s, arn=arn:aws:sts::1:assumed-role/r/s, accountid=1, \
                 invokedby=null, accesskeyid=ASIA1, username=null, sessioncontext={attributes={mfaauthenticated=false, \
                 creationdate=2026-10-05T02:00:00Z}, sessionissuer={type=Role, principalid=AROA1, \
                 arn=arn:aws:iam::1:role/r, accountid=1, username=r}, ec2roledelivery=null, webidfederationdata=null}}";
        assert_eq!(
            parse(t).unwrap(),
            json!({"type":"AssumedRole","principalid":"AROA1:s","arn":"arn:aws:sts::1:assumed-role/r/s","accountid":"1",
                "invokedby":null,"accesskeyid":"ASIA1","username":null,"sessioncontext":{"attributes":{"mfaauthenticated":"false",
                "creationdate":"2026-10-05T02:00:00Z"},"sessionissuer":{"type":"Role","principalid":"AROA1",
                "arn":"arn:aws:iam::1:role/r","accountid":"1","username":"r"},"ec2roledelivery":null,"webidfederationdata":null}})
        );
    }

    #[test]
    fn arrays_of_structs_and_java_maps_with_commas_in_values() {
        assert_eq!(
            parse("[{arn=arn:aws:s3:::b/k, accountid=1, type=AWS::S3::Object}, {arn=arn:aws:s3:::b, type=AWS::S3::Bucket}]")
                .unwrap(),
            json!([{"arn":"arn:aws:s3:::b/k","accountid":"1","type":"AWS::S3::Object"},{"arn":"arn:aws:s3:::b","type":"AWS::S3::Bucket"}])
        );
        assert_eq!(
            parse("{accessKey={accessKeyId=EXAMPLE_KEY_ID, userName=Bob, status=Active, createDate=Jan 8, 2020 8:43:06 PM}}")
                .unwrap(),
            json!({"accessKey":{"accessKeyId":"EXAMPLE_KEY_ID","userName":"Bob","status":"Active","createDate":"Jan 8, 2020 8:43:06 PM"}})
        );
        assert_eq!(
            parse("{x-amz-id-2=hF/pD1=, bytesTransferredOut=224, x-amz-copy-source=b/k}").unwrap(),
            json!({"x-amz-id-2":"hF/pD1=","bytesTransferredOut":"224","x-amz-copy-source":"b/k"})
        );
        assert_eq!(parse("[a, b]").unwrap(), json!(["a", "b"]));
        assert_eq!(parse("{}").unwrap(), json!({}));
    }

    #[test]
    fn not_a_struct_is_none() {
        for bad in [
            "",
            "plain",
            "{\"a\":1}",
            "{a=1",
            "{a=1} tail",
            "[{a=1}",
            "{=1}",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        assert_eq!(parse(&"[".repeat(10_000)), None);
    }
}
