//! Offering time: the busy picture for a span, the client's scoring context, the
//! day's slots with the best few, and alternatives near a refused time.

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;

use super::{Scheduler, ServiceError, invalid};
use crate::config::MAX_MEETING_MINUTES;
use crate::domain::rules::day_interval;
use crate::domain::{AppointmentId, Client, ClientId, EmailAddress, Interval, MeetingType};
use crate::learn::BookingPattern;
use crate::slots::{self, Busy, Engine, HistorySource, ScoreContext, Slot};

/// How the asking client is identified, if at all.
#[derive(Debug, Clone)]
pub enum ClientLookup {
    /// By id.
    Id(ClientId),
    /// By email address.
    Email(EmailAddress),
}

/// A question about one day.
#[derive(Debug, Clone)]
pub struct AvailabilityQuery {
    /// The day, in the client's zone.
    pub date: NaiveDate,
    /// The client's zone.
    pub zone: Tz,
    /// Meeting length in minutes; default: the meeting type's.
    pub duration_minutes: Option<i64>,
    /// Meeting type id; default: the first configured.
    pub meeting_type: Option<String>,
    /// Who asks, for preferences and history.
    pub client: Option<ClientLookup>,
}

/// The answer for one day.
#[derive(Debug, Clone)]
pub struct Availability {
    /// The day asked about.
    pub date: NaiveDate,
    /// The zone it was asked in.
    pub zone: Tz,
    /// Meeting length.
    pub duration: Duration,
    /// The best few, best first.
    pub suggestions: Vec<Slot>,
    /// Every bookable slot, by start.
    pub all: Vec<Slot>,
}

/// Validates a requested meeting length.
pub(super) fn meeting_length(
    minutes: Option<i64>,
    kind: &MeetingType,
) -> Result<Duration, ServiceError> {
    match minutes {
        None => Ok(kind.duration),
        Some(m) if (1..=MAX_MEETING_MINUTES).contains(&m) => Ok(Duration::minutes(m)),
        Some(m) => Err(invalid(
            "invalid_duration",
            "duration",
            format!("duration must be 1 to {MAX_MEETING_MINUTES} minutes, not {m}"),
        )),
    }
}

/// Busy time around `span`, ready for the engine; `except` is left out (a reschedule).
pub(super) struct BusyPicture {
    pub busy: Busy,
    pub external: Vec<Interval>,
}

impl Scheduler {
    /// The slots of one day in the client's zone, scored for that client.
    pub fn availability(&self, query: &AvailabilityQuery) -> Result<Availability, ServiceError> {
        let kind = self.meeting_type(query.meeting_type.as_deref())?;
        let duration = meeting_length(query.duration_minutes, kind)?;
        let client = match &query.client {
            Some(lookup) => self.find_client(lookup)?,
            None => None,
        };
        let window = day_interval(query.zone, query.date);
        let picture = self.busy_picture(window, None)?;
        let engine = self.engine(&picture.busy, kind);
        let context = self.score_context(client.as_ref(), query.zone)?;
        let all = engine.score(&engine.available(window, duration), &context);
        let suggestions = slots::best(&all, self.scoring.suggestions);
        Ok(Availability {
            date: query.date,
            zone: query.zone,
            duration,
            suggestions,
            all,
        })
    }

    pub(super) fn find_client(
        &self,
        lookup: &ClientLookup,
    ) -> Result<Option<Client>, ServiceError> {
        Ok(match lookup {
            ClientLookup::Id(id) => self.store.client(id)?,
            ClientLookup::Email(email) => self.store.client_by_email(email)?,
        })
    }

    /// Appointments and external busy time that can matter for slots in `span`.
    pub(super) fn busy_picture(
        &self,
        span: Interval,
        except: Option<&AppointmentId>,
    ) -> Result<BusyPicture, ServiceError> {
        let reach = Duration::days(1) + self.rules.buffer;
        let from = self.rules.local_date(span.start - reach);
        let to = self.rules.local_date(span.end + reach);
        let appointments: Vec<Interval> = self
            .store
            .booked_between(from, to)?
            .into_iter()
            .filter(|(id, _)| Some(id) != except)
            .map(|(_, interval)| interval)
            .collect();
        let wide = span.widened(reach);
        let mut external = Vec::new();
        for source in &self.busy_sources {
            external.extend(source.busy(wide)?);
        }
        let busy = Busy::new(&appointments, &external, self.rules.buffer, self.rules.zone);
        Ok(BusyPicture { busy, external })
    }

    pub(super) fn engine<'a>(&'a self, busy: &'a Busy, kind: &MeetingType) -> Engine<'a> {
        Engine {
            rules: &self.rules,
            busy,
            notice: self.rules.notice_for(Some(kind)),
            now: self.clock.now(),
        }
    }

    /// The client's preferences and the history that applies to them.
    pub(super) fn score_context<'a>(
        &self,
        client: Option<&'a Client>,
        zone: Tz,
    ) -> Result<ScoreContext<'a>, ServiceError> {
        let now = self.clock.now();
        let own: Option<BookingPattern> = match client {
            Some(client) => Some(self.store.pattern(Some(&client.id))?),
            None => None,
        };
        let history = match own.filter(|pattern| !pattern.is_empty()) {
            Some(pattern) => HistorySource::Client(pattern.habits(now, self.decay)),
            None => {
                let global: BookingPattern = self.store.pattern(None)?;
                if global.is_empty() {
                    HistorySource::None
                } else {
                    HistorySource::Global(global.habits(now, self.decay))
                }
            }
        };
        Ok(ScoreContext {
            weights: self.scoring.weights,
            preferences: client.map(|client| &client.preferences),
            client_zone: zone,
            history,
        })
    }

    /// Alternatives to `requested` for `client`.
    pub(super) fn alternatives(
        &self,
        requested: Interval,
        kind: &MeetingType,
        client: Option<&Client>,
        zone: Tz,
        except: Option<&AppointmentId>,
    ) -> Result<Vec<Slot>, ServiceError> {
        let span = Interval {
            start: requested.start - Duration::days(2),
            end: requested.end + Duration::days(14),
        };
        let picture = self.busy_picture(span, except)?;
        let engine = self.engine(&picture.busy, kind);
        let context = self.score_context(client, zone)?;
        Ok(slots::alternatives_near(
            &engine,
            requested,
            &context,
            self.scoring.alternatives,
        ))
    }
}
