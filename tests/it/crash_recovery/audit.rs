//! After the last start has drained the outbox and the spool and stopped: what the
//! load saw acknowledged held, and every intent was carried out exactly once. Reads
//! the store itself (the process is gone, so sled's lock is free), the mail the
//! `SmtpSink` accepted, FakeGoogle's events and the spool's directories.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use kairos::domain::{
    Appointment, AppointmentChange, AppointmentId, Channel, Delivery, Intent, OutboxEntry,
};
use kairos::store::Store;
use serde_json::Value;

use super::captured::{Mail, outbox_id, read_mail};
use super::load::{Held, Period, Seen};
use super::tally::Tally;
use crate::support::smtp_sink::Received;

/// Collects what went wrong, counting each as lost or duplicated.
#[derive(Default)]
pub struct Findings {
    pub problems: Vec<String>,
    lost: usize,
    duplicated: usize,
}

impl Findings {
    fn lost(&mut self, what: String) {
        self.lost += 1;
        self.problems.push(format!("LOST: {what}"));
    }
    fn duplicated(&mut self, what: String) {
        self.duplicated += 1;
        self.problems.push(format!("DUPLICATED: {what}"));
    }
    fn wrong(&mut self, what: String) {
        self.problems.push(what);
    }
}

fn interval_of(appointment: &Appointment) -> Period {
    (appointment.interval.start, appointment.interval.end)
}

fn google_time(value: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value["dateTime"].as_str()?)
        .ok()
        .map(|at| at.with_timezone(&Utc))
}

/// Everything checked; the figures and what went wrong.
pub fn audit(
    seen: &Seen,
    store: &Store,
    received: &[Received],
    google: &[(Value, bool)],
    spool: &Path,
    tally: &mut Tally,
) -> Findings {
    let mut findings = Findings::default();
    for surprise in &seen.surprises {
        findings.wrong(format!("unexpected answer: {surprise}"));
    }
    let appointments: HashMap<String, Appointment> = store
        .appointments()
        .expect("appointments read")
        .into_iter()
        .map(|appointment| (appointment.id.to_string(), appointment))
        .collect();
    let outbox = store.outbox().expect("outbox read");
    let mails: Vec<Mail> = received.iter().map(read_mail).collect();
    acknowledged_bookings(seen, &appointments, &mut findings);
    invitations_answered(seen, store, &appointments, &mails, tally, &mut findings);
    no_overlaps(&appointments, &mut findings);
    mail_once(&outbox, &mails, tally, &mut findings);
    notices_once(&outbox, &appointments, &mut findings);
    google_once(&appointments, google, tally, &mut findings);
    spool_settled(seen, store, spool, tally, &mut findings);
    personal_kept(seen, store, &mut findings);
    tally.appointments = appointments.len();
    tally.confirmed = appointments.values().filter(|a| a.is_confirmed()).count();
    tally.outbox = outbox.len();
    tally.lost = findings.lost;
    tally.duplicated = findings.duplicated;
    findings
}

/// (a) Every 201 is in the store, as the last answered change left it.
fn acknowledged_bookings(
    seen: &Seen,
    appointments: &HashMap<String, Appointment>,
    findings: &mut Findings,
) {
    for booking in &seen.bookings {
        let Some(stored) = appointments.get(&booking.id) else {
            findings.lost(format!(
                "booking {} (answered 201) is not stored",
                booking.id
            ));
            continue;
        };
        let now = if stored.is_confirmed() {
            Held::At(interval_of(stored))
        } else {
            Held::Cancelled
        };
        if !booking.possible.contains(&now) {
            findings.lost(format!(
                "booking {} holds {now:?}; acknowledged: {:?}",
                booking.id, booking.possible
            ));
        }
    }
}

/// (a, d) Every spooled invitation was answered by exactly one REPLY, and every one
/// accepted is a confirmed appointment at the time asked.
fn invitations_answered(
    seen: &Seen,
    store: &Store,
    appointments: &HashMap<String, Appointment>,
    mails: &[Mail],
    tally: &mut Tally,
    findings: &mut Findings,
) {
    let mut replies: HashMap<String, Vec<&Mail>> = HashMap::new();
    for mail in mails
        .iter()
        .filter(|m| m.method.as_deref() == Some("REPLY"))
    {
        let uid = mail.uid.clone().unwrap_or_default();
        let known = replies.entry(uid).or_default();
        if !known.iter().any(|m| m.message_id == mail.message_id) {
            known.push(mail);
        }
    }
    for invitation in &seen.invitations {
        let Some(answers) = replies.get(&invitation.uid) else {
            findings.lost(format!("invitation {} was never answered", invitation.uid));
            continue;
        };
        if answers.len() > 1 {
            findings.duplicated(format!(
                "invitation {} answered {} times: {:?}",
                invitation.uid,
                answers.len(),
                answers.iter().map(|m| &m.message_id).collect::<Vec<_>>()
            ));
        }
        if !answers.iter().all(|m| m.to.contains(&invitation.organizer)) {
            findings.wrong(format!(
                "a REPLY to {} missed its organizer",
                invitation.uid
            ));
        }
        match answers[0].partstat.as_deref() {
            Some("ACCEPTED") => {
                tally.accepted += 1;
                let record = store.invitation(&invitation.uid).expect("invitation read");
                let booked = record
                    .and_then(|record| record.appointment)
                    .and_then(|id| appointments.get(id.as_str()));
                let holds = |appointment: &Appointment| {
                    if invitation.called_off {
                        !appointment.is_confirmed()
                    } else {
                        appointment.is_confirmed() && interval_of(appointment) == invitation.asked
                    }
                };
                match booked {
                    Some(appointment) if holds(appointment) => {}
                    other => findings.lost(format!(
                        "invitation {} (called off: {}) was accepted but its appointment is {:?}",
                        invitation.uid,
                        invitation.called_off,
                        other.map(|a| (a.id.to_string(), a.status, interval_of(a)))
                    )),
                }
            }
            Some("DECLINED") => tally.declined += 1,
            other => findings.wrong(format!("REPLY to {} says {other:?}", invitation.uid)),
        }
    }
    tally.invitations = seen.invitations.len();
}

