"""Talking to Redis: the connection the web process uses for health and heartbeat, and
the one way the rest of the app queues Celery tasks.

Services queue work by task *name*, after their transaction commits, through
`enqueue_after_commit`: they never import `tasks.py` (which imports them), and a task
is never queued for a change that rolled back. Publishing gives up at once when Redis
is down (Celery's default retries for seconds, in a web request): whatever was to be
queued is in the database, and the next beat tick finds it.
"""

import logging
from collections.abc import Iterable, Sequence

import redis
from django.conf import settings
from django.db import transaction

from config import celery_app

log = logging.getLogger("refrain.broker")

FAIL_FAST = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def get_redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def enqueue(task_name: str, calls: Iterable[Sequence] = ((),), *, what: str = "tasks") -> int:
    """Publish `task_name` once per argument list in `calls` (JSON: ids, never health
    data) over one connection, now; returns how many went out. A broker that is down
    is logged, never raised: the rows the tasks would handle wait in the database."""
    calls = [list(args) for args in calls]
    done = 0
    try:
        with celery_app.connection_for_write(transport_options=FAIL_FAST) as conn:
            for args in calls:
                celery_app.send_task(task_name, args=args, connection=conn, retry=False)
                done += 1
    except Exception as exc:  # noqa: BLE001 - the work is safe in the database
        log.warning(
            "could not queue %s %s (%s); the next tick finds them",
            len(calls) - done,
            what,
            type(exc).__name__,
        )
    return done


def enqueue_after_commit(
    task_name: str, calls: Iterable[Sequence] = ((),), *, what: str = "tasks"
) -> None:
    """`enqueue` once the current transaction commits (at once outside one), so that
    no task is ever queued for a change that rolled back."""
    calls = [list(args) for args in calls]
    transaction.on_commit(lambda: enqueue(task_name, calls, what=what))
