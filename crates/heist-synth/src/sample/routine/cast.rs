//! ACME's people and services: who works in the account, from where, with which keys. Addresses come from the
//! documentation ranges (203.0.113.0/24 for the offices, the VPN and home lines, 2001:db8::/32 for home fibre and
//! a hotel) and from AWS's own ranges for the pipelines' NAT gateways; the attacker's networks are never used here.

use crate::rng::Rng;

pub const OFFICE2_IP: &str = "203.0.113.11";
pub const VPN_IP: &str = "203.0.113.64";
/// NAT gateways of the ML VPC (AWS us-east-1 ranges).
pub const NAT_TRAIN_IP: &str = "44.208.93.6";
pub const NAT_DATA_IP: &str = "54.88.12.201";
pub const NAT_EVAL_IP: &str = "3.91.160.22";
pub const NOTEBOOK_IP: &str = "3.219.44.17";
/// The hosted monitoring vendor's collectors (a GCP range).
pub const MONITORING_IP: &str = "34.41.20.8";
/// The chat backend calls Bedrock through an interface endpoint: CloudTrail shows its private address.
pub const ASSIST_IP: &str = "10.20.8.31";
pub const ASSIST_VPCE: &str = "vpce-0a7c3e91d2b4f5a60";

pub const CHROME_MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36";
pub const SAFARI_MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15";
pub const FIREFOX_WIN: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0";
pub const EDGE_WIN: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36 Edg/129.0.0.0";
pub const CLI_MAC: &str =
    "aws-cli/2.17.52 md/awscrt#0.21.5 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off";
pub const CLI_LINUX: &str =
    "aws-cli/2.17.31 md/awscrt#0.21.2 ua/2.0 os/linux#6.8.0-45-generic md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off";
pub const BOTO_LAPTOP: &str = "Boto3/1.35.24 md/Botocore#1.35.24 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.11.10 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.24";
pub const S3_CONSOLE: &str = "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750 Linux/5.10.225-191.878.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.412-b08 java/1.8.0_412 vendor/Oracle_Corporation cfg/retry-mode/standard]";
pub const CONSOLE_INTERNAL: &str = "AWS Internal";

/// What a person does in the account.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Role {
    /// Cloud and platform administrators: discovery every morning, IAM, onboarding.
    Admin,
    /// Security: GuardDuty, CloudTrail, Security Hub.
    Security,
    /// Trains and ships models: training data, SageMaker, checkpoints, Bedrock.
    MlEngineer,
    /// Notebooks, Athena, datasets, Bedrock.
    Scientist,
    /// Writes labels through the console into the labelling bucket.
    Labeller,
    /// Browses the console: costs, endpoints, dashboards.
    Analyst,
}

pub struct Person {
    pub name: &'static str,
    pub full: &'static str,
    pub role: Role,
    /// Uses a long-term access key from a laptop.
    pub cli: bool,
    /// Signs in to the console (with MFA).
    pub console: bool,
    /// Home line, used on remote days and weekends.
    pub home: &'static str,
    /// When the working day starts (UTC hour).
    pub start_hour: i64,
    pub cli_ua: &'static str,
    pub browser: &'static str,
    /// First day in the account (YYYY-MM-DD), for people who join during the fortnight.
    pub joined: Option<&'static str>,
    /// A day away: the one day the person works from `travel.1`.
    pub travel: Option<(&'static str, &'static str)>,
    /// The day the person rotates their key (creates a new one, then retires the old one).
    pub rotates: Option<&'static str>,
}

/// One row of the cast table (the optional fields are set below).
#[allow(clippy::too_many_arguments)]
const fn p(
    name: &'static str,
    full: &'static str,
    role: Role,
    cli: bool,
    console: bool,
    home: &'static str,
    start_hour: i64,
    cli_ua: &'static str,
    browser: &'static str,
) -> Person {
    Person {
        name,
        full,
        role,
        cli,
        console,
        home,
        start_hour,
        cli_ua,
        browser,
        joined: None,
        travel: None,
        rotates: None,
    }
}

