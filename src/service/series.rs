//! Recurring invitations: a series is accepted only when every one of its meetings
//! within the booking horizon is free and within the rules, and declined otherwise,
//! naming the first meeting that is not, with times near it. An accepted series is
//! kept as the invitation itself: its meetings (all of them, also those beyond the
//! horizon) are the host's busy time through [`AcceptedSeries`], not appointments. An
//! update is decided again; a cancellation frees the time.

use std::sync::Arc;

use chrono::Duration;
use chrono_tz::Tz;

use super::invitations::Asking;
use super::mail_in::MailOutcome;
use super::{BusyError, BusySource, Scheduler, ServiceError};
use crate::domain::{Intent, Interval, InvitationRecord};
use crate::ical::CalendarObject;
use crate::ical::write::PartStat;
use crate::slots::Busy;
use crate::store::Store;

impl Scheduler {
    /// Answers a recurring invitation (or a new version of one): accepted when every
    /// meeting of it within the horizon fits, else declined with times near the first
    /// that does not.
    pub(super) async fn answer_series(
        &self,
        asking: &Asking<'_>,
        earlier: Option<&InvitationRecord>,
    ) -> Result<MailOutcome, ServiceError> {
        let now = self.clock.now();
        let window = Interval {
            start: now,
            end: now + self.rules.horizon,
        };
        let meetings: Vec<Interval> = asking
            .object
            .occurrences(window, self.host.zone)
            .into_iter()
            .filter(|meeting| !meeting.transparent)
            .map(|meeting| meeting.interval)
            .collect();
        let (Some(first), Some(last)) = (meetings.first(), meetings.last()) else {
            let reason = format!(
                "no meeting of the series falls within the next {} days, the time that \
                 can be booked",
                self.rules.horizon.num_days()
            );
            return self.decline(asking, reason, Vec::new()).await;
        };
        let span = Interval {
            start: first.start,
            end: last.end,
        };
        let mut picture = self.busy_picture(span, None)?;
        // A new version of a series accepted before: its old meetings make no one busy.
        if let Some(old) = earlier
            .filter(|record| record.series)
            .and_then(|record| record.invitation.as_deref())
            .and_then(|text| CalendarObject::parse(text).ok())
        {
            for meeting in old.occurrences(span.widened(Duration::days(1)), self.host.zone) {
                if let Some(at) = picture.external.iter().position(|b| *b == meeting.interval) {
                    picture.external.swap_remove(at);
                }
            }
            let booked = self.booked_intervals(span)?;
            picture.busy = Busy::new(
                &booked,
                &picture.external,
                self.rules.buffer,
                self.rules.zone,
            );
        }
        let kind = self.meeting_type(None)?.clone();
        let engine = self.engine(&picture.busy, &kind);
        for meeting in &meetings {
            let Err(violation) = engine.check(*meeting) else {
                continue;
            };
            let client = self.store.client_by_email(&asking.invitation.organizer)?;
            let alternatives =
                self.alternatives(*meeting, &kind, client.as_ref(), self.host.zone, None)?;
            let reason = format!(
                "{} (the meeting of {})",
                violation.message(),
                meeting_day(*meeting, self.host.zone)
            );
            return self.decline(asking, reason, alternatives).await;
        }
        self.store.release_hold(&asking.invitation.uid)?;
        let mut record = self.answered(asking, None);
        record.series = true;
        let mut answer = self.answer(asking, None, PartStat::Accepted, None, Vec::new());
        answer.series_meetings = Some(meetings.len());
        self.store
            .answer_invitation(
                &record,
                &[Intent::AnswerInvitation(Box::new(answer))],
                None,
                now,
            )
            .await?;
        Ok(MailOutcome::SeriesAccepted {
            uid: asking.invitation.uid.clone(),
            meetings: meetings.len(),
        })
    }

    /// The confirmed appointments' intervals around `span`.
    fn booked_intervals(&self, span: Interval) -> Result<Vec<Interval>, ServiceError> {
        let reach = Duration::days(1) + self.rules.buffer;
        let from = self.rules.local_date(span.start - reach);
        let to = self.rules.local_date(span.end + reach);
        Ok(self
            .store
            .booked_between(from, to)?
            .into_iter()
            .map(|(_, interval)| interval)
            .collect())
    }
}

/// "Tuesday 17 March": the day of a meeting, in the host's zone.
fn meeting_day(meeting: Interval, zone: Tz) -> String {
    meeting
        .start
        .with_timezone(&zone)
        .format("%A %-d %B, %H:%M")
        .to_string()
}

/// The meetings of the series accepted by invitation: busy time, like the host's own
/// events, for as long as each series runs.
pub(super) struct AcceptedSeries {
    store: Store,
    zone: Tz,
}

impl AcceptedSeries {
    pub(super) fn new(store: Store, zone: Tz) -> Self {
        Self { store, zone }
    }
}

impl BusySource for AcceptedSeries {
    fn name(&self) -> &str {
        "series accepted by invitation"
    }

    fn busy(&self, range: Interval) -> Result<Vec<Interval>, BusyError> {
        let failed = |message: String| BusyError {
            source_name: self.name().to_string(),
            message,
        };
        let series = self
            .store
            .accepted_series()
            .map_err(|error| failed(error.to_string()))?;
        let mut busy = Vec::new();
        for record in series {
            let Some(text) = record.invitation.as_deref() else {
                continue;
            };
            // The text was parsed when it was accepted; one that no longer parses
            // (a stricter parser after an upgrade) makes no time busy rather than all.
            let Ok(object) = CalendarObject::parse(text) else {
                tracing::warn!(uid = %record.uid, "an accepted series no longer parses");
                continue;
            };
            busy.extend(
                object
                    .occurrences(range, self.zone)
                    .into_iter()
                    .filter(|meeting| !meeting.transparent)
                    .map(|meeting| meeting.interval),
            );
        }
        Ok(busy)
    }
}

/// The source of busy time from accepted series, for the scheduler's list.
pub(super) fn busy_source(store: Store, zone: Tz) -> Arc<dyn BusySource> {
    Arc::new(AcceptedSeries::new(store, zone))
}
