//! Validation of the `google:` section: off by default; when enabled, the credentials
//! file is read and recognised here (a service account's key, or an authorized user's
//! refresh token), so a missing or wrong file stops start-up naming its key.

use std::time::Duration as StdDuration;

use serde_json::Value;

use super::raw::RawGoogle;
use super::validate::bounded;
use super::{ConfigError, GoogleConfig, GoogleCredentials, Secret, invalid};

impl RawGoogle {
    pub(super) fn validate(self) -> Result<Option<GoogleConfig>, ConfigError> {
        if !self.enabled {
            return Ok(None);
        }
        let Some(file) = self.credentials_file else {
            return Err(invalid(
                "google.credentials_file",
                "is needed when google.enabled is true",
            ));
        };
        let key = "google.credentials_file";
        let text = std::fs::read_to_string(&file)
            .map_err(|e| invalid(key, format!("{}: {e}", file.display())))?;
        let json: Value = serde_json::from_str(&text)
            .map_err(|e| invalid(key, format!("{} is not JSON: {e}", file.display())))?;
        let field = |name: &str| json.get(name).and_then(Value::as_str).map(str::to_string);
        let credentials = match field("type").as_deref() {
            Some("service_account") => {
                for needed in ["client_email", "private_key"] {
                    if field(needed).is_none() {
                        return Err(invalid(
                            key,
                            format!(
                                "{}: the service account key has no {needed}",
                                file.display()
                            ),
                        ));
                    }
                }
                GoogleCredentials::ServiceAccount {
                    key_json: Secret::new(text),
                    subject: self.subject,
                }
            }
            Some("authorized_user") => {
                let (Some(client_id), Some(client_secret), Some(refresh_token)) = (
                    field("client_id"),
                    field("client_secret"),
                    field("refresh_token"),
                ) else {
                    return Err(invalid(
                        key,
                        format!(
                            "{}: an authorized user needs client_id, client_secret and \
                             refresh_token (`kairos google-auth` writes them)",
                            file.display()
                        ),
                    ));
                };
                GoogleCredentials::AuthorizedUser {
                    client_id,
                    client_secret: Secret::new(client_secret),
                    refresh_token: Secret::new(refresh_token),
                }
            }
            other => {
                return Err(invalid(
                    key,
                    format!(
                        "{}: type {other:?} is neither \"service_account\" nor \"authorized_user\"",
                        file.display()
                    ),
                ));
            }
        };
        if self.calendars.is_empty() || self.calendars.iter().any(|c| c.trim().is_empty()) {
            return Err(invalid(
                "google.calendars",
                "must name at least one calendar",
            ));
        }
        if self.push_calendar.trim().is_empty() {
            return Err(invalid("google.push_calendar", "must not be empty"));
        }
        let url = |key: &str, value: &str| -> Result<String, ConfigError> {
            let parsed =
                url::Url::parse(value).map_err(|e| invalid(key, format!("{value:?}: {e}")))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(invalid(key, "must be an http or https URL"));
            }
            Ok(value.to_string())
        };
        let mut base_url = url("google.base_url", &self.base_url)?;
        if !base_url.ends_with('/') {
            base_url.push('/');
        }
        let watch_url = self
            .watch_url
            .map(|watch| {
                let checked = url("google.watch_url", &watch)?;
                if checked.starts_with("https://") {
                    Ok(checked)
                } else {
                    Err(invalid(
                        "google.watch_url",
                        "Google only notifies https URLs",
                    ))
                }
            })
            .transpose()?;
        let poll = bounded(
            "google.poll_interval_seconds",
            self.poll_interval_seconds as i64,
            1,
            86_400,
        )?;
        Ok(Some(GoogleConfig {
            credentials,
            calendars: self.calendars,
            push_calendar: self.push_calendar,
            poll_interval: StdDuration::from_secs(poll as u64),
            all_day_busy: self.all_day_busy,
            base_url,
            token_url: url("google.token_url", &self.token_url)?,
            watch_url,
        }))
    }
}