use Role::*;

/// Thirty people. Alice leads the ML platform (and answers the incident); Lena and Rosa join during the fortnight.
pub fn people() -> Vec<Person> {
    let mut v = vec![
        p(
            "alice",
            "Alice Martin",
            Admin,
            true,
            true,
            "203.0.113.141",
            8,
            super::super::ALICE_UA,
            SAFARI_MAC,
        ),
        p(
            "bob.okafor",
            "Bob Okafor",
            Admin,
            true,
            true,
            "203.0.113.152",
            7,
            CLI_LINUX,
            FIREFOX_WIN,
        ),
        p(
            "chen.wei",
            "Chen Wei",
            Admin,
            true,
            true,
            "2001:db8:4a1:2e00::17",
            6,
            CLI_MAC,
            CHROME_MAC,
        ),
        p(
            "dmitri.volkov",
            "Dmitri Volkov",
            Security,
            true,
            true,
            "203.0.113.163",
            7,
            CLI_LINUX,
            FIREFOX_WIN,
        ),
        p(
            "erin.walsh",
            "Erin Walsh",
            MlEngineer,
            true,
            false,
            "203.0.113.170",
            8,
            CLI_MAC,
            CHROME_MAC,
        ),
        p(
            "farid.haddad",
            "Farid Haddad",
            MlEngineer,
            true,
            true,
            "2001:db8:4a1:9c10::3",
            9,
            BOTO_LAPTOP,
            CHROME_MAC,
        ),
        p(
            "grace.kim",
            "Grace Kim",
            MlEngineer,
            true,
            false,
            "203.0.113.174",
            13,
            CLI_MAC,
            SAFARI_MAC,
        ),
        p(
            "hiro.tanaka",
            "Hiro Tanaka",
            MlEngineer,
            true,
            true,
            "203.0.113.181",
            7,
            CLI_LINUX,
            CHROME_MAC,
        ),
        p(
            "ines.garcia",
            "Ines Garcia",
            MlEngineer,
            true,
            false,
            "2001:db8:7f2:31::a4",
            8,
            BOTO_LAPTOP,
            FIREFOX_WIN,
        ),
        p(
            "jonas.berg",
            "Jonas Berg",
            MlEngineer,
            true,
            false,
            "203.0.113.186",
            6,
            CLI_LINUX,
            FIREFOX_WIN,
        ),
        p(
            "kavya.rao",
            "Kavya Rao",
            MlEngineer,
            true,
            true,
            "203.0.113.190",
            14,
            CLI_MAC,
            CHROME_MAC,
        ),
        p(
            "kenji.mori",
            "Kenji Mori",
            MlEngineer,
            true,
            true,
            "2001:db8:4a1:77aa::9",
            8,
            CLI_LINUX,
            CHROME_MAC,
        ),
        p(
            "liam.obrien",
            "Liam O'Brien",
            MlEngineer,
            true,
            false,
            "203.0.113.193",
            9,
            BOTO_LAPTOP,
            SAFARI_MAC,
        ),
        p(
            "maya.cohen",
            "Maya Cohen",
            Scientist,
            true,
            true,
            "203.0.113.201",
            8,
            BOTO_LAPTOP,
            CHROME_MAC,
        ),
        p(
            "noah.schmidt",
            "Noah Schmidt",
            Scientist,
            true,
            true,
            "203.0.113.205",
            7,
            CLI_MAC,
            FIREFOX_WIN,
        ),
        p(
            "olivia.rossi",
            "Olivia Rossi",
            Scientist,
            false,
            true,
            "2001:db8:7f2:88::1c",
            9,
            CLI_MAC,
            SAFARI_MAC,
        ),
        p(
            "pavel.novak",
            "Pavel Novak",
            Scientist,
            true,
            true,
            "203.0.113.212",
            8,
            CLI_LINUX,
            FIREFOX_WIN,
        ),
        p(
            "quinn.taylor",
            "Quinn Taylor",
            Scientist,
            false,
            true,
            "203.0.113.218",
            14,
            CLI_MAC,
            CHROME_MAC,
        ),
        p(
            "rosa.mendes",
            "Rosa Mendes",
            Scientist,
            true,
            true,
            "203.0.113.223",
            8,
            BOTO_LAPTOP,
            CHROME_MAC,
        ),
        p(
            "sam.lee",
            "Sam Lee",
            Labeller,
            false,
            true,
            "203.0.113.227",
            7,
            CLI_MAC,
            CHROME_MAC,
        ),
        p(
            "tara.singh",
            "Tara Singh",
            Labeller,
            false,
            true,
            "203.0.113.230",
            8,
            CLI_MAC,
            EDGE_WIN,
        ),
        p(
            "uma.patel",
            "Uma Patel",
            Labeller,
            false,
            true,
            "2001:db8:7f2:c4::52",
            8,
            CLI_MAC,
            EDGE_WIN,
        ),
        p(
            "victor.dupont",
            "Victor Dupont",
            Labeller,
            false,
            true,
            "203.0.113.236",
            9,
            CLI_MAC,
            FIREFOX_WIN,
        ),
        p(
            "wen.zhou",
            "Wen Zhou",
            Labeller,
            false,
            true,
            "203.0.113.239",
            13,
            CLI_MAC,
            CHROME_MAC,
        ),
        p(
            "xavier.martin",
            "Xavier Martin",
            Analyst,
            false,
            true,
            "203.0.113.242",
            8,
            CLI_MAC,
            EDGE_WIN,
        ),
        p(
            "yara.nasser",
            "Yara Nasser",
            Analyst,
            false,
            true,
            "203.0.113.245",
            9,
            CLI_MAC,
            SAFARI_MAC,
        ),
        p(
            "zoe.clark",
            "Zoe Clark",
            Analyst,
            true,
            true,
            "2001:db8:4a1:b3::2",
            7,
            CLI_LINUX,
            CHROME_MAC,
        ),
        p(
            "aaron.fisher",
            "Aaron Fisher",
            Analyst,
            false,
            true,
            "203.0.113.248",
            12,
            CLI_MAC,
            FIREFOX_WIN,
        ),
        p(
            "beatriz.silva",
            "Beatriz Silva",
            Security,
            true,
            true,
            "203.0.113.251",
            8,
            CLI_MAC,
            CHROME_MAC,
        ),
        p(
            "lena.fischer",
            "Lena Fischer",
            MlEngineer,
            true,
            false,
            "203.0.113.196",
            8,
            CLI_MAC,
            CHROME_MAC,
        ),
    ];
    for x in &mut v {
        match x.name {
            "lena.fischer" => x.joined = Some("2026-09-28"),
            "rosa.mendes" => x.joined = Some("2026-10-01"),
            // A conference: a hotel's line, once.
            "hiro.tanaka" => x.travel = Some(("2026-09-30", "2001:db8:e1c0:7::4b")),
            "farid.haddad" | "noah.schmidt" => x.rotates = Some("2026-09-24"),
            "zoe.clark" => x.rotates = Some("2026-10-01"),
            _ => {}
        }
    }
    v
}

