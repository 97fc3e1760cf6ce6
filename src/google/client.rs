//! The Google Calendar API over the network, through `google-calendar3`: signing in
//! (a service account's key, or an authorized user's refresh token traded at the
//! token URL), and listing a calendar's changes since a sync token, page by page.
//! Base URL and token URL come from the configuration, so tests point them at a
//! stand-in. Errors say whether trying again can help. Secrets never reach a log.
//!
//! Must not know: the store, or what the events mean for the host's time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use google_calendar3::api::{Event, Scope};
use google_calendar3::common::GetToken;
use google_calendar3::{CalendarHub, Error as ApiError};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::model::GoogleWrite;
use crate::config::{GoogleConfig, GoogleCredentials, Secret};

/// Longest wait for one call to Google.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Events per page asked for.
const PAGE_SIZE: i32 = 250;

type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

/// Why a call to Google failed.
#[derive(Debug, thiserror::Error)]
pub enum GoogleError {
    /// The sync token expired (410 Gone): list everything again.
    #[error("the sync token is no longer valid")]
    SyncTokenGone,
    /// Worth trying again later: rate limit, server error, time-out, network, sign-in.
    #[error("Google is unavailable for now: {0}")]
    Passing(String),
    /// Google refused for good (another 4xx): trying again would not help.
    #[error("Google refused: {0}")]
    Refused(String),
    /// The credentials cannot be used at all.
    #[error("Google credentials: {0}")]
    Credentials(String),
}

/// A calendar's changes: the events changed (or, on a full listing, all of them) and
/// the token to ask for the next changes with.
#[derive(Debug, Clone)]
pub struct Changes {
    /// The events, cancelled ones included.
    pub events: Vec<Event>,
    /// The token for the next incremental listing.
    pub next_sync_token: Option<String>,
}

/// A signed-in Calendar API client.
pub struct GoogleClient {
    hub: CalendarHub<Connector>,
}

impl GoogleClient {
    /// A client for `config` (no request is made yet; signing in happens on the first
    /// call).
    pub async fn new(config: &GoogleConfig) -> Result<Self, GoogleError> {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .build();
        let api = Client::builder(TokioExecutor::new()).build(connector.clone());
        let auth = match &config.credentials {
            GoogleCredentials::ServiceAccount { key_json, subject } => {
                let mut key: google_calendar3::yup_oauth2::ServiceAccountKey =
                    serde_json::from_str(key_json.expose())
                        .map_err(|e| GoogleError::Credentials(format!("the key: {e}")))?;
                key.token_uri = config.token_url.clone();
                let http = Client::builder(TokioExecutor::new()).build(connector);
                let mut builder =
                    google_calendar3::yup_oauth2::ServiceAccountAuthenticator::with_client(
                        key,
                        google_calendar3::yup_oauth2::CustomHyperClientBuilder::from(http),
                    );
                if let Some(subject) = subject {
                    builder = builder.subject(subject.clone());
                }
                let authenticator = builder
                    .build()
                    .await
                    .map_err(|e| GoogleError::Credentials(e.to_string()))?;
                SignIn::ServiceAccount(authenticator)
            }
            GoogleCredentials::AuthorizedUser {
                client_id,
                client_secret,
                refresh_token,
            } => SignIn::RefreshToken(RefreshTokenAuth {
                inner: Arc::new(RefreshInner {
                    token_url: config.token_url.clone(),
                    client_id: client_id.clone(),
                    client_secret: client_secret.clone(),
                    refresh_token: refresh_token.clone(),
                    http: Client::builder(TokioExecutor::new()).build(connector),
                    cached: tokio::sync::Mutex::new(None),
                }),
            }),
        };
        let mut hub = CalendarHub::new(api, auth);
        hub.base_url(config.base_url.clone());
        hub.root_url(root_of(&config.base_url));
        hub.user_agent(format!("kairos/{}", env!("CARGO_PKG_VERSION")));
        Ok(Self { hub })
    }

    /// The changes to `calendar` since `sync_token`, or all its events when there is
    /// none; every page, cancelled events included.
    pub async fn changes(
        &self,
        calendar: &str,
        sync_token: Option<&str>,
    ) -> Result<Changes, GoogleError> {
        let mut events = Vec::new();
        let mut page_token: Option<String> = None;
        loop {
            let mut call = self
                .hub
                .events()
                .list(calendar)
                .single_events(true)
                .show_deleted(true)
                .max_results(PAGE_SIZE)
                .add_scope(Scope::Full);
            if let Some(token) = sync_token {
                call = call.sync_token(token);
            }
            if let Some(page) = &page_token {
                call = call.page_token(page);
            }
            let (_, page) = within(call.doit()).await?.map_err(classify)?;
            events.extend(page.items.unwrap_or_default());
            match page.next_page_token {
                Some(next) => page_token = Some(next),
                None => {
                    return Ok(Changes {
                        events,
                        next_sync_token: page.next_sync_token,
                    });
                }
            }
        }
    }
}

