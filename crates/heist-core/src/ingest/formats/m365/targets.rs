//! What an audit record acted on, one target per event: the resources Copilot read for the user, the mail items
//! or folders a mailbox access touched, the SharePoint / OneDrive file, else the record's `ObjectId`.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::record::{number, object, objects, text};

/// One thing a record acted on.
pub(super) struct Target {
    pub asset: String,
    pub kind: Cow<'static, str>,
    pub bytes: Option<u64>,
}

impl Target {
    fn new(asset: impl Into<String>, kind: impl Into<Cow<'static, str>>) -> Self {
        Self {
            asset: asset.into(),
            kind: kind.into(),
            bytes: None,
        }
    }
}

/// File types Copilot names a resource or context by (`docx`, ...): all of them are files.
const FILE_TYPES: &[&str] = &[
    "file",
    "doc",
    "docx",
    "docm",
    "dotx",
    "xls",
    "xlsx",
    "xlsm",
    "xlsb",
    "csv",
    "ppt",
    "pptx",
    "pptm",
    "pdf",
    "txt",
    "rtf",
    "md",
    "one",
    "loop",
    "fluid",
    "whiteboard",
    "vsdx",
    "msg",
    "eml",
    "html",
    "aspx",
    "json",
    "xml",
    "zip",
];

/// Everything the record names, in order; empty when it names nothing.
pub(super) fn targets(o: &Map<String, Value>, action: &str) -> Vec<Target> {
    let mut out = match object(o, "CopilotEventData") {
        Some(ev) => copilot(&ev),
        None => Vec::new(),
    };
    if out.is_empty() {
        out = mail(o, action);
    }
    if out.is_empty() {
        out.extend(sharepoint_file(o));
    }
    if out.is_empty() {
        if let Some(id) = text(o, "ObjectId") {
            // An Entra logon's object is the application signed in to (as the azure format's sign-ins name it).
            let logon = ["UserLoggedIn", "UserLoginFailed"]
                .iter()
                .any(|a| a.eq_ignore_ascii_case(action));
            let kind = match text(o, "ItemType") {
                Some(k) => Cow::Owned(snake(&k)),
                None if logon => Cow::Borrowed("app"),
                None => Cow::Borrowed("object"),
            };
            out.push(Target::new(id.trim(), kind));
        }
    }
    // The same resource named twice is one target.
    let mut seen = std::collections::HashSet::new();
    out.retain(|t| seen.insert((t.asset.clone(), t.kind.clone())));
    out
}

/// `TeamsMeeting` -> `teams_meeting`; file types -> `file`.
fn snake(s: &str) -> String {
    let t = s.trim();
    if FILE_TYPES.iter().any(|f| f.eq_ignore_ascii_case(t)) {
        return "file".to_string();
    }
    let mut out = String::with_capacity(t.len() + 4);
    let mut prev_lower = false;
    for ch in t.chars() {
        if ch.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
            prev_lower = false;
        } else if ch == ' ' || ch == '-' {
            out.push('_');
            prev_lower = false;
        } else {
            out.push(ch);
            prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        }
    }
    out
}

/// `site` + `folder` + `name` as one URL: the file's full path, as SharePoint's `ObjectId` writes it.
fn join_url(site: &str, folder: Option<&str>, name: &str) -> String {
    let mut s = site.trim_end_matches('/').to_string();
    for part in [folder, Some(name)].into_iter().flatten() {
        let p = part.trim_matches('/');
        if !p.is_empty() {
            s.push('/');
            s.push_str(p);
        }
    }
    s
}

/// CopilotInteraction: each resource the assistant read for the user (`AccessedResources`), else the places the
/// user was in when asking (`Contexts`: the open document, meeting or chat).
fn copilot(ev: &Map<String, Value>) -> Vec<Target> {
    let read: Vec<Target> = objects(ev, "AccessedResources")
        .iter()
        .filter_map(|r| {
            let name = text(r, "Name");
            let asset = text(r, "Id")
                .map(|id| id.trim().to_string())
                .or_else(|| {
                    let site = text(r, "SiteUrl")?;
                    Some(join_url(&site, None, name.as_deref()?))
                })
                .or_else(|| name.as_deref().map(str::to_string))?;
            let kind = text(r, "Type")
                .map_or(Cow::Borrowed("copilot_resource"), |t| Cow::Owned(snake(&t)));
            Some(Target::new(asset, kind))
        })
        .collect();
    if !read.is_empty() {
        return read;
    }
    objects(ev, "Contexts")
        .iter()
        .filter_map(|c| {
            let id = text(c, "Id")?;
            let kind =
                text(c, "Type").map_or(Cow::Borrowed("copilot_context"), |t| Cow::Owned(snake(&t)));
            Some(Target::new(id.trim(), kind))
        })
        .collect()
}

