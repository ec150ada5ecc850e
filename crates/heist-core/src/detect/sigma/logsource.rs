//! A Sigma `logsource` as heist's frame holds it: which rows a rule runs over, and how its field names reach the
//! raw record behind each row.
//!
//! | Sigma logsource | rows |
//! |---|---|
//! | `aws` / `cloudtrail` | `provider:aws`, every source but S3 access logs and model-invocation logs (CloudTrail as AWS delivers it, LookupEvents output, and every SIEM / lake re-export heist reads: Splunk, Elastic, Sentinel, Datadog, OCSF) |
//! | `azure` / any service (`activitylogs`, `auditlogs`, `signinlogs`, `riskdetection`, `pim`) | `provider:azure` but Azure OpenAI diagnostics |
//! | `gcp` / `gcp.audit`, `google_workspace.admin`, `google_workspace.login` | `source:gcp` (Cloud Audit Logs carry Workspace admin and login events) |
//! | `m365` / any service | `source:m365` (Management Activity API records) |
//! | `kubernetes` / `audit` | `provider:k8s` (API server audit events, native or through AKS / GKE exports) |
//!
//! Any other logsource (Okta, GitHub, Bitbucket, OneLogin, Duo, endpoint categories) names logs heist does not read:
//! such a rule is listed as skipped with the reason, never silently dropped.

/// The family of records a logsource names: how field names resolve, and which frame columns stand for fields
/// when a raw record cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    CloudTrail,
    Azure,
    Gcp,
    M365,
    Kubernetes,
}

impl Class {
    /// A key the native record of this family always has at its top level: how the original record is found
    /// inside a SIEM's wrapper (`_raw`, `event.original`, LookupEvents' `CloudTrailEvent`).
    pub fn marker(self) -> &'static [&'static str] {
        match self {
            Class::CloudTrail => &["eventName", "eventSource"],
            Class::Azure => &["operationName", "OperationName", "OperationNameValue"],
            Class::Gcp => &["protoPayload"],
            Class::M365 => &["Operation", "Workload"],
            Class::Kubernetes => &["verb", "auditID"],
        }
    }
}

/// Where a rule runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub class: Class,
    /// Query-language terms selecting the rows (`provider:aws -source:s3access,bedrock`).
    pub rows: &'static str,
}

/// The target of a logsource, or why heist cannot run it. Product, service and category are lower-cased.
pub fn target(
    product: Option<&str>,
    service: Option<&str>,
    category: Option<&str>,
) -> Result<Target, String> {
    let t = |class, rows| Ok(Target { class, rows });
    match (product, service) {
        (Some("aws"), Some("cloudtrail")) => t(
            Class::CloudTrail,
            "provider:aws -source:s3access,bedrock",
        ),
        (Some("azure"), Some(_)) => t(Class::Azure, "provider:azure -source:azure_openai"),
        (Some("gcp"), Some("gcp.audit" | "google_workspace.admin" | "google_workspace.login")) => {
            t(Class::Gcp, "source:gcp")
        }
        (Some("m365"), Some(_)) => t(Class::M365, "source:m365"),
        (Some("kubernetes"), Some("audit")) => t(Class::Kubernetes, "provider:k8s"),
        (Some("okta"), s) => Err(format!(
            "logsource {}: heist reads Okta only as OCSF events, which do not keep the System Log fields Sigma names",
            name(Some("okta"), s, category)
        )),
        (Some(p), s) => Err(format!(
            "logsource {}: heist reads no such logs",
            name(Some(p), s, category)
        )),
        (None, s) => Err(format!(
            "logsource {}: heist reads cloud and model-access logs, not this category",
            name(None, s, category)
        )),
    }
}

/// `product/service` (or the category), as the check table prints it.
pub fn name(product: Option<&str>, service: Option<&str>, category: Option<&str>) -> String {
    match (product, service, category) {
        (Some(p), Some(s), _) => format!("{p}/{s}"),
        (Some(p), None, Some(c)) => format!("{p}/{c}"),
        (Some(p), None, None) => p.to_string(),
        (None, Some(s), _) => s.to_string(),
        (None, None, Some(c)) => c.to_string(),
        (None, None, None) => "(none)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_logsources_have_rows_and_others_a_reason() {
        assert_eq!(
            target(Some("aws"), Some("cloudtrail"), None).map(|t| t.class),
            Ok(Class::CloudTrail)
        );
        assert_eq!(
            target(Some("azure"), Some("signinlogs"), None).map(|t| t.class),
            Ok(Class::Azure)
        );
        assert_eq!(
            target(Some("gcp"), Some("google_workspace.login"), None).map(|t| t.class),
            Ok(Class::Gcp)
        );
        assert_eq!(
            target(Some("kubernetes"), Some("audit"), None).map(|t| t.class),
            Ok(Class::Kubernetes)
        );
        assert_eq!(
            target(Some("m365"), Some("audit"), None).map(|t| t.class),
            Ok(Class::M365)
        );
        let e = target(Some("github"), Some("audit"), None).unwrap_err();
        assert_eq!(e, "logsource github/audit: heist reads no such logs");
        let e = target(None, None, Some("process_creation")).unwrap_err();
        assert!(e.starts_with("logsource process_creation:"), "{e}");
        assert!(target(Some("okta"), Some("okta"), None)
            .unwrap_err()
            .contains("OCSF"));
        // Every row selection is a valid query.
        for (p, s) in [
            ("aws", "cloudtrail"),
            ("azure", "auditlogs"),
            ("gcp", "gcp.audit"),
            ("m365", "exchange"),
            ("kubernetes", "audit"),
        ] {
            let t = target(Some(p), Some(s), None).unwrap();
            crate::query::parse::parse(t.rows).unwrap();
        }
    }
}
