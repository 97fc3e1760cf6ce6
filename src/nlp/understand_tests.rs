//! Dates, times and durations in booking-chat words, read on Wednesday 4 March 2026
//! at 10:15 in Berlin.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::*;

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("test time")
}

fn day(text: &str) -> NaiveDateTime {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .expect("test date")
        .and_time(NaiveTime::MIN)
}

fn hm(text: &str) -> NaiveTime {
    NaiveTime::parse_from_str(text, "%H:%M").expect("test time of day")
}

fn context(options: &[&str]) -> Context {
    Context {
        now: at("2026-03-04 10:15"),
        zone: Zone::parse("Europe/Berlin").expect("IANA zone"),
        options: options.iter().map(|o| at(o)).collect(),
    }
}

fn read(text: &str) -> Understanding {
    understand(text, &context(&[]))
}

fn instant(text: &str) -> NaiveDateTime {
    match read(text).meaning {
        Meaning::Instant { at, .. } => at,
        other => panic!("{text}: expected an instant, got {other:?}"),
    }
}

fn interval(text: &str) -> (Option<NaiveDateTime>, Option<NaiveDateTime>) {
    match read(text).meaning {
        Meaning::Interval { start, end, .. } => (start, end),
        other => panic!("{text}: expected an interval, got {other:?}"),
    }
}

#[test]
fn clock_times_read_as_business_hours_and_the_next_one_to_come() {
    for (text, expected) in [
        ("tmrw at 3 works", "2026-03-05 15:00"),
        ("can we do 10 instead?", "2026-03-05 10:00"),
        ("4:30 works", "2026-03-04 16:30"),
        ("thurs 9am", "2026-03-05 09:00"),
        ("Thursday at 3 works for me", "2026-03-05 15:00"),
        ("half past 3 today", "2026-03-04 15:30"),
        ("noon on friday", "2026-03-06 12:00"),
        ("how about 17:45", "2026-03-04 17:45"),
        ("tmr 8 in the evening", "2026-03-05 20:00"),
        ("Mon 10:30", "2026-03-09 10:30"),
        ("in 2 hours", "2026-03-04 12:15"),
        ("3pm EST", "2026-03-04 21:00"),
        ("wed next week at 11", "2026-03-11 11:00"),
        ("wednesday 9.30", "2026-03-11 09:30"),
        ("2morrow 4pm", "2026-03-05 16:00"),
        ("10am London time", "2026-03-04 11:00"),
    ] {
        assert_eq!(instant(text), at(expected), "{text}");
    }
}

#[test]
fn days_are_read_from_weekdays_dates_and_shorthand() {
    for (text, expected) in [
        ("tomorrow", "2026-03-05"),
        ("tmrw pls", "2026-03-05"),
        ("fri", "2026-03-06"),
        ("wednesday", "2026-03-11"),
        ("next tuesday", "2026-03-10"),
        ("Mar 20", "2026-03-20"),
        ("3/20", "2026-03-20"),
        ("the 1st", "2026-04-01"),
        ("on the 20th", "2026-03-20"),
        ("2nd of april", "2026-04-02"),
        ("first monday of april", "2026-04-06"),
    ] {
        assert_eq!(instant(text), day(expected), "{text}");
    }
}

#[test]
fn ranges_and_parts_of_day_are_intervals() {
    for (text, start, end) in [
        ("Friday 2-4pm", "2026-03-06 14:00", "2026-03-06 16:00"),
        (
            "between 9 and 11 on the 12th",
            "2026-03-12 09:00",
            "2026-03-12 11:00",
        ),
        ("tomorrow afternoon", "2026-03-05 12:00", "2026-03-05 19:00"),
        ("this evening", "2026-03-04 18:00", "2026-03-05 00:00"),
        ("from Mon to Wed", "2026-03-09 00:00", "2026-03-12 00:00"),
        ("next week", "2026-03-09 00:00", "2026-03-16 00:00"),
        ("end of the week", "2026-03-06 00:00", "2026-03-09 00:00"),
        (
            "the week of the 18th",
            "2026-03-16 00:00",
            "2026-03-23 00:00",
        ),
        ("later this week", "2026-03-05 00:00", "2026-03-09 00:00"),
        (
            "9:30 till 12 on thu",
            "2026-03-05 09:30",
            "2026-03-05 12:00",
        ),
        ("March 10-12", "2026-03-10 00:00", "2026-03-13 00:00"),
    ] {
        assert_eq!(interval(text), (Some(at(start)), Some(at(end))), "{text}");
    }
    assert_eq!(interval("after 3pm"), (Some(at("2026-03-04 15:00")), None));
    assert_eq!(
        interval("by friday"),
        (Some(at("2026-03-04 10:15")), Some(at("2026-03-07 00:00")))
    );
}

