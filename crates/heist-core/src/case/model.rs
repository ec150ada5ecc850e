//! The case: what the analyst adds to a bundle. Marked events (by stable event key, never by row number), tags and
//! notes on events and entities, saved views, the last view, the analyst's name and time zone. Plain data with
//! serde; the file format is `docs/case.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::scope::CaseScope;
use super::CaseError;
use crate::entities::{Entity, EntityKind};
use crate::frame::EventKey;
use crate::util::time::Nanos;

/// The case file format this heist writes and reads. A file with a higher version is refused, never overwritten.
/// Version 2 added an entity's end date (`ended`); version 1 files read as they are and are written as 2.
pub const CASE_VERSION: u32 = 2;

/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 64;

/// Tags offered before the analyst has written any.
pub const SUGGESTED_TAGS: &[&str] = &[
    "compromised",
    "exfiltrated",
    "attacker-ip",
    "persistence",
    "initial-access",
    "benign",
];

/// Which bundle a case belongs to: the SHA-256 over its files' contents (see `binding`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleRef {
    pub sha256: String,
    /// Files hashed.
    pub files: usize,
    /// Their total size on disk.
    pub bytes: u64,
}

/// Time zone the analyst reads times in; defined beside `fmt_time`, which shows times in it.
pub use crate::util::time::TimeZone;

/// An entity as a case names it: written `kind:name` (e.g. `token:AKIA...`), so it can key a JSON object.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EntityKey(pub Entity);

impl EntityKey {
    pub fn new(kind: EntityKind, name: impl Into<String>) -> Self {
        EntityKey(Entity::new(kind, name))
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        let (kind, name) = s
            .split_once(':')
            .ok_or_else(|| format!("{s:?} is not kind:name"))?;
        let kind: EntityKind = kind.parse()?;
        if name.is_empty() {
            return Err(format!("{s:?} has no name"));
        }
        Ok(EntityKey::new(kind, name))
    }
}

impl fmt::Display for EntityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.0.kind, self.0.name)
    }
}

impl PartialOrd for EntityKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for EntityKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.0.kind, &self.0.name).cmp(&(other.0.kind, &other.0.name))
    }
}

impl Serialize for EntityKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for EntityKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        EntityKey::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Instants in the case file are RFC 3339 UTC text (readable, exact to the nanosecond).
mod instant {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::util::time::{format_utc, parse_rfc3339, Nanos};

    pub fn serialize<S: Serializer>(t: &Nanos, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_utc(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Nanos, D::Error> {
        let s = String::deserialize(d)?;
        parse_rfc3339(&s).ok_or_else(|| serde::de::Error::custom(format!("bad time {s:?}")))
    }

    pub mod opt {
        use serde::{Deserialize, Deserializer, Serializer};

        use crate::util::time::{format_utc, parse_rfc3339, Nanos};

        pub fn serialize<S: Serializer>(t: &Option<Nanos>, s: S) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => s.serialize_str(&format_utc(*t)),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Nanos>, D::Error> {
            match Option::<String>::deserialize(d)? {
                None => Ok(None),
                Some(s) => parse_rfc3339(&s)
                    .map(Some)
                    .ok_or_else(|| serde::de::Error::custom(format!("bad time {s:?}"))),
            }
        }
    }
}

/// What the analyst wrote about one event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EventNote {
    /// Part of the story: the report's timeline lists marked events.
    #[serde(default)]
    pub marked: bool,
    /// The event's time, so the case lists its events in order without the bundle.
    #[serde(
        default,
        with = "instant::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub time: Option<Nanos>,
    /// One line saying what the event was (`GetObject by ... on ... from ...`), captured when annotated.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub tags: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl EventNote {
    fn is_empty(&self) -> bool {
        !self.marked && self.tags.is_empty() && self.note.is_empty()
    }
}

/// What the analyst wrote about one entity.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EntityNote {
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub tags: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// When the entity's legitimate use ended (a revoked key, a departed user): its later activity is a finding.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "instant::opt"
    )]
    pub ended: Option<Nanos>,
}

impl EntityNote {
    fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.note.is_empty() && self.ended.is_none()
    }
}

/// One place on a breadcrumb trail: all events (`entity` absent) or a pivot, with its filter.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ViewStep {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<EntityKey>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub filter: String,
}

/// A view the analyst saved by name: the whole trail, so opening it lands where they were.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedView {
    pub name: String,
    pub steps: Vec<ViewStep>,
}

