//! Sigma rule files: YAML to rules, conditions and value matchers.
