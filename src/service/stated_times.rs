//! What a reply in words to an offer of times asks for, read by `nlp` against the
//! offer: one of the offered times (by number, or by naming it: "Thursday at 3
//! works"), another precise time ("can we do 10 instead?"), a stretch to choose from
//! ("any morning next week", "Thursday afternoon"), none of them, or nothing readable.
//! And the best free times within such a stretch.

use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, TimeZone as _, Utc};
use chrono_tz::Tz;

use super::{Scheduler, ServiceError};
use crate::domain::{Client, Interval, InvitationAnswer};
use crate::nlp::{self, Choice, Grain, Meaning};
use crate::slots::{self, Slot};

/// The stretch a reply names, when it names one rather than a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stretch {
    /// From when to when.
    pub(super) range: Interval,
    /// Only these hours of each day, when the reply said so ("mornings").
    pub(super) daily: Option<(NaiveTime, Option<NaiveTime>)>,
    /// The meeting's length.
    pub(super) length: Duration,
}

/// What a reply in words asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Wish {
    /// The offered time at this position (from 1).
    Offered(usize),
    /// A precise time that was not offered.
    Time(Interval),
    /// Any good time within a stretch.
    Within(Stretch),
    /// Any good time soon, but not within this stretch.
    Avoiding(Stretch),
    /// None of the times offered.
    NoneOfThem,
    /// Nothing Kairos can act on.
    Unclear,
}

/// Longest stretch searched for times (what "next month" can mean for a meeting).
const LONGEST_STRETCH_DAYS: i64 = 31;

/// How far ahead times are looked for when a reply only says when not.
const AVOIDING_SEARCH_DAYS: i64 = 14;

impl Scheduler {
    /// What `words`, a reply to `answer`, ask for.
    pub(super) fn read_reply(&self, words: &str, answer: &InvitationAnswer) -> Wish {
        match nlp::choice(words, answer.alternatives.len()) {
            Choice::Option(position) => return Wish::Offered(position),
            Choice::NoneOfThem => return Wish::NoneOfThem,
            Choice::Unclear => {}
        }
        let offered: Vec<Interval> = answer.alternatives.iter().map(|o| o.interval).collect();
        self.read_wish(words, answer.zone, &offered, offered_length(answer))
            .0
    }

    /// What `words` ask for, read in `zone` against the times `offered` (in order);
    /// a stated time lasts `default_length` unless the words say otherwise. Also the
    /// length the words ask for, if they do.
    pub(super) fn read_wish(
        &self,
        words: &str,
        zone: Tz,
        offered: &[Interval],
        default_length: Duration,
    ) -> (Wish, Option<u32>) {
        let local = |at: DateTime<Utc>| at.with_timezone(&zone).naive_local();
        let context = nlp::Context {
            now: local(self.clock.now()),
            zone: nlp::Zone::Named(zone),
            options: offered
                .iter()
                .map(|interval| local(interval.start))
                .collect(),
        };
        let understood = nlp::understand(words, &context);
        let asked_length = understood.duration_minutes;
        (
            self.wish_of(&understood, &context, zone, default_length),
            asked_length,
        )
    }

    fn wish_of(
        &self,
        understood: &nlp::Understanding,
        context: &nlp::Context,
        zone: Tz,
        default_length: Duration,
    ) -> Wish {
        if let Some(position) = understood.option.filter(|_| !understood.negated) {
            return Wish::Offered(position);
        }
        let length = understood
            .duration_minutes
            .map(|minutes| Duration::minutes(i64::from(minutes)))
            .unwrap_or(default_length);
        let on_zone = |at: NaiveDateTime| {
            zone.from_local_datetime(&at)
                .earliest()
                .map(|at| at.with_timezone(&Utc))
        };
        let stretch = |start: NaiveDateTime, end: NaiveDateTime| {
            let range = Interval::new(on_zone(start)?, on_zone(end)?)?;
            Some(Wish::Within(Stretch {
                range,
                daily: understood.time_of_day,
                length,
            }))
        };
        let wish = match understood.meaning {
            Meaning::Choice(position) => Some(Wish::Offered(position)),
            Meaning::Instant { at, grain } if grain <= Grain::Hour => {
                on_zone(at).and_then(|start| Interval::starting_at(start, length).map(Wish::Time))
            }
            Meaning::Instant { at, grain } => stretch(at, at + grain_length(grain)),
            Meaning::Interval { start, end, grain } => {
                let start = start.unwrap_or(context.now).max(context.now);
                let end = end.unwrap_or(start + grain_length(grain).max(Duration::days(1)));
                // "From 3 to 3:45 on Thursday": exactly one meeting's time.
                if end - start == length {
                    on_zone(start).and_then(|s| Interval::starting_at(s, length).map(Wish::Time))
                } else {
                    stretch(start, end)
                }
            }
            // "Any morning": within the time that can be booked.
            Meaning::Window { start, end } => {
                let now = self.clock.now();
                Interval::new(now, now + self.rules.horizon).map(|range| {
                    Wish::Within(Stretch {
                        range,
                        daily: start.map(|start| (start, end)),
                        length,
                    })
                })
            }
            Meaning::Duration | Meaning::Nothing => None,
        };
        match wish {
            // "I can't do Thursday": the good times that are not then.
            Some(Wish::Within(stretch)) if understood.negated => Wish::Avoiding(stretch),
            Some(Wish::Time(range)) if understood.negated => Wish::Avoiding(Stretch {
                range,
                daily: None,
                length,
            }),
            Some(_) if understood.negated => Wish::Unclear,
            wish => wish.unwrap_or(Wish::Unclear),
        }
    }

