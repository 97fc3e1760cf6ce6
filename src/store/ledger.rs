//! The day ledger: for each host-local day, the confirmed appointments that start on it.
//! A booking reads the ledgers of the day before, the day and the day after inside its
//! transaction (appointments last at most a day, buffers reach across midnight), so two
//! overlapping bookings always touch a common key and sled serialises them.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{Store, StoreError, decode, encode, keys};
use crate::domain::{Appointment, AppointmentId, Interval};

/// The confirmed appointments starting on one day.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct DayLedger {
    pub entries: Vec<LedgerEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct LedgerEntry {
    pub id: AppointmentId,
    pub interval: Interval,
}

impl DayLedger {
    pub fn read(bytes: Option<&[u8]>) -> Result<Self, StoreError> {
        bytes.map_or_else(|| Ok(Self::default()), |bytes| decode(keys::DAYS, bytes))
    }

    pub fn bytes(&self) -> Vec<u8> {
        encode(self)
    }

    pub fn remove(&mut self, id: &AppointmentId) {
        self.entries.retain(|entry| &entry.id != id);
    }

    pub fn add(&mut self, id: AppointmentId, interval: Interval) {
        self.entries.push(LedgerEntry { id, interval });
        self.entries.sort_by_key(|entry| entry.interval.start);
    }
}

impl Store {
    /// The host-local day an appointment is filed under.
    pub(super) fn ledger_day(&self, interval: &Interval) -> NaiveDate {
        interval.start.with_timezone(&self.zone).date_naive()
    }

    /// Confirmed appointments starting on host-local days `from..=to`, by start.
    pub fn booked_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(AppointmentId, Interval)>, StoreError> {
        let mut booked = Vec::new();
        for item in self.days.range(keys::day(from)..=keys::day(to)) {
            let (_, bytes) = item?;
            let ledger = DayLedger::read(Some(&bytes))?;
            booked.extend(
                ledger
                    .entries
                    .into_iter()
                    .map(|entry| (entry.id, entry.interval)),
            );
        }
        Ok(booked)
    }

    /// Rebuilds the ledger from the appointments when the host zone changed since it was built.
    pub(super) fn ensure_ledger_zone(&self) -> Result<(), StoreError> {
        let current = self.meta.get(keys::LEDGER_ZONE)?;
        if current.as_deref() == Some(self.zone.name().as_bytes()) {
            return Ok(());
        }
        self.days.clear()?;
        let mut ledgers: std::collections::BTreeMap<NaiveDate, DayLedger> = Default::default();
        for item in self.appointments.iter() {
            let (_, bytes) = item?;
            let appointment: Appointment = decode(keys::APPOINTMENTS, &bytes)?;
            if appointment.is_confirmed() {
                ledgers
                    .entry(self.ledger_day(&appointment.interval))
                    .or_default()
                    .add(appointment.id, appointment.interval);
            }
        }
        for (date, ledger) in ledgers {
            self.days.insert(keys::day(date), ledger.bytes())?;
        }
        self.meta
            .insert(keys::LEDGER_ZONE, self.zone.name().as_bytes())?;
        Ok(())
    }
}

/// The days whose ledgers a change on `date` must read: neighbours included.
pub(super) fn neighbourhood(date: NaiveDate) -> [NaiveDate; 3] {
    [date - Duration::days(1), date, date + Duration::days(1)]
}
