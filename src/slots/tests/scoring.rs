//! Scoring, reasons, best picks and alternatives.

use super::*;

fn context<'a>(prefs: Option<&'a Preferences>, history: HistorySource) -> ScoreContext<'a> {
    ScoreContext {
        weights: ScoringWeights::default(),
        preferences: prefs,
        client_zone: New_York,
        history,
    }
}

fn score_at(e: &Engine<'_>, start: chrono::DateTime<Utc>, ctx: &ScoreContext<'_>) -> Slot {
    e.score(&[span(start, 30)], ctx).remove(0)
}

#[test]
fn scoring_applies_each_rule_with_its_reason() {
    let rules = domina();
    let meeting = span(local(New_York, 2026, 3, 3, 10, 0), 30);
    let busy = Busy::new(&[meeting], &[], rules.buffer, rules.zone);
    let e = engine(&rules, &busy, local(New_York, 2026, 3, 2, 8, 0));
    let prefs = Preferences {
        preferred_days: vec![Weekday::Tue],
        preferred_time_slots: vec![TimeSlot::Part(PartOfDay::Afternoon)],
        ..Preferences::default()
    };
    let mut pattern = BookingPattern::default();
    let decay = Decay {
        half_life: Duration::days(90),
    };
    pattern.record(Weekday::Tue, 15, e.now, decay);
    let history = HistorySource::Client(pattern.habits(e.now, decay));
    let ctx = context(Some(&prefs), history);

    // (start, score, reasons)
    let cases: [(chrono::DateTime<Utc>, i32, &[&str]); 5] = [
        (
            local(New_York, 2026, 3, 3, 15, 0),
            100 + 30 + 25 + 20,
            &[
                "On a day and at a time you prefer (Tuesday, afternoon)",
                "Matches your usual Tuesday afternoons",
                "Unhurried: free time before and after",
            ],
        ),
        (
            local(New_York, 2026, 3, 3, 10, 45),
            100 - 10,
            &["Right after another appointment"],
        ),
        (
            local(New_York, 2026, 3, 3, 9, 15),
            100 - 10,
            &["Right before another appointment"],
        ),
        (
            local(New_York, 2026, 3, 3, 10, 50),
            100,
            &["Open and within working hours"],
        ),
        (
            local(New_York, 2026, 3, 4, 15, 0),
            100 + 20,
            &["Unhurried: free time before and after"],
        ),
    ];
    for (start, score, reasons) in cases {
        let slot = score_at(&e, start, &ctx);
        assert_eq!(
            (
                slot.score,
                slot.reasons.iter().map(String::as_str).collect::<Vec<_>>()
            ),
            (score, reasons.to_vec()),
            "{}",
            start.with_timezone(&New_York)
        );
    }
}

#[test]
fn preferences_are_read_in_the_clients_zone() {
    let rules = domina();
    let busy = no_busy(&rules);
    let e = engine(&rules, &busy, local(New_York, 2026, 3, 2, 8, 0));
    let prefs = Preferences {
        preferred_time_slots: vec![TimeSlot::Part(PartOfDay::Evening)],
        timezone: Some(Paris),
        ..Preferences::default()
    };
    let ctx = context(Some(&prefs), HistorySource::None);
    // 13:00 in New York is 19:00 in Paris: evening for this client.
    let slot = score_at(&e, local(New_York, 2026, 3, 3, 13, 0), &ctx);
    assert!(
        slot.reasons
            .contains(&"At a time of day you prefer (evening)".to_string()),
        "{:?}",
        slot.reasons
    );
    let slot = score_at(&e, local(New_York, 2026, 3, 3, 9, 0), &ctx);
    assert!(!slot.reasons.iter().any(|r| r.contains("prefer")));
}

#[test]
fn a_new_client_gets_the_global_pattern() {
    let rules = domina();
    let busy = no_busy(&rules);
    let e = engine(&rules, &busy, local(New_York, 2026, 3, 2, 8, 0));
    let decay = Decay {
        half_life: Duration::days(90),
    };
    let mut global = BookingPattern::default();
    global.record(Weekday::Wed, 9, e.now, decay);
    let ctx = context(None, HistorySource::Global(global.habits(e.now, decay)));
    let slot = score_at(&e, local(New_York, 2026, 3, 4, 9, 30), &ctx);
    assert_eq!(slot.score, 100 + 25 + 20);
    assert!(
        slot.reasons
            .contains(&"A time other clients often choose".to_string())
    );
}

#[test]
fn best_is_by_score_then_earliest_and_never_overlapping() {
    let rules = domina();
    let busy = no_busy(&rules);
    let e = engine(&rules, &busy, local(New_York, 2026, 3, 1, 8, 0));
    let prefs = Preferences {
        preferred_time_slots: vec![TimeSlot::parse("14:00-16:00").expect("valid")],
        ..Preferences::default()
    };
    let ctx = context(Some(&prefs), HistorySource::None);
    let all = e.available(
        day_interval(New_York, date(2026, 3, 2)),
        Duration::minutes(30),
    );
    let slots = e.score(&all, &ctx);
    let top = best(&slots, 5);
    assert_eq!(
        local_times(
            &top.iter().map(|s| s.interval).collect::<Vec<_>>(),
            New_York
        ),
        [
            "14:00-0500",
            "14:30-0500",
            "15:00-0500",
            "15:30-0500",
            "09:00-0500"
        ]
    );
    assert!(top.windows(2).all(|pair| pair[0].score >= pair[1].score));
}

#[test]
fn alternatives_stay_near_the_requested_time() {
    let rules = domina();
    let taken = span(local(New_York, 2026, 3, 3, 10, 0), 30);
    let busy = Busy::new(&[taken], &[], rules.buffer, rules.zone);
    let e = engine(&rules, &busy, local(New_York, 2026, 3, 2, 8, 0));
    let ctx = context(None, HistorySource::None);
    let alternatives = alternatives_near(&e, taken, &ctx, 3);
    assert_eq!(alternatives.len(), 3);
    for slot in &alternatives {
        assert_eq!(rules.local_date(slot.interval.start), date(2026, 3, 3));
        assert!(e.check(slot.interval).is_ok());
    }
    // A Saturday request gets the nearest weekdays instead.
    let saturday = span(local(New_York, 2026, 3, 7, 10, 0), 30);
    let alternatives = alternatives_near(&e, saturday, &ctx, 3);
    assert_eq!(alternatives.len(), 3);
    for slot in &alternatives {
        let day = rules.local_date(slot.interval.start);
        assert!(day == date(2026, 3, 6) || day == date(2026, 3, 9), "{day}");
    }
}
