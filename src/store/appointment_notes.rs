//! What is noted on an appointment besides its time and status: whether its changes
//! are mirrored to Google, the Google event it became (with its Meet link), and the
//! client's answer to Kairos's invitation — each journaled when the host's calendar
//! would show it differently.

use chrono::{DateTime, Utc};
use sled::Transactional;

use super::booking::journal_booking;
use super::booking::{Refusal, TxResult};
use super::tx::{finish, read, refuse};
use super::{Store, StoreError, activity, encode, keys};
use crate::domain::{Activity, Appointment, AppointmentId, ClientAnswer};

impl Store {
    /// From now on, every change to an appointment also queues its mirroring to the
    /// host's Google calendar (set at start-up when the mirror is enabled).
    pub fn push_to_google(&self, on: bool) {
        self.google_push
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    pub(super) fn pushes_to_google(&self) -> bool {
        self.google_push.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Records that appointment `id` is Google event `event_id`, with `meeting_url`
    /// (journaled when the link changes, so calendar apps fetch it).
    pub async fn record_google_event(
        &self,
        id: &AppointmentId,
        event_id: &str,
        meeting_url: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let result = (&self.appointments, &self.journal).transaction(
            |(appointments, journal)| -> TxResult<()> {
                let Some(mut appointment) = read::<Appointment, Refusal>(
                    appointments,
                    keys::APPOINTMENTS,
                    id.as_str().as_bytes(),
                )?
                else {
                    return refuse(Refusal::NotFound);
                };
                let link_changed =
                    meeting_url.is_some() && appointment.meeting_url.as_deref() != meeting_url;
                if appointment.google_event_id.as_deref() == Some(event_id) && !link_changed {
                    return Ok(());
                }
                appointment.google_event_id = Some(event_id.to_string());
                if link_changed {
                    appointment.meeting_url = meeting_url.map(str::to_string);
                    appointment.updated_at = now;
                    journal_booking(journal, &appointment, !appointment.is_confirmed())?;
                }
                appointments.insert(id.as_str().as_bytes(), encode(&appointment))?;
                Ok(())
            },
        );
        let _ = finish(result)?;
        self.flush().await
    }

    /// Records the client's `answer` to the invitation of confirmed appointment `id`
    /// (so the host's calendar shows it): changed and journaled only when it differs;
    /// then flushed. `None` when there is no such confirmed appointment.
    pub async fn record_client_answer(
        &self,
        id: &AppointmentId,
        answer: ClientAnswer,
        now: DateTime<Utc>,
    ) -> Result<Option<Appointment>, StoreError> {
        let result = (&self.appointments, &self.journal).transaction(|(appointments, journal)| {
            let Some(mut appointment) = read::<Appointment, Refusal>(
                appointments,
                keys::APPOINTMENTS,
                id.as_str().as_bytes(),
            )?
            else {
                return refuse(Refusal::NotFound);
            };
            if !appointment.is_confirmed() {
                return refuse(Refusal::Cancelled);
            }
            if appointment.client_answer != answer {
                appointment.client_answer = answer;
                appointment.updated_at = now;
                appointments.insert(id.as_str().as_bytes(), encode(&appointment))?;
                journal_booking(journal, &appointment, false)?;
            }
            Ok(appointment)
        });
        match finish(result)? {
            Ok(appointment) => {
                self.flush().await?;
                Ok(Some(appointment))
            }
            Err(_) => Ok(None),
        }
    }

    /// Marks confirmed appointment `id`, begun by `now`, as missed by its client, and
    /// logs it for the dashboard, in one transaction; then flushes. Marking it again
    /// changes nothing.
    pub async fn mark_no_show(
        &self,
        id: &AppointmentId,
        now: DateTime<Utc>,
    ) -> Result<Result<Appointment, NoShowRefusal>, StoreError> {
        let result = (&self.appointments, &self.activity).transaction(|(appointments, log)| {
            let Some(mut appointment) = read::<Appointment, NoShowRefusal>(
                appointments,
                keys::APPOINTMENTS,
                id.as_str().as_bytes(),
            )?
            else {
                return refuse(NoShowRefusal::NotFound);
            };
            if !appointment.is_confirmed() {
                return refuse(NoShowRefusal::Cancelled);
            }
            if appointment.interval.start > now {
                return refuse(NoShowRefusal::NotBegun);
            }
            if !appointment.no_show {
                appointment.no_show = true;
                appointments.insert(id.as_str().as_bytes(), encode(&appointment))?;
                let missed = Activity::NoShow {
                    appointment: id.clone(),
                };
                activity::log(log, now, missed)?;
            }
            Ok(appointment)
        });
        let marked = finish(result)?;
        self.flush().await?;
        Ok(marked)
    }
}

/// Why an appointment cannot be marked a no-show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoShowRefusal {
    /// No such appointment.
    NotFound,
    /// It was cancelled.
    Cancelled,
    /// It has not begun yet.
    NotBegun,
}