/// A person's long-term key: generation 0 until they rotate, 1 after. Alice's is the story's.
pub fn person_key(name: &str, generation: u32) -> String {
    if name == "alice" && generation == 0 {
        return super::super::ALICE_KEY.to_string();
    }
    let h = xxhash_rust::xxh3::xxh3_64(format!("{name}#{generation}").as_bytes());
    format!("AKIAQ3EGRZT{}", Rng::new(h).upper_alnum(9))
}

/// A service identity with its own long-term key.
pub struct Service {
    pub name: &'static str,
    pub key: &'static str,
    pub ip: &'static str,
    pub ua: &'static str,
}

pub const TRAIN_UA: &str = "Boto3/1.34.162 md/Botocore#1.34.162 ua/2.0 os/linux#5.10.225-213.878.amzn2.x86_64 md/arch#x86_64 lang/python#3.10.14 md/pyimpl#CPython exec-env/AWS_ECS_EC2 cfg/retry-mode#standard Botocore/1.34.162";
pub const INGEST_UA: &str = "aws-sdk-go-v2/1.30.4 ua/2.1 os/linux lang/go#1.22.6 md/GOOS#linux md/GOARCH#amd64 api/s3#1.61.0";
pub const EVAL_UA: &str = "Boto3/1.35.10 md/Botocore#1.35.10 ua/2.0 os/linux#6.1.109-118.189.amzn2023.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#adaptive Botocore/1.35.10";
pub const NOTEBOOK_UA: &str = "Boto3/1.35.24 md/Botocore#1.35.24 ua/2.0 os/linux#6.1.109-118.189.amzn2023.x86_64 md/arch#x86_64 lang/python#3.11.10 md/pyimpl#CPython exec-env/jupyterhub cfg/retry-mode#legacy Botocore/1.35.24";
pub const MONITORING_UA: &str =
    "aws-sdk-go/1.55.5 (go1.22.7; linux; amd64) datadog-aws-integration/1.0";