    /// The best free times within `stretch`, for `client`, seen in `zone`.
    pub(super) fn best_within(
        &self,
        stretch: &Stretch,
        client: Option<&Client>,
        zone: Tz,
    ) -> Result<Vec<Slot>, ServiceError> {
        let inside = |slot: &Interval| in_stretch(stretch, slot, zone);
        self.best_where(stretch.range, stretch.length, &inside, client, zone)
    }

    /// The best free times of the coming days that are not within `stretch`.
    pub(super) fn best_avoiding(
        &self,
        stretch: &Stretch,
        client: Option<&Client>,
        zone: Tz,
    ) -> Result<Vec<Slot>, ServiceError> {
        let now = self.clock.now();
        let soon = Interval {
            start: now,
            end: now + Duration::days(AVOIDING_SEARCH_DAYS),
        };
        let outside = |slot: &Interval| !in_stretch(stretch, slot, zone);
        self.best_where(soon, stretch.length, &outside, client, zone)
    }

    /// The best free times of `length` within `range` (cut to what can be booked)
    /// that `keep` keeps.
    fn best_where(
        &self,
        range: Interval,
        length: Duration,
        keep: &dyn Fn(&Interval) -> bool,
        client: Option<&Client>,
        zone: Tz,
    ) -> Result<Vec<Slot>, ServiceError> {
        let now = self.clock.now();
        let start = range.start.max(now);
        let end = range
            .end
            .min(now + self.rules.horizon)
            .min(start + Duration::days(LONGEST_STRETCH_DAYS));
        let Some(range) = Interval::new(start, end) else {
            return Ok(Vec::new());
        };
        let kind = self.meeting_type(None)?;
        let picture = self.busy_picture(range, None)?;
        let engine = self.engine(&picture.busy, kind);
        let free: Vec<Interval> = engine
            .available(range, length)
            .into_iter()
            .filter(|slot| keep(slot))
            .collect();
        let context = self.score_context(client, zone)?;
        Ok(slots::best(
            &engine.score(&free, &context),
            self.scoring.alternatives,
        ))
    }
}

/// Whether `slot` lies within `stretch`: inside its range and, when it names hours of
/// the day, inside those.
fn in_stretch(stretch: &Stretch, slot: &Interval, zone: Tz) -> bool {
    if slot.start < stretch.range.start || slot.end > stretch.range.end {
        return false;
    }
    match stretch.daily {
        None => true,
        Some((from, until)) => {
            let start = slot.start.with_timezone(&zone).time();
            let end = slot.end.with_timezone(&zone).time();
            start >= from && until.is_none_or(|until| end <= until && end > start)
        }
    }
}

/// The length of the meeting an offer is about.
pub(super) fn offered_length(answer: &InvitationAnswer) -> Duration {
    answer
        .alternatives
        .first()
        .map(|offered| offered.interval.duration())
        .or(answer.asked.map(|asked| asked.duration()))
        .unwrap_or_else(|| Duration::minutes(30))
}

/// How long a stretch of `grain` lasts, roughly: a day, a week, a month.
fn grain_length(grain: Grain) -> Duration {
    match grain {
        Grain::Second | Grain::Minute | Grain::Hour | Grain::Day => Duration::days(1),
        Grain::Week => Duration::weeks(1),
        Grain::Month | Grain::Year => Duration::days(LONGEST_STRETCH_DAYS),
    }
}

/// "on Thursday 5 March" / "between Monday 9 March and Friday 13 March", with the
/// hours of each day when the reply named them.
pub(super) fn said(stretch: &Stretch, zone: Tz) -> String {
    let first = stretch.range.start.with_timezone(&zone);
    let last = (stretch.range.end - Duration::seconds(1)).with_timezone(&zone);
    let day = |at: &DateTime<Tz>| at.format("%A %-d %B").to_string();
    let days = if first.date_naive() == last.date_naive() {
        format!("on {}", day(&first))
    } else {
        format!("between {} and {}", day(&first), day(&last))
    };
    match stretch.daily {
        Some((from, Some(until))) => {
            format!("{days}, {}–{}", from.format("%H:%M"), until.format("%H:%M"))
        }
        Some((from, None)) => format!("{days}, from {}", from.format("%H:%M")),
        None => days,
    }
}
