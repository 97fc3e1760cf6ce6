//! The crash test: the real `kairos` binary under a mixed load — bookings, moves and
//! cancellations over the JSON API, personal events over CalDAV, invitations and their
//! cancellations through `kairos ingest-mail` — SIGKILLed at random moments at least
//! 20 times and started again on the same data directory, mail going to an `SmtpSink`
//! and the Google mirror to `FakeGoogle`, both failing now and then. Then it is started
//! once more, left to drain its outbox and spool, and killed once more, and the audit
//! checks what is on disk and what was delivered: every acknowledged booking and
//! accepted invitation holds, no two confirmed appointments overlap, every outbox
//! intent was carried out exactly once (mail by Message-ID, Google events by iCalUID)
//! and no spooled message was lost.
//!
//! `KAIROS_CRASH_SEED=<n>` replays a run's choices (times, kinds of request, kill
//! moments; not the machine's timing), `KAIROS_CRASH_KILLS=<n>` changes the number of
//! kills, `KAIROS_CRASH_KEEP=1` keeps the data directory and the process logs.

mod audit;
mod captured;
mod load;
mod rig;
mod tally;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use chrono_tz::America::New_York;
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};

use self::audit::audit;
use self::load::{Grid, Load};
use self::rig::Rig;
use self::tally::Tally;
use crate::support::fake_google::FakeGoogle;
use crate::support::smtp_sink::{SinkMode, SmtpSink};

/// Kills unless `KAIROS_CRASH_KILLS` says otherwise.
const KILLS: usize = 20;
/// The longest the last start may take to drain its outbox and spool.
const DRAIN_WITHIN: Duration = Duration::from_secs(120);
/// How long nothing may have happened for the drain to count as done.
const QUIET_FOR: Duration = Duration::from_secs(3);

/// The wall clock the `kairos` process reads.
#[allow(clippy::disallowed_methods)] // the `kairos` process reads the wall clock too
fn wall_now() -> DateTime<Utc> {
    Utc::now()
}

fn seed() -> u64 {
    std::env::var("KAIROS_CRASH_SEED")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| {
            wall_now().timestamp_subsec_nanos() as u64 ^ wall_now().timestamp() as u64
        })
}

/// What the world outside is like for one cycle: the mail server deferring every
/// message (one cycle in five), Google failing three writes in ten (one in five) and
/// answering late (every other), so kills also fall between a write carried out and
/// its answer.
fn weather(rng: &mut StdRng, sink: &SmtpSink, google: &FakeGoogle) -> String {
    let deferring = rng.random_range(0..5) == 0;
    sink.set_mode(if deferring {
        SinkMode::Defer
    } else {
        SinkMode::Accept
    });
    let failing = if rng.random_range(0..5) == 0 { 3 } else { 0 };
    google.fail_writes(failing);
    let latency = if rng.random_bool(0.5) {
        rng.random_range(50..400)
    } else {
        0
    };
    google.set_latency(Duration::from_millis(latency));
    format!(
        "mail {}, Google failing {failing}/10 writes, answering {latency} ms late",
        if deferring { "deferred" } else { "accepted" }
    )
}

/// When to kill: a quarter of the time while the start's backlog is still being
/// worked off, otherwise anywhere in the next 2.5 s.
fn kill_after(rng: &mut StdRng) -> Duration {
    let millis = if rng.random_range(0..4) == 0 {
        rng.random_range(0..300)
    } else {
        rng.random_range(300..2500)
    };
    Duration::from_millis(millis)
}

/// Google writes so far (inserts, patches, deletes).
fn google_writes(google: &FakeGoogle) -> usize {
    google
        .requests()
        .iter()
        .filter(|r| matches!(r.method.as_str(), "POST" | "PATCH" | "DELETE") && r.path != "/token")
        .count()
}

/// Inserts of an iCalUID sent again after its first (a retry after a lost answer or a
/// kill; Google refuses the second with 409 and the event is looked up instead).
fn google_inserts_again(google: &FakeGoogle) -> usize {
    let inserts: Vec<String> = google
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/events"))
        .filter_map(|r| {
            let body: serde_json::Value = serde_json::from_str(&r.body).ok()?;
            Some(body["iCalUID"].as_str()?.to_string())
        })
        .collect();
    let distinct: std::collections::HashSet<&String> = inserts.iter().collect();
    inserts.len() - distinct.len()
}

