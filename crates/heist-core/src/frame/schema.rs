//! Column names and types of the event frame. The names are a contract: the CLI's JSON output uses them too.
//! `docs/schema.md` documents each column; a test keeps the two in step.

/// How a column is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `Datetime(ns, UTC)`.
    Time,
    /// Low- or mid-cardinality text, dictionary encoded (Polars Categorical, global mapping): 4 bytes a row.
    Cat,
    /// High-cardinality text (ids): Polars String.
    Str,
    /// Unsigned integer, nullable.
    U64,
    /// Unsigned 32-bit integer.
    U32,
}

macro_rules! columns {
    ($($var:ident = $name:literal : $kind:ident , $doc:literal;)*) => {
        /// Every column of the event frame, in frame order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Col { $( #[doc = $doc] $var, )* }

        impl Col {
            pub const ALL: &'static [Col] = &[$(Col::$var,)*];
            pub const fn name(self) -> &'static str { match self { $(Col::$var => $name,)* } }
            pub const fn kind(self) -> Kind { match self { $(Col::$var => Kind::$kind,)* } }
            pub const fn doc(self) -> &'static str { match self { $(Col::$var => $doc,)* } }
            pub fn from_name(name: &str) -> Option<Col> { match name { $($name => Some(Col::$var),)* _ => None } }
        }
    };
}

columns! {
    Time = "time": Time, "When the event happened, UTC, nanosecond precision.";
    Source = "source": Cat, "Format id of the log it came from, e.g. `cloudtrail`.";
    Provider = "provider": Cat, "Cloud or platform: `aws`, `gcp`, `azure`, `k8s`, `openai`, ...";
    Service = "service": Cat, "Service called, e.g. `s3.amazonaws.com`.";
    Action = "action": Cat, "Event name / API method.";
    Outcome = "outcome": Cat, "`success` or `failure`.";
    ErrorCode = "error_code": Cat, "Provider error code when the call failed.";
    Account = "account": Cat, "Account / project / subscription the event was recorded in.";
    Region = "region": Cat, "Region or location.";
    Identity = "identity": Cat, "Canonical principal: IAM user/role ARN, assumed-role session ARN, service-account email, ...";
    IdentityType = "identity_type": Cat, "`human`, `role_session`, `service`, `root`, `anonymous` or `unknown`.";
    Issuer = "issuer": Cat, "What the identity derives from: the role ARN behind an assumed-role session, the user behind a federated session.";
    Caller = "caller": Cat, "The real principal behind delegation or impersonation, when the log names one.";
    Token = "token": Cat, "Credential used: access key id, key name, JTI, API key id. Always a substring of the raw record (up to ASCII case).";
    TokenKind = "token_kind": Cat, "`long_term` (AKIA, SA key, API key), `session` (ASIA, JTI), or a provider-specific kind.";
    SourceIp = "source_ip": Cat, "Caller IP address in one spelling (zero-padded octets and ports dropped, IPv4-in-IPv6 as IPv4); a masked address (`198.51.100.***`) as logged.";
    SourceService = "source_service": Cat, "The service the log names where an address belongs (`cloudtrail.amazonaws.com`, `AWS Internal`): a call made on the identity's behalf. Never in `source_ip`.";
    UserAgent = "user_agent": Cat, "User agent, as logged (attacker-controlled).";
    Asset = "asset": Cat, "What was acted on, one canonical string: `bucket/key`, a model id, a role ARN, ...";
    AssetKind = "asset_kind": Cat, "Kind of asset: `s3_object`, `s3_bucket`, `iam_role`, `iam_user`, `model`, ...";
    AuthMethod = "auth_method": Cat, "How the request authenticated when logged, e.g. `QueryString` (presigned URL), `AuthHeader`.";
    MintedToken = "minted_token": Cat, "Credential created by this event (AssumeRole's session key, CreateAccessKey's key, ...).";
    MintedIdentity = "minted_identity": Cat, "Whom the minted credential belongs to (session ARN, user ARN).";
    RevokedToken = "revoked_token": Cat, "Credential ended by this event (DeleteAccessKey, UpdateAccessKey to Inactive, ...).";
    Bytes = "bytes": U64, "Bytes transferred, when known.";
    InputTokens = "input_tokens": U64, "Model input tokens (model-invocation logs).";
    OutputTokens = "output_tokens": U64, "Model output tokens (model-invocation logs).";
    RequestId = "request_id": Str, "Provider request id (joins S3 access logs and Bedrock logs to CloudTrail).";
    EventId = "event_id": Str, "Provider event id (CloudTrail eventID, K8s auditID, GCP insertId, ...).";
    Origin = "origin": Cat, "File the event came from, as a path inside the bundle (`bundle.zip!/AWSLogs/.../f.json.gz`).";
    Line = "line": U32, "Line (line-oriented files) or record index (JSON documents) of the event inside `origin`.";
    RawOffset = "raw_offset": U64, "Byte offset of the raw record inside the decompressed `origin`.";
    RawLen = "raw_len": U32, "Byte length of the raw record.";
    RecordHash = "record_hash": U64, "xxh3 hash of the raw record bytes: the event key when there is no event id.";
}