/// The user agent of a Copilot interaction, which logs none: the host it ran in (`AppHost`), the agent acting for
/// the user and the model that answered, where the record names them.
pub(super) fn copilot_agent(o: &Map<String, Value>) -> Option<String> {
    let ev = object(o, "CopilotEventData")?;
    let either = |k: &str| text(o, k).or_else(|| text(&ev, k)).map(Cow::into_owned);
    let mut parts = Vec::new();
    if let Some(h) = text(&ev, "AppHost") {
        parts.push(h.into_owned());
    }
    if let Some(a) = either("AgentName").or_else(|| either("AgentId")) {
        parts.push(format!("agent {a}"));
    }
    let model = objects(&ev, "ModelTransparencyDetails")
        .iter()
        .find_map(|m| text(m, "ModelName").map(Cow::into_owned));
    if let Some(m) = model {
        parts.push(format!("model {m}"));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn mail_item(it: &Map<String, Value>) -> Option<Target> {
    let id = text(it, "InternetMessageId").or_else(|| text(it, "Id"))?;
    let mut t = Target::new(id.trim(), "mail_item");
    t.bytes = number(it.get("SizeInBytes"));
    Some(t)
}

fn mail_folder(owner: Option<&str>, f: &Map<String, Value>) -> Option<Target> {
    let path = text(f, "Path").or_else(|| text(f, "Id"))?;
    let asset = match owner {
        Some(o) if path.starts_with('\\') => format!("{o}{path}"),
        Some(o) => format!("{o}\\{path}"),
        None => path.into_owned(),
    };
    Some(Target::new(asset, "mail_folder"))
}

/// Exchange mailbox records: each item a `MailItemsAccessed` bind names (with its size), each folder a sync names
/// (no items listed), the item of a single-item record and the items of a group record.
fn mail(o: &Map<String, Value>, action: &str) -> Vec<Target> {
    let owner = text(o, "MailboxOwnerUPN");
    let mut out = Vec::new();
    for f in objects(o, "Folders") {
        let items = objects(&f, "FolderItems");
        if items.is_empty() {
            out.extend(mail_folder(owner.as_deref(), &f));
        }
        out.extend(items.iter().filter_map(mail_item));
    }
    if let Some(item) = object(o, "Item") {
        out.extend(mail_item(&item));
    }
    out.extend(objects(o, "AffectedItems").iter().filter_map(mail_item));
    if out.is_empty() && !action.eq_ignore_ascii_case("MailItemsAccessed") {
        if let Some(f) = object(o, "Folder") {
            out.extend(mail_folder(owner.as_deref(), &f));
        }
    }
    out
}

/// SharePoint / OneDrive file operations: `SiteUrl` + `SourceRelativeUrl` + `SourceFileName`, the full path of the
/// file (the same string as its `ObjectId`), typed by `ItemType`; the size when the record gives it.
fn sharepoint_file(o: &Map<String, Value>) -> Option<Target> {
    let name = text(o, "SourceFileName")?;
    let asset = match text(o, "SiteUrl") {
        Some(site) => join_url(&site, text(o, "SourceRelativeUrl").as_deref(), &name),
        None => text(o, "ObjectId")
            .map(|id| id.trim().to_string())
            .unwrap_or_else(|| name.to_string()),
    };
    let kind = text(o, "ItemType").map_or(Cow::Borrowed("file"), |k| Cow::Owned(snake(&k)));
    let mut t = Target::new(asset, kind);
    t.bytes = number(o.get("FileSizeBytes"));
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_urls() {
        assert_eq!(snake("TeamsMeeting"), "teams_meeting");
        assert_eq!(snake("docx"), "file");
        assert_eq!(snake("File"), "file");
        assert_eq!(snake("Folder"), "folder");
        assert_eq!(
            join_url(
                "https://c.sharepoint.com/sites/f/",
                Some("Shared Documents/Q3/"),
                "a b.xlsx"
            ),
            "https://c.sharepoint.com/sites/f/Shared Documents/Q3/a b.xlsx"
        );
        assert_eq!(join_url("https://c/", None, "x"), "https://c/x");
    }
}
