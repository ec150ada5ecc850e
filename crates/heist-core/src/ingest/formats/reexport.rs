//! What the re-export formats (Splunk, Elastic / OpenSearch, Datadog, CloudTrail as CSV) share: the envelopes
//! search APIs put documents in, documents with dotted keys, the text forms a nested value takes in a CSV cell or a
//! SIEM field (JSON, Python literals, Hive / Java map text), and rebuilding a CloudTrail record from mapped fields.

pub mod containers;
pub mod ctrecord;
pub mod dotted;
pub mod pylit;
pub mod structtext;

#[cfg(test)]
pub mod testkit;