/// (b) No two confirmed appointments overlap.
fn no_overlaps(appointments: &HashMap<String, Appointment>, findings: &mut Findings) {
    let mut confirmed: Vec<&Appointment> =
        appointments.values().filter(|a| a.is_confirmed()).collect();
    confirmed.sort_by_key(|a| a.interval.start);
    for pair in confirmed.windows(2) {
        if pair[0].interval.end > pair[1].interval.start {
            findings.duplicated(format!(
                "double booking: {} {:?} overlaps {} {:?}",
                pair[0].id,
                interval_of(pair[0]),
                pair[1].id,
                interval_of(pair[1])
            ));
        }
    }
}

/// (c) Every outbox entry was delivered; each mail entry's Message-ID was captured,
/// sent again only as the same message; no captured mail lacks its entry.
fn mail_once(outbox: &[OutboxEntry], mails: &[Mail], tally: &mut Tally, findings: &mut Findings) {
    let mut by_id: BTreeMap<&str, Vec<&Mail>> = BTreeMap::new();
    for mail in mails {
        by_id.entry(&mail.message_id).or_default().push(mail);
    }
    let entries: HashMap<u64, &OutboxEntry> = outbox.iter().map(|e| (e.id, e)).collect();
    for entry in outbox {
        if !matches!(entry.delivery, Delivery::Delivered { .. }) {
            findings.lost(format!(
                "outbox {} {:?} is {:?} after the drain ({} attempts, {:?})",
                entry.id, entry.intent, entry.delivery, entry.attempts, entry.last_error
            ));
        }
        if matches!(entry.intent, Intent::MirrorToGoogle { .. }) {
            continue;
        }
        let prefix = format!("<outbox-{}.", entry.id);
        if !by_id.keys().any(|id| id.starts_with(&prefix)) {
            findings.lost(format!(
                "outbox {} {:?}: no mail captured",
                entry.id, entry.intent
            ));
        }
    }
    for (message_id, copies) in &by_id {
        let first = copies[0];
        tally.resent += copies.len() - 1;
        if copies
            .iter()
            .any(|m| m.to != first.to || m.subject != first.subject)
        {
            findings.duplicated(format!(
                "{message_id} was sent as different messages: {:?}",
                copies
                    .iter()
                    .map(|m| (&m.to, &m.subject))
                    .collect::<Vec<_>>()
            ));
        }
        match outbox_id(message_id).and_then(|id| entries.get(&id)) {
            Some(entry) if !matches!(entry.intent, Intent::MirrorToGoogle { .. }) => {}
            // Sent for an intent the store then forgot: mail must not leave before
            // the change that owes it is on disk.
            _ => findings.wrong(format!(
                "{message_id} ({:?}) was sent, but the store has no such mail entry",
                first.subject
            )),
        }
    }
    tally.mails = by_id.len();
}

/// (c) One state change, one intent: each appointment was announced as booked once
/// (by its notice, or by the REPLY that accepted it), cancelled at most once.
fn notices_once(
    outbox: &[OutboxEntry],
    appointments: &HashMap<String, Appointment>,
    findings: &mut Findings,
) {
    let mut booked: HashMap<&AppointmentId, usize> = HashMap::new();
    let mut cancelled: HashMap<&AppointmentId, usize> = HashMap::new();
    for entry in outbox {
        match &entry.intent {
            Intent::NotifyClient {
                appointment,
                change: AppointmentChange::Booked,
            } => *booked.entry(appointment).or_default() += 1,
            Intent::NotifyClient {
                appointment,
                change: AppointmentChange::Cancelled,
            } => *cancelled.entry(appointment).or_default() += 1,
            Intent::AnswerInvitation(answer) => {
                if let Some(appointment) = &answer.appointment {
                    *booked.entry(appointment).or_default() += 1;
                }
            }
            _ => {}
        }
    }
    for appointment in appointments.values() {
        let announced = booked.get(&appointment.id).copied().unwrap_or(0);
        let expected = usize::from(matches!(
            appointment.channel,
            Channel::Api | Channel::Invitation
        ));
        if announced > expected.max(1) {
            findings.duplicated(format!(
                "appointment {} was announced {announced} times",
                appointment.id
            ));
        } else if announced < expected {
            findings.lost(format!(
                "appointment {} was never announced",
                appointment.id
            ));
        }
        if cancelled.get(&appointment.id).copied().unwrap_or(0) > 1 {
            findings.duplicated(format!("appointment {} cancelled twice", appointment.id));
        }
    }
}

