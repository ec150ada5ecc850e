//! One call, several records: a bundle holds CloudTrail's GetObject and the S3 server access log line for it, or
//! CloudTrail's InvokeModel and the Bedrock invocation log line, joined by the request id. Rules count calls, not
//! records, and a credential's calls stay one group even where a source names only the identity.
//!
//! - The *primary* record of a call is the first one in frame order; a record of another source with the same
//!   request id repeats it. (Records of the same source sharing an id are different events: an Azure deployment's
//!   operations share one correlation id.)
//! - The *principal* of a record is its token, else the only token its identity ever used in the bundle (a session
//!   ARN has exactly one key), else its identity.

use super::FastMap;

use super::{Ctx, Key, NULL};
use crate::detect::DetectError;
use crate::frame::Col;

/// Marker for an identity seen with more than one token.
const MANY: u32 = u32::MAX - 1;

pub(crate) struct Joins {
    /// Row -> its call's primary row; empty when no record repeats another.
    primary: Vec<u32>,
    /// Identity code -> its only token code (or `MANY`).
    only_token: FastMap<u32, u32>,
}

impl Joins {
    pub fn build(ctx: &Ctx<'_>) -> Result<Self, DetectError> {
        let identity = ctx.codes(Col::Identity)?;
        let token = ctx.codes(Col::Token)?;
        let mut only_token: FastMap<u32, u32> = FastMap::default();
        for (&i, &t) in identity.iter().zip(token) {
            if i == NULL || t == NULL {
                continue;
            }
            only_token
                .entry(i)
                .and_modify(|x| {
                    if *x != t {
                        *x = MANY;
                    }
                })
                .or_insert(t);
        }
        let source = ctx.codes(Col::Source)?;
        let first = source.iter().copied().find(|&s| s != NULL);
        let mixed = source.iter().any(|&s| s != NULL && Some(s) != first);
        let mut primary = Vec::new();
        if mixed {
            if let Ok(c) = ctx.df.column(Col::RequestId.name()) {
                let ids = c.str()?;
                // Request ids are log content: a keyed (SipHash) map, not the fixed fast hasher.
                // Case-insensitive: CloudTrail and the Bedrock invocation log spell one id in different case.
                let mut first_of: std::collections::HashMap<String, (u32, u32)> =
                    std::collections::HashMap::new();
                let mut any = false;
                primary = (0..ctx.n as u32).collect();
                for (r, id) in ids.iter().enumerate() {
                    let Some(id) = id.filter(|s| !s.is_empty()) else {
                        continue;
                    };
                    let id = id.to_ascii_lowercase();
                    match first_of.get(&id) {
                        Some(&(row, src)) if src != source[r] => {
                            primary[r] = row;
                            any = true;
                        }
                        Some(_) => {}
                        None => {
                            first_of.insert(id, (r as u32, source[r]));
                        }
                    }
                }
                if !any {
                    primary = Vec::new();
                }
            }
        }
        Ok(Joins {
            primary,
            only_token,
        })
    }

    /// Whether any record repeats another.
    pub fn has_repeats(&self) -> bool {
        !self.primary.is_empty()
    }

    /// The primary record of row `r`'s call.
    pub fn primary(&self, r: u32) -> u32 {
        self.primary.get(r as usize).copied().unwrap_or(r)
    }

    /// The principal of a record: token, else the identity's only token, else the identity.
    pub fn principal(&self, identity: u32, token: u32) -> Option<Key> {
        if token != NULL {
            return Some(Key {
                col: Col::Token,
                code: token,
            });
        }
        if identity == NULL {
            return None;
        }
        match self.only_token.get(&identity) {
            Some(&t) if t != MANY => Some(Key {
                col: Col::Token,
                code: t,
            }),
            _ => Some(Key {
                col: Col::Identity,
                code: identity,
            }),
        }
    }
}