impl GoogleClient {
    /// Carries out `write` on `calendar`; returns the event as Google holds it after an
    /// upsert.
    pub async fn write(
        &self,
        calendar: &str,
        write: &GoogleWrite,
    ) -> Result<Option<Event>, GoogleError> {
        match write {
            GoogleWrite::Upsert { event, known_id } => self
                .upsert(calendar, event, known_id.as_deref())
                .await
                .map(Some),
            GoogleWrite::Remove { ical_uid, known_id } => {
                self.remove(calendar, ical_uid, known_id.as_deref()).await?;
                Ok(None)
            }
        }
    }

    /// Asks Google to notify `address` of changes to `calendar` (a web-hook channel
    /// `channel_id` carrying `token`); returns when the channel expires (ms since the
    /// epoch), if Google said.
    pub async fn watch(
        &self,
        calendar: &str,
        channel_id: &str,
        address: &str,
        token: &str,
    ) -> Result<Option<i64>, GoogleError> {
        let channel = google_calendar3::api::Channel {
            id: Some(channel_id.to_string()),
            type_: Some("web_hook".into()),
            address: Some(address.to_string()),
            token: Some(token.to_string()),
            ..google_calendar3::api::Channel::default()
        };
        let (_, watched) = within(
            self.hub
                .events()
                .watch(channel, calendar)
                .add_scope(Scope::Full)
                .doit(),
        )
        .await?
        .map_err(classify)?;
        Ok(watched.expiration)
    }

    async fn upsert(
        &self,
        calendar: &str,
        event: &Event,
        known_id: Option<&str>,
    ) -> Result<Event, GoogleError> {
        let known = match known_id {
            Some(id) => Some(id.to_string()),
            None => {
                let inserted = within(
                    self.hub
                        .events()
                        .insert(event.clone(), calendar)
                        .conference_data_version(1)
                        .send_updates("none")
                        .add_scope(Scope::Full)
                        .doit(),
                )
                .await?;
                match inserted {
                    Ok((_, written)) => return Ok(written),
                    // Written before (a retry after a lost answer): the iCalUID says so.
                    Err(error) if status_of(&error) == Some(409) => {
                        self.find(calendar, event.i_cal_uid.as_deref().unwrap_or(""))
                            .await?
                    }
                    Err(error) => return Err(classify(error)),
                }
            }
        };
        let Some(id) = known else {
            return Err(GoogleError::Passing(
                "Google reports the event exists but does not list it yet".into(),
            ));
        };
        let mut changes = event.clone();
        // The iCalUID cannot change, and the Meet link is asked for once.
        changes.i_cal_uid = None;
        changes.conference_data = None;
        let patched = within(
            self.hub
                .events()
                .patch(changes, calendar, &id)
                .conference_data_version(1)
                .send_updates("none")
                .add_scope(Scope::Full)
                .doit(),
        )
        .await?;
        match patched {
            Ok((_, written)) => Ok(written),
            // Deleted in Google meanwhile: written again.
            Err(error) if matches!(status_of(&error), Some(404 | 410)) => {
                Box::pin(self.upsert(calendar, event, None)).await
            }
            Err(error) => Err(classify(error)),
        }
    }

    async fn remove(
        &self,
        calendar: &str,
        ical_uid: &str,
        known_id: Option<&str>,
    ) -> Result<(), GoogleError> {
        let id = match known_id {
            Some(id) => id.to_string(),
            None => match self.find(calendar, ical_uid).await? {
                Some(id) => id,
                None => return Ok(()),
            },
        };
        let deleted = within(
            self.hub
                .events()
                .delete(calendar, &id)
                .send_updates("none")
                .add_scope(Scope::Full)
                .doit(),
        )
        .await?;
        match deleted {
            Ok(_) => Ok(()),
            Err(error) if matches!(status_of(&error), Some(404 | 410)) => Ok(()),
            Err(error) => Err(classify(error)),
        }
    }

    /// The Google id of the event with `ical_uid`, if there is one.
    async fn find(&self, calendar: &str, ical_uid: &str) -> Result<Option<String>, GoogleError> {
        let (_, page) = within(
            self.hub
                .events()
                .list(calendar)
                .i_cal_uid(ical_uid)
                .add_scope(Scope::Full)
                .doit(),
        )
        .await?
        .map_err(classify)?;
        Ok(page
            .items
            .unwrap_or_default()
            .into_iter()
            .find(|event| event.status.as_deref() != Some("cancelled"))
            .and_then(|event| event.id))
    }
}