pub const BACKUP_UA: &str = "rclone/v1.68.1";
pub const ASSIST_UA: &str = "aws-sdk-js/3.654.0 ua/2.0 os/linux#5.10.225 lang/js md/nodejs#20.17.0 api/bedrock-runtime#3.654.0";
pub const RAG_UA: &str = "Boto3/1.34.162 md/Botocore#1.34.162 ua/2.0 os/linux#5.10.225-213.878.amzn2.x86_64 md/arch#x86_64 lang/python#3.10.14 md/pyimpl#CPython exec-env/AWS_Lambda_python3.10 Botocore/1.34.162";
pub const TERRAFORM_UA: &str = "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.67.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.5 ua/2.1 os/linux lang/go#1.22.6 md/GOOS#linux md/GOARCH#amd64";

pub const TRAIN: Service = Service {
    name: "svc-train-pipeline",
    key: "AKIAQ3EGRZTTRAIN7PL1",
    ip: NAT_TRAIN_IP,
    ua: TRAIN_UA,
};
pub const INGEST: Service = Service {
    name: "svc-data-ingest",
    key: "AKIAQ3EGRZTINGEST4D2",
    ip: NAT_DATA_IP,
    ua: INGEST_UA,
};
pub const EVAL: Service = Service {
    name: "svc-eval-runner",
    key: "AKIAQ3EGRZTEVALRUN3X",
    ip: NAT_EVAL_IP,
    ua: EVAL_UA,
};
pub const NOTEBOOK: Service = Service {
    name: "svc-notebook",
    key: "AKIAQ3EGRZTNOTEBK5JH",
    ip: NOTEBOOK_IP,
    ua: NOTEBOOK_UA,
};
pub const MONITORING: Service = Service {
    name: "svc-monitoring",
    key: "AKIAQ3EGRZTMONITR2DD",
    ip: MONITORING_IP,
    ua: MONITORING_UA,
};
/// The backup job's own key (the attacker's backdoor is a second key of the same user).
pub const BACKUP: Service = Service {
    name: "svc-backup",
    key: "AKIAQ3EGRZTBACKUP0K1",
    ip: NAT_DATA_IP,
    ua: BACKUP_UA,
};
pub const ASSIST: Service = Service {
    name: "svc-assist-api",
    key: "AKIAQ3EGRZTASSIST6PR",
    ip: ASSIST_IP,
    ua: ASSIST_UA,
};
pub const RAG: Service = Service {
    name: "svc-rag-indexer",
    key: "AKIAQ3EGRZTRAGIDX7Q3",
    ip: NAT_TRAIN_IP,
    ua: RAG_UA,
};
pub const TERRAFORM: Service = Service {
    name: "svc-terraform",
    key: "AKIAQ3EGRZTTFORM2A9C",
    ip: super::super::CI_IP,
    ua: TERRAFORM_UA,
};