/// Where the analyst was when the case was last saved.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LastView {
    /// Root first; never empty when written by heist (an empty list means all events).
    #[serde(default)]
    pub steps: Vec<ViewStep>,
    /// The selected event of the last step, and its time (to find it again quickly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected: Option<EventKey>,
    #[serde(
        default,
        with = "instant::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub selected_time: Option<Nanos>,
}

/// The case file's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub version: u32,
    pub bundle: BundleRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analyst: Option<String>,
    #[serde(default)]
    pub time_zone: TimeZone,
    #[serde(with = "instant")]
    pub created: Nanos,
    #[serde(with = "instant")]
    pub updated: Nanos,
    /// Annotated events by stable key.
    #[serde(default)]
    pub events: BTreeMap<EventKey, EventNote>,
    /// Annotated entities by `kind:name`.
    #[serde(default)]
    pub entities: BTreeMap<EntityKey, EntityNote>,
    #[serde(default)]
    pub views: Vec<SavedView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_view: Option<LastView>,
    /// The attack scope's seeds and the analyst's changes to it.
    #[serde(default, skip_serializing_if = "CaseScope::is_empty")]
    pub scope: CaseScope,
}

/// What an event is, for a new annotation: its time and a one-line summary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventInfo {
    pub time: Option<Nanos>,
    pub summary: String,
}

/// Tags are short words: trimmed, lower case, inner spaces as `-`, no control characters.
pub fn normalize_tag(raw: &str) -> Result<String, CaseError> {
    let t: String = raw
        .trim()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-");
    if t.is_empty() {
        return Err(CaseError::BadTag("a tag cannot be empty".into()));
    }
    if t.chars().any(crate::util::sanitize::is_dangerous) {
        return Err(CaseError::BadTag(
            "a tag cannot hold control characters".into(),
        ));
    }
    if t.chars().count() > MAX_TAG_CHARS {
        return Err(CaseError::BadTag(format!(
            "a tag has at most {MAX_TAG_CHARS} characters"
        )));
    }
    Ok(t)
}

impl Case {
    pub fn new(bundle: BundleRef, analyst: Option<String>, now: Nanos) -> Self {
        Self {
            version: CASE_VERSION,
            bundle,
            analyst,
            time_zone: TimeZone::Utc,
            created: now,
            updated: now,
            events: BTreeMap::new(),
            entities: BTreeMap::new(),
            views: Vec::new(),
            last_view: None,
            scope: CaseScope::default(),
        }
    }

    pub fn event(&self, key: &EventKey) -> Option<&EventNote> {
        self.events.get(key)
    }

    pub fn entity(&self, e: &Entity) -> Option<&EntityNote> {
        self.entities.get(&EntityKey(e.clone()))
    }

    pub fn is_marked(&self, key: &EventKey) -> bool {
        self.events.get(key).is_some_and(|n| n.marked)
    }

    /// Any event marked?
    pub fn has_marks(&self) -> bool {
        self.events.values().any(|n| n.marked)
    }

    /// Anything written at all (marks, tags, notes)?
    pub fn has_annotations(&self) -> bool {
        !self.events.is_empty() || !self.entities.is_empty() || !self.views.is_empty()
    }

    fn event_entry(&mut self, key: &EventKey, info: &EventInfo) -> &mut EventNote {
        let n = self.events.entry(key.clone()).or_default();
        if n.time.is_none() {
            n.time = info.time;
        }
        if n.summary.is_empty() {
            n.summary = info.summary.clone();
        }
        n
    }

    fn prune_event(&mut self, key: &EventKey) {
        if self.events.get(key).is_some_and(EventNote::is_empty) {
            self.events.remove(key);
        }
    }

    fn prune_entity(&mut self, key: &EntityKey) {
        if self.entities.get(key).is_some_and(EntityNote::is_empty) {
            self.entities.remove(key);
        }
    }

    /// Mark or unmark; returns whether the event is marked now. Unmarking keeps its tags and note.
    pub fn set_mark(&mut self, key: &EventKey, info: &EventInfo, marked: bool) -> bool {
        self.event_entry(key, info).marked = marked;
        self.prune_event(key);
        marked
    }

    pub fn toggle_mark(&mut self, key: &EventKey, info: &EventInfo) -> bool {
        let now = !self.is_marked(key);
        self.set_mark(key, info, now)
    }

    /// Add the tag, or remove it when the event has it already; returns whether the event has it now.
    pub fn toggle_event_tag(
        &mut self,
        key: &EventKey,
        info: &EventInfo,
        tag: &str,
    ) -> Result<bool, CaseError> {
        let tag = normalize_tag(tag)?;
        let n = self.event_entry(key, info);
        let has = if n.tags.remove(&tag) {
            false
        } else {
            n.tags.insert(tag);
            true
        };
        self.prune_event(key);
        Ok(has)
    }

