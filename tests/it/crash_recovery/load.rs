//! The mixed load run against the process between two kills — bookings, their moves
//! and cancellations over the JSON API, personal events written over CalDAV,
//! invitations spooled with `kairos ingest-mail` — and what it saw acknowledged. The
//! times asked for come from a small grid, so they often collide.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Duration as Span, NaiveDate, TimeZone as _, Utc};
use chrono_tz::America::New_York;
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use serde_json::{Value, json};

use super::rig::{Http, Ingester, admin};

/// An interval, `[start, end)` in UTC.
pub type Period = (DateTime<Utc>, DateTime<Utc>);

/// The times asked for: quarter hours of a few days, starting the day after tomorrow
/// in the host's zone, each meeting ending by midnight (working hours end there).
#[derive(Clone)]
pub struct Grid {
    first: NaiveDate,
    days: i64,
}

impl Grid {
    /// A grid of `days` days (within the 30 days bookings are open) for a test
    /// started at `now`.
    pub fn new(now: DateTime<Utc>, days: i64) -> Self {
        let today = now.with_timezone(&New_York).date_naive();
        Self {
            first: today + Span::days(2),
            days: days.clamp(1, 27),
        }
    }

    /// A random `minutes`-long time on the grid.
    pub fn pick(&self, rng: &mut StdRng, minutes: i64) -> Period {
        loop {
            let day = self.first + Span::days(rng.random_range(0..self.days));
            let quarters = (24 * 60 - minutes) / 15;
            let quarter = rng.random_range(0..=quarters);
            let local = day.and_hms_opt(0, 0, 0).expect("midnight") + Span::minutes(quarter * 15);
            // A time skipped or repeated by a clock change is simply not asked for.
            let Some(start) = New_York.from_local_datetime(&local).single() else {
                continue;
            };
            let start = start.with_timezone(&Utc);
            return (start, start + Span::minutes(minutes));
        }
    }
}

/// What an acknowledged booking may hold now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Held {
    /// Confirmed at this time.
    At(Period),
    /// Cancelled.
    Cancelled,
}

/// A booking answered 201, and what it may hold by now: one state after an answered
/// change, two when a change went unanswered (killed mid-request).
#[derive(Debug, Clone)]
pub struct AckedBooking {
    pub id: String,
    pub owner: usize,
    pub possible: Vec<Held>,
}

/// An invitation that `kairos ingest-mail` acknowledged (exit 0).
#[derive(Debug, Clone)]
pub struct SpooledInvitation {
    pub uid: String,
    pub organizer: String,
    pub asked: Period,
    /// Its organizer's CANCEL was spooled too.
    pub called_off: bool,
}

/// Everything the load saw acknowledged, and how often it was refused or unanswered.
#[derive(Debug, Default)]
pub struct Seen {
    pub bookings: Vec<AckedBooking>,
    pub booking_tries: usize,
    pub booking_conflicts: usize,
    pub moves: usize,
    pub move_conflicts: usize,
    pub cancels: usize,
    /// Moves and cancellations made in the bookings calendar over CalDAV (counted in
    /// `moves` and `cancels` too).
    pub calendar_changes: usize,
    /// Requests without an answer (the process was killed, or not yet up).
    pub unanswered: usize,
    /// Personal events written (201/204): their path and UID.
    pub personal: Vec<(String, String)>,
    pub invitations: Vec<SpooledInvitation>,
    /// Runs of `ingest-mail` that exited 0 (an invitation sent twice counts twice).
    pub spooled: usize,
    /// Answers no request should get (a 5xx, a 400 to a valid request).
    pub surprises: Vec<String>,
}

/// The load's shared state across cycles.
#[derive(Clone)]
pub struct Load {
    pub seen: Arc<Mutex<Seen>>,
    http: Http,
    ingester: Ingester,
    grid: Grid,
    seed: u64,
    counter: Arc<AtomicUsize>,
}

