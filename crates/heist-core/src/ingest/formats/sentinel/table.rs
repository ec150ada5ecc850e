//! Which Log Analytics table a row comes from: its `Type` column when the export kept it, else the columns only
//! that table has.

/// The tables heist reads, each rebuilt as the record its connector ingested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Table {
    AwsCloudTrail,
    GcpAuditLogs,
    AuditLogs,
    SignIn(SignIn),
    OfficeActivity,
}

/// The Entra sign-in tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SignIn {
    Interactive,
    NonInteractive,
    ServicePrincipal,
    ManagedIdentity,
}

impl SignIn {
    /// The diagnostic-settings category of this log.
    pub(super) fn category(self) -> &'static str {
        match self {
            SignIn::Interactive => "SignInLogs",
            SignIn::NonInteractive => "NonInteractiveUserSignInLogs",
            SignIn::ServicePrincipal => "ServicePrincipalSignInLogs",
            SignIn::ManagedIdentity => "ManagedIdentitySignInLogs",
        }
    }
}

/// A table by its name (the `Type` column).
pub(super) fn by_name(name: &str) -> Option<Table> {
    let t = match name.trim().to_ascii_lowercase().as_str() {
        "awscloudtrail" => Table::AwsCloudTrail,
        "gcpauditlogs" => Table::GcpAuditLogs,
        "auditlogs" => Table::AuditLogs,
        "signinlogs" => Table::SignIn(SignIn::Interactive),
        "aadnoninteractiveusersigninlogs" => Table::SignIn(SignIn::NonInteractive),
        "aadserviceprincipalsigninlogs" => Table::SignIn(SignIn::ServicePrincipal),
        "aadmanagedidentitysigninlogs" => Table::SignIn(SignIn::ManagedIdentity),
        "officeactivity" => Table::OfficeActivity,
        _ => return None,
    };
    Some(t)
}

/// Tables whose JSON rows (with their `Type` column) the `azure` format reads itself: such rows alone do not make a
/// file a Sentinel export.
pub(super) fn read_natively(name: &str) -> bool {
    matches!(
        name.trim().to_ascii_lowercase().as_str(),
        "azureactivity"
            | "signinlogs"
            | "aadnoninteractiveusersigninlogs"
            | "aadserviceprincipalsigninlogs"
            | "aadmanagedidentitysigninlogs"
            | "auditlogs"
    )
}

/// A table by the columns only it has (documented in "Azure Monitor Logs reference" for each table).
pub(super) fn by_columns(has: &dyn Fn(&str) -> bool) -> Option<Table> {
    if has("EventName")
        && has("EventSource")
        && (has("UserIdentityType") || has("UserIdentityArn") || has("AwsEventId"))
    {
        return Some(Table::AwsCloudTrail);
    }
    if has("MethodName")
        && has("ServiceName")
        && (has("PrincipalEmail") || has("InsertId") || has("GCPResourceName"))
    {
        return Some(Table::GcpAuditLogs);
    }
    if has("Operation") && has("OfficeWorkload") {
        return Some(Table::OfficeActivity);
    }
    if has("OperationName") && has("InitiatedBy") && has("TargetResources") {
        return Some(Table::AuditLogs);
    }
    let signin = (has("UserPrincipalName") || has("ServicePrincipalId"))
        && has("ResultType")
        && (has("AppId") || has("AppDisplayName") || has("ResourceDisplayName"))
        && (has("IPAddress") || has("UniqueTokenIdentifier"));
    if signin {
        // Which sign-in log: the caller decides per row (`Category`); a user column says a user sign-in.
        let kind = if has("UserPrincipalName") {
            SignIn::Interactive
        } else {
            SignIn::ServicePrincipal
        };
        return Some(Table::SignIn(kind));
    }
    None
}

/// The sign-in log a row of a sign-in table belongs to, from its `Category` (the diagnostic category the row was
/// ingested from), else what the table suggested.
pub(super) fn signin_kind(category: Option<&str>, fallback: SignIn) -> SignIn {
    match category.map(|c| c.trim().to_ascii_lowercase()).as_deref() {
        Some("signinlogs") => SignIn::Interactive,
        Some("noninteractiveusersigninlogs") => SignIn::NonInteractive,
        Some("serviceprincipalsigninlogs") | Some("microsoftserviceprincipalsigninlogs") => {
            SignIn::ServicePrincipal
        }
        Some("managedidentitysigninlogs") => SignIn::ManagedIdentity,
        _ => fallback,
    }
}
