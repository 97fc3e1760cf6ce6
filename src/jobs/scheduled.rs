//! The jobs that run on a schedule (tokio-cron-scheduler, expressions read in the
//! host's zone): reminders before appointments, follow-ups after them, and the host's
//! daily agenda. Each run decides what is due and queues it; the decision and the
//! outbox entry are one store transaction, so a run that overlaps another, or one
//! repeated after a restart, queues nothing twice. Runs of one job never overlap: a
//! tick that finds the previous run still going is skipped.
//!
//! The agenda's own schedule is not handed to the cron scheduler: tokio-cron-scheduler
//! computes later ticks with the UTC offset its job was created with, so across a
//! daylight-saving change "07:00" would drift by an hour. Its job looks every minute
//! and `service` decides from the schedule itself whether an agenda came due.
//!
//! Must not know: HTTP, or how the store keeps its data.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Mutex;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::config::{Config, Schedule};
use crate::service::Scheduler;

/// What one scheduled job does.
#[derive(Debug, Clone)]
pub enum Task {
    /// Queue the reminders due, this many minutes before each appointment.
    Reminders(Vec<u32>),
    /// Queue the follow-ups due, this long after each appointment's end.
    FollowUps(chrono::Duration),
    /// Queue the host's agenda when this schedule made it due.
    Agenda(Box<Schedule>),
}

impl Task {
    fn name(&self) -> &'static str {
        match self {
            Self::Reminders(_) => "reminders",
            Self::FollowUps(_) => "follow-ups",
            Self::Agenda(_) => "agenda",
        }
    }

    /// One run: queues what is due now; returns how many were queued.
    pub async fn run_once(&self, scheduler: &Scheduler) -> anyhow::Result<usize> {
        Ok(match self {
            Self::Reminders(before) => scheduler.queue_due_reminders(before).await?,
            Self::FollowUps(after) => scheduler.queue_due_follow_ups(*after).await?,
            Self::Agenda(schedule) => scheduler.queue_due_agenda(schedule.cron()).await?,
        })
    }
}

/// The running scheduled jobs.
pub struct ScheduledJobs {
    cron: JobScheduler,
    /// Held by a run while it goes; taken at shutdown to wait for it.
    running: Vec<Arc<Mutex<()>>>,
    /// Set at shutdown: no run starts after it.
    stopping: Arc<AtomicBool>,
}

/// The jobs `config` turns on, with the schedule each runs on.
pub fn planned(config: &Config) -> Vec<(Task, Schedule)> {
    let mut plan = Vec::new();
    if let Some(schedule) = &config.reminders.schedule
        && !config.reminders.before_minutes.is_empty()
    {
        let task = Task::Reminders(config.reminders.before_minutes.clone());
        plan.push((task, schedule.clone()));
    }
    if let Some(schedule) = &config.follow_ups.schedule {
        plan.push((Task::FollowUps(config.follow_ups.after), schedule.clone()));
    }
    if let Some(due) = &config.agenda.schedule {
        plan.push((
            Task::Agenda(Box::new(due.clone())),
            config.agenda.looks.clone(),
        ));
    }
    plan
}

impl ScheduledJobs {
    /// Starts the jobs of `plan`, their schedules read in `zone`.
    pub async fn start(
        scheduler: Arc<Scheduler>,
        plan: Vec<(Task, Schedule)>,
        zone: chrono_tz::Tz,
    ) -> anyhow::Result<Self> {
        let cron = JobScheduler::new().await?;
        let mut running = Vec::new();
        let stopping = Arc::new(AtomicBool::new(false));
        for (task, schedule) in plan {
            let lock = Arc::new(Mutex::new(()));
            running.push(Arc::clone(&lock));
            // Weak: the cron scheduler's tasks may outlive `stop`, and must not keep
            // the store (and its lock on the data directory) open after it.
            let scheduler = Arc::downgrade(&scheduler);
            let task = Arc::new(task);
            let stop = Arc::clone(&stopping);
            let job = Job::new_async_tz(schedule.expression(), zone, move |_, _| {
                let (scheduler, task, lock, stop) = (
                    scheduler.clone(),
                    Arc::clone(&task),
                    Arc::clone(&lock),
                    Arc::clone(&stop),
                );
                Box::pin(async move {
                    let Ok(_running) = lock.try_lock() else {
                        return;
                    };
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let Some(scheduler) = scheduler.upgrade() else {
                        return;
                    };
                    let outcome = task.run_once(&scheduler).await;
                    scheduler.job_ran(task.name(), outcome.is_ok());
                    match outcome {
                        Ok(0) => {}
                        Ok(queued) => tracing::info!(queued, job = task.name(), "queued"),
                        Err(error) => {
                            tracing::error!(job = task.name(), "scheduled run failed: {error:#}");
                        }
                    }
                })
            })?;
            cron.add(job).await?;
        }
        cron.start().await?;
        Ok(Self {
            cron,
            running,
            stopping,
        })
    }

    /// Stops the schedule and waits for runs in progress to finish.
    pub async fn stop(mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        if let Err(error) = self.cron.shutdown().await {
            tracing::warn!("stopping the scheduled jobs: {error}");
        }
        for lock in &self.running {
            let _finished = lock.lock().await;
        }
    }
}
