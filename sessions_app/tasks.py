"""Celery tasks: thin wrappers that call services, with IDs only as arguments."""

from celery import shared_task

from .health import beat_tick_record


@shared_task(ignore_result=True)
def heartbeat() -> None:
    beat_tick_record()