    /// Replace the event's note (an empty text removes it).
    pub fn set_event_note(&mut self, key: &EventKey, info: &EventInfo, text: &str) {
        self.event_entry(key, info).note = clean_note(text);
        self.prune_event(key);
    }

    pub fn toggle_entity_tag(&mut self, e: &Entity, tag: &str) -> Result<bool, CaseError> {
        let tag = normalize_tag(tag)?;
        let key = EntityKey(e.clone());
        let n = self.entities.entry(key.clone()).or_default();
        let has = if n.tags.remove(&tag) {
            false
        } else {
            n.tags.insert(tag);
            true
        };
        self.prune_entity(&key);
        Ok(has)
    }

    pub fn set_entity_note(&mut self, e: &Entity, text: &str) {
        let key = EntityKey(e.clone());
        self.entities.entry(key.clone()).or_default().note = clean_note(text);
        self.prune_entity(&key);
    }

    /// Set (or, with `None`, clear) when an entity's legitimate use ended.
    pub fn set_entity_end(&mut self, e: &Entity, ended: Option<Nanos>) {
        let key = EntityKey(e.clone());
        self.entities.entry(key.clone()).or_default().ended = ended;
        self.prune_entity(&key);
    }

    /// Every end date the analyst set, for the rules' `after_end` kind.
    pub fn end_dates(&self) -> Vec<(Entity, Nanos)> {
        self.entities
            .iter()
            .filter_map(|(k, n)| Some((k.0.clone(), n.ended?)))
            .collect()
    }

