//! Rules count calls, not records ([`crate::frame::Calls`]), and a credential's calls stay one group even where a
//! source names only the identity.
//!
//! - The *principal* of a record is its token, else the only token its identity ever used in the bundle (a session
//!   ARN has exactly one key), else its identity.

use super::FastMap;

use super::{Ctx, Key, NULL};
use crate::detect::DetectError;
use crate::frame::Col;

/// Marker for an identity seen with more than one token.
const MANY: u32 = u32::MAX - 1;

pub(crate) struct Joins {
    /// Which record stands for each call.
    primary: crate::frame::Calls,
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
        let primary = crate::frame::Calls::build(ctx.df)?;
        Ok(Joins {
            primary,
            only_token,
        })
    }

    /// Whether any record repeats another.
    pub fn has_repeats(&self) -> bool {
        self.primary.has_repeats()
    }

    /// The primary record of row `r`'s call.
    pub fn primary(&self, r: u32) -> u32 {
        self.primary.primary(r)
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
