//! The AWS execution, lateral-movement, exposure and evasion rules, each alone: commands and sessions through
//! Systems Manager, user data replaced, Lambda code and layers, SSH keys pushed to instances, GPU launches, leaving
//! the organization, SSH opened to the internet. Each fires on records in the real CloudTrail shapes (and on its
//! Stratus Red Team detonation when the public datasets are present) and stays silent on the routine look-alike.

use crate::detect_support;

use detect_support::*;

fn ci() -> Who {
    user("ci-deployer", "AKIAQ3EGRZTSTOLEN7CI")
}

/// One call with parameters, as a bundle on disk (raw records readable).
fn one(source: &str, name: &str, params: Value) -> OnDisk {
    let ci = ci();
    let mut tr = Trail::new();
    tr.add(api(day1(), &ci, source, name, EVIL, params));
    tr.on_disk()
}

#[test]
fn ssm_command_sent() {
    let p = json!({"documentName": "AWS-RunShellScript", "instanceIds": ["i-0a1b2c3d4e5f60718"], "interactive": false,
        "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS"});
    let f = fires(
        "ssm-command-sent",
        &one("ssm.amazonaws.com", "SendCommand", p.clone()),
    );
    assert!(
        f[0].explanation
            .starts_with("1 SendCommand by token AKIAQ3EGRZTSTOLEN7CI"),
        "{}",
        f[0].explanation
    );
    for technique in [
        "aws.execution.ssm-send-command",
        "aws.credential-access.ec2-steal-instance-credentials",
    ] {
        if let Some(s) = stratus(technique) {
            fires("ssm-command-sent", &s);
        }
    }
    silent(
        "ssm-command-sent",
        &one("ssm.amazonaws.com", "GetCommandInvocation", p),
    );
}

#[test]
fn ssm_session_started() {
    let p = json!({"target": "i-0a1b2c3d4e5f60718"});
    fires(
        "ssm-session-started",
        &one("ssm.amazonaws.com", "StartSession", p.clone()),
    );
    if let Some(s) = stratus("aws.execution.ssm-start-session") {
        let f = fires("ssm-session-started", &s);
        assert_eq!(f[0].events_total, 3, "three sessions, one finding");
    }
    silent(
        "ssm-session-started",
        &one("ssm.amazonaws.com", "TerminateSession", p),
    );
}

#[test]
fn ec2_user_data_modified() {
    let set = |params: Value| one("ec2.amazonaws.com", "ModifyInstanceAttribute", params);
    let f = fires(
        "ec2-user-data-modified",
        &set(json!({"instanceId": "i-0a1b2c3d4e5f60718", "userData": "<sensitiveDataRemoved>"})),
    );
    assert!(
        f[0].explanation
            .contains("(requestParameters.userData <sensitiveDataRemoved>)"),
        "{}",
        f[0].explanation
    );
    if let Some(s) = stratus("aws.execution.ec2-user-data") {
        fires("ec2-user-data-modified", &s);
    }
    // Termination protection switched off by an IaC run; user data edited in the console.
    silent(
        "ec2-user-data-modified",
        &set(
            json!({"instanceId": "i-0a1b2c3d4e5f60718", "disableApiTermination": {"value": false}}),
        ),
    );
    let ci = ci();
    let mut tr = Trail::new();
    tr.add(api(
        day1(),
        &ci,
        "ec2.amazonaws.com",
        "ModifyInstanceAttribute",
        "AWS Internal",
        json!({"instanceId": "i-0a1b2c3d4e5f60718", "userData": "<sensitiveDataRemoved>"}),
    ));
    let mut recs = tr.records();
    recs[0]["sessionCredentialFromConsole"] = json!("true");
    silent("ec2-user-data-modified", &records_on_disk(&recs));
}

#[test]
fn lambda_code_changed() {
    let p = json!({"functionName": "model-gateway", "zipFile": "<sensitiveDataRemoved>", "publish": true});
    for name in ["UpdateFunctionCode20150331v2", "CreateFunction20150331"] {
        fires(
            "lambda-code-changed",
            &one("lambda.amazonaws.com", name, p.clone()),
        );
    }
    if let Some(s) = stratus("aws.persistence.lambda-overwrite-code") {
        fires("lambda-code-changed", &s);
    }
    silent(
        "lambda-code-changed",
        &one("lambda.amazonaws.com", "GetFunction20150331v2", p),
    );
}

#[test]
fn lambda_layer_attached() {
    let f = fires(
        "lambda-layer-attached",
        &one(
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            json!({"functionName": "model-gateway", "environment": {},
                "layers": [format!("arn:aws:lambda:us-east-1:{ACCT}:layer:request-logger:3")]}),
        ),
    );
    assert!(
        f[0].explanation
            .contains("(requestParameters.layers arn:aws:lambda:"),
        "{}",
        f[0].explanation
    );
    if let Some(s) = stratus("aws.persistence.lambda-layer-extension") {
        fires("lambda-layer-attached", &s);
    }
    // A memory or environment change carries no layers.
    silent(
        "lambda-layer-attached",
        &one(
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            json!({"functionName": "model-gateway", "memorySize": 2048, "environment": {"variables": {}}}),
        ),
    );
}