/// (c) FakeGoogle holds exactly one event per iCalUID, live and at the right time for
/// every confirmed appointment, cancelled for every cancelled one.
fn google_once(
    appointments: &HashMap<String, Appointment>,
    google: &[(Value, bool)],
    tally: &mut Tally,
    findings: &mut Findings,
) {
    let mut by_uid: HashMap<String, Vec<&(Value, bool)>> = HashMap::new();
    for event in google {
        let uid = event.0["iCalUID"].as_str().unwrap_or_default().to_string();
        by_uid.entry(uid).or_default().push(event);
    }
    for (uid, events) in &by_uid {
        if events.len() > 1 {
            findings.duplicated(format!("{} Google events with iCalUID {uid}", events.len()));
        }
        if !appointments.contains_key(uid) {
            findings.wrong(format!("a Google event for no appointment: {uid}"));
        }
    }
    for appointment in appointments.values() {
        let live: Vec<&Value> = by_uid
            .get(appointment.id.as_str())
            .into_iter()
            .flatten()
            .filter(|(_, cancelled)| !cancelled)
            .map(|(event, _)| event)
            .collect();
        match (appointment.is_confirmed(), live.as_slice()) {
            (true, [event]) => {
                let at = (google_time(&event["start"]), google_time(&event["end"]));
                if at
                    != (
                        Some(appointment.interval.start),
                        Some(appointment.interval.end),
                    )
                {
                    findings.wrong(format!(
                        "Google has {} at {at:?}, the store at {:?}",
                        appointment.id,
                        interval_of(appointment)
                    ));
                }
            }
            (true, []) => findings.lost(format!("no Google event for {}", appointment.id)),
            (false, []) => {}
            (false, _) => findings.wrong(format!(
                "cancelled {} still has a Google event",
                appointment.id
            )),
            (true, _) => {}
        }
    }
    tally.google_events = google.iter().filter(|(_, cancelled)| !cancelled).count();
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// (d) Every message `ingest-mail` acknowledged was processed: in `cur/` with its
/// outcome recorded; none waiting, none set aside.
fn spool_settled(
    seen: &Seen,
    store: &Store,
    spool: &Path,
    tally: &mut Tally,
    findings: &mut Findings,
) {
    for waiting in ["tmp", "new"] {
        let left = names(&spool.join(waiting));
        if !left.is_empty() {
            findings.lost(format!(
                "{} messages still in {waiting}/: {left:?}",
                left.len()
            ));
        }
    }
    let failed: Vec<String> = names(&spool.join("failed"))
        .into_iter()
        .filter(|name| !name.ends_with(".reason"))
        .collect();
    for name in &failed {
        let reason = std::fs::read_to_string(spool.join("failed").join(format!("{name}.reason")))
            .unwrap_or_default();
        findings.wrong(format!(
            "spooled message {name} set aside: {}",
            reason.trim()
        ));
    }
    let processed = names(&spool.join("cur"));
    // The outcome is recorded, and flushed, before the message leaves `new/`: a
    // processed message without its record lost it to a kill.
    let unrecorded: Vec<&String> = processed
        .iter()
        .filter(|name| {
            let key = name.strip_suffix(":2,S").unwrap_or(name);
            store.inbound(key).expect("inbound read").is_none()
        })
        .collect();
    tally.unrecorded = unrecorded.len();
    if let Some(name) = unrecorded.first() {
        findings.lost(format!(
            "{} processed messages have no outcome record, e.g. {name}",
            unrecorded.len()
        ));
    }
    if processed.len() + failed.len() != seen.spooled {
        findings.lost(format!(
            "{} messages spooled, {} processed and {} set aside",
            seen.spooled,
            processed.len(),
            failed.len()
        ));
    }
}

/// Every personal event written (201/204) is still there.
fn personal_kept(seen: &Seen, store: &Store, findings: &mut Findings) {
    let kept: HashSet<String> = store
        .resources("personal")
        .expect("resources read")
        .into_iter()
        .map(|resource| resource.uid.to_string())
        .collect();
    for (path, uid) in &seen.personal {
        if !kept.contains(uid) {
            findings.lost(format!("personal event {path} (written) is gone"));
        }
    }
}
