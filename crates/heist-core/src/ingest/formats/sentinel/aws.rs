//! `AWSCloudTrail` rows back into the CloudTrail event Sentinel's AWS connector ingested: the flattened
//! `UserIdentity*` / `SessionIssuer*` columns regrouped under `userIdentity`, the JSON-string columns
//! (`RequestParameters`, `ResponseElements`, `AdditionalEventData`, `Resources`, `ServiceEventDetails`) parsed back,
//! so the `cloudtrail` format reads lineage, assets and bytes exactly as from the trail itself. Column names follow
//! the "AWSCloudTrail" table reference of Azure Monitor Logs.

use serde_json::{Map, Value};

use super::cells::{boolean, first, json, put, put_or_null, text, Cells};

fn group(m: Map<String, Value>) -> Option<Value> {
    (!m.is_empty()).then_some(Value::Object(m))
}

fn user_identity(r: &Cells) -> Option<Value> {
    let mut ui = Map::new();
    put(&mut ui, "type", text(r, "UserIdentityType"));
    put(&mut ui, "principalId", text(r, "UserIdentityPrincipalid"));
    put(&mut ui, "arn", text(r, "UserIdentityArn"));
    put(&mut ui, "accountId", text(r, "UserIdentityAccountId"));
    put(&mut ui, "accessKeyId", text(r, "UserIdentityAccessKeyId"));
    put(&mut ui, "userName", text(r, "UserIdentityUserName"));
    put(&mut ui, "invokedBy", text(r, "UserIdentityInvokedBy"));

    let mut issuer = Map::new();
    put(&mut issuer, "type", text(r, "SessionIssuerType"));
    put(
        &mut issuer,
        "principalId",
        text(r, "SessionIssuerPrincipalId"),
    );
    put(&mut issuer, "arn", text(r, "SessionIssuerArn"));
    put(&mut issuer, "accountId", text(r, "SessionIssuerAccountId"));
    put(&mut issuer, "userName", text(r, "SessionIssuerUserName"));
    let mut attributes = Map::new();
    put(
        &mut attributes,
        "creationDate",
        text(r, "SessionCreationDate"),
    );
    put(
        &mut attributes,
        "mfaAuthenticated",
        boolean(r, "SessionMfaAuthenticated").map(|b| b.to_string()),
    );
    let mut session = Map::new();
    put(&mut session, "sessionIssuer", group(issuer));
    put(&mut session, "attributes", group(attributes));
    put(&mut session, "ec2RoleDelivery", text(r, "EC2RoleDelivery"));
    put(&mut ui, "sessionContext", group(session));

    // IAM Identity Center users acting through a role.
    let mut on_behalf = Map::new();
    put(&mut on_behalf, "userId", text(r, "UserIdentityUserId"));
    put(
        &mut on_behalf,
        "identityStoreArn",
        text(r, "UserIdentityStoreArn"),
    );
    put(&mut ui, "onBehalfOf", group(on_behalf));
    group(ui)
}

/// The CloudTrail event an `AWSCloudTrail` row was made from.
pub(super) fn cloudtrail(r: &Cells) -> Value {
    let mut ev = Map::new();
    put(&mut ev, "eventVersion", text(r, "EventVersion"));
    // The keys the cloudtrail format recognises an event by are always present (null when the export lacks them),
    // so a row with a missing time is reported as such rather than as an unknown record.
    put_or_null(&mut ev, "eventTime", text(r, "TimeGenerated"));
    put_or_null(&mut ev, "eventSource", text(r, "EventSource"));
    put_or_null(&mut ev, "eventName", text(r, "EventName"));
    put_or_null(&mut ev, "awsRegion", text(r, "AWSRegion"));
    put(&mut ev, "userIdentity", user_identity(r));
    put(&mut ev, "sourceIPAddress", text(r, "SourceIpAddress"));
    put(&mut ev, "userAgent", text(r, "UserAgent"));
    put(&mut ev, "errorCode", text(r, "ErrorCode"));
    put(&mut ev, "errorMessage", text(r, "ErrorMessage"));
    put(&mut ev, "requestParameters", json(r, "RequestParameters"));
    put(&mut ev, "responseElements", json(r, "ResponseElements"));
    put(
        &mut ev,
        "additionalEventData",
        json(r, "AdditionalEventData"),
    );
    // `AwsRequestId` is deprecated in favour of `AwsRequestId_`.
    put(
        &mut ev,
        "requestID",
        first(r, &["AwsRequestId_", "AwsRequestId"]),
    );
    put(&mut ev, "eventID", text(r, "AwsEventId"));
    put(&mut ev, "readOnly", boolean(r, "ReadOnly"));
    put(&mut ev, "resources", json(r, "Resources"));
    put(&mut ev, "eventType", text(r, "EventTypeName"));
    put(&mut ev, "apiVersion", text(r, "APIVersion"));
    put(&mut ev, "managementEvent", boolean(r, "ManagementEvent"));
    put(&mut ev, "recipientAccountId", text(r, "RecipientAccountId"));
    put(
        &mut ev,
        "serviceEventDetails",
        json(r, "ServiceEventDetails"),
    );
    put(&mut ev, "sharedEventID", text(r, "SharedEventId"));
    put(&mut ev, "vpcEndpointId", text(r, "VpcEndpointId"));
    put(&mut ev, "eventCategory", text(r, "Category"));
    let mut tls = Map::new();
    put(&mut tls, "tlsVersion", text(r, "TlsVersion"));
    put(&mut tls, "cipherSuite", text(r, "CipherSuite"));
    put(
        &mut tls,
        "clientProvidedHostHeader",
        text(r, "ClientProvidedHostHeader"),
    );
    put(&mut ev, "tlsDetails", group(tls));
    Value::Object(ev)
}