/// The HTTP status of an API error, when it has one. Google's error bodies carry it as
/// `error.code`.
fn status_of(error: &ApiError) -> Option<u64> {
    match error {
        ApiError::BadRequest(body) => body
            .get("error")
            .and_then(|e| e.get("code"))
            .and_then(serde_json::Value::as_u64),
        ApiError::Failure(response) => Some(u64::from(response.status().as_u16())),
        _ => None,
    }
}

/// `https://host/` of a base URL `https://host/calendar/v3/`.
fn root_of(base_url: &str) -> String {
    match url::Url::parse(base_url) {
        Ok(mut url) => {
            url.set_path("/");
            url.to_string()
        }
        Err(_) => base_url.to_string(),
    }
}

async fn within<T>(call: impl std::future::Future<Output = T>) -> Result<T, GoogleError> {
    tokio::time::timeout(CALL_TIMEOUT, call)
        .await
        .map_err(|_| GoogleError::Passing(format!("no answer within {CALL_TIMEOUT:?}")))
}

/// Sorts an API error by what to do about it. Google's error bodies carry the HTTP
/// status as `error.code`.
fn classify(error: ApiError) -> GoogleError {
    let status = match &error {
        ApiError::BadRequest(_) | ApiError::Failure(_) => status_of(&error),
        ApiError::HttpError(_) | ApiError::Io(_) | ApiError::MissingToken(_) => None,
        _ => return GoogleError::Refused(error.to_string()),
    };
    match status {
        Some(410) => GoogleError::SyncTokenGone,
        Some(429) | Some(500..=599) | None => GoogleError::Passing(error.to_string()),
        Some(_) => GoogleError::Refused(error.to_string()),
    }
}

/// How Kairos signs in to Google.
#[derive(Clone)]
enum SignIn {
    ServiceAccount(google_calendar3::yup_oauth2::authenticator::Authenticator<Connector>),
    RefreshToken(RefreshTokenAuth),
}

type TokenOutput<'a> = std::pin::Pin<
    Box<
        dyn std::future::Future<
                Output = Result<Option<String>, Box<dyn std::error::Error + Send + Sync>>,
            > + Send
            + 'a,
    >,
>;

impl GetToken for SignIn {
    fn get_token<'a>(&'a self, scopes: &'a [&str]) -> TokenOutput<'a> {
        match self {
            Self::ServiceAccount(authenticator) => authenticator.get_token(scopes),
            Self::RefreshToken(refresh) => refresh.get_token(scopes),
        }
    }
}

/// Sign-in with an authorized user's refresh token: traded at the token URL for an
/// access token, kept until a minute before it expires.
#[derive(Clone)]
struct RefreshTokenAuth {
    inner: Arc<RefreshInner>,
}

struct RefreshInner {
    token_url: String,
    client_id: String,
    client_secret: Secret,
    refresh_token: Secret,
    http: Client<Connector, Full<Bytes>>,
    cached: tokio::sync::Mutex<Option<(String, Instant)>>,
}

impl RefreshInner {
    async fn token(&self) -> Result<String, GoogleError> {
        let mut cached = self.cached.lock().await;
        if let Some((token, until)) = cached.as_ref()
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "refresh_token")
            .append_pair("client_id", &self.client_id)
            .append_pair("client_secret", self.client_secret.expose())
            .append_pair("refresh_token", self.refresh_token.expose())
            .finish();
        let request = hyper::Request::post(&self.token_url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(form)))
            .map_err(|e| GoogleError::Credentials(format!("google.token_url: {e}")))?;
        let response = within(self.http.request(request))
            .await?
            .map_err(|e| GoogleError::Passing(format!("token endpoint: {e}")))?;
        let status = response.status();
        let body = within(response.into_body().collect())
            .await?
            .map_err(|e| GoogleError::Passing(format!("token endpoint: {e}")))?
            .to_bytes();
        if !status.is_success() {
            // The body names the OAuth error ("invalid_grant"), never the secrets.
            let text = String::from_utf8_lossy(&body);
            let failure = format!("token endpoint answered {status}: {text}");
            return Err(if status.is_server_error() || status.as_u16() == 429 {
                GoogleError::Passing(failure)
            } else {
                GoogleError::Credentials(failure)
            });
        }
        #[derive(serde::Deserialize)]
        struct Granted {
            access_token: String,
            expires_in: Option<u64>,
        }
        let granted: Granted = serde_json::from_slice(&body)
            .map_err(|e| GoogleError::Passing(format!("token endpoint: {e}")))?;
        let lifetime = Duration::from_secs(granted.expires_in.unwrap_or(3600).saturating_sub(60));
        *cached = Some((granted.access_token.clone(), Instant::now() + lifetime));
        Ok(granted.access_token)
    }
}

impl GetToken for RefreshTokenAuth {
    fn get_token<'a>(&'a self, _scopes: &'a [&str]) -> TokenOutput<'a> {
        Box::pin(async move {
            self.inner
                .token()
                .await
                .map(Some)
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
        })
    }
}