/// Waits until the spool's `new/` is empty and neither mail nor Google writes have
/// come for [`QUIET_FOR`]; panics after [`DRAIN_WITHIN`].
async fn drain(rig: &Rig, sink: &SmtpSink, google: &FakeGoogle) {
    let new = rig.state().join("mail/inbox/new");
    let began = tokio::time::Instant::now();
    let mut last = (usize::MAX, usize::MAX);
    let mut quiet_since = tokio::time::Instant::now();
    loop {
        let now = (sink.received().len(), google_writes(google));
        let waiting = std::fs::read_dir(&new).map_or(0, |entries| entries.count());
        if now != last || waiting > 0 {
            last = now;
            quiet_since = tokio::time::Instant::now();
        } else if quiet_since.elapsed() >= QUIET_FOR {
            return;
        }
        assert!(
            began.elapsed() < DRAIN_WITHIN,
            "the outbox and spool did not drain within {DRAIN_WITHIN:?} ({waiting} messages waiting):\n{}",
            rig.last_log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "kills the real binary 20+ times; run by .ci/run"]
async fn crash_recovery_keeps_every_acknowledged_booking_and_carries_out_each_intent_once() {
    let began = Instant::now();
    let seed = seed();
    let kills = std::env::var("KAIROS_CRASH_KILLS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(KILLS)
        .max(1);
    println!(
        "crash test: seed {seed} (KAIROS_CRASH_SEED={seed} replays its choices), {kills} kills"
    );
    let sink = SmtpSink::start().await;
    let google = FakeGoogle::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rig = Rig::new(dir.path(), &sink, &google);
    let mut rng = StdRng::seed_from_u64(seed);
    // Five days for 20 kills, more for more, so the times asked for collide often but
    // are not all taken.
    let grid = Grid::new(wall_now(), (kills as i64 / 4).max(5));
    let load = Load::new(rig.http(), rig.ingester(), grid, seed);

    for cycle in 1..=kills {
        let outside = weather(&mut rng, &sink, &google);
        rig.start().await;
        let stop = Arc::new(AtomicBool::new(false));
        let running = {
            let (load, stop) = (load.clone(), Arc::clone(&stop));
            let mut load_rng = StdRng::seed_from_u64(rng.random());
            tokio::spawn(async move { load.run(&mut load_rng, stop).await })
        };
        let moment = kill_after(&mut rng);
        tokio::time::sleep(moment).await;
        rig.kill().await;
        println!("kill {cycle} after {} ms ({outside})", moment.as_millis());
        stop.store(true, Ordering::Relaxed);
        tokio::time::timeout(Duration::from_secs(60), running)
            .await
            .expect("the load stops within a minute of the kill")
            .expect("the load did not panic");
        // The MTA goes on delivering while the server is down.
        if rng.random_bool(0.5) {
            load.invite_once(&mut rng).await;
        }
    }

    sink.set_mode(SinkMode::Accept);
    google.fail_writes(0);
    google.set_latency(Duration::ZERO);
    rig.start().await;
    drain(&rig, &sink, &google).await;
    // Killed once more: the audit reads what a crash leaves on disk.
    rig.kill().await;
    let store = kairos::store::Store::open(&rig.state().join("db"), New_York)
        .expect("the store opens once the process is gone");
    let seen = load.seen.lock().expect("the load's record");
    let mut tally = Tally {
        kills: rig.kills,
        starts: rig.starts,
        booking_tries: seen.booking_tries,
        bookings: seen.bookings.len(),
        booking_conflicts: seen.booking_conflicts,
        moves: seen.moves,
        move_conflicts: seen.move_conflicts,
        cancels: seen.cancels,
        unanswered: seen.unanswered,
        spooled: seen.spooled,
        caldav_writes: seen.personal.len(),
        calendar_changes: seen.calendar_changes,
        google_inserts_again: google_inserts_again(&google),
        ..Tally::default()
    };
    let findings = audit(
        &seen,
        &store,
        &sink.received(),
        &google.every_event("primary"),
        &rig.state().join("mail/inbox"),
        &mut tally,
    );
    drop(store);
    println!("{tally}");
    println!("run time: {:.1} s", began.elapsed().as_secs_f64());
    println!("the process's warnings and errors, by kind:");
    for (count, words) in rig.warnings().iter().take(12) {
        println!("  {count:>5} × {words}");
    }
    if std::env::var_os("KAIROS_CRASH_KEEP").is_some() {
        println!("kept: {}", dir.keep().display());
    }
    assert!(
        findings.problems.is_empty(),
        "seed {seed}: {} problems:\n{}",
        findings.problems.len(),
        findings.problems.join("\n")
    );
    assert!(
        tally.bookings > 0 && tally.accepted > 0 && tally.caldav_writes > 0,
        "the load booked, had invitations accepted and wrote to the calendar"
    );
}