#[test]
fn ec2_ssh_key_pushed() {
    let key = json!({"instanceId": "i-0a1b2c3d4e5f60718", "instanceOSUser": "ec2-user",
        "sSHPublicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtAlK45MAEWZ7MUY2QEmi3M6W+pe"});
    for name in ["SendSSHPublicKey", "SendSerialConsoleSSHPublicKey"] {
        fires(
            "ec2-ssh-key-pushed",
            &one("ec2-instance-connect.amazonaws.com", name, key.clone()),
        );
    }
    for technique in [
        "aws.lateral-movement.ec2-instance-connect",
        "aws.lateral-movement.ec2-serial-console-send-ssh-public-key",
    ] {
        if let Some(s) = stratus(technique) {
            fires("ec2-ssh-key-pushed", &s);
        }
    }
    silent(
        "ec2-ssh-key-pushed",
        &one(
            "ec2.amazonaws.com",
            "GetSerialConsoleAccessStatus",
            json!({}),
        ),
    );
}

#[test]
fn gpu_instances_launched() {
    let launch = |instance_type: &str| json!({"instanceType": instance_type, "instancesSet": {"items": [{"imageId": "ami-0a1b2c3d4e5f60718", "minCount": 1, "maxCount": 10}]}});
    let f = fires(
        "gpu-instances-launched",
        &one("ec2.amazonaws.com", "RunInstances", launch("p4d.24xlarge")),
    );
    assert!(
        f[0].explanation
            .contains("(requestParameters.instanceType p4d.24xlarge)"),
        "{}",
        f[0].explanation
    );
    if let Some(s) = stratus("aws.execution.ec2-launch-unusual-instances") {
        fires("gpu-instances-launched", &s);
    }
    silent(
        "gpu-instances-launched",
        &one("ec2.amazonaws.com", "RunInstances", launch("t3.micro")),
    );
    // A scaling group's launch: AWS calls for it, and the record names the service, not an address.
    let asg = session(
        "AWSServiceRoleForAutoScaling",
        "AutoScaling",
        "ASIAQ3EGRZTAUTOSCALE",
    );
    let mut tr = Trail::new();
    tr.add(api(
        day1(),
        &asg,
        "ec2.amazonaws.com",
        "RunInstances",
        "autoscaling.amazonaws.com",
        launch("g5.xlarge"),
    ));
    silent("gpu-instances-launched", &tr.on_disk());
}

#[test]
fn organization_left() {
    let role = session(
        "org-admin",
        "aws-go-sdk-1722587398902687000",
        "ASIAQ3EGRZTLEAVEORG1",
    );
    let build = |name: &str| {
        let mut tr = Trail::new();
        tr.add(
            Call::new(day1(), &role, "organizations.amazonaws.com", name, EVIL, UA).error(
                "AccessDenied",
                "You don't have permissions to access this resource.",
            ),
        );
        tr.store()
    };
    let f = fires("organization-left", &build("LeaveOrganization"));
    assert!(
        f[0].explanation.ends_with("; failed (AccessDenied)"),
        "{}",
        f[0].explanation
    );
    if let Some(s) = stratus("aws.defense-evasion.organizations-leave") {
        fires("organization-left", &s);
    }
    silent("organization-left", &build("DescribeOrganization"));
}

#[test]
fn security_group_open_to_the_internet() {
    let ingress = |params: Value| one("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", params);
    // The request's own fields (Stratus' shape), and ipPermissions items (the console's and SDKs' shape).
    let flat = |cidr: &str, from: i64, to: i64| json!({"cidrIp": cidr, "fromPort": from, "toPort": to, "groupId": "sg-003dc7f1f1c686164", "ipPermissions": {}, "ipProtocol": "tcp"});
    let items = |range: Value, proto: &str, from: i64, to: i64| {
        json!({"groupId": "sg-0d921df5d84f7270a", "ipPermissions": {"items": [
            {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "groups": {}, "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}},
            {"ipProtocol": proto, "fromPort": from, "toPort": to, "groups": {}, "ipRanges": range.get("v4").cloned().unwrap_or(json!({})),
             "ipv6Ranges": range.get("v6").cloned().unwrap_or(json!({}))},
        ]}})
    };
    let any4 = json!({"v4": {"items": [{"cidrIp": "0.0.0.0/0"}]}});
    let any6 = json!({"v6": {"items": [{"cidrIpv6": "::/0"}]}});
    let office = json!({"v4": {"items": [{"cidrIp": "203.0.113.0/24"}]}});
    let f = fires(
        "security-group-open-to-the-internet",
        &ingress(flat("0.0.0.0/0", 22, 22)),
    );
    assert!(
        f[0].explanation
            .contains("(requestParameters.cidrIp 0.0.0.0/0)"),
        "{}",
        f[0].explanation
    );
    fires(
        "security-group-open-to-the-internet",
        &ingress(items(any4.clone(), "tcp", 22, 22)),
    );
    fires(
        "security-group-open-to-the-internet",
        &ingress(items(any6.clone(), "tcp", 0, 65535)),
    );
    fires(
        "security-group-open-to-the-internet",
        &ingress(items(any4.clone(), "-1", -1, -1)),
    );
    if let Some(s) = stratus("aws.exfiltration.ec2-security-group-open-port-22-ingress") {
        fires("security-group-open-to-the-internet", &s);
    }
    // HTTPS to the world; SSH from the office; SSH from the office beside HTTPS to the world (two rules, neither
    // opens SSH to the internet); a port range above 22.
    silent(
        "security-group-open-to-the-internet",
        &ingress(flat("0.0.0.0/0", 443, 443)),
    );
    silent(
        "security-group-open-to-the-internet",
        &ingress(items(office.clone(), "tcp", 22, 22)),
    );
    silent(
        "security-group-open-to-the-internet",
        &ingress(json!({"groupId": "sg-1", "ipPermissions": {"items": [
            {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}},
            {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "ipRanges": {"items": [{"cidrIp": "203.0.113.0/24"}]}},
        ]}})),
    );
    silent(
        "security-group-open-to-the-internet",
        &ingress(items(any4, "tcp", 8000, 8080)),
    );
}
