"""Celery tasks: thin wrappers that call services, with IDs only as arguments."""

from celery import shared_task

from .health import beat_tick_record
from .services import measure_requests, reminders, safety, schedule


@shared_task(ignore_result=True)
def heartbeat() -> None:
    beat_tick_record()


@shared_task(ignore_result=True)
def generate_sessions_ahead() -> None:
    """Daily: keep every running group's sessions generated the configured weeks ahead.

    Safe to run twice: generation only fills slots that have no session yet."""
    schedule.sessions_generate_ahead()


# --- Reminders ------------------------------------------------------------------------


@shared_task(ignore_result=True)
def reminders_dispatch() -> None:
    """Every minute (beat), and straight after a change that makes a reminder due now:
    settle stale rows, claim the due ones and queue their sends in batches.

    Two at once (a nudge and beat's tick, or two beats by mistake) claim different
    rows. A full claim runs the tick again at once, so a backlog drains without
    waiting for beat."""
    if reminders.reminders_dispatch_due().more:
        reminders_dispatch.apply_async()


@shared_task(ignore_result=True)
def reminders_send(reminder_ids: list[int]) -> None:
    """Send a batch of reminders over one connection per channel. Redelivered (acks
    late, a lost worker) it finds its rows claimed or sent and sends only the rest."""
    reminders.reminders_send(reminder_ids=[int(pk) for pk in reminder_ids])


@shared_task(ignore_result=True)
def reminder_send(reminder_id: int) -> None:
    """Send one reminder: what ticks queued before sends went in batches (a task may
    still be in Redis across an upgrade)."""
    reminders.reminder_send(reminder_id=reminder_id)


@shared_task(ignore_result=True)
def reminders_plan_agendas() -> None:
    reminders.reminders_plan_agendas()


# --- Measures -------------------------------------------------------------------------


@shared_task(ignore_result=True)
def measure_requests_plan() -> None:
    """Daily: the questionnaires that fall due today, invitations to them, and the
    lapse of those left open too long. Safe to run twice."""
    measure_requests.measure_requests_plan_all()


@shared_task(ignore_result=True)
def safety_alerts_escalate() -> None:
    """Every few minutes: alerts nobody acknowledged in time go to administrators, once."""
    safety.alerts_escalate()