impl Load {
    /// A load against `http`, spooling with `ingester`.
    pub fn new(http: Http, ingester: Ingester, grid: Grid, seed: u64) -> Self {
        Self {
            seen: Arc::new(Mutex::new(Seen::default())),
            http,
            ingester,
            grid,
            seed,
            counter: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().expect("the load's record")
    }

    fn next(&self) -> usize {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    /// Runs the load until `stop` is set: two booking clients, a calendar app, an
    /// MTA. Each task's choices come from its own RNG seeded from `rng`.
    pub async fn run(&self, rng: &mut StdRng, stop: Arc<AtomicBool>) {
        let mut tasks = tokio::task::JoinSet::new();
        for owner in 0..2 {
            let (load, stop) = (self.clone(), Arc::clone(&stop));
            let rng = StdRng::seed_from_u64(rng.random());
            tasks.spawn(async move { load.book_and_change(owner, rng, &stop).await });
        }
        let (load, stop_writer) = (self.clone(), Arc::clone(&stop));
        let writer_rng = StdRng::seed_from_u64(rng.random());
        tasks.spawn(async move { load.write_personal(writer_rng, &stop_writer).await });
        let (load, stop_mta) = (self.clone(), Arc::clone(&stop));
        let mta_rng = StdRng::seed_from_u64(rng.random());
        tasks.spawn(async move { load.invite(mta_rng, &stop_mta).await });
        while let Some(done) = tasks.join_next().await {
            done.expect("a load task did not panic");
        }
    }

    async fn pause(rng: &mut StdRng, from_ms: u64, to_ms: u64) {
        tokio::time::sleep(Duration::from_millis(rng.random_range(from_ms..to_ms))).await;
    }

    async fn book_and_change(&self, owner: usize, mut rng: StdRng, stop: &AtomicBool) {
        while !stop.load(Ordering::Relaxed) {
            Self::pause(&mut rng, 10, 80).await;
            let mine: Vec<(usize, Period)> = self
                .seen()
                .bookings
                .iter()
                .enumerate()
                .filter(|(_, booking)| booking.owner == owner)
                .filter_map(|(index, booking)| match booking.possible.as_slice() {
                    [Held::At(at)] => Some((index, *at)),
                    _ => None,
                })
                .collect();
            let roll = rng.random_range(0..100);
            if mine.is_empty() || roll < 70 {
                self.book(owner, &mut rng).await;
                continue;
            }
            let (index, at) = mine[rng.random_range(0..mine.len())];
            // The first client changes its bookings over the API; the host changes the
            // second one's in her calendar app.
            match (owner, roll < 88) {
                (0, true) => self.reschedule(index, at, &mut rng).await,
                (0, false) => self.cancel(index, at).await,
                (_, true) => self.move_in_calendar(index, at, &mut rng).await,
                (_, false) => self.delete_in_calendar(index, at).await,
            }
        }
    }

    async fn book(&self, owner: usize, rng: &mut StdRng) {
        let at = self.grid.pick(rng, 30);
        let email = format!("client{}@example.com", rng.random_range(0..40));
        let body = json!({
            "name": "Crash Client",
            "email": email,
            "startTime": at.0.to_rfc3339(),
            "duration": 30,
            "meetingType": "consultation",
            "purpose": "Still there after the crash?",
            "timezone": "America/New_York",
        });
        let answer = self
            .http
            .send(
                "POST",
                "/api/appointments",
                Some(body.to_string()),
                &[("content-type", "application/json")],
            )
            .await;
        let mut seen = self.seen();
        seen.booking_tries += 1;
        match answer {
            Ok((201, text)) => {
                let reply: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                match reply["appointment"]["id"].as_str() {
                    Some(id) => seen.bookings.push(AckedBooking {
                        id: id.to_string(),
                        owner,
                        possible: vec![Held::At(at)],
                    }),
                    None => seen.surprises.push(format!("a 201 without an id: {text}")),
                }
            }
            Ok((409, _)) => seen.booking_conflicts += 1,
            Ok((status, text)) => seen
                .surprises
                .push(format!("booking {}: {status} {text}", at.0)),
            Err(_) => seen.unanswered += 1,
        }
    }

    async fn reschedule(&self, index: usize, from: Period, rng: &mut StdRng) {
        let to = self.grid.pick(rng, 30);
        let id = self.seen().bookings[index].id.clone();
        let auth = admin();
        let answer = self
            .http
            .send(
                "POST",
                &format!("/api/appointments/{id}/reschedule"),
                Some(json!({"startTime": to.0.to_rfc3339()}).to_string()),
                &[
                    ("content-type", "application/json"),
                    ("authorization", &auth),
                ],
            )
            .await;
        let mut seen = self.seen();
        match answer {
            Ok((200, _)) => {
                seen.moves += 1;
                seen.bookings[index].possible = vec![Held::At(to)];
            }
            Ok((409, _)) => seen.move_conflicts += 1,
            Ok((status, text)) => seen
                .surprises
                .push(format!("moving {id} to {}: {status} {text}", to.0)),
            Err(_) => {
                seen.unanswered += 1;
                seen.bookings[index].possible = vec![Held::At(from), Held::At(to)];
            }
        }
    }

    async fn cancel(&self, index: usize, from: Period) {
        let id = self.seen().bookings[index].id.clone();
        let auth = admin();
        let answer = self
            .http
            .send(
                "POST",
                &format!("/api/appointments/{id}/cancel"),
                None,
                &[("authorization", &auth)],
            )
            .await;
        let mut seen = self.seen();
        match answer {
            Ok((200, _)) => {
                seen.cancels += 1;
                seen.bookings[index].possible = vec![Held::Cancelled];
            }
            Ok((status, text)) => seen
                .surprises
                .push(format!("cancelling {id}: {status} {text}")),
            Err(_) => {
                seen.unanswered += 1;
                seen.bookings[index].possible = vec![Held::At(from), Held::Cancelled];
            }
        }
    }

    /// The host moves a booking in her calendar app: the event read, its times
    /// changed, written back.
    async fn move_in_calendar(&self, index: usize, from: Period, rng: &mut StdRng) {
        let to = self.grid.pick(rng, 30);
        let id = self.seen().bookings[index].id.clone();
        let path = format!("/dav/calendars/domina/bookings/{id}.ics");
        let auth = admin();
        let Ok((200, event)) = self
            .http
            .send("GET", &path, None, &[("authorization", &auth)])
            .await
        else {
            self.seen().unanswered += 1;
            return;
        };
        let moved: String = event
            .split_inclusive('\n')
            .map(|line| {
                if line.starts_with("DTSTART") {
                    format!("DTSTART:{}\r\n", ical(to.0))
                } else if line.starts_with("DTEND") {
                    format!("DTEND:{}\r\n", ical(to.1))
                } else {
                    line.to_string()
                }
            })
            .collect();
        let answer = self
            .http
            .send(
                "PUT",
                &path,
                Some(moved),
                &[
                    ("content-type", "text/calendar; charset=utf-8"),
                    ("authorization", &auth),
                ],
            )
            .await;
        let mut seen = self.seen();
        match answer {
            Ok((204 | 201, _)) => {
                seen.moves += 1;
                seen.calendar_changes += 1;
                seen.bookings[index].possible = vec![Held::At(to)];
            }
            Ok((409, _)) => seen.move_conflicts += 1,
            Ok((status, text)) => seen
                .surprises
                .push(format!("PUT {path} to {}: {status} {text}", to.0)),
            Err(_) => {
                seen.unanswered += 1;
                seen.bookings[index].possible = vec![Held::At(from), Held::At(to)];
            }
        }
    }

    /// The host deletes a booking in her calendar app: it is cancelled.
    async fn delete_in_calendar(&self, index: usize, from: Period) {
        let id = self.seen().bookings[index].id.clone();
        let path = format!("/dav/calendars/domina/bookings/{id}.ics");
        let auth = admin();
        let answer = self
            .http
            .send("DELETE", &path, None, &[("authorization", &auth)])
            .await;
        let mut seen = self.seen();
        match answer {
            Ok((204 | 200, _)) => {
                seen.cancels += 1;
                seen.calendar_changes += 1;
                seen.bookings[index].possible = vec![Held::Cancelled];
            }
            Ok((status, text)) => seen
                .surprises
                .push(format!("DELETE {path}: {status} {text}")),
            Err(_) => {
                seen.unanswered += 1;
                seen.bookings[index].possible = vec![Held::At(from), Held::Cancelled];
            }
        }
    }

    /// The host's calendar app: new 15-minute personal events, busy time bookings
    /// must then avoid.
    async fn write_personal(&self, mut rng: StdRng, stop: &AtomicBool) {
        while !stop.load(Ordering::Relaxed) {
            Self::pause(&mut rng, 60, 300).await;
            let at = self.grid.pick(&mut rng, 15);
            let uid = format!("crash-{}-personal-{}", self.seed, self.next());
            let path = format!("/dav/calendars/domina/personal/{uid}.ics");
            let body = format!(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kairos crash test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260301T120000Z\r\nDTSTART:{}\r\nDTEND:{}\r\nSUMMARY:Errand\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                ical(at.0),
                ical(at.1)
            );
            let auth = admin();
            let answer = self
                .http
                .send(
                    "PUT",
                    &path,
                    Some(body),
                    &[
                        ("content-type", "text/calendar; charset=utf-8"),
                        ("authorization", &auth),
                    ],
                )
                .await;
            let mut seen = self.seen();
            match answer {
                Ok((201 | 204, _)) => seen.personal.push((path, uid)),
                Ok((status, text)) => seen.surprises.push(format!("PUT {path}: {status} {text}")),
                Err(_) => seen.unanswered += 1,
            }
        }
    }

    /// The MTA: invitations to the booking address, one in ten delivered twice, and
    /// now and then an organizer's CANCEL of an earlier one.
    async fn invite(&self, mut rng: StdRng, stop: &AtomicBool) {
        while !stop.load(Ordering::Relaxed) {
            Self::pause(&mut rng, 80, 300).await;
            if rng.random_range(0..100) < 15 {
                self.call_off(&mut rng).await;
            } else {
                self.invite_once(&mut rng).await;
            }
        }
    }

    /// Spools the organizer's CANCEL of an earlier invitation not called off yet.
    async fn call_off(&self, rng: &mut StdRng) {
        let open: Vec<usize> = self
            .seen()
            .invitations
            .iter()
            .enumerate()
            .filter(|(_, invitation)| !invitation.called_off)
            .map(|(index, _)| index)
            .collect();
        if open.is_empty() {
            return;
        }
        let index = open[rng.random_range(0..open.len())];
        let invitation = self.seen().invitations[index].clone();
        let message = cancel_message(&invitation, self.next());
        let spooled = self.ingester.ingest(message.as_bytes()).await;
        let mut seen = self.seen();
        if spooled {
            seen.spooled += 1;
            seen.invitations[index].called_off = true;
        } else {
            seen.surprises.push(format!(
                "ingest-mail refused the CANCEL of {}",
                invitation.uid
            ));
        }
    }

    /// Spools one invitation (twice, one time in ten).
    pub async fn invite_once(&self, rng: &mut StdRng) {
        let n = self.next();
        let at = self.grid.pick(rng, 30);
        let invitation = SpooledInvitation {
            uid: format!("crash-{}-invitation-{n}@invite.example", self.seed),
            organizer: format!("organizer{n}@invite.example"),
            asked: at,
            called_off: false,
        };
        let message = invitation_message(&invitation, n);
        let copies = if rng.random_range(0..10) == 0 { 2 } else { 1 };
        let mut spooled = 0;
        for _ in 0..copies {
            if self.ingester.ingest(message.as_bytes()).await {
                spooled += 1;
            }
        }
        let mut seen = self.seen();
        seen.spooled += spooled;
        if spooled > 0 {
            seen.invitations.push(invitation);
        } else {
            seen.surprises
                .push(format!("ingest-mail refused {}", invitation.uid));
        }
    }
}

/// A UTC date-time in iCalendar's form.
fn ical(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// An invitation as a calendar app mails it: a single text/calendar body.
fn invitation_message(invitation: &SpooledInvitation, n: usize) -> String {
    let SpooledInvitation {
        uid,
        organizer,
        asked,
        ..
    } = invitation;
    format!(
        "From: Organizer {n} <{organizer}>\r\nTo: book@kairos.example\r\nSubject: Invitation: crash test {n}\r\nMessage-ID: <invitation-{n}.{uid}>\r\nDate: Mon, 2 Mar 2026 08:00:00 -0500\r\nMIME-Version: 1.0\r\nContent-Type: text/calendar; charset=UTF-8; method=REQUEST\r\nContent-Transfer-Encoding: 8bit\r\n\r\nBEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kairos crash test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260301T120000Z\r\nDTSTART:{}\r\nDTEND:{}\r\nSUMMARY:Crash test {n}\r\nORGANIZER;CN=Organizer {n}:mailto:{organizer}\r\nATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:book@kairos.example\r\nSEQUENCE:0\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        ical(asked.0),
        ical(asked.1),
    )
}

/// The organizer's cancellation of `invitation` (SEQUENCE 1), as message `n`.
fn cancel_message(invitation: &SpooledInvitation, n: usize) -> String {
    let SpooledInvitation {
        uid,
        organizer,
        asked,
        ..
    } = invitation;
    format!(
        "From: <{organizer}>\r\nTo: book@kairos.example\r\nSubject: Cancelled: crash test\r\nMessage-ID: <cancel-{n}.{uid}>\r\nDate: Mon, 2 Mar 2026 09:00:00 -0500\r\nMIME-Version: 1.0\r\nContent-Type: text/calendar; charset=UTF-8; method=CANCEL\r\nContent-Transfer-Encoding: 8bit\r\n\r\nBEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kairos crash test//EN\r\nMETHOD:CANCEL\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260301T130000Z\r\nDTSTART:{}\r\nDTEND:{}\r\nSUMMARY:Crash test\r\nORGANIZER:mailto:{organizer}\r\nATTENDEE:mailto:book@kairos.example\r\nSEQUENCE:1\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        ical(asked.0),
        ical(asked.1),
    )
}