impl Col {
    /// Columns shown by default in tables and exported in JSON/CSV output (raw locators are internal).
    pub const OUTPUT: &'static [Col] = &[
        Col::Time,
        Col::Source,
        Col::Provider,
        Col::Service,
        Col::Action,
        Col::Outcome,
        Col::ErrorCode,
        Col::Account,
        Col::Region,
        Col::Identity,
        Col::IdentityType,
        Col::Issuer,
        Col::Caller,
        Col::Token,
        Col::TokenKind,
        Col::SourceIp,
        Col::SourceService,
        Col::UserAgent,
        Col::Asset,
        Col::AssetKind,
        Col::AuthMethod,
        Col::MintedToken,
        Col::MintedIdentity,
        Col::RevokedToken,
        Col::Bytes,
        Col::InputTokens,
        Col::OutputTokens,
        Col::RequestId,
        Col::EventId,
        Col::Origin,
    ];

    /// Text columns, in frame order (the builder keeps one dictionary per text column).
    pub fn text_columns() -> impl Iterator<Item = Col> {
        Col::ALL
            .iter()
            .copied()
            .filter(|c| matches!(c.kind(), Kind::Cat | Kind::Str))
    }
}

/// Number of text columns; `EventBatch` holds one dictionary for each.
pub const TEXT_COLS: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < Col::ALL.len() {
        if matches!(Col::ALL[i].kind(), Kind::Cat | Kind::Str) {
            n += 1;
        }
        i += 1;
    }
    n
};

/// Index of a text column among the text columns (the batch keeps one dictionary for each).
pub const fn text_index(col: Col) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < Col::ALL.len() {
        if Col::ALL[i] as usize == col as usize {
            return n;
        }
        if matches!(Col::ALL[i].kind(), Kind::Cat | Kind::Str) {
            n += 1;
        }
        i += 1;
    }
    n
}

/// Vocabulary of `identity_type`.
pub mod identity_type {
    pub const HUMAN: &str = "human";
    pub const ROLE_SESSION: &str = "role_session";
    pub const SERVICE: &str = "service";
    pub const ROOT: &str = "root";
    pub const ANONYMOUS: &str = "anonymous";
    pub const UNKNOWN: &str = "unknown";

    /// Words that name a machine's account when they open or close an IAM user's name (`svc-backup`,
    /// `ci-deployer`, `release_bot`, `data-pipeline`).
    const MACHINE_WORDS: &[&str] = &[
        "svc",
        "service",
        "ci",
        "cd",
        "bot",
        "robot",
        "sa",
        "automation",
        "pipeline",
        "deploy",
        "deployer",
        "terraform",
        "jenkins",
        "github",
        "gitlab",
        "runner",
        "etl",
        "cron",
        "job",
        "app",
        "api",
    ];

    /// The type of an IAM user (an ARN `...:user/NAME` or the name): a person, unless its name says it is a
    /// machine's account (a word of [`MACHINE_WORDS`] first or last, split at `-`, `_` or `.`), which is
    /// `service`. Vendor and CI keys live on such users; calling their use a person's hides that no one signs in.
    pub fn iam_user(arn_or_name: &str) -> &'static str {
        let name = arn_or_name.rsplit('/').next().unwrap_or(arn_or_name);
        let name = name.to_ascii_lowercase();
        let words: Vec<&str> = name
            .split(['-', '_', '.'])
            .filter(|w| !w.is_empty())
            .collect();
        let machine = |w: Option<&&str>| w.is_some_and(|w| MACHINE_WORDS.contains(w));
        let named_as_machine = if words.len() > 1 {
            machine(words.first()) || machine(words.last())
        } else {
            matches!(
                words.first(),
                Some(&("terraform" | "jenkins" | "automation"))
            )
        };
        if named_as_machine {
            SERVICE
        } else {
            HUMAN
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn iam_users_named_as_machines_are_services() {
            for svc in [
                "arn:aws:iam::1:user/svc-backup",
                "arn:aws:iam::1:user/ci-deployer",
                "release_bot",
                "data.pipeline",
                "arn:aws:iam::1:user/path/to/Terraform",
                "SVC-ASSIST-API",
            ] {
                assert_eq!(iam_user(svc), SERVICE, "{svc}");
            }
            for human in [
                "arn:aws:iam::1:user/alice",
                "chen.wei",
                "arn:aws:iam::1:user/bob.okafor",
                "ci",
                "sam.api-docs",
                "arn:aws:iam::1:user/cindy-lee",
            ] {
                assert_eq!(iam_user(human), HUMAN, "{human}");
            }
        }
    }
}

/// Vocabulary of `outcome`.
pub mod outcome {
    pub const SUCCESS: &str = "success";
    pub const FAILURE: &str = "failure";
}

/// Vocabulary of `token_kind`.
pub mod token_kind {
    pub const LONG_TERM: &str = "long_term";
    pub const SESSION: &str = "session";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &c in Col::ALL {
            assert_eq!(Col::from_name(c.name()), Some(c));
            assert!(seen.insert(c.name()));
        }
    }

    #[test]
    fn text_index_is_dense() {
        let idx: Vec<usize> = Col::text_columns().map(text_index).collect();
        assert_eq!(idx, (0..TEXT_COLS).collect::<Vec<_>>());
    }

    #[test]
    fn schema_doc_lists_every_column() {
        let doc = std::fs::read_to_string(crate::util::repo_root().join("docs/schema.md")).unwrap();
        for &c in Col::ALL {
            assert!(
                doc.contains(&format!("`{}`", c.name())),
                "docs/schema.md misses column {}",
                c.name()
            );
        }
    }
}
