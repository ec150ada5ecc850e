//! What a matcher asks of a record: its values at a Sigma field name, and its whole text.

use std::borrow::Cow;

use serde_json::Value;

/// A record as the engine resolves it.
///
/// How the matcher reads [`Record::values`]: each returned value is tried in turn (any may match). A
/// `Value::Array` is matched element by element (nested arrays are flattened); an object, alone or as an
/// array element, is matched as its compact JSON text. Numbers and booleans are matched as themselves and as
/// their text (`"403"` matches a rule's `403`, and `403` a rule's `'40*'`). `Value::Null` is a present field
/// holding null: it matches a rule's `null` and `|exists: true`, and no string.
pub trait Record {
    /// The values at a Sigma field name (dotted path as written in the rule, e.g. `userIdentity.type`,
    /// `requestParameters`): empty when the record has no such field. A field present with JSON null yields
    /// `Value::Null`. Arrays are returned as one `Value::Array` (the matcher matches element by element).
    fn values(&self, field: &str) -> Vec<Cow<'_, Value>>;
    /// The whole record's text, for keyword searches (matched case-insensitively, as substrings).
    fn text(&self) -> &str;
}
