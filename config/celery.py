"""The Celery app. Settings come from Django's settings under the CELERY_ prefix."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("refrain")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Database connections in workers. Celery's Django fix-up closes
# every connection before and after each task, so each task would open a new one (tens
# of milliseconds: more than half of a reminder's cost). With CELERY_DB_REUSE_MAX it keeps them;
# these handlers then do what Django does around each request: drop a connection that
# is broken (PostgreSQL restarted) or older than CONN_MAX_AGE, and keep the rest.
@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(task=None, **kwargs) -> None:
    # Not for a task run in-process (`apply()`, eager): that is the caller's connection,
    # maybe inside its transaction, as Celery's fix-up also leaves it alone.
    if task is None or getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