    /// Tags of an entity (empty when none).
    pub fn entity_tags(&self, e: &Entity) -> Vec<&str> {
        self.entity(e)
            .map(|n| n.tags.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// Every tag in use, for suggestions, most used first, then by name.
    pub fn tags_in_use(&self) -> Vec<String> {
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        let all = self
            .events
            .values()
            .flat_map(|n| n.tags.iter())
            .chain(self.entities.values().flat_map(|n| n.tags.iter()));
        for t in all {
            *count.entry(t.as_str()).or_default() += 1;
        }
        let mut v: Vec<(&str, usize)> = count.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v.into_iter().map(|(t, _)| t.to_string()).collect()
    }

    /// Tags to offer for `prefix`: those in use first, then the suggested ones.
    pub fn tag_suggestions(&self, prefix: &str) -> Vec<String> {
        let p = prefix.trim().to_lowercase();
        let mut out = self.tags_in_use();
        for s in SUGGESTED_TAGS {
            if !out.iter().any(|t| t == s) {
                out.push(s.to_string());
            }
        }
        out.retain(|t| t.starts_with(&p));
        out
    }

    /// Marked events in time order (events without a known time last, then by key).
    pub fn marked(&self) -> Vec<(&EventKey, &EventNote)> {
        let mut v: Vec<(&EventKey, &EventNote)> =
            self.events.iter().filter(|(_, n)| n.marked).collect();
        v.sort_by(|a, b| {
            (a.1.time.is_none(), a.1.time, a.0).cmp(&(b.1.time.is_none(), b.1.time, b.0))
        });
        v
    }

    /// Save (or replace) a named view.
    pub fn save_view(&mut self, name: &str, steps: Vec<ViewStep>) {
        let name = name.trim().to_string();
        match self.views.iter_mut().find(|v| v.name == name) {
            Some(v) => v.steps = steps,
            None => self.views.push(SavedView { name, steps }),
        }
    }
}

/// Notes keep the analyst's text; only trailing whitespace and `\r` (from pasted Windows text) go.
fn clean_note(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim_end()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> Case {
        Case::new(
            BundleRef {
                sha256: "ab".repeat(32),
                files: 3,
                bytes: 100,
            },
            Some("dana".into()),
            1_000,
        )
    }

    fn info(t: Nanos) -> EventInfo {
        EventInfo {
            time: Some(t),
            summary: format!("event at {t}"),
        }
    }

    #[test]
    fn marks_toggle_and_order_by_time() {
        let mut c = case();
        let (a, b) = (EventKey::from_text("a"), EventKey::from_text("b"));
        assert!(c.toggle_mark(&b, &info(20)));
        assert!(c.toggle_mark(&a, &info(30)));
        let order: Vec<&str> = c.marked().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(order, ["b", "a"]);
        assert!(!c.toggle_mark(&b, &info(20)));
        assert!(!c.is_marked(&b));
        assert!(!c.events.contains_key(&b), "an empty annotation is pruned");
        assert!(c.has_marks());
    }

    #[test]
    fn unmarking_keeps_what_the_analyst_wrote() {
        let mut c = case();
        let k = EventKey::from_text("k");
        c.set_mark(&k, &info(5), true);
        c.set_event_note(&k, &info(5), "first line\r\nsecond line  \n");
        c.set_mark(&k, &info(5), false);
        let n = c.event(&k).unwrap();
        assert!(!n.marked);
        assert_eq!(n.note, "first line\nsecond line");
        assert_eq!(n.summary, "event at 5");
    }

    #[test]
    fn tags_normalise_toggle_and_suggest() {
        let mut c = case();
        let k = EventKey::from_text("k");
        let e = Entity::new(EntityKind::Ip, "198.51.100.77");
        assert!(c.toggle_event_tag(&k, &info(1), "  Exfil Trated ").unwrap());
        assert_eq!(
            c.event(&k).unwrap().tags.iter().next().unwrap(),
            "exfil-trated"
        );
        assert!(c.toggle_entity_tag(&e, "attacker-ip").unwrap());
        assert!(c.toggle_entity_tag(&e, "zeta").unwrap());
        assert_eq!(c.entity_tags(&e), ["attacker-ip", "zeta"]);
        assert!(!c.toggle_entity_tag(&e, "ZETA").unwrap());
        assert_eq!(c.entity_tags(&e), ["attacker-ip"]);
        // In-use tags first, then the shipped suggestions, filtered by prefix.
        let s = c.tag_suggestions("");
        assert_eq!(&s[..2], ["attacker-ip", "exfil-trated"]);
        assert!(s.contains(&"compromised".to_string()));
        assert_eq!(c.tag_suggestions("EX"), ["exfil-trated", "exfiltrated"]);
        assert!(c.toggle_event_tag(&k, &info(1), "   ").is_err());
        assert!(c.toggle_event_tag(&k, &info(1), "a\u{1b}b").is_err());
        assert!(c.toggle_event_tag(&k, &info(1), &"x".repeat(65)).is_err());
        // Removing the last tag of an unmarked event without a note prunes it.
        assert!(!c.toggle_event_tag(&k, &info(1), "exfil trated").unwrap());
        assert!(c.event(&k).is_none());
    }

    #[test]
    fn entity_keys_round_trip_as_text() {
        for (k, n) in [
            (EntityKind::Token, "AKIAQ3EGRZTSTOLEN7CI"),
            (EntityKind::Identity, "arn:aws:iam::1:user/a:b"),
            (EntityKind::Asset, "bucket/key with spaces"),
        ] {
            let key = EntityKey::new(k, n);
            let back = EntityKey::parse(&key.to_string()).unwrap();
            assert_eq!(back, key);
        }
        assert!(EntityKey::parse("colour:red").is_err());
        assert!(EntityKey::parse("token:").is_err());
        assert!(EntityKey::parse("token").is_err());
    }

    #[test]
    fn serde_round_trip_keeps_everything() {
        let mut c = case();
        let k = EventKey::from_text("cloudtrail|id|e-1|GetObject");
        c.set_mark(&k, &info(1_759_630_387_000_000_123), true);
        c.toggle_event_tag(&k, &info(0), "exfiltrated").unwrap();
        c.set_event_note(&k, &info(0), "shard 1 of 4\n`whoami` <b>");
        let e = Entity::new(EntityKind::Token, "AKIAQ3EGRZTSTOLEN7CI");
        c.toggle_entity_tag(&e, "compromised").unwrap();
        c.set_entity_note(&e, "leaked from CI");
        c.save_view(
            "stolen key",
            vec![
                ViewStep::default(),
                ViewStep {
                    entity: Some(EntityKey(e.clone())),
                    filter: "outcome:failure".into(),
                },
            ],
        );
        c.last_view = Some(LastView {
            steps: vec![ViewStep::default()],
            selected: Some(k.clone()),
            selected_time: Some(5),
        });
        c.time_zone = TimeZone::Local;
        let text = serde_json::to_string_pretty(&c).unwrap();
        assert!(text.contains("\"token:AKIAQ3EGRZTSTOLEN7CI\""), "{text}");
        assert!(text.contains("\"time_zone\": \"local\""), "{text}");
        let back: Case = serde_json::from_str(&text).unwrap();
        assert_eq!(back, c);
    }
}