#[test]
fn a_length_is_read_alone_or_beside_a_time() {
    for (text, minutes) in [
        ("30 min call", 30),
        ("an hour and a half", 90),
        ("45-minute session", 45),
        ("half an hour", 30),
        ("2h", 120),
    ] {
        let understood = read(text);
        assert_eq!(understood.meaning, Meaning::Duration, "{text}");
        assert_eq!(understood.duration_minutes, Some(minutes), "{text}");
    }
    let booked = read("next Tuesday afternoon for 45 minutes");
    assert_eq!(booked.duration_minutes, Some(45));
    assert_eq!(
        booked.meaning,
        Meaning::Interval {
            start: Some(at("2026-03-10 12:00")),
            end: Some(at("2026-03-10 19:00")),
            grain: Grain::Hour
        }
    );
}

#[test]
fn refused_times_are_negated_and_a_wanted_one_wins() {
    assert!(read("not monday").negated);
    assert!(read("I can't do tomorrow, sorry").negated);
    assert!(read("anything but thursday").negated);
    let mixed = read("I can't do Friday but Monday at 11 is fine");
    assert!(!mixed.negated);
    assert_eq!(
        mixed.meaning,
        Meaning::Instant {
            at: at("2026-03-09 11:00"),
            grain: Grain::Hour
        }
    );
}

#[test]
fn a_request_spread_over_sentences_is_read_as_one() {
    assert_eq!(
        instant("Could we do Friday instead? Maybe 11?"),
        at("2026-03-06 11:00")
    );
    let out = read("I'm out monday, tuesday works");
    assert!(!out.negated);
    assert_eq!(
        out.meaning,
        Meaning::Instant {
            at: day("2026-03-10"),
            grain: Grain::Day
        }
    );
}

#[test]
fn kinds_of_time_without_a_date_are_windows() {
    assert_eq!(
        read("mornings are best").meaning,
        Meaning::Window {
            start: Some(hm("08:00")),
            end: Some(hm("12:00"))
        }
    );
    assert_eq!(
        read("not before 10am").meaning,
        Meaning::Window {
            start: Some(hm("10:00")),
            end: None
        }
    );
    let next_week = read("any morning next week");
    assert_eq!(
        next_week.time_of_day,
        Some((hm("08:00"), Some(hm("12:00"))))
    );
    assert_eq!(
        next_week.meaning,
        Meaning::Interval {
            start: Some(day("2026-03-09")),
            end: Some(day("2026-03-16")),
            grain: Grain::Week
        }
    );
}

#[test]
fn replies_to_offered_slots_pick_one_or_refuse_them() {
    let offered = context(&["2026-03-05 14:00", "2026-03-06 10:00", "2026-03-09 16:00"]);
    assert_eq!(understand("option 2", &offered).meaning, Meaning::Choice(2));
    assert_eq!(understand("the 2pm one", &offered).option, Some(1));
    assert_eq!(understand("Friday works", &offered).option, Some(2));
    assert_eq!(understand("the monday one", &offered).option, Some(3));
    assert_eq!(
        understand("none of these work", &offered).meaning,
        Meaning::Nothing
    );
    assert_eq!(understand("not friday", &offered).option, None);
}

#[test]
fn words_without_a_time_mean_nothing() {
    for text in [
        "I need to cancel",
        "2 people",
        "thanks so much!",
        "at a few",
        "",
    ] {
        assert_eq!(read(text).meaning, Meaning::Nothing, "{text}");
    }
}
