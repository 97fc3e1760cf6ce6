//! The backup file's shape: one JSON document holding every tree of the store, each
//! record's key and value as exact bytes. Records that are JSON objects or arrays (most
//! of them) are embedded as they are stored, byte for byte, so the file is readable;
//! text is a JSON string; anything else is base64.
//!
//! ```json
//! {"format": "kairos-backup", "version": 1, "trees": [
//!   {"name": "appointments", "entries": [{"key": "apt_…", "json": {…}}, …]},
//!   {"name": "outbox", "entries": [{"key_base64": "AAAAAAAAAAE=", "json": {…}}, …]},
//!   {"name": "meta", "entries": [{"key": "schema_version", "text": "1"}, …]}]}
//! ```
//!
//! Must not know: sled, or what a record means.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// What the `format` field says.
pub(super) const FORMAT: &str = "kairos-backup";
/// The version of the file's shape this build writes and reads.
pub(super) const VERSION: u32 = 1;

/// The first look at a file: what it says it is (every other field ignored, but the
/// whole text checked as JSON).
#[derive(Deserialize)]
pub(super) struct Header {
    pub(super) format: Option<String>,
    pub(super) version: Option<serde_json::Value>,
}

/// The whole file.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Document {
    pub(super) format: String,
    pub(super) version: u32,
    pub(super) trees: Vec<TreeDump>,
}

/// One tree: its name and its records in key order.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TreeDump {
    pub(super) name: String,
    pub(super) entries: Vec<EntryDump>,
}

/// One record: the key as `key` (text) or `key_base64`, the value as `json`, `text` or
/// `base64`.
#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct EntryDump {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_base64: Option<Base64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    json: Option<Box<RawValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    base64: Option<Base64>,
}

impl EntryDump {
    /// The record `key` → `value`, each in its most readable exact form.
    pub(super) fn new(key: &[u8], value: &[u8]) -> Self {
        let mut entry = Self::default();
        match readable_text(key) {
            Some(text) => entry.key = Some(text.to_string()),
            None => entry.key_base64 = Some(Base64(key.to_vec())),
        }
        if let Some(json) = exact_json(value) {
            entry.json = Some(json);
        } else if let Some(text) = readable_text(value) {
            entry.text = Some(text.to_string());
        } else {
            entry.base64 = Some(Base64(value.to_vec()));
        }
        entry
    }

    /// The key and value bytes, or what is wrong with the entry.
    pub(super) fn into_record(self) -> Result<(Vec<u8>, Vec<u8>), &'static str> {
        let key = match (self.key, self.key_base64) {
            (Some(text), None) => text.into_bytes(),
            (None, Some(bytes)) => bytes.0,
            (None, None) => return Err("has no \"key\" (or \"key_base64\")"),
            (Some(_), Some(_)) => return Err("has both \"key\" and \"key_base64\""),
        };
        let value = match (self.json, self.text, self.base64) {
            (Some(json), None, None) => String::from(Box::<str>::from(json)).into_bytes(),
            (None, Some(text), None) => text.into_bytes(),
            (None, None, Some(bytes)) => bytes.0,
            (None, None, None) => return Err("has no value (\"json\", \"text\" or \"base64\")"),
            _ => return Err("has more than one of \"json\", \"text\" and \"base64\""),
        };
        Ok((key, value))
    }
}

/// `bytes` as text when they are UTF-8 without control characters other than NUL (the
/// separator inside composite keys), so that the text form stays readable.
fn readable_text(bytes: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(bytes).ok()?;
    text.chars()
        .all(|c| c == '\0' || !c.is_control())
        .then_some(text)
}

/// `bytes` as embedded JSON when they are exactly one JSON object or array, with no
/// whitespace around it (so that writing the embedded text back gives the same bytes).
fn exact_json(bytes: &[u8]) -> Option<Box<RawValue>> {
    if !matches!(bytes.first(), Some(b'{' | b'[')) {
        return None;
    }
    let raw: Box<RawValue> = serde_json::from_slice(bytes).ok()?;
    (raw.get().as_bytes() == bytes).then_some(raw)
}

/// Bytes written as standard base64 (with padding).
pub(super) struct Base64(Vec<u8>);

impl Serialize for Base64 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Base64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD
            .decode(text.as_bytes())
            .map(Self)
            .map_err(|error| serde::de::Error::custom(format!("not base64: {error}")))
    }
}

#[cfg(test)]
mod tests {
    use super::EntryDump;

    fn round_trip(key: &[u8], value: &[u8]) -> (String, (Vec<u8>, Vec<u8>)) {
        let text = serde_json::to_string(&EntryDump::new(key, value)).expect("serialises");
        let entry: EntryDump = serde_json::from_str(&text).expect("reads back");
        (text, entry.into_record().expect("a record"))
    }

    #[test]
    fn each_kind_of_record_comes_back_byte_for_byte_in_its_readable_form() {
        let cases: [(&[u8], &[u8], &str); 7] = [
            (
                b"apt_1",
                br#"{"id":"apt_1","n":[1, 2]}"#,
                r#"{"key":"apt_1","json":{"id":"apt_1","n":[1, 2]}}"#,
            ),
            (
                b"cal\0x.ics",
                b"[]",
                r#"{"key":"cal\u0000x.ics","json":[]}"#,
            ),
            (
                &[0, 0, 0, 0, 0, 0, 0, 5],
                b"1",
                r#"{"key_base64":"AAAAAAAAAAU=","text":"1"}"#,
            ),
            (b"series", b"", r#"{"key":"series","text":""}"#),
            (b"k", b" {\"a\":1}", r#"{"key":"k","text":" {\"a\":1}"}"#),
            (b"k", b"null", r#"{"key":"k","text":"null"}"#),
            (
                b"link_key",
                &[0xff, 0, 7],
                r#"{"key":"link_key","base64":"/wAH"}"#,
            ),
        ];
        for (key, value, expected) in cases {
            let (text, (key_back, value_back)) = round_trip(key, value);
            assert_eq!(text, expected);
            assert_eq!((key_back.as_slice(), value_back.as_slice()), (key, value));
        }
    }

    #[test]
    fn an_entry_with_two_values_or_no_key_is_refused() {
        for (text, complaint) in [
            (r#"{"key":"a","text":"x","base64":"eA=="}"#, "more than one"),
            (r#"{"text":"x"}"#, "no \"key\""),
            (r#"{"key":"a","key_base64":"YQ==","text":"x"}"#, "both"),
            (r#"{"key":"a"}"#, "no value"),
        ] {
            let entry: EntryDump = serde_json::from_str(text).expect("parses");
            let error = entry.into_record().expect_err("refused");
            assert!(error.contains(complaint), "{text}: {error}");
        }
        let bad = serde_json::from_str::<EntryDump>(r#"{"key":"a","base64":"%%"}"#);
        assert!(bad.is_err_and(|e| e.to_string().contains("not base64")));
    }
}
