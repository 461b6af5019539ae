"""Celery tasks: thin wrappers that call services, with IDs only as arguments."""

from celery import shared_task

from .health import beat_tick_record
from .services import schedule


@shared_task(ignore_result=True)
def heartbeat() -> None:
    beat_tick_record()


@shared_task(ignore_result=True)
def generate_sessions_ahead() -> None:
    """Daily: keep every running group's sessions generated the configured weeks ahead.

    Safe to run twice: generation only fills slots that have no session yet."""
    schedule.sessions_generate_ahead()
